//! The Yubin gateway: a stateless relay between the browser app and the user's mail servers.
//!
//! It holds no mail and no password at rest. It serves the built app, and speaks the
//! [`yubin_protocol`] over one WebSocket per tab, translating requests into IMAP and SMTP
//! towards servers the operator allow-listed in the [`config`].

/// The body of an `AsyncWrite` impl for a wrapper whose writes go straight to its `inner`
/// stream. The socket wrappers (metering, counting, transcribing, replaying) watch reads or
/// count writes; flushing and shutting down are always the inner stream's. `forward_writes!()`
/// forwards flush and shutdown; `forward_writes!(all)` forwards writes too.
macro_rules! forward_writes {
    (all) => {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            data: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.inner).poll_write(cx, data)
        }
        forward_writes!();
    };
    () => {
        fn poll_flush(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.inner).poll_flush(cx)
        }

        fn poll_shutdown(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
        }
    };
}

pub(crate) mod account;
pub mod app_page;
pub mod client_address;
pub mod compose;
pub mod config;
pub mod downloads;
pub mod draft_info;
pub mod gateway;
pub(crate) mod handlers;
pub mod http;
pub mod limits;
pub mod mail_servers;
pub mod mbox;
pub mod metrics;
pub mod oauth_flow;
pub mod origin;
pub mod pgp_mime;
pub mod rich_text;
pub mod sealed;
pub mod security_headers;
pub mod server;
pub mod session;
pub mod threading;
pub mod tickets;
pub mod tls_config;
pub mod uploads;
pub mod upstream;
pub mod vcard;

use std::future::Future;
use std::sync::Arc;

// Reading mail is a crate of its own (the OpenPGP worker in the browser reads with it too);
// its modules keep their places here.
pub use yubin_reading::{charset, dsn, filenames, html, mime, parser, transfer_decoding, trust};

pub use crate::config::Config;
pub use crate::gateway::Gateway;

/// Locks `mutex`, also when a thread panicked while holding it: the data a gateway mutex
/// guards (counters, maps of tickets and uploads) stays consistent between statements, and one
/// request's bug must not break every later request of the session, or of the gateway.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The log filter for `directives` (`RUST_LOG` syntax), with the crates that would log what
/// the browser sends (WebSocket frames) or the gateway sends upstream (IMAP commands) — the
/// password of a sign-in among them — held at `warn`
/// whatever was asked for. Nothing the gateway logs itself holds a secret (see [`yubin_protocol::Secret`]).
pub fn log_filter(directives: &str) -> tracing_subscriber::EnvFilter {
    let mut filter = tracing_subscriber::EnvFilter::try_new(directives).unwrap_or_else(|_| "info".into());
    for quiet in ["tungstenite=warn", "tokio_tungstenite=warn", "axum::extract::ws=warn", "async_imap=warn"] {
        filter = filter.add_directive(quiet.parse().expect("a valid directive"));
    }
    filter
}

/// Makes ring the process-wide rustls provider. lettre builds its TLS configuration from the
/// process default, and a second provider compiled in by another crate must not make that
/// ambiguous. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Serves HTTP and WebSockets on `listener` until `shutdown` completes; over TLS when the
/// config has a `[tls]` certificate, plain otherwise (behind a TLS-terminating proxy).
///
/// Stopping drains: no new connections are taken, every session finishes the requests it has
/// under way (a message being sent goes out and its receipt is delivered), tells its browser to
/// reconnect (close code 1012) and ends; only then does this return.
pub async fn serve(
    listener: tokio::net::TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopping = gateway.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        // WebSockets outlive HTTP's graceful shutdown; tell their sessions to end.
        stopping.send_replace(true);
    };
    let tls = match &gateway.config.tls {
        Some(tls) => Some(tls_config::acceptor(&tls.cert_file, &tls.key_file).map_err(std::io::Error::other)?),
        None => None,
    };
    downloads::sweep_periodically(Arc::downgrade(&gateway));
    let served = server::serve(listener, tls, http::router(gateway.clone()), shutdown).await;
    // Upgraded WebSockets are not connections axum waits for: wait for the sessions to drain.
    let deadline = tokio::time::Instant::now() + session::DRAIN_TIMEOUT + std::time::Duration::from_secs(5);
    while gateway.sessions.open() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    served
}
