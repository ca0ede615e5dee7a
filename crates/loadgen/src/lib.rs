//! `twinstack load`: an open-model HTTP load generator that replays Artillery YAML configs unchanged, within a
//! documented subset, so the same `loadtest/crud.yml` drives Artillery in the cloud and this tool locally.
//!
//! # Supported subset
//!
//! | key | meaning (Artillery's) |
//! |---|---|
//! | `config.target` | read and reported, never used: traffic goes only to `--target` |
//! | `config.phases[]`: `duration`, `arrivalRate`, `rampTo`, `name` | new virtual users per second; constant or ramped (see [`phases`]) |
//! | `config.variables` | a value, or a list from which each virtual user draws one |
//! | `config.timeout`, `config.http.timeout` | request timeout in seconds (default 10) |
//! | `config.plugins`: `metrics-by-endpoint`, `apdex`, `ensure`, `publish-metrics`; `config.ensure` | reporting only: accepted with a note, not run |
//! | `scenarios[]`: `name`, `weight`, `flow` | each virtual user runs one scenario, picked by weight (default 1) |
//! | flow step `get` / `post` / `put` / `patch` / `delete` | `url` (a path, appended to the target by plain concatenation), `name`, `json`, `headers`, `capture` |
//! | `capture: {json: "$.a.b[0]", as: var, strict: bool}` (one or a list) | member/index JSONPath only; strict by default |
//! | flow step `think` | pause in seconds, or with a unit (`"500ms"`) |
//! | templates | `{{ var }}`, `{{ var.field[0] }}`, `{{ $randomNumber(a, b) }}`, `{{ $randomString(n) }}` |
//! | `scenarios[].engine: ws` | Artillery's WebSocket engine: one socket per virtual user, on `--target` (a `ws://` URL) |
//! | ws flow step `connect` | first step only: `"{{ target }}/path"` (templated), the URL the socket opens on |
//! | ws flow step `send` | a text frame: a string (templated), or any other value sent as JSON (templated leaves) |
//! | ws flow steps `think`, `loop` with `count` | a pause; the nested steps `count` times |
//!
//! A string that is exactly `"{{ var }}"` keeps the variable's JSON type (a captured number is sent as a
//! number); any other template, including every `$function`, renders a string. Any other key is an error
//! naming it — a key that would change the traffic is never silently ignored.
//!
//! WebSocket virtual users report `connect` (latency to the end of the handshake) and each `send` (named
//! `send` and its payload as written; latency to the frame's write) like requests, and count every data
//! frame they receive (`messagesReceived`); see [`ws_vu`]. `connect` options, `send` with `capture` /
//! `match`, `wait`, `function`, `log`, `loop` with `over` / `whileTrue`, `config.ws` and `wss://` are
//! refused by name.
//!
//! Deliberate differences from Artillery, all documented where they act: connections come from one keep-alive
//! pool (Artillery opens one per virtual user unless `config.http.pool` is set); redirects are not followed;
//! latency runs from each request's intended start to the end of its body (Artillery measures from the request
//! being sent to the first byte), so a late start is never hidden; a ramp's arrivals in each second are spread
//! at microsecond rather than millisecond precision.

pub mod cli;
pub mod consumed_capacity;
pub mod json_body;
pub mod jsonpath;
mod live;
pub mod phases;
mod pick;
mod progress;
pub mod report;
pub mod runner;
pub mod script;
pub mod server_timing;
pub mod stats;
pub mod summary;
pub mod template;
mod vu;
pub mod ws_vu;

pub use cli::{LoadArgs, run as run_cli};
pub use phases::Scale;
pub use report::Report;
pub use runner::{RunError, RunOptions, run};
pub use script::{Script, ScriptError};
