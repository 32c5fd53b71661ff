//! Test harness: runs the real watchdog binary with real children, talks HTTP over loopback with a
//! tiny blocking client, and receives callbacks on a real local HTTP server.
#![allow(dead_code)]

mod net;
pub use net::*;

use serde_json::Value;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub const WATCHDOG: &str = env!("CARGO_BIN_EXE_watchdog");

/// Generous bound for anything that should happen "soon" on a loaded 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("watchdog-test-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes an executable script and returns its path.
    pub fn script(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    pub fn list(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running watchdog process; killed (with its group) on drop.
pub struct Watchdog {
    pub child: Child,
    pub stderr_path: PathBuf,
    pub port: u16,
}

pub fn command(env: &[(&str, &str)], log_dir: &TempDir) -> (Command, PathBuf) {
    let stderr_path = log_dir.path(&format!("watchdog-{}.log", next_id()));
    let mut command = Command::new(WATCHDOG);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOSTS_FILE", "/nonexistent-hosts")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    for (name, value) in env {
        command.env(name, value);
    }
    (command, stderr_path)
}

pub fn next_id() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// The result of a one-shot run.
pub struct Finished {
    pub code: i32,
    pub stdout: String,
    pub log: String,
}

impl Finished {
    pub fn stdout_json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nlog:\n{}",
                self.stdout, self.log
            )
        })
    }

    pub fn log_lines(&self) -> Vec<Value> {
        parse_log(&self.log)
    }
}

pub fn parse_log(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"))
        })
        .collect()
}

/// Runs a one-shot watchdog to completion (bounded by PATIENCE plus its own timeout).
pub fn run_one_shot(env: &[(&str, &str)], dir: &TempDir) -> Finished {
    let (mut command, stderr_path) = command(env, dir);
    let mut child = command.spawn().unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let deadline = Instant::now() + PATIENCE + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("one-shot watchdog did not exit");
        }
        thread::sleep(Duration::from_millis(20));
    };
    Finished {
        code: status.code().unwrap_or(-1),
        stdout,
        log: std::fs::read_to_string(stderr_path).unwrap(),
    }
}

impl Watchdog {
    /// Starts a warm watchdog on an ephemeral port (PORT=0) and waits for its "listening" line.
    pub fn start(env: &[(&str, &str)], dir: &TempDir) -> Watchdog {
        let mut env = env.to_vec();
        env.push(("WARM", "true"));
        env.push(("PORT", "0"));
        env.push(("HOST", "127.0.0.1"));
        let (mut command, stderr_path) = command(&env, dir);
        let child = command.spawn().unwrap();
        let mut watchdog = Watchdog {
            child,
            stderr_path,
            port: 0,
        };
        let deadline = Instant::now() + PATIENCE;
        while watchdog.port == 0 {
            for line in parse_log(&watchdog.log_text()) {
                if line["msg"] == "listening" {
                    watchdog.port = line["port"].as_u64().unwrap() as u16;
                }
            }
            assert!(
                Instant::now() < deadline,
                "watchdog did not start listening"
            );
            assert!(
                watchdog.child.try_wait().unwrap().is_none(),
                "watchdog exited: {}",
                watchdog.log_text()
            );
            thread::sleep(Duration::from_millis(10));
        }
        watchdog
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn log_lines(&self) -> Vec<Value> {
        parse_log(&self.log_text())
    }

    pub fn get(&self, path: &str) -> HttpResponse {
        http_request(self.port, "GET", path, &[], b"")
    }

    pub fn invoke(&self, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        http_request(self.port, "POST", "/invoke", headers, body.as_bytes())
    }

    /// Waits until GET /health answers 200.
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.get("/health").status == 200 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never ready: {}",
                self.log_text()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(self.pid(), signal) }, 0);
    }

    /// Waits for the watchdog to exit and returns its exit code.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + PATIENCE + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "watchdog did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Children of the watchdog that are zombies (exited but not reaped).
    pub fn zombie_children(&self) -> Vec<i32> {
        children_of(self.pid())
            .into_iter()
            .filter(|pid| process_state(*pid) == Some('Z'))
            .collect()
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Pids whose parent is `parent`.
pub fn children_of(parent: i32) -> Vec<i32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Some(stat) = read_stat(pid) {
            if stat.1 == parent {
                children.push(pid);
            }
        }
    }
    children
}

/// (state, ppid) from /proc/<pid>/stat.
fn read_stat(pid: i32) -> Option<(char, i32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 2..];
    let mut fields = after.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

pub fn process_state(pid: i32) -> Option<char> {
    read_stat(pid).map(|s| s.0)
}

/// True while `pid` is a live (non-zombie) process.
pub fn is_running(pid: i32) -> bool {
    matches!(process_state(pid), Some(state) if state != 'Z' && state != 'X')
}

/// Waits until `pid` no longer runs.
pub fn assert_gone(pid: i32) {
    let deadline = Instant::now() + PATIENCE;
    while is_running(pid) {
        assert!(Instant::now() < deadline, "process {pid} is still running");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `path` exists and returns its content.
pub fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.is_empty() {
                return text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        thread::sleep(Duration::from_millis(10));
    }
}
