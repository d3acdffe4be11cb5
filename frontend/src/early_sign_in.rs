//! The sign-in form `index.html` shows before the app has arrived: on a slow network the wasm
//! takes seconds, and the form is usable at once (a script in the page fills in the servers
//! the gateway wrote into it, and keeps a form sent early for the app).
//!
//! The app adopts that form rather than replacing it, so someone typing into it is never
//! interrupted: from then on its sending and "Test connection" go to the app. As soon as the
//! sign-in page must show more than the form (a sign-in under way, an error, a test's result,
//! another language), the app takes it over: what was typed goes into the app's own form
//! ([`Typed`]) and the page's form is removed.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::Callback;
use yubin_protocol::ServerInfo;

use crate::sign_in::{LoginForm, SignInMsg};
use crate::window_events::EventListener;

const FORM_ID: &str = "early-sign-in";
const SERVERS_ID: &str = "yubin-servers";

/// The page's form, adopted by the app.
pub struct EarlySignIn {
    element: Element,
    _submit: Option<EventListener<web_sys::Event>>,
    _test: Option<EventListener<web_sys::Event>>,
}

/// What the page's form held when the app took it over, for the app's own form.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub form: LoginForm,
    /// The id of the field that had the focus (the cursor goes back there).
    pub focus: Option<String>,
}

impl EarlySignIn {
    /// Adopts the page's form, if it is shown: what is sent from it from now on goes to
    /// `on_submit` and `on_test`. Also returns what was sent before the app was here (a
    /// sign-in or a test).
    pub fn adopt(on_submit: Callback<LoginForm>, on_test: Callback<LoginForm>) -> Option<(Self, Option<SignInMsg>)> {
        let element = document()?.get_element_by_id(FORM_ID)?;
        if element.has_attribute("hidden") {
            return None;
        }
        let sent_early = match element.get_attribute("data-sent").as_deref() {
            Some("submit") => Some(SignInMsg::Submit(read_form(&element))),
            Some("test") => Some(SignInMsg::Test(read_form(&element))),
            _ => None,
        };
        let _ = element.set_attribute("data-adopted", "1");
        let listen = |selector: &str, event: &'static str, send: Callback<LoginForm>| {
            let target = element.query_selector(selector).ok()??;
            let form = element.clone();
            EventListener::on(target.into(), event, move |e: web_sys::Event| {
                e.prevent_default();
                send.emit(read_form(&form));
            })
        };
        let submit = listen("form", "submit", on_submit);
        let test = listen("#test-account", "click", on_test);
        Some((Self { element, _submit: submit, _test: test }, sent_early))
    }

    /// Removes the page's form; returns what it held.
    pub fn take_over(self) -> Typed {
        let focus = document()
            .and_then(|d| d.active_element())
            .filter(|active| self.element.contains(Some(active)))
            .map(|active| active.id())
            .filter(|id| !id.is_empty());
        let form = read_form(&self.element);
        self.element.remove();
        Typed { form, focus }
    }
}

/// The servers the gateway wrote into the page: the sign-in form has them before the
/// gateway's hello.
pub fn page_servers() -> Vec<ServerInfo> {
    document()
        .and_then(|d| d.get_element_by_id(SERVERS_ID))
        .and_then(|script| script.text_content())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn read_form(element: &Element) -> LoginForm {
    let field = |id: &str| element.query_selector(&format!("#{id}")).ok().flatten();
    let input = |id: &str| field(id).and_then(|f| f.dyn_into::<HtmlInputElement>().ok());
    LoginForm {
        server: field("server")
            .and_then(|f| f.dyn_into::<HtmlSelectElement>().ok())
            .map(|s| s.value())
            .unwrap_or_default(),
        username: input("username").map(|i| i.value()).unwrap_or_default(),
        password: input("password").map(|i| i.value()).unwrap_or_default(),
        remember: input("remember").is_some_and(|i| i.checked()),
        oauth: false,
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::{tr, Lang};

    /// The page the gateway serves, with its own sign-in form.
    const PAGE: &str = include_str!("../../index.html");

    /// The page's form has to be written out in HTML (it exists before any wasm): it speaks the
    /// app's words and has the app's fields, or the take-over would show a different form.
    #[test]
    fn the_pages_form_says_what_the_apps_says_and_has_its_fields() {
        const JAPANESE: &str = "data-ja=\"";
        let mut labels = 0;
        for (at, _) in PAGE.match_indices(JAPANESE) {
            let (japanese, rest) = PAGE[at + JAPANESE.len()..].split_once('"').expect("a quoted attribute");
            let english =
                rest.split_once('>').and_then(|(_, text)| text.split_once('<')).expect("the element's text").0;
            assert_eq!(tr(Lang::Ja, english), japanese, "the page's Japanese for {english:?}");
            labels += 1;
        }
        assert!(labels >= 7, "the page's form lost its labels ({labels})");
        let busy = format!("japanese ? \"{}\" : \"Signing in…\"", tr(Lang::Ja, "Signing in…"));
        assert!(PAGE.contains(&busy), "the page's busy button: {busy}");
        for id in
            ["login-form", "login-title", "server", "username", "password", "remember", "login-button", "test-account"]
        {
            assert!(PAGE.contains(&format!("id=\"{id}\"")), "the page's form has no #{id}");
        }
    }
}
