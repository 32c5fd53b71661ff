//! Child processes: spawning in their own process group, reaping, and killing whole groups.
//!
//! The watchdog is PID 1 of its container, and also registers itself as a child subreaper, so
//! every orphan of a function's process tree ends up as its child. One reaper owns `waitpid(-1)`:
//! it reaps everything (no zombies, ever) and hands exit statuses to the `Child` that waits for
//! them. When a function's main process exits, the reaper kills what is left of its group.

use crate::error::{ErrorCode, InvocationError};
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::Duration;
use tokio::net::unix::pipe;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Code(i32),
    Signal(i32),
}

impl ExitStatus {
    pub fn success(self) -> bool {
        self == ExitStatus::Code(0)
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Code(code) => write!(f, "exit code {code}"),
            ExitStatus::Signal(signal) => write!(f, "signal {signal} ({})", signal_name(*signal)),
        }
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// What to start and with which extra environment.
pub struct SpawnSpec<'a> {
    pub argv: &'a [String],
    pub env: Vec<(&'static str, String)>,
    /// Pipe stdin (STDIO mode) or give the child /dev/null.
    pub stdin: bool,
    /// SIGKILL the child if the watchdog itself dies (PR_SET_PDEATHSIG), for long-lived runtimes.
    /// Not used per invocation: it needs fork instead of the cheaper posix_spawn, and short-lived
    /// children are bounded by their timeout anyway.
    pub die_with_watchdog: bool,
}

/// Environment variables of the watchdog that the function must not see: the callback secret and
/// the one-shot payload (the function gets the payload on stdin, in a file or over HTTP).
const PRIVATE_ENV: &[&str] = &[
    "CALLBACK_TOKEN",
    "INVOCATION_PAYLOAD",
    "INVOCATION_PAYLOAD_FILE",
    "CALLBACK_URL",
];

pub struct Reaper {
    children: Mutex<Children>,
    /// A SIGCHLD arrived while the lock was held, or an exit was left for a spawn in progress:
    /// whoever releases the lock next reaps.
    pending: AtomicBool,
}

#[derive(Default)]
struct Children {
    waiters: HashMap<i32, oneshot::Sender<ExitStatus>>,
    /// Spawns in progress, whose pids are not in `waiters` yet.
    spawning: usize,
}

impl Reaper {
    /// Becomes a child subreaper and starts reaping on SIGCHLD. Needs a tokio runtime.
    pub fn start() -> io::Result<Arc<Reaper>> {
        // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag on this process.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
        let mut sigchld = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child())?;
        let reaper = Arc::new(Reaper {
            children: Mutex::new(Children::default()),
            pending: AtomicBool::new(false),
        });
        let task_reaper = Arc::clone(&reaper);
        tokio::spawn(async move {
            loop {
                task_reaper.reap_all();
                if sigchld.recv().await.is_none() {
                    return;
                }
            }
        });
        Ok(reaper)
    }

