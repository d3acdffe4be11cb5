//! An encrypted or signed message in the reader: the passphrase asked for and the decrypted
//! message shown in place of the ciphertext, or the signature checked as soon as it is opened.
//! The work is the OpenPGP worker's ([`crate::openpgp_worker`]); the gateway never sees a key,
//! a passphrase or a decrypted word.

use yew::prelude::*;
use yubin_protocol::OpenPgpContent;
use yubin_shared::openpgp::{long_key_id, Decrypted, PgpError, PgpReply, PgpRequest, SignatureCheck};

use super::html_body::HtmlBody;
use crate::format;
use crate::i18n::{tr, trf, Lang};
use crate::openpgp_worker::{self, ask_for, Task};

#[derive(Properties, PartialEq)]
pub struct OpenPgpPanelProps {
    pub content: OpenPgpContent,
    pub folder: AttrValue,
    pub uid: u32,
    /// The message's To and Cc addresses: the only ones keys passed on inside it are taken for.
    pub recipients: Vec<String>,
}

#[function_component]
pub fn OpenPgpPanel(props: &OpenPgpPanelProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    match &props.content {
        OpenPgpContent::Encrypted { armored, mime } => html! {
            <EncryptedBody armored={AttrValue::from(armored.clone())} mime={*mime} folder={props.folder.clone()} uid={props.uid} recipients={props.recipients.clone()} />
        },
        OpenPgpContent::Signed { signed, signature } => html! {
            <SignedBadge request={PgpRequest::Verify { signed: signed.clone(), signature: signature.clone() }} lang={lang} />
        },
        OpenPgpContent::ClearSigned { armored } => html! {
            <SignedBadge request={PgpRequest::VerifyCleartext { armored: armored.clone() }} lang={lang} />
        },
    }
}

#[derive(Properties, PartialEq)]
struct EncryptedProps {
    armored: AttrValue,
    mime: bool,
    folder: AttrValue,
    uid: u32,
    recipients: Vec<String>,
}

