//! An address book of 10,000 contacts (Radicale): the first sync into a new browser profile —
//! the first rows, and the whole book stored — against the raw CardDAV exchange that fetches the
//! same cards, and the composer's suggestions while typing, timed inside the page.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;
use yubin_e2e::Browser;
use yubin_test_support::MailStack;

use crate::{median, ms, timed, within, Row, RUNS};

const CONTACTS: usize = 10_000;

/// Clicks "Contacts" and resolves with `[first row, whole book]` in milliseconds: the first
/// contact on screen, and the sync's status gone with every card counted.
const OPEN_CONTACTS: &str = r#"
    const [total, done] = [arguments[0], arguments[arguments.length - 1]];
    const start = performance.now();
    let first = null;
    document.querySelector('#contacts-button').click();
    (function check() {
        if (first === null && document.querySelector('.contact-row')) first = performance.now() - start;
        const count = document.querySelector('.contacts-sidebar .count');
        const syncing = document.querySelector('#contacts-status');
        if (first !== null && !syncing && count && Number(count.textContent) >= total) done([first, performance.now() - start]);
        else requestAnimationFrame(check);
    })();"#;

/// Types `arguments[0]` into the composer's To field and resolves with the milliseconds until
/// the frame that shows suggestions (or, for text matching nothing, the next frame).
const TYPE_UNTIL_SUGGESTED: &str = r#"
    const [typed, expect, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
    const field = document.querySelector('#compose-to');
    field.focus();
    field.value = '';
    field.dispatchEvent(new Event('input', { bubbles: true }));
    requestAnimationFrame(() => requestAnimationFrame(() => {
        const start = performance.now();
        field.value = typed;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        // The frame after the one that shows them; for text matching nothing, the frame after
        // the app has drawn the keystroke (two frames on).
        let frames = 0;
        (function check() {
            frames += 1;
            const shown = document.querySelectorAll('.suggestions li').length > 0;
            if (expect ? shown : frames > 2) requestAnimationFrame(() => done(performance.now() - start));
            else requestAnimationFrame(check);
        })();
    }));"#;

/// Fills `user`'s address book up to 10,000 generated contacts.
fn seed(stack: &MailStack, user: &str) {
    let book = stack.dir.join("radicale/collections/collection-root").join(stack.address(user)).join("contacts");
    let have = std::fs::read_dir(&book)
        .map(|d| d.filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "vcf"))).count())
        .unwrap_or(0);
    if have < CONTACTS {
        let status = std::process::Command::new("bash")
            .arg(&stack.script)
            .args(["seed-contacts", &(CONTACTS - have).to_string(), user])
            .status()
            .expect("mailstack.sh");
        assert!(status.success(), "seeding contacts");
    }
}

/// The raw exchange for the same cards: one sync-collection REPORT listing every card, then
/// addressbook-multiget REPORTs of 100 (what a CardDAV client must do at least).
async fn raw_sync(stack: &MailStack, user: &str) -> usize {
    let book = format!("/{}/contacts/", stack.address(user).replace('@', "%40"));
    let listing = r#"<?xml version="1.0"?><sync-collection xmlns="DAV:"><sync-token/><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>"#;
    let reply = stack.dav(user, "REPORT", &book, &[("Depth", "1"), ("Content-Type", "application/xml")], listing).await;
    let hrefs = yubin_test_support::hrefs_of(&reply.body);
    let mut cards = 0;
    for batch in hrefs.chunks(100) {
        let wanted: String = batch.iter().map(|h| format!("<D:href>{h}</D:href>")).collect();
        let body = format!(
            r#"<?xml version="1.0"?><C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>{wanted}</C:addressbook-multiget>"#
        );
        let reply =
            stack.dav(user, "REPORT", &book, &[("Depth", "1"), ("Content-Type", "application/xml")], &body).await;
        cards += reply.body.matches("BEGIN:VCARD").count();
    }
    cards
}

pub async fn ten_thousand(stack: &MailStack, user: &str) -> Vec<Row> {
    seed(stack, user);
    // Once unmeasured: Radicale reads a book it has not cached yet file by file.
    raw_sync(stack, user).await;
    let mut baseline = Vec::new();
    for _ in 0..3 {
        let (took, cards) = timed(raw_sync(stack, user)).await;
        assert!(cards >= CONTACTS, "the raw sync found {cards} cards");
        baseline.push(took);
    }
    let baseline = median(baseline);

    // A new browser profile each run: nothing kept yet, as on a first sign-in.
    let (mut first_rows, mut whole) = (Vec::new(), Vec::new());
    let mut typing = Vec::new();
    let mut nothing = Vec::new();
    for run in 0..2 {
        let browser = Browser::start().await;
        browser.open_app().await;
        browser.sign_in(user, &format!("{user}-pass")).await;
        browser.find("#contacts-button").await;
        let value =
            within(Duration::from_secs(600), browser.client.execute_async(OPEN_CONTACTS, vec![json!(CONTACTS)]))
                .await
                .expect("the address book synced");
        first_rows.push(value[0].as_f64().unwrap());
        whole.push(value[1].as_f64().unwrap());
        if run == 1 {
            // The composer, with the book just stored: a keystroke that finds contacts, and one
            // that finds none (the same keystroke's cost without suggestions to draw).
            browser.click("#contacts .dismiss").await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            browser.click("#compose-button").await;
            browser.find("#compose-to").await;
            for (prefix, found) in [("やま", true), ("sm", true), ("たな", true), ("ma", true), ("zqzq", false)] {
                for _ in 0..RUNS {
                    let took = within(
                        Duration::from_secs(30),
                        browser.client.execute_async(TYPE_UNTIL_SUGGESTED, vec![json!(prefix), json!(found)]),
                    )
                    .await
                    .expect("typed");
                    if found { &mut typing } else { &mut nothing }.push(took.as_f64().unwrap());
                }
            }
            let shown = browser.client.find_all(Locator::Css(".suggestions li")).await.map(|l| l.len()).unwrap_or(0);
            assert_eq!(shown, 0);
        }
        browser.close().await;
    }
    vec![
        Row::new(
            format!("Contacts, {}k: first sync into a new profile, first rows shown (Chromium)", CONTACTS / 1000),
            ms(median(first_rows)),
            format!("{} raw CardDAV sync-collection + multiget of every card", ms(baseline)),
            "streamed",
        ),
        Row::new(
            format!("Contacts, {}k: first sync, the whole book stored in the browser", CONTACTS / 1000),
            ms(median(whole.clone())),
            format!("{} raw CardDAV sync-collection + multiget of every card", ms(baseline)),
            "—",
        ),
        Row::new(
            format!("Composer suggestions from {}k contacts: keystroke → suggestions drawn", CONTACTS / 1000),
            ms(median(typing)),
            format!("{} a keystroke that suggests nothing", ms(median(nothing))),
            "≤ 50 ms",
        ),
    ]
}
