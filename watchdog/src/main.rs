//! nanofaas watchdog: the entrypoint of function containers. It reads its configuration from the
//! environment, runs the function (HTTP runtime, STDIO or FILE process) one-shot or warm, and
//! supervises every process it starts. See watchdog/README.md.

mod app;
mod callback;
mod client;
mod config;
mod dns;
mod error;
mod file;
mod http;
mod invocation;
mod invocation_request;
mod json_scan;
mod log;
mod metrics;
mod oneshot;
mod output;
mod parent_death;
mod process;
mod random_id;
mod request_shape;
mod resolver;
mod run;
mod server;
mod stdio;
mod supervisor;

/// Exit code for a configuration error.
const EXIT_CONFIG: i32 = 2;

/// Exit code when the watchdog itself cannot start.
const EXIT_STARTUP_FAILED: i32 = 4;

const USAGE: &str = "usage: watchdog [--version | --help]

The nanofaas watchdog runs a function and supervises it; it is configured by environment
variables only (see watchdog/README.md). WARM=true serves POST /invoke on PORT (alias WARM_PORT);
otherwise it runs INVOCATION_PAYLOAD once and reports to CALLBACK_URL. EXECUTION_MODE is HTTP
(WATCHDOG_CMD starts a runtime), STDIO or FILE (WATCHDOG_CMD runs once per invocation).
";

fn main() {
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("--version" | "-V") => {
            println!("watchdog {}", env!("CARGO_PKG_VERSION"));
            return;
        }
        Some("--help" | "-h") => {
            print!("{USAGE}");
            return;
        }
        Some(other) => {
            eprint!("watchdog: unknown argument {other:?}\n{USAGE}");
            std::process::exit(EXIT_CONFIG);
        }
    }
    let parent = parent_death::parent_pid();
    let config = match config::load_config(&|name| std::env::var(name).ok(), &|path| {
        std::fs::read(path)
    }) {
        Ok(config) => config,
        Err(error) => {
            let log = log::LogContext::new(
                &std::env::var("FUNCTION_NAME").unwrap_or_default(),
                log::Level::Info,
            );
            log.error(&error.to_string(), &[("variable", error.variable.into())]);
            if let Some(target) = config::failure_callback(&|name| std::env::var(name).ok()) {
                oneshot::report_config_error(target, &error, &log);
            }
            std::process::exit(EXIT_CONFIG);
        }
    };
    if let Some(signal) = config.parent_death_signal {
        let log = log::LogContext::new(&config.function_name, config.log_level);
        if let Err(error) = parent_death::arm(signal, parent, &log) {
            log.error(
                "cannot arm PARENT_DEATH_SIGNAL",
                &[("error", error.to_string().into())],
            );
            std::process::exit(EXIT_STARTUP_FAILED);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Only process spawns use blocking threads: two at once (posix_spawn holds its thread
        // until the child has exec'd).
        .max_blocking_threads(2)
        .build()
        .expect("a single-threaded tokio runtime can always be built");
    let code = runtime.block_on(app::run(config));
    // Dropping the runtime cancels leftover tasks; their children are killed as they drop.
    drop(runtime);
    std::process::exit(code);
}
