//! The composer's OpenPGP row: encrypt and sign, the passphrase that signing needs, and what
//! the keys in this browser allow (which recipients have no key, whether the sender has one).
//! Encrypt is ticked by itself while every recipient wants encrypted mail and has a key (the
//! worker's `by_default`), until the user decides; it is unticked by itself again if that
//! stops being so before they do. The worker is asked only once a box is ticked or this browser
//! keeps keys at all, so someone who never uses OpenPGP here never loads it. Keys missing for
//! recipients can be looked up on the gateway's keyserver, shown, and taken one by one.

use yew::prelude::*;
use yubin_protocol::calls::LookupKey;
use yubin_shared::openpgp::{grouped, KeyInfo, PgpError, PgpReply, PgpRequest};

use crate::connection::Connection;
use crate::i18n::{tr, trf, Lang};
use crate::openpgp_worker::{self, ask_for, error_text, Task};

#[derive(Properties, PartialEq)]
pub struct OpenPgpOptionsProps {
    pub encrypt: bool,
    pub sign: bool,
    /// The sender's bare address.
    pub from: AttrValue,
    /// Every recipient's bare address (To, Cc and Bcc).
    pub recipients: Vec<String>,
    pub passphrase: AttrValue,
    /// Nothing in the message keeps it from being encrypted (formatted text, files on the server).
    pub can_encrypt: bool,
    /// The way to the gateway and its keyserver, for looking up recipients' keys.
    pub connection: Option<Connection>,
    pub keyserver: Option<AttrValue>,
    pub on_encrypt: Callback<bool>,
    pub on_sign: Callback<bool>,
    pub on_passphrase: Callback<String>,
}

/// What the keys in this browser allow for this message.
#[derive(Clone, PartialEq)]
struct KeyState {
    without_key: Vec<String>,
    learned_key: Vec<String>,
    own_key: bool,
    by_default: bool,
}

/// What the keyserver answered for a recipient without a key.
#[derive(Clone, PartialEq)]
enum Found {
    Key { address: String, key: KeyInfo, armored: String },
    Nothing { address: String },
    Failed { address: String, why: String },
}

impl Found {
    fn address(&self) -> &str {
        match self {
            Found::Key { address, .. } | Found::Nothing { address } | Found::Failed { address, .. } => address,
        }
    }
}

/// Asks the keyserver for `address`'s key and the worker what it is: a key offered only if
/// it carries the address.
async fn look_up(connection: &Connection, address: String) -> Found {
    let armored = match connection.call(LookupKey { query: address.clone() }).await {
        Ok(Some(armored)) => armored,
        Ok(None) => return Found::Nothing { address },
        Err(e) => return Found::Failed { address, why: e.message },
    };
    let described = ask_for(PgpRequest::Describe { armored: armored.clone() }, |reply| match reply {
        PgpReply::Keys(keys) => Some(keys),
        _ => None,
    })
    .await;
    match described.map(|keys| keys.into_iter().find(|key| key.answers(&address))) {
        Ok(Some(key)) => Found::Key { address, key, armored },
        Ok(None) => Found::Nothing { address },
        Err(e) => Found::Failed { address, why: e.message },
    }
}

/// One recipient and the key their mail is encrypted to: none, one the user imported, or one
/// learned from their mail (which anyone could have sent; the fingerprint is in the keys dialog).
fn recipient_state(lang: Lang, keys: &KeyState, address: &str) -> Html {
    let (class, mark, state) = if keys.without_key.iter().any(|a| a == address) {
        ("no-key", "✖", "no key")
    } else if keys.learned_key.iter().any(|a| a == address) {
        ("learned", "🔒", "key from their mail")
    } else {
        ("imported", "🔒", "key you imported")
    };
    html! {
        <li class={classes!("pgp-recipient", class)}>{ format!("{mark} ") }<bdi>{ address }</bdi>{ format!(" — {}", tr(lang, state)) }</li>
    }
}

