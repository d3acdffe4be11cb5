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
