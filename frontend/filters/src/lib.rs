//! Filters and the vacation reply, as a module the app loads the first time the user opens
//! them: the rules editor, the vacation form and the script editor, the Sieve they are written
//! in, and the dialog's state. Not in the app's first download (ARCHITECTURE.md, "Loaded on
//! first use"); the app fetches it, mounts the dialog with [`open_filters`] and takes it down
//! with [`close_filters`].

pub mod dialog;
pub mod editing;
pub mod i18n;
pub mod rule_editor;
pub mod sieve_rules;

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use yew::prelude::*;
use yubin_protocol::Folder;

use dialog::FiltersDialog;
use i18n::Lang;
use yubin_shared::host::Host;
use yubin_shared::mounted::{self, Mounted};

/// What the app tells the dialog when it opens it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Opening {
    pub lang: Lang,
    /// The account's address: the vacation reply answers mail to it.
    pub email: String,
    pub folders: Vec<Folder>,
    /// "Filter messages like this": a rule for mail from this sender, to write at once.
    #[serde(default)]
    pub sender: Option<String>,
}

#[derive(Properties, PartialEq)]
struct RootProps {
    opening: Opening,
    host: Rc<Host>,
    on_close: Callback<()>,
}

#[function_component]
fn Root(props: &RootProps) -> Html {
    let opening = &props.opening;
    html! {
        <ContextProvider<Lang> context={opening.lang}>
            <FiltersDialog host={props.host.clone()} folders={opening.folders.clone()} email={opening.email.clone()}
                prefill={opening.sender.as_deref().map(editing::rule_like)} on_close={props.on_close.clone()} />
        </ContextProvider<Lang>>
    }
}

thread_local! {
    static OPEN: Mounted<Root> = const { RefCell::new(None) };
}

/// Shows the filters dialog in `element`: `opening` is an [`Opening`]'s JSON, `call` the app's
/// way to the gateway (see [`Host`]), `close` what to call when the user closes the dialog.
#[wasm_bindgen]
pub fn open_filters(element: web_sys::Element, opening: &str, call: js_sys::Function, close: js_sys::Function) {
    let Ok(opening) = serde_json::from_str::<Opening>(opening) else { return };
    let on_close = mounted::on_close(close);
    let props = RootProps { opening, host: Rc::new(Host::new(call)), on_close };
    mounted::mount(&OPEN, element, props);
}

/// Takes the dialog down.
#[wasm_bindgen]
pub fn close_filters() {
    mounted::unmount(&OPEN);
}
