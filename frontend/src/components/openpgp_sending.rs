//! The composer's OpenPGP row: encrypt and sign, the passphrase that signing needs, and what
//! the keys in this browser allow (which recipients have no key, whether the sender has one).
//! The worker is asked only once one of the two is ticked, so writing plain mail never loads it.

use yew::prelude::*;
use yubin_shared::openpgp::{PgpError, PgpReply, PgpRequest};

use crate::i18n::{tr, trf, Lang};
use crate::openpgp_worker::{ask_for, error_text, Task};

#[derive(Properties, PartialEq)]
pub struct OpenPgpOptionsProps {
    pub encrypt: bool,
    pub sign: bool,
    /// The sender's bare address.
    pub from: AttrValue,
    /// Every recipient's bare address (To, Cc and Bcc).
    pub recipients: Vec<String>,
    pub passphrase: AttrValue,
    pub on_encrypt: Callback<bool>,
    pub on_sign: Callback<bool>,
    pub on_passphrase: Callback<String>,
}

/// What the keys in this browser allow for this message.
#[derive(Clone, PartialEq)]
struct KeyState {
    without_key: Vec<String>,
    own_key: bool,
}

#[function_component]
pub fn OpenPgpOptions(props: &OpenPgpOptionsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_state(|| None::<Result<KeyState, PgpError>>);
    {
        let state = state.clone();
        let asked = (props.encrypt || props.sign).then(|| (props.from.to_string(), props.recipients.clone()));
        use_effect_with(asked, move |asked| {
            if let Some((from, addresses)) = asked.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let request = PgpRequest::Recipients { from, addresses };
                    let result = ask_for(request, |reply| match reply {
                        PgpReply::Recipients { without_key, own_key } => Some(KeyState { without_key, own_key }),
                        _ => None,
                    })
                    .await;
                    state.set(Some(result));
                });
            }
        });
    }
    let checkbox = |id: &'static str, label: &'static str, on: bool, changed: &Callback<bool>| {
        let changed = changed.clone();
        html! {
            <label class="remember">
                <input id={id} type="checkbox" checked={on}
                    onchange={Callback::from(move |e: Event| changed.emit(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))} />
                { tr(lang, label) }
            </label>
        }
    };
    let notes = match (&*state, props.encrypt || props.sign) {
        (_, false) | (None, _) => html! {},
        (Some(Err(error)), _) => {
            html! { <p class="form-error" role="alert">{ error_text(lang, Task::Writing, error) }</p> }
        }
        (Some(Ok(keys)), _) => html! {
            <>
                if !keys.own_key {
                    <p id="pgp-no-own-key" class="form-error" role="alert">{ trf(lang, "You have no key of your own for {address}: make one under Encryption keys (🔑).", &[("address", &props.from)]) }</p>
                }
                if props.encrypt && !keys.without_key.is_empty() {
                    <p id="pgp-missing-keys" class="form-error" role="alert">{ trf(lang, "No key to encrypt to for {addresses}: import theirs under Encryption keys, or send without encryption.", &[("addresses", &keys.without_key.join(", "))]) }</p>
                }
                if props.encrypt && keys.own_key && keys.without_key.is_empty() {
                    <p id="pgp-ready" class="meta">{ tr(lang, "🔒 Encrypted to every recipient and to you. Drafts of it stay in this browser.") }</p>
                }
            </>
        },
    };
    html! {
        <div id="openpgp-options" class="openpgp-options">
            { checkbox("pgp-encrypt", "Encrypt", props.encrypt, &props.on_encrypt) }
            { checkbox("pgp-sign", "Sign", props.sign, &props.on_sign) }
            if props.sign {
                <input id="pgp-sign-passphrase" type="password" autocomplete="off" aria-label={tr(lang, "Passphrase of your key")}
                    placeholder={tr(lang, "Passphrase of your key")} value={props.passphrase.clone()}
                    oninput={props.on_passphrase.reform(|e: InputEvent| e.target_unchecked_into::<web_sys::HtmlInputElement>().value())} />
            }
            { notes }
        </div>
    }
}