    fn reap_all(&self) {
        // Never block the runtime thread behind a spawn in progress: leave a note instead, which
        // the spawner acts on as soon as it releases the lock.
        self.pending.store(true, Ordering::SeqCst);
        let mut children = match self.children.try_lock() {
            Ok(children) => children,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        self.pending.store(false, Ordering::SeqCst);
        while let Some(pid) = exited_child(libc::P_ALL, 0) {
            if children.spawning > 0 && !children.waiters.contains_key(&pid) {
                // Perhaps the child of a spawn still in progress (or std waiting for it after a
                // failed exec): left a zombie, so its pid cannot be reused, until that spawn has
                // registered it and reaps again. Known children are reaped meanwhile.
                self.pending.store(true, Ordering::SeqCst);
                let known: Vec<i32> = children.waiters.keys().copied().collect();
                for pid in known {
                    if exited_child(libc::P_PID, pid as libc::id_t).is_some() {
                        reap(&mut children, pid);
                    }
                }
                return;
            }
            reap(&mut children, pid);
        }
    }

    /// Starts the function's command; a command that cannot start is the invocation's
    /// `SPAWN_FAILED` error, with the reason in words.
    pub async fn spawn_function(
        self: &Arc<Self>,
        spec: SpawnSpec<'_>,
    ) -> Result<Child, InvocationError> {
        let argv = spec.argv;
        self.spawn(spec).await.map_err(|e| {
            InvocationError::new(ErrorCode::SpawnFailed, describe_spawn_error(&argv[0], &e))
        })
    }

    /// Starts `spec.argv` in a new process group with piped stdout and stderr.
    ///
    /// The spawn itself runs on a blocking thread: posix_spawn suspends its caller until the
    /// child has exec'd, and the runtime thread has other requests to serve meanwhile.
    pub async fn spawn(self: &Arc<Self>, spec: SpawnSpec<'_>) -> io::Result<Child> {
        let inline = spec.die_with_watchdog;
        let command = build_command(spec);
        let spawned = if inline {
            // PR_SET_PDEATHSIG fires when the *thread* that spawned the child exits, and pool
            // threads come and go: long-lived runtimes are spawned from the runtime thread.
            self.spawn_process(command)
        } else {
            let reaper = Arc::clone(self);
            tokio::task::spawn_blocking(move || reaper.spawn_process(command))
                .await
                .map_err(io::Error::other)?
        };
        let mut spawned = spawned?;
        // Reaped by the reaper's waitpid(-1), not by std's wait().
        #[allow(clippy::zombie_processes)]
        let mut child = spawned.child.take().expect("a new spawn holds its child");
        let stdin = child
            .stdin
            .take()
            .map(|s| pipe::Sender::from_owned_fd(s.into()));
        let stdout = child
            .stdout
            .take()
            .map(|s| pipe::Receiver::from_owned_fd(s.into()));
        let stderr = child
            .stderr
            .take()
            .map(|s| pipe::Receiver::from_owned_fd(s.into()));
        let (stdin, stdout, stderr) =
            (stdin.transpose()?, stdout.transpose()?, stderr.transpose()?);
        Ok(Child {
            pid: spawned.pid,
            stdin,
            stdout,
            stderr,
            exit: spawned.exit.take(),
            status: None,
            reaper: Arc::clone(self),
        })
    }

    fn spawn_process(self: &Arc<Self>, mut command: Command) -> io::Result<Spawned> {
        // Spawns run outside the lock, several at once (posix_spawn holds its thread until the
        // child has exec'd, and one spawn at a time left cores idle in STDIO mode); while any is
        // in progress the reaper leaves unknown exits alone (see reap_all), so it cannot reap
        // this pid before its waiter is registered, nor race std's waitpid on a failed exec.
        self.lock_children().spawning += 1;
        let spawned = command.spawn();
        let mut children = self.lock_children();
        children.spawning -= 1;
        let result = spawned.map(|child| {
            let pid = child.id() as i32;
            let (sender, exit) = oneshot::channel();
            children.waiters.insert(pid, sender);
            Spawned {
                pid,
                child: Some(child),
                exit: Some(exit),
                reaper: Arc::clone(self),
            }
        });
        drop(children);
        if self.pending.swap(false, Ordering::SeqCst) {
            self.reap_all();
        }
        result
    }

    fn lock_children(&self) -> std::sync::MutexGuard<'_, Children> {
        self.children.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// SIGKILL to the group of `pid` unless its main process has already exited. The lock keeps
    /// the reaper from reaping (and the pid from being reused) in between.
    fn kill_unless_exited(&self, pid: i32, exit: &mut oneshot::Receiver<ExitStatus>) {
        let children = self.lock_children();
        if exit.try_recv().is_err() {
            kill_group(pid, libc::SIGKILL);
        }
        drop(children);
        if self.pending.swap(false, Ordering::SeqCst) {
            self.reap_all();
        }
    }
}

/// Reaps `pid`, which has exited, and hands its status to its waiter. A child of ours has its
/// group killed first (whatever it left running goes with it), while it is still a zombie, so
/// the group id cannot have been reused; an orphan inherited as subreaper is only reaped.
fn reap(children: &mut Children, pid: i32) {
    let waiter = children.waiters.remove(&pid);
    if waiter.is_some() {
        kill_group(pid, libc::SIGKILL);
    }
    let mut status: libc::c_int = 0;
    // SAFETY: waitpid on a child that has exited, non-blocking.
    if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } != pid {
        return;
    }
    let exit = if libc::WIFSIGNALED(status) {
        ExitStatus::Signal(libc::WTERMSIG(status))
    } else {
        ExitStatus::Code(libc::WEXITSTATUS(status))
    };
    if let Some(waiter) = waiter {
        let _ = waiter.send(exit);
    }
}

