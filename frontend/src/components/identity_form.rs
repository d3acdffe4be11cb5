//! An account's name and signature: who its mail is from.

use yew::prelude::*;

use super::edited_field::use_edited;
use crate::i18n::{tr, trf, Lang};
use crate::identity::Identity;

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
    let onsubmit = {
        let identity = Identity { name: name.clone(), signature: signature.clone(), formatted: *formatted };
        let (on_save, email) = (props.on_save.clone(), props.email.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_save.emit((email.clone(), identity.clone()));
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="composer-backdrop">
            <form id="identity-form" class="login" role="dialog" aria-labelledby="identity-title" onsubmit={onsubmit}>
                <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                <h1 id="identity-title">{ &props.email }</h1>
                <label for="identity-name">{ tr(lang, "Your name, as recipients see it") }</label>
                <input id="identity-name" type="text" autocomplete="name" value={name} oninput={on_name} />
                <label for="identity-signature">{ tr(lang, "Signature") }</label>
                <textarea id="identity-signature" rows="4" value={signature} oninput={on_signature} />
                <label class="remember">
                    <input id="identity-formatted" type="checkbox" checked={*formatted} onchange={on_formatted} />
                    { tr(lang, "Write formatted mail (bold, lists, links, pictures)") }
                </label>
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
