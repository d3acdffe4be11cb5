//! An account's name and signature: who its mail is from.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{tr, Lang};
use crate::identity::Identity;

#[derive(Properties, PartialEq)]
pub struct IdentityFormProps {
    pub email: String,
    pub identity: Identity,
    pub on_save: Callback<Identity>,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn IdentityForm(props: &IdentityFormProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let name = use_node_ref();
    let signature = use_node_ref();
    let onsubmit = {
        let (name, signature, on_save) = (name.clone(), signature.clone(), props.on_save.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_save.emit(Identity {
                name: name.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default(),
                signature: signature.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default(),
            });
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="composer-backdrop">
            <form id="identity-form" class="login" role="dialog" aria-labelledby="identity-title" onsubmit={onsubmit}>
                <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                <h1 id="identity-title">{ &props.email }</h1>
                <label for="identity-name">{ tr(lang, "Your name, as recipients see it") }</label>
                <input id="identity-name" ref={name} type="text" autocomplete="name" value={props.identity.name.clone()} />
                <label for="identity-signature">{ tr(lang, "Signature") }</label>
                <textarea id="identity-signature" ref={signature} rows="4" value={props.identity.signature.clone()} />
                <button id="identity-save" type="submit" class="primary">{ tr(lang, "Save") }</button>
            </form>
        </div>
    }
}
