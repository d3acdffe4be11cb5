//! Writing and sending through the gateway, against the real Postfix + Dovecot stack:
//! attachments, Sent and Drafts, at-most-once retries, replies, forwards, refusals, bounces.
//!
//! jack and kate are this file's own users; alice sends the bounce test.

use std::time::Duration;

use base64::Engine;
use yubin_gateway::upstream::imap::ImapConnection;
use yubin_gateway::upstream::net::Upstream;
use yubin_gateway::upstream::smtp::SmtpUpstream;
use yubin_protocol::{
    AttachmentSource, ErrorKind, FolderRole, MessageRef, MessageView, OutgoingAttachment, OutgoingMessage, Request,
    Response, SearchQuery, Uid,
};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

async fn logged_in(user: &str) -> (TestGateway, WsClient) {
    let stack = MailStack::ensure();
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login(user, &format!("{user}-pass")).await.expect("login");
    (gw, client)
}

fn message_id() -> String {
    format!("<{}@example.test>", unique_subject("t").replace(' ', "-"))
}

/// Uploads `bytes` in 64 KiB chunks, as the browser does.
async fn upload(client: &mut WsClient, id: &str, bytes: &[u8]) {
    let total = bytes.len() as u64;
    for (i, chunk) in bytes.chunks(64 << 10).enumerate() {
        let data = base64::engine::general_purpose::STANDARD.encode(chunk);
        let request = Request::Upload { upload: id.into(), offset: (i * (64 << 10)) as u64, total, data };
        client.request(request).await.expect("upload chunk");
    }
}

/// UIDs in `folder` with this Message-ID, waiting up to 10 s for at least `at_least`.
async fn find(client: &mut WsClient, folder: &str, message_id: &str, at_least: usize) -> Vec<Uid> {
    let query = SearchQuery { message_id: Some(message_id.into()), ..Default::default() };
    find_by(client, folder, query, at_least).await
}

