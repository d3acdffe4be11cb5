//! A POP3 account in real headless Chromium against the real Dovecot POP3: the first sync of
//! 1,000 messages survives the gateway dying in the middle (nothing lost, nothing twice),
//! downloaded mail reads with the gateway gone, and "delete when I delete it here" deletes on
//! the server. olivia and paul are this file's own users.

use std::time::Duration;

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

async fn deliver(stack: &MailStack, user: &str, subject: &str) {
    let raw = format!(
        "From: Sender <sender@example.org>\r\nTo: {user}@example.test\r\nSubject: {subject}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nbody of {subject}\r\n"
    );
    stack.deliver(user, raw.as_bytes()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn first_sync_survives_a_gateway_kill_and_mail_reads_offline() {
    let stack = MailStack::ensure();
    let have = stack.message_count("olivia", "INBOX");
    if have < 1000 {
        stack.seed(1000 - have, "olivia");
    }
    let on_server = stack.message_count("olivia", "INBOX");
    let mut browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in_to("demo-pop3", "olivia", "olivia-pass").await;

    // Kill the gateway while the messages come in.
    browser.wait_for_text("#sync-status", "Downloading").await;
    browser.wait_for_text("#sync-status", "00 of").await;
    browser.gateway.stop().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.gateway.start_again().await;

    // The tab reconnects, signs in again and finishes; every message is there exactly once.
    browser.wait_for_text("#sync-status", "hecked").await;
    browser.wait_for_text(".list-count", &format!("{on_server} messages")).await;
    assert_eq!(stack.message_count("olivia", "INBOX"), on_server, "left on the server by default");
    browser.screenshot("pop3").await;

    // The service worker has the app shell by now.
    for attempt in 0.. {
        let ready = browser
            .client
            .execute("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)", vec![])
            .await
            .unwrap();
        if ready.as_bool() == Some(true) {
            break;
        }
        assert!(attempt < 100, "the service worker never took over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // With the gateway gone, downloaded mail still opens.
    browser.gateway.stop().await;
    browser.wait_for_text(".notice", "Reconnecting").await;
    let row = browser.find(".message-row[data-uid]").await;
    let subject = row.find(fantoccini::Locator::Css(".subject")).await.unwrap().text().await.unwrap();
    row.click().await.unwrap();
    browser.wait_for_text("#reader .message .subject", subject.trim()).await;

    // Starting with the gateway still gone: the page comes from the service worker, the mail
    // from the browser's storage.
    browser.client.refresh().await.expect("reload offline");
    browser.wait_for_text(".open-offline", "olivia@example.test").await.click().await.unwrap();
    browser.wait_for_text(".list-count", &format!("{on_server} messages")).await;
    browser.find(".message-row[data-uid]").await.click().await.unwrap();
    browser.find("#reader .message .subject").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_here_deletes_on_the_server_when_the_account_says_so() {
    let stack = MailStack::ensure();
    let subject = unique_subject("POP3 delete me");
    deliver(stack, "paul", &subject).await;
    let attached = unique_subject("POP3 attached");
    let raw = format!(
        "From: a@example.org\r\nTo: paul@example.test\r\nSubject: {attached}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename*=UTF-8''%E5%A0%B1%E5%91%8A.bin\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8sIOS4lueVjA==\r\n\
         --b\r\nContent-Type: text/plain; charset=iso-2022-jp\r\nContent-Disposition: attachment; filename=memo.txt\r\n\r\n\
         \x1b$B5D;vO?\x1b(B\r\n--b--\r\n"
    );
    stack.deliver("paul", raw.as_bytes()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in_to("demo-pop3", "paul", "paul-pass").await;
    browser.wait_for_text("#sync-status", "hecked").await;
    let before = stack.message_count("paul", "INBOX");

    // An attachment opens from what the browser stored.
    browser.wait_for_text(".message-row .subject", &attached).await.click().await.unwrap();
    browser.wait_for_text("button.attachment", "報告.bin").await.click().await.unwrap();
    assert_eq!(browser.downloaded("報告.bin").await, "Hello, 世界".as_bytes());
    // A text attachment (ISO-2022-JP) is shown from the browser's copy too.
    browser.wait_for_text("button.attachment", "memo.txt").await.click().await.unwrap();
    browser.find("#preview-frame.text").await;
    // (A blob of the app's own origin: the frame's document can be read.)
    let shown = "const done = arguments[0]; const check = () => { const f = document.querySelector('#preview-frame'); \
                 const text = f.contentDocument && f.contentDocument.body && f.contentDocument.body.innerText; \
                 if (text) done([f.src, f.contentDocument.contentType + '; ' + f.contentDocument.characterSet, text]); \
                 else setTimeout(check, 50); }; check();";
    let (src, content_type, text): (String, String, String) =
        serde_json::from_value(browser.client.execute_async(shown, vec![]).await.unwrap()).unwrap();
    assert!(src.starts_with("blob:"), "{src}");
    assert_eq!(content_type, "text/plain; UTF-8", "kept decoded, as mail-parser reads text");
    assert!(text.contains("議事録"), "{text}");
    browser.click("#preview-close").await;
    // And the whole message, as an .eml, from the browser's copy.
    browser.click("#export-eml").await;
    let saved_eml = browser.downloaded(&format!("{attached}.eml")).await;
    // The message as the server handed it over: its trace headers (and the Message-Id and Date
    // Postfix added), then the body as sent.
    let body = raw.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
    let text = String::from_utf8_lossy(&saved_eml);
    assert!(text.starts_with("Return-Path:") && text.contains(body), "{text}");

    browser.click(".pop3-panel summary").await;
    browser.find("#keep-policy").await.select_by_value("deleted").await.unwrap();
    browser.wait_for_text(".message-row .subject", &subject).await.click().await.unwrap();
    browser.wait_for_text("#reader .message .subject", &subject).await;
    browser.click("#delete").await; // to Trash
    browser.click("[data-folder='Trash']").await;
    browser.wait_for_text(".message-row .subject", &subject).await.click().await.unwrap();
    browser.click("#delete").await; // for good
    browser.click("#check-now").await;
    for _ in 0..100 {
        if stack.message_count("paul", "INBOX") == before - 1 {
            browser.close().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the message was not deleted on the server");
}
