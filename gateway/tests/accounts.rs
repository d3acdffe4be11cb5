//! Several accounts on one WebSocket, against the real Dovecot + Postfix stack.
//!
//! uma (IMAP) and victor (POP3) are this file's alone.

use std::time::Duration;

use yubin_protocol::{ErrorKind, Event, IncomingProtocol, Request, Response};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

const IMAP_ACCOUNT: u32 = 1;
const POP3_ACCOUNT: u32 = 2;

async fn gateway() -> TestGateway {
    let stack = MailStack::ensure();
    TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await
}

async fn sign_in(
    client: &mut WsClient,
    account: u32,
    server: &str,
    user: &str,
) -> Result<Response, yubin_protocol::ApiError> {
    let password = format!("{user}-pass").as_str().into();
    client.request_as(account, Request::Login { server: server.into(), username: user.into(), password }).await
}

fn plain_mail(user: &str, subject: &str) -> String {
    format!("From: Sender <sender@example.org>\r\nTo: {user}@example.test\r\nSubject: {subject}\r\n\r\nbody\r\n")
}

#[tokio::test]
async fn an_imap_and_a_pop3_account_share_one_socket() {
    let stack = MailStack::ensure();
    let gw = gateway().await;
    let mut client = WsClient::connect(&gw).await;
    let Response::LoggedIn(imap) = sign_in(&mut client, IMAP_ACCOUNT, "demo", "uma").await.unwrap() else { panic!() };
    let Response::LoggedIn(pop3) = sign_in(&mut client, POP3_ACCOUNT, "demo-pop3", "victor").await.unwrap() else {
        panic!()
    };
    assert_eq!((imap.incoming, pop3.incoming), (IncomingProtocol::Imap, IncomingProtocol::Pop3));
    assert_eq!(pop3.email, "victor@example.test");

    // Each request goes to the account it names.
    let list = Request::ListMessages { folder: "INBOX".into(), offset: 0, limit: 10, sort: Default::default() };
    assert!(matches!(client.request_as(IMAP_ACCOUNT, list.clone()).await, Ok(Response::Messages(_))));
    let refused = client.request_as(POP3_ACCOUNT, list.clone()).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::BadRequest, "a POP3 account has no server folders");
    assert!(matches!(client.request_as(POP3_ACCOUNT, Request::Pop3List).await, Ok(Response::Pop3Listing(_))));
    let unknown = client.request_as(7, Request::ListFolders).await.unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotLoggedIn);

    // New mail for the IMAP account is pushed with its account id.
    tokio::time::sleep(Duration::from_millis(500)).await; // let the watcher enter IDLE
    let subject = unique_subject("for uma");
    stack.deliver("uma", plain_mail("uma", &subject).as_bytes()).await;
    let event = client.next_event(Duration::from_secs(10)).await.expect("a push within 10 s");
    assert_eq!(event, Event::FolderChanged { account: IMAP_ACCOUNT, folder: "INBOX".into() });

    // Signing one account out leaves the other signed in.
    assert_eq!(client.request_as(IMAP_ACCOUNT, Request::Logout).await, Ok(Response::Done));
    let gone = client.request_as(IMAP_ACCOUNT, Request::ListFolders).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotLoggedIn);
    assert!(matches!(client.request_as(POP3_ACCOUNT, Request::Pop3List).await, Ok(Response::Pop3Listing(_))));
}

#[tokio::test]
async fn a_wrong_password_fails_one_account_only() {
    let gw = gateway().await;
    let mut client = WsClient::connect(&gw).await;
    sign_in(&mut client, IMAP_ACCOUNT, "demo", "uma").await.unwrap();
    let wrong = Request::Login { server: "demo".into(), username: "victor".into(), password: "nope".into() };
    let err = client.request_as(POP3_ACCOUNT, wrong).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthFailed);
    assert!(matches!(client.request_as(IMAP_ACCOUNT, Request::ListFolders).await, Ok(Response::Folders(_))));
}

