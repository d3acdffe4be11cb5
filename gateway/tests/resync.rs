//! Incremental resync of a message list ([`Request::SyncMessages`]) against the real Dovecot:
//! with QRESYNC (dora), and on a server that offers nothing beyond RFC 3501 (otto, the mail
//! stack's basic user). Another client's changes are made with Dovecot's own `doveadm`.

use std::collections::HashSet;

use yubin_protocol::{FolderChanges, MessagePage, Request, Response, SyncPoint, Uid};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

async fn logged_in(user: &str) -> (TestGateway, WsClient) {
    let stack = MailStack::ensure();
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    client.login(user, &format!("{user}-pass")).await.expect("login");
    (gateway, client)
}

async fn deliver(stack: &MailStack, user: &str, subject: &str) {
    let raw =
        format!("From: Sender <sender@example.org>\r\nTo: {user}@example.test\r\nSubject: {subject}\r\n\r\nbody\r\n");
    stack.deliver(user, raw.as_bytes()).await;
}

/// Waits until `user`'s INBOX holds `count` messages: Postfix delivers after it accepted.
async fn settled(stack: &MailStack, user: &str, count: u32) {
    for _ in 0..100 {
        if stack.message_count(user, "INBOX") == count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{user}'s INBOX never held {count} messages");
}

async fn newest(client: &mut WsClient, limit: u32) -> MessagePage {
    let request = Request::ListMessages { folder: "INBOX".into(), offset: 0, limit, sort: Default::default() };
    match client.request(request).await.expect("list") {
        Response::Messages(page) => page,
        other => panic!("unexpected {other:?}"),
    }
}

async fn sync(client: &mut WsClient, since: SyncPoint) -> FolderChanges {
    match client.request(Request::SyncMessages { folder: "INBOX".into(), since }).await.expect("sync") {
        Response::Changes(changes) => changes,
        other => panic!("unexpected {other:?}"),
    }
}

fn held(page: &MessagePage) -> SyncPoint {
    SyncPoint {
        uid_validity: page.uid_validity,
        modseq: page.modseq,
        newest: page.messages.iter().map(|m| m.uid).max().unwrap_or(0),
        uids: page.messages.iter().map(|m| m.uid).collect(),
    }
}

fn set(uids: &[Uid]) -> HashSet<Uid> {
    uids.iter().copied().collect()
}

/// The browser holds the 3 newest of dora's messages. Another client flags one, expunges one
/// held and one not held, and two arrive: one sync tells all of it, the unheld expunge
/// included, and a second sync from where the first ended tells nothing.
#[tokio::test]
async fn with_qresync_one_sync_tells_flags_expunges_and_arrivals() {
    let stack = MailStack::ensure();
    let before = stack.message_count("dora", "INBOX");
    for i in 0..6 {
        deliver(stack, "dora", &unique_subject(&format!("dora {i}"))).await;
    }
    settled(stack, "dora", before + 6).await;
    let (_gateway, mut client) = logged_in("dora").await;
    let all = newest(&mut client, 6).await;
    let page = newest(&mut client, 3).await;
    assert!(page.modseq.is_some(), "Dovecot has CONDSTORE: the page says where its changes stand");
    let (flagged, gone_held, gone_unheld) = (page.messages[1].uid, page.messages[2].uid, all.messages[5].uid);

    stack.add_flag("dora", "\\Flagged", flagged);
    stack.expunge("dora", gone_held);
    stack.expunge("dora", gone_unheld);
    let arrived = [unique_subject("dora new 1"), unique_subject("dora new 2")];
    for subject in &arrived {
        deliver(stack, "dora", subject).await;
    }
    settled(stack, "dora", before + 6).await;

    let changes = sync(&mut client, held(&page)).await;
    assert!(!changes.reset);
    assert!(changes.vanished_complete, "QRESYNC reports every expunge");
    assert_eq!(set(&changes.vanished), set(&[gone_held, gone_unheld]));
    let update = changes.changed.iter().find(|c| c.uid == flagged).expect("the flag change");
    assert!(update.flags.flagged);
    let subjects: Vec<&str> = changes.arrived.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects, [arrived[1].as_str(), arrived[0].as_str()], "newest first");
    assert_eq!(changes.total, page.total, "two gone, two new");
    assert!(changes.modseq > page.modseq, "the next sync starts later");

    let mut uids: Vec<Uid> = page.messages.iter().map(|m| m.uid).filter(|uid| *uid != gone_held).collect();
    uids.extend(changes.arrived.iter().map(|m| m.uid));
    let newest_uid = changes.arrived[0].uid;
    let again = SyncPoint { uid_validity: changes.uid_validity, modseq: changes.modseq, newest: newest_uid, uids };
    let quiet = sync(&mut client, again).await;
    assert!(quiet.arrived.is_empty() && quiet.vanished.is_empty() && quiet.changed.is_empty(), "{quiet:?}");
}

/// Rows of another UIDVALIDITY cannot be patched: the browser is told to list again.
#[tokio::test]
async fn another_uid_validity_resets() {
    let (_gateway, mut client) = logged_in("dora").await;
    let page = newest(&mut client, 5).await;
    let mut since = held(&page);
    since.uid_validity = since.uid_validity.map(|v| v.wrapping_add(1));
    assert!(sync(&mut client, since).await.reset);
}

/// On a server without CONDSTORE the held rows are compared one by one: their flags, which of
/// them are gone, and what is new. The folder list is built there from LIST, LSUB and STATUS.
#[tokio::test]
async fn without_condstore_the_held_rows_are_compared() {
    let stack = MailStack::ensure();
    let before = stack.message_count("otto", "INBOX");
    for i in 0..3 {
        deliver(stack, "otto", &unique_subject(&format!("otto {i}"))).await;
    }
    settled(stack, "otto", before + 3).await;
    let (_gateway, mut client) = logged_in("otto").await;
    let page = newest(&mut client, 3).await;
    assert_eq!(page.modseq, None, "the basic server has no CONDSTORE");
    let (flagged, gone) = (page.messages[0].uid, page.messages[1].uid);

    stack.add_flag("otto", "\\Flagged", flagged);
    stack.expunge("otto", gone);
    let subject = unique_subject("otto new");
    deliver(stack, "otto", &subject).await;
    settled(stack, "otto", before + 3).await;

    let changes = sync(&mut client, held(&page)).await;
    assert!(!changes.reset && !changes.vanished_complete);
    assert_eq!(changes.vanished, [gone]);
    assert!(changes.changed.iter().any(|c| c.uid == flagged && c.flags.flagged));
    assert_eq!(changes.arrived.len(), 1);
    assert_eq!(changes.arrived[0].subject, subject);
    assert_eq!(changes.total, page.total);

    let Response::Folders(folders) = client.request(Request::ListFolders).await.unwrap() else { panic!() };
    let inbox = folders.iter().find(|f| f.id == "INBOX").expect("INBOX");
    assert_eq!(inbox.total, Some(changes.total), "counts without LIST-STATUS");
}
