//! PARENT_DEATH_SIGNAL: a watchdog whose parent process is killed (`kill -9`) stops on its own.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A shell that starts a warm STDIO watchdog in the background and waits: the watchdog's parent.
struct Parent {
    shell: Child,
    watchdog_pid: i32,
    log_path: std::path::PathBuf,
}

impl Parent {
    fn start(extra_env: &[(&str, &str)], dir: &TempDir) -> Parent {
        let log_path = dir.path(&format!("watchdog-{}.log", next_id()));
        let mut command = Command::new("sh");
        command
            .args(["-c", "\"$0\" & echo $!; wait", WATCHDOG])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOSTS_FILE", "/nonexistent-hosts")
            .env("WARM", "true")
            .env("HOST", "127.0.0.1")
            .env("PORT", "0")
            .env("EXECUTION_MODE", "STDIO")
            .env("WATCHDOG_CMD", "cat")
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log_path).unwrap());
        let mut shell = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(shell.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let watchdog_pid = line.trim().parse().unwrap();
        let parent = Parent {
            shell,
            watchdog_pid,
            log_path,
        };
        let deadline = Instant::now() + PATIENCE;
        while !parent.messages().iter().any(|msg| msg == "listening") {
            assert!(
                Instant::now() < deadline,
                "watchdog did not start listening"
            );
            thread::sleep(Duration::from_millis(10));
        }
        parent
    }

    fn log_lines(&self) -> Vec<serde_json::Value> {
        parse_log(&std::fs::read_to_string(&self.log_path).unwrap_or_default())
    }

    fn messages(&self) -> Vec<String> {
        self.log_lines()
            .iter()
            .map(|line| line["msg"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn kill_parent(&mut self) {
        self.shell.kill().unwrap();
        self.shell.wait().unwrap();
    }
}

impl Drop for Parent {
    fn drop(&mut self) {
        let _ = self.shell.kill();
        let _ = self.shell.wait();
        if is_running(self.watchdog_pid) {
            // SAFETY: kill(2) on the watchdog this test started (re-parented, so not ours to reap).
            unsafe {
                libc::kill(self.watchdog_pid, libc::SIGKILL);
            }
        }
    }
}

#[test]
fn with_parent_death_signal_term_the_watchdog_drains_and_exits_when_its_parent_is_killed() {
    let dir = TempDir::new("pdeath-term");
    let mut parent = Parent::start(&[("PARENT_DEATH_SIGNAL", "TERM")], &dir);
    assert!(is_running(parent.watchdog_pid));
    parent.kill_parent();
    assert_gone(parent.watchdog_pid);
    let lines = parent.log_lines();
    assert!(
        lines
            .iter()
            .any(|line| line["msg"] == "shutdown requested" && line["signal"] == "SIGTERM"),
        "{lines:?}"
    );
    assert_eq!(
        parent.messages().last().map(String::as_str),
        Some("stopped")
    );
}

#[test]
fn without_parent_death_signal_the_watchdog_outlives_its_parent() {
    let dir = TempDir::new("pdeath-off");
    let mut parent = Parent::start(&[], &dir);
    parent.kill_parent();
    // Nothing is expected to happen; give a signal time to arrive if one were sent.
    thread::sleep(Duration::from_millis(500));
    assert!(is_running(parent.watchdog_pid), "{:?}", parent.messages());
}
