//! The browser's trip to an identity provider: leaving for the gateway's `/oauth/start`, and
//! coming back to `/#oauth=<sealed grant>&server=<id>`, which is taken out of the address bar
//! at once so it is neither bookmarked nor left in history.
//!
//! The first sign-in leaves in this tab ("Remember me" waits in session storage). Adding an
//! account leaves in a popup, so the accounts signed in here stay: the app that loads in the
//! popup on the way back hands the consent to this page (`postMessage`, same origin only) and
//! closes. A blocked popup falls back to this tab.

use std::cell::Cell;

use wasm_bindgen::{JsCast, JsValue};
use yubin_protocol::text::percent_decode;

use crate::sign_in::OAuthReturn;
use crate::window_events::WindowListener;

const REMEMBER_KEY: &str = "yubin.oauth.remember";
/// The message a popup hands over: `{ yubinOAuth: <sealed>, server: <id> }`.
const MESSAGE_GRANT: &str = "yubinOAuth";

thread_local! {
    /// "Remember me" of the sign-in under way in a popup.
    static POPUP_REMEMBER: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Leaves for the provider's consent page, for `server`: in a popup when `keep_page` (accounts
/// signed in here would be signed out by leaving), else in this tab.
pub fn start(server: &str, remember: bool, keep_page: bool) {
    let Some(window) = web_sys::window() else { return };
    let server: String = js_sys::encode_uri_component(server).into();
    let url = format!("/oauth/start?server={server}");
    if keep_page {
        let features = "popup,width=520,height=720";
        if let Ok(Some(_)) = window.open_with_url_and_target_and_features(&url, "yubin-oauth", features) {
            POPUP_REMEMBER.with(|r| r.set(Some(remember)));
            return;
        }
    }
    if let Ok(Some(storage)) = window.session_storage() {
        let _ = storage.set_item(REMEMBER_KEY, if remember { "1" } else { "0" });
    }
    let _ = window.location().assign(&url);
}

/// In a popup this app opened: hands the consent to the opener and closes; `true` if done.
pub fn hand_to_opener(back: &OAuthReturn) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Some(opener) = window.opener().ok().filter(|o| !o.is_null() && !o.is_undefined()) else { return false };
    let Ok(origin) = window.location().origin() else { return false };
    let message = js_sys::Object::new();
    let set = |key: &str, value: &str| js_sys::Reflect::set(&message, &key.into(), &value.into()).is_ok();
    if !(set(MESSAGE_GRANT, &back.sealed) && set("server", &back.server)) {
        return false;
    }
    let opener: web_sys::Window = opener.unchecked_into();
    // Only to a page of this very origin: the grant is for this gateway's app alone.
    if opener.post_message(&message, &origin).is_err() {
        return false;
    }
    let _ = window.close();
    true
}

/// Listens for a consent a popup hands over; stops when dropped.
pub type Listener = WindowListener<web_sys::MessageEvent>;

pub fn listen(on_return: yew::Callback<OAuthReturn>) -> Option<Listener> {
    let own_origin = web_sys::window()?.location().origin().ok()?;
    WindowListener::add("message", move |event: web_sys::MessageEvent| {
        if event.origin() != own_origin {
            return;
        }
        let data = event.data();
        let field = |key: &str| js_sys::Reflect::get(&data, &JsValue::from_str(key)).ok().and_then(|v| v.as_string());
        let (Some(sealed), Some(server)) = (field(MESSAGE_GRANT), field("server")) else { return };
        let remember = POPUP_REMEMBER.with(|r| r.take()).unwrap_or(false);
        on_return.emit(OAuthReturn { server, sealed, remember });
    })
}

/// The consent the page was opened with, if any (once: the fragment is removed).
pub fn take() -> Option<OAuthReturn> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let back = parse(&hash)?;
    if let Ok(history) = window.history() {
        let path = window.location().pathname().unwrap_or_else(|_| "/".into());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    let storage = window.session_storage().ok().flatten();
    let remember = storage.as_ref().and_then(|s| s.get_item(REMEMBER_KEY).ok().flatten()).as_deref() == Some("1");
    if let Some(storage) = storage {
        let _ = storage.remove_item(REMEMBER_KEY);
    }
    Some(OAuthReturn { remember, ..back })
}

/// `#oauth=<sealed>&server=<id>` → the grant and the server (remember: not known here).
fn parse(hash: &str) -> Option<OAuthReturn> {
    let mut sealed = None;
    let mut server = None;
    for pair in hash.strip_prefix('#')?.split('&') {
        match pair.split_once('=')? {
            ("oauth", value) => sealed = Some(value.to_owned()),
            ("server", value) => server = Some(percent_decode(value)),
            _ => {}
        }
    }
    Some(OAuthReturn { server: server?, sealed: sealed.filter(|s| !s.is_empty())?, remember: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_names_the_grant_and_the_server() {
        let back = parse("#oauth=AbC-_x&server=my%20id").expect("a return");
        assert_eq!((back.sealed.as_str(), back.server.as_str()), ("AbC-_x", "my id"));
        assert_eq!(parse("#oauth=&server=x"), None);
        assert_eq!(parse("#something-else"), None);
        assert_eq!(parse(""), None);
    }
}
