//! The OpenPGP keys this browser keeps: made here, imported from GnuPG or another browser,
//! exported, deleted. Secret keys stay in the worker, under their passphrase; this view only
//! ever sees their descriptions and armored exports the user asked for.

use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;
use yubin_protocol::calls::LookupKey;
use yubin_shared::host::Host;
use yubin_shared::openpgp::{grouped, KeyInfo, PgpError, PgpReply, PgpRequest};

use crate::i18n::{tr, trf, Lang};
use crate::keyring::Keyring;

#[derive(Properties, PartialEq)]
pub struct KeysDialogProps {
    pub keyring: Rc<Keyring>,
    /// The account on screen: the name and address a new key is made for.
    pub name: AttrValue,
    pub email: AttrValue,
    /// The app's way to the gateway, and the keyserver it looks keys up on (none: no lookups).
    pub gateway: Rc<Host>,
    pub keyserver: Option<AttrValue>,
    pub on_close: Callback<()>,
}

/// What the dialog shows below the list.
#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Working(&'static str),
    Error(String),
    Done(String),
    /// An exported key, armored, to copy or keep in a file.
    Exported(String),
    /// The keys a keyserver answered with (`armored`), for the user to take or leave.
    Found {
        keys: Vec<KeyInfo>,
        armored: String,
    },
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

/// When a key was made, as the browser writes dates in `lang`.
fn date(lang: Lang, seconds: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(seconds as f64 * 1000.0));
    date.to_locale_date_string(lang.tag(), &JsValue::UNDEFINED).into()
}

