//! The gateway's own limits, each with a real gateway and the real stack: sessions, password
//! guessing, slow sign-ins, oversized frames, and what a broken frame does (nothing fatal).

use std::time::Duration;

use yubin_gateway::Config;
use yubin_protocol::{ErrorKind, Request};
use yubin_test_support::{MailStack, TestGateway, WsClient};

fn config(edit: impl FnOnce(&mut Config)) -> Config {
    let mut config = MailStack::ensure().gateway_config(std::path::Path::new("/nonexistent"));
    edit(&mut config);
    config
}

#[tokio::test]
async fn sessions_beyond_the_limit_are_refused() {
    let gw = TestGateway::start(config(|c| c.limits.max_sessions = 2)).await;
    let _a = WsClient::connect(&gw).await;
    let _b = WsClient::connect(&gw).await;
    let third = WsClient::connect_with_origin(&gw, Some(&gw.url())).await;
    let err = third.err().expect("a third session is refused").to_string();
    assert!(err.contains("503"), "{err}");
}

#[tokio::test]
async fn password_guessing_is_slowed_down_per_address() {
    let gw = TestGateway::start(config(|c| c.limits.free_failed_logins = 2)).await;
    let mut client = WsClient::connect(&gw).await;
    for _ in 0..2 {
        let err = client.login("grace", "guess").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AuthFailed);
    }
    // Even the right password waits now, and the upstream server is not even asked.
    let err = client.login("grace", "grace-pass").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused);
    assert!(err.message.contains("Too many failed sign-ins"), "{err:?}");
}

#[tokio::test]
async fn a_session_that_does_not_sign_in_is_closed() {
    let gw = TestGateway::start(config(|c| c.limits.login_timeout_secs = 1)).await;
    let mut client = WsClient::connect(&gw).await;
    assert!(client.closed_within(Duration::from_secs(5)).await, "closed after the login timeout");
}

#[tokio::test]
async fn oversized_frames_close_the_session_and_broken_ones_are_ignored() {
    let gw = TestGateway::start(config(|c| c.limits.max_frame_bytes = 4096)).await;
    let mut client = WsClient::connect(&gw).await;
    // Not JSON, a wrong shape, an unknown request: each is dropped, the session goes on.
    client.send_raw("{not json".into()).await;
    client.send_raw(r#"{"id":1,"request":{"no_such_request":{}}}"#.into()).await;
    client.send_raw(r#"{"id":"x"}"#.into()).await;
    let err = client.request(Request::ListFolders).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotLoggedIn, "still answering");
    client.send_raw("x".repeat(10_000)).await;
    assert!(client.closed_within(Duration::from_secs(5)).await, "a frame over the limit ends the session");
}

#[tokio::test]
async fn the_gateway_serves_https_with_its_own_certificate() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = MailStack::ensure();
    let tls_dir = stack.ca_file.parent().unwrap().to_owned();
    let gw = TestGateway::start(config(|c| {
        c.tls = Some(yubin_gateway::config::ServerTls {
            cert_file: tls_dir.join("cert.pem"),
            key_file: tls_dir.join("key.pem"),
        })
    }))
    .await;

    let mut roots = rustls::RootCertStore::empty();
    let ca = std::fs::read(&stack.ca_file).unwrap();
    for cert in rustls_pemfile::certs(&mut ca.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let client =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake with the gateway");
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut reply = Vec::new();
    tls.read_to_end(&mut reply).await.unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");

    // Plain HTTP on the TLS port gets nothing useful.
    let (status, _, _) = tokio::time::timeout(Duration::from_secs(15), async {
        let mut tcp = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
        let mut buf = Vec::new();
        let _ = tcp.read_to_end(&mut buf).await;
        (buf.starts_with(b"HTTP/1.1 200"), (), ())
    })
    .await
    .unwrap();
    assert!(!status, "plain HTTP must not be served on the TLS port");
}
