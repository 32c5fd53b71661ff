//! PARENT_DEATH_SIGNAL: a watchdog started by a supervisor on the same machine (the control
//! plane's local backend) asks the kernel, with prctl(2) PR_SET_PDEATHSIG, for a signal when that
//! supervisor dies, so a `kill -9` of the supervisor does not leave the watchdog running.

use crate::log::LogContext;
use std::io;

/// PARENT_DEATH_SIGNAL: the signal the kernel sends the watchdog when its parent process dies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentDeathSignal {
    /// Drain and exit, as on `kill -TERM` (warm); one-shot runs finish their invocation.
    Term,
    /// Warm: the same as `Term`; one-shot: the run ends at once (one-shot runs only catch SIGTERM).
    Int,
    /// Die at once; the warm HTTP runtime follows (it has its own parent-death SIGKILL).
    Kill,
}

impl ParentDeathSignal {
    pub fn parse(value: &str) -> Option<ParentDeathSignal> {
        let upper = value.trim().to_ascii_uppercase();
        match upper.strip_prefix("SIG").unwrap_or(&upper) {
            "TERM" => Some(ParentDeathSignal::Term),
            "INT" => Some(ParentDeathSignal::Int),
            "KILL" => Some(ParentDeathSignal::Kill),
            _ => None,
        }
    }

    pub fn number(self) -> i32 {
        match self {
            ParentDeathSignal::Term => libc::SIGTERM,
            ParentDeathSignal::Int => libc::SIGINT,
            ParentDeathSignal::Kill => libc::SIGKILL,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ParentDeathSignal::Term => "SIGTERM",
            ParentDeathSignal::Int => "SIGINT",
            ParentDeathSignal::Kill => "SIGKILL",
        }
    }
}

/// The pid of the watchdog's parent, read first thing in `main`: the check in `arm` compares
/// against it (reading it later would miss a parent that died in between).
pub fn parent_pid() -> i32 {
    // SAFETY: getppid(2) has no preconditions and cannot fail.
    unsafe { libc::getppid() }
}

/// Arms the parent-death signal. The kernel only sends it for a parent that dies *after* the
/// prctl, so when the parent is already gone (the watchdog was re-parented to init or a
/// subreaper), the signal is raised here, as if it had come.
pub fn arm(signal: ParentDeathSignal, original_parent: i32, log: &LogContext) -> io::Result<()> {
    // SAFETY: prctl with PR_SET_PDEATHSIG only sets a property of this process.
    if unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            signal.number() as libc::c_ulong,
            0,
            0,
            0,
        )
    } != 0
    {
        return Err(io::Error::last_os_error());
    }
    if parent_pid() != original_parent {
        log.warn(
            "the parent process already exited",
            &[
                ("parent", original_parent.into()),
                ("signal", signal.name().into()),
            ],
        );
        // SAFETY: kill(2) on our own pid.
        unsafe {
            libc::kill(libc::getpid(), signal.number());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Level;

    /// Runs `arm` in a forked child that believes its parent was `original_parent`; returns how
    /// the child ended (the raw wait status).
    fn arm_in_child(signal: ParentDeathSignal, original_parent: i32) -> libc::c_int {
        // Built before fork: the child only makes system calls (the log line is below its level).
        let log = LogContext::new("test", Level::Error);
        // SAFETY: the child calls only prctl, getppid, kill and _exit, which are fork-safe.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = if arm(signal, original_parent, &log).is_ok() {
                0
            } else {
                1
            };
            // SAFETY: leave the child without running the test harness's destructors.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for the child forked above.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        status
    }

    #[test]
    fn a_parent_that_is_still_there_lets_the_watchdog_run() {
        let status = arm_in_child(ParentDeathSignal::Term, std::process::id() as i32);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    }

    #[test]
    fn a_parent_that_died_before_the_prctl_raises_the_signal_at_once() {
        // 1 stands for a parent that is gone: the child's real parent is this test process.
        let status = arm_in_child(ParentDeathSignal::Term, 1);
        assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGTERM);
    }
}