#[function_component]
pub fn OpenPgpOptions(props: &OpenPgpOptionsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_state(|| None::<Result<KeyState, PgpError>>);
    // Bumped when a key is taken from the keyserver, to ask the worker again.
    let keys_changed = use_state(|| 0u32);
    let found = use_state(Vec::<Found>::new);
    let looking_up = use_state(|| false);
    {
        let state = state.clone();
        let asked = (props.from.to_string(), props.recipients.clone(), props.encrypt || props.sign, *keys_changed);
        use_effect_with(asked, move |(from, addresses, ticked, _)| {
            let (from, addresses, ticked) = (from.clone(), addresses.clone(), *ticked);
            wasm_bindgen_futures::spawn_local(async move {
                if !ticked && !openpgp_worker::in_use().await {
                    return;
                }
                let request = PgpRequest::Recipients { from, addresses };
                let result = ask_for(request, |reply| match reply {
                    PgpReply::Recipients { without_key, learned_key, own_key, by_default } => {
                        Some(KeyState { without_key, learned_key, own_key, by_default })
                    }
                    _ => None,
                })
                .await;
                state.set(Some(result));
            });
        });
    }
    // Whether the user ticked or unticked Encrypt themselves (then it is theirs to say), and
    // whether it is on because it was ticked by itself.
    let chosen = use_state(|| false);
    let by_itself = use_state(|| false);
    {
        let wanted = match &*state {
            Some(Ok(keys)) => Some(keys.by_default && props.can_encrypt),
            _ => None,
        };
        let (on_encrypt, by_itself) = (props.on_encrypt.clone(), by_itself.clone());
        use_effect_with((wanted, props.encrypt, *chosen), move |(wanted, encrypt, chosen)| {
            match (*wanted, *encrypt, *chosen) {
                (Some(true), false, false) => {
                    by_itself.set(true);
                    on_encrypt.emit(true);
                }
                (Some(false), true, false) if *by_itself => {
                    by_itself.set(false);
                    on_encrypt.emit(false);
                }
                _ => {}
            }
        });
    }
    let on_encrypt = {
        let (on_encrypt, chosen, by_itself) = (props.on_encrypt.clone(), chosen.clone(), by_itself.clone());
        Callback::from(move |on: bool| {
            chosen.set(true);
            by_itself.set(false);
            on_encrypt.emit(on);
        })
    };
    let on_look_up = {
        let (found, looking_up, connection) = (found.clone(), looking_up.clone(), props.connection.clone());
        let without_key = match &*state {
            Some(Ok(keys)) => keys.without_key.clone(),
            _ => Vec::new(),
        };
        Callback::from(move |_: MouseEvent| {
            let Some(connection) = connection.clone() else { return };
            let (found, looking_up, without_key) = (found.clone(), looking_up.clone(), without_key.clone());
            looking_up.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let mut answers = Vec::new();
                for address in without_key {
                    answers.push(look_up(&connection, address).await);
                }
                found.set(answers);
                looking_up.set(false);
            });
        })
    };
    // A key taken is imported by the user's choice; the recipient's row then leaves the list.
    let take = |armored: &str, fingerprint: &str| {
        let keys_changed = keys_changed.clone();
        let request = PgpRequest::ImportFound { armored: armored.to_owned(), fingerprint: fingerprint.to_owned() };
        Callback::from(move |_: MouseEvent| {
            let (keys_changed, request) = (keys_changed.clone(), request.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if openpgp_worker::ask(request).await.is_ok() {
                    keys_changed.set(*keys_changed + 1);
                }
            });
        })
    };
    let keyserver = props.keyserver.clone().unwrap_or_default();
    let found_row = |answer: &Found| {
        let address = answer.address().to_owned();
        let (class, said) = match answer {
            Found::Key { key, .. } => (
                "key",
                trf(
                    lang,
                    "key {fingerprint} on {keyserver}",
                    &[("fingerprint", &grouped(&key.fingerprint)), ("keyserver", &keyserver)],
                ),
            ),
            Found::Nothing { .. } => ("nothing", trf(lang, "no key on {keyserver}", &[("keyserver", &keyserver)])),
            Found::Failed { why, .. } => ("failed", why.clone()),
        };
        html! {
            <li class={classes!("pgp-found", class)}>
                <bdi>{ address }</bdi>{ format!(" — {said} ") }
                if let Found::Key { key, armored, .. } = answer {
                    <button type="button" class="link pgp-use-key" onclick={take(armored, &key.fingerprint)}>{ tr(lang, "Use this key") }</button>
                }
            </li>
        }
    };
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
                    if props.keyserver.is_some() && props.connection.is_some() {
                        <button type="button" id="pgp-look-up" class="link" disabled={*looking_up} onclick={on_look_up}
                            title={trf(lang, "{keyserver} learns whom you look up.", &[("keyserver", &keyserver)])}>
                            { if *looking_up { tr(lang, "Looking up…").to_owned() } else { trf(lang, "Look their keys up on {keyserver}", &[("keyserver", &keyserver)]) } }
                        </button>
                    }
                    if found.iter().any(|answer| keys.without_key.iter().any(|a| a == answer.address())) {
                        <ul id="pgp-found" class="pgp-recipients" aria-label={tr(lang, "Keys found on the keyserver")}>
                            { for found.iter().filter(|answer| keys.without_key.iter().any(|a| a == answer.address())).map(found_row) }
                        </ul>
                        <p class="meta">{ tr(lang, "Compare a fingerprint with one its owner gave you before you rely on it.") }</p>
                    }
                }
                if props.encrypt && !props.recipients.is_empty() {
                    <ul id="pgp-recipients" class="pgp-recipients" aria-label={tr(lang, "Keys of the recipients")}>
                        { for props.recipients.iter().map(|address| recipient_state(lang, keys, address)) }
                    </ul>
                }
                if props.encrypt && keys.own_key && keys.without_key.is_empty() {
                    <p id="pgp-ready" class="meta">{ tr(lang, "🔒 Encrypted to every recipient and to you. Drafts of it stay in this browser.") }</p>
                }
                if props.encrypt && *by_itself {
                    <p id="pgp-by-default" class="meta">{ tr(lang, "Encryption is on because every recipient asked for encrypted mail and has a key; untick it to send in the clear.") }</p>
                }
            </>
        },
    };
    html! {
        <div id="openpgp-options" class="openpgp-options">
            { checkbox("pgp-encrypt", "Encrypt", props.encrypt, &on_encrypt) }
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
