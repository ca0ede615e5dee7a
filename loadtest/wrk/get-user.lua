-- wrk: GET /api/users/{id} for a random seeded user (ids 1..USERS, default 10000).
-- wrk itself reports "Non-2xx or 3xx responses", which bench-db.sh treats as a failed run.
local users = tonumber(os.getenv("USERS") or "10000")

request = function()
  return wrk.format("GET", "/api/users/" .. math.random(1, users))
end
