//! Hostile or broken mail through the gateway: an attachment that claims to be a web page is
//! still only a download, and a message that is not mail at all is answered with an error or
//! a best-effort view while the session goes on. rita is this file's own user.

use std::time::Duration;

use yubin_protocol::{Request, Response, SearchQuery};
use yubin_test_support::{http_get, unique_subject, MailStack, TestGateway, WsClient};

async fn find_uid(client: &mut WsClient, subject: &str) -> u32 {
    for _ in 0..100 {
        let query = SearchQuery { subject: Some(subject.into()), ..Default::default() };
        if let Ok(Response::Messages(page)) =
            client.request(Request::Search { folder: "INBOX".into(), query, limit: 5 }).await
        {
            if let Some(row) = page.messages.iter().find(|row| row.subject == subject) {
                return row.uid;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{subject} did not arrive");
}

#[tokio::test]
async fn an_html_attachment_is_served_as_a_download_only() {
    let stack = MailStack::ensure();
    let subject = unique_subject("invoice");
    let raw = format!(
        "From: a@example.org\r\nTo: rita@example.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"invoice.html\"\r\n\r\n\
         <script>document.cookie</script>\r\n--b\r\nContent-Type: image/svg+xml\r\n\
         Content-Disposition: attachment; filename=\"logo.svg\"\r\n\r\n<svg onload=\"alert(1)\"/>\r\n--b--\r\n"
    );
    stack.deliver("rita", raw.as_bytes()).await;
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("rita", "rita-pass").await.unwrap();
    let uid = find_uid(&mut client, &subject).await;
    let Response::Message(view) = client.request(Request::GetMessage { folder: "INBOX".into(), uid }).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(view.attachments.len(), 2);
    for attachment in &view.attachments {
        let request = Request::PrepareDownload {
            folder: "INBOX".into(),
            uid,
            section: attachment.section.clone(),
            filename: attachment.filename.clone().unwrap(),
        };
        let Response::Download { url } = client.request(request).await.unwrap() else { panic!() };
        let (status, headers, _) = http_get(gw.addr, &url).await;
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!(status, 200);
        assert_eq!(header("content-type"), "application/octet-stream", "{:?}", attachment.filename);
        assert!(header("content-disposition").starts_with("attachment"));
        assert!(header("content-security-policy").starts_with("sandbox"));
        assert_eq!(header("x-content-type-options"), "nosniff");
    }
}

#[tokio::test]
async fn a_message_that_is_not_mail_costs_nothing_but_itself() {
    let stack = MailStack::ensure();
    let subject = unique_subject("broken");
    let mut raw = format!(
        "From: a@example.org\r\nTo: rita@example.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n--\r\n--\r\n"
    )
    .into_bytes();
    raw.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));
    stack.deliver("rita", &raw).await;
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("rita", "rita-pass").await.unwrap();
    let uid = find_uid(&mut client, &subject).await;
    // An error or a best-effort view are both fine; what matters is an answer.
    let _ = client.request(Request::GetMessage { folder: "INBOX".into(), uid }).await;
    let _ = client.request(Request::GetSource { folder: "INBOX".into(), uid }).await.expect("the raw source");
    client.request(Request::ListFolders).await.expect("the session goes on");
}
