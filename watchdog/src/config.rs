//! Configuration: every setting comes from the environment and is read and validated here, once.
//! Variable names and meanings follow the spec ("Variabili d'ambiente iniettate nel pod") plus the
//! additions documented in watchdog/README.md. A bad value is an error naming the variable.

use crate::log::Level;
use crate::parent_death::ParentDeathSignal;
use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the watchdog talks to the function process (the spec's RuntimeMode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecutionMode {
    Http,
    Stdio,
    File,
}

/// What to do with STDIO/FILE output that is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Output must be one JSON value; anything else is `INVALID_OUTPUT`.
    Json,
    /// Output is returned as a JSON string (UTF-8 required; one trailing newline dropped).
    Text,
}

/// Settings that only exist in one-shot (REMOTE / Job) runs.
#[derive(Clone, Debug)]
pub struct OneShotConfig {
    pub execution_id: String,
    /// The InvocationRequest JSON handed to the function, from INVOCATION_PAYLOAD or the file
    /// named by INVOCATION_PAYLOAD_FILE (already wrapped as `{"input": ...}` when it was not an
    /// object with an `input` field).
    pub payload: Vec<u8>,
    /// Base URL; the watchdog posts to `{callback_url}/{execution_id}:complete`. None: print.
    pub callback_url: Option<String>,
    pub callback_token: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub function_name: String,
    pub mode: ExecutionMode,
    /// WATCHDOG_CMD split into argv (shell-like quoting, never run through a shell).
    pub command: Vec<String>,
    pub timeout: Duration,
    pub trace_id: Option<String>,
    /// Some for one-shot runs, None when WARM=true.
    pub one_shot: Option<OneShotConfig>,
    pub host: IpAddr,
    pub port: u16,
    pub runtime_port: u16,
    pub runtime_url: String,
    /// RUNTIME_URL parsed once (it is used on every proxied request).
    pub runtime_uri: hyper::Uri,
    pub health_url: String,
    pub input_file: PathBuf,
    pub output_file: PathBuf,
    pub max_inflight: usize,
    pub max_output_bytes: usize,
    pub max_body_bytes: usize,
    pub output_format: OutputFormat,
    pub health_interval: Duration,
    pub health_timeout: Duration,
    pub kill_grace: Duration,
    pub hosts_file: PathBuf,
    pub resolv_conf: PathBuf,
    pub log_level: Level,
    /// Opt-in: PR_SET_PDEATHSIG at start, so the watchdog stops when its parent dies.
    pub parent_death_signal: Option<ParentDeathSignal>,
}

impl Config {
    pub fn is_warm(&self) -> bool {
        self.one_shot.is_none()
    }
}

/// A configuration problem, always naming the variable at fault.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid configuration: {}: {}",
            self.variable, self.problem
        )
    }
}

impl std::error::Error for ConfigError {}

const MIB: usize = 1024 * 1024;

/// Reads a file's bytes (`std::fs::read`); INVOCATION_PAYLOAD_FILE is read through it.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> io::Result<Vec<u8>>;

