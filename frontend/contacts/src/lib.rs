//! The address book, as a module the app loads the first time it is used: the contacts of the
//! account's CardDAV server (through the gateway), kept in this browser for speed and offline
//! use, and the recipient suggestions the composer reads. Not in the app's first download
//! (ARCHITECTURE.md, "Loaded on first use"): the app opens the dialog with [`open_contacts`],
//! takes it down with [`close_contacts`], and brings the suggestions up to date after a sign-in
//! with [`sync_contacts`].

pub mod book;
pub mod dialog;
pub mod files;
pub mod i18n;
pub mod store;
pub mod sync;

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use yubin_shared::host::Host;
use yubin_shared::mounted::{self, Mounted};

use dialog::ContactsDialog;
use i18n::Lang;

/// What the app tells the dialog when it opens it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Opening {
    pub lang: Lang,
    /// The account's address.
    pub account: String,
    /// "Add to contacts": the sender's name and address.
    #[serde(default)]
    pub add: Option<(String, String)>,
}

thread_local! {
    static OPEN: Mounted<ContactsDialog> = const { RefCell::new(None) };
}

/// Shows the address book in `element`: `opening` is an [`Opening`]'s JSON, `call` the app's way
/// to the gateway (see [`Host`]), `close` what to call when the user closes it.
#[wasm_bindgen]
pub fn open_contacts(element: web_sys::Element, opening: &str, call: js_sys::Function, close: js_sys::Function) {
    let Ok(opening) = serde_json::from_str::<Opening>(opening) else { return };
    let on_close = mounted::on_close(close);
    let props = dialog::ContactsProps {
        host: Rc::new(Host::new(call)),
        lang: opening.lang,
        account: opening.account,
        add: opening.add,
        on_close,
    };
    mounted::mount(&OPEN, element, props);
}

/// Takes the address book down.
#[wasm_bindgen]
pub fn close_contacts() {
    mounted::unmount(&OPEN);
}

/// Brings the account's kept contacts and the composer's suggestions up to date; resolves when
/// done (to nothing; a failure leaves what was kept).
#[wasm_bindgen]
pub fn sync_contacts(account: String, call: js_sys::Function) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let host = Host::new(call);
        let db = yubin_shared::address_book::open(&account).await.map_err(|e| JsValue::from_str(&e))?;
        sync::sync(&host, &db, &|_, _, _| {}).await.map_err(|e| JsValue::from_str(&e.message))?;
        Ok(JsValue::UNDEFINED)
    })
}
