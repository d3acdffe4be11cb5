//! An attachment looked at without downloading it, over the open message: images, PDFs (the
//! browser's own viewer), text, audio and video, with previous/next through the message's
//! attachments (buttons, ← and →) and a download button.
//!
//! The bytes come from a preview link of the gateway, served only as a type that cannot act as
//! a page and with a `sandbox` CSP of its own. That header sandboxes the PDF and text frames: a
//! `sandbox` attribute would do the same, but Chromium refuses to run its PDF viewer in a frame
//! that has one. (A POP3 account's previews are `blob:` URLs of the same harmless types.)

use yew::prelude::*;
use yubin_protocol::preview::{preview, PreviewKind};
use yubin_protocol::text::visible_controls;
use yubin_protocol::AttachmentInfo;

use crate::format;
use crate::i18n::{tr, trf, Lang};
use crate::reading::Previewing;
use crate::window_events::WindowListener;

#[derive(Properties, PartialEq)]
pub struct AttachmentViewerProps {
    pub attachments: Vec<AttachmentInfo>,
    pub shown: Previewing,
    /// Show the attachment this many places away (−1 previous, 1 next).
    pub on_step: Callback<isize>,
    pub on_close: Callback<()>,
    /// (section, file name) to download.
    pub on_download: Callback<(String, String)>,
}

/// The name an attachment is shown and saved under.
pub fn attachment_name(attachment: &AttachmentInfo) -> String {
    attachment
        .filename
        .as_deref()
        .map(visible_controls)
        .unwrap_or_else(|| format!("attachment-{}", attachment.part + 1))
}

#[function_component]
pub fn AttachmentViewer(props: &AttachmentViewerProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    // The browser could not show this one (an image type it does not decode, such as HEIC).
    let unreadable = use_state(|| None::<String>);
    // Listening anew with each callback: an old one would step from the attachment shown first.
    use_effect_with(props.on_step.clone(), |on_step| {
        let on_step = on_step.clone();
        let listener = WindowListener::add("keydown", move |e: web_sys::KeyboardEvent| match e.key().as_str() {
            "ArrowLeft" => on_step.emit(-1),
            "ArrowRight" => on_step.emit(1),
            _ => {}
        });
        move || drop(listener)
    });
    let Some(attachment) = props.attachments.get(props.shown.index) else { return html! {} };
    let name = attachment_name(attachment);
    let kind = preview(&attachment.content_type, attachment.filename.as_deref()).map(|p| p.kind);
    let save = {
        let request = (attachment.section.clone(), name.clone());
        props.on_download.reform(move |_: MouseEvent| request.clone())
    };
    let content = match (&props.shown.url, kind) {
        (_, None) => html! { <p class="placeholder">{ tr(lang, "This file cannot be shown here; download it.") }</p> },
        (None, _) => html! { <p class="placeholder">{ tr(lang, "Loading…") }</p> },
        (Some(Err(e)), _) => html! { <p class="form-error" role="alert">{ &e.message }</p> },
        (Some(Ok(url)), _) if unreadable.as_deref() == Some(url.as_str()) => html! {
            <p class="placeholder">{ tr(lang, "This browser cannot show this file; download it.") }</p>
        },
        (Some(Ok(url)), Some(kind)) => {
            let failed = {
                let (unreadable, url) = (unreadable.clone(), url.clone());
                Callback::from(move |_: Event| unreadable.set(Some(url.clone())))
            };
            match kind {
                PreviewKind::Image => {
                    html! { <img id="preview-image" src={url.clone()} alt={name.clone()} onerror={failed} /> }
                }
                PreviewKind::Audio => {
                    html! { <audio id="preview-media" controls=true src={url.clone()} onerror={failed} /> }
                }
                PreviewKind::Video => {
                    html! { <video id="preview-media" controls=true src={url.clone()} onerror={failed} /> }
                }
                PreviewKind::Pdf | PreviewKind::Text => html! {
                    <iframe id="preview-frame" class={if kind == PreviewKind::Text { "text" } else { "pdf" }}
                        src={url.clone()} title={name.clone()} referrerpolicy="no-referrer" />
                },
            }
        }
    };
    let many = props.attachments.len() > 1;
    html! {
        <div class="composer-backdrop" id="attachment-viewer" role="dialog" aria-modal="true" aria-label={name.clone()}>
            <div class="viewer">
                <header class="viewer-bar">
                    <bdi class="name">{ &name }</bdi>
                    <span class="meta">{ format!(" {} · {}", attachment.content_type, format::size(attachment.size)) }</span>
                    if many {
                        <span class="meta">{ trf(lang, "{n} of {count}", &[("n", &(props.shown.index + 1)), ("count", &props.attachments.len())]) }</span>
                        <button id="preview-prev" title={tr(lang, "Previous attachment")} onclick={props.on_step.reform(|_: MouseEvent| -1)}>{ "‹" }</button>
                        <button id="preview-next" title={tr(lang, "Next attachment")} onclick={props.on_step.reform(|_: MouseEvent| 1)}>{ "›" }</button>
                    }
                    <button id="preview-download" onclick={save}>{ tr(lang, "Download") }</button>
                    <button id="preview-close" class="dismiss" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ tr(lang, "Close") }</button>
                </header>
                <div class="viewer-content">{ content }</div>
            </div>
        </div>
    }
}
