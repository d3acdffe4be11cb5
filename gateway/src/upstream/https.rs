//! HTTPS requests to an identity provider (discovery, token) or a keyserver: one request per
//! connection, through the same verified TLS as every mail server, with a time limit and a cap
//! on what is read back. The `oauth2` crate builds the requests and reads the replies.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;

use super::net::Upstream;
use crate::config::{Endpoint, Security};

/// The longest an identity provider may take to answer.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// The most a reply may hold (discovery documents and token replies are a few KiB).
const MAX_REPLY: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpsError(pub String);

/// The endpoint of an `https://` URL, trusting `ca_file` if given (else the system's roots).
pub fn endpoint_of(url: &url::Url, ca_file: Option<&std::path::Path>) -> Result<Endpoint, HttpsError> {
    if url.scheme() != "https" {
        return Err(HttpsError(format!("{url}: only https is allowed")));
    }
    let host = url.host_str().ok_or_else(|| HttpsError(format!("{url}: no host")))?;
    Ok(Endpoint {
        host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
        port: url.port_or_known_default().unwrap_or(443),
        security: Security::Tls,
        ca_file: ca_file.map(ToOwned::to_owned),
        tls_name: None,
        allow_plaintext_password: false,
        oauth_mechanism: None,
    })
}

/// Sends `request` (an absolute `https://` URI) and reads the whole reply.
pub async fn send(
    request: http::Request<Vec<u8>>,
    ca_file: Option<&std::path::Path>,
) -> Result<http::Response<Vec<u8>>, HttpsError> {
    send_within(request, ca_file, "oauth", TIMEOUT, MAX_REPLY).await
}

/// [`send`] to a server of kind `protocol` (named in logs), allowing it `timeout` to answer
/// with at most `max_reply` bytes.
pub async fn send_within(
    request: http::Request<Vec<u8>>,
    ca_file: Option<&std::path::Path>,
    protocol: &'static str,
    timeout: std::time::Duration,
    max_reply: usize,
) -> Result<http::Response<Vec<u8>>, HttpsError> {
    let url = url::Url::parse(&request.uri().to_string()).map_err(|e| HttpsError(e.to_string()))?;
    let endpoint = endpoint_of(&url, ca_file)?;
    let upstream = Upstream::new(&endpoint, protocol).map_err(|e| HttpsError(e.to_string()))?;
    let label = upstream.label();
    tokio::time::timeout(timeout, exchange(&upstream, &url, request, max_reply))
        .await
        .map_err(|_| HttpsError(format!("{label} did not answer")))?
}

/// `parts` as HTTP/1.1 sends them: the path (and query) in the request line, `host` in a header.
pub fn to_origin_form(parts: &mut http::request::Parts, host: &str) -> Result<(), String> {
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    parts.uri = target.parse().map_err(|e: http::uri::InvalidUri| e.to_string())?;
    let host = http::HeaderValue::from_str(host).map_err(|e| e.to_string())?;
    parts.headers.insert(http::header::HOST, host);
    Ok(())
}

async fn exchange(
    upstream: &Upstream,
    url: &url::Url,
    request: http::Request<Vec<u8>>,
    max_reply: usize,
) -> Result<http::Response<Vec<u8>>, HttpsError> {
    let failed = |e: &dyn std::fmt::Display| HttpsError(format!("{}: {e}", upstream.label()));
    let tcp = upstream.connect_tcp().await.map_err(|e| failed(&e))?;
    let tls = upstream.handshake(tcp).await.map_err(|e| failed(&e))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.map_err(|e| failed(&e))?;
    let driver = tokio::spawn(connection);
    let (mut parts, body) = request.into_parts();
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    to_origin_form(&mut parts, &host).map_err(|e| failed(&e))?;
    let response = sender
        .send_request(http::Request::from_parts(parts, Full::new(Bytes::from(body))))
        .await
        .map_err(|e| failed(&e))?;
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, max_reply).collect().await.map_err(|e| failed(&e))?.to_bytes();
    driver.abort();
    Ok(http::Response::from_parts(parts, body.to_vec()))
}
