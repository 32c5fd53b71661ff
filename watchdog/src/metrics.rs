//! Prometheus metrics for the warm server: invocations by outcome, a duration histogram,
//! in-flight invocations, readiness and runtime restarts.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The function failed (its exit code, output, or its own error answer).
    FunctionError,
    /// The watchdog or the runtime process could not run it.
    PlatformError,
    Timeout,
    /// Refused before running: not ready, over MAX_INFLIGHT, bad request.
    Rejected,
}

const OUTCOMES: [Outcome; 5] = [
    Outcome::Success,
    Outcome::FunctionError,
    Outcome::PlatformError,
    Outcome::Timeout,
    Outcome::Rejected,
];

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::FunctionError => "function_error",
            Outcome::PlatformError => "platform_error",
            Outcome::Timeout => "timeout",
            Outcome::Rejected => "rejected",
        }
    }

    fn index(self) -> usize {
        match self {
            Outcome::Success => 0,
            Outcome::FunctionError => 1,
            Outcome::PlatformError => 2,
            Outcome::Timeout => 3,
            Outcome::Rejected => 4,
        }
    }
}

/// Upper bounds of the duration histogram, in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
pub struct Metrics {
    outcomes: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    duration_count: AtomicU64,
    duration_sum_micros: AtomicU64,
    pub runtime_restarts: AtomicU64,
}

impl Metrics {
    pub fn record(&self, outcome: Outcome, duration: Option<Duration>) {
        self.outcomes[outcome.index()].fetch_add(1, Ordering::Relaxed);
        let Some(duration) = duration else {
            return;
        };
        let seconds = duration.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        }
        self.duration_count.fetch_add(1, Ordering::Relaxed);
        self.duration_sum_micros
            .fetch_add(duration.as_micros() as u64, Ordering::Relaxed);
    }

    /// Prometheus text exposition format 0.0.4.
    pub fn render(&self, function: &str, inflight: usize, ready: bool) -> String {
        let label = escape_label(function);
        let mut out = String::new();
        out.push_str("# HELP watchdog_invocations_total Invocations handled, by outcome.\n");
        out.push_str("# TYPE watchdog_invocations_total counter\n");
        for outcome in OUTCOMES {
            let _ = writeln!(
                out,
                "watchdog_invocations_total{{function=\"{label}\",outcome=\"{}\"}} {}",
                outcome.label(),
                self.outcomes[outcome.index()].load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP watchdog_invocation_duration_seconds Time to run an invocation.\n");
        out.push_str("# TYPE watchdog_invocation_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "watchdog_invocation_duration_seconds_bucket{{function=\"{label}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.duration_count.load(Ordering::Relaxed);
        let sum = self.duration_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "watchdog_invocation_duration_seconds_bucket{{function=\"{label}\",le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "watchdog_invocation_duration_seconds_sum{{function=\"{label}\"}} {sum}"
        );
        let _ = writeln!(
            out,
            "watchdog_invocation_duration_seconds_count{{function=\"{label}\"}} {count}"
        );
        out.push_str("# HELP watchdog_inflight_invocations Invocations running now.\n");
        out.push_str("# TYPE watchdog_inflight_invocations gauge\n");
        let _ = writeln!(
            out,
            "watchdog_inflight_invocations{{function=\"{label}\"}} {inflight}"
        );
        out.push_str("# HELP watchdog_ready 1 when the watchdog accepts invocations.\n");
        out.push_str("# TYPE watchdog_ready gauge\n");
        let _ = writeln!(
            out,
            "watchdog_ready{{function=\"{label}\"}} {}",
            u8::from(ready)
        );
        out.push_str(
            "# HELP watchdog_runtime_restarts_total Times the HTTP runtime was restarted.\n",
        );
        out.push_str("# TYPE watchdog_runtime_restarts_total counter\n");
        let _ = writeln!(
            out,
            "watchdog_runtime_restarts_total{{function=\"{label}\"}} {}",
            self.runtime_restarts.load(Ordering::Relaxed)
        );
        out
    }
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let metrics = Metrics::default();
        metrics.record(Outcome::Success, Some(Duration::from_millis(3)));
        metrics.record(Outcome::Timeout, Some(Duration::from_millis(700)));
        metrics.record(Outcome::Rejected, None);
        let text = metrics.render("f", 2, true);
        assert!(text.contains("watchdog_invocations_total{function=\"f\",outcome=\"success\"} 1"));
        assert!(text.contains("watchdog_invocations_total{function=\"f\",outcome=\"rejected\"} 1"));
        assert!(text.contains("le=\"0.005\"} 1\n"));
        assert!(text.contains("le=\"1\"} 2\n"));
        assert!(text.contains("watchdog_invocation_duration_seconds_count{function=\"f\"} 2"));
        assert!(text.contains("watchdog_inflight_invocations{function=\"f\"} 2"));
    }
}
