//! The OpenPGP keys dialog, as a module the app loads the first time the user opens it: the
//! keys this browser keeps listed, made, imported, exported and deleted. Not in the app's first
//! download (ARCHITECTURE.md, "Loaded on first use"); the app mounts it with [`open_keys`] and
//! takes it down with [`close_keys`]. The keys themselves are never here: they live in the
//! OpenPGP worker, which this dialog reaches through the app ([`keyring::Keyring`]). Others'
//! public keys may be looked up on the keyserver the gateway allows ([`Host`]); what it answers
//! is shown, and kept only if the user takes it.

pub mod dialog;
pub mod i18n;
pub mod keyring;

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use yew::prelude::*;
use yubin_shared::host::Host;
use yubin_shared::mounted::{self, Mounted};

use dialog::KeysDialog;
use i18n::Lang;
use keyring::Keyring;

/// What the app tells the dialog when it opens it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Opening {
    pub lang: Lang,
    /// The account on screen: the name and address a new key is made for.
    pub name: String,
    pub email: String,
    /// The keyserver the gateway looks keys up on, if any.
    #[serde(default)]
    pub keyserver: Option<String>,
}

#[derive(Properties, PartialEq)]
struct RootProps {
    opening: Opening,
    keyring: Rc<Keyring>,
    gateway: Rc<Host>,
    on_close: Callback<()>,
}

#[function_component]
fn Root(props: &RootProps) -> Html {
    let opening = &props.opening;
    html! {
        <ContextProvider<Lang> context={opening.lang}>
            <KeysDialog keyring={props.keyring.clone()} name={opening.name.clone()} email={opening.email.clone()}
                gateway={props.gateway.clone()} keyserver={opening.keyserver.clone().map(AttrValue::from)}
                on_close={props.on_close.clone()} />
        </ContextProvider<Lang>>
    }
}

thread_local! {
    static OPEN: Mounted<Root> = const { RefCell::new(None) };
}

/// Shows the keys dialog in `element`: `opening` is an [`Opening`]'s JSON, `call` the app's way
/// to the OpenPGP worker (see [`Keyring`]), `close` what to call when the user closes it,
/// `gateway` its way to the gateway (see [`Host`]), for key lookups.
#[wasm_bindgen]
pub fn open_keys(
    element: web_sys::Element,
    opening: &str,
    call: js_sys::Function,
    close: js_sys::Function,
    gateway: js_sys::Function,
) {
    let Ok(opening) = serde_json::from_str::<Opening>(opening) else { return };
    let on_close = mounted::on_close(close);
    let props =
        RootProps { opening, keyring: Rc::new(Keyring::new(call)), gateway: Rc::new(Host::new(gateway)), on_close };
    mounted::mount(&OPEN, element, props);
}

/// Takes the keys dialog down.
#[wasm_bindgen]
pub fn close_keys() {
    mounted::unmount(&OPEN);
}
