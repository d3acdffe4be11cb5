//! Saving bytes made in the browser (an exported address book, a file of a message decrypted
//! here) as a file the user downloads: there is no URL on the gateway to point at.

use wasm_bindgen::{JsCast, JsValue};

/// Saves `bytes` as a download named `name`, typed `mime`.
pub fn save(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let failed = |_: JsValue| "the file cannot be saved".to_owned();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").map_err(failed)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The browser reads the file after the click returns: let it go a minute later.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let window = web_sys::window().ok_or("no window")?;
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    Ok(())
}