/// The pid of a child (`P_ALL`, or the one `P_PID` names) that has exited, without reaping it
/// (waitid with WNOWAIT: it stays a zombie).
fn exited_child(id_type: libc::idtype_t, id: libc::id_t) -> Option<i32> {
    // SAFETY: siginfo_t is plain data; waitid fills it or leaves si_pid 0 (WNOHANG, none exited).
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: waitid, non-blocking, WNOWAIT: the child stays waitable.
    let rc = unsafe {
        libc::waitid(
            id_type,
            id,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    // SAFETY: si_pid is valid for the SIGCHLD siginfo waitid returns.
    let pid = unsafe { info.si_pid() };
    (rc == 0 && pid > 0).then_some(pid)
}

/// A process just spawned, before its pipes join the event loop. If the invocation is cancelled
/// while the spawn runs on the blocking thread, this is dropped instead of becoming a `Child`,
/// and it kills the process group all the same.
struct Spawned {
    pid: i32,
    child: Option<std::process::Child>,
    exit: Option<oneshot::Receiver<ExitStatus>>,
    reaper: Arc<Reaper>,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(exit) = self.exit.as_mut() {
            self.reaper.kill_unless_exited(self.pid, exit);
        }
    }
}

fn build_command(spec: SpawnSpec<'_>) -> Command {
    let mut command = Command::new(&spec.argv[0]);
    command
        .args(&spec.argv[1..])
        .process_group(0)
        .stdin(if spec.stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in PRIVATE_ENV {
        command.env_remove(name);
    }
    for (name, value) in &spec.env {
        command.env(name, value);
    }
    if spec.die_with_watchdog {
        // SAFETY: only prctl, which is async-signal-safe, runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                Ok(())
            });
        }
    }
    command
}

/// A running (or finished) child and its process group. Dropping it kills the group if the main
/// process has not exited, so a cancelled invocation never leaves a process behind.
pub struct Child {
    pub pid: i32,
    pub stdin: Option<pipe::Sender>,
    pub stdout: Option<pipe::Receiver>,
    pub stderr: Option<pipe::Receiver>,
    exit: Option<oneshot::Receiver<ExitStatus>>,
    status: Option<ExitStatus>,
    reaper: Arc<Reaper>,
}

impl Child {
    /// Waits for the main process to exit (cancel-safe).
    pub async fn wait(&mut self) -> ExitStatus {
        if let Some(status) = self.status {
            return status;
        }
        let receiver = self
            .exit
            .as_mut()
            .expect("exit receiver present until exit");
        // The sender lives in the reaper's map until the pid is reaped, so this cannot fail
        // while the reaper runs; treat a dropped sender as a kill.
        let status = receiver.await.unwrap_or(ExitStatus::Signal(libc::SIGKILL));
        self.exit = None;
        self.status = Some(status);
        status
    }

    /// Sends `signal` to the whole group while the main process is alive.
    pub fn signal_group(&self, signal: i32) {
        if self.status.is_none() {
            kill_group(self.pid, signal);
        }
    }

    /// SIGTERM to the group, SIGKILL after `grace` if the main process is still there.
    pub async fn terminate(&mut self, grace: Duration) -> ExitStatus {
        if let Some(status) = self.status {
            return status;
        }
        self.signal_group(libc::SIGTERM);
        if let Ok(status) = tokio::time::timeout(grace, self.wait()).await {
            return status;
        }
        self.signal_group(libc::SIGKILL);
        self.wait().await
    }

    /// SIGKILL to the group right away.
    pub async fn kill(&mut self) -> ExitStatus {
        self.signal_group(libc::SIGKILL);
        self.wait().await
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        if let Some(exit) = self.exit.as_mut() {
            self.reaper.kill_unless_exited(self.pid, exit);
        }
    }
}

fn kill_group(pgid: i32, signal: i32) {
    // SAFETY: kill(2) on a negative pid signals a process group; ESRCH (gone) is fine.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// The absolute path of `program` found on `path` (a PATH value), when it has no `/` and an
/// executable file of that name exists; else `program` unchanged. Done once at start-up so each
/// spawn does not walk PATH with failing execve calls (and a missing command still fails, with a
/// clear SPAWN_FAILED, at invocation time).
pub fn resolve_program(program: &str, path: Option<&str>) -> String {
    use std::os::unix::fs::PermissionsExt;
    if program.contains('/') {
        return program.to_string();
    }
    for dir in path
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
    {
        let candidate = std::path::Path::new(dir).join(program);
        if let Ok(metadata) = std::fs::metadata(&candidate) {
            if metadata.is_file() && metadata.permissions().mode() & 0o111 != 0 {
                return candidate.display().to_string();
            }
        }
    }
    program.to_string()
}

/// Human-readable reason a command could not be started.
fn describe_spawn_error(argv0: &str, error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => format!("command not found: {argv0:?}"),
        io::ErrorKind::PermissionDenied => format!("command is not executable: {argv0:?}"),
        _ => format!("cannot start {argv0:?}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_resolved_on_path_once() {
        let path = std::env::var("PATH").ok();
        let cat = resolve_program("cat", path.as_deref());
        assert!(cat.starts_with('/') && cat.ends_with("/cat"), "{cat}");
        assert_eq!(resolve_program("./run.sh", path.as_deref()), "./run.sh");
        assert_eq!(
            resolve_program("no-such-program-xyz", path.as_deref()),
            "no-such-program-xyz"
        );
    }
}
