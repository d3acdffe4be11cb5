//! Accepting connections: plain TCP, or TLS when the config has a certificate, each served by
//! hyper with the bounds an anonymous client must not get past.
//!
//! axum's own `serve` gives hyper no timer, so hyper's header timeout never fires and a
//! half-sent request (or an upgrade that never finishes) holds its descriptor for ever. Here:
//! - a request's head must arrive within [`HEADER_TIMEOUT`] — which also closes idle keep-alive
//!   connections, since hyper starts that clock whenever it waits for a request;
//! - a connection that moves no byte either way for [`STALL_TIMEOUT`] while still speaking HTTP
//!   (a download nobody reads) is closed;
//! - TLS handshakes run in the connection's own task, within [`HANDSHAKE_TIMEOUT`];
//! - running out of descriptors (EMFILE) makes the accept loop back off instead of spinning,
//!   and the soft open-files limit is raised to the hard one at start;
//! - every connection carries a [`ReadBudget`] that a WebSocket session uses to cap what a
//!   client that has not signed in can make the gateway read (and so buffer).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;
use tracing::{debug, warn};

/// Time for a client to send a request's head, and the longest an idle keep-alive lasts.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for a client to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// An HTTP connection (not yet a WebSocket) that moves nothing for this long is closed.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stopping gateway lets HTTP connections (downloads) finish.
const HTTP_DRAIN: Duration = Duration::from_secs(30);

/// Who is on the other end of a connection, and the budget its reads draw on. Handlers take
/// it as `ConnectInfo<Peer>`.
#[derive(Debug, Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    pub budget: ReadBudget,
}

/// Bytes a connection may still read; unlimited unless a session limits it. When a read
/// would go past the budget, the connection fails instead: the client cannot make the gateway
/// buffer more than the budget plus one read.
#[derive(Debug, Clone)]
pub struct ReadBudget(Arc<AtomicU64>);

const UNLIMITED: u64 = u64::MAX;

impl Default for ReadBudget {
    fn default() -> Self {
        Self(Arc::new(AtomicU64::new(UNLIMITED)))
    }
}

impl ReadBudget {
    /// From now on, at most `bytes` more may be read.
    pub fn limit(&self, bytes: u64) {
        self.0.store(bytes, Ordering::Release);
    }

    /// No limit any more (the client signed in).
    pub fn lift(&self) {
        self.0.store(UNLIMITED, Ordering::Release);
    }

    /// Most bytes the next read may take (`usize::MAX` when unlimited).
    fn allowance(&self) -> usize {
        usize::try_from(self.0.load(Ordering::Acquire)).unwrap_or(usize::MAX)
    }

    fn spend(&self, bytes: usize) {
        let _ = self.0.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
            (left != UNLIMITED).then(|| left.saturating_sub(bytes as u64))
        });
    }
}

/// A connection's stream, counting what it reads against its budget and noting when it last
/// moved a byte.
struct Metered<S> {
    inner: S,
    budget: ReadBudget,
    last_progress: Arc<AtomicU64>,
    epoch: Instant,
}

impl<S> Metered<S> {
    fn new(inner: S, budget: &ReadBudget, last_progress: &Arc<AtomicU64>) -> Self {
        Self { inner, budget: budget.clone(), last_progress: last_progress.clone(), epoch: Instant::now() }
    }

    fn progressed(&self) {
        self.last_progress.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let allowance = self.budget.allowance();
        if allowance == 0 {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, "read budget exhausted")));
        }
        // Read no more than the budget allows: the rest stays in the kernel, not in memory here.
        let room = buf.remaining().min(allowance);
        let mut limited = buf.take(room);
        let poll = Pin::new(&mut self.inner).poll_read(cx, &mut limited);
        let read = limited.filled().len();
        if let Poll::Ready(Ok(())) = poll {
            // SAFETY: `limited` wrote `read` initialized bytes into `buf`'s unfilled part.
            unsafe { buf.assume_init(read) };
            buf.advance(read);
            if read > 0 {
                self.budget.spend(read);
                self.progressed();
            }
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Metered<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.progressed();
        }
        poll
    }

    forward_writes!();

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.progressed();
        }
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Serves `app` on `listener` (over TLS with `tls`) until `shutdown` completes, then lets open
/// HTTP connections finish for up to [`HTTP_DRAIN`]. Upgraded WebSockets are not waited for
/// here: their sessions drain themselves.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    raise_open_files_limit();
    // Each connection holds a receiver; all of them gone means every connection has ended.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = Duration::from_millis(5);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, addr) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                backoff = accept_failed(&e, backoff).await;
                continue;
            }
        };
        backoff = Duration::from_millis(5);
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, addr, tls.clone(), app.clone(), stopped.clone()));
    }
    drop(listener);
    stop.send_replace(true);
    drop(stopped);
    let _ = tokio::time::timeout(HTTP_DRAIN, stop.closed()).await;
    Ok(())
}

