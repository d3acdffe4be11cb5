//! Organizing mail in the browser: star, delete to Trash, search — against the real server.

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn star_search_and_delete_to_trash() {
    let stack = MailStack::ensure();
    let subject = unique_subject("打ち合わせ organize");
    let raw = format!(
        "From: Tanaka <tanaka@example.jp>\r\nTo: bob@example.test\r\nSubject: {subject}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nPlease file me.\r\n"
    );
    stack.deliver("bob", raw.as_bytes()).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("bob", "bob-pass").await;
    browser.find(".folder .unread-count").await;

    // Search by a Japanese word plus the marker: only our message is listed.
    browser.type_into("#search", &subject).await;
    browser.find("#search").await.send_keys("\u{E007}").await.unwrap(); // Enter
    browser.wait_for_text(".list-count", "1 message").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();

    // Star it: the button and the server agree.
    browser.click("#toggle-flag").await;
    browser.wait_for_text("#toggle-flag", "Unstar").await;

    // Delete: gone from the list, and in Trash, still starred.
    browser.click("#delete").await;
    browser.wait_for_text(".list .placeholder", "No messages").await;
    browser.click(".folder[data-folder='Trash']").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();
    browser.wait_for_text("#toggle-flag", "Unstar").await;
    browser.screenshot("trash").await;
    browser.close().await;
}
