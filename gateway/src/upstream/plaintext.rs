//! What the protocol clients share about the plain-text part of a connection: the exchange
//! before a STARTTLS-style upgrade (POP3 STLS, SMTP and ManageSieve STARTTLS) and the errors a
//! connection and a sign-in end in.

use std::time::Duration;

use tokio::io::BufReader;
use yubin_protocol::{ApiError, ErrorKind};

use super::counted::CountedTcp;

/// Runs `exchange` (greeting, capabilities, the upgrade command and its go-ahead) on the plain
/// connection within `timeout`, then hands the connection over for the TLS handshake — unless
/// the server sent anything after the go-ahead: bytes that would be read as if they had come
/// over TLS (STARTTLS response injection).
pub async fn before_tls(
    tcp: CountedTcp,
    label: &str,
    timeout: Duration,
    exchange: impl AsyncFnOnce(&mut BufReader<CountedTcp>) -> Result<(), ApiError>,
) -> Result<CountedTcp, ApiError> {
    let mut reader = BufReader::new(tcp);
    tokio::time::timeout(timeout, exchange(&mut reader))
        .await
        .map_err(|_| ApiError::new(ErrorKind::Unreachable, format!("{label} did not answer")))??;
    if !reader.buffer().is_empty() {
        return Err(tls_refusal(label, "sent data before the TLS handshake (possible STARTTLS injection)"));
    }
    Ok(reader.into_inner())
}

/// A server that does not offer the upgrade gets no password.
pub fn no_upgrade_offered(label: &str, command: &str) -> ApiError {
    tls_refusal(label, &format!("does not offer {command}; not sending the password in clear"))
}

pub fn tls_refusal(label: &str, what: &str) -> ApiError {
    ApiError::new(ErrorKind::Tls, format!("{label}: {what}"))
}

/// The connection failed while reading or writing.
pub fn lost(label: &str, e: std::io::Error) -> ApiError {
    ApiError::new(ErrorKind::ConnectionLost, format!("{label}: {e}"))
}

/// The server ended the connection where a reply was due.
pub fn closed(label: &str) -> ApiError {
    ApiError::new(ErrorKind::ConnectionLost, format!("{label} closed the connection"))
}

/// A refusal during sign-in is a failed sign-in (a wrong password, a refused token).
pub fn sign_in_refusal(e: ApiError) -> ApiError {
    match e.kind {
        ErrorKind::Refused => ApiError::new(ErrorKind::AuthFailed, e.message),
        _ => e,
    }
}
