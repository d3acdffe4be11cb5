//! A dismissible banner for errors and confirmations.

use crate::i18n::{tr, Lang};
use yew::prelude::*;
use yubin_protocol::{ApiError, ErrorKind};

/// What a full mailbox means, before the server's own words.
pub const OVER_QUOTA: &str =
    "Your mailbox is full, so the server would not store this. Delete mail or empty Trash to make room.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
    /// Whether trying again might help (a dropped connection, a server that did not answer),
    /// so the banner offers it.
    pub retry: bool,
    /// What the error means for the user, in the UI's words, before the server's.
    pub hint: Option<&'static str>,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Info, text: text.into(), retry: false, hint: None }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Error, text: text.into(), retry: false, hint: None }
    }

    /// Shows the server's or gateway's own words.
    pub fn from_error(e: &ApiError) -> Self {
        let retry = matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Unreachable | ErrorKind::Internal);
        let hint = (e.kind == ErrorKind::OverQuota).then_some(OVER_QUOTA);
        Self { retry, hint, ..Self::error(e.message.clone()) }
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub notice: Notice,
    pub on_dismiss: Callback<()>,
    #[prop_or_default]
    pub on_retry: Callback<()>,
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
            if let Some(hint) = props.notice.hint {
                <span class="notice-hint">{ tr(lang, hint) }{ " " }</span>
            }
            <span class="notice-text">{ &props.notice.text }</span>
            if props.notice.retry {
                <button id="retry" onclick={props.on_retry.reform(|_: MouseEvent| ())}>{ tr(lang, "Try again") }</button>
            }
            <button class="dismiss" aria-label={tr(lang, "Dismiss")} onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
