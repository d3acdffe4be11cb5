//! Hostile HTML mail in real Chromium: nothing runs, nothing is fetched until the user asks.

use std::sync::atomic::Ordering;
use std::time::Duration;

use yubin_e2e::{counting_server, Browser};
use yubin_test_support::{unique_subject, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn hostile_html_runs_nothing_and_loads_remote_images_only_on_request() {
    let stack = MailStack::ensure();
    let (port, hits) = counting_server().await;
    let subject = unique_subject("Hostile newsletter");
    let html = format!(
        r#"<html><head><style>body {{ background: url(http://127.0.0.1:{port}/style-bg) }}</style></head>
<body onload="parent.document.title='pwned'">
<p id="visible">Hello from <b>HTML</b> mail</p>
<script>parent.document.title = 'pwned'; alert(1)</script>
<img src="x" onerror="parent.document.title='pwned'">
<svg><animate onbegin="parent.document.title='pwned'" attributeName="x" dur="1s"/></svg>
<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;background:red">overlay</div>
<a href="javascript:parent.document.title='pwned'">click me</a>
<img src="http://127.0.0.1:{port}/tracker.gif" alt="tracker">
</body></html>"#
    );
    let raw = format!(
        "From: News <news@example.org>\r\nTo: carol@example.test\r\nSubject: {subject}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
    );
    stack.deliver("carol", raw.as_bytes()).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("carol", "carol-pass").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();
    browser.find("iframe.html-body").await;
    browser.find("#load-remote").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let title = browser.client.title().await.unwrap();
    assert!(title.ends_with("Yubin") && !title.contains("pwned"), "a script in the mail ran: {title}");
    assert!(browser.client.get_alert_text().await.is_err(), "an alert was opened");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a remote request left before the user allowed it");

    // The content itself is there, inside the frame.
    let frame = browser.find("iframe.html-body").await;
    let srcdoc = frame.attr("srcdoc").await.unwrap().unwrap();
    assert!(srcdoc.contains("Hello from <b>HTML</b> mail"), "{srcdoc}");
    assert!(!srcdoc.contains("position:fixed"), "an overlay could escape the frame");
    browser.screenshot("html-mail-blocked").await;

    browser.click("#load-remote").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while hits.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(hits.load(Ordering::SeqCst) >= 1, "the remote image did not load after the user allowed it");
    assert!(!browser.client.title().await.unwrap().contains("pwned"));
    browser.close().await;
}

/// yara is this test's alone.
#[tokio::test(flavor = "multi_thread")]
async fn remote_content_loads_for_a_trusted_sender_unless_the_sender_looks_forged() {
    let stack = MailStack::ensure();
    let (port, hits) = counting_server().await;
    let tag = unique_subject("trusted news");
    // A sender of this run's own: the choice roams with yara's settings (IMAP METADATA), so an
    // address trusted in an earlier run would load at once.
    let sender = format!("news-{}@example.org", tag.rsplit(' ').next().unwrap());
    let mail = |subject: &str, extra: &str| {
        format!(
            "From: News <{sender}>\r\nTo: yara@example.test\r\nSubject: {subject}\r\n{extra}\
             MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
             <p>{subject}</p><img src=\"http://127.0.0.1:{port}/{}.gif\">\r\n",
            subject.len()
        )
    };
    let (first, second, forged) = (format!("first {tag}"), format!("second {tag}"), format!("forged {tag}"));
    let failed_dkim = "Authentication-Results: mx.example.test; dkim=fail header.d=example.org; dmarc=fail\r\n";
    for raw in [mail(&forged, failed_dkim), mail(&second, ""), mail(&first, "")] {
        stack.deliver("yara", raw.as_bytes()).await;
    }
    let loaded = || hits.load(Ordering::SeqCst);
    let wait_for_hits = |at_least: usize| async move {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while loaded() < at_least && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        loaded()
    };

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("yara", "yara-pass").await;
    browser.wait_for_text(".message-row", &first).await.click().await.unwrap();
    browser.wait_for_text("#trust-sender", &sender).await.click().await.unwrap();
    assert!(wait_for_hits(1).await >= 1, "the remote image did not load after trusting the sender");

    // The sender's next message loads without asking.
    let before = loaded();
    browser.wait_for_text(".message-row", &second).await.click().await.unwrap();
    browser.wait_for_text("#reader .message .subject", &second).await;
    assert!(wait_for_hits(before + 1).await > before, "a trusted sender's image stayed blocked");
    assert!(browser.client.find(fantoccini::Locator::Css("#load-remote")).await.is_err());

    // The same address with a failed DKIM/DMARC check may be forged: blocked, and asked.
    let before = loaded();
    browser.wait_for_text(".message-row", &forged).await.click().await.unwrap();
    browser.wait_for_text("#reader .message .subject", &forged).await;
    browser.find("#load-remote").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(loaded(), before, "a possibly forged sender's image loaded");
    browser.close().await;
}
