//! POP3 accounts through the gateway, against the real Dovecot POP3 (STLS and TLS ports).
//!
//! leo, mia and noah are this file's own users.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use yubin_protocol::{ErrorKind, IncomingProtocol, LocalMessage, OutgoingMessage, Pop3Entry, Request, Response};
use yubin_test_support::{unique_subject, MailStack, TestGateway, Transport, WsClient};

async fn pop3_client(user: &str, transport: Transport) -> (TestGateway, WsClient) {
    let stack = MailStack::ensure();
    let gw = TestGateway::start(stack.gateway_config_using(std::path::Path::new("/nonexistent"), transport)).await;
    let mut client = WsClient::connect(&gw).await;
    let session = client.login_to("demo-pop3", user, &format!("{user}-pass")).await.expect("POP3 login");
    assert_eq!(session.incoming, IncomingProtocol::Pop3);
    (gw, client)
}

async fn listing(client: &mut WsClient) -> Vec<Pop3Entry> {
    match client.request(Request::Pop3List).await.expect("list") {
        Response::Pop3Listing(entries) => entries,
        other => panic!("unexpected {other:?}"),
    }
}

async fn fetch(client: &mut WsClient, uidls: Vec<String>) -> Vec<LocalMessage> {
    match client.request(Request::Pop3Fetch { uidls }).await.expect("fetch") {
        Response::LocalMessages(messages) => messages,
        other => panic!("unexpected {other:?}"),
    }
}

async fn deliver(stack: &MailStack, user: &str, subject: &str) {
    let raw = format!(
        "From: Sender <sender@example.org>\r\nTo: {user}@example.test\r\nSubject: {subject}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nbody of {subject}\r\n"
    );
    stack.deliver(user, raw.as_bytes()).await;
}

/// Waits until `user`'s listing has an entry the `known` set lacks, and returns it.
async fn wait_for_new(client: &mut WsClient, known: &HashSet<String>) -> Pop3Entry {
    for _ in 0..100 {
        if let Some(entry) = listing(client).await.into_iter().find(|e| !known.contains(&e.uidl)) {
            return entry;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no new message within 10 s");
}

#[tokio::test]
async fn first_sync_of_a_thousand_messages_by_uidl() {
    let stack = MailStack::ensure();
    let have = stack.message_count("leo", "INBOX");
    if have < 1000 {
        stack.seed(1000 - have, "leo");
    }
    let (_gw, mut leo) = pop3_client("leo", Transport::Starttls).await;
    let started = Instant::now();
    let entries = listing(&mut leo).await;
    assert!(entries.len() >= 1000, "{}", entries.len());
    let unique: HashSet<&str> = entries.iter().map(|e| e.uidl.as_str()).collect();
    assert_eq!(unique.len(), entries.len(), "UIDLs are unique");

    let mut fetched = 0;
    let mut japanese = 0;
    for batch in entries.chunks(100) {
        let uidls: Vec<String> = batch.iter().map(|e| e.uidl.clone()).collect();
        let messages = fetch(&mut leo, uidls.clone()).await;
        let keys: Vec<String> = messages.iter().map(|m| m.key.clone()).collect();
        assert_eq!(keys, uidls, "every message, in order, keyed by its UIDL");
        for message in &messages {
            assert!(!message.summary.subject.is_empty() && !message.source.is_empty());
            japanese += message.summary.subject.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)) as usize;
        }
        fetched += messages.len();
    }
    println!("POP3 first sync through the gateway: {fetched} messages in {:?}", started.elapsed());
    assert_eq!(fetched, entries.len());
    assert!(japanese > 0, "the seeded Japanese mail decodes");

    // A second session sees the same ids: what the browser stored is recognized.
    let again: HashSet<String> = listing(&mut leo).await.into_iter().map(|e| e.uidl).collect();
    assert!(entries.iter().all(|e| again.contains(&e.uidl)));
}

#[tokio::test]
async fn new_mail_is_listed_and_only_named_messages_are_deleted() {
    let stack = MailStack::ensure();
    let (_gw, mut mia) = pop3_client("mia", Transport::Starttls).await;
    let mut known: HashSet<String> = listing(&mut mia).await.into_iter().map(|e| e.uidl).collect();
    let keep_subject = unique_subject("keep me");
    deliver(stack, "mia", &keep_subject).await;
    let keep = wait_for_new(&mut mia, &known).await;
    known.insert(keep.uidl.clone());
    let drop_subject = unique_subject("delete me");
    deliver(stack, "mia", &drop_subject).await;
    let gone = wait_for_new(&mut mia, &known).await;

    let messages = fetch(&mut mia, vec![keep.uidl.clone(), gone.uidl.clone()]).await;
    assert_eq!(messages[0].summary.subject, keep_subject);
    assert_eq!(messages[1].summary.subject, drop_subject);
    assert!(messages[1].view.decode().expect("a view").text.contains("body of"));

    mia.request(Request::Pop3Delete { uidls: vec![gone.uidl.clone()] }).await.expect("delete");
    let now: HashSet<String> = listing(&mut mia).await.into_iter().map(|e| e.uidl).collect();
    assert!(!now.contains(&gone.uidl), "deleted once the session quit");
    assert!(now.contains(&keep.uidl), "left on the server");
    // Fetching what is gone is not an error: it is simply not there.
    assert!(fetch(&mut mia, vec![gone.uidl]).await.is_empty());
}

#[tokio::test]
async fn implicit_tls_works_and_a_wrong_password_shows_the_servers_words() {
    let (_gw, mut noah) = pop3_client("noah", Transport::ImplicitTls).await;
    listing(&mut noah).await;
    let stack = MailStack::ensure();
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    let err = client.login_to("demo-pop3", "noah", "wrong").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthFailed);
    assert!(err.message.contains("Authentication failed"), "{err:?}");
}

#[tokio::test]
async fn a_pop3_account_gets_its_sent_copy_to_keep_and_no_server_folders() {
    let (_gw, mut noah) = pop3_client("noah", Transport::Starttls).await;
    let err = noah.request(Request::ListFolders).await.unwrap_err();
    assert!(err.message.contains("kept in the browser"), "{err:?}");
    let Response::ComposeInfo(info) = noah.request(Request::ComposeInfo).await.expect("compose info") else { panic!() };
    assert_eq!((info.drafts, info.sent), (None, None));

    let subject = unique_subject("from a POP3 account");
    let message = OutgoingMessage {
        message_id: Some(format!("<{}@example.test>", subject.replace(' ', "-"))),
        to: vec!["noah@example.test".into()],
        subject: subject.clone(),
        text: "to myself".into(),
        ..Default::default()
    };
    let Response::Sent(receipt) = noah.request(Request::Send { message: message.clone() }).await.expect("send") else {
        panic!()
    };
    let copy = receipt.local_copy.expect("a copy for the browser's Sent");
    assert_eq!(copy.summary.subject, subject);
    assert!(copy.key.starts_with("sent:<"));
    let Response::Sent(again) = noah.request(Request::Send { message: message.clone() }).await.expect("retry") else {
        panic!()
    };
    assert!(again.already_sent, "a retry is not sent twice, even without a Sent folder");

    // Another account sending with the same Message-ID is neither stopped nor told anything.
    let (_gw, mut mia) = pop3_client("mia", Transport::Starttls).await;
    let theirs = OutgoingMessage { to: vec!["mia@example.test".into()], ..message };
    let Response::Sent(receipt) = mia.request(Request::Send { message: theirs }).await.expect("send") else { panic!() };
    assert!(!receipt.already_sent, "one account's sends say nothing about another's");
}
