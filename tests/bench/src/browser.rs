//! Figures seen by a user in real headless Chromium, timed inside the page
//! (`performance.now()` around the action and the frame that shows its result), next to the
//! raw protocol exchange that fetches the same data.

use std::time::Duration;

use base64::Engine;
use fantoccini::Locator;
use serde_json::json;
use yubin_e2e::Browser;
use yubin_protocol::{Request, Response};
use yubin_test_support::{unique_subject, MailStack, WsClient};

use crate::{median, ms, raw, timed, within, Row, RUNS};

/// Scrolls the list so that row `arguments[0]` (0-based) is at the top and resolves when the
/// rows there are filled in.
const SCROLL_UNTIL_ROWS: &str = r#"
    const [row, done] = [arguments[0], arguments[arguments.length - 1]];
    const viewport = document.querySelector('.list-viewport');
    const start = performance.now();
    viewport.scrollTop = row * 58;
    const wanted = `.row-slot[aria-rowindex="${row + 3}"] .message-row[data-uid]`;
    (function check() {
        if (document.querySelector(wanted)) done(performance.now() - start);
        else requestAnimationFrame(check);
    })();"#;

/// Clicks the row whose subject contains `arguments[0]` and resolves when `arguments[1]`
/// matches an element.
const OPEN_UNTIL: &str = r#"
    const [subject, until, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
    const row = [...document.querySelectorAll('.message-row')].find(r => r.textContent.includes(subject));
    const start = performance.now();
    row.click();
    (function check() {
        if (document.querySelector(until)) done(performance.now() - start);
        else requestAnimationFrame(check);
    })();"#;

async fn page_ms(browser: &Browser, script: &str, args: Vec<serde_json::Value>) -> f64 {
    let value = within(Duration::from_secs(120), browser.client.execute_async(script, args)).await.expect("script");
    value.as_f64().expect("milliseconds")
}

async fn fill_sign_in(browser: &Browser, server: &str, user: &str) {
    // The page's own form is usable before the app is there: what is timed after the click
    // must not include the app's download.
    crate::signin::app_ready(browser).await;
    browser.find("#server").await.select_by_value(server).await.unwrap();
    browser.type_into("#username", user).await;
    browser.type_into("#password", &format!("{user}-pass")).await;
}

/// 3. Scrolling a 100k list to its middle and its end.
pub async fn scroll(stack: &MailStack, user: &str) -> Vec<Row> {
    let total = stack.message_count(user, "INBOX");
    let browser = Browser::start().await;
    browser.open_app().await;
    fill_sign_in(&browser, "demo", user).await;
    browser.click("#login-button").await;
    browser.find(".message-row[data-uid]").await;
    let mut imap = raw::Imap::login(stack, user).await;
    imap.select("INBOX").await;
    let mut rows = Vec::new();
    for (label, fraction) in [("middle", 0.5), ("end", 1.0)] {
        let mut baseline = Vec::new();
        for run in 0..RUNS as u32 {
            // The same window the list shows there: 50 rows, newest first, by position.
            let first_row = ((f64::from(total) * fraction) as u32).saturating_sub(20 + run * 200);
            let newest = total - first_row / 50 * 50;
            let fetch = format!("FETCH {}:{newest} (UID FLAGS ENVELOPE RFC822.SIZE)", newest.saturating_sub(49).max(1));
            baseline.push(timed(imap.command(&fetch)).await.0);
        }
        let mut samples = Vec::new();
        for run in 0..RUNS {
            // Somewhere not loaded yet each time, so every run fetches.
            let row = ((f64::from(total) * fraction) as u32).saturating_sub(20 + run as u32 * 200);
            browser.client.execute("document.querySelector('.list-viewport').scrollTop = 0", vec![]).await.unwrap();
            samples.push(page_ms(&browser, SCROLL_UNTIL_ROWS, vec![json!(row)]).await);
        }
        rows.push(Row::new(
            format!("Scroll to the {label} of a {}k list → rows filled in (Chromium)", total / 1000),
            ms(median(samples)),
            format!("{} raw FETCH of that 50-row window (folder selected)", ms(median(baseline))),
            "as fast as the first window",
        ));
    }
    browser.close().await;
    imap.logout().await;
    rows
}

/// 7. A 1 MB HTML message on screen, and a 20 MB attachment downloaded.
pub async fn big_messages(stack: &MailStack, user: &str) -> Vec<Row> {
    let html_subject = unique_subject("one megabyte of HTML");
    let paragraph = "<p>Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit, <a href=\"https://example.org/\">sed do</a> eiusmod tempor.</p>\n";
    let body = paragraph.repeat(1024 * 1024 / paragraph.len());
    let html = format!(
        "From: Big <big@example.org>\r\nTo: {user}@example.test\r\nSubject: {html_subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>{body}</body></html>\r\n"
    );
    let file_subject = unique_subject("twenty megabytes attached");
    let file: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let encoded = wrap76(&base64::engine::general_purpose::STANDARD.encode(&file));
    let with_file = format!(
        "From: Big <big@example.org>\r\nTo: {user}@example.test\r\nSubject: {file_subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe file.\r\n\
         --b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Disposition: attachment; filename=big.bin\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{encoded}--b--\r\n"
    );
    let mut imap = raw::Imap::login(stack, user).await;
    imap.append("INBOX", with_file.as_bytes()).await;
    imap.append("INBOX", html.as_bytes()).await;

    // The HTML message: click → the sanitized body in its frame.
    let browser = Browser::start().await;
    browser.open_app().await;
    fill_sign_in(&browser, "demo", user).await;
    browser.click("#login-button").await;
    browser.wait_for_text(".message-row", &html_subject).await;
    let mut yubin = Vec::new();
    for _ in 0..RUNS {
        yubin.push(page_ms(&browser, OPEN_UNTIL, vec![json!(html_subject), json!("iframe.html-body")]).await);
        // Open another message between runs, so each run loads it again.
        browser.client.find(Locator::Css(".message-row:not(.selected)")).await.unwrap().click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser.close().await;
    let exists = imap.select("INBOX").await;
    let mut baseline = Vec::new();
    for _ in 0..RUNS {
        let (took, _) = timed(imap.command(&format!("FETCH {exists} (BODY.PEEK[])"))).await;
        baseline.push(took);
    }
    let mut rows = vec![Row::new(
        "Open a 1 MB HTML message → shown, sanitized (Chromium)",
        ms(median(yubin)),
        format!("{} raw FETCH BODY[] of it", ms(median(baseline))),
        "—",
    )];

    // The attachment: download link → every byte received over HTTP.
    let gateway =
        yubin_test_support::TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    client.login(user, &format!("{user}-pass")).await.unwrap();
    let uid = {
        let search = Request::Search {
            folder: "INBOX".into(),
            query: yubin_protocol::SearchQuery { subject: Some(file_subject.clone()), ..Default::default() },
            limit: 1,
        };
        let Ok(Response::Messages(page)) = client.request(search).await else { panic!("search") };
        page.messages[0].uid
    };
    let mut yubin = Vec::new();
    for _ in 0..RUNS {
        let (took, size) = timed(async {
            let prepare = Request::PrepareDownload {
                folder: "INBOX".into(),
                uid,
                section: "2".into(),
                filename: "big.bin".into(),
            };
            let Ok(Response::Download { url }) = client.request(prepare).await else { panic!("download link") };
            let (status, _, body) = yubin_test_support::http_get(gateway.addr, &url).await;
            assert_eq!(status, 200);
            body.len()
        })
        .await;
        assert_eq!(size, file.len(), "the whole file");
        yubin.push(took);
    }
    let mut baseline = Vec::new();
    for _ in 0..RUNS {
        let (took, _) = timed(imap.command(&format!("FETCH {} (BODY.PEEK[2])", exists - 1))).await;
        baseline.push(took);
    }
    imap.logout().await;
    rows.push(Row::new(
        "Download a 20 MB attachment (link → last byte, decoded)",
        ms(median(yubin)),
        format!("{} raw FETCH BODY[2] (base64, 27 MB)", ms(median(baseline))),
        "—",
    ));
    rows
}

/// 6. A POP3 account's first sync of 10k messages into the browser's storage.
pub async fn pop3_first_sync(stack: &MailStack, user: &str) -> Vec<Row> {
    let count = stack.message_count(user, "INBOX");
    // Once: the browser path is slow to repeat (it stores every message in IndexedDB).
    let browser = Browser::start().await;
    browser.open_app().await;
    fill_sign_in(&browser, "demo-pop3", user).await;
    // YUBIN_BENCH_PROFILE=1: where the browser's time goes (a DevTools CPU profile, printed).
    let profile = std::env::var_os("YUBIN_BENCH_PROFILE").is_some();
    if profile {
        browser.cdp("Profiler.enable", json!({})).await;
        browser.cdp("Profiler.start", json!({})).await;
    }
    let (yubin, _) = timed(async {
        browser.click("#login-button").await;
        within(Duration::from_secs(900), async {
            loop {
                let status = browser.client.find(Locator::Css("#sync-status")).await;
                if let Ok(status) = status {
                    if status.text().await.unwrap_or_default().contains("new ·") {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
    })
    .await;
    if profile {
        crate::signin::print_profile(&browser.cdp("Profiler.stop", json!({})).await["profile"]);
    }
    browser.close().await;

    // The gateway's part alone: list, then fetch in its largest batches.
    let gateway =
        yubin_test_support::TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let (through_gateway, fetched) = timed(async {
        let mut client = WsClient::connect(&gateway).await;
        client.login_to("demo-pop3", user, &format!("{user}-pass")).await.unwrap();
        let Ok(Response::Pop3Listing(listing)) = client.request(Request::Pop3List).await else { panic!("list") };
        let mut fetched = 0;
        for batch in listing.chunks(100) {
            let uidls = batch.iter().map(|e| e.uidl.clone()).collect();
            let Ok(Response::LocalMessages(messages)) = client.request(Request::Pop3Fetch { uidls }).await else {
                panic!("fetch")
            };
            fetched += messages.len();
        }
        fetched
    })
    .await;
    assert_eq!(fetched as u32, count);

    let (baseline, _) = timed(async {
        let mut pop = raw::Pop3::login(stack, user).await;
        pop.multi("UIDL").await;
        let list = pop.multi("LIST").await;
        for line in &list {
            let number = line.split_whitespace().next().unwrap();
            pop.multi(&format!("RETR {number}")).await;
        }
        pop.quit().await;
    })
    .await;
    vec![
        Row::new(
            format!("POP3 first sync, {}k messages → stored in the browser (Chromium, once)", count / 1000),
            ms(yubin),
            format!("{} raw UIDL + LIST + RETR each", ms(baseline)),
            "—",
        ),
        Row::new(
            format!("POP3 first sync, {}k messages, gateway part (WebSocket, parsed)", count / 1000),
            format!("{} ({:.1}× raw)", ms(through_gateway), through_gateway / baseline),
            format!("{} raw UIDL + LIST + RETR each", ms(baseline)),
            "—",
        ),
    ]
}

fn wrap76(text: &str) -> String {
    text.as_bytes().chunks(76).map(|line| format!("{}\r\n", std::str::from_utf8(line).unwrap())).collect()
}
