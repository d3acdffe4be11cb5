//! TCP and TLS connections to upstream mail servers.
//!
//! Certificates are always verified: against the endpoint's `ca_file` when configured, otherwise
//! against the system's roots. There is no switch to turn verification off.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use yubin_protocol::{ApiError, ErrorKind};

use super::counted::CountedTcp;
use crate::config::{ConfigError, Endpoint};

/// How long to wait for a TCP connect or a TLS handshake before calling the server unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A byte stream to a mail server, TLS or not, so protocol clients need only one type.
pub trait MailStream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> MailStream for T {}

pub type BoxedStream = Box<dyn MailStream>;

/// Everything needed to reach one endpoint, prepared once when the configuration is loaded.
#[derive(Clone)]
pub struct Upstream {
    pub endpoint: Endpoint,
    /// `imap`, `pop3` or `smtp`, for the metrics.
    pub protocol: &'static str,
    pub tls: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

impl Upstream {
    pub fn new(endpoint: &Endpoint, protocol: &'static str) -> Result<Self, ConfigError> {
        let roots = load_roots(endpoint)?;
        let mut store = RootCertStore::empty();
        let (added, _ignored) = store.add_parsable_certificates(roots.iter().cloned());
        if added == 0 {
            return Err(ConfigError::Invalid(format!(
                "{}: no usable CA certificate (ca_file or system roots)",
                endpoint.host
            )));
        }
        let tls = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::Invalid(format!("TLS setup: {e}")))?
            .with_root_certificates(store)
            .with_no_client_auth();
        let name = endpoint.tls_name.as_deref().unwrap_or(&endpoint.host);
        let server_name = ServerName::try_from(name.to_owned())
            .map_err(|e| ConfigError::Invalid(format!("bad TLS name {name:?}: {e}")))?;
        Ok(Self { endpoint: endpoint.clone(), protocol, tls: Arc::new(tls), server_name })
    }

    /// The name to show the user in errors.
    pub fn label(&self) -> String {
        format!("{}:{}", self.endpoint.host, self.endpoint.port)
    }

    pub async fn connect_tcp(&self) -> Result<CountedTcp, ApiError> {
        let addr = (self.endpoint.host.as_str(), self.endpoint.port);
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| self.unreachable("timed out"))?
            .map_err(|e| self.unreachable(&e.to_string()))?;
        stream.set_nodelay(true).ok();
        Ok(CountedTcp::new(stream, self.protocol))
    }

    /// TLS handshake over an established connection, verifying the server's certificate.
    pub async fn handshake(&self, tcp: CountedTcp) -> Result<TlsStream<CountedTcp>, ApiError> {
        let connector = TlsConnector::from(self.tls.clone());
        tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(self.server_name.clone(), tcp))
            .await
            .map_err(|_| ApiError::new(ErrorKind::Tls, format!("{}: TLS handshake timed out", self.label())))?
            .map_err(|e| ApiError::new(ErrorKind::Tls, format!("{}: TLS failed: {e}", self.label())))
    }

    fn unreachable(&self, why: &str) -> ApiError {
        ApiError::new(ErrorKind::Unreachable, format!("cannot connect to {}: {why}", self.label()))
    }
}

fn load_roots(endpoint: &Endpoint) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    match &endpoint.ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
            rustls_pemfile::certs(&mut pem.as_slice())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))
        }
        None => Ok(system_roots().clone()),
    }
}

/// The system's CA certificates, read from disk once however many endpoints use them.
fn system_roots() -> &'static Vec<CertificateDer<'static>> {
    static ROOTS: std::sync::OnceLock<Vec<CertificateDer<'static>>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// A stream that first yields `replay`, then reads from the inner stream.
///
/// Protocol clients (lettre, async-pop) read a server greeting when they start. After
/// STARTTLS/STLS the server sends none (RFC 3207, RFC 2595), so the upgraded stream replays one.
#[derive(Debug)]
pub struct Replay<S> {
    inner: S,
    replay: &'static [u8],
}

impl<S> Replay<S> {
    pub fn new(inner: S, replay: &'static [u8]) -> Self {
        Self { inner, replay }
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replay<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if !self.replay.is_empty() {
            let n = self.replay.len().min(buf.remaining());
            buf.put_slice(&self.replay[..n]);
            self.replay = &self.replay[n..];
            return std::task::Poll::Ready(Ok(()));
        }
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replay<S> {
    forward_writes!(all);
}
