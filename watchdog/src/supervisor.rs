//! Warm HTTP mode: keeps one runtime process alive on RUNTIME_PORT, marks the watchdog ready once
//! the runtime answers its health check, and restarts it (with backoff) whenever it exits.

use crate::client::HttpClient;
use crate::config::Config;
use crate::http::{spawn_runtime, wait_healthy};
use crate::log::LogContext;
use crate::metrics::Metrics;
use crate::process::Reaper;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A runtime that stayed up this long is considered healthy again: the backoff starts over.
const STABLE_AFTER: Duration = Duration::from_secs(10);

pub struct RuntimeSupervisor {
    pub config: Arc<Config>,
    pub reaper: Arc<Reaper>,
    pub client: HttpClient,
    pub log: LogContext,
    pub metrics: Arc<Metrics>,
    pub ready: Arc<AtomicBool>,
}

impl RuntimeSupervisor {
    /// Runs until `stop` becomes true, then stops the runtime (SIGTERM, SIGKILL after
    /// KILL_GRACE_MS) and returns.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = FIRST_BACKOFF;
        loop {
            let started = Instant::now();
            let env = vec![("TIMEOUT_MS", self.config.timeout.as_millis().to_string())];
            let mut runtime = match spawn_runtime(&self.config, &self.reaper, &self.log, env).await
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    self.log.error(
                        "cannot start runtime",
                        &[("error", error.to_error_object())],
                    );
                    if sleep_or_stop(backoff, &mut stop).await {
                        return;
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            self.log
                .info("runtime started", &[("pid", runtime.child.pid.into())]);

            let healthy = tokio::select! {
                result = wait_healthy(&self.client, &self.config, &mut runtime) => result,
                () = stopped(&mut stop) => {
                    runtime.child.terminate(self.config.kill_grace).await;
                    return;
                }
            };
            match healthy {
                Ok(()) => {
                    self.ready.store(true, Ordering::SeqCst);
                    self.log.info(
                        "runtime ready",
                        &[("startupMs", (started.elapsed().as_millis() as u64).into())],
                    );
                    tokio::select! {
                        status = runtime.child.wait() => {
                            self.ready.store(false, Ordering::SeqCst);
                            self.log.error("runtime exited; restarting", &[
                                ("exit", status.to_string().into()),
                                ("stderr", runtime.stderr_tail.text().into()),
                            ]);
                        }
                        () = stopped(&mut stop) => {
                            self.ready.store(false, Ordering::SeqCst);
                            let status = runtime.child.terminate(self.config.kill_grace).await;
                            self.log.info("runtime stopped", &[("exit", status.to_string().into())]);
                            return;
                        }
                    }
                }
                Err(error) => {
                    self.log.error(
                        "runtime did not become healthy; restarting",
                        &[("error", error.to_error_object())],
                    );
                    runtime.child.terminate(self.config.kill_grace).await;
                }
            }
            self.metrics
                .runtime_restarts
                .fetch_add(1, Ordering::Relaxed);
            if started.elapsed() >= STABLE_AFTER {
                backoff = FIRST_BACKOFF;
            }
            if sleep_or_stop(backoff, &mut stop).await {
                return;
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
}

/// Resolves once the stop flag is true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Sleeps for `duration`; true if asked to stop meanwhile.
async fn sleep_or_stop(duration: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(duration) => false,
        () = stopped(stop) => true,
    }
}
