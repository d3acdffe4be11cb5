//! The same cases against each kind of server people run: Dovecot + Postfix as configured today
//! (user kit), Dovecot configured like an old server — no SPECIAL-USE, every folder under
//! `INBOX.` with `.` as delimiter, no MOVE, no METADATA, folders named as Outlook names them
//! (user olga) — and Cyrus IMAP/POP3 3.6 with OpenSMTPD 7.4 (users cora and cyd; `others.sh`):
//! SPECIAL-USE folders created unsubscribed, a METADATA that refuses undefined entries, and an
//! SMTP server that refuses a second EHLO.
//!
//! Each case: sign-in (and the server's own words for a wrong password), roles and their
//! folders shown, create and rename under the personal prefix, IDLE, move, delete to Trash,
//! a draft, and sending with a Sent copy and delivery.

use std::time::{Duration, Instant};

use yubin_gateway::config::Config;
use yubin_protocol::{
    ErrorKind, Event, Folder, FolderRole, MessageSummary, NotFiled, OutgoingMessage, Request, Response, RoleChoice,
    SortOrder,
};
use yubin_test_support::{unique_subject, MailStack, OtherStack, TestGateway, Transport, WsClient};

/// One kind of server, as this suite meets it.
struct Kind {
    /// The gateway's server id.
    server: &'static str,
    user: &'static str,
    /// The folder each role is expected in.
    roles: [(FolderRole, &'static str); 5],
    /// What new folders' paths start with.
    prefix: &'static str,
    delimiter: &'static str,
    stack: Stack,
}

#[derive(Clone, Copy)]
enum Stack {
    Dovecot,
    Cyrus,
}

impl Stack {
    async fn deliver(self, user: &str, raw: &[u8]) {
        match self {
            Stack::Dovecot => MailStack::ensure().deliver(user, raw).await,
            Stack::Cyrus => OtherStack::ensure().deliver(user, raw).await,
        }
    }

    fn domain(self) -> String {
        match self {
            Stack::Dovecot => MailStack::ensure().domain.clone(),
            Stack::Cyrus => OtherStack::ensure().domain.clone(),
        }
    }
}

const STANDARD_ROLES: [(FolderRole, &str); 5] = [
    (FolderRole::Sent, "Sent"),
    (FolderRole::Drafts, "Drafts"),
    (FolderRole::Trash, "Trash"),
    (FolderRole::Junk, "Junk"),
    (FolderRole::Archive, "Archive"),
];

const DOVECOT: Kind =
    Kind { server: "demo", user: "kit", roles: STANDARD_ROLES, prefix: "", delimiter: "/", stack: Stack::Dovecot };

const OLD_DOVECOT: Kind = Kind {
    server: "demo",
    user: "olga",
    roles: [
        (FolderRole::Sent, "INBOX.Sent Items"),
        (FolderRole::Drafts, "INBOX.Draft"),
        (FolderRole::Trash, "INBOX.Deleted Items"),
        (FolderRole::Junk, "INBOX.Junk E-mail"),
        (FolderRole::Archive, "INBOX.Archives"),
    ],
    prefix: "INBOX.",
    delimiter: ".",
    stack: Stack::Dovecot,
};

const CYRUS: Kind =
    Kind { server: "cyrus", user: "cora", roles: STANDARD_ROLES, prefix: "", delimiter: "/", stack: Stack::Cyrus };

/// A gateway that knows both stacks' servers.
fn gateway_config() -> Config {
    let text = MailStack::ensure().gateway_config_text(std::path::Path::new("/nonexistent"), Transport::Starttls)
        + &OtherStack::ensure().gateway_servers_text();
    let config: Config = toml::from_str(&text).expect("test config");
    config.validate().expect("valid test config");
    config
}

async fn folders(client: &mut WsClient) -> Vec<Folder> {
    match client.request(Request::ListFolders).await.expect("folders") {
        Response::Folders(folders) => folders,
        other => panic!("{other:?}"),
    }
}

/// The newest 200 messages of `folder`.
async fn messages(client: &mut WsClient, folder: &str) -> Vec<MessageSummary> {
    let request = Request::ListMessages { folder: folder.into(), offset: 0, limit: 200, sort: SortOrder::default() };
    match client.request(request).await.expect("list") {
        Response::Messages(page) => page.messages,
        other => panic!("{other:?}"),
    }
}

async fn subjects(client: &mut WsClient, folder: &str) -> Vec<String> {
    messages(client, folder).await.into_iter().map(|m| m.subject).collect()
}

/// Waits until `folder` holds a message with `subject` (delivery takes a moment).
async fn wait_for(client: &mut WsClient, folder: &str, subject: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !subjects(client, folder).await.iter().any(|s| s == subject) {
        assert!(Instant::now() < deadline, "{subject:?} never reached {folder}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn uid_of(client: &mut WsClient, folder: &str, subject: &str) -> u32 {
    let messages = messages(client, folder).await;
    messages.iter().find(|m| m.subject == subject).map(|m| m.uid).expect("the message is there")
}

async fn the_same_cases(kind: &Kind) {
    let gw = TestGateway::start(gateway_config()).await;
    let mut client = WsClient::connect(&gw).await;
    let (server, user) = (kind.server, kind.user);

    // A wrong password: refused in the server's words, never in Rust's debug format.
    let refused = client.login_to(server, user, "not-the-password").await.expect_err("wrong password");
    assert_eq!(refused.kind, ErrorKind::AuthFailed, "{refused:?}");
    for debug in ["code:", "Some(", "None", "Error"] {
        assert!(!refused.message.contains(debug), "{server}: {:?}", refused.message);
    }
    client.login_to(server, user, &format!("{user}-pass")).await.expect("sign-in");

    // Every role has its folder, and folders with a role are shown even when unsubscribed.
    let tree = folders(&mut client).await;
    for (role, id) in kind.roles {
        let folder = tree.iter().find(|f| f.role == Some(role)).unwrap_or_else(|| panic!("{server}: no {role:?}"));
        assert_eq!(folder.id, id, "{server}: {role:?}");
        assert!(folder.subscribed, "{server}: {role:?} is shown");
    }
    let role = |role: FolderRole| kind.roles.iter().find(|(r, _)| *r == role).map(|(_, id)| id.to_string()).unwrap();

    // New folders go under the personal prefix, with the server's delimiter for "/".
    let name = unique_subject("Projects").replace(' ', "-");
    for path in [name.clone(), format!("{name}/2026")] {
        client.request(Request::CreateFolder { name: path }).await.expect("create");
    }
    let (parent, child) = (format!("{}{name}", kind.prefix), format!("{}{name}{}2026", kind.prefix, kind.delimiter));
    let tree = folders(&mut client).await;
    assert!(tree.iter().any(|f| f.id == child), "{server}: {child} in {:?}", ids(&tree));
    let renamed = format!("{name}-renamed");
    client.request(Request::RenameFolder { folder: parent.clone(), to: renamed.clone() }).await.expect("rename");
    let tree = folders(&mut client).await;
    let renamed = format!("{}{renamed}", kind.prefix);
    assert!(tree.iter().any(|f| f.id == renamed), "{server}: {renamed} in {:?}", ids(&tree));
    for folder in [format!("{renamed}{}2026", kind.delimiter), renamed] {
        client.request(Request::DeleteFolder { folder }).await.expect("delete the folder");
    }

    // IDLE: listing the inbox watches it; a delivery is announced.
    subjects(&mut client, "INBOX").await;
    let subject = unique_subject("arrives");
    let domain = kind.stack.domain();
    let raw =
        format!("From: Someone <someone@example.org>\r\nTo: {user}@{domain}\r\nSubject: {subject}\r\n\r\nhello\r\n");
    kind.stack.deliver(user, raw.as_bytes()).await;
    let event = client.next_event(Duration::from_secs(30)).await.unwrap_or_else(|| panic!("{server}: no IDLE news"));
    assert!(matches!(event, Event::FolderChanged { ref folder, .. } if folder == "INBOX"), "{event:?}");
    wait_for(&mut client, "INBOX", &subject).await;

    // Move to the archive (MOVE, or COPY + EXPUNGE where the server has no MOVE), then delete:
    // to Trash, not for good.
    let uid = uid_of(&mut client, "INBOX", &subject).await;
    let archive = role(FolderRole::Archive);
    client.request(Request::Move { folder: "INBOX".into(), uids: vec![uid], to: archive.clone() }).await.expect("move");
    assert!(!subjects(&mut client, "INBOX").await.contains(&subject), "{server}: moved out of the inbox");
    let uid = uid_of(&mut client, &archive, &subject).await;
    let trash = role(FolderRole::Trash);
    client
        .request(Request::Move { folder: archive.clone(), uids: vec![uid], to: trash.clone() })
        .await
        .expect("delete");
    assert!(subjects(&mut client, &trash).await.contains(&subject), "{server}: deleted mail is in Trash");

    // The folders for drafts and Sent copies, a draft, and a message sent to oneself: one EHLO
    // per SMTP connection (OpenSMTPD refuses a second), the copy filed, the mail delivered.
    let Response::ComposeInfo(info) = client.request(Request::ComposeInfo).await.expect("compose info") else {
        panic!()
    };
    assert_eq!(info.drafts.as_deref(), Some(role(FolderRole::Drafts).as_str()), "{server}");
    assert_eq!(info.sent.as_deref(), Some(role(FolderRole::Sent).as_str()), "{server}");
    assert!(info.max_message_size.is_some(), "{server}: SIZE read from the one EHLO reply");
    let subject = unique_subject("sent");
    let message = OutgoingMessage {
        message_id: Some(format!("<{}@example.test>", subject.replace(' ', "-"))),
        from: None,
        to: vec![format!("{user}@{domain}")],
        subject: subject.clone(),
        text: "hello from Yubin".into(),
        ..Default::default()
    };
    let Response::DraftSaved { folder, .. } =
        client.request(Request::SaveDraft { message: message.clone() }).await.expect("draft")
    else {
        panic!()
    };
    assert_eq!(folder, role(FolderRole::Drafts), "{server}");
    let Response::Sent(receipt) = client.request(Request::Send { message }).await.expect("send") else { panic!() };
    assert_eq!(receipt.saved_in, Some(role(FolderRole::Sent)), "{server}");
    assert!(subjects(&mut client, &role(FolderRole::Sent)).await.contains(&subject), "{server}: Sent copy");
    wait_for(&mut client, "INBOX", &subject).await;
    client.request(Request::Logout).await.expect("logout");
}

fn ids(folders: &[Folder]) -> Vec<&str> {
    folders.iter().map(|f| f.id.as_str()).collect()
}

#[tokio::test]
async fn dovecot_and_postfix() {
    the_same_cases(&DOVECOT).await;
}

#[tokio::test]
async fn dovecot_configured_like_an_old_server() {
    let stack = MailStack::ensure();
    for (_, mailbox) in OLD_DOVECOT.roles {
        stack.create_mailbox("olga", mailbox);
    }
    the_same_cases(&OLD_DOVECOT).await;

    // Without UIDPLUS, moving needs a plain EXPUNGE: a message another client marked \Deleted
    // (and did not expunge) must survive it.
    let gw = TestGateway::start(gateway_config()).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("olga", "olga-pass").await.expect("sign-in");
    let (kept, moved) = (unique_subject("marked elsewhere"), unique_subject("moved"));
    for subject in [&kept, &moved] {
        let raw = format!("From: a@example.org\r\nTo: olga@example.test\r\nSubject: {subject}\r\n\r\nhi\r\n");
        stack.deliver("olga", raw.as_bytes()).await;
        wait_for(&mut client, "INBOX", subject).await;
    }
    stack.add_flag("olga", "\\Deleted", uid_of(&mut client, "INBOX", &kept).await);
    let uid = uid_of(&mut client, "INBOX", &moved).await;
    client
        .request(Request::Move { folder: "INBOX".into(), uids: vec![uid], to: "INBOX.Archives".into() })
        .await
        .expect("move");
    let inbox = subjects(&mut client, "INBOX").await;
    assert!(!inbox.contains(&moved) && inbox.contains(&kept), "only the moved message left the inbox: {inbox:?}");
}

#[tokio::test]
async fn cyrus_and_opensmtpd() {
    the_same_cases(&CYRUS).await;
}

/// Cyrus refuses METADATA entries it has no definition for: the settings are not stored, and
/// the app is told so (it keeps them in the browser and says so) instead of believing they roam.
#[tokio::test]
async fn cyrus_refusing_metadata_is_said_not_swallowed() {
    let gw = TestGateway::start(gateway_config()).await;
    let mut client = WsClient::connect(&gw).await;
    client.login_to("cyrus", "cleo", "cleo-pass").await.expect("sign-in");
    match client.request(Request::SaveSettings { settings: r#"{"lang":"ja"}"#.into() }).await {
        Ok(Response::Done) => {
            let Response::Settings { settings, .. } = client.request(Request::GetSettings).await.expect("get") else {
                panic!()
            };
            assert_eq!(settings.as_deref(), Some(r#"{"lang":"ja"}"#), "stored, so it must come back");
        }
        Ok(other) => panic!("{other:?}"),
        Err(refused) => {
            assert_eq!(refused.kind, ErrorKind::Refused, "{refused:?}");
            assert!(!refused.message.contains("code:"), "{:?}", refused.message);
        }
    }
}

/// Cyrus POP3 through the gateway, sending through OpenSMTPD: list, fetch, and a Sent copy for
/// the browser (POP3 has no Sent folder).
#[tokio::test]
async fn cyrus_pop3_with_opensmtpd() {
    let gw = TestGateway::start(gateway_config()).await;
    let mut client = WsClient::connect(&gw).await;
    client.login_to("cyrus-pop3", "cyd", "cyd-pass").await.expect("POP3 sign-in");
    let subject = unique_subject("pop3 at cyrus");
    let domain = Stack::Cyrus.domain();
    let message = OutgoingMessage {
        message_id: Some(format!("<{}@example.test>", subject.replace(' ', "-"))),
        to: vec![format!("cyd@{domain}")],
        subject: subject.clone(),
        text: "hello".into(),
        ..Default::default()
    };
    let Response::Sent(receipt) = client.request(Request::Send { message }).await.expect("send") else { panic!() };
    assert!(receipt.local_copy.is_some(), "the Sent copy is the browser's to keep");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let Response::Pop3Listing(entries) = client.request(Request::Pop3List).await.expect("list") else { panic!() };
        let uidls: Vec<String> = entries.iter().map(|e| e.uidl.clone()).collect();
        let Response::LocalMessages(messages) = client.request(Request::Pop3Fetch { uidls }).await.expect("fetch")
        else {
            panic!()
        };
        if messages.iter().any(|m| m.summary.subject == subject) {
            break;
        }
        assert!(Instant::now() < deadline, "the message never reached cyd's POP3 box");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A folder the user chose for a role takes it from the server's or the name's choice, for
/// the folder list, drafts and Sent copies alike, and keeps it when the connection drops
/// (oona: an old-style server like olga's).
#[tokio::test]
async fn a_folder_the_user_chose_takes_the_role() {
    let stack = MailStack::ensure();
    let chosen = format!("INBOX.{}", unique_subject("Gesendet").replace(' ', "-"));
    stack.create_mailbox("oona", &chosen);
    stack.create_mailbox("oona", "INBOX.Sent Items");
    let gw = TestGateway::start(gateway_config()).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("oona", "oona-pass").await.expect("sign-in");
    let choices = vec![RoleChoice { role: FolderRole::Sent, folder: chosen.clone() }];
    client.request(Request::SetFolderRoles { choices }).await.expect("choose");
    stack.kick("oona"); // a reconnect keeps the choice
    let tree = folders(&mut client).await;
    let sent: Vec<&str> = tree.iter().filter(|f| f.role == Some(FolderRole::Sent)).map(|f| f.id.as_str()).collect();
    assert_eq!(sent, [chosen.as_str()]);
    let Response::ComposeInfo(info) = client.request(Request::ComposeInfo).await.expect("info") else { panic!() };
    assert_eq!(info.sent.as_deref(), Some(chosen.as_str()));

    let too_many = vec![RoleChoice { role: FolderRole::Sent, folder: "x".into() }; 9];
    let refused = client.request(Request::SetFolderRoles { choices: too_many }).await.expect_err("bounded");
    assert_eq!(refused.kind, ErrorKind::BadRequest);
}

/// Every IMAP connection the gateway opens ends with LOGOUT — the one for requests and the
/// IDLE watchers alike — whether the user signs out or just closes the tab; never a dropped
/// connection (Courier and Cyrus log those as errors). lou is this test's alone.
#[tokio::test]
async fn every_imap_session_ends_with_logout() {
    let stack = MailStack::ensure();
    stack.create_mailbox("lou", "Archive");
    let gw = TestGateway::start(gateway_config()).await;
    for sign_out in [true, false] {
        let mut client = WsClient::connect(&gw).await;
        client.login("lou", "lou-pass").await.expect("sign-in");
        // The inbox watched, then another folder on screen: two watchers and the requests' own.
        subjects(&mut client, "INBOX").await;
        subjects(&mut client, "Archive").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        if sign_out {
            client.request(Request::Logout).await.expect("sign out");
        }
        client.close().await;
    }
    // Each sign-in opened three connections or more (watchers sign in on their own, a moment
    // later); each must end with "Logged out".
    tokio::time::sleep(Duration::from_secs(1)).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = stack.dovecot_log_of("lou");
        let logins = log.iter().filter(|l| l.contains("imap-login: Info: Login:")).count();
        let ended: Vec<&String> = log.iter().filter(|l| l.contains("Disconnected")).collect();
        let dropped: Vec<&&String> = ended.iter().filter(|l| !l.contains("Logged out")).collect();
        assert!(dropped.is_empty(), "sessions that ended without LOGOUT: {dropped:#?}");
        if logins >= 6 && ended.len() == logins {
            break;
        }
        assert!(Instant::now() < deadline, "{logins} sign-ins, {} ended after 15 s", ended.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A message sent from an account with no Sent folder goes out, and the receipt says that no
/// copy was kept — the app tells the user instead of "Message sent." alone. opal (old-style, no
/// folders) is this test's alone.
#[tokio::test]
async fn sent_without_a_sent_folder_says_no_copy_was_kept() {
    let gw = TestGateway::start(gateway_config()).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("opal", "opal-pass").await.expect("sign-in");
    let subject = unique_subject("no sent folder");
    let message = OutgoingMessage {
        message_id: Some(format!("<{}@example.test>", subject.replace(' ', "-"))),
        to: vec!["opal@example.test".into()],
        subject: subject.clone(),
        text: "hello".into(),
        ..Default::default()
    };
    let Response::Sent(receipt) = client.request(Request::Send { message }).await.expect("send") else { panic!() };
    assert_eq!((receipt.saved_in, receipt.not_filed), (None, Some(NotFiled::NoSentFolder)));
    wait_for(&mut client, "INBOX", &subject).await;
}
