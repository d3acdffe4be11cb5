//! The TLS configuration for serving HTTPS and WSS directly, for operators without a
//! TLS-terminating reverse proxy. Handshakes run in each connection's task ([`crate::server`]).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::ConfigError;

/// The TLS acceptor for a PEM certificate chain and private key.
pub fn acceptor(cert_file: &Path, key_file: &Path) -> Result<TlsAcceptor, ConfigError> {
    let read = |path: &Path| std::fs::read(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source });
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut read(cert_file)?.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| ConfigError::Invalid(format!("{}: {e}", cert_file.display())))?;
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut read(key_file)?.as_slice())
        .map_err(|e| ConfigError::Invalid(format!("{}: {e}", key_file.display())))?
        .ok_or_else(|| ConfigError::Invalid(format!("{}: no private key", key_file.display())))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Invalid(format!("TLS setup: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ConfigError::Invalid(format!("TLS certificate: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
