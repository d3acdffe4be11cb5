//! The ManageSieve client against the real Pigeonhole (Dovecot's ManageSieve, STARTTLS), the
//! scripts it stores run by Dovecot at delivery (LMTP), and the same through the gateway's
//! requests. sven and tove are this file's own users.

use std::time::{Duration, Instant};

use yubin_gateway::config::{Endpoint, Security};
use yubin_gateway::upstream::managesieve::SieveConnection;
use yubin_gateway::upstream::net::Upstream;
use yubin_gateway::upstream::sasl::Proof;
use yubin_protocol::{ErrorKind, Request, Response, Secret};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

fn sieve_upstream(stack: &MailStack) -> Upstream {
    let endpoint = Endpoint {
        host: "127.0.0.1".into(),
        port: stack.sieve,
        security: Security::Starttls,
        ca_file: Some(stack.ca_file.clone()),
        tls_name: None,
        allow_plaintext_password: false,
        oauth_mechanism: None,
    };
    Upstream::new(&endpoint, "managesieve").unwrap()
}

async fn sven(stack: &MailStack) -> SieveConnection {
    let proof = Proof::Password(Secret("sven-pass".into()));
    SieveConnection::login(&sieve_upstream(stack), &stack.address("sven"), &proof).await.expect("ManageSieve login")
}

