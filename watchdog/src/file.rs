//! FILE mode: the InvocationRequest is written to INPUT_FILE before the process starts, and the
//! result is read from OUTPUT_FILE after it exits. The process's stdout is only logged.

use crate::config::Config;
use crate::error::{ErrorCode, InvocationError};
use crate::invocation::{interpret_output, Invocation, Output};
use crate::process::{Reaper, SpawnSpec};
use crate::run::{run_child, Stdout};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The input/output files of one invocation.
#[derive(Clone, Debug)]
pub struct FilePair {
    pub input: PathBuf,
    pub output: PathBuf,
}

impl FilePair {
    /// One-shot runs use INPUT_FILE/OUTPUT_FILE as they are.
    pub fn configured(config: &Config) -> Self {
        FilePair {
            input: config.input_file.clone(),
            output: config.output_file.clone(),
        }
    }

    /// Warm runs get a fresh pair per invocation next to the configured files, so concurrent
    /// invocations (and several watchdogs on one machine) never share a file:
    /// `/tmp/input.json` becomes `/tmp/input-<pid>-<sequence>.json`.
    pub fn unique(config: &Config, sequence: u64) -> Self {
        let suffix = format!("{}-{sequence}", std::process::id());
        FilePair {
            input: with_suffix(&config.input_file, &suffix),
            output: with_suffix(&config.output_file, &suffix),
        }
    }

    fn remove(&self) {
        let _ = std::fs::remove_file(&self.input);
        let _ = std::fs::remove_file(&self.output);
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = match (stem, path.extension()) {
        (Some(stem), Some(ext)) => format!("{stem}-{suffix}.{}", ext.to_string_lossy()),
        (Some(stem), None) => format!("{stem}-{suffix}"),
        (None, _) => format!("watchdog-{suffix}"),
    };
    path.with_file_name(name)
}

pub async fn invoke_file(
    config: &Config,
    reaper: &Arc<Reaper>,
    invocation: &Invocation,
    files: &FilePair,
) -> Result<Output, InvocationError> {
    let result = run_with_files(config, reaper, invocation, files).await;
    files.remove();
    result
}

async fn run_with_files(
    config: &Config,
    reaper: &Arc<Reaper>,
    invocation: &Invocation,
    files: &FilePair,
) -> Result<Output, InvocationError> {
    // A stale output file from an earlier run must never be mistaken for this run's result.
    let _ = std::fs::remove_file(&files.output);
    std::fs::write(&files.input, &invocation.payload).map_err(|e| {
        InvocationError::new(
            ErrorCode::SpawnFailed,
            format!("cannot write INPUT_FILE {}: {e}", files.input.display()),
        )
    })?;

    let mut env = invocation.child_env(config);
    env.push(("INPUT_FILE", files.input.display().to_string()));
    env.push(("OUTPUT_FILE", files.output.display().to_string()));
    let mut child = reaper
        .spawn_function(SpawnSpec {
            argv: &config.command,
            env,
            stdin: false,
            die_with_watchdog: false,
        })
        .await?;
    let finished = run_child(&mut child, None, Stdout::Log, invocation, config.kill_grace).await?;

    let output = match read_output(&files.output, config.max_output_bytes) {
        Ok(bytes) => bytes,
        Err(ReadOutputError::TooLarge) => {
            return Err(InvocationError::new(
                ErrorCode::OutputTooLarge,
                "OUTPUT_FILE exceeds MAX_OUTPUT_BYTES",
            ))
        }
        Err(ReadOutputError::Missing) if finished.status.success() => {
            return Err(InvocationError::new(
                ErrorCode::InvalidOutput,
                format!(
                    "function exited 0 but did not write OUTPUT_FILE {}",
                    files.output.display()
                ),
            ))
        }
        Err(ReadOutputError::Missing) => Vec::new(),
        Err(ReadOutputError::Io(e)) => {
            return Err(InvocationError::new(
                ErrorCode::InvalidOutput,
                format!("cannot read OUTPUT_FILE {}: {e}", files.output.display()),
            ))
        }
    };
    interpret_output(
        finished.status,
        &output,
        &finished.stderr_tail,
        config.output_format,
    )
}

enum ReadOutputError {
    Missing,
    TooLarge,
    Io(io::Error),
}

fn read_output(path: &Path, max_bytes: usize) -> Result<Vec<u8>, ReadOutputError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ReadOutputError::Missing),
        Err(e) => return Err(ReadOutputError::Io(e)),
    };
    if metadata.len() > max_bytes as u64 {
        return Err(ReadOutputError::TooLarge);
    }
    let bytes = std::fs::read(path).map_err(ReadOutputError::Io)?;
    if bytes.len() > max_bytes {
        return Err(ReadOutputError::TooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_pairs_keep_directory_and_extension() {
        let path = with_suffix(Path::new("/tmp/input.json"), "7-3");
        assert_eq!(path, PathBuf::from("/tmp/input-7-3.json"));
        let path = with_suffix(Path::new("/work/out"), "7-3");
        assert_eq!(path, PathBuf::from("/work/out-7-3"));
    }
}
