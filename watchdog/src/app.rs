//! Wires the pieces for one run: a one-shot invocation or the warm server.

use crate::client::build_client;
use crate::config::{Config, ExecutionMode};
use crate::log::LogContext;
use crate::metrics::Metrics;
use crate::oneshot::run_one_shot;
use crate::process::{resolve_program, Reaper};
use crate::resolver::Resolver;
use crate::server::WarmServer;
use crate::supervisor::RuntimeSupervisor;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// Exit code when the watchdog itself cannot start (port in use, no signal handling...).
const EXIT_STARTUP_FAILED: i32 = 4;

pub async fn run(mut config: Config) -> i32 {
    config.command[0] = resolve_program(&config.command[0], std::env::var("PATH").ok().as_deref());
    let config = Arc::new(config);
    let log = LogContext::new(&config.function_name, config.log_level);
    let reaper = match Reaper::start() {
        Ok(reaper) => reaper,
        Err(e) => {
            log.error(
                "cannot watch child processes",
                &[("error", e.to_string().into())],
            );
            return EXIT_STARTUP_FAILED;
        }
    };
    let client = build_client(Resolver::new(
        config.hosts_file.clone(),
        config.resolv_conf.clone(),
    ));
    if !config.is_warm() {
        return run_one_shot(config, reaper, client, log).await;
    }

    let listener = match TcpListener::bind((config.host, config.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            log.error(
                "cannot listen",
                &[
                    ("address", format!("{}:{}", config.host, config.port).into()),
                    ("error", e.to_string().into()),
                ],
            );
            return EXIT_STARTUP_FAILED;
        }
    };
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(config.port);
    log.info(
        "listening",
        &[
            ("port", port.into()),
            ("mode", format!("{:?}", config.mode).to_uppercase().into()),
            ("maxInflight", config.max_inflight.into()),
        ],
    );

    let metrics = Arc::new(Metrics::default());
    let ready = Arc::new(AtomicBool::new(config.mode != ExecutionMode::Http));
    let (stop_runtime, runtime_stop) = watch::channel(false);
    let supervisor = (config.mode == ExecutionMode::Http).then(|| {
        let supervisor = RuntimeSupervisor {
            config: Arc::clone(&config),
            reaper: Arc::clone(&reaper),
            client: client.clone(),
            log: log.clone(),
            metrics: Arc::clone(&metrics),
            ready: Arc::clone(&ready),
        };
        tokio::spawn(supervisor.run(runtime_stop))
    });

    let (shutdown, shutdown_requested) = watch::channel(false);
    let signal_log = log.clone();
    tokio::spawn(async move {
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        signal_log.info("shutdown requested", &[("signal", name.into())]);
        let _ = shutdown.send(true);
    });

    let server = Arc::new(WarmServer::new(
        Arc::clone(&config),
        reaper,
        client,
        log.clone(),
        metrics,
        ready,
    ));
    server.serve(listener, shutdown_requested).await;
    let _ = stop_runtime.send(true);
    if let Some(supervisor) = supervisor {
        let _ = supervisor.await;
    }
    log.info("stopped", &[]);
    0
}
