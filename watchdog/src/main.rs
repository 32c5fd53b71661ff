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
mod log;
mod metrics;
mod oneshot;
mod output;
mod process;
mod resolver;
mod run;
mod server;
mod stdio;
mod supervisor;

/// Exit code for a configuration error.
const EXIT_CONFIG: i32 = 2;

fn main() {
    let config = match config::load_config(&|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(error) => {
            log::LogContext::new(
                &std::env::var("FUNCTION_NAME").unwrap_or_default(),
                log::Level::Error,
            )
            .error(&error.to_string(), &[("variable", error.variable.into())]);
            std::process::exit(EXIT_CONFIG);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Only process spawns use blocking threads; they are serialized by the reaper's lock.
        .max_blocking_threads(2)
        .build()
        .expect("a single-threaded tokio runtime can always be built");
    let code = runtime.block_on(app::run(config));
    // Dropping the runtime cancels leftover tasks; their children are killed as they drop.
    drop(runtime);
    std::process::exit(code);
}
