//! Accepting connections: at most `max_connections` at once (further ones wait in the
//! listen backlog), hyper's header-read timeout and header size cap, and the graceful
//! drain on stop. What happens inside a request is the router's business.
//!
//! Slow clients: an idle or trickling connection costs a task and a socket, not a thread,
//! so the cap is high (thousands) and a slowloris has to open that many to fill it; once
//! `PRESSURE` connections are open, new ones get `PRESSURED_HEADER_TIMEOUT` to send their
//! headers instead of the usual timeout, so a trickling client is dropped within seconds
//! while honest ones, which send their headers at once, are served as usual.

use crate::config::Limits;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Request heads larger than this are answered 431 by hyper; it also bounds what one
/// slow client can make the server buffer.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Connections waiting to be accepted once every slot is taken; the kernel caps it at
/// `net.core.somaxconn`.
const BACKLOG: u32 = 4096;

/// Open connections from which new ones get the short header timeout.
const PRESSURE: usize = 256;
/// Seconds a new connection has to send its headers once the server is under pressure.
const PRESSURED_HEADER_TIMEOUT: Duration = Duration::from_secs(2);

/// Listens on `addr` (`host:port`, port 0 for any free port) with a backlog deep enough
/// to queue bursts past the connection cap.
pub async fn bind(addr: &str) -> std::io::Result<TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|()| socket.listen(BACKLOG)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other(format!("{addr}: no address"))))
}

/// Serves `router` on `listener` until `stop` resolves, then lets the open connections
/// finish their requests.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let files = crate::open_files::budget(limits.max_connections);
    let max = files.connections;
    if max < limits.max_connections {
        tracing::warn!(
            max_connections = max,
            open_file_limit = files.limit,
            "the open-file limit bounds the connections served at once"
        );
    }
    let slots = Arc::new(Semaphore::new(max));
    let graceful = GracefulShutdown::new();
    let header_timeout = Duration::from_secs(limits.header_timeout.max(1));
    let builder = |timeout: Duration| {
        let mut b = http1::Builder::new();
        b.timer(TokioTimer::new())
            .header_read_timeout(timeout)
            .max_buf_size(MAX_HEAD_BYTES);
        b
    };
    let relaxed = builder(header_timeout);
    let pressured = builder(header_timeout.min(PRESSURED_HEADER_TIMEOUT));
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        // Each request knows the address it came from (mandate acceptance).
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(crate::state::PeerAddr(peer));
                req
            },
        ));
        let open = max - slots.available_permits();
        let builder = if open > PRESSURE {
            &pressured
        } else {
            &relaxed
        };
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are clients going away or timing out; nothing to answer.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
