//! The README's screenshots, taken from the real app so they stay current. henry's mailbox
//! holds only generated mail (10,000 messages), so the pictures show what people would see.

use yubin_e2e::Browser;
use yubin_test_support::{repo_root, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_for_the_readme() {
    let stack = MailStack::ensure();
    let have = stack.message_count("henry", "INBOX");
    if have < 10_000 {
        stack.seed(10_000 - have, "henry");
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.find("#login-button:not([disabled])").await;
    browser.screenshot("readme-login").await;
    browser.sign_in("henry", "henry-pass").await;
    browser.wait_for_text(".list-count", "10000 messages").await;
    // A Japanese message, to show what the reader does with ISO-2022-JP and friends.
    let japanese = browser.wait_for_text(".message-row", "の").await;
    japanese.click().await.unwrap();
    browser.find("#reader .message").await;
    let shot = browser.screenshot("readme-inbox").await;
    let docs = repo_root().join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::copy(&shot, docs.join("inbox.png")).unwrap();
    browser.close().await;
}
