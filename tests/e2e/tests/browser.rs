//! A person's path through Yubin, in real headless Chromium against the real mail stack.

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

#[tokio::test(flavor = "multi_thread")]
async fn read_a_message_send_one_and_see_it_arrive() {
    let stack = MailStack::ensure();
    if stack.message_count("erin", "INBOX") < 60 {
        stack.seed(60, "erin");
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.find("#login-button:not([disabled])").await;
    browser.screenshot("login").await;

    // Sign in and see the newest messages; the list knows the folder's size.
    let total = stack.message_count("erin", "INBOX");
    browser.sign_in("erin", "erin-pass").await;
    browser.find(".message-row[data-uid]").await;
    browser.wait_for_text(".list-count", &format!("{total} messages")).await;
    browser.wait_for_text(".folder.current", "Inbox").await;
    let rows = browser.client.find_all(fantoccini::Locator::Css(".message-row[data-uid]")).await.unwrap();
    assert!(rows.len() >= 10 && rows.len() < 50, "only the rows in view are rendered: {}", rows.len());

    // Open the newest message: its subject and text show in the reader.
    let subject = rows[0].find(fantoccini::Locator::Css(".subject")).await.unwrap().text().await.unwrap();
    rows[0].click().await.unwrap();
    let shown = browser.find("#reader .message .subject").await.text().await.unwrap();
    assert_eq!(shown.trim(), subject.trim());
    let body = browser.find("#reader .body").await.text().await.unwrap();
    assert!(!body.trim().is_empty(), "the text body is shown");
    browser.screenshot("inbox").await;

    // Scrolling to the end fetches the oldest block, and only it.
    browser
        .client
        .execute("const v = document.querySelector('.list-viewport'); v.scrollTop = v.scrollHeight;", vec![])
        .await
        .unwrap();
    browser.find(&format!("[aria-rowindex='{total}'] .message-row[data-uid]")).await;
    browser.client.execute("document.querySelector('.list-viewport').scrollTop = 0;", vec![]).await.unwrap();
    browser.find("[aria-rowindex='1'] .message-row[data-uid]").await;

    // A refused recipient: the server's words are shown and nothing typed is lost.
    let subject = unique_subject("E2E hello");
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "nosuchuser@example.test").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.type_into("#compose-body", "Sent from headless Chromium.\nこんにちは").await;
    browser.click("#send-button").await;
    let error = browser.wait_for_text("#send-error", "550").await.text().await.unwrap();
    assert!(error.contains("5.1.1") && error.contains("User unknown"), "{error}");
    assert_eq!(browser.find("#compose-subject").await.prop("value").await.unwrap().as_deref(), Some(subject.as_str()));
    browser.screenshot("send-refused").await;

    // Fix the address and send.
    browser.type_into("#compose-to", "Bob <bob@example.test>").await;
    browser.click("#send-button").await;
    browser.wait_for_text(".notice.info", "Message sent").await;

    // Bob sees it arrive.
    browser.click("#logout-button").await;
    browser.sign_in("bob", "bob-pass").await;
    let row = browser.wait_for_text(".message-row", &subject).await;
    row.click().await.unwrap();
    browser.wait_for_text("#reader .body", "こんにちは").await;
    browser.wait_for_text("#reader .from", "erin@example.test").await;
    browser.screenshot("received").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_shows_the_servers_refusal() {
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("alice", "not-her-password").await;
    // Dovecot's own words: "[AUTHENTICATIONFAILED] Authentication failed."
    browser.wait_for_text(".login .form-error", "Authentication failed").await;
    // The form stays filled in for another try.
    let user = browser.find("#username").await.prop("value").await.unwrap();
    assert_eq!(user.as_deref(), Some("alice"));
    browser.screenshot("login-refused").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn new_mail_appears_without_reload() {
    let stack = MailStack::ensure();
    let browser = Browser::start().await;
    browser.open_app().await;
    if stack.message_count("dave", "INBOX") == 0 {
        stack.seed(3, "dave"); // an empty folder shows no count
    }
    browser.sign_in("dave", "dave-pass").await;
    browser.find(".list-count").await;
    // No waiting for IDLE: mail that lands before the watch begins is reported too.

    let subject = unique_subject("Live delivery");
    let raw = format!("From: Live <live@example.org>\r\nTo: dave@example.test\r\nSubject: {subject}\r\n\r\nhello\r\n");
    stack.deliver("dave", raw.as_bytes()).await;
    browser.wait_for_text(".message-row", &subject).await;
    browser.close().await;
}

/// ezra's mailbox is this test's alone. Another client flags one message, deletes another and
/// mail arrives, while the list has been scrolled: the list shows all three without a reload,
/// through an incremental resync (QRESYNC on Dovecot).
#[tokio::test(flavor = "multi_thread")]
async fn another_clients_changes_show_in_the_open_list() {
    let stack = MailStack::ensure();
    if stack.message_count("ezra", "INBOX") < 120 {
        stack.seed(120, "ezra");
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("ezra", "ezra-pass").await;
    let total = stack.message_count("ezra", "INBOX");
    browser.wait_for_text(".list-count", &format!("{total} messages")).await;
    // Load a second block, then come back to the top.
    let middle = "const v = document.querySelector('.list-viewport'); v.scrollTop = v.scrollHeight / 2;";
    browser.client.execute(middle, vec![]).await.unwrap();
    browser.find(&format!("[aria-rowindex='{}'] .message-row[data-uid]", total / 2)).await;
    browser.client.execute("document.querySelector('.list-viewport').scrollTop = 0;", vec![]).await.unwrap();
    let (to_flag, to_delete) = (uid_at(&browser, 1).await, uid_at(&browser, 3).await);

    stack.add_flag("ezra", "\\Flagged", to_flag);
    stack.expunge("ezra", to_delete);
    let subject = unique_subject("Arrived meanwhile");
    let raw = format!("From: m@example.org\r\nTo: ezra@example.test\r\nSubject: {subject}\r\n\r\nhi\r\n");
    stack.deliver("ezra", raw.as_bytes()).await;

    browser.wait_for_text("[aria-rowindex='1'] .message-row", &subject).await;
    shows_flagged_and_not_deleted(&browser, to_flag, to_delete).await;
    browser.wait_for_text(".list-count", &format!("{total} messages")).await;
    browser.close().await;
}

/// The UID of the message on row `row` (from 1) of the list.
async fn uid_at(browser: &Browser, row: u32) -> u32 {
    let css = format!("[aria-rowindex='{row}'] .message-row[data-uid]");
    browser.find(&css).await.attr("data-uid").await.unwrap().unwrap().parse().unwrap()
}

/// Another client's changes as the list must show them: `flagged` starred, `deleted` gone.
async fn shows_flagged_and_not_deleted(browser: &Browser, flagged: u32, deleted: u32) {
    browser.find(&format!(".message-row[data-uid='{flagged}'] .flag")).await;
    let row = fantoccini::Locator::Css(&format!(".message-row[data-uid='{deleted}']"));
    assert!(browser.client.find(row).await.is_err(), "the deleted message is gone from the list");
}

/// The keys of the browser's list cache (IndexedDB `yubin-list-cache`), without creating it.
async fn cached_lists(browser: &Browser) -> Vec<String> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        indexedDB.databases().then((dbs) => {
            if (!dbs.some((d) => d.name === 'yubin-list-cache')) { done([]); return; }
            const open = indexedDB.open('yubin-list-cache');
            open.onerror = () => done([]);
            open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains('tops')) { db.close(); done([]); return; }
                const keys = db.transaction('tops').objectStore('tops').getAllKeys();
                keys.onsuccess = () => { db.close(); done(keys.result); };
                keys.onerror = () => { db.close(); done([]); };
            };
        });
    "#;
    let keys = browser.client.execute_async(script, vec![]).await.unwrap();
    keys.as_array().into_iter().flatten().filter_map(|k| k.as_str().map(str::to_owned)).collect()
}

