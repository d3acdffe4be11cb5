//! The mailbox quota (Dovecot's quota plugin, IMAP QUOTA) in real Chromium: the use is shown
//! under the folders with a warning past 90%, and a mailbox too full for the Sent copy still
//! sends — the message goes out, and the user reads why no copy was kept.
//!
//! qiana (a 40 KiB quota, see mailstack.sh) is this file's alone.

use std::time::{Duration, Instant};

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn the_quota_is_shown_warns_when_nearly_full_and_a_full_mailbox_still_sends() {
    let stack = MailStack::ensure();
    for folder in ["INBOX", "Sent", "Drafts"] {
        stack.empty_mailbox("qiana", folder);
    }
    // Four messages of ~9.3 KiB: about 37 of the 40 KiB.
    let filler = "x".repeat(76);
    let body: String = (0..120).map(|_| format!("{filler}\r\n")).collect();
    for n in 0..4 {
        let raw = format!("From: a@example.org\r\nTo: qiana@example.test\r\nSubject: filler {n}\r\n\r\n{body}");
        stack.deliver("qiana", raw.as_bytes()).await;
    }
    stack.wait_for_count("qiana", "INBOX", 4).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("qiana", "qiana-pass").await;
    browser.wait_for_text("#quota", "of 41.0 KB used").await;
    browser.wait_for_text("#quota-warning", "nearly full").await;
    browser.screenshot("quota").await;

    // A message bigger than the room left: sent, and the notice says its copy was not kept.
    let subject = unique_subject("sent while full");
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "alice@example.test").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.set_value("#compose-body", &body.repeat(2)).await;
    browser.click("#send-button").await;
    let notice = browser.wait_for_text(".notice", "could not be filed").await.text().await.unwrap();
    assert!(notice.to_lowercase().contains("quota"), "the server's words: {notice}");
    assert_eq!(stack.message_count("qiana", "Sent"), 0);
    // It went out all the same.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !stack.has_subject("alice", "INBOX", &subject) {
        assert!(Instant::now() < deadline, "the message never reached alice");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    browser.close().await;
}
