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

    // Sorted by subject, the list still opens and reads.
    browser.find("#sort").await.select_by_label("Subject A–Z").await.unwrap();
    browser.find(".message-row[data-uid]").await;
    browser.find("#sort").await.select_by_label("Newest first").await.unwrap();
    browser.wait_for_text(".message-row", &subject).await;

    // Search by a Japanese word plus the marker: only our message is listed.
    browser.type_into("#search", &subject).await;
    browser.find("#search").await.send_keys("\u{E007}").await.unwrap(); // Enter
    browser.wait_for_text(".list-count", "1 message").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();

    // Its source shows the headers as received.
    browser.click("#view-source").await;
    browser.wait_for_text("#source-text", "Received: from").await;
    browser.click(".source .dismiss").await;

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

#[tokio::test(flavor = "multi_thread")]
async fn attachment_downloads_in_the_browser() {
    let stack = MailStack::ensure();
    let subject = unique_subject("report attached");
    // "Hello, 世界" as base64, in a file with a Japanese name.
    let raw = format!(
        "From: a@example.org\r\nTo: alice@example.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Disposition: attachment; filename*=UTF-8''%E5%A0%B1%E5%91%8A.txt\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8sIOS4lueVjA==\r\n--b--\r\n"
    );
    stack.deliver("alice", raw.as_bytes()).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("alice", "alice-pass").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();
    // A text file opens over the message; the button beside it saves it.
    browser.wait_for_text("button.attachment", "報告.txt").await;
    browser.click("button.attachment-save").await;

    assert_eq!(browser.downloaded("報告.txt").await, "Hello, 世界".as_bytes());
    // The app is still on screen: a download never navigates away.
    browser.find("#reader .message").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_and_rename_a_folder_then_file_mail_into_it() {
    let stack = MailStack::ensure();
    let subject = unique_subject("to be filed");
    let raw = format!("From: a@example.org\r\nTo: grace@example.test\r\nSubject: {subject}\r\n\r\nfile me\r\n");
    stack.deliver("grace", raw.as_bytes()).await;
    let name = unique_subject("旅行").replace(' ', "-");

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("grace", "grace-pass").await;
    browser.click("#new-folder").await;
    browser.type_into("#folder-name", &name).await;
    browser.click(".folder-form button[type=submit]").await;
    // The new folder opens.
    browser.wait_for_text(".folder.current", &name).await;
    browser.click("#rename-folder").await;
    browser.type_into("#folder-name", &format!("{name}-2026")).await;
    browser.click(".folder-form button[type=submit]").await;
    browser.wait_for_text(".folder.current", &format!("{name}-2026")).await;

    // File the message there with "Move to…".
    browser.click(".folder[data-folder='INBOX']").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();
    let select = browser.find("#move-to").await;
    select.select_by_label(&format!("{name}-2026")).await.unwrap();
    browser.wait_for_text(".folder", &format!("{name}-2026")).await.click().await.unwrap();
    browser.wait_for_text(".message-row", &subject).await;
    browser.screenshot("folders").await;
    browser.close().await;
}

/// hana's mailbox is this test's alone: another test moving mail in the same inbox makes the
/// list change under the drag.
#[tokio::test(flavor = "multi_thread")]
async fn drag_a_message_onto_a_folder() {
    let stack = MailStack::ensure();
    let subject = unique_subject("drag me");
    let raw = format!("From: a@example.org\r\nTo: hana@example.test\r\nSubject: {subject}\r\n\r\nmove me\r\n");
    stack.deliver("hana", raw.as_bytes()).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("hana", "hana-pass").await;
    browser.wait_for_text(".message-row", &subject).await;
    // The folder list loads beside the message list: wait for the drop target too.
    browser.find(".folder[data-folder='Archive']").await;
    let archived_before = stack.message_count("hana", "Archive");
    browser
        .client
        .execute(
            "const row = [...document.querySelectorAll('.message-row')].find(b => b.textContent.includes(arguments[0]));
             const folder = document.querySelector(\".folder[data-folder='Archive']\");
             const data = new DataTransfer();
             row.dispatchEvent(new DragEvent('dragstart', { dataTransfer: data, bubbles: true }));
             folder.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
             folder.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));",
            vec![serde_json::Value::String(subject.clone())],
        )
        .await
        .unwrap();
    // The move is done on the server before Archive is opened (under load it can lag the UI).
    for attempt in 0.. {
        if stack.message_count("hana", "Archive") > archived_before {
            break;
        }
        assert!(attempt < 200, "the dropped message never reached Archive");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.click(".folder[data-folder='Archive']").await;
    browser.wait_for_text(".message-row", &subject).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tick_two_messages_and_archive_both() {
    let stack = MailStack::ensure();
    let marker = unique_subject("bulk");
    for n in 1..=3 {
        let raw = format!("From: b@example.org\r\nTo: frank@example.test\r\nSubject: {n} {marker}\r\n\r\nbody\r\n");
        stack.deliver("frank", raw.as_bytes()).await;
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("frank", "frank-pass").await;
    browser.wait_for_text(".message-row", &format!("3 {marker}")).await;
    for n in [1, 3] {
        let label = format!("Select: {n} {marker}");
        browser.click(&format!("input.tick[aria-label='{label}']")).await;
    }
    browser.wait_for_text(".bulk-count", "2 selected").await;
    browser.click("#bulk-archive").await;

    // Only the unticked one stays; the two are in Archive.
    browser.wait_for_text(".message-row", &format!("2 {marker}")).await;
    let rows = browser.client.find_all(fantoccini::Locator::Css(".message-row[data-uid]")).await.unwrap();
    for row in rows {
        let text = row.text().await.unwrap();
        assert!(!text.contains(&format!("1 {marker}")) && !text.contains(&format!("3 {marker}")), "{text}");
    }
    browser.click(".folder[data-folder='Archive']").await;
    browser.wait_for_text(".message-row", &format!("1 {marker}")).await;
    browser.wait_for_text(".message-row", &format!("3 {marker}")).await;
    browser.close().await;
}

/// tina's mailbox is this test's alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_is_one_row_and_its_messages_are_one_click_apart() {
    let stack = MailStack::ensure();
    let tag = unique_subject("conv").replace(' ', "-");
    for (id, refs, subject) in [("a", "", "Plans"), ("b", "a", "Re: Plans")] {
        let refs = if refs.is_empty() { String::new() } else { format!("In-Reply-To: <{refs}-{tag}@example.org>\r\n") };
        let raw = format!(
            "From: Aoki <aoki@example.jp>\r\nTo: tina@example.test\r\nMessage-ID: <{id}-{tag}@example.org>\r\n{refs}\
             Subject: {subject} {tag}\r\n\r\nbody {id}\r\n"
        );
        stack.deliver("tina", raw.as_bytes()).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("tina", "tina-pass").await;
    browser.wait_for_text(".message-row", &format!("Re: Plans {tag}")).await;
    browser.find("#sort").await.select_by_label("Conversations").await.unwrap();
    let row = browser.wait_for_text(".message-row", &format!("Re: Plans {tag}")).await;
    assert!(row.text().await.unwrap().contains('2'), "the row counts its two messages");
    assert!(
        browser
            .client
            .find(fantoccini::Locator::XPath(&format!(
                "//*[contains(@class,'message-row')][contains(., 'Plans {tag}') and not(contains(., 'Re:'))]"
            )))
            .await
            .is_err(),
        "the original has no row of its own"
    );
    row.click().await.unwrap();
    browser.wait_for_text("#conversation", "2").await;
    browser.find("#conversation li:not(.current) button").await.click().await.unwrap();
    browser.wait_for_text("#message-subject", &format!("Plans {tag}")).await;
    assert!(!browser.find("#message-subject").await.text().await.unwrap().starts_with("Re:"));
    // The whole conversation printed as one document, oldest first.
    browser.click("#print-conversation").await;
    browser.find("#print-frame[data-printed]").await;
    let printed: String = serde_json::from_value(
        browser
            .client
            .execute("return document.getElementById('print-frame').contentDocument.body.innerText", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    let original = printed.find(&format!("Plans {tag}")).expect("the original printed");
    let reply = printed.find(&format!("Re: Plans {tag}")).expect("the reply printed");
    assert!(original < reply, "{printed}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_is_saved_as_an_eml_file_byte_for_byte() {
    let stack = MailStack::ensure();
    let subject = unique_subject("見積もり");
    // ISO-2022-JP text (こんにちは) and more than one download slice (256 KiB) of it.
    let line = b"\x1b$B$3$s$K$A$O\x1b(B 0123456789012345678901234567890123456789\r\n";
    // With its own Message-ID and Date, so Postfix adds nothing inside it.
    let id = subject.split(' ').next_back().unwrap_or_default().to_owned();
    let mut raw = format!(
        "From: a@example.org\r\nTo: bea@example.test\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.org>\r\n\
         Date: {}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n",
        yubin_test_support::mail_date(1_760_000_000)
    )
    .into_bytes();
    for _ in 0..6000 {
        raw.extend_from_slice(line);
    }
    stack.deliver("bea", &raw).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("bea", "bea-pass").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();
    browser.click("#export-eml").await;

    let bytes = browser.downloaded(&format!("{subject}.eml")).await;
    // As the server keeps it: the trace headers Postfix and Dovecot put on top, then the
    // message itself, whole (SMTP's transport may leave a line break after it).
    let at = bytes.windows(raw.len()).position(|w| w == raw.as_slice());
    assert!(at.is_some_and(|at| at < 1024), "{} bytes saved, {} sent", bytes.len(), raw.len());
    assert!(bytes.starts_with(b"Return-Path:"), "{:?}", String::from_utf8_lossy(&bytes[..40.min(bytes.len())]));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_operators_find_what_they_name() {
    let stack = MailStack::ensure();
    stack.empty_mailbox("leo", "INBOX");
    let marker = unique_subject("請求書");
    let attached = format!(
        "From: Boss <boss@example.org>\r\nTo: leo@example.test\r\nSubject: {marker} A\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        "QUFB".repeat(1000)
    );
    let plain =
        format!("From: Boss <boss@example.org>\r\nTo: leo@example.test\r\nSubject: {marker} B\r\n\r\nno file\r\n");
    let other = format!("From: someone@example.net\r\nTo: leo@example.test\r\nSubject: {marker} C\r\n\r\nhello\r\n");
    for raw in [&attached, &plain, &other] {
        stack.deliver("leo", raw.as_bytes()).await;
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("leo", "leo-pass").await;
    browser.wait_for_text(".list-count", "3 messages").await;
    let search = |text: String| {
        let browser = &browser;
        async move {
            browser.type_into("#search", &text).await;
            browser.find("#search").await.send_keys("\u{E007}").await.unwrap(); // Enter
        }
    };
    let subjects = || async {
        let mut found = Vec::new();
        for row in browser.client.find_all(fantoccini::Locator::Css(".message-row .subject")).await.unwrap() {
            // (A 📎 before the subject marks attachments.)
            found.push(row.text().await.unwrap().trim_start_matches('📎').trim().to_owned());
        }
        found.sort();
        found
    };

    search(format!("from:boss has:attachment {marker}")).await;
    browser.wait_for_text(".list-count", "1 message").await;
    assert_eq!(subjects().await, [format!("{marker} A")]);

    search(format!("差出人:boss@example.org 件名:\"{marker}\"")).await;
    browser.wait_for_text(".list-count", "2 found").await;
    assert_eq!(subjects().await, [format!("{marker} A"), format!("{marker} B")]);

    search(format!("larger:2K {marker}")).await;
    browser.wait_for_text(".list-count", "1 message").await;
    assert_eq!(subjects().await, [format!("{marker} A")]);

    // in: opens the folder it names (here by its role) and searches there.
    search(format!("in:trash {marker}")).await;
    browser.find(".folder.current[data-folder='Trash']").await;
    browser.wait_for_text(".list .placeholder", "No messages").await;
    browser.close().await;
}
