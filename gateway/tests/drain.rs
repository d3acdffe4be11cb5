//! A gateway told to stop drains: it finishes what its sessions are doing — a message being
//! sent goes out once and its receipt reaches the browser — then closes each WebSocket with
//! "Service Restart" (1012) so the browser reconnects elsewhere. abe is this file's alone.

use std::time::Duration;

use base64::Engine;
use yubin_protocol::{AttachmentSource, OutgoingAttachment, OutgoingMessage, Request, Response, SearchQuery};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

#[tokio::test]
async fn a_stopping_gateway_finishes_the_send_then_asks_for_a_reconnect() {
    let stack = MailStack::ensure();
    let mut gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    client.login("abe", "abe-pass").await.unwrap();
    // Big enough that sending takes a moment: the stop comes while it is under way.
    let file: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    for (i, chunk) in file.chunks(512 << 10).enumerate() {
        let data = base64::engine::general_purpose::STANDARD.encode(chunk);
        let upload =
            Request::Upload { upload: "big".into(), offset: (i * (512 << 10)) as u64, total: file.len() as u64, data };
        client.request(upload).await.unwrap();
    }
    let subject = unique_subject("sent while draining");
    let message_id = format!("<{}@example.test>", subject.replace(' ', "-"));
    let message = OutgoingMessage {
        message_id: Some(message_id.clone()),
        to: vec!["abe@example.test".into()],
        subject: subject.clone(),
        text: "a big one".into(),
        attachments: vec![OutgoingAttachment {
            source: AttachmentSource::Upload { upload: "big".into() },
            filename: "big.bin".into(),
            content_type: "application/octet-stream".into(),
            size: file.len() as u64,
        }],
        ..Default::default()
    };
    let id = client.send_request(0, Request::Send { message }).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let stopping = tokio::spawn(async move {
        gateway.stop().await;
        gateway
    });

    let receipt = client.reply_to(id).await.expect("the send finished and was answered");
    assert!(matches!(receipt, Response::Sent(_)), "{receipt:?}");
    assert_eq!(client.close_code(Duration::from_secs(10)).await, Some(1012), "told to reconnect");
    let mut gateway = tokio::time::timeout(Duration::from_secs(40), stopping).await.expect("stopped").unwrap();

    // Exactly one copy arrived.
    gateway.start_again().await;
    let mut check = WsClient::connect(&gateway).await;
    check.login("abe", "abe-pass").await.unwrap();
    let query = SearchQuery { message_id: Some(message_id), ..Default::default() };
    let mut found = 0;
    for _ in 0..100 {
        let search = Request::Search { folder: "INBOX".into(), query: query.clone(), limit: 10 };
        let Ok(Response::Messages(page)) = check.request(search).await else { panic!("search") };
        found = page.messages.len();
        if found > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(found, 1, "delivered once");
}

#[tokio::test]
async fn health_says_unavailable_and_metrics_count_sessions() {
    use yubin_test_support::http_get;
    let stack = MailStack::ensure();
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    client.login("abe", "abe-pass").await.unwrap();
    let (status, headers, body) = http_get(gateway.addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("text/plain; version=0.0.4")));
    let text = String::from_utf8(body).unwrap();
    for name in [
        "yubin_sessions ",
        "yubin_upstream_connections{protocol=\"imap\"}",
        "yubin_websocket_bytes_total{direction=\"in\"}",
        "yubin_errors_total{kind=\"auth_failed\"}",
        "yubin_send_seconds_count",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    let sessions: u64 =
        text.lines().find_map(|l| l.strip_prefix("yubin_sessions ")).and_then(|v| v.parse().ok()).unwrap();
    assert!(sessions >= 1, "this test's session is counted");
    let (status, _, _) = http_get(gateway.addr, "/healthz").await;
    assert_eq!(status, 200);
}
