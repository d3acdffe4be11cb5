//! The sidebar box of a POP3 account: "check now", what the last check did, and what happens
//! to mail on the server once this browser has it.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::edited_field::use_edited;
use crate::i18n::{tr, Lang};
use crate::pop3_sync::{KeepOnServer, Pop3Settings};

#[derive(Properties, PartialEq)]
pub struct Pop3PanelProps {
    pub status: Option<String>,
    pub syncing: bool,
    pub settings: Pop3Settings,
    pub on_check: Callback<()>,
    pub on_settings: Callback<Pop3Settings>,
}

#[function_component]
pub fn Pop3Panel(props: &Pop3PanelProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let settings = props.settings;
    let days = match settings.keep {
        KeepOnServer::Days(days) => days,
        _ => 14,
    };
    let on_keep = props.on_settings.reform(move |e: Event| {
        let keep = match e.target_unchecked_into::<HtmlSelectElement>().value().as_str() {
            "days" => KeepOnServer::Days(days),
            "deleted" => KeepOnServer::UntilDeletedHere,
            _ => KeepOnServer::Always,
        };
        Pop3Settings { keep, ..settings }
    });
    let on_days = props.on_settings.reform(move |e: Event| {
        let days = e.target_unchecked_into::<HtmlInputElement>().value().parse().unwrap_or(14).max(1);
        Pop3Settings { keep: KeepOnServer::Days(days), ..settings }
    });
    let on_interval = props.on_settings.reform(move |e: Event| {
        let minutes = e.target_unchecked_into::<HtmlInputElement>().value().parse().unwrap_or(5).clamp(1, 1440);
        Pop3Settings { interval_minutes: minutes, ..settings }
    });
    // Typed digits stay while sync progress re-renders the panel; `onchange` saves them.
    let (days_text, on_days_input) = use_edited(days.to_string());
    let (interval_text, on_interval_input) = use_edited(settings.interval_minutes.to_string());
    let keep_value = match settings.keep {
        KeepOnServer::Always => "always",
        KeepOnServer::Days(_) => "days",
        KeepOnServer::UntilDeletedHere => "deleted",
    };
    html! {
        <section class="pop3-panel" aria-label={tr(lang, "POP3 mail")}>
            <button id="check-now" disabled={props.syncing} onclick={props.on_check.reform(|_| ())}>
                { if props.syncing { tr(lang, "Checking…") } else { tr(lang, "Check now") } }
            </button>
            <p id="sync-status" class="meta" aria-live="polite">{ props.status.clone().unwrap_or_default() }</p>
            <details>
                <summary>{ tr(lang, "Mail on the server") }</summary>
                <label>{ tr(lang, "After downloading") }
                    <select id="keep-policy" onchange={on_keep}>
                        <option value="always" selected={keep_value == "always"}>{ tr(lang, "Leave it on the server") }</option>
                        <option value="days" selected={keep_value == "days"}>{ tr(lang, "Delete it after some days") }</option>
                        <option value="deleted" selected={keep_value == "deleted"}>{ tr(lang, "Delete it when I delete it here") }</option>
                    </select>
                </label>
                if keep_value == "days" {
                    <label>{ tr(lang, "Days") }<input id="keep-days" type="number" min="1" value={days_text} oninput={on_days_input} onchange={on_days} /></label>
                }
                <label>{ tr(lang, "Check every (minutes)") }
                    <input id="poll-minutes" type="number" min="1" value={interval_text} oninput={on_interval_input} onchange={on_interval} />
                </label>
            </details>
        </section>
    }
}
