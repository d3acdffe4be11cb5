//! Moving mail in and out: messages imported into a folder (an mbox's worth, Japanese subjects
//! and a body line starting with "From "), imported again without a single duplicate, and the
//! folder exported as an mbox that gives back every message. pia's folders (her inbox belongs
//! to attachments.rs).

use std::collections::BTreeSet;

use base64::Engine;
use yubin_protocol::{calls, ErrorKind};
use yubin_test_support::{http_get, unique_subject, MailStack, TestGateway, WsClient};

fn message(tag: &str, n: usize) -> Vec<u8> {
    format!(
        "From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\nTo: pia@example.test\n\
         Subject: =?UTF-8?B?5pel5pys6Kqe?= {n}\nMessage-ID: <{n}.{tag}@example.jp>\n\
         Date: Wed, 3 Dec 2025 16:{:02}:00 +0900\nStatus: RO\n\nLine one of {n}\nFrom the start of a line\n>From quoted\n",
        n % 60
    )
    .into_bytes()
}

#[tokio::test]
async fn an_import_adds_nothing_twice_and_an_export_gives_every_message_back() {
    let stack = MailStack::ensure();
    let tag = unique_subject("moved").replace(' ', "-");
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("pia", "pia-pass").await.unwrap();
    let folder = client.call(calls::CreateFolder { name: tag.clone() }).await.map(|()| tag.clone()).unwrap();

    let encode = |raw: &[u8]| base64::engine::general_purpose::STANDARD.encode(raw);
    let first: Vec<String> = (0..30).map(|n| encode(&message(&tag, n))).collect();
    let report = client.call(calls::ImportMessages { folder: folder.clone(), messages: first.clone() }).await.unwrap();
    assert_eq!((report.added, report.present), (30, 0), "{report:?}");
    // Broken off and started again: the first 30 are there, the next 10 are new; one is not mail.
    let mut again = first;
    again.extend((30..40).map(|n| encode(&message(&tag, n))));
    again.push(encode(b""));
    let report = client.call(calls::ImportMessages { folder: folder.clone(), messages: again }).await.unwrap();
    assert_eq!((report.added, report.present, report.refused.len()), (10, 30, 1), "{report:?}");
    assert_eq!(stack.message_count("pia", &folder), 40);
    // Kept as read (Status: RO), arrived when they were written.
    assert!(stack.flags_of("pia", &folder).iter().all(|flags| flags.contains("\\Seen")));
    let too_many = vec![encode(&message(&tag, 99)); 51];
    let refused = client.call(calls::ImportMessages { folder: folder.clone(), messages: too_many }).await;
    assert_eq!(refused.unwrap_err().kind, ErrorKind::BadRequest);

    let url = client
        .call(calls::PrepareMbox { folder: folder.clone(), uids: Vec::new(), filename: "moved.mbox".into() })
        .await
        .unwrap();
    let (status, headers, mbox) = http_get(gw.addr, &url).await;
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(n, v)| n == "content-type" && v == "application/mbox"));
    // Read back by Python's mailbox module, another implementation than the writer.
    let path = std::env::temp_dir().join(format!("{tag}.mbox"));
    std::fs::write(&path, &mbox).unwrap();
    let script = "import sys, mailbox, json\n\
                  box = mailbox.mbox(sys.argv[1])\n\
                  print(json.dumps([[m['Message-ID'], m.get_payload()] for m in box]))";
    let out = std::process::Command::new("python3").args(["-c", script, path.to_str().unwrap()]).output().unwrap();
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let messages: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(messages.len(), 40);
    let ids: BTreeSet<String> = messages.iter().map(|(id, _)| id.clone()).collect();
    let expected: BTreeSet<String> = (0..40).map(|n| format!("<{n}.{tag}@example.jp>")).collect();
    assert_eq!(ids, expected);
    // Python's mbox reader takes mboxo quoting off only one level: ">From quoted" came back as
    // ">>From quoted" in the file, as mboxrd writes it.
    assert!(messages[0].1.contains(">From the start of a line\n"), "{:?}", messages[0].1);
    assert!(String::from_utf8_lossy(&mbox).contains("\n>From the start of a line\n>>From quoted\n"));
}

#[tokio::test]
async fn a_search_of_every_folder_finds_each_match_once_labelled_and_paged() {
    let stack = MailStack::ensure();
    let tag = unique_subject("everywhere").replace(' ', "-");
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("pia", "pia-pass").await.unwrap();
    let encode = |raw: &[u8]| base64::engine::general_purpose::STANDARD.encode(raw);
    // Three in one folder, two in another (dated by their Date:, an hour apart), one arriving now.
    let dated = |n: usize| {
        format!(
            "Subject: {tag} {n}\r\nMessage-ID: <e{n}.{tag}@x>\r\nDate: Wed, 3 Dec 2025 {n:02}:00:00 +0000\r\n\r\nx\r\n"
        )
    };
    for (folder, range) in [(format!("{tag}-a"), 1..4), (format!("{tag}-b"), 4..6)] {
        client.call(calls::CreateFolder { name: folder.clone() }).await.unwrap();
        let messages = range.map(|n| encode(dated(n).as_bytes())).collect();
        client.call(calls::ImportMessages { folder, messages }).await.unwrap();
    }
    stack.deliver("pia", format!("Subject: {tag} new\r\n\r\nnow\r\n").as_bytes()).await;
    let query = yubin_protocol::SearchQuery { subject: Some(tag.clone()), ..Default::default() };
    let mut page = client.call(calls::SearchEverywhere { query: query.clone(), offset: 0, limit: 4 }).await.unwrap();
    for _ in 0..50 {
        if page.total == 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await; // the delivery
        page = client.call(calls::SearchEverywhere { query: query.clone(), offset: 0, limit: 4 }).await.unwrap();
    }
    assert_eq!(page.total, 6);
    assert!(page.folders >= 3);
    let rows: Vec<(String, String)> = page.hits.iter().map(|h| (h.folder.clone(), h.message.subject.clone())).collect();
    assert_eq!(
        rows,
        [
            ("INBOX".to_owned(), format!("{tag} new")),
            (format!("{tag}-b"), format!("{tag} 5")),
            (format!("{tag}-b"), format!("{tag} 4")),
            (format!("{tag}-a"), format!("{tag} 3")),
        ]
    );
    let rest = client.call(calls::SearchEverywhere { query, offset: 4, limit: 4 }).await.unwrap();
    let subjects: Vec<&str> = rest.hits.iter().map(|h| h.message.subject.as_str()).collect();
    assert_eq!(subjects, [format!("{tag} 2"), format!("{tag} 1")]);
}