/// Waits after a failed accept. Running out of descriptors or memory is not the client's
/// fault and passes when connections close: back off (up to a second) rather than spin.
async fn accept_failed(error: &io::Error, backoff: Duration) -> Duration {
    let exhausted = matches!(error.raw_os_error(), Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM));
    if !exhausted {
        debug!("accept failed: {error}");
        return backoff; // a connection reset before it was accepted: nothing to wait for
    }
    warn!("accept failed ({error}); waiting {backoff:?} for descriptors to free up");
    tokio::time::sleep(backoff).await;
    (backoff * 2).min(Duration::from_secs(1))
}

async fn connection(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    tls: Option<TlsAcceptor>,
    app: Router,
    stopped: tokio::sync::watch::Receiver<bool>,
) {
    let budget = ReadBudget::default();
    let last_progress = Arc::new(AtomicU64::new(0));
    let peer = Peer { addr, budget: budget.clone() };
    match tls {
        None => http(Metered::new(stream, &budget, &last_progress), peer, app, last_progress.clone(), stopped).await,
        Some(acceptor) => match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => {
                http(Metered::new(tls, &budget, &last_progress), peer, app, last_progress.clone(), stopped).await
            }
            Ok(Err(e)) => debug!(%addr, "TLS handshake failed: {e}"),
            Err(_) => debug!(%addr, "TLS handshake timed out"),
        },
    }
}

async fn http<S>(
    io: Metered<S>,
    peer: Peer,
    app: Router,
    last_progress: Arc<AtomicU64>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let epoch = io.epoch;
    let addr = peer.addr;
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer.clone()));
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    let mut conn = std::pin::pin!(builder.serve_connection(TokioIo::new(io), service).with_upgrades());
    let mut check = tokio::time::interval(STALL_TIMEOUT / 4);
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    debug!(%addr, "connection ended: {e}");
                }
                break;
            }
            _ = check.tick() => {
                let idle = epoch.elapsed().saturating_sub(Duration::from_millis(last_progress.load(Ordering::Relaxed)));
                if idle >= STALL_TIMEOUT {
                    debug!(%addr, "no progress for {idle:?}: closing");
                    break;
                }
            }
            _ = stopped.wait_for(|stop| *stop), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Raises the soft limit on open files to the hard one: each session holds a WebSocket and
/// upstream connections, and the default soft limit (often 1024) is reached long before memory
/// or the session cap.
pub fn raise_open_files_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                warn!("could not raise the open-files limit: {}", io::Error::last_os_error());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn a_limited_budget_stops_reads_past_it() {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let budget = ReadBudget::default();
        let mut metered =
            Metered { inner: server, budget: budget.clone(), last_progress: Arc::default(), epoch: Instant::now() };
        tokio::io::AsyncWriteExt::write_all(&mut client, &[7u8; 100_000]).await.unwrap();
        let mut buf = vec![0u8; 200_000];
        // Unlimited: reads what is there.
        let n = metered.read(&mut buf[..10]).await.unwrap();
        assert_eq!(n, 10);
        budget.limit(1000);
        let mut total = 0;
        let err = loop {
            match metered.read(&mut buf).await {
                Ok(n) => {
                    assert!(n <= 1000);
                    total += n;
                }
                Err(e) => break e,
            }
        };
        assert_eq!(total, 1000, "exactly the budget was read");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        budget.lift();
        assert!(metered.read(&mut buf).await.unwrap() > 0);
    }
}
