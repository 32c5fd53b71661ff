//! Output validation (json_scan): any bytes a function writes are scanned without a panic, and
//! the verdict agrees with serde_json wherever serde_json can decide.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/json_scan.rs"]
#[allow(dead_code)]
mod json_scan;

fuzz_target!(|data: &[u8]| {
    let verdict = json_scan::scan(data, json_scan::MAX_DEPTH);
    let _ = json_scan::is_json(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if verdict.is_err() && serde_json::from_str::<serde_json::Value>(text).is_ok() {
            panic!("json_scan refused what serde_json accepts: {text:?}");
        }
    }
});
