//! What assistive technology sees, read from Chromium's accessibility tree through WebDriver's
//! computed role and computed label: the landmarks and widgets have their roles, and every
//! control on every main view has a name a screen reader can say. erin's mailbox is shared
//! with the main browser test, read-only here.

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Locator;
use yubin_e2e::Browser;
use yubin_test_support::MailStack;

/// `GET /session/{id}/element/{id}/computedrole` (or `computedlabel`).
#[derive(Debug)]
struct Computed {
    element: String,
    what: &'static str,
}

impl WebDriverCompatibleCommand for Computed {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/element/{}/{}", session.unwrap_or_default(), self.element, self.what))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}

async fn computed(browser: &Browser, element: &Element, what: &'static str) -> String {
    let value = browser
        .client
        .issue_cmd(Computed { element: element.element_id().to_string(), what })
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    value.as_str().unwrap_or_default().to_owned()
}

async fn role_of(browser: &Browser, css: &str) -> String {
    computed(browser, &browser.find(css).await, "computedrole").await
}

/// Every visible control on the page has an accessible name.
async fn every_control_is_named(browser: &Browser, view: &str) {
    let controls = browser
        .client
        .find_all(Locator::Css("button, input:not([type=hidden]), select, textarea, a[href]"))
        .await
        .unwrap();
    assert!(!controls.is_empty(), "{view}: no controls found");
    for control in controls {
        if !control.is_displayed().await.unwrap_or(false) {
            continue;
        }
        let name = computed(browser, &control, "computedlabel").await;
        let html = control.html(false).await.unwrap_or_default();
        assert!(!name.trim().is_empty(), "{view}: a control without an accessible name: {html}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_and_names_for_assistive_technology() {
    let stack = MailStack::ensure();
    if stack.message_count("erin", "INBOX") < 5 {
        stack.seed(5, "erin");
    }
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.find("#login-button:not([disabled])").await;
    every_control_is_named(&browser, "sign-in").await;

    browser.sign_in("erin", "erin-pass").await;
    browser.find(".message-row[data-uid]").await;
    assert_eq!(role_of(&browser, "form.search").await, "search");
    assert_eq!(role_of(&browser, "nav.folders").await, "navigation");
    assert_eq!(role_of(&browser, ".folder-list").await, "tree");
    assert_eq!(role_of(&browser, ".folder-list > li").await, "treeitem");
    assert_eq!(role_of(&browser, ".message-list").await, "listbox");
    assert_eq!(role_of(&browser, ".message-list > li").await, "option");
    assert_eq!(role_of(&browser, "#reader").await, "main");
    every_control_is_named(&browser, "mailbox").await;

    browser.click(".message-row[data-uid]").await;
    browser.find("#reader .message").await;
    assert_eq!(role_of(&browser, ".actions").await, "toolbar");
    every_control_is_named(&browser, "reader").await;

    browser.click("#compose-button").await;
    browser.find("#composer").await;
    assert_eq!(role_of(&browser, "#composer").await, "form");
    every_control_is_named(&browser, "composer").await;
    browser.close().await;
}
