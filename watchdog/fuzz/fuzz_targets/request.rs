//! Request parsing: any body sent to the warm watchdog's /invoke gets a verdict (pass it on, or a
//! 400 naming the field), never a panic; so does any error object a function writes.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/error.rs"]
#[allow(dead_code)]
mod error;
#[path = "../../src/json_scan.rs"]
#[allow(dead_code)]
mod json_scan;
#[path = "../../src/request_shape.rs"]
mod request_shape;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = request_shape::validate_invocation_request(data) {
        assert!(matches!(problem.status(), 400), "{problem:?}");
        let _ = problem.to_body();
    }
    let _ = error::reported_function_error(data);
});
