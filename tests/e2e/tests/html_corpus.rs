//! The hostile HTML corpus (`tests/corpus/hostile-html/`) rendered in real headless Chromium:
//! each message is opened in the reader; with remote content blocked no request reaches the
//! counting "remote" server, no script changes the app, nothing of the mail lands in the app's
//! own page, and the mail stays inside its frame. quinn is this file's own user.

use std::sync::atomic::Ordering;
use std::time::Duration;

use yubin_e2e::{counting_server, Browser};
use yubin_test_support::{repo_root, unique_subject, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_message_renders_harmlessly() {
    let stack = MailStack::ensure();
    let (port, hits) = counting_server().await;
    let run = unique_subject("corpus").replace(' ', "-");
    let dir = repo_root().join("tests/corpus/hostile-html");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    for path in &cases {
        let name = path.file_stem().unwrap().to_string_lossy();
        let html = std::fs::read_to_string(path)
            .unwrap()
            .replace("CANARY", &format!("http://127.0.0.1:{port}/{name}"))
            .replace("PROTOREL", &format!("//127.0.0.1:{port}/{name}"));
        let raw = format!(
            "From: Attacker <attacker@example.org>\r\nTo: quinn@example.test\r\nSubject: {run} {name}\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
        );
        stack.deliver("quinn", raw.as_bytes()).await;
    }

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("quinn", "quinn-pass").await;
    browser.find(".folder.current").await;
    // Delivery behind the MX takes a moment: search until all of this run's messages are in.
    let all = format!("{} found", cases.len());
    for attempt in 0.. {
        browser.type_into("#search", &format!("{run}\n")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let count = browser.find(".list-count").await.text().await.unwrap_or_default();
        if count == all {
            break;
        }
        assert!(attempt < 40, "only {count} of the corpus arrived");
    }
    for path in &cases {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        browser.type_into("#search", &format!("{run} {name}\n")).await;
        browser.wait_for_text(".message-row .subject", &name).await.click().await.unwrap();
        browser.wait_for_text("#message-subject", &name).await;
        browser.find("iframe.html-body").await;
        // The mail's text is in the frame, never in the app's own page.
        let page_text: String = browser
            .client
            .execute("return document.body.innerText", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            !page_text.contains("ESCAPED") && !page_text.contains(&format!("case {name}")),
            "{name}: mail content in the app's page"
        );
        // The frame stays inside the reader.
        let inside: bool = browser
            .client
            .execute(
                "const f = document.querySelector('iframe.html-body').getBoundingClientRect();
                 const r = document.querySelector('#reader').getBoundingClientRect();
                 return f.left >= r.left - 1 && f.right <= r.right + 1 && f.top >= r.top - 1;",
                vec![],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false);
        assert!(inside, "{name}: the message frame is not inside the reader");
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let title = browser.client.title().await.unwrap();
    assert!(title.ends_with("Yubin") && !title.contains("pwned"), "a script in the mail ran: {title}");
    assert!(browser.client.get_alert_text().await.is_err(), "an alert was opened");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a request reached the remote server while remote content was blocked");
    browser.close().await;
}
