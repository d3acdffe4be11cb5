//! Parts of the app that are loaded on first use: wasm modules of their own, built beside the
//! app (`scripts/build.sh`) and named in the page (`<meta name="yubin-module-…">`), fetched the
//! first time the user needs them and fetched ahead once the mail is on screen. The first
//! download stays what the sign-in, the list and the reader need.
//!
//! Today: the filters dialog (`frontend/filters`), the address book (`frontend/contacts`), the
//! OpenPGP keys dialog (`frontend/keys`) and the rich-text editor (`frontend/editor`,
//! JavaScript: Squire and DOMPurify, see `rich_text`). They reach the gateway through the app's
//! WebSocket ([`Connection::relay`]), or the keys dialog the OpenPGP worker
//! ([`openpgp_worker::ask_json`]): the app passes their requests and replies on unread.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::Callback;
use yubin_protocol::{ApiError, ErrorKind};

use crate::connection::Connection;
use crate::openpgp_worker;

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn import_module(url: &str) -> Result<js_sys::Promise, JsValue>;
}

thread_local! {
    /// Modules fetched and started, by name.
    static LOADED: RefCell<HashMap<&'static str, JsValue>> = RefCell::new(HashMap::new());
    /// Modules fetched ahead (once is enough).
    static PREFETCHED: RefCell<std::collections::HashSet<&'static str>> = RefCell::new(Default::default());
}

/// The address of module `name`'s script, as the build wrote it into the page.
fn module_url(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector(&format!("meta[name='yubin-module-{name}']")).ok()??;
    meta.get_attribute("content")
}

/// Module `name`, fetched and started the first time.
async fn load(name: &'static str) -> Result<JsValue, JsValue> {
    if let Some(module) = LOADED.with(|loaded| loaded.borrow().get(name).cloned()) {
        return Ok(module);
    }
    let url = module_url(name).ok_or_else(|| JsValue::from_str("this build has no such module"))?;
    let module = JsFuture::from(import_module(&url)?).await?;
    let init: js_sys::Function = js_sys::Reflect::get(&module, &"default".into())?.dyn_into()?;
    JsFuture::from(js_sys::Promise::from(init.call0(&JsValue::NULL)?)).await?;
    LOADED.with(|loaded| loaded.borrow_mut().insert(name, module.clone()));
    Ok(module)
}

/// Module `name`'s exports, fetched and started the first time; for modules the app drives
/// itself (the rich-text editor) rather than dialogs of their own.
pub async fn exports(name: &'static str) -> Result<JsValue, ApiError> {
    load(name).await.map_err(|e| {
        ApiError::new(
            ErrorKind::ConnectionLost,
            e.as_string().unwrap_or_else(|| "the gateway did not send them".into()),
        )
    })
}

/// Calls module `module`'s exported function `function`.
fn invoke(module: &JsValue, function: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = js_sys::Reflect::get(module, &function.into())?.dyn_into()?;
    function.apply(&JsValue::NULL, &args.iter().collect::<js_sys::Array>())
}

/// Fetches module `name`'s script and code into the browser's cache, without starting it, so
/// its first use does not wait for the network.
pub fn prefetch(name: &'static str) {
    if !PREFETCHED.with(|done| done.borrow_mut().insert(name)) {
        return;
    }
    let (Some(window), Some(url)) = (web_sys::window(), module_url(name)) else { return };
    // wasm-bindgen names the code after the script: `x.js` → `x_bg.wasm`.
    let code = url.strip_suffix(".js").map(|stem| format!("{stem}_bg.wasm"));
    for url in std::iter::once(url).chain(code) {
        let _ = window.fetch_with_str(&url);
    }
}

/// A module's dialog while it is open; dropping it takes the dialog down.
pub struct OpenDialog {
    element: web_sys::Element,
    module: JsValue,
    close: &'static str,
    // What the module calls back, alive as long as the dialog.
    _calls: Vec<Closure<dyn FnMut(String) -> js_sys::Promise>>,
    _close: Closure<dyn FnMut()>,
}

impl Drop for OpenDialog {
    fn drop(&mut self) {
        let _ = invoke(&self.module, self.close, &[]);
        self.element.remove();
    }
}

/// A dialog of a module: its name, the functions that open and close it, and whom it asks.
#[derive(Debug, Clone, Copy)]
pub struct Dialog {
    pub module: &'static str,
    pub open: &'static str,
    pub close: &'static str,
    pub asks: Asks,
}

/// Whom a module's dialog sends its requests to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// The gateway, over the connection of the account on screen.
    Gateway,
    /// The OpenPGP worker, which keeps the keys; the gateway never hears of them, and is asked
    /// only to look up others' public keys on its keyserver (a second function to call).
    OpenPgpWorker,
}

