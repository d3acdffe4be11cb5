//! The address book in real Chromium against Radicale (CardDAV over HTTPS, through the
//! gateway): a contact made in the app is on the server as a vCard another app reads; one made
//! on the server appears after a sync; an edit made in the app over an edit made on the server
//! meanwhile is shown as a conflict and nothing is lost; the composer suggests contacts (by
//! their Japanese reading too) and a group adds all its members; a .vcf with Japanese names is
//! imported, imported again without duplicates, and exported back with the same cards.
//!
//! nell, nico and rosa are this file's alone.

use std::time::Duration;

use yubin_e2e::Browser;
use yubin_test_support::MailStack;

/// Opens the address book and waits until it has synced.
async fn open_contacts(browser: &Browser) {
    browser.click("#contacts-button").await;
    browser.find("#contacts").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    // The status says "…" while syncing, and goes (or says how it ended) when done.
    while let Ok(status) = browser.client.find(fantoccini::Locator::Css("#contacts-status")).await {
        let text = status.text().await.unwrap_or_default();
        if !text.contains('…') {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the address book did not sync: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn close_contacts(browser: &Browser) {
    browser.click("#contacts .dismiss").await;
    // The composer reads what the dialog stored when it closes.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// The one card on the server holding `needle`.
async fn card_with(stack: &MailStack, user: &str, needle: &str) -> (String, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let cards = stack.vcards(user).await;
        if let Some(card) = cards.into_iter().find(|(_, text)| text.contains(needle)) {
            return card;
        }
        assert!(std::time::Instant::now() < deadline, "no card with {needle:?} on the server");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_made_here_and_there_meet_and_a_conflict_loses_nothing() {
    let stack = MailStack::ensure();
    stack.reset_contacts("nell").await;
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("nell", "nell-pass").await;
    open_contacts(&browser).await;
    browser.wait_for_text("#contacts-empty", "No contacts yet").await;

    // Made in the app, with readings: on the server as a vCard.
    browser.click("#contacts-new").await;
    browser.type_into("#contact-family", "山田").await;
    browser.type_into("#contact-given", "花子").await;
    browser.type_into("#contact-phonetic-family", "やまだ").await;
    browser.type_into("#contact-phonetic-given", "はなこ").await;
    browser.click("#contact-add-email").await;
    browser.type_into("#contact-email-0", "hanako@example.jp").await;
    browser.click("#contact-save").await;
    browser.wait_for_text("#contact-name", "山田 花子").await;
    let (_, card) = card_with(stack, "nell", "hanako@example.jp").await;
    for line in ["FN:山田 花子", "N:山田;花子;;;", "X-PHONETIC-LAST-NAME:やまだ"] {
        assert!(card.contains(line), "{line} in {card}");
    }

    // A bad address is refused in words before anything is sent.
    browser.click("#contacts-new").await;
    browser.type_into("#contact-given", "Nobody").await;
    browser.click("#contact-add-email").await;
    browser.type_into("#contact-email-0", "not-an-address").await;
    browser.click("#contact-save").await;
    browser.wait_for_text("#contact-problem", "not an e-mail address").await;

    // Made by another app: there after the next sync (the dialog opened again).
    let book = stack.address_books("nell").await.remove(0);
    let other = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:nell-other-1\r\nFN:John Smith\r\nN:Smith;John;;;\r\nEMAIL:john@example.org\r\nADR:;;1 Main St;Springfield;;;\r\nEND:VCARD\r\n";
    let href = format!("{book}nell-other-1.vcf");
    let put = stack.dav("nell", "PUT", &href, &[("Content-Type", "text/vcard")], other).await;
    assert!(put.status < 300, "{put:?}");
    close_contacts(&browser).await;
    open_contacts(&browser).await;
    browser
        .wait_for_text(".contact-row", "John Smith")
        .await
        .find(fantoccini::Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_text("#contact-name", "John Smith").await;

    // Edited here while edited on the server: a conflict, shown with both versions.
    browser.click("#contact-edit").await;
    browser.type_into("#contact-note", "met at the conference").await;
    let theirs = stack.dav("nell", "GET", &href, &[], "").await.body.replace("John Smith", "Johnny Smith");
    stack.dav("nell", "PUT", &href, &[("Content-Type", "text/vcard")], &theirs).await;
    browser.click("#contact-save").await;
    browser.wait_for_text("#conflict-theirs", "Johnny Smith").await;
    browser.wait_for_text("#conflict-mine", "met at the conference").await;
    browser.screenshot("contacts-conflict").await;
    // The user's change added to the server's version: both kept, and what Yubin does not edit too.
    browser.click("#conflict-save-mine").await;
    browser.wait_for_text("#contacts-status", "Saved").await;
    let stored = stack.dav("nell", "GET", &href, &[], "").await.body;
    for kept in ["met at the conference", "Johnny Smith", "1 Main St"] {
        assert!(stored.contains(kept), "{kept} in {stored}");
    }

    // A group of both.
    browser.click("#contacts-new-group").await;
    browser.type_into("#contact-full-name", "Team").await;
    for name in ["山田 花子", "Johnny Smith"] {
        browser
            .wait_for_text(".members-picker .check", name)
            .await
            .find(fantoccini::Locator::Css("input"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    browser.click("#contact-save").await;
    browser.wait_for_text("#contact-name", "Team").await;
    card_with(stack, "nell", "X-ADDRESSBOOKSERVER-KIND:group").await;
    browser.screenshot("contacts").await;
    close_contacts(&browser).await;

    // The composer offers contacts first, found by their reading; a group puts all its members.
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "やま").await;
    browser.wait_for_text(".suggestions li", "山田 花子 <hanako@example.jp>").await;
    browser.type_into("#compose-to", "tea").await;
    let group = browser.wait_for_text(".suggestions li", "Team (2)").await;
    browser
        .client
        .execute(
            "arguments[0].dispatchEvent(new MouseEvent('mousedown', {bubbles: true}))",
            vec![serde_json::to_value(&group).unwrap()],
        )
        .await
        .unwrap();
    let to = browser.find("#compose-to").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(to.contains("山田 花子 <hanako@example.jp>") && to.contains("Johnny Smith <john@example.org>"), "{to}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vcf_with_japanese_names_is_imported_once_and_exported_back() {
    let stack = MailStack::ensure();
    stack.reset_contacts("nico").await;
    let file = std::env::temp_dir().join(format!("yubin-import-{}.vcf", std::process::id()));
    let cards = [
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:nico-1\r\nFN:佐藤 一郎\r\nN:佐藤;一郎;;;\r\nX-PHONETIC-LAST-NAME:さとう\r\nX-PHONETIC-FIRST-NAME:いちろう\r\nEMAIL;TYPE=INTERNET,WORK:ichiro@example.jp\r\nTEL;TYPE=CELL:090-1111-2222\r\nORG:株式会社サンプル\r\nNOTE:一行目\\n二行目\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:nico-2\r\nFN:鈴木 さくら\r\nN;SORT-AS=\"すずき,さくら\":鈴木;さくら;;;\r\nEMAIL:sakura@example.jp\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Without Uid\r\nEMAIL:nouid@example.org\r\nEND:VCARD\r\n",
    ];
    std::fs::write(&file, cards.concat()).unwrap();

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("nico", "nico-pass").await;
    open_contacts(&browser).await;
    browser.find("#contacts-import").await.send_keys(&file.display().to_string()).await.expect("import");
    browser.wait_for_text("#contacts-status", "Imported 3 of 3").await;
    browser.wait_for_text(".contact-row", "佐藤 一郎").await;
    browser.wait_for_text(".contact-row", "鈴木 さくら").await;
    // Sorted by reading: さとう before すずき.
    let rows: Vec<String> = {
        let mut out = Vec::new();
        for row in browser.client.find_all(fantoccini::Locator::Css(".contact-row .name")).await.unwrap() {
            out.push(row.text().await.unwrap());
        }
        out
    };
    let (sato, suzuki) = (rows.iter().position(|r| r == "佐藤 一郎"), rows.iter().position(|r| r == "鈴木 さくら"));
    assert!(sato < suzuki, "{rows:?}");

    // The same file again (as after a dropped import): nothing twice.
    browser.find("#contacts-import").await.send_keys(&file.display().to_string()).await.expect("import again");
    browser.wait_for_text("#contacts-status", "3 already there").await;
    assert_eq!(stack.vcards("nico").await.len(), 3);

    // Searched by reading; exported back: the same cards, in meaning.
    browser.type_into("#contacts-search", "すずき").await;
    browser.wait_for_text(".contact-row", "鈴木 さくら").await;
    browser.type_into("#contacts-search", "").await;
    browser.click("#contacts-export").await;
    let exported = String::from_utf8(browser.downloaded("contacts.vcf").await).unwrap();
    let count = exported.matches("BEGIN:VCARD").count();
    assert_eq!(count, 3, "{exported}");
    for needle in [
        "N:佐藤;一郎;;;",
        "X-PHONETIC-FIRST-NAME:いちろう",
        "TEL;TYPE=CELL:090-1111-2222",
        "ORG:株式会社サンプル",
        "鈴木;さくら",
        "nouid@example.org",
    ] {
        assert!(exported.contains(needle), "{needle} in {exported}");
    }
    let _ = std::fs::remove_file(&file);

    // A second address book, named in Japanese: on the server, and beside the first.
    browser.click("#contacts-new-book").await;
    browser.type_into("#contacts-book-name", "家族").await;
    browser.click("#contacts-book-make").await;
    browser.wait_for_text(".contacts-sidebar button", "家族").await;
    assert_eq!(stack.address_books("nico").await.len(), 2);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sender_is_added_to_contacts_from_the_message() {
    let stack = MailStack::ensure();
    stack.reset_contacts("rosa").await;
    let subject = yubin_test_support::unique_subject("hello from taro");
    let raw = format!(
        "From: =?UTF-8?B?5bGx5pys?= =?UTF-8?B?IOWkqumDjg==?= <taro@example.jp>\r\nTo: {}\r\nSubject: {subject}\r\nMessage-ID: <{}@example.jp>\r\n\r\nhi\r\n",
        stack.address("rosa"),
        subject.replace(' ', "-")
    );
    stack.deliver("rosa", raw.as_bytes()).await;
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("rosa", "rosa-pass").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.expect("open");
    browser.click("#add-to-contacts").await;
    browser.find("#contact-editor").await;
    let family = browser.find("#contact-family").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(family, "山本");
    browser.click("#contact-save").await;
    browser.wait_for_text("#contact-name", "山本 太郎").await;
    card_with(stack, "rosa", "taro@example.jp").await;
    close_contacts(&browser).await;
    // Asked again for the same sender: the contact opens, no second one is made.
    browser.click("#add-to-contacts").await;
    browser.wait_for_text("#contact-name", "山本 太郎").await;
    assert_eq!(stack.vcards("rosa").await.len(), 1);
    browser.close().await;
}
