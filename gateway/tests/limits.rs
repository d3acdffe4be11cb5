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

// ---- What an anonymous client can make the gateway hold (issue: hardening) --------------------

#[tokio::test]
async fn an_anonymous_socket_cannot_send_a_big_frame_but_a_signed_in_one_can() {
    let gw = TestGateway::start(config(|_| {})).await;
    // 1 MiB is under the frame limit (4 MiB) but far over what may come before a sign-in.
    let mut anonymous = WsClient::connect(&gw).await;
    anonymous.send_raw("x".repeat(1 << 20)).await;
    assert!(anonymous.closed_within(Duration::from_secs(5)).await, "closed, not buffered");

    let mut signed_in = WsClient::connect(&gw).await;
    signed_in.login("tina", "tina-pass").await.expect("login");
    signed_in.send_raw(format!(r#"{{"id":9,"request":{{"x":"{}"}}}}"#, "y".repeat(1 << 20))).await;
    signed_in.request(Request::ListFolders).await.expect("still served after a big (ignored) frame");
    // Over the frame limit, even signed in: the session ends.
    signed_in.send_raw("z".repeat(5 << 20)).await;
    assert!(signed_in.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn requests_in_flight_are_bounded_and_cancelled_when_the_socket_closes() {
    let stack = MailStack::ensure();
    let gw = TestGateway::start(config(|c| c.limits.max_requests_in_flight = 4)).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("uma", "uma-pass").await.expect("login");
    // A flood: the gateway reads the socket only as places free up.
    let flood = tokio::time::timeout(Duration::from_secs(5), async {
        for _ in 0..5_000 {
            client.send_request(0, Request::ListFolders).await;
        }
    })
    .await;
    // Whether or not the flood got out (the socket's buffers fill up), leaving ends it all.
    let _ = flood;
    client.close().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while stack.connections("uma") > 0 {
        assert!(std::time::Instant::now() < deadline, "IMAP connections still open after the socket closed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn unsigned_sessions_are_capped_per_client_address() {
    let gw = TestGateway::start(config(|c| c.limits.max_unsigned_per_client = 2)).await;
    let mut first = WsClient::connect(&gw).await;
    let _second = WsClient::connect(&gw).await;
    let refused = WsClient::connect_with_origin(&gw, Some(&gw.url())).await;
    let err = refused.err().expect("a third unsigned session is refused").to_string();
    assert!(err.contains("429"), "{err}");
    // A session that signs in gives its place back.
    first.login("victor", "victor-pass").await.expect("login");
    WsClient::connect_with_origin(&gw, Some(&gw.url())).await.expect("a place again");
}

#[tokio::test]
async fn dns_rebinding_is_refused_and_configured_origins_are_exact() {
    let gw = TestGateway::start(config(|_| {})).await;
    let port = gw.addr.port();
    let rebound = format!("evil.example:{port}");
    let origin = format!("http://{rebound}");
    let err = WsClient::connect_with_headers(&gw, &[("host", &rebound), ("origin", &origin)]).await.err();
    assert!(err.expect("refused").to_string().contains("403"));
    let localhost = format!("localhost:{port}");
    let origin = format!("http://{localhost}");
    WsClient::connect_with_headers(&gw, &[("host", &localhost), ("origin", &origin)]).await.expect("localhost");
    let origin = format!("https://127.0.0.1:{port}");
    let err = WsClient::connect_with_headers(&gw, &[("origin", &origin)]).await.err();
    assert!(err.expect("another scheme is another origin").to_string().contains("403"));

    let gw = TestGateway::start(config(|c| c.allowed_origins = vec!["https://mail.example.org".into()])).await;
    WsClient::connect_with_headers(&gw, &[("host", "backend:8080"), ("origin", "https://mail.example.org")])
        .await
        .expect("the configured origin");
    let err = WsClient::connect_with_headers(&gw, &[("origin", "http://mail.example.org")]).await.err();
    assert!(err.expect("scheme").to_string().contains("403"));
}

#[tokio::test]
async fn half_sent_requests_and_idle_connections_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let gw = TestGateway::start(config(|_| {})).await;
    let started = std::time::Instant::now();
    let mut half = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    half.write_all(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n").await.unwrap();
    let mut idle = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    let mut buf = Vec::new();
    for stream in [&mut half, &mut idle] {
        let closed = tokio::time::timeout(Duration::from_secs(25), stream.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "the gateway closes a connection that never finishes its request");
    }
    assert!(started.elapsed() >= Duration::from_secs(5), "not before the header timeout");
    // The gateway still answers.
    let (status, _, _) = yubin_test_support::http_get(gw.addr, "/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn signing_in_to_ones_own_account_does_not_reset_guesses_at_another() {
    let gw = TestGateway::start(config(|c| c.limits.free_failed_logins = 2)).await;
    let mut client = WsClient::connect(&gw).await;
    for _ in 0..2 {
        assert_eq!(client.login("wendy", "guess").await.unwrap_err().kind, ErrorKind::AuthFailed);
    }
    client.login("xander", "xander-pass").await.expect("own account");
    let mut again = WsClient::connect(&gw).await;
    let err = again.login("wendy", "wendy-pass").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "the guesses at wendy still count: {err:?}");
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_do_not_all_reach_the_server() {
    let gw = TestGateway::start(config(|c| {
        c.limits.free_failed_logins = 3;
        c.limits.max_unsigned_per_client = 32;
    }))
    .await;
    let mut clients = Vec::new();
    for _ in 0..12 {
        clients.push(WsClient::connect(&gw).await);
    }
    let mut pending = Vec::new();
    for client in &mut clients {
        // Two on each socket as well: one sign-in at a time per socket.
        for _ in 0..2 {
            let login = Request::Login { server: "demo".into(), username: "ike".into(), password: "guess".into() };
            pending.push(client.send_request(0, login).await);
        }
    }
    let mut reached = 0;
    for (n, client) in clients.iter_mut().enumerate() {
        for id in &pending[n * 2..n * 2 + 2] {
            match client.reply_to(*id).await.unwrap_err().kind {
                ErrorKind::AuthFailed => reached += 1,
                ErrorKind::Refused => {}
                other => panic!("{other:?}"),
            }
        }
    }
    assert!((1..=3).contains(&reached), "{reached} of 24 guesses reached the server");
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_address() {
    let gw = TestGateway::start(config(|c| {
        c.limits.free_failed_logins = 1;
        c.trusted_proxies = vec!["127.0.0.1".into()];
    }))
    .await;
    let origin = gw.url();
    let via = |client: &'static str| [("origin", origin.clone()), ("x-forwarded-for", client.to_owned())];
    let connect = |headers: [(&'static str, String); 2]| {
        let gw = &gw;
        async move {
            let headers: Vec<(&'static str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            WsClient::connect_with_headers(gw, &headers).await.expect("connect")
        }
    };
    let mut first = connect(via("198.51.100.1")).await;
    assert_eq!(first.login("zoe", "guess").await.unwrap_err().kind, ErrorKind::AuthFailed);
    let mut second = connect(via("198.51.100.2")).await;
    assert_eq!(second.login("zoe", "guess").await.unwrap_err().kind, ErrorKind::AuthFailed, "another client");
    let mut first_again = connect(via("198.51.100.1")).await;
    assert_eq!(first_again.login("zoe", "zoe-pass").await.unwrap_err().kind, ErrorKind::Refused);
}

#[tokio::test]
async fn download_tickets_are_capped_and_revoked_with_their_session() {
    let gw = TestGateway::start(config(|c| c.limits.max_downloads_per_session = 2)).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("abe", "abe-pass").await.expect("login");
    let prepare =
        |filename: String| Request::PrepareDownload { folder: "INBOX".into(), uid: 1, section: "2".into(), filename };
    let mut urls = Vec::new();
    for name in ["a.pdf".to_owned(), "b".repeat(3 << 20)] {
        match client.request(prepare(name)).await.expect("a ticket") {
            yubin_protocol::Response::Download { url } => urls.push(url),
            other => panic!("{other:?}"),
        }
    }
    let err = client.request(prepare("c.pdf".into())).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "a third waiting ticket: {err:?}");
    client.request(Request::Logout).await.expect("logout");
    let (status, _, _) = yubin_test_support::http_get(gw.addr, &urls[0]).await;
    assert_eq!(status, 404, "signing out revokes the account's tickets");

    let mut other = WsClient::connect(&gw).await;
    other.login("abe", "abe-pass").await.expect("login");
    let yubin_protocol::Response::Download { url } = other.request(prepare("d.pdf".into())).await.unwrap() else {
        panic!()
    };
    other.close().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, _, _) = yubin_test_support::http_get(gw.addr, &url).await;
    assert_eq!(status, 404, "closing the tab revokes its tickets");
}

#[tokio::test]
async fn an_absurd_upload_size_is_refused_and_uploads_keep_working() {
    let gw = TestGateway::start(config(|_| {})).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("jo", "jo-pass").await.expect("login");
    let upload =
        |id: &str, offset, total, data: &str| Request::Upload { upload: id.into(), offset, total, data: data.into() };
    client.request(upload("a", 0, 3, "YWJj")).await.expect("a small upload");
    let err = client.request(upload("b", 0, u64::MAX, "eA==")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadRequest);
    let err = client.request(upload("a", u64::MAX - 1, 3, "eA==")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadRequest);
    client.request(upload("c", 0, 2, "eHk=")).await.expect("uploads still work after the refusals");
}

#[tokio::test]
async fn running_out_of_descriptors_passes_and_health_is_answered_again() {
    use tokio::io::AsyncWriteExt;
    // The gateway as its own process, with a hard limit of 64 open files: raising the soft
    // limit cannot help, so the accept loop meets EMFILE.
    let stack = MailStack::ensure();
    let dir = std::env::temp_dir().join(format!("yubin-emfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = yubin_test_support::free_port();
    let config = stack
        .gateway_config_text(std::path::Path::new("/nonexistent"), yubin_test_support::Transport::Starttls)
        .replace("listen = \"127.0.0.1:0\"", &format!("listen = \"127.0.0.1:{port}\""));
    std::fs::write(dir.join("gateway.toml"), config).unwrap();
    let binary = env!("CARGO_BIN_EXE_yubin-gateway");
    let mut gateway = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -n 64 && exec {binary} --config {}", dir.join("gateway.toml").display()))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the gateway did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Far more half-sent requests than it has descriptors.
    let mut held = Vec::new();
    for _ in 0..150 {
        if let Ok(Ok(mut stream)) =
            tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await
        {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\n").await;
            held.push(stream);
        }
    }
    // The header timeout frees them; the accept loop has backed off, not died.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answered =
            tokio::time::timeout(Duration::from_secs(2), yubin_test_support::http_get(addr, "/healthz")).await;
        if matches!(answered, Ok((200, _, _))) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "/healthz unanswered after the descriptors freed up");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(held);
    let _ = gateway.kill().await;
    let _ = std::fs::remove_dir_all(dir);
}
