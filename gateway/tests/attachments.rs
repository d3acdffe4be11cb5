//! Attachments looked at and taken away: a preview is served only as a type that cannot act
//! as a page (HTML and SVG become plain text, text is decoded to UTF-8), inside a sandbox, and
//! a zip of all attachments is built while it streams and unpacks to the very bytes that were
//! sent. pia is this file's own user.

use std::time::Duration;

use base64::Engine;
use yubin_protocol::{calls, MessageView, Request, Response, SearchQuery, ZipPart};
use yubin_test_support::{http_get, unique_subject, MailStack, TestGateway, WsClient};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..300_000u32).map(|i| (i * 31 % 251) as u8));
    bytes
}

fn base64_lines(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    encoded.as_bytes().chunks(76).map(|line| format!("{}\r\n", String::from_utf8_lossy(line))).collect()
}

/// A message with a PDF, a photo sent as octet-stream (twice, same name), a Japanese text in
/// ISO-2022-JP named by RFC 2231, an HTML page, and a zip.
fn message(subject: &str) -> String {
    let notes = b"\x1b$B5D;vO?\x1b(B: 2026\r\n"; // "議事録" in ISO-2022-JP
    format!(
        "From: a@example.org\r\nTo: pia@example.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfiles\r\n\
         --b\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?6KaL56mN5pu4LnBkZg==?=\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{pdf}\
         --b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=photo.jpg\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{jpeg}\
         --b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=photo.jpg\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{jpeg}\
         --b\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\
         Content-Disposition: attachment; filename*=UTF-8''%E8%AD%B0%E4%BA%8B%E9%8C%B2.txt\r\n\
         Content-Transfer-Encoding: 7bit\r\n\r\n{notes}\
         --b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=page.html\r\n\r\n\
         <script>alert(document.cookie)</script>\r\n\
         --b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=a.zip\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n--b--\r\n",
        pdf = base64_lines(PDF),
        jpeg = base64_lines(&jpeg()),
        notes = String::from_utf8_lossy(notes),
    )
}

async fn open(client: &mut WsClient, subject: &str) -> MessageView {
    for _ in 0..100 {
        let query = SearchQuery { subject: Some(subject.into()), ..Default::default() };
        if let Ok(Response::Messages(page)) =
            client.request(Request::Search { folder: "INBOX".into(), query, limit: 5 }).await
        {
            if let Some(row) = page.messages.iter().find(|row| row.subject == subject) {
                return client.call(calls::GetMessage { folder: "INBOX".into(), uid: row.uid }).await.unwrap();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{subject} did not arrive");
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

#[tokio::test]
async fn previews_are_served_only_as_harmless_types() {
    let stack = MailStack::ensure();
    let subject = unique_subject("preview");
    stack.deliver("pia", message(&subject).as_bytes()).await;
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("pia", "pia-pass").await.unwrap();
    let view = open(&mut client, &subject).await;
    let names: Vec<&str> = view.attachments.iter().map(|a| a.filename.as_deref().unwrap_or_default()).collect();
    assert_eq!(names, ["見積書.pdf", "photo.jpg", "photo.jpg", "議事録.txt", "page.html", "a.zip"]);

    let expected = [
        ("application/pdf", Some(PDF.to_vec())),
        ("image/jpeg", Some(jpeg())),
        ("image/jpeg", None),
        // The line break before the boundary belongs to the boundary (RFC 2046).
        ("text/plain; charset=utf-8", Some("議事録: 2026".as_bytes().to_vec())),
        ("text/plain; charset=utf-8", Some(b"<script>alert(document.cookie)</script>".to_vec())),
    ];
    for (attachment, (content_type, body)) in view.attachments.iter().zip(expected) {
        let request =
            calls::PreparePreview { folder: "INBOX".into(), uid: view.uid, section: attachment.section.clone() };
        let url = client.call(request).await.unwrap();
        let (status, headers, got) = http_get(gw.addr, &url).await;
        assert_eq!(status, 200, "{:?}", attachment.filename);
        assert_eq!(header(&headers, "content-type"), content_type, "{:?}", attachment.filename);
        assert!(header(&headers, "content-security-policy").starts_with("sandbox;"));
        assert!(header(&headers, "content-security-policy").contains("frame-ancestors 'self'"));
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(header(&headers, "x-frame-options"), "SAMEORIGIN");
        assert!(header(&headers, "content-disposition").starts_with("inline"));
        if let Some(body) = body {
            assert_eq!(got.len(), body.len(), "{:?}", attachment.filename);
            assert!(got == body, "{:?}", attachment.filename);
        }
        // A player asks again to seek: the link works more than once within its minute.
        assert_eq!(http_get(gw.addr, &url).await.0, 200);
    }

    // A zip is no preview: refused in words, and nothing served.
    let zip = view.attachments.last().unwrap();
    let url = client
        .call(calls::PreparePreview { folder: "INBOX".into(), uid: view.uid, section: zip.section.clone() })
        .await
        .unwrap();
    assert_eq!(http_get(gw.addr, &url).await.0, 415);
}

#[tokio::test]
async fn all_attachments_come_as_one_zip_of_the_sent_bytes() {
    let stack = MailStack::ensure();
    let subject = unique_subject("zip");
    stack.deliver("pia", message(&subject).as_bytes()).await;
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("pia", "pia-pass").await.unwrap();
    let view = open(&mut client, &subject).await;
    let parts: Vec<ZipPart> = view
        .attachments
        .iter()
        .map(|a| ZipPart { section: a.section.clone(), filename: a.filename.clone().unwrap_or_default() })
        .collect();
    let request = calls::PrepareZip { folder: "INBOX".into(), uid: view.uid, parts, filename: "files.zip".into() };
    let url = client.call(request).await.unwrap();
    let (status, headers, zip) = http_get(gw.addr, &url).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "application/zip");
    assert!(header(&headers, "content-disposition").starts_with("attachment; filename=\"files.zip\""));
    // Once only.
    assert_eq!(http_get(gw.addr, &url).await.0, 404);

    // Unpacked by another implementation than the one that packed it.
    let path = std::env::temp_dir().join(format!("yubin-{}.zip", subject.replace(' ', "-")));
    std::fs::write(&path, &zip).unwrap();
    let script = "import sys, zipfile, json\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  assert z.testzip() is None\n\
                  print(json.dumps([[i.filename, z.read(i).hex()] for i in z.infolist()]))";
    let out = std::process::Command::new("python3").args(["-c", script, path.to_str().unwrap()]).output().unwrap();
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let entries: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["見積書.pdf", "photo.jpg", "photo (2).jpg", "議事録.txt", "page.html", "a.zip"]);
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(entries[0].1, hex(PDF));
    assert_eq!(entries[2].1, hex(&jpeg()));
    assert_eq!(entries[3].1, hex(b"\x1b$B5D;vO?\x1b(B: 2026"));
}
