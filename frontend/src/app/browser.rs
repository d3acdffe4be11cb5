//! Browser facilities the app uses: storage estimate, service worker, document language, saving files.

use super::*;

/// Warns when the browser's storage for this site is nearly full (POP3 mail lives there).
pub(super) fn check_storage(link: yew::html::Scope<App>, lang: Lang) {
    spawn_local(async move {
        let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
        let storage = js_sys::Reflect::get(&navigator, &"storage".into()).unwrap_or_default();
        let Ok(estimate) = js_sys::Reflect::get(&storage, &"estimate".into()) else { return };
        let Ok(estimate) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(estimate) else { return };
        let Ok(promise) = estimate.call0(&storage) else { return };
        let Ok(result) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await else { return };
        let number = |key: &str| js_sys::Reflect::get(&result, &key.into()).ok().and_then(|v| v.as_f64());
        if let (Some(usage), Some(quota)) = (number("usage"), number("quota")) {
            if quota > 0.0 && usage / quota > STORAGE_WARNING {
                let text = trf(
                    lang,
                    "This browser's storage for Yubin is {percent}% full ({used} of {quota}). Delete or archive old mail, or new POP3 mail cannot be kept.",
                    &[
                        ("percent", &format!("{:.0}", usage / quota * 100.0)),
                        ("used", &format::size(usage as u32)),
                        ("quota", &format::size(quota.min(u32::MAX as f64) as u32)),
                    ],
                );
                link.send_message(Msg::StorageWarning(text));
            }
        }
    });
}

/// Registers the service worker that keeps the app shell for offline use.
pub(super) fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let container = js_sys::Reflect::get(&window.navigator(), &"serviceWorker".into()).unwrap_or_default();
    if container.is_undefined() {
        return; // not a secure context, or an old browser: the app works without
    }
    if let Ok(register) = js_sys::Reflect::get(&container, &"register".into()) {
        if let Ok(register) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(register) {
            let _ = register.call1(&container, &"/sw.js".into());
        }
    }
}

/// `<html lang>`: screen readers pronounce, and browsers break lines, by it.
pub(super) fn set_document_language(lang: Lang) {
    format::set_locale(lang.tag());
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// Saves the file behind `url` as `filename`: a gateway link (which names the file itself) or a
/// `blob:` URL of an attachment kept in the browser.
pub(super) fn save_as(url: &str, filename: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(anchor) = document.create_element("a") else { return };
    let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
    anchor.set_href(url);
    anchor.set_download(filename);
    anchor.click();
}

/// Asks the user to confirm something that cannot be undone; `false` if the browser cannot ask.
pub(super) fn confirm(question: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false)
}
