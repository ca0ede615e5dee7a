//! The probe's Runtime API, a library too: the Lambda twin's tests drive the real function binary
//! through it.

pub mod runtime_api;