/// fay's mailbox is this test's alone. The list's top is kept in the browser; signing in again
/// after a reload shows it brought up to date with what happened meanwhile (a flag, a deletion,
/// new mail), and signing out forgets it.
#[tokio::test(flavor = "multi_thread")]
async fn signing_in_again_shows_the_kept_list_brought_up_to_date() {
    let stack = MailStack::ensure();
    if stack.message_count("fay", "INBOX") < 10 {
        stack.seed(10, "fay");
    }
    let total = stack.message_count("fay", "INBOX");
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("fay", "fay-pass").await;
    browser.wait_for_text(".list-count", &format!("{total} messages")).await;
    let cached = "fay@example.test\u{1}INBOX";
    for _ in 0..50 {
        if cached_lists(&browser).await.iter().any(|k| k == cached) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(cached_lists(&browser).await.iter().any(|k| k == cached), "the top of INBOX is kept");
    let (to_flag, to_delete) = (uid_at(&browser, 1).await, uid_at(&browser, 2).await);

    browser.client.refresh().await.unwrap();
    stack.add_flag("fay", "\\Flagged", to_flag);
    stack.expunge("fay", to_delete);
    let subject = unique_subject("Arrived while away");
    let raw = format!("From: m@example.org\r\nTo: fay@example.test\r\nSubject: {subject}\r\n\r\nhi\r\n");
    stack.deliver("fay", raw.as_bytes()).await;

    browser.sign_in("fay", "fay-pass").await;
    browser.wait_for_text("[aria-rowindex='1'] .message-row", &subject).await;
    shows_flagged_and_not_deleted(&browser, to_flag, to_delete).await;
    browser.wait_for_text(".list-count", &format!("{total} messages")).await;

    browser.click("#logout-button").await;
    browser.find("#login-form").await;
    for _ in 0..50 {
        if !cached_lists(&browser).await.iter().any(|k| k.starts_with("fay@example.test")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!cached_lists(&browser).await.iter().any(|k| k.starts_with("fay@example.test")), "forgotten at sign-out");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_restart_goes_unnoticed_by_an_open_tab() {
    let stack = MailStack::ensure();
    let mut browser = Browser::start().await;
    browser.open_app().await;
    if stack.message_count("carol", "INBOX") == 0 {
        stack.seed(3, "carol");
    }
    browser.sign_in("carol", "carol-pass").await;
    browser.find(".message-row[data-uid]").await;

    browser.gateway.restart().await;
    // The tab reconnects and signs in again by itself, without asking for the password.
    browser.wait_for_text(".notice.info", "Reconnecting").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while browser.client.find(fantoccini::Locator::Css(".notice.info")).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "the tab did not reconnect");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(browser.client.find(fantoccini::Locator::Css("#login-form")).await.is_err(), "asked to sign in again");

    // And push works on the new gateway.
    let subject = unique_subject("after restart");
    let raw = format!("From: r@example.org\r\nTo: carol@example.test\r\nSubject: {subject}\r\n\r\nhi\r\n");
    stack.deliver("carol", raw.as_bytes()).await;
    browser.wait_for_text(".message-row", &subject).await;
    browser.close().await;
}

/// ivy's mailbox is this test's alone among the browser tests.
#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_does_what_gmail_users_expect() {
    let stack = MailStack::ensure();
    for i in 0..3 {
        let raw = format!(
            "From: Keys <keys@example.org>\r\nTo: ivy@example.test\r\nSubject: {}\r\n\r\nbody {i}\r\n",
            unique_subject(&format!("keyboard {i}"))
        );
        stack.deliver("ivy", raw.as_bytes()).await;
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("ivy", "ivy-pass").await;
    browser.find(".message-row[data-uid]").await;
    // The tab title counts the unread mail in the inbox.
    for attempt in 0.. {
        let title = browser.client.title().await.unwrap();
        if title.starts_with('(') && title.ends_with(") Yubin") {
            break;
        }
        assert!(attempt < 100, "no unread count in the title: {title}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let press = |key: &'static str| {
        let client = browser.client.clone();
        async move { client.active_element().await.unwrap().send_keys(key).await.unwrap() }
    };
    // Focus the page, not a field.
    browser.client.execute("document.activeElement && document.activeElement.blur()", vec![]).await.unwrap();
    press("j").await;
    let first = browser.find("#message-subject").await.text().await.unwrap();
    press("j").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while browser.find("#message-subject").await.text().await.unwrap() == first {
        assert!(std::time::Instant::now() < deadline, "j did not move to the next message");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    press("k").await;
    browser.wait_for_text("#message-subject", &first).await;
    press("s").await;
    browser.find("#toggle-flag[aria-pressed='true']").await;
    press("?").await;
    browser.wait_for_text("#shortcuts-help", "Reply all").await;
    press("\u{e00c}").await; // Escape
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(browser.client.find(fantoccini::Locator::Css("#shortcuts-help")).await.is_err());
    press("c").await;
    browser.find("#composer").await;
    browser.close().await;
}

/// ivy again (reading only): a message that failed to open is opened by "Try again".
#[tokio::test(flavor = "multi_thread")]
async fn a_message_that_failed_to_open_opens_on_try_again() {
    let stack = MailStack::ensure();
    let raw =
        format!("From: a@example.org\r\nTo: ivy@example.test\r\nSubject: {}\r\n\r\nx\r\n", unique_subject("retry"));
    stack.deliver("ivy", raw.as_bytes()).await;
    let mut browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("ivy", "ivy-pass").await;
    let row = browser.find(".message-row[data-uid]").await;
    browser.gateway.stop().await;
    browser.wait_for_text(".notice", "Reconnecting").await;
    row.click().await.unwrap();
    browser.find("#retry-open").await;
    browser.gateway.start_again().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Ok(retry) = browser.client.find(fantoccini::Locator::Css("#retry-open")).await {
            let _ = retry.click().await;
        }
        if browser.client.find(fantoccini::Locator::Css("#reader .message")).await.is_ok() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the message never opened on retry");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    browser.close().await;
}

/// On a slow network the page's own sign-in form is there long before the app (the wasm takes
/// seconds): it speaks the browser's language, takes what is typed and sent, and the app signs
/// in with it as soon as it starts.
#[tokio::test(flavor = "multi_thread")]
async fn the_sign_in_form_works_before_the_app_has_arrived() {
    use serde_json::json;
    let stack = MailStack::ensure();
    if stack.message_count("carol", "INBOX") == 0 {
        stack.seed(3, "carol");
    }
    let browser = Browser::start().await;
    let japanese = "localStorage.setItem('yubin.lang', 'ja')";
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": japanese })).await;
    // 1 Mbit/s: the app's ~400 KB take seconds; the page (a few KB) comes at once.
    browser.cdp("Network.enable", json!({})).await;
    let slow = json!({ "offline": false, "latency": 20, "downloadThroughput": 125_000, "uploadThroughput": 125_000 });
    browser.cdp("Network.emulateNetworkConditions", slow).await;
    // Not `goto`, which would wait for the page's load, and with it the app.
    browser.client.execute("location.assign(arguments[0])", vec![browser.gateway.url().into()]).await.unwrap();

    browser.wait_for_text("#early-sign-in .tagline", "メールにログイン").await;
    let app_started = "return document.getElementById('app').childElementCount > 0";
    assert_eq!(browser.client.execute(app_started, vec![]).await.unwrap(), json!(false), "the app is not here yet");
    browser.find("#server").await.select_by_value("demo").await.expect("the servers are in the page");
    browser.type_into("#username", "carol").await;
    browser.type_into("#password", "carol-pass").await;
    browser.click("#login-button").await;
    browser.wait_for_text("#login-button", "ログイン中…").await;
    assert_eq!(
        browser.client.execute(app_started, vec![]).await.unwrap(),
        json!(false),
        "sent before the app arrived (a faster machine than this test assumes?)"
    );

    // The app arrives, signs in with what was sent, and the page's form is gone.
    browser.find(".message-row[data-uid]").await;
    assert!(browser.client.find(fantoccini::Locator::Css("#early-sign-in")).await.is_err());
    browser.close().await;
}
