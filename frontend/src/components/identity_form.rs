//! An account's name and signature: who its mail is from.

use yew::prelude::*;

use super::edited_field::use_edited;
use super::rich_editor::RichEditor;
use crate::drafting::text_to_html;
use crate::i18n::{tr, trf, Lang};
use crate::identity::{Identity, MAX_SIGNATURE_HTML};

#[derive(Properties, PartialEq)]
pub struct IdentityFormProps {
    pub email: String,
    pub identity: Identity,
    /// The identity saved, with the address it is for (the one the form was opened for, even
    /// if another account came on screen meanwhile).
    pub on_save: Callback<(String, Identity)>,
    pub on_close: Callback<()>,
    /// Seconds to undo a send (all accounts), and where a new choice goes.
    #[prop_or(crate::settings::UNDO_SEND_DEFAULT)]
    pub undo_seconds: u32,
    #[prop_or_default]
    pub on_undo_seconds: Callback<u32>,
}

#[function_component]
pub fn IdentityForm(props: &IdentityFormProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    // The fields start from the identity as it was when the form opened; what the user types
    // stays, whatever re-renders the app meanwhile (an identity roaming in included).
    let initial = use_memo(props.email.clone(), |_| props.identity.clone());
    let (name, on_name) = use_edited(initial.name.clone());
    let (signature, on_signature) = use_edited(initial.signature.clone());
    let formatted = use_state(|| initial.formatted);
    let on_formatted = {
        let formatted = formatted.clone();
        Callback::from(move |e: Event| formatted.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))
    };
    // The formatted signature as the editor has it, and its text: (HTML, text).
    let rich_signature = use_state(|| None::<(String, String)>);
    let on_rich_signature = {
        let rich_signature = rich_signature.clone();
        Callback::from(move |edited: (String, String)| rich_signature.set(Some(edited)))
    };
    let too_big = rich_signature.as_ref().is_some_and(|(html, _)| html.len() > MAX_SIGNATURE_HTML);
    let onsubmit = {
        // Formatted, the signature is what its editor holds (with its text); else as typed.
        let (signature, signature_html) = match (&*rich_signature, *formatted) {
            (Some((html, text)), true) => (text.trim_end().to_owned(), Some(html.clone())),
            _ => (signature.clone(), initial.signature_html.clone()),
        };
        let identity = Identity { name: name.clone(), signature, formatted: *formatted, signature_html };
        let (on_save, email) = (props.on_save.clone(), props.email.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !too_big {
                on_save.emit((email.clone(), identity.clone()));
            }
        })
    };
    let signature_start = initial.signature_html.clone().unwrap_or_else(|| text_to_html(&signature));
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="composer-backdrop">
            <form id="identity-form" class="login" role="dialog" aria-labelledby="identity-title" onsubmit={onsubmit}>
                <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                <h1 id="identity-title">{ &props.email }</h1>
                <label for="identity-name">{ tr(lang, "Your name, as recipients see it") }</label>
                <input id="identity-name" type="text" autocomplete="name" value={name} oninput={on_name} />
                <label class="remember">
                    <input id="identity-formatted" type="checkbox" checked={*formatted} onchange={on_formatted} />
                    { tr(lang, "Write formatted mail (bold, lists, links, pictures)") }
                </label>
                <label for={if *formatted { "signature-rich" } else { "identity-signature" }}>{ tr(lang, "Signature") }</label>
                if *formatted {
                    <RichEditor id="signature-rich" label="Signature" initial={signature_start}
                        on_input={on_rich_signature} on_attach={Callback::noop()} on_dropped={Callback::noop()} />
                    if too_big {
                        <p class="form-error" role="alert">{ trf(lang, "The signature is too big (at most {size}): use smaller pictures.", &[("size", &crate::format::size(MAX_SIGNATURE_HTML as u32))]) }</p>
                    }
                } else {
                    <textarea id="identity-signature" rows="4" value={signature} oninput={on_signature} />
                }
                <label for="undo-send-seconds">{ tr(lang, "Time to undo a send (in this browser)") }</label>
                <select id="undo-send-seconds" onchange={props.on_undo_seconds.reform(|e: Event| {
                    e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0)
                })}>
                    { for crate::settings::UNDO_SEND_CHOICES.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == props.undo_seconds}>{
                            if s == 0 { tr(lang, "Off: send at once").to_owned() } else { trf(lang, "{n} seconds", &[("n", &s)]) }
                        }</option>
                    }) }
                </select>
                <button id="identity-save" type="submit" class="primary">{ tr(lang, "Save") }</button>
            </form>
        </div>
    }
}
