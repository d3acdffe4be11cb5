//! Signing in with an identity provider in a real browser: the OpenID provider's own login and
//! consent pages (npm oidc-provider), back to Yubin, reading and sending with tokens (Dovecot
//! and Postfix check them at the provider), beside a password account in the unified inbox,
//! sending after the access token ended, signing in again by itself after a reload and a
//! gateway restart with the refresh token the browser keeps, and a grant withdrawn at the
//! provider ending the sign-in with the provider's button shown again.

use std::time::Duration;

use yubin_e2e::Browser;
use yubin_test_support::{http_get, unique_subject, MailStack};

/// Writes `subject` to `user` (the account on screen), sends it, and waits for it in the list.
async fn send_and_see_it_arrive(browser: &Browser, user: &str, subject: &str) {
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", user).await;
    browser.type_into("#compose-subject", subject).await;
    browser.click("#send-button").await;
    browser.wait_for_text(".message-row", subject).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_with_the_provider_read_send_and_stay_signed_in() {
    let stack = MailStack::ensure();
    let user = format!("fay@{}", stack.domain);
    let mut browser = Browser::start().await;
    browser.open_app().await;

    // The login page offers the provider beside the password form.
    browser.find("#oauth-oidc:not([disabled])").await;
    browser.click("#remember").await;
    browser.click("#oauth-oidc").await;

    // The provider's own pages: sign in, then consent.
    browser.type_into("input[name=login]", &user).await;
    browser.type_into("input[name=password]", "any password: the provider's test accounts").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("button[type=submit]", "Continue").await;
    browser.click("button[type=submit]").await;

    // Back in Yubin, signed in as the account the provider named; the grant is out of the
    // address bar.
    browser.wait_for_text("#identity-button", &user).await;
    assert!(!browser.url().await.contains("oauth="), "the sealed grant stays out of history");

    // Sending goes through submission with the token; the message arrives.
    let subject = unique_subject("oauth e2e");
    send_and_see_it_arrive(&browser, &user, &subject).await;

    // A password account beside it: one unified inbox for both.
    let other = unique_subject("password account");
    stack.deliver("gus", format!("Subject: {other}\r\nFrom: x@example.org\r\n\r\nhi\r\n").as_bytes()).await;
    browser.click("#add-account").await;
    browser.find("#login-form[role=dialog] #oauth-oidc").await;
    browser.sign_in("gus", "gus-pass").await;
    browser.click("#unified-inbox").await;
    browser.wait_for_text(".message-row", &other).await;
    browser.wait_for_text(".message-row", &subject).await;

    // The access token (60 s) ends while the tab is open; sending, which needs a new
    // connection, still works: the gateway renewed it with the refresh token.
    tokio::time::sleep(Duration::from_secs(42)).await;
    browser.click(&format!(".account-switch[data-account='{user}']")).await;
    send_and_see_it_arrive(&browser, &user, &unique_subject("oauth after expiry")).await;

    // A reload signs in again by itself with the remembered refresh token: no provider page.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("#identity-button", &user).await;

    // A gateway restart: the tab reconnects and signs in again with the token, unasked.
    browser.gateway.stop().await;
    browser.wait_for_text(".notice", "Reconnecting").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.gateway.start_again().await;
    let after = unique_subject("oauth after restart");
    stack.deliver("fay", format!("Subject: {after}\r\nFrom: x@example.org\r\n\r\nhi\r\n").as_bytes()).await;
    browser.wait_for_text(".message-row", &after).await;
    assert!(browser.client.find(fantoccini::Locator::Css("#login-form")).await.is_err(), "no sign-in asked for");

    // An answer the gateway did not ask for (no flow cookie, made-up state) is refused in words.
    let (status, _, body) = http_get(browser.gateway.addr, "/oauth/callback?code=stolen&state=forged").await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("not started here"));

    // The user withdraws the grant at the provider. The next time the gateway signs in (its
    // IMAP connection was dropped), the token is refused: the tab says the sign-in ended, shows
    // the provider's button — never a password box — and forgets the refresh token.
    stack.revoke_grants(&user).await;
    stack.kick("fay");
    browser.wait_for_text(".folder", "Sent").await.click().await.unwrap();
    browser.wait_for_text(".notice", "sign-in has ended").await;
    browser.find("#oauth-oidc").await;
    browser.client.refresh().await.unwrap();
    browser.find("#oauth-oidc").await;
    assert!(browser.client.find(fantoccini::Locator::Css("#identity-button")).await.is_err(), "still remembered");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn adding_an_oauth_account_in_a_popup_keeps_the_accounts_signed_in() {
    let stack = MailStack::ensure();
    let user = format!("jo@{}", stack.domain);
    let browser = Browser::start().await;
    browser.open_app().await;
    // A password account, not remembered: leaving the page would sign it out.
    let mail = unique_subject("kept while adding");
    stack.deliver("gus", format!("Subject: {mail}\r\nFrom: x@example.org\r\n\r\nhi\r\n").as_bytes()).await;
    browser.sign_in("gus", "gus-pass").await;
    browser.wait_for_text(".message-row", &mail).await;

    // Adding the OAuth account opens the provider in a popup.
    let main = browser.client.window().await.unwrap();
    browser.click("#add-account").await;
    browser.click("#login-form[role=dialog] #oauth-oidc").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let popup = loop {
        let windows = browser.client.windows().await.unwrap();
        if let Some(popup) = windows.into_iter().find(|w| *w != main) {
            break popup;
        }
        assert!(std::time::Instant::now() < deadline, "no popup opened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    browser.client.switch_to_window(popup).await.unwrap();
    browser.type_into("input[name=login]", &user).await;
    browser.type_into("input[name=password]", "any").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("button[type=submit]", "Continue").await;
    browser.click("button[type=submit]").await;

    // The popup hands the consent over and closes; the page signs the account in beside gus.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while browser.client.windows().await.unwrap().len() > 1 {
        assert!(std::time::Instant::now() < deadline, "the popup did not close");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.client.switch_to_window(main).await.unwrap();
    browser.find(&format!(".account-switch[data-account='{user}']")).await;
    browser.find(".account-switch[data-account='gus@example.test']").await;
    browser.click("#unified-inbox").await;
    browser.wait_for_text(".message-row", &mail).await;
    browser.close().await;
}