#[function_component]
fn EncryptedBody(props: &EncryptedProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let passphrase = use_state(String::new);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Result<Decrypted, PgpError>>);
    let on_passphrase = {
        let passphrase = passphrase.clone();
        Callback::from(move |e: InputEvent| {
            passphrase.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())
        })
    };
    let onsubmit = {
        let (passphrase, busy, outcome) = (passphrase.clone(), busy.clone(), outcome.clone());
        let (armored, mime, folder, uid) = (props.armored.to_string(), props.mime, props.folder.to_string(), props.uid);
        let recipients = props.recipients.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            busy.set(true);
            let request = PgpRequest::Decrypt {
                armored: armored.clone(),
                mime,
                passphrase: (*passphrase).clone(),
                folder: folder.clone(),
                uid,
                recipients: recipients.clone(),
            };
            let (busy, outcome, passphrase) = (busy.clone(), outcome.clone(), passphrase.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = ask_for(request, |reply| match reply {
                    PgpReply::Decrypted(decrypted) => Some(*decrypted),
                    _ => None,
                })
                .await;
                // The passphrase is not kept in the page once used.
                passphrase.set(String::new());
                outcome.set(Some(result));
                busy.set(false);
            });
        })
    };
    let save_error = use_state(|| None::<String>);
    let save = {
        let (folder, uid, save_error) = (props.folder.to_string(), props.uid, save_error.clone());
        move |attachment: &yubin_protocol::AttachmentInfo| {
            let (folder, save_error) = (folder.clone(), save_error.clone());
            let section = attachment.section.clone();
            let name = attachment.filename.clone().unwrap_or_else(|| "attachment".into());
            Callback::from(move |_: MouseEvent| {
                let request = PgpRequest::DecryptedAttachment { folder: folder.clone(), uid, section: section.clone() };
                let (name, save_error) = (name.clone(), save_error.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let file = ask_for(request, |reply| match reply {
                        PgpReply::File(data) => Some(data),
                        _ => None,
                    })
                    .await;
                    let saved = file.map_err(|e| e.message).and_then(|data| {
                        use base64::Engine;
                        let bytes =
                            base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| e.to_string())?;
                        // Saved, never opened here: a decrypted file is as untrusted as any.
                        yubin_shared::download::save(&name, "application/octet-stream", &bytes)
                    });
                    save_error.set(saved.err());
                });
            })
        }
    };
    if let Some(Ok(decrypted)) = &*outcome {
        let view = &decrypted.view;
        return html! {
            <section id="openpgp" class="openpgp decrypted" aria-label={tr(lang, "Decrypted message")}>
                <p class="openpgp-state">{ "🔓 " }{ tr(lang, "Decrypted in this browser. Search and previews cannot see this text.") }</p>
                <SignatureState check={decrypted.signature.clone()} lang={lang} />
                if decrypted.protected_subject {
                    <h3 id="protected-subject" class="subject">{ &view.subject }</h3>
                }
                if let Some(html) = &view.html {
                    <HtmlBody html={AttrValue::from(html.clone())} has_remote_content={view.has_remote_content} />
                } else {
                    <pre id="decrypted-body" class="body">{ &view.text }</pre>
                }
                if !view.attachments.is_empty() {
                    <ul class="attachments" aria-label={tr(lang, "Encrypted attachments")}>
                        { for view.attachments.iter().map(|a| html! {
                            <li><span class="attachment">{ "📎 " }<bdi class="name">{ a.filename.clone().unwrap_or_default() }</bdi>
                                <span class="meta">{ format!(" {} · {}", a.content_type, format::size(a.size)) }</span></span>
                                <button type="button" class="link save-decrypted" onclick={save(a)}>{ tr(lang, "Save") }</button></li>
                        }) }
                    </ul>
                    if let Some(why) = &*save_error {
                        <p id="pgp-file-error" class="form-error" role="alert">{ trf(lang, "The file could not be saved: {why}", &[("why", why)]) }</p>
                    }
                }
            </section>
        };
    }
    html! {
        <section id="openpgp" class="openpgp encrypted" aria-label={tr(lang, "Encrypted message")}>
            <form id="decrypt-form" onsubmit={onsubmit}>
                <p class="openpgp-state">{ "🔒 " }{ tr(lang, "This message is encrypted. Your secret key in this browser can open it.") }</p>
                <label for="pgp-passphrase">{ tr(lang, "Passphrase of your key") }</label>
                <input id="pgp-passphrase" type="password" autocomplete="off" value={(*passphrase).clone()} oninput={on_passphrase} />
                <button id="pgp-decrypt" type="submit" class="primary" disabled={*busy}>
                    { tr(lang, if *busy { "Decrypting…" } else { "Decrypt" }) }
                </button>
                if let Some(Err(error)) = &*outcome {
                    <p id="pgp-error" class="form-error" role="alert">{ openpgp_worker::error_text(lang, Task::Reading, error) }</p>
                }
            </form>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SignedProps {
    /// What checks the signature (`Verify` or `VerifyCleartext`).
    request: PgpRequest,
    lang: Lang,
}

/// A signed message's signature, checked when it is shown.
#[function_component]
fn SignedBadge(props: &SignedProps) -> Html {
    let checked = use_state(|| None::<Result<SignatureCheck, PgpError>>);
    {
        let checked = checked.clone();
        use_effect_with(props.request.clone(), move |request| {
            let request = request.clone();
            checked.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = ask_for(request, |reply| match reply {
                    PgpReply::Verified(check) => Some(check),
                    _ => None,
                })
                .await;
                checked.set(Some(result));
            });
        });
    }
    let lang = props.lang;
    html! {
        <section id="openpgp" class="openpgp signed" aria-label={tr(lang, "Signature")}>
            { match &*checked {
                None => html! { <p id="pgp-signature" class="signature checking">{ tr(lang, "Checking the signature…") }</p> },
                Some(Ok(check)) => html! { <SignatureState check={check.clone()} lang={lang} /> },
                Some(Err(error)) => html! { <p id="pgp-signature" class="signature unknown">{ openpgp_worker::error_text(lang, Task::Reading, error) }</p> },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SignatureStateProps {
    check: SignatureCheck,
    lang: Lang,
}

#[function_component]
fn SignatureState(props: &SignatureStateProps) -> Html {
    let lang = props.lang;
    let (class, text) = match &props.check {
        SignatureCheck::NotSigned => ("unsigned", tr(lang, "Not signed: anyone could have written it.").to_owned()),
        SignatureCheck::Valid { signer, fingerprint, learned: false } => (
            "valid",
            trf(
                lang,
                "✔ Valid signature by {signer} ({fingerprint})",
                &[("signer", signer), ("fingerprint", &long_key_id(fingerprint))],
            ),
        ),
        // The key came with earlier mail from the same address: it shows continuity, not identity.
        SignatureCheck::Valid { signer, fingerprint, learned: true } => (
            "valid learned",
            trf(
                lang,
                "✔ Valid signature by {signer} ({fingerprint}), with the key from their earlier mail: compare it with them to be sure it is theirs.",
                &[("signer", signer), ("fingerprint", &long_key_id(fingerprint))],
            ),
        ),
        SignatureCheck::UnknownKey { issuer } => (
            "unknown",
            trf(
                lang,
                "Signed by a key you do not have ({issuer}): import the sender's public key to check it.",
                &[("issuer", issuer)],
            ),
        ),
        SignatureCheck::Bad => {
            ("bad", tr(lang, "✖ Bad signature: the message was changed, or not signed by the key it names.").to_owned())
        }
    };
    html! { <p id="pgp-signature" class={classes!("signature", class)} role={(class == "bad").then_some("alert")}>{ text }</p> }
}
