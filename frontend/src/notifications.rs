//! Desktop notifications of new mail (Notification API), only when the user asked for them.

use wasm_bindgen::JsValue;

const KEY: &str = "yubin.notify";

fn granted() -> bool {
    web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

/// On, if the user turned it on and the browser still allows it.
pub fn enabled() -> bool {
    crate::prefs::get(KEY).as_deref() == Some("on") && has_api() && granted()
}

pub fn set_enabled(on: bool) {
    crate::prefs::set(KEY, if on { "on" } else { "off" });
}

fn has_api() -> bool {
    web_sys::window().and_then(|w| js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).ok()).unwrap_or(false)
}

/// Asks the browser for permission; true if granted.
pub async fn ask() -> bool {
    if !has_api() {
        return false;
    }
    let Ok(promise) = web_sys::Notification::request_permission() else { return false };
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_string());
    answer.as_deref() == Some("granted")
}

/// Shows `text` while the tab is in the background (in front, the list says it already).
pub fn show(text: &str) {
    let hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
    if !hidden || !has_api() || !granted() {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(text);
    options.set_icon("/icon.svg");
    options.set_tag("yubin-new-mail");
    let _ = web_sys::Notification::new_with_options("Yubin", &options);
}
