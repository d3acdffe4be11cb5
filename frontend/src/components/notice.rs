//! A dismissible banner for errors and confirmations.

use crate::i18n::{tr, Lang};
use yew::prelude::*;
use yubin_protocol::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Info, text: text.into() }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Error, text: text.into() }
    }

    /// Shows the server's or gateway's own words.
    pub fn from_error(e: &ApiError) -> Self {
        Self::error(e.message.clone())
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub notice: Notice,
    pub on_dismiss: Callback<()>,
}

#[function_component]
pub fn NoticeView(props: &NoticeProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let (class, role) = match props.notice.kind {
        NoticeKind::Info => ("notice info", "status"),
        NoticeKind::Error => ("notice error", "alert"),
    };
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class={class} role={role}>
            <span class="notice-text">{ &props.notice.text }</span>
            <button class="dismiss" aria-label={tr(lang, "Dismiss")} onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
