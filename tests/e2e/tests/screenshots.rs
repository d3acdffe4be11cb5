//! The README's screenshots, taken from the real app so they stay current. henry's mailbox
//! holds only generated mail (10,000 messages), so the pictures show what people would see.

use yubin_e2e::Browser;
use yubin_test_support::{repo_root, MailStack};

/// Picks `value` in the select `css`, finding it again if a re-render replaced it meanwhile.
async fn choose(browser: &Browser, css: &str, value: &str) {
    for _ in 0..10 {
        if browser.find(css).await.select_by_value(value).await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("could not choose {value} in {css}");
}

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
    let login = browser.screenshot("readme-login").await;
    browser.sign_in("henry", "henry-pass").await;
    // henry's settings roam on the IMAP server (METADATA): start from English and the system
    // theme whatever an earlier run left there. Choosing each twice makes this browser's copy
    // the newer one even if it already shows them, so the server's cannot win afterwards.
    // Each choice re-renders the page (so may the settings arriving from the server): wait
    // for the mailbox, and for each choice to show before the next.
    browser.find(".list-count").await;
    choose(&browser, "#language", "ja").await;
    browser.wait_for_text("#compose-button", "作成").await;
    choose(&browser, "#language", "en").await;
    browser.wait_for_text("#compose-button", "Compose").await;
    choose(&browser, "#theme", "dark").await;
    browser.find("html[data-theme='dark']").await;
    choose(&browser, "#theme", "system").await;
    browser.find("html:not([data-theme])").await;
    browser.wait_for_text(".list-count", "10000 messages").await;
    // A Japanese message, to show what the reader does with ISO-2022-JP and friends.
    let japanese = browser.wait_for_text(".message-row", "の").await;
    japanese.click().await.unwrap();
    browser.find("#reader .message").await;
    let shot = browser.screenshot("readme-inbox").await;
    let docs = repo_root().join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::copy(&shot, docs.join("inbox.png")).unwrap();
    std::fs::copy(&login, docs.join("login.png")).unwrap();
    browser.click("#reply").await;
    browser.find("#composer").await;
    std::fs::copy(browser.screenshot("readme-composer").await, docs.join("composer.png")).unwrap();
    browser.click("#discard-button").await;

    // The same in Japanese: the whole UI switches, dates included, and the choice is kept.
    choose(&browser, "#language", "ja").await;
    browser.wait_for_text("#compose-button", "作成").await;
    browser.wait_for_text(".folder.current", "受信トレイ").await;
    browser.wait_for_text(".list-count", "10000 件").await;
    let shot = browser.screenshot("readme-inbox-ja").await;
    std::fs::copy(&shot, docs.join("inbox-ja.png")).unwrap();
    browser.client.refresh().await.unwrap();
    browser.sign_in("henry", "henry-pass").await;
    browser.wait_for_text("#compose-button", "作成").await;
    browser.find("#language").await.select_by_value("en").await.unwrap();
    browser.wait_for_text("#compose-button", "Compose").await;

    // Dark, by choice (the OS default is followed otherwise).
    browser.find("#theme").await.select_by_value("dark").await.unwrap();
    browser.find("html[data-theme='dark']").await;
    let japanese = browser.wait_for_text(".message-row", "の").await;
    japanese.click().await.unwrap();
    browser.find("#reader .message").await;
    let shot = browser.screenshot("readme-inbox-dark").await;
    std::fs::copy(&shot, docs.join("inbox-dark.png")).unwrap();
    browser.click("#reply").await;
    browser.find("#composer").await;
    std::fs::copy(browser.screenshot("readme-composer-dark").await, docs.join("composer-dark.png")).unwrap();
    browser.click("#discard-button").await;

    // A phone: one pane at a time, with a way back.
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.find("#back-button").await;
    let shot = browser.screenshot("readme-phone-message").await;
    std::fs::copy(&shot, docs.join("phone-message.png")).unwrap();
    browser.click("#back-button").await;
    browser.find(".message-row[data-uid]").await;
    let shot = browser.screenshot("readme-phone-list").await;
    std::fs::copy(&shot, docs.join("phone-list.png")).unwrap();
    browser.client.set_window_size(1280, 800).await.unwrap();
    browser.find("#theme").await.select_by_value("system").await.unwrap();
    browser.close().await;
}
