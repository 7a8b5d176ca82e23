//! The process's open files, shared by the connections served and the webhook endpoints
//! sent to at once: every one of either is a socket. The soft limit is raised to the hard
//! one once, and split so that neither can starve the other of files.

use std::sync::OnceLock;

/// Files kept for the database, the log and the like.
const RESERVED: u64 = 256;
/// The fewest endpoints sent to at once, however low the limit.
const FEWEST_ENDPOINTS: u64 = 256;

/// How the open files are shared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// The open-file limit in force.
    pub limit: u64,
    /// Connections served at once.
    pub connections: usize,
    /// Webhook endpoints sent to at once: a hanging endpoint holds one until its
    /// timeout, so this many hanging together are what it takes to delay a healthy one.
    pub webhook_endpoints: usize,
}

/// The budget for a server asked to serve `max_connections` at once.
pub fn budget(max_connections: usize) -> Budget {
    split(limit(), max_connections)
}

/// An eighth of the files (at least `FEWEST_ENDPOINTS`) go to webhook endpoints, the
/// rest, less the reserve, to connections up to the number asked for.
fn split(limit: u64, max_connections: usize) -> Budget {
    let endpoints = (limit / 8).max(FEWEST_ENDPOINTS);
    let for_connections = limit.saturating_sub(RESERVED + endpoints).max(1);
    Budget {
        limit,
        connections: max_connections.min(for_connections as usize).max(1),
        webhook_endpoints: endpoints as usize,
    }
}

/// The soft open-file limit after raising it to the hard one, once per process.
fn limit() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(raise)
}

fn raise() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    lim.rlim_cur
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_shared_without_starving_either() {
        // This machine's limit: the default 16,384 connections fit beside 2,500 endpoints.
        let b = split(20_000, 16_384);
        assert_eq!((b.connections, b.webhook_endpoints), (16_384, 2_500));
        // A low limit: connections give way, endpoints keep their floor.
        let b = split(1024, 16_384);
        assert_eq!((b.connections, b.webhook_endpoints), (512, 256));
        // A high one: endpoints grow with it.
        let b = split(1 << 20, 16_384);
        assert_eq!((b.connections, b.webhook_endpoints), (16_384, 131_072));
        // Never zero connections.
        assert_eq!(split(100, 10).connections, 1);
    }
}
