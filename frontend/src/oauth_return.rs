//! The browser's trip to an identity provider: leaving for the gateway's `/oauth/start` (with
//! "Remember me" kept in this tab's session storage meanwhile), and coming back to
//! `/#oauth=<sealed grant>&server=<id>`, which is taken out of the address bar at once so it
//! is neither bookmarked nor left in history.

use yubin_protocol::text::percent_decode;

use crate::sign_in::OAuthReturn;

const REMEMBER_KEY: &str = "yubin.oauth.remember";

/// Leaves for the provider's consent page, for `server`.
pub fn start(server: &str, remember: bool) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(Some(storage)) = window.session_storage() {
        let _ = storage.set_item(REMEMBER_KEY, if remember { "1" } else { "0" });
    }
    let server: String = js_sys::encode_uri_component(server).into();
    let _ = window.location().assign(&format!("/oauth/start?server={server}"));
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