#[tokio::test]
async fn the_connection_test_reports_each_server() {
    let gw = gateway().await;
    let mut client = WsClient::connect(&gw).await;
    let test = |server: &str, password: &str| Request::TestAccount {
        server: server.into(),
        username: "uma".into(),
        password: password.into(),
    };
    let Ok(Response::AccountTest(good)) = client.request(test("demo", "uma-pass")).await else { panic!() };
    assert_eq!((good.incoming, good.outgoing), (Ok(()), Ok(())));
    let Ok(Response::AccountTest(pop3)) = client.request(test("demo-pop3", "uma-pass")).await else { panic!() };
    assert_eq!(pop3.incoming_protocol, IncomingProtocol::Pop3);
    assert_eq!(pop3.incoming, Ok(()));

    let Ok(Response::AccountTest(bad)) = client.request(test("demo", "wrong")).await else { panic!() };
    let (incoming, outgoing) = (bad.incoming.unwrap_err(), bad.outgoing.unwrap_err());
    assert_eq!(incoming.kind, ErrorKind::AuthFailed);
    assert_eq!(outgoing.kind, ErrorKind::AuthFailed);
    assert!(outgoing.message.contains("535"), "the SMTP server's own words: {}", outgoing.message);
    // Testing signs nothing in.
    assert_eq!(client.request(Request::ListFolders).await.unwrap_err().kind, ErrorKind::NotLoggedIn);
}

#[tokio::test]
async fn a_tab_holds_a_bounded_number_of_accounts() {
    let stack = MailStack::ensure();
    let mut config = stack.gateway_config(std::path::Path::new("/nonexistent"));
    config.limits.max_accounts = 2;
    let gw = TestGateway::start(config).await;
    let mut client = WsClient::connect(&gw).await;
    sign_in(&mut client, 1, "demo", "uma").await.unwrap();
    sign_in(&mut client, 2, "demo-pop3", "victor").await.unwrap();
    let err = sign_in(&mut client, 3, "demo", "uma").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert!(err.message.contains("2 accounts"), "{}", err.message);
    // Signing in again on a known id replaces that account rather than adding one.
    sign_in(&mut client, 1, "demo", "uma").await.unwrap();
}

#[tokio::test]
async fn settings_roam_on_the_imap_server_and_not_on_pop3() {
    let gw = gateway().await;
    let mut first = WsClient::connect(&gw).await;
    sign_in(&mut first, IMAP_ACCOUNT, "demo", "uma").await.unwrap();
    // Quotes, parentheses and non-ASCII stay data, not IMAP syntax.
    let settings = format!(r#"{{"lang":"ja","note":"\" ) 日本語 {}"}}"#, unique_subject("settings"));
    let save = Request::SaveSettings { settings: settings.clone() };
    assert_eq!(first.request_as(IMAP_ACCOUNT, save).await, Ok(Response::Done));

    // Another browser signing in finds them.
    let mut second = WsClient::connect(&gw).await;
    sign_in(&mut second, 5, "demo", "uma").await.unwrap();
    let stored = second.request_as(5, Request::GetSettings).await.unwrap();
    assert_eq!(stored, Response::Settings { roaming: true, settings: Some(settings) });
    // The connection goes on working after the METADATA exchange.
    assert!(matches!(second.request_as(5, Request::ListFolders).await, Ok(Response::Folders(_))));
    let mut fresh = WsClient::connect(&gw).await;
    sign_in(&mut fresh, 1, "demo", "victor").await.unwrap();
    let none = fresh.request_as(1, Request::GetSettings).await.unwrap();
    assert_eq!(none, Response::Settings { roaming: true, settings: None });
    assert!(matches!(fresh.request_as(1, Request::ListFolders).await, Ok(Response::Folders(_))));

    let huge = Request::SaveSettings { settings: "x".repeat(yubin_protocol::MAX_SETTINGS_BYTES + 1) };
    assert_eq!(second.request_as(5, huge).await.unwrap_err().kind, ErrorKind::BadRequest);

    sign_in(&mut second, POP3_ACCOUNT, "demo-pop3", "victor").await.unwrap();
    let pop3 = second.request_as(POP3_ACCOUNT, Request::GetSettings).await.unwrap();
    assert_eq!(pop3, Response::Settings { roaming: false, settings: None });
}

#[tokio::test]
async fn an_account_not_on_screen_still_pushes_new_mail() {
    let stack = MailStack::ensure();
    let gw = gateway().await;
    let mut client = WsClient::connect(&gw).await;
    // Signed in, never listed: its inbox is watched from a second after sign-in on (the
    // watch waits for the first listing, which would start it, for a second).
    sign_in(&mut client, IMAP_ACCOUNT, "demo", "uma").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await; // let the watcher enter IDLE
    stack.deliver("uma", plain_mail("uma", &unique_subject("while elsewhere")).as_bytes()).await;
    let event = client.next_event(Duration::from_secs(10)).await.expect("a push within 10 s");
    assert_eq!(event, Event::FolderChanged { account: IMAP_ACCOUNT, folder: "INBOX".into() });
}