#[tokio::test]
async fn scripts_are_stored_checked_activated_and_run_at_delivery() {
    let stack = MailStack::ensure();
    stack.create_mailbox("sven", "Lists");
    let mut sieve = sven(stack).await;
    let capabilities = sieve.capabilities.clone();
    assert!(capabilities.implementation.contains("Pigeonhole"), "{capabilities:?}");
    for extension in ["fileinto", "imap4flags", "vacation", "regex", "relational", "body", "copy"] {
        assert!(capabilities.extensions.iter().any(|e| e == extension), "{extension} in {capabilities:?}");
    }

    // A rule with a Japanese value: mail about 会議 goes to Lists, marked read.
    let script = "require [\"fileinto\", \"imap4flags\"];\r\n\
                  # 会議の知らせ\r\n\
                  if header :contains \"subject\" \"会議\" {\r\n  addflag \"\\\\Seen\";\r\n  fileinto \"Lists\";\r\n  stop;\r\n}\r\n";
    sieve.put_script("yubin", script).await.expect("stored");
    sieve.set_active("yubin").await.expect("activated");
    let scripts = sieve.list_scripts().await.unwrap();
    assert!(scripts.iter().any(|s| s.name == "yubin" && s.active), "{scripts:?}");
    assert_eq!(sieve.get_script("yubin").await.unwrap(), script, "read back as written, UTF-8 and all");

    let subject = unique_subject("=?UTF-8?B?5a6a5L6L5Lya6K2w44Gu44GK55+l44KJ44Gb?=");
    let before = stack.message_count("sven", "Lists");
    let raw = format!("From: a@example.org\r\nTo: sven@{}\r\nSubject: {subject}\r\n\r\nagenda\r\n", stack.domain);
    stack.deliver("sven", raw.as_bytes()).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while stack.message_count("sven", "Lists") == before {
        assert!(Instant::now() < deadline, "the script did not file the message");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A script with an error: refused with the server's words, naming the line.
    let broken = "require \"fileinto\";\r\nfileinto \"Lists\"\r\nkeep;\r\n";
    let refused = sieve.check_script(broken).await.expect_err("an error");
    assert_eq!(refused.kind, ErrorKind::Refused);
    assert!(refused.message.contains("line"), "{refused:?}");
    let refused = sieve.put_script("broken", broken).await.expect_err("not stored");
    assert!(refused.message.contains("line"), "{refused:?}");
    assert!(!sieve.list_scripts().await.unwrap().iter().any(|s| s.name == "broken"));

    // Renamed, deactivated, deleted.
    sieve.rename_script("yubin", "yubin-old").await.unwrap();
    sieve.set_active("").await.unwrap();
    let scripts = sieve.list_scripts().await.unwrap();
    assert!(scripts.iter().any(|s| s.name == "yubin-old" && !s.active), "{scripts:?}");
    sieve.delete_script("yubin-old").await.unwrap();
    assert!(sieve.list_scripts().await.unwrap().is_empty());
    sieve.logout().await;
}

#[tokio::test]
async fn a_wrong_password_is_a_failed_sign_in() {
    let stack = MailStack::ensure();
    let proof = Proof::Password(Secret("wrong".into()));
    let refused = SieveConnection::login(&sieve_upstream(stack), &stack.address("sven"), &proof).await.err().unwrap();
    assert_eq!(refused.kind, ErrorKind::AuthFailed, "{refused:?}");
}

#[tokio::test]
async fn an_oauth_account_signs_in_with_its_token_and_a_stale_one_is_refused_in_words() {
    let stack = MailStack::ensure();
    let user = stack.address("sven");
    let tokens = stack.mint_tokens(&user).await;
    let proof = Proof::Bearer(Secret(tokens.access_token));
    let mut sieve =
        SieveConnection::login(&sieve_upstream(stack), &user, &proof).await.expect("signed in with the token");
    sieve.list_scripts().await.expect("a working session");
    sieve.logout().await;

    let stale = stack.mint_tokens_lasting(&user, Some(1)).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let proof = Proof::Bearer(Secret(stale.access_token));
    let refused = SieveConnection::login(&sieve_upstream(stack), &user, &proof).await.err().expect("refused");
    assert_eq!(refused.kind, ErrorKind::AuthFailed, "{refused:?}");
    assert!(refused.message.contains("expired or was revoked"), "{refused:?}");
}

#[tokio::test]
async fn filters_through_the_gateway_with_the_accounts_own_credentials() {
    let stack = MailStack::ensure();
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    let session = client.login_to("demo", "tove", "tove-pass").await.expect("signed in");
    assert!(session.filters, "the app is told this account has filters");
    let name = unique_subject("yubin").replace(' ', "-");
    let vacation =
        "require [\"vacation\"];\r\nvacation :days 1 :subject \"不在のお知らせ\" \"12日まで不在です。\";\r\n";

    let request = Request::PutSieveScript { name: name.clone(), text: vacation.into(), activate: true };
    assert_eq!(client.request(request).await.unwrap(), Response::SieveStored { warnings: None });
    let Response::SieveScripts(found) = client.request(Request::ListSieveScripts).await.unwrap() else { panic!() };
    assert!(found.implementation.contains("Pigeonhole") && found.extensions.iter().any(|e| e == "vacation"));
    assert!(found.scripts.iter().any(|s| s.name == name && s.active), "{found:?}");
    let text = client.request(Request::GetSieveScript { name: name.clone() }).await.unwrap();
    assert_eq!(text, Response::SieveScript { text: vacation.into() });

    // The server's words for a broken script, its line named; nothing stored.
    let broken = Request::CheckSieveScript { text: "require \"vacation\";\r\nvacation \"x\"\r\n".into() };
    let refused = client.request(broken).await.expect_err("refused");
    assert_eq!(refused.kind, ErrorKind::Refused);
    assert!(refused.message.contains("line"), "{refused:?}");

    client.request(Request::ActivateSieveScript { name: String::new() }).await.unwrap();
    client.request(Request::DeleteSieveScript { name: name.clone() }).await.unwrap();
    let Response::SieveScripts(found) = client.request(Request::ListSieveScripts).await.unwrap() else { panic!() };
    assert!(!found.scripts.iter().any(|s| s.name == name));

    // A server the gateway knows no ManageSieve for says so.
    let mut pop3 = WsClient::connect(&gateway).await;
    let session = pop3.login_to("demo-pop3", "tove", "tove-pass").await.expect("signed in");
    assert!(!session.filters);
    let refused = pop3.request(Request::ListSieveScripts).await.expect_err("no filters there");
    assert_eq!(refused.kind, ErrorKind::BadRequest, "{refused:?}");
}