/// Reads the whole configuration through `env` (a lookup such as `std::env::var`) and `read_file`,
/// so that it can be tested without touching the process environment or the file system.
pub fn load_config(
    env: &dyn Fn(&str) -> Option<String>,
    read_file: ReadFile<'_>,
) -> Result<Config, ConfigError> {
    let get = |name: &str| env(name).filter(|value| !value.trim().is_empty());

    let warm = match get("WARM") {
        None => false,
        Some(value) => parse_bool("WARM", &value)?,
    };
    let mode = match get("EXECUTION_MODE").as_deref().map(str::trim) {
        None => ExecutionMode::Http,
        Some(value) => parse_mode(value)?,
    };
    let command = parse_command(get("WATCHDOG_CMD"))?;
    let timeout = duration_ms("TIMEOUT_MS", get("TIMEOUT_MS"), 30_000, 1)?;
    let function_name = get("FUNCTION_NAME").unwrap_or_else(|| "function".to_string());
    let trace_id = get("TRACE_ID");

    let one_shot = if warm {
        None
    } else {
        Some(load_one_shot(&get, read_file)?)
    };

    // HOST and PORT are the warm server's: a one-shot run listens on nothing, so it does not
    // read them (a stray HOST=<hostname> in the environment must not break it).
    let (host, port) = if warm {
        (
            parse_host(get("HOST"))?,
            parse_port("PORT", aliased(&get, "PORT", "WARM_PORT")?, 8080, true)?,
        )
    } else {
        (IpAddr::from([0, 0, 0, 0]), 8080)
    };
    let runtime_port = parse_port("RUNTIME_PORT", get("RUNTIME_PORT"), 8081, false)?;
    let runtime_url = match get("RUNTIME_URL") {
        None => format!("http://127.0.0.1:{runtime_port}/invoke"),
        Some(value) => parse_http_url("RUNTIME_URL", &value)?,
    };
    let health_url = match (get("HEALTH_URL"), get("RUNTIME_URL")) {
        (Some(value), _) => parse_http_url("HEALTH_URL", &value)?,
        // The original's images give only RUNTIME_URL: the runtime's /health is beside it.
        (None, Some(_)) => health_url_beside(&runtime_url),
        (None, None) => format!("http://127.0.0.1:{runtime_port}/health"),
    };

    let default_inflight = match mode {
        ExecutionMode::Http => 64,
        ExecutionMode::Stdio | ExecutionMode::File => 1,
    };
    let max_inflight = number("MAX_INFLIGHT", get("MAX_INFLIGHT"), default_inflight, 1)?;
    let max_output_bytes = number("MAX_OUTPUT_BYTES", get("MAX_OUTPUT_BYTES"), 6 * MIB, 1)?;
    let max_body_bytes = number("MAX_BODY_BYTES", get("MAX_BODY_BYTES"), 6 * MIB, 1)?;
    let output_format = match get("OUTPUT_FORMAT").as_deref().map(str::trim) {
        None => OutputFormat::Json,
        Some(value) => match value.to_ascii_lowercase().as_str() {
            "json" => OutputFormat::Json,
            "text" => OutputFormat::Text,
            _ => {
                return Err(ConfigError {
                    variable: "OUTPUT_FORMAT",
                    problem: format!("{value:?} is not one of json, text"),
                })
            }
        },
    };

    let log_level = match get("LOG_LEVEL") {
        None => Level::Info,
        Some(value) => Level::parse(&value).ok_or_else(|| ConfigError {
            variable: "LOG_LEVEL",
            problem: format!("{value:?} is not one of debug, info, warn, error"),
        })?,
    };

    let parent_death_signal = match get("PARENT_DEATH_SIGNAL") {
        None => None,
        Some(value) => Some(ParentDeathSignal::parse(&value).ok_or_else(|| ConfigError {
            variable: "PARENT_DEATH_SIGNAL",
            problem: format!("{value:?} is not one of TERM, INT, KILL"),
        })?),
    };

    Ok(Config {
        log_level,
        parent_death_signal,
        function_name,
        mode,
        command,
        timeout,
        trace_id,
        one_shot,
        host,
        port,
        runtime_port,
        runtime_uri: runtime_url.parse().map_err(|e| ConfigError {
            variable: "RUNTIME_URL",
            problem: format!("{runtime_url:?} is not a URL: {e}"),
        })?,
        runtime_url,
        health_url,
        input_file: PathBuf::from(get("INPUT_FILE").unwrap_or_else(|| "/tmp/input.json".into())),
        output_file: PathBuf::from(get("OUTPUT_FILE").unwrap_or_else(|| "/tmp/output.json".into())),
        max_inflight,
        max_output_bytes,
        max_body_bytes,
        output_format,
        health_interval: duration_ms("HEALTH_INTERVAL_MS", get("HEALTH_INTERVAL_MS"), 50, 1)?,
        health_timeout: duration_ms(
            "HEALTH_TIMEOUT_MS",
            aliased(&get, "HEALTH_TIMEOUT_MS", "READY_TIMEOUT_MS")?,
            10_000,
            1,
        )?,
        kill_grace: duration_ms("KILL_GRACE_MS", get("KILL_GRACE_MS"), 100, 0)?,
        hosts_file: PathBuf::from(get("HOSTS_FILE").unwrap_or_else(|| "/etc/hosts".into())),
        resolv_conf: PathBuf::from(get("RESOLV_CONF").unwrap_or_else(|| "/etc/resolv.conf".into())),
    })
}

fn load_one_shot(
    get: &dyn Fn(&str) -> Option<String>,
    read_file: ReadFile<'_>,
) -> Result<OneShotConfig, ConfigError> {
    let payload = payload::load_payload(get, read_file)?;
    let callback_url = match get("CALLBACK_URL") {
        None => None,
        Some(value) => Some(parse_http_url("CALLBACK_URL", &value)?),
    };
    let execution_id = match get("EXECUTION_ID") {
        Some(id) => id,
        None if callback_url.is_some() => {
            return Err(ConfigError {
                variable: "EXECUTION_ID",
                problem: "is required when CALLBACK_URL is set".into(),
            })
        }
        None => format!("local-{}", crate::random_id::random_id()),
    };
    check_execution_id(&execution_id)?;
    Ok(OneShotConfig {
        execution_id,
        payload,
        callback_url: callback_url.map(|url| url.trim_end_matches('/').to_string()),
        callback_token: get("CALLBACK_TOKEN"),
    })
}