/// The filters and vacation reply (`frontend/filters`); opened with a `yubin_filters::Opening`.
pub const FILTERS: Dialog =
    Dialog { module: "filters", open: "open_filters", close: "close_filters", asks: Asks::Gateway };
/// The address book (`frontend/contacts`); opened with a `yubin_contacts::Opening`.
pub const CONTACTS: Dialog =
    Dialog { module: "contacts", open: "open_contacts", close: "close_contacts", asks: Asks::Gateway };
/// The OpenPGP keys (`frontend/keys`); opened with a `yubin_keys::Opening`, asks the worker.
pub const KEYS: Dialog = Dialog { module: "keys", open: "open_keys", close: "close_keys", asks: Asks::OpenPgpWorker };

/// Where a module's dialog sends what it asks.
pub enum Route {
    /// The gateway, over the account's way to it (if connected).
    Gateway(Option<Connection>),
    /// The OpenPGP worker, which keeps the keys; and the gateway for key lookups.
    OpenPgpWorker(Option<Connection>),
}

/// Loads `dialog`'s module and opens it: `opening` is the JSON of what it shows, `route` where
/// its requests go, `on_close` told when the user closes it.
pub async fn open(
    dialog: Dialog,
    opening: String,
    route: Route,
    on_close: Callback<()>,
) -> Result<OpenDialog, ApiError> {
    let failed = |_| ApiError::new(ErrorKind::ConnectionLost, "the gateway did not send them");
    let module = load(dialog.module).await.map_err(failed)?;
    let calls = match route {
        Route::Gateway(connection) => vec![relay(connection)],
        Route::OpenPgpWorker(connection) => vec![to_worker(), relay(connection)],
    };
    let close = Closure::<dyn FnMut()>::new(move || on_close.emit(()));
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| failed(JsValue::NULL))?;
    let element = document.create_element("div").map_err(failed)?;
    document.body().ok_or_else(|| failed(JsValue::NULL))?.append_child(&element).map_err(failed)?;
    // `open_x(element, opening, call, close[, gateway])`.
    let mut args = vec![element.clone().into(), opening.into(), calls[0].as_ref().clone(), close.as_ref().clone()];
    args.extend(calls[1..].iter().map(|call| call.as_ref().clone()));
    invoke(&module, dialog.open, &args).map_err(failed)?;
    Ok(OpenDialog { element, module, close: dialog.close, _calls: calls, _close: close })
}

/// Brings the account's kept contacts (and the composer's suggestions from them) up to date
/// with its CardDAV server, loading the contacts module if needed.
pub async fn sync_contacts(account: String, connection: Connection) -> Result<(), ApiError> {
    let failed = |e: JsValue| ApiError::new(ErrorKind::ConnectionLost, e.as_string().unwrap_or_default());
    let module = load(CONTACTS.module).await.map_err(failed)?;
    let call = relay(Some(connection));
    let promise = invoke(&module, "sync_contacts", &[account.into(), call.as_ref().clone()]).map_err(failed)?;
    JsFuture::from(js_sys::Promise::from(promise)).await.map_err(failed)?;
    Ok(())
}

/// The function a module calls to reach the gateway: a request's JSON in, the reply frame's
/// JSON out, passed on without reading either.
fn relay(connection: Option<Connection>) -> Closure<dyn FnMut(String) -> js_sys::Promise> {
    Closure::<dyn FnMut(String) -> js_sys::Promise>::new(move |request: String| {
        let connection = connection.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let frame = match connection {
                Some(connection) => connection.relay(request).await,
                None => Err(ApiError::new(ErrorKind::ConnectionLost, "Not connected to the gateway.")),
            };
            Ok(JsValue::from_str(&frame.unwrap_or_else(|e| error_frame(&e))))
        })
    })
}

/// The function the keys dialog calls to reach the OpenPGP worker: a request's JSON in, the
/// JSON of its result out, passed on without reading either.
fn to_worker() -> Closure<dyn FnMut(String) -> js_sys::Promise> {
    Closure::<dyn FnMut(String) -> js_sys::Promise>::new(move |request: String| {
        wasm_bindgen_futures::future_to_promise(async move {
            Ok(JsValue::from_str(&openpgp_worker::ask_json(request).await))
        })
    })
}

/// A reply frame carrying `error`, for the module to read like the gateway's.
fn error_frame(error: &ApiError) -> String {
    let error = serde_json::to_string(error).unwrap_or_default();
    format!(r#"{{"reply":{{"id":0,"result":{{"Err":{error}}}}}}}"#)
}
