//! STDIO mode: the InvocationRequest goes to the process's stdin, its stdout is the result.

use crate::config::Config;
use crate::error::InvocationError;
use crate::invocation::{interpret_output, Invocation, Output};
use crate::process::{Reaper, SpawnSpec};
use crate::run::{run_child, Stdout};
use std::sync::Arc;

pub async fn invoke_stdio(
    config: &Config,
    reaper: &Arc<Reaper>,
    invocation: &Invocation,
) -> Result<Output, InvocationError> {
    let mut child = reaper
        .spawn_function(SpawnSpec {
            argv: &config.command,
            env: invocation.child_env(config),
            stdin: true,
            die_with_watchdog: false,
        })
        .await?;
    let finished = run_child(
        &mut child,
        Some(invocation.payload.clone()),
        Stdout::Capture {
            max_bytes: config.max_output_bytes,
        },
        invocation,
        config.kill_grace,
    )
    .await?;
    interpret_output(
        finished.status,
        &finished.stdout,
        &finished.stderr_tail,
        config.output_format,
    )
}
