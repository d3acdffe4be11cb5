//! Writing mail in real headless Chromium against the real stack: address checks, an
//! attachment uploaded with progress, a reload that loses nothing, and the outbox while the
//! gateway is down. jack writes to kate; both are this file's alone among the browser tests.

use std::time::Duration;

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

/// Waits until `user`'s INBOX holds `count` messages.
async fn wait_for_count(stack: &MailStack, user: &str, count: u32) {
    for _ in 0..100 {
        if stack.message_count(user, "INBOX") >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{user} did not reach {count} messages");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_with_an_attachment_survives_a_reload_and_is_sent() {
    let stack = MailStack::ensure();
    let before = stack.message_count("kate", "INBOX");
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("jack", "jack-pass").await;
    browser.find(".folder.current").await;

    let subject = unique_subject("報告 with a file");
    browser.click("#compose-button").await;
    browser.click("#show-copies").await;
    browser.type_into("#compose-to", "Kate <kate@example.test>").await;
    browser.type_into("#compose-cc", "not-an-address").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.type_into("#compose-body", "The figures are attached.\nよろしくお願いします").await;
    let file = std::env::temp_dir().join("yubin-e2e-figures.csv");
    std::fs::write(&file, "month,total\n11,42\n".repeat(20_000)).unwrap();
    browser.find("#compose-files").await.send_keys(&file.display().to_string()).await.expect("attach");
    browser.wait_for_text("#compose-attachments", "yubin-e2e-figures.csv").await;
    browser.wait_for_text("#send-button", "Send").await;

    // An address typo is caught before anything is sent.
    browser.click("#send-button").await;
    browser.wait_for_text("#address-errors", "not-an-address").await;
    browser.type_into("#compose-cc", "jack@example.test").await;
    browser.screenshot("compose").await;

    // The tab goes away mid-sentence; the next visit has everything back.
    browser.wait_for_text("#draft-status", "Draft saved").await;
    browser.client.refresh().await.expect("reload");
    browser.sign_in("jack", "jack-pass").await;
    // The draft comes back from the browser's storage after the sign-in.
    assert_eq!(browser.wait_for_value("#compose-subject", &subject).await, subject);
    let body = browser.find("#compose-body").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(body.contains("よろしくお願いします"), "{body}");
    browser.wait_for_text("#compose-attachments", "yubin-e2e-figures.csv").await;
    browser.wait_for_text("#send-button", "Send").await;

    browser.click("#send-button").await;
    browser.wait_for_text(".notice.info", "Message sent").await;
    wait_for_count(stack, "kate", before + 1).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_sent_while_the_gateway_is_down_waits_in_the_outbox() {
    let stack = MailStack::ensure();
    let before = stack.message_count("jack", "INBOX");
    let mut browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("kate", "kate-pass").await;
    browser.find(".folder.current").await;

    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "jack@example.test").await;
    browser.type_into("#compose-subject", &unique_subject("written offline")).await;
    browser.type_into("#compose-body", "This waited for the gateway.").await;
    browser.gateway.stop().await;
    browser.wait_for_text(".notice", "Reconnecting").await;
    browser.click("#send-button").await;
    browser.wait_for_text(".notice", "outbox").await;
    browser.wait_for_text("#outbox", "Outbox: 1").await;

    browser.gateway.start_again().await;
    browser.wait_for_text(".notice.info", "from the outbox sent").await;
    wait_for_count(stack, "jack", before + 1).await;
    browser.close().await;
}

/// "Undo" after Send: the message waits in the browser's outbox for the chosen time, comes back
/// to the composer exactly as it was, and — sent again and the tab closed meanwhile — goes out
/// once the app is open again. rudy writes to himself.
#[tokio::test(flavor = "multi_thread")]
async fn a_send_is_undone_within_its_time_and_a_closed_tab_sends_it_later() {
    let stack = MailStack::ensure();
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.client.execute("localStorage.setItem('yubin.undo-send', '5')", vec![]).await.unwrap();
    browser.client.refresh().await.unwrap();
    browser.sign_in("rudy", "rudy-pass").await;
    browser.find(".folder.current").await;

    let subject = unique_subject("取り消し undo me");
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "rudy@example.test").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.type_into("#compose-body", "まだ送らないで\nnot yet").await;
    browser.click("#send-button").await;
    browser.click("#undo-send").await;
    let reopened = browser.find("#compose-subject").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(reopened, subject);
    let body = browser.find("#compose-body").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(body, "まだ送らないで\nnot yet");
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(!stack.has_subject("rudy", "INBOX", &subject), "an undone message went out");

    // Sent again, and the tab reloaded before its time is over: it goes when the app is back.
    browser.click("#send-button").await;
    browser.find("#undo-send-bar").await;
    browser.client.refresh().await.expect("reload");
    browser.sign_in("rudy", "rudy-pass").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !stack.has_subject("rudy", "INBOX", &subject) {
        assert!(std::time::Instant::now() < deadline, "the message did not go out after the reload");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    browser.wait_for_text(".notice", "sent").await;
    assert!(stack.has_subject("rudy", "Sent", &subject), "a Sent copy");

    // A recipient the server refuses, known only once the time to undo is over: the message
    // comes back to the composer with the server's words.
    let refused = unique_subject("to nobody");
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "nobody-at-all@example.test").await;
    browser.type_into("#compose-subject", &refused).await;
    browser.click("#send-button").await;
    browser.find("#undo-send-bar").await;
    browser.wait_for_text(".notice", "back in the composer").await;
    let reopened = browser.find("#compose-subject").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(reopened, refused);
    browser.close().await;
}