#[function_component]
pub fn KeysDialog(props: &KeysDialogProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let keys = use_state(|| None::<Vec<KeyInfo>>);
    let shown = use_state(|| Shown::Nothing);
    let (name, email) = (use_state(|| props.name.to_string()), use_state(|| props.email.to_string()));
    let (passphrase, repeated) = (use_state(String::new), use_state(String::new));
    let rsa = use_state(|| false);
    let importing = use_state(String::new);
    let looking_up = use_state(String::new);

    // Runs `request`, then lists the keys again; `done` says what happened.
    let run = {
        let (keys, shown, keyring) = (keys.clone(), shown.clone(), props.keyring.clone());
        Callback::from(move |(request, working, done): (PgpRequest, &'static str, Option<String>)| {
            let (keys, shown, keyring) = (keys.clone(), shown.clone(), keyring.clone());
            shown.set(Shown::Working(working));
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = keyring.ask(&request).await;
                let listed = keyring.ask(&PgpRequest::Keys).await;
                if let Ok(PgpReply::Keys(list)) = listed {
                    keys.set(Some(list));
                }
                shown.set(match outcome {
                    Ok(PgpReply::Armored(armored)) => Shown::Exported(armored),
                    Ok(_) => done.map_or(Shown::Nothing, Shown::Done),
                    Err(PgpError { message, .. }) => Shown::Error(message),
                });
            });
        })
    };
    {
        let run = run.clone();
        use_effect_with((), move |_| run.emit((PgpRequest::Keys, "Loading keys…", None)));
    }

    let on_generate = {
        let (run, name, email, passphrase, repeated, rsa, shown) = (
            run.clone(),
            name.clone(),
            email.clone(),
            passphrase.clone(),
            repeated.clone(),
            rsa.clone(),
            shown.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *passphrase != *repeated {
                shown.set(Shown::Error(tr(lang, "The two passphrases differ.").into()));
                return;
            }
            let request = PgpRequest::Generate {
                name: (*name).clone(),
                email: (*email).clone(),
                passphrase: (*passphrase).clone(),
                rsa: *rsa,
            };
            passphrase.set(String::new());
            repeated.set(String::new());
            run.emit((request, "Creating the key…", Some(tr(lang, "Key created.").into())));
        })
    };
    let on_import = {
        let (run, importing) = (run.clone(), importing.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = PgpRequest::Import { armored: (*importing).clone() };
            importing.set(String::new());
            run.emit((request, "Importing…", Some(tr(lang, "Keys imported.").into())))
        })
    };
    // An armored file is shown to import like pasted text; a binary one is imported at once.
    let on_file = {
        let (run, importing) = (run.clone(), importing.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            let (run, importing) = (run.clone(), importing.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else { return };
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                let armored = std::str::from_utf8(&bytes).ok().filter(|text| text.contains("-----BEGIN PGP"));
                match armored.map(str::to_owned) {
                    Some(text) => importing.set(text),
                    None => run.emit((
                        PgpRequest::ImportBinary { bytes },
                        "Importing…",
                        Some(tr(lang, "Keys imported.").into()),
                    )),
                }
            });
        })
    };

    // The keyserver's answer is described by the worker and shown; nothing is kept until the
    // user takes a key (an address's key must carry that address).
    let on_lookup = {
        let (shown, keyring, gateway, looking_up) =
            (shown.clone(), props.keyring.clone(), props.gateway.clone(), looking_up.clone());
        let keyserver = props.keyserver.clone().unwrap_or_default();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (shown, keyring, gateway, keyserver) =
                (shown.clone(), keyring.clone(), gateway.clone(), keyserver.clone());
            let query = looking_up.trim().to_owned();
            shown.set(Shown::Working("Looking up…"));
            wasm_bindgen_futures::spawn_local(async move {
                let nothing = || {
                    trf(lang, "{keyserver} has no key for {query}.", &[("keyserver", &keyserver), ("query", &query)])
                };
                let armored = match gateway.call(LookupKey { query: query.clone() }).await {
                    Ok(Some(armored)) => armored,
                    Ok(None) => return shown.set(Shown::Done(nothing())),
                    Err(e) => {
                        let why = trf(
                            lang,
                            "{keyserver} could not be asked: {error}",
                            &[("keyserver", &keyserver), ("error", &e.message)],
                        );
                        return shown.set(Shown::Error(why));
                    }
                };
                shown.set(match keyring.ask(&PgpRequest::Describe { armored: armored.clone() }).await {
                    Ok(PgpReply::Keys(keys)) => {
                        let keys: Vec<KeyInfo> = keys.into_iter().filter(|key| key.answers(&query)).collect();
                        if keys.is_empty() {
                            Shown::Done(nothing())
                        } else {
                            Shown::Found { keys, armored }
                        }
                    }
                    Ok(_) => Shown::Done(nothing()),
                    Err(PgpError { message, .. }) => Shown::Error(message),
                });
            });
        })
    };
    let found_row = |key: &KeyInfo, armored: &str| {
        let take = {
            let (run, armored, fingerprint) = (run.clone(), armored.to_owned(), key.fingerprint.clone());
            Callback::from(move |_: MouseEvent| {
                let request = PgpRequest::ImportFound { armored: armored.clone(), fingerprint: fingerprint.clone() };
                run.emit((request, "Importing…", Some(tr(lang, "Key imported.").into())))
            })
        };
        html! {
            <li class="key found" data-fingerprint={key.fingerprint.clone()}>
                <div class="user-ids">{ for key.user_ids.iter().map(|id| html! { <bdi class="user-id">{ id }</bdi> }) }</div>
                <div class="meta">
                    <code class="fingerprint">{ grouped(&key.fingerprint) }</code>
                    { format!(" · {} · {}", key.algorithm, date(lang, key.created)) }
                </div>
                <button type="button" class="import-found" onclick={take}>{ tr(lang, "Import this key") }</button>
            </li>
        }
    };

    let key_row = |key: &KeyInfo| {
        let fingerprint = key.fingerprint.clone();
        let export = |secret: bool| {
            let (run, fingerprint) = (run.clone(), fingerprint.clone());
            Callback::from(move |_: MouseEvent| {
                run.emit((PgpRequest::Export { fingerprint: fingerprint.clone(), secret }, "Exporting…", None))
            })
        };
        let delete = {
            let (run, fingerprint) = (run.clone(), fingerprint.clone());
            let question = if key.secret {
                tr(lang, "Delete this secret key from this browser? Mail encrypted to it cannot be read here any more unless you import it again.")
            } else {
                tr(lang, "Delete this public key from this browser?")
            };
            Callback::from(move |_: MouseEvent| {
                let sure = web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false);
                if sure {
                    run.emit((
                        PgpRequest::Delete { fingerprint: fingerprint.clone() },
                        "Deleting…",
                        Some(tr(lang, "Key deleted.").into()),
                    ));
                }
            })
        };
        html! {
            <li class="key" data-fingerprint={fingerprint.clone()}>
                <div class="user-ids">{ for key.user_ids.iter().map(|id| html! { <bdi class="user-id">{ id }</bdi> }) }</div>
                <div class="meta">
                    <code class="fingerprint">{ grouped(&fingerprint) }</code>
                    { format!(" · {} · {}", key.algorithm, date(lang, key.created)) }
                    if key.secret { { " · " }<strong>{ tr(lang, "your key (secret part here)") }</strong> }
                    if key.learned { { " · " }{ tr(lang, "from their mail (Autocrypt)") } }
                </div>
                <button type="button" class="link export-public" onclick={export(false)}>{ tr(lang, "Export public key") }</button>
                if key.secret {
                    { " " }<button type="button" class="link export-secret" onclick={export(true)}>{ tr(lang, "Export secret key") }</button>
                }
                { " " }<button type="button" class="link delete-key" onclick={delete}>{ tr(lang, "Delete") }</button>
            </li>
        }
    };

    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="composer-backdrop">
            <section id="keys-dialog" class="login keys" role="dialog" aria-labelledby="keys-title">
                <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                <h1 id="keys-title">{ tr(lang, "Encryption keys (OpenPGP)") }</h1>
                <p class="hint">{ tr(lang, "Keys are kept in this browser only, each secret key locked by its passphrase. The gateway never sees them: mail encrypted to you is read only where your secret key is.") }</p>
                { match &*keys {
                    None => html! { <p role="status">{ tr(lang, "Loading keys…") }</p> },
                    Some(list) if list.is_empty() => html! { <p id="no-keys">{ tr(lang, "No keys yet: create one, or import yours from GnuPG or another browser.") }</p> },
                    Some(list) => html! { <ul id="key-list" class="keys">{ for list.iter().map(key_row) }</ul> },
                } }
                { match &*shown {
                    Shown::Nothing => html! {},
                    Shown::Working(what) => html! { <p id="keys-status" role="status">{ tr(lang, what) }</p> },
                    Shown::Done(what) => html! { <p id="keys-status" role="status">{ what }</p> },
                    Shown::Error(why) => html! { <p id="keys-error" class="form-error" role="alert">{ why }</p> },
                    Shown::Exported(armored) => html! {
                        <>
                            <label for="exported-key">{ tr(lang, "Exported key: copy it, or keep it in a file") }</label>
                            <textarea id="exported-key" rows="8" readonly=true value={armored.clone()} />
                        </>
                    },
                    Shown::Found { keys, armored } => html! {
                        <>
                            <p id="keys-status" role="status">{ tr(lang, "Found on the keyserver. Compare the fingerprint with one its owner gave you before you rely on it.") }</p>
                            <ul id="found-keys" class="keys">{ for keys.iter().map(|key| found_row(key, armored)) }</ul>
                        </>
                    },
                } }
                if let Some(keyserver) = &props.keyserver {
                    <form id="lookup-key" onsubmit={on_lookup}>
                        <h2>{ trf(lang, "Find a key on {keyserver}", &[("keyserver", keyserver)]) }</h2>
                        <label for="lookup-key-query">{ tr(lang, "Address or fingerprint") }</label>
                        <input id="lookup-key-query" type="text" value={(*looking_up).clone()}
                            oninput={let looking_up = looking_up.clone(); Callback::from(move |e: InputEvent| looking_up.set(input_value(&e)))} />
                        <button id="lookup-key-button" type="submit" disabled={looking_up.trim().is_empty() || matches!(*shown, Shown::Working(_))}>{ tr(lang, "Look up") }</button>
                    </form>
                }
                <form id="generate-key" onsubmit={on_generate}>
                    <h2>{ tr(lang, "Create a key") }</h2>
                    <label for="key-name">{ tr(lang, "Name") }</label>
                    <input id="key-name" type="text" value={(*name).clone()} oninput={let name = name.clone(); Callback::from(move |e: InputEvent| name.set(input_value(&e)))} />
                    <label for="key-email">{ tr(lang, "Address") }</label>
                    <input id="key-email" type="email" required=true value={(*email).clone()} oninput={let email = email.clone(); Callback::from(move |e: InputEvent| email.set(input_value(&e)))} />
                    <label for="key-passphrase">{ tr(lang, "Passphrase (at least 8 characters)") }</label>
                    <input id="key-passphrase" type="password" autocomplete="new-password" minlength="8" required=true value={(*passphrase).clone()}
                        oninput={let passphrase = passphrase.clone(); Callback::from(move |e: InputEvent| passphrase.set(input_value(&e)))} />
                    <label for="key-passphrase-again">{ tr(lang, "The passphrase again") }</label>
                    <input id="key-passphrase-again" type="password" autocomplete="new-password" required=true value={(*repeated).clone()}
                        oninput={let repeated = repeated.clone(); Callback::from(move |e: InputEvent| repeated.set(input_value(&e)))} />
                    <label class="remember">
                        <input id="key-rsa" type="checkbox" checked={*rsa}
                            onchange={let rsa = rsa.clone(); Callback::from(move |e: Event| rsa.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))} />
                        { tr(lang, "RSA 3072 instead of Curve25519 (for old OpenPGP software; slower)") }
                    </label>
                    <button id="generate-key-button" type="submit" class="primary" disabled={matches!(*shown, Shown::Working(_))}>{ tr(lang, "Create key") }</button>
                </form>
                <form id="import-keys" onsubmit={on_import}>
                    <h2>{ tr(lang, "Import keys") }</h2>
                    <label for="import-key-text">{ trf(lang, "Paste an armored key ({example}), or choose a file", &[("example", &"gpg --armor --export-secret-keys")]) }</label>
                    <textarea id="import-key-text" rows="5" value={(*importing).clone()}
                        oninput={let importing = importing.clone(); Callback::from(move |e: InputEvent| importing.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                    <input id="import-key-file" type="file" accept=".asc,.key,.txt,.gpg,.pgp,text/plain,application/pgp-keys" onchange={on_file} />
                    <button id="import-key-button" type="submit" disabled={importing.trim().is_empty()}>{ tr(lang, "Import") }</button>
                </form>
            </section>
        </div>
    }
}
