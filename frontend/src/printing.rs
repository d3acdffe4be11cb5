//! Printing a message (or a whole conversation): a document of its own — subject, headers, the sanitized body (remote
//! images only as the reader currently allows them; inline images are in it already) and the
//! list of attachments — printed from a hidden frame, so the page printed is the message and
//! not the app around it.
//!
//! The frame is `sandbox="allow-same-origin allow-modals"`: no script can run in it, while the
//! app may call its `print()` (which a sandbox allows only with `allow-modals`).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yubin_protocol::text::visible_controls;
use yubin_protocol::MessageView;

use crate::components::attachment_viewer::attachment_name;
use crate::components::html_body::content_policy;
use crate::format;
use crate::i18n::{tr, Lang};

/// The id of the frame a message is printed from (one at a time).
pub const FRAME_ID: &str = "print-frame";

const PRINT_CSS: &str = "body{font:12pt/1.45 system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;color:#000;\
background:#fff;margin:0}h1{font-size:16pt;margin:0 0 8pt}table.headers{border-collapse:collapse;margin-bottom:8pt}\
table.headers th{text-align:left;padding:1pt 10pt 1pt 0;color:#444;font-weight:600;vertical-align:top}\
table.headers td{padding:1pt 0;overflow-wrap:anywhere}hr{border:0;border-top:1px solid #999;margin:8pt 0}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit}img{max-width:100%;height:auto}\
blockquote{margin:0 0 0 8px;padding-left:8px;border-left:3px solid #ccc}.attachments h2{font-size:12pt}\
hr.between{border-top:2px solid #000;margin:16pt 0}article{break-inside:auto}";

/// Text made safe to put between tags or in a quoted attribute.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The printed document of `messages` (a message, or a conversation oldest first), each with
/// its date as the reader shows it.
pub fn document(messages: &[(&MessageView, String)], remote_allowed: bool, lang: Lang) -> String {
    let title = messages.first().map(|(view, _)| subject_of(view, lang)).unwrap_or_default();
    let sections: Vec<String> = messages.iter().map(|(view, date)| section(view, date, lang)).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title><style>{PRINT_CSS}</style></head>\
         <body>{body}</body></html>",
        policy = content_policy(remote_allowed),
        body = sections.join("<hr class=\"between\">"),
    )
}

fn subject_of(view: &MessageView, lang: Lang) -> String {
    let subject = if view.subject.is_empty() { tr(lang, "(no subject)") } else { &view.subject };
    escaped(&visible_controls(subject))
}

/// One message: subject, headers, body, attachments.
fn section(view: &MessageView, date: &str, lang: Lang) -> String {
    let subject = subject_of(view, lang);
    let mut headers = String::new();
    for (label, value) in [
        ("From", format::address_list(&view.from)),
        ("To", format::address_list(&view.to)),
        ("Cc", format::address_list(&view.cc)),
        ("Date", date.to_owned()),
    ] {
        if !value.is_empty() {
            headers.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", tr(lang, label), escaped(&value)));
        }
    }
    // The HTML was sanitized by the gateway, as for the reader's frame.
    let body = match &view.html {
        Some(html) => format!("<div class=\"body\">{html}</div>"),
        None => format!("<pre class=\"body\">{}</pre>", escaped(&view.text)),
    };
    let attachments = if view.attachments.is_empty() {
        String::new()
    } else {
        let items: String = view
            .attachments
            .iter()
            .map(|a| {
                let name = attachment_name(a);
                format!("<li>{} — {}, {}</li>", escaped(&name), escaped(&a.content_type), format::size(a.size))
            })
            .collect();
        format!("<section class=\"attachments\"><hr><h2>{}</h2><ul>{items}</ul></section>", tr(lang, "Attachments"))
    };
    format!("<article><h1>{subject}</h1><table class=\"headers\">{headers}</table><hr>{body}{attachments}</article>")
}

/// Prints `document` from a hidden frame once it has loaded (images included).
pub fn print(document: &str) {
    let Some(page) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(old) = page.get_element_by_id(FRAME_ID) {
        old.remove();
    }
    let Ok(frame) = page.create_element("iframe") else { return };
    let frame: web_sys::HtmlIFrameElement = frame.unchecked_into();
    frame.set_id(FRAME_ID);
    let _ = frame.set_attribute("sandbox", "allow-same-origin allow-modals");
    let _ = frame.set_attribute("aria-hidden", "true");
    let _ = frame.set_attribute("tabindex", "-1");
    frame.set_srcdoc(document);
    let loaded = frame.clone();
    let on_load = Closure::once_into_js(move || {
        if let Some(window) = loaded.content_window() {
            let _ = loaded.set_attribute("data-printed", "true");
            let _ = window.print();
        }
    });
    frame.set_onload(Some(on_load.unchecked_ref()));
    if let Some(body) = page.body() {
        let _ = body.append_child(&frame);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(html: Option<&str>) -> MessageView {
        let json = serde_json::json!({
            "folder": "INBOX", "uid": 1, "subject": "見積 <b>", "from": [{"name": "山田", "email": "y@example.jp"}],
            "to": [], "cc": [], "reply_to": [], "date": null, "message_id": null,
            "flags": yubin_protocol::Flags::default(), "text": "a < b", "html": html,
            "attachments": [{"part": 0, "section": "2", "filename": "表.pdf", "content_type": "application/pdf", "size": 2048}],
        });
        serde_json::from_value(json).expect("a message")
    }

    #[test]
    fn the_printed_page_has_the_message_and_nothing_unescaped() {
        let plain = view(None);
        let page = document(&[(&plain, "2026-12-03 10:00".into())], false, Lang::En);
        assert!(page.contains("<h1>見積 &lt;b&gt;</h1>"));
        assert!(page.contains("<th>From</th><td>山田 &lt;y@example.jp&gt;</td>"));
        assert!(!page.contains("<th>To</th>"), "empty headers are left out");
        assert!(page.contains("<pre class=\"body\">a &lt; b</pre>"));
        assert!(page.contains("<li>表.pdf — application/pdf, 2"));
        assert!(page.contains("img-src data:;"), "remote images stay blocked");
        let rich = view(Some("<p>hi</p>"));
        let html = document(&[(&rich, String::new())], true, Lang::Ja);
        assert!(html.contains("<div class=\"body\"><p>hi</p></div>"));
        assert!(html.contains("img-src data: https: http:;"));
        assert!(html.contains("<th>差出人</th>"));
        let both = document(&[(&plain, String::new()), (&rich, String::new())], false, Lang::En);
        assert_eq!(both.matches("<article>").count(), 2, "a conversation, a message after another");
        assert_eq!(both.matches("<hr class=\"between\">").count(), 1);
    }
}