/// UIDs in `folder` matching `query`, waiting up to 10 s for at least `at_least`.
async fn find_by(client: &mut WsClient, folder: &str, query: SearchQuery, at_least: usize) -> Vec<Uid> {
    for _ in 0..100 {
        let search = Request::Search { folder: folder.into(), query: query.clone(), limit: 10 };
        let Response::Messages(page) = client.request(search).await.expect("search") else {
            panic!("expected messages")
        };
        if page.messages.len() >= at_least {
            return page.messages.iter().map(|m| m.uid).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{query:?} did not reach {folder} within 10 s");
}

async fn open(client: &mut WsClient, folder: &str, uid: Uid) -> MessageView {
    match client.request(Request::GetMessage { folder: folder.into(), uid }).await.expect("open") {
        Response::Message(view) => *view,
        other => panic!("unexpected {other:?}"),
    }
}

async fn special(client: &mut WsClient, role: FolderRole) -> String {
    let Response::Folders(folders) = client.request(Request::ListFolders).await.unwrap() else { panic!() };
    folders.into_iter().find(|f| f.role == Some(role)).expect("special folder").id
}

async fn download(gw: &TestGateway, client: &mut WsClient, folder: &str, uid: Uid, section: &str) -> Vec<u8> {
    let request =
        Request::PrepareDownload { folder: folder.into(), uid, section: section.into(), filename: "f".into() };
    let Response::Download { url } = client.request(request).await.expect("download link") else { panic!() };
    yubin_test_support::http_get(gw.addr, &url).await.2
}

/// Sends `message` (with a subject and text filled in), expecting the server to refuse it.
async fn refusal(client: &mut WsClient, message: OutgoingMessage) -> yubin_protocol::ApiError {
    let message = OutgoingMessage { subject: unique_subject("refused"), text: "x".into(), ..message };
    client.request(Request::Send { message }).await.expect_err("the server refuses")
}

fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn attachments_arrive_intact_sent_is_filed_once_and_a_retry_sends_nothing() {
    let (gw, mut jack) = logged_in("jack").await;
    let binary = pseudo_random(300_000);
    upload(&mut jack, "u1", &binary).await;
    // Bare LF line ends: a text file must arrive as it was, not with CRLF added on the way.
    upload(&mut jack, "u2", "テキスト\n二行目\n".as_bytes()).await;
    let id = message_id();
    let subject = unique_subject("報告書 attached");
    let message = OutgoingMessage {
        message_id: Some(id.clone()),
        from: Some("Jack Example <jack@example.test>".into()),
        to: vec!["Kate <kate@example.test>".into()],
        bcc: vec!["jack@example.test".into()],
        subject: subject.clone(),
        text: "See the files.\nよろしく".into(),
        attachments: vec![
            OutgoingAttachment {
                source: AttachmentSource::Upload { upload: "u1".into() },
                filename: "データ.bin".into(),
                content_type: "application/octet-stream".into(),
                size: binary.len() as u64,
            },
            OutgoingAttachment {
                source: AttachmentSource::Upload { upload: "u2".into() },
                filename: "memo.txt".into(),
                content_type: "text/plain; charset=utf-8".into(),
                size: 23,
            },
        ],
        ..Default::default()
    };
    let Response::Sent(receipt) = jack.request(Request::Send { message: message.clone() }).await.expect("send") else {
        panic!()
    };
    assert!(!receipt.already_sent);
    assert_eq!(receipt.message_id, id);
    let sent = special(&mut jack, FolderRole::Sent).await;
    assert_eq!(receipt.saved_in.as_deref(), Some(sent.as_str()));

    // The reply to the first attempt was "lost": the browser sends the same message again.
    // The uploads are gone with the first send, which does not matter: nothing is built.
    let Response::Sent(again) = jack.request(Request::Send { message }).await.expect("retry") else { panic!() };
    assert!(again.already_sent, "a retry of a message in Sent must not send again");

    let copies = find(&mut jack, &sent, &id, 1).await;
    assert_eq!(copies.len(), 1, "filed once");
    let copy = open(&mut jack, &sent, copies[0]).await;
    assert_eq!(copy.bcc.first().map(|a| a.email.as_str()), Some("jack@example.test"), "Sent keeps Bcc");

    let (gw_kate, mut kate) = logged_in("kate").await;
    let got = find(&mut kate, "INBOX", &id, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(find(&mut kate, "INBOX", &id, 1).await.len(), 1, "delivered exactly once");
    let view = open(&mut kate, "INBOX", got[0]).await;
    assert_eq!(view.subject, subject);
    assert!(view.bcc.is_empty(), "recipients never see Bcc");
    assert!(view.text.contains("よろしく"));
    assert_eq!(view.from[0].name.as_deref(), Some("Jack Example"));
    let names: Vec<_> = view.attachments.iter().map(|a| a.filename.clone().unwrap_or_default()).collect();
    assert_eq!(names, ["データ.bin", "memo.txt"]);
    let bytes = download(&gw_kate, &mut kate, "INBOX", got[0], &view.attachments[0].section).await;
    assert!(bytes == binary, "binary attachment must arrive byte-identical ({} bytes)", bytes.len());
    let text = download(&gw_kate, &mut kate, "INBOX", got[0], &view.attachments[1].section).await;
    assert_eq!(text, "テキスト\n二行目\n".as_bytes(), "the text file arrives byte for byte");
    drop(gw);
}

#[tokio::test]
async fn a_reply_threads_and_marks_the_original_answered_and_forwards_carry_the_original() {
    let (_gw_jack, mut jack) = logged_in("jack").await;
    let (_gw_kate, mut kate) = logged_in("kate").await;
    let original_id = message_id();
    let subject = unique_subject("question");
    jack.request(Request::Send {
        message: OutgoingMessage {
            message_id: Some(original_id.clone()),
            to: vec!["kate@example.test".into()],
            subject: subject.clone(),
            text: "Lunch on Friday?".into(),
            ..Default::default()
        },
    })
    .await
    .expect("send the question");
    let uid = find(&mut kate, "INBOX", &original_id, 1).await[0];

    let reply_id = message_id();
    kate.request(Request::Send {
        message: OutgoingMessage {
            message_id: Some(reply_id.clone()),
            to: vec!["jack@example.test".into()],
            subject: format!("Re: {subject}"),
            text: "Yes!\n\n> Lunch on Friday?".into(),
            in_reply_to: Some(original_id.clone()),
            references: vec![original_id.clone()],
            replying_to: Some(MessageRef { folder: "INBOX".into(), uid }),
            ..Default::default()
        },
    })
    .await
    .expect("reply");
    assert!(open(&mut kate, "INBOX", uid).await.flags.answered, "the original is marked answered");
    let reply_uid = find(&mut jack, "INBOX", &reply_id, 1).await[0];
    let reply = open(&mut jack, "INBOX", reply_uid).await;
    assert_eq!(reply.in_reply_to.as_deref(), Some(original_id.as_str()));
    assert_eq!(reply.references, std::slice::from_ref(&original_id));

    // Forward as attachment: the gateway takes the original from the server itself.
    let forward_id = message_id();
    kate.request(Request::Send {
        message: OutgoingMessage {
            message_id: Some(forward_id.clone()),
            to: vec!["jack@example.test".into()],
            subject: format!("Fwd: {subject}"),
            text: "See below.".into(),
            attachments: vec![OutgoingAttachment {
                source: AttachmentSource::Message { folder: "INBOX".into(), uid },
                filename: "question.eml".into(),
                content_type: "message/rfc822".into(),
                size: 0,
            }],
            ..Default::default()
        },
    })
    .await
    .expect("forward");
    let forwarded_uid = find(&mut jack, "INBOX", &forward_id, 1).await[0];
    let forwarded = open(&mut jack, "INBOX", forwarded_uid).await;
    assert_eq!(forwarded.forwarded.len(), 1, "{forwarded:?}");
    assert_eq!(forwarded.forwarded[0].subject, subject);
    assert!(forwarded.forwarded[0].text.contains("Lunch on Friday?"));
}

#[tokio::test]
async fn drafts_are_replaced_reopened_with_their_attachments_and_removed_when_sent() {
    let (_gw, mut jack) = logged_in("jack").await;
    let drafts = special(&mut jack, FolderRole::Drafts).await;
    let id = message_id();
    upload(&mut jack, "d1", b"first attachment").await;
    let mut draft = OutgoingMessage {
        message_id: Some(id.clone()),
        to: vec![],
        subject: "half written".into(),
        text: "Dear".into(),
        attachments: vec![OutgoingAttachment {
            source: AttachmentSource::Upload { upload: "d1".into() },
            filename: "a.txt".into(),
            content_type: "text/plain".into(),
            size: 16,
        }],
        ..Default::default()
    };
    let Response::DraftSaved { folder, uid: Some(first) } =
        jack.request(Request::SaveDraft { message: draft.clone() }).await.expect("save draft")
    else {
        panic!("expected DraftSaved with a UID")
    };
    assert_eq!(folder, drafts);

    // Later: more text, the attachment now referred to inside the saved draft (section 2),
    // as the browser does after a reload.
    draft.text = "Dear Kate,\nthe report is attached.".into();
    draft.to = vec!["kate@example.test".into()];
    draft.attachments[0].source = AttachmentSource::Part { folder: drafts.clone(), uid: first, section: "2".into() };
    let Response::DraftSaved { uid: Some(second), .. } =
        jack.request(Request::SaveDraft { message: draft.clone() }).await.expect("save again")
    else {
        panic!()
    };
    assert_ne!(first, second);
    assert_eq!(find(&mut jack, &drafts, &id, 1).await, [second], "the old version is gone");
    let reopened = open(&mut jack, &drafts, second).await;
    assert!(reopened.text.contains("the report is attached"));
    assert_eq!(reopened.to[0].email, "kate@example.test");
    assert!(reopened.flags.draft);
    assert_eq!(reopened.attachments[0].filename.as_deref(), Some("a.txt"));
    assert_eq!(reopened.attachments[0].section, "2");

    draft.attachments[0].source = AttachmentSource::Part { folder: drafts.clone(), uid: second, section: "2".into() };
    jack.request(Request::Send { message: draft }).await.expect("send the draft");
    let query = SearchQuery { message_id: Some(id.clone()), ..Default::default() };
    let Response::Messages(left) =
        jack.request(Request::Search { folder: drafts, query, limit: 10 }).await.expect("search drafts")
    else {
        panic!()
    };
    assert!(left.messages.is_empty(), "sending removes the draft");
}

/// ines keeps formatted drafts and templates.
#[tokio::test]
async fn formatted_drafts_reopen_formatted_and_templates_are_kept_in_their_folder() {
    const PNG: &str =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let (_gw, mut ines) = logged_in("ines").await;
    let drafts = special(&mut ines, FolderRole::Drafts).await;
    let id = message_id();
    let draft = OutgoingMessage {
        message_id: Some(id.clone()),
        subject: unique_subject("formatted draft"),
        text: "Hello bold".into(),
        html: Some(format!(
            r#"<div>Hello <b>bold</b></div><div><img src="data:image/png;base64,{PNG}" alt="dot"></div>"#
        )),
        ..Default::default()
    };
    let Response::DraftSaved { uid: Some(uid), .. } =
        ines.request(Request::SaveDraft { message: draft }).await.expect("save a formatted draft")
    else {
        panic!("expected DraftSaved with a UID")
    };
    let reopened = open(&mut ines, &drafts, uid).await;
    let html = reopened.html.expect("the draft is formatted");
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(html.contains(&format!("src=\"data:image/png;base64,{PNG}")), "the picture comes back in the text: {html}");
    assert!(reopened.text.contains("Hello *bold*"), "{}", reopened.text);
    assert!(
        reopened.attachments.len() == 1 && reopened.attachments[0].inline,
        "the picture is marked as shown in the text: {:?}",
        reopened.attachments
    );

    // A template, saved twice under one Message-ID, is one message in Templates.
    let subject = unique_subject("template");
    let template_id = message_id();
    let mut template = OutgoingMessage {
        message_id: Some(template_id.clone()),
        subject: subject.clone(),
        text: "Thanks for your order.".into(),
        ..Default::default()
    };
    let Response::DraftSaved { folder, .. } =
        ines.request(Request::SaveTemplate { message: template.clone() }).await.expect("save a template")
    else {
        panic!()
    };
    assert_eq!(folder, "Templates");
    template.text = "Thanks for your order; it ships tomorrow.".into();
    ines.request(Request::SaveTemplate { message: template }).await.expect("save it again");
    let Response::Messages(page) = ines.request(Request::ListTemplates).await.expect("list templates") else {
        panic!()
    };
    assert_eq!(page.folder, "Templates");
    let mine: Vec<_> = page.messages.iter().filter(|m| m.subject == subject).collect();
    assert_eq!(mine.len(), 1, "{:?}", page.messages);
    assert!(open(&mut ines, "Templates", mine[0].uid).await.text.contains("ships tomorrow"));
}

/// Send later: ugo's message waits in Drafts with its time; of two browsers claiming it at
/// the same moment exactly one gets it; sent, it leaves Drafts.
#[tokio::test]
async fn a_message_sent_later_waits_in_drafts_and_only_one_claim_wins() {
    let (gw, mut ugo) = logged_in("ugo").await;
    let mut other = WsClient::connect(&gw).await;
    other.login("ugo", "ugo-pass").await.expect("a second browser");
    let drafts = special(&mut ugo, FolderRole::Drafts).await;
    // It answers a message: that one is flagged answered when the draft goes, whoever sends it.
    let question_id = message_id();
    let question = OutgoingMessage {
        message_id: Some(question_id.clone()),
        to: vec!["ugo@example.test".into()],
        subject: unique_subject("question"),
        ..Default::default()
    };
    ugo.request(Request::Send { message: question }).await.expect("the question");
    let original = MessageRef { folder: "INBOX".into(), uid: find(&mut ugo, "INBOX", &question_id, 1).await[0] };
    let subject = unique_subject("later");
    let message = OutgoingMessage {
        message_id: Some(message_id()),
        to: vec!["ugo@example.test".into()],
        subject: subject.clone(),
        text: "Sent by whichever browser is open.".into(),
        in_reply_to: Some(question_id),
        replying_to: Some(original.clone()),
        ..Default::default()
    };
    let no_one = OutgoingMessage { to: vec![], ..message.clone() };
    let refused = ugo.request(Request::ScheduleSend { message: no_one, send_at: 1 }).await.expect_err("no recipient");
    assert_eq!(refused.kind, ErrorKind::BadRequest);
    let Response::DraftSaved { folder, uid: Some(uid) } =
        ugo.request(Request::ScheduleSend { message: message.clone(), send_at: 1_000 }).await.expect("schedule")
    else {
        panic!("expected DraftSaved with a UID")
    };
    assert_eq!(folder, drafts);
    let Response::Scheduled { folder, waiting } = other.request(Request::ListScheduled).await.expect("list") else {
        panic!()
    };
    assert_eq!(folder, drafts);
    assert!(waiting.contains(&yubin_protocol::ScheduledSend { uid, send_at: 1_000 }), "{waiting:?}");

    let (a, b) =
        tokio::join!(ugo.request(Request::ClaimScheduled { uid }), other.request(Request::ClaimScheduled { uid }));
    let claims = [a.expect("claim"), b.expect("claim")];
    let won = claims.iter().filter(|c| matches!(c, Response::Claimed(true))).count();
    assert_eq!(won, 1, "{claims:?}");
    let Response::Claimed(again) = ugo.request(Request::ClaimScheduled { uid }).await.unwrap() else { panic!() };
    assert!(!again, "a claimed message is not waiting any more");
    let Response::Scheduled { waiting, .. } = ugo.request(Request::ListScheduled).await.unwrap() else { panic!() };
    assert!(!waiting.iter().any(|w| w.uid == uid));
    let draft = open(&mut ugo, &drafts, uid).await;
    assert!(draft.flags.draft, "claimed, it is still a draft until sent");
    assert_eq!(draft.replying_to.as_ref(), Some(&original), "the draft remembers what it answers (X-Draft-Info)");

    // Sent as the draft stands, as a browser does: from what was read back.
    let message = OutgoingMessage { replying_to: draft.replying_to, ..message };
    ugo.request(Request::Send { message }).await.expect("send");
    assert!(open(&mut ugo, "INBOX", original.uid).await.flags.answered, "the original is marked answered");
    let query = SearchQuery { subject: Some(subject.clone()), ..Default::default() };
    let Response::Messages(left) = ugo.request(Request::Search { folder: drafts, query, limit: 10 }).await.unwrap()
    else {
        panic!()
    };
    assert!(left.messages.is_empty(), "sending removes the waiting draft");
    let query = SearchQuery { subject: Some(subject), ..Default::default() };
    find_by(&mut ugo, "INBOX", query, 1).await;
}

#[tokio::test]
async fn every_refused_recipient_is_listed_and_nothing_is_sent() {
    let (_gw, mut jack) = logged_in("jack").await;
    let err = refusal(
        &mut jack,
        OutgoingMessage {
            to: vec!["kate@example.test".into(), "nosuch1@example.test".into()],
            cc: vec!["nosuch2@example.test".into()],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(err.kind, ErrorKind::Refused);
    assert_eq!(err.details.len(), 2, "{err:?}");
    for (line, who) in err.details.iter().zip(["nosuch1", "nosuch2"]) {
        assert!(line.starts_with("550 5.1.1") && line.contains(who), "{line}");
    }
}

#[tokio::test]
async fn sending_as_an_address_the_account_does_not_own_shows_553() {
    let (_gw, mut jack) = logged_in("jack").await;
    let err = refusal(
        &mut jack,
        OutgoingMessage {
            from: Some("kate@example.test".into()),
            to: vec!["kate@example.test".into()],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(err.kind, ErrorKind::Refused);
    assert!(err.message.starts_with("553 5.7.1") && err.message.contains("not owned by user"), "{err:?}");
}

#[tokio::test]
async fn compose_info_reports_the_size_limit_and_folders_and_big_uploads_are_refused() {
    let (_gw, mut jack) = logged_in("jack").await;
    let Response::ComposeInfo(info) = jack.request(Request::ComposeInfo).await.expect("compose info") else { panic!() };
    assert_eq!(info.max_message_size, Some(52_428_800), "Postfix's message_size_limit via SIZE");
    assert!(info.drafts.is_some() && info.sent.is_some());
    let err = jack
        .request(Request::Upload { upload: "huge".into(), offset: 0, total: info.max_upload_size + 1, data: "".into() })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert!(err.message.contains("exceed"), "{err:?}");
}

#[tokio::test]
async fn wrong_smtp_password_shows_535() {
    let stack = MailStack::ensure();
    let config = stack.gateway_config(std::path::Path::new("/nonexistent"));
    let smtp = SmtpUpstream::new(Upstream::new(&config.servers[0].smtp, "smtp").unwrap());
    let err = smtp
        .features("jack@example.test", &yubin_gateway::upstream::sasl::Proof::Password("wrong".into()))
        .await
        .err()
        .expect("refused");
    assert_eq!(err.kind, ErrorKind::AuthFailed);
    assert!(err.message.starts_with("535 5.7.8"), "{err:?}");
}

#[tokio::test]
async fn a_bounce_names_the_recipient_and_the_remote_reply_and_links_to_the_sent_message() {
    let (_gw, mut alice) = logged_in("alice").await;
    let id = message_id();
    alice
        .request(Request::Send {
            message: OutgoingMessage {
                message_id: Some(id.clone()),
                to: vec!["gone@example.test".into()],
                subject: unique_subject("to a mailbox that is gone"),
                text: "hello?".into(),
                ..Default::default()
            },
        })
        .await
        .expect("accepted at RCPT; it bounces later");
    for _ in 0..100 {
        let query = SearchQuery { from: Some("MAILER-DAEMON".into()), ..Default::default() };
        let Response::Messages(page) =
            alice.request(Request::Search { folder: "INBOX".into(), query, limit: 20 }).await.expect("search")
        else {
            panic!()
        };
        for row in page.messages {
            let view = open(&mut alice, "INBOX", row.uid).await;
            let Some(report) = view.delivery_report else { continue };
            if report.original_message_id.as_deref() != Some(id.as_str()) {
                continue;
            }
            let failed = &report.recipients[0];
            assert_eq!(failed.recipient, "gone@example.test");
            assert_eq!(failed.action, "failed");
            assert!(failed.status.starts_with("5."), "{failed:?}");
            assert!(failed.diagnostic.as_deref().is_some_and(|d| d.contains("gone@example.test")), "{failed:?}");
            let sent = special(&mut alice, FolderRole::Sent).await;
            assert_eq!(find(&mut alice, &sent, &id, 1).await.len(), 1, "the bounced message is in Sent");
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no bounce for {id} within 20 s");
}

/// A send cut off between filing its copy and the server's answer (the gateway died) left a
/// marked copy in Sent: a retry does not send again, and says the message may not have gone out.
/// kate is used by the compose tests for receiving only.
#[tokio::test]
async fn a_send_cut_off_midway_is_not_repeated_and_reported_uncertain() {
    let stack = MailStack::ensure();
    let config = stack.gateway_config(std::path::Path::new("/nonexistent"));
    let id = message_id();
    let subject = unique_subject("cut off");
    let copy = format!(
        "From: jack@example.test\r\nTo: kate@example.test\r\nSubject: {subject}\r\nMessage-ID: {id}\r\n\r\nhello\r\n"
    );
    // What the dead gateway left: the copy, still marked as being sent.
    let mut imap = jack_over_imap(&config).await;
    imap.append("Sent", "(\\Seen $YubinSending)", copy.as_bytes()).await.unwrap();
    imap.logout().await;

    let (_gw, mut jack) = logged_in("jack").await;
    let message = OutgoingMessage {
        message_id: Some(id.clone()),
        to: vec!["kate@example.test".into()],
        subject: subject.clone(),
        text: "hello".into(),
        ..Default::default()
    };
    let Response::Sent(receipt) = jack.request(Request::Send { message }).await.expect("answered") else { panic!() };
    assert!(receipt.already_sent && receipt.uncertain, "{receipt:?}");
    let (_kate_gw, mut kate) = logged_in("kate").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let query = SearchQuery { message_id: Some(id), ..Default::default() };
    let Ok(Response::Messages(page)) = kate.request(Request::Search { folder: "INBOX".into(), query, limit: 5 }).await
    else {
        panic!()
    };
    assert!(page.messages.is_empty(), "not sent again");
}

/// The normal path leaves no mark: the Sent copy is filed before sending and cleared after.
#[tokio::test]
async fn a_sent_copy_carries_no_sending_mark() {
    let stack = MailStack::ensure();
    let config = stack.gateway_config(std::path::Path::new("/nonexistent"));
    let (_gw, mut jack) = logged_in("jack").await;
    let id = message_id();
    let message = OutgoingMessage {
        message_id: Some(id.clone()),
        to: vec!["kate@example.test".into()],
        subject: unique_subject("plain send"),
        text: "hello".into(),
        ..Default::default()
    };
    let Response::Sent(receipt) = jack.request(Request::Send { message }).await.expect("sent") else { panic!() };
    assert!(!receipt.already_sent && !receipt.uncertain);
    let mut imap = jack_over_imap(&config).await;
    let copies = imap.copies_with_keyword("Sent", &id, "$YubinSending").await.unwrap();
    assert_eq!(copies.len(), 1, "one copy in Sent");
    assert!(!copies[0].1, "its sending mark is cleared");
}

/// jack's own IMAP connection to the stack, beside the gateway's.
async fn jack_over_imap(config: &yubin_gateway::config::Config) -> ImapConnection {
    let upstream = Upstream::new(config.servers[0].incoming().1, "imap").unwrap();
    let password = yubin_gateway::upstream::sasl::Proof::Password("jack-pass".into());
    ImapConnection::login(&upstream, "jack@example.test", &password).await.unwrap()
}