/// An execution id becomes a path segment of the callback URL.
fn check_execution_id(execution_id: &str) -> Result<(), ConfigError> {
    if execution_id.contains(['/', '?', '#', ' ']) {
        return Err(ConfigError {
            variable: "EXECUTION_ID",
            problem: format!("{execution_id:?} must not contain '/', '?', '#' or spaces"),
        });
    }
    Ok(())
}

fn parse_host(value: Option<String>) -> Result<IpAddr, ConfigError> {
    let Some(value) = value else {
        return Ok(IpAddr::from([0, 0, 0, 0]));
    };
    let value = value.trim();
    if value.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    value.parse().map_err(|_| ConfigError {
        variable: "HOST",
        problem: format!("{value:?} is not an IP address (the address the watchdog binds)"),
    })
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError {
            variable,
            problem: format!("{value:?} is not a boolean (true or false)"),
        }),
    }
}

fn parse_mode(value: &str) -> Result<ExecutionMode, ConfigError> {
    match value.to_ascii_uppercase().as_str() {
        "HTTP" => Ok(ExecutionMode::Http),
        "STDIO" => Ok(ExecutionMode::Stdio),
        "FILE" => Ok(ExecutionMode::File),
        _ => Err(ConfigError {
            variable: "EXECUTION_MODE",
            problem: format!("{value:?} is not one of HTTP, STDIO, FILE"),
        }),
    }
}

fn parse_command(value: Option<String>) -> Result<Vec<String>, ConfigError> {
    let value = value.ok_or(ConfigError {
        variable: "WATCHDOG_CMD",
        problem: "is required (the command that runs the function)".into(),
    })?;
    let argv = shlex::split(&value).ok_or_else(|| ConfigError {
        variable: "WATCHDOG_CMD",
        problem: format!("{value:?} has unbalanced quotes or a trailing backslash"),
    })?;
    if argv.is_empty() {
        return Err(ConfigError {
            variable: "WATCHDOG_CMD",
            problem: "is empty".into(),
        });
    }
    Ok(argv)
}

fn number(
    variable: &'static str,
    value: Option<String>,
    default: usize,
    min: usize,
) -> Result<usize, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.trim().parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(ConfigError {
            variable,
            problem: format!("{value:?} is not an integer >= {min}"),
        }),
    }
}

fn duration_ms(
    variable: &'static str,
    value: Option<String>,
    default_ms: u64,
    min_ms: u64,
) -> Result<Duration, ConfigError> {
    let ms = number(variable, value, default_ms as usize, min_ms as usize)?;
    Ok(Duration::from_millis(ms as u64))
}

fn parse_port(
    variable: &'static str,
    value: Option<String>,
    default: u16,
    allow_zero: bool,
) -> Result<u16, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.trim().parse::<u16>() {
        Ok(0) if !allow_zero => Err(ConfigError {
            variable,
            problem: "must be a port between 1 and 65535".into(),
        }),
        Ok(port) => Ok(port),
        Err(_) => Err(ConfigError {
            variable,
            problem: format!("{value:?} is not a port number"),
        }),
    }
}

/// Only plain `http://` is supported: the binary carries no TLS stack, and inside a cluster the
/// control plane and the runtime are reached over plain HTTP.
/// A setting that the original nanofaas spells `alias`: either name works; both with different
/// values is an error naming both.
fn aliased(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    alias: &'static str,
) -> Result<Option<String>, ConfigError> {
    match (get(name), get(alias)) {
        (Some(value), Some(other)) if value.trim() != other.trim() => Err(ConfigError {
            variable: name,
            problem: format!(
                "is {value:?} but its alias {alias} is {other:?}; set one of {name} and {alias}"
            ),
        }),
        (Some(value), _) | (None, Some(value)) => Ok(Some(value)),
        (None, None) => Ok(None),
    }
}

/// `http://host:port/anything` → `http://host:port/health`.
fn health_url_beside(runtime_url: &str) -> String {
    let after_scheme = runtime_url.find("://").map_or(0, |i| i + 3);
    let authority_end = runtime_url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(runtime_url.len(), |i| after_scheme + i);
    format!("{}/health", &runtime_url[..authority_end])
}

fn parse_http_url(variable: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    let uri: hyper::Uri = value.parse().map_err(|e| ConfigError {
        variable,
        problem: format!("{value:?} is not a URL: {e}"),
    })?;
    if uri.scheme_str() != Some("http") {
        return Err(ConfigError {
            variable,
            problem: format!("{value:?} must start with http:// (https is not supported)"),
        });
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(ConfigError {
            variable,
            problem: format!("{value:?} has no host"),
        });
    }
    Ok(value.to_string())
}

mod failure_callback;
mod payload;
#[cfg(test)]
mod tests;

pub use failure_callback::{failure_callback, FailureCallback};
