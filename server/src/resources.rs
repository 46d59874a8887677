//! Process-wide settings made once at start: the descriptor limit and how the allocator
//! gives memory back.

/// Raises the soft limit on open files to the hard limit, so the connection cap, not a
/// distribution's default of 1024 descriptors, decides how many clients are served.
/// Returns the limit now in force (`None` where it cannot be read).
pub fn raise_fd_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit`/`setrlimit` only read or write the struct passed.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return None;
            }
            // An unlimited hard limit cannot be the soft one (the kernel caps descriptors
            // at `fs.nr_open`, 1048576 by default): then try that.
            for target in [lim.rlim_max, 1 << 20] {
                if lim.rlim_cur >= target || target > lim.rlim_max {
                    continue;
                }
                let raised = libc::rlimit {
                    rlim_cur: target,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim = raised;
                    break;
                }
            }
        }
        #[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` on every unix
        Some(lim.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    None
}

/// Large allocations (messages of up to the message limit, each buffered while a slow
/// client reads it) are mapped on their own and unmapped when freed.
///
/// glibc's default raises its mmap threshold each time such a block is freed, after
/// which large blocks come from the heap arenas and are not given back: 100 clients
/// that asked for 4 MiB replies left the server at 376 MiB after they had gone; with the
/// threshold fixed at 128 KiB it went back to 8 MiB (release build, issue 22). Setting
/// the threshold turns the adjustment off.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator parameters; called once, at start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fd_limit_is_readable_and_at_least_the_default() {
        let limit = super::raise_fd_limit().expect("a limit");
        assert!(limit >= 256, "{limit}");
    }
}