/// "Send later": wes schedules a message in one browser; it waits in Drafts; with a second
/// browser open as well when its time comes, it goes out exactly once and leaves Drafts.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_sent_later_goes_out_once_from_whichever_browser_is_open() {
    let stack = MailStack::ensure();
    stack.empty_mailbox("wes", "INBOX");
    let first = Browser::signed_in("wes").await;

    let subject = unique_subject("予約 later");
    first.click("#compose-button").await;
    first.type_into("#compose-to", "wes@example.test").await;
    first.type_into("#compose-subject", &subject).await;
    first.type_into("#compose-body", "Written now, sent in a moment.").await;
    first.click("#send-later").await;
    // Ten seconds from now, in the browser's own local time, as the field takes it.
    let soon = "const d = new Date(Date.now() + 10000); const p = (n) => String(n).padStart(2, '0'); \
                return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;";
    let at = first.client.execute(soon, vec![]).await.unwrap();
    first.set_value("#send-later-at", at.as_str().unwrap()).await;
    first.click("#schedule-send").await;
    first.wait_for_text(".notice.info", "waits in Drafts").await;
    assert!(stack.has_subject("wes", "Drafts", "later"), "it waits in Drafts");
    assert!(!stack.has_subject("wes", "INBOX", "later"), "not sent before its time");

    let second = Browser::signed_in("wes").await;
    stack.wait_for_count("wes", "INBOX", 1).await;
    // Both browsers looked when its time came; give a second send every chance to happen.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(stack.message_count("wes", "INBOX"), 1, "sent exactly once");
    assert!(!stack.has_subject("wes", "Drafts", "later"), "sent, it left Drafts");

    // Another, for tomorrow morning (where the field starts): shown waiting in Drafts, then
    // taken off the schedule from the reader. It stays in Drafts, unmarked.
    let tomorrow = unique_subject("明日 tomorrow");
    second.click("#compose-button").await;
    second.type_into("#compose-to", "wes@example.test").await;
    second.type_into("#compose-subject", &tomorrow).await;
    second.type_into("#compose-body", "Not today.").await;
    second.click("#send-later").await;
    second.click("#schedule-send").await;
    second.wait_for_text(".notice.info", "waits in Drafts").await;
    second.wait_for_text(".folder", "Drafts").await.click().await.unwrap();
    let row = second.wait_for_text(".message-row", &tomorrow).await;
    row.find(fantoccini::Locator::Css(".scheduled")).await.expect("the row shows it waits");
    row.click().await.unwrap();
    second.wait_for_text("#scheduled-at", "Goes out at").await;
    second.click("#unschedule").await;
    second.wait_for_text(".notice.info", "stays in Drafts").await;
    assert!(stack.has_subject("wes", "Drafts", "tomorrow"));
    assert!(
        stack.flags_of("wes", "Drafts").iter().all(|flags| !flags.contains("$YubinScheduled")),
        "{:?}",
        stack.flags_of("wes", "Drafts")
    );
    first.close().await;
    second.close().await;
}
