//! The HTTP connections of `portico serve`: accepts them within a cap on open connections (in
//! all, and per client address), bounds how long a client may take to send a request's head and
//! body, and on shutdown lets open requests finish for a bounded time, then closes the rest.
//!
//! A connection costs an open file; without these bounds, clients holding half-sent requests
//! kept connections forever and, at the process's open-file limit, stopped it answering anyone.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::{ApiError, DeadlineBody};

/// Most connections open at once. Past it, new connections wait in the listen queue until one
/// closes (they are not accepted, so they cost no file). Below the usual limit of 1,024 open
/// files, leaving room for the database and plugin artifacts.
pub const MAX_OPEN_CONNECTIONS: usize = 512;

/// Most connections open at once from one client address, so that one client cannot take all
/// of `MAX_OPEN_CONNECTIONS`. Past it, a new connection from that address is answered 503
/// `too_many_connections` and closed. Raise it behind a reverse proxy (one address for all).
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 128;

/// Longest a connection may take to send a complete request head, counted from its opening or
/// from the end of its previous answer: it bounds both a slow head and an idle keep-alive
/// connection. Past it the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest a request's body may take to arrive, counted from the end of its head (a component
/// upload of 64 MiB needs about 1 MiB/s). Past it the request is answered 408 `body_timeout` and
/// the connection closed.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Longest a shutdown waits for open requests to finish once it stops accepting connections;
/// then the remaining connections are closed and the process goes on to close the database.
pub const SHUTDOWN_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Pause after a failed accept (out of files, say) before the next, instead of spinning.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The bounds above, as configured.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once (`MAX_OPEN_CONNECTIONS`).
    pub max_open: usize,
    /// Most connections open at once from one address (`MAX_CONNECTIONS_PER_ADDRESS`).
    pub max_per_address: usize,
    /// Longest a request's head may take to arrive (`HEADER_READ_TIMEOUT`).
    pub header_read_timeout: Duration,
    /// Longest a request's body may take to arrive (`BODY_READ_TIMEOUT`).
    pub body_read_timeout: Duration,
    /// Longest open requests may take to finish at shutdown (`SHUTDOWN_DRAIN_TIMEOUT`).
    pub shutdown_drain: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_open: MAX_OPEN_CONNECTIONS,
            max_per_address: MAX_CONNECTIONS_PER_ADDRESS,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            shutdown_drain: SHUTDOWN_DRAIN_TIMEOUT,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains (see the module).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_open.max(1)));
    let addresses = AddressCounts::default();
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &open) => accepted,
        };
        while connections.try_join_next().is_some() {}
        let Some((stream, address, permit)) = accepted else {
            continue;
        };
        let conn = Conn {
            _open: permit,
            address: addresses.take(address, limits.max_per_address),
        };
        connections.spawn(serve_connection(
            stream,
            app.clone(),
            limits,
            conn,
            stopping.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    drain(connections, limits.shutdown_drain).await;
}

/// The next connection once there is room for it, or None after a failed accept.
async fn accept(
    listener: &TcpListener,
    open: &Arc<Semaphore>,
) -> Option<(TcpStream, IpAddr, OwnedSemaphorePermit)> {
    let permit = open.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => Some((stream, peer.ip(), permit)),
        Err(error) => {
            tracing::warn!(%error, "accepting a connection failed");
            tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            None
        }
    }
}

/// Waits up to `limit` for the open connections to finish, then closes the rest.
async fn drain(mut connections: JoinSet<()>, limit: Duration) {
    let all_done = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limit, all_done).await.is_err() {
        tracing::warn!(
            open = connections.len(),
            limit_seconds = limit.as_secs(),
            "shutdown drain limit reached: closing the connections still open"
        );
        connections.shutdown().await;
    }
}

/// What an accepted connection holds until it closes.
struct Conn {
    _open: OwnedSemaphorePermit,
    /// None when its address already has its most connections.
    address: Option<AddressSlot>,
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: ConnectionLimits,
    conn: Conn,
    mut stopping: watch::Receiver<bool>,
) {
    let body_timeout = limits.body_read_timeout;
    let refused = conn.address.is_none();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let app = app.clone();
        async move {
            if refused {
                return Ok::<_, Infallible>(too_many_connections());
            }
            let request = request.map(|body| Body::new(DeadlineBody::new(body, body_timeout)));
            app.oneshot(request).await
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stop_requested(&mut stopping) => {
            // Ends the connection after the request in progress (at once when idle).
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
    drop(conn);
}

/// Completes once the shutdown starts (or the server is gone).
async fn stop_requested(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

fn too_many_connections() -> Response<Body> {
    let mut response = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_connections",
        "this address has the most connections open that one address may have; close one or retry later",
    )
    .with_details(serde_json::json!({ "retryAfterSeconds": 1 }))
    .into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// Open connections per client address.
#[derive(Clone, Default)]
struct AddressCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One counted connection of an address; uncounted when dropped.
struct AddressSlot {
    counts: AddressCounts,
    address: IpAddr,
}

impl AddressCounts {
    /// A slot for `address`, unless it already has `most` connections.
    fn take(&self, address: IpAddr, most: usize) -> Option<AddressSlot> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(address).or_insert(0);
        if *count >= most {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            counts: self.clone(),
            address,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::AddressCounts;

    #[test]
    fn an_address_gets_at_most_its_connections_and_each_back_when_closed() {
        let counts = AddressCounts::default();
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let first = counts.take(a, 2).unwrap();
        let _second = counts.take(a, 2).unwrap();
        assert!(counts.take(a, 2).is_none());
        assert!(counts.take(b, 2).is_some(), "another address has its own");
        drop(first);
        assert!(counts.take(a, 2).is_some());
    }
}
