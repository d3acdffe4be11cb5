//! Filters and the vacation reply, made in the app in real Chromium, stored over ManageSieve
//! in Pigeonhole, and run by Dovecot when Postfix delivers: a rule from "filter messages like
//! this" files list mail read; a rule on a Japanese subject files invoices; moving a rule up
//! changes which one wins; a vacation reply in Japanese reaches the sender exactly once; a
//! hand-written script is shown as text, never rewritten, and its error comes with its line.
//!
//! fern, vera, walt and hugo are this file's alone.

use std::time::Duration;

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@example.org>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n",
        unique_subject("id").replace(' ', "-")
    )
    .into_bytes()
}

async fn choose(browser: &Browser, css: &str, value: &str) {
    browser.find(css).await.select_by_value(value).await.unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

async fn saved(browser: &Browser) {
    browser.wait_for_text("#filters-status", "Saved on the server").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_made_in_the_app_sort_delivered_mail_and_their_order_decides() {
    let stack = MailStack::ensure();
    stack.remove_sieve_scripts("fern");
    stack.empty_mailbox("fern", "INBOX");
    for folder in ["Lists", "請求"] {
        stack.delete_mailbox("fern", folder);
        stack.create_mailbox("fern", folder);
    }
    let me = stack.address("fern");
    let first = unique_subject("weekly news");
    stack.deliver("fern", &message("News <news@lists.example>", &me, &first)).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("fern", "fern-pass").await;

    // "Filter messages like this" on the list's message: the sender is filled in.
    browser.wait_for_text(".message-row", &first).await.click().await.expect("open");
    browser.click("#filter-like").await;
    let value = browser.find("#condition-value-0").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(value, "news@lists.example");
    browser.set_value("#rule-name", "Mailing lists").await;
    browser.set_value("#condition-value-0", "@lists.example").await;
    choose(&browser, "#action-argument-0", "Lists").await;
    browser.click("#add-action").await;
    choose(&browser, "#action-kind-1", "read").await;
    browser.click("#add-action").await;
    choose(&browser, "#action-kind-2", "stop").await;
    browser.screenshot("filter-rule").await;
    browser.click("#rule-save").await;
    saved(&browser).await;

    // A second rule, in Japanese: the subject contains 請求書 → the folder 請求.
    browser.click("#new-rule").await;
    browser.type_into("#rule-name", "請求書").await;
    choose(&browser, "#condition-field-0", "subject").await;
    browser.type_into("#condition-value-0", "請求書").await;
    choose(&browser, "#action-argument-0", "請求").await;
    browser.click("#add-action").await;
    choose(&browser, "#action-kind-1", "stop").await;
    browser.click("#rule-save").await;
    saved(&browser).await;
    browser.wait_for_text("#filter-rules .filter-rule:nth-child(2) .rule-summary", "請求書").await;
    browser.click("#filters .dismiss").await;

    // Delivered through Postfix: list mail lands in Lists, read; an invoice (its subject in
    // ISO-2022-JP, as Japanese mail often is) in 請求.
    let list_mail = unique_subject("digest");
    stack.deliver("fern", &message("news@lists.example", &me, &list_mail)).await;
    let invoice = "=?ISO-2022-JP?B?GyRCQEE1YT1xGyhC?= 2026-12"; // 請求書 2026-12
    stack.deliver("fern", &message("billing@shop.example", &me, invoice)).await;
    stack.wait_for_count("fern", "Lists", 1).await;
    stack.wait_for_count("fern", "請求", 1).await;
    assert_eq!(stack.flags_of("fern", "Lists"), ["\\Seen"], "the list rule marks it read");
    assert_eq!(stack.flags_of("fern", "請求"), [""], "the invoice rule does not");
    browser.click("[data-folder='Lists']").await;
    browser.wait_for_text(".message-row:not(.unread)", &list_mail).await;

    // A message both rules match goes where the first rule says; moved up, the other wins.
    let both = |n| message("news@lists.example", &me, &format!("請求書 {n}"));
    stack.deliver("fern", &both(1)).await;
    stack.wait_for_count("fern", "Lists", 2).await;
    browser.click("#filters-button").await;
    // Clicked (on its text) to focus it, as a person would, then moved up from the keyboard.
    browser.wait_for_text("#filter-rules .filter-rule:nth-child(2)", "請求書").await.click().await.expect("focus");
    browser.screenshot("filters").await;
    browser.client.active_element().await.unwrap().send_keys("\u{E00A}\u{E013}").await.unwrap(); // Alt+↑
    saved(&browser).await;
    browser.wait_for_text("#filter-rules .filter-rule:nth-child(1) .rule-name", "請求書").await;
    stack.deliver("fern", &both(2)).await;
    stack.wait_for_count("fern", "請求", 2).await;
    assert_eq!(stack.message_count("fern", "Lists"), 2);

    // Turned off, a rule files nothing.
    browser.find("#filter-rules .filter-rule:nth-child(1) .rule-enabled").await.click().await.unwrap();
    saved(&browser).await;
    stack.deliver("fern", &message("billing@shop.example", &me, "請求書 3")).await;
    stack.wait_for_count("fern", "INBOX", 2).await;
    assert_eq!(stack.message_count("fern", "請求"), 2);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vacation_reply_in_japanese_reaches_the_sender_once() {
    let stack = MailStack::ensure();
    stack.remove_sieve_scripts("vera");
    stack.empty_mailbox("vera", "INBOX");
    stack.empty_mailbox("walt", "INBOX");
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("vera", "vera-pass").await;
    browser.click("#filters-button").await;
    browser.find("#filters-empty").await;
    browser.click("#filters-vacation-tab").await;
    browser.click("#vacation-enabled").await;
    browser.set_value("#vacation-from", "2020-01-01").await;
    browser.set_value("#vacation-until", "2099-12-31").await;
    browser.type_into("#vacation-subject", "不在のお知らせ").await;
    browser.type_into("#vacation-text", "12月28日まで休暇をいただいております。").await;
    browser.type_into("#vacation-days", "1").await;
    browser.screenshot("vacation").await;
    browser.click("#vacation-save").await;
    saved(&browser).await;
    browser.close().await;

    // Two messages from walt: one reply, not two.
    let vera = stack.address("vera");
    for n in 1..=2 {
        let raw = message(&format!("Walt <{}>", stack.address("walt")), &vera, &format!("会議 {n}"));
        stack.deliver_from("walt", "vera", &raw).await;
    }
    stack.wait_for_count("vera", "INBOX", 2).await;
    stack.wait_for_count("walt", "INBOX", 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(stack.message_count("walt", "INBOX"), 1, "one reply per sender and period");

    // Readable in a mail client: walt sees the Japanese subject and text.
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("walt", "walt-pass").await;
    browser.wait_for_text(".message-row", "不在のお知らせ").await.click().await.expect("open");
    browser.wait_for_text("#reader", "休暇をいただいております").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_written_script_is_edited_as_text_with_the_servers_errors_and_never_rewritten() {
    let stack = MailStack::ensure();
    stack.remove_sieve_scripts("hugo");
    let hand = "require \"fileinto\";\r\n# written by hand\r\nif header :contains \"subject\" \"x\" { fileinto \"INBOX\"; }\r\n";
    stack.put_sieve_script("hugo", "roundcube", hand);

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("hugo", "hugo-pass").await;
    browser.click("#filters-button").await;
    browser.find("#filters-foreign").await;
    let shown = browser.find("#script-text").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(shown.replace("\r\n", "\n"), hand.replace("\r\n", "\n"));

    // An error on line 4: the server's words, with the line, and nothing stored.
    let broken = format!("{hand}frobnicate;\r\n");
    browser.set_value("#script-text", &broken).await;
    browser.click("#script-check").await;
    let error = browser.find("#filters-status.form-error").await.text().await.unwrap();
    assert!(error.contains("line 4") || error.contains("4:"), "{error}");
    browser.click("#script-save").await;
    browser.find("#script-save:not([disabled])").await;
    browser.wait_for_text("#filters-status.form-error", "frobnicate").await;
    assert_eq!(stack.sieve_script("hugo", "roundcube").replace("\r\n", "\n"), hand.replace("\r\n", "\n"));

    // Rules instead: a script of Yubin's own becomes active; the hand-written one stays.
    browser.click("#use-rules").await;
    browser.click("#new-rule").await;
    browser.type_into("#condition-value-0", "@example.org").await;
    choose(&browser, "#action-kind-0", "flag").await;
    browser.click("#rule-save").await;
    saved(&browser).await;
    browser.close().await;
    let scripts = stack.sieve_scripts("hugo");
    assert!(scripts.contains(&("roundcube".into(), false)), "the hand-written script stays, inactive: {scripts:?}");
    assert!(scripts.contains(&("yubin".into(), true)), "{scripts:?}");
    assert_eq!(
        stack.sieve_script("hugo", "roundcube").replace("\r\n", "\n"),
        hand.replace("\r\n", "\n"),
        "and unchanged"
    );
}
