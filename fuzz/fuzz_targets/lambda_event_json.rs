//! Any JSON payload as a Lambda invocation of the API function: it answers with an HTTP response
//! (400 `malformed_request` when the event is no request), never a function error or a panic.
//! Seeded with the HTTP event fixtures (`make fuzz` copies them into the corpus).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: twinstack_fuzz::quiet_caught_panics(),
    |data: &[u8]| {
        if let Ok(event) = std::str::from_utf8(data) {
            twinstack_fuzz::assert_answers(event);
        }
    }
);
