//! Moving in from another webmail, in Chromium: an mbox of 1,000 messages with Japanese
//! subjects imported into the inbox (the gateway APPENDs them in batches), imported again
//! without a single duplicate, and the folder exported back as an mbox with all 1,000; then a
//! search of every folder (`in:all`) finds them beside one in Archive, paged and labelled.
//! mox is this file's own user.

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

const COUNT: usize = 1000;

/// An mboxrd file of `COUNT` messages, subjects "会議 n" (RFC 2047), a body line starting
/// with "From " quoted as mboxrd writes it.
fn mbox(tag: &str) -> String {
    (0..COUNT)
        .map(|n| {
            format!(
                "From sender@example.jp Wed Dec  3 16:00:00 2025\nFrom: sender@example.jp\nTo: mox@example.test\n\
                 Subject: =?UTF-8?B?5Lya6K2w?= {n}\nMessage-ID: <{n}.{tag}@example.jp>\n\
                 Date: Wed, 3 Dec 2025 16:00:00 +0900\n\n本文 {n}\n>From a line of the body\n\n"
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mbox_of_a_thousand_moves_in_once_and_out_again() {
    let stack = MailStack::ensure();
    // Counted from empty, whatever an earlier run on this machine left.
    stack.empty_mailbox("mox", "INBOX");
    stack.empty_mailbox("mox", "Archive");
    let tag = unique_subject("mbox").replace(' ', "-");
    let file = std::env::temp_dir().join(format!("{tag}.mbox"));
    std::fs::write(&file, mbox(&tag)).unwrap();

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("mox", "mox-pass").await;
    browser.find(".folder[data-folder='INBOX']").await;
    browser.find("#import-file").await.send_keys(&file.display().to_string()).await.expect("import");
    browser.wait_for_text(".notice", &format!("Import done: {COUNT} added, 0 already in the folder.")).await;
    assert_eq!(stack.message_count("mox", "INBOX") as usize, COUNT);
    browser.wait_for_text(".message-row", "会議 999").await;

    // The same file again (as after a broken-off import): nothing twice.
    browser.find("#import-file").await.send_keys(&file.display().to_string()).await.expect("import again");
    browser.wait_for_text(".notice", &format!("Import done: 0 added, {COUNT} already in the folder.")).await;
    assert_eq!(stack.message_count("mox", "INBOX") as usize, COUNT);
    std::fs::remove_file(&file).ok();

    // Out again: the inbox as an mbox, every message in it once, the body line quoted.
    browser.click("#export-folder").await;
    let exported = String::from_utf8(browser.downloaded("INBOX.mbox").await).unwrap();
    let separators = exported.lines().filter(|line| line.starts_with("From MAILER-DAEMON ")).count();
    assert_eq!(separators, COUNT);
    for n in [0, 500, 999] {
        assert_eq!(exported.matches(&format!("Message-ID: <{n}.{tag}@example.jp>")).count(), 1);
    }
    // Stored as "From a line…" (the import took the quoting off), quoted again on the way out.
    assert_eq!(exported.matches("\n>From a line of the body\n").count(), COUNT);

    // A search's results as an mbox: "会議 99" is in 11 subjects (99, 990…999).
    browser.type_into("#search", "subject:\"会議 99\"").await;
    browser.find("#search").await.send_keys("\u{E007}").await.unwrap(); // Enter
    browser.wait_for_text(".list-count", "11 found").await;
    browser.click("#export-results").await;
    let found = String::from_utf8(browser.downloaded("subject__会議 99_.mbox").await).unwrap();
    assert_eq!(found.lines().filter(|line| line.starts_with("From MAILER-DAEMON ")).count(), 11);

    // One more, into Archive, from an .eml; then a search of every folder finds it beside
    // the inbox's, labelled with its folder, and opens it there.
    browser.click(".folder[data-folder='Archive']").await;
    let eml = std::env::temp_dir().join(format!("{tag}.eml"));
    std::fs::write(&eml, format!("Subject: =?UTF-8?B?5Lya6K2w?= archived\nMessage-ID: <a.{tag}@example.jp>\nDate: Thu, 3 Dec 2026 09:00:00 +0900\n\nkept\n")).unwrap();
    browser.find("#import-file").await.send_keys(&eml.display().to_string()).await.expect("import the .eml");
    browser.wait_for_text(".notice", "Import done: 1 added").await;
    std::fs::remove_file(&eml).ok();
    browser.type_into("#search", "subject:会議 in:all").await;
    browser.find("#search").await.send_keys("\u{E007}").await.unwrap(); // Enter
    browser.wait_for_text("#search-everywhere .found-count", &format!("{} found", COUNT + 1)).await;
    let row = browser.wait_for_text("#search-everywhere .found-row", "会議 archived").await;
    assert!(row.text().await.unwrap().contains("Archive"));
    browser.wait_for_text("#search-everywhere .found-row", "会議 999").await;
    // Paged: 50 at first, more on asking.
    let rows = browser.client.find_all(fantoccini::Locator::Css("#search-everywhere .found-row")).await.unwrap();
    assert_eq!(rows.len(), 50);
    browser.click("#found-more").await;
    browser.wait_for_text("#search-everywhere .found-row", "会議 949").await;
    browser.wait_for_text("#search-everywhere .found-row", "会議 archived").await.click().await.unwrap();
    browser.wait_for_text("#message-subject", "会議 archived").await;
    browser.find(".folder.current[data-folder='Archive']").await;
    browser.close().await;
}
