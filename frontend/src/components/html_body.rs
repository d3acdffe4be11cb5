//! An HTML mail body, shown in a sandboxed frame.
//!
//! The HTML was sanitized by the gateway; this is the second wall. The frame has no
//! `allow-scripts` (nothing in it can run) and no `allow-same-origin` (it cannot touch the app).
//! Its own CSP allows nothing but inline styles and `data:` images — and remote images only
//! after the user chose to load them for this message or for its sender. Links open in a new
//! tab, without a referrer.

use crate::i18n::{tr, trf, Lang};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HtmlBodyProps {
    /// Sanitized HTML from the gateway.
    pub html: AttrValue,
    pub has_remote_content: bool,
    /// The user chose to load remote content from this message's sender.
    #[prop_or_default]
    pub trusted: bool,
    /// The sender's address, offered for "always load from this sender".
    #[prop_or_default]
    pub sender: Option<AttrValue>,
    #[prop_or_default]
    pub on_trust: Callback<String>,
}

/// Styles inside the frame: readable defaults; the mail's own inline styles win.
/// Mail is written for a white page; it stays on one in the dark theme too, as in most clients,
/// so that its own colours stay readable.
const FRAME_CSS: &str =
    ":root{color-scheme:light}body{margin:0;padding:8px 2px;font:15px/1.5 system-ui,-apple-system,'Segoe UI',\
'Hiragino Sans','Noto Sans JP',sans-serif;color:#1c1e21;background:#fff;overflow-wrap:anywhere}\
img{max-width:100%;height:auto}table{max-width:100%}blockquote{margin:0 0 0 8px;padding-left:8px;\
border-left:3px solid #ccc}pre{white-space:pre-wrap}";

#[function_component]
pub fn HtmlBody(props: &HtmlBodyProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let remote_allowed = use_state(|| props.trusted);
    let document = frame_document(&props.html, *remote_allowed);
    let load_remote = {
        let remote_allowed = remote_allowed.clone();
        Callback::from(move |_: MouseEvent| remote_allowed.set(true))
    };
    html! {
        <>
            if props.has_remote_content && !*remote_allowed {
                <div class="remote-blocked" role="status">
                    <span>{ tr(lang, "Remote images in this message are blocked to protect your privacy.") }</span>
                    <button id="load-remote" onclick={load_remote.clone()}>{ tr(lang, "Load remote content") }</button>
                    if let Some(sender) = &props.sender {
                        <button id="trust-sender" onclick={{
                            let (sender, on_trust) = (sender.to_string(), props.on_trust.clone());
                            Callback::from(move |e: MouseEvent| {
                                load_remote.emit(e);
                                on_trust.emit(sender.clone());
                            })
                        }}>{ trf(lang, "Always from {sender}", &[("sender", sender)]) }</button>
                    }
                </div>
            }
            <iframe class="html-body" title={tr(lang, "Message content")}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer"
                srcdoc={document} />
        </>
    }
}

/// The frame's whole document: the sanitized body, wrapped, never edited.
pub fn frame_document(html: &str, remote_allowed: bool) -> String {
    let policy = content_policy(remote_allowed);
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\
         <meta name=\"referrer\" content=\"no-referrer\"><base target=\"_blank\">\
         <style>{FRAME_CSS}</style></head><body>{html}</body></html>"
    )
}

/// What a document showing mail may load: inline styles and `data:` images and fonts, and
/// remote images once the user allowed them.
pub fn content_policy(remote_allowed: bool) -> String {
    let images = if remote_allowed { "data: https: http:" } else { "data:" };
    format!("default-src 'none'; img-src {images}; style-src 'unsafe-inline'; font-src data:")
}

#[cfg(test)]
mod tests {
    use super::frame_document;

    #[test]
    fn remote_images_need_consent() {
        assert!(frame_document("<p>x</p>", false).contains("img-src data:;"));
        assert!(frame_document("<p>x</p>", true).contains("img-src data: https: http:;"));
        assert!(frame_document("<p>x</p>", false).contains("default-src 'none'"));
    }
}
