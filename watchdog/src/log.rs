//! Structured logs: one JSON object per line on stderr (stdout carries only results).

use serde_json::{Map, Value};
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn parse(value: &str) -> Option<Level> {
        match value.trim().to_ascii_lowercase().as_str() {
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Per-invocation (or per-runtime) context stamped on every line.
#[derive(Clone, Debug)]
pub struct LogContext {
    /// Lines below this level are dropped (LOG_LEVEL).
    pub min_level: Level,
    pub function: String,
    pub execution_id: Option<String>,
    pub trace_id: Option<String>,
}

impl LogContext {
    pub fn new(function: &str, min_level: Level) -> Self {
        LogContext {
            min_level,
            function: function.to_string(),
            execution_id: None,
            trace_id: None,
        }
    }

    pub fn for_invocation(&self, execution_id: &str, trace_id: Option<&str>) -> Self {
        LogContext {
            min_level: self.min_level,
            function: self.function.clone(),
            execution_id: Some(execution_id.to_string()),
            trace_id: trace_id.map(str::to_string),
        }
    }

    pub fn debug(&self, msg: &str, fields: &[(&str, Value)]) {
        self.emit(Level::Debug, msg, fields);
    }

    pub fn info(&self, msg: &str, fields: &[(&str, Value)]) {
        self.emit(Level::Info, msg, fields);
    }

    pub fn warn(&self, msg: &str, fields: &[(&str, Value)]) {
        self.emit(Level::Warn, msg, fields);
    }

    pub fn error(&self, msg: &str, fields: &[(&str, Value)]) {
        self.emit(Level::Error, msg, fields);
    }

    /// Re-emits one line the function wrote on `stream` (stderr, or stdout when stdout is not
    /// the result channel).
    pub fn child_line(&self, stream: &str, line: &str) {
        self.emit(
            Level::Info,
            "function output",
            &[("stream", stream.into()), ("line", line.into())],
        );
    }

    pub fn emit(&self, level: Level, msg: &str, fields: &[(&str, Value)]) {
        if level < self.min_level {
            return;
        }
        let mut line = Map::new();
        line.insert(
            "ts".into(),
            Value::from(format_timestamp(SystemTime::now())),
        );
        line.insert("level".into(), Value::from(level.as_str()));
        line.insert("msg".into(), Value::from(msg));
        line.insert("function".into(), Value::from(self.function.as_str()));
        if let Some(id) = &self.execution_id {
            line.insert("executionId".into(), Value::from(id.as_str()));
        }
        if let Some(id) = &self.trace_id {
            line.insert("traceId".into(), Value::from(id.as_str()));
        }
        for (key, value) in fields {
            line.insert((*key).to_string(), value.clone());
        }
        let mut bytes = serde_json::to_vec(&Value::Object(line)).unwrap_or_default();
        bytes.push(b'\n');
        // One write per line keeps lines whole when several tasks log at once; a closed stderr
        // must not take the watchdog down, so the error is ignored.
        let _ = std::io::stderr().lock().write_all(&bytes);
    }
}

/// RFC 3339 UTC timestamp with milliseconds, e.g. `2026-11-27T05:23:04.123Z`.
pub fn format_timestamp(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_757_584_123);
        assert_eq!(format_timestamp(t), "2026-11-27T05:33:04.123Z");
        assert_eq!(format_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
