-- wrk: GET {PREFIX}/api/users/{id} for a random seeded user (ids 1..USERS, default 10000), as
-- loadtest/wrk/get-user.lua, with a path prefix such as the emulator's function URL
-- (PREFIX=/lambda-url/twinstack-lambda).
local users = tonumber(os.getenv("USERS") or "10000")
local prefix = os.getenv("PREFIX") or ""

request = function()
  return wrk.format("GET", prefix .. "/api/users/" .. math.random(1, users))
end
