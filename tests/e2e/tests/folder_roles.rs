//! Special folders on a server that marks none (old-style Dovecot: everything under `INBOX.`,
//! no SPECIAL-USE), in real Chromium: without a Trash, Delete asks before deleting for good;
//! the user can create the missing folder (only when asked), after which Delete moves there;
//! and a folder the user chooses for a role takes it.
//!
//! ole is this test's alone: an account with no folder but the inbox.

use std::time::Duration;

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn without_a_trash_delete_asks_and_missing_folders_are_created_only_when_asked() {
    let stack = MailStack::ensure();
    let subject = unique_subject("keep me");
    let raw = format!("From: a@example.org\r\nTo: ole@example.test\r\nSubject: {subject}\r\n\r\nhello\r\n");
    stack.deliver("ole", raw.as_bytes()).await;
    // No Trash, whatever an earlier run left.
    let trash = "INBOX.Trash";
    stack.delete_mailbox("ole", trash);

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("ole", "ole-pass").await;
    // A folder of another client's, chosen below for Sent.
    let chosen = format!("INBOX.{}", unique_subject("Gesendet").replace(' ', "-"));
    stack.create_mailbox("ole", &chosen);

    // No Trash: Delete asks, and "Cancel" keeps the mail.
    browser.find("[data-folder='INBOX']").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.expect("open");
    browser.click("#delete").await;
    let question = alert_text(&browser).await.expect("Delete asks first");
    assert!(question.contains("no Trash folder"), "{question}");
    browser.client.dismiss_alert().await.expect("cancel");
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.wait_for_text(".message-row", &subject).await;

    // The user asks for the missing folder: created under the prefix, found as Trash.
    browser.click("#folder-roles-button").await;
    browser.click("#create-role-trash").await;
    browser.wait_for_text(&format!("[data-folder='{trash}'] .label"), "Trash").await;
    browser.click("#folder-roles .dismiss").await;
    // Now Delete moves the message to Trash, without asking.
    browser.wait_for_text(".message-row", &subject).await.click().await.expect("open");
    browser.click("#delete").await;
    assert!(alert_text(&browser).await.is_none(), "nothing to ask with a Trash");
    browser.click(&format!("[data-folder='{trash}']")).await;
    browser.wait_for_text(".message-row", &subject).await;

    // A folder chosen for Sent takes the role (and its label) in the folder list.
    browser.click("#folder-roles-button").await;
    let select = browser.find("#role-sent").await;
    select.select_by_value(&chosen).await.expect("choose");
    browser.click("#folder-roles .dismiss").await;
    browser.wait_for_text(&format!("[data-folder='{chosen}'] .label"), "Sent").await;
    // Back to automatic: the folder is an ordinary one again.
    browser.click("#folder-roles-button").await;
    browser.find("#role-sent").await.select_by_value("").await.expect("automatic");
    browser.click("#folder-roles .dismiss").await;
    browser.wait_for_text(&format!("[data-folder='{chosen}'] .label"), "Gesendet").await;
    browser.close().await;
}

/// The text of the question the page asks (`window.confirm`), if it asks within 2 s.
async fn alert_text(browser: &Browser) -> Option<String> {
    for _ in 0..20 {
        if let Ok(text) = browser.client.get_alert_text().await {
            return Some(text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}
