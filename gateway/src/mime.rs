//! Turning raw RFC 5322 bytes into what the browser shows, with mail-parser.
//!
//! mail-parser (with `full_encoding`) decodes RFC 2047/2231 headers and the body charsets that
//! Japanese mail uses (ISO-2022-JP, Shift_JIS, EUC-JP) as well as GB18030, Big5 and EUC-KR. Both
//! the message list (header fields only) and the message view go through here, so a subject
//! reads the same in both places.

use std::collections::HashMap;

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};

use crate::{html, trust};
use yubin_protocol::{
    Address, ApiError, AttachmentInfo, ErrorKind, Flags, ForwardedMessage, MessageSummary, MessageView, Timestamp, Uid,
};

/// Parses a whole message. mail-parser has assertions that fire on some malformed input in
/// debug builds, and a parser bug must cost one message, not the request (or the session):
/// a panic inside is caught and reported as an unparsable message.
pub fn parse(raw: &[u8]) -> Option<mail_parser::Message<'_>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| MessageParser::default().parse(raw))).ok().flatten()
}

/// Parses a header block only; see [`parse`].
pub fn parse_headers(raw: &[u8]) -> Option<mail_parser::Message<'_>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| MessageParser::default().parse_headers(raw)))
        .ok()
        .flatten()
}

/// A message-list row from the header block fetched for it.
pub fn summary(uid: Uid, headers: &[u8], flags: Flags, size: u32, arrival: Option<Timestamp>) -> MessageSummary {
    let parsed = parse_headers(headers);
    let (from, subject, date, has_attachments) = match &parsed {
        Some(message) => (
            first_address(message.from()),
            message.subject().unwrap_or_default().to_owned(),
            message.date().map(|d| d.to_timestamp()),
            is_mixed(message.header(mail_parser::HeaderName::ContentType)),
        ),
        None => (None, String::new(), None, false),
    };
    MessageSummary { uid, from, subject, date: date.or(arrival), flags, size, has_attachments, thread: None }
}

/// Most of a message's source kept as text (shown by "Source", stored for POP3 mail).
pub const MAX_SOURCE: u32 = 2 << 20;

/// A whole message, parsed for reading.
pub fn view(folder: &str, uid: Uid, flags: Flags, raw: &[u8]) -> Result<MessageView, ApiError> {
    let message = parse(raw)
        .ok_or_else(|| ApiError::new(ErrorKind::Protocol, format!("message {uid} could not be parsed as mail")))?;
    Ok(view_of(folder, uid, flags, &message, &section_paths(&message)))
}

/// The view of a parsed message; `sections` are its IMAP section numbers ([`section_paths`]).
fn view_of(
    folder: &str,
    uid: Uid,
    flags: Flags,
    message: &mail_parser::Message<'_>,
    sections: &HashMap<u32, String>,
) -> MessageView {
    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    // mail-parser offers text parts as HTML too; only a real text/html part is HTML mail.
    let html = message
        .html_part(0)
        .filter(|part| part.is_text_html())
        .and_then(|part| part.text_contents())
        .map(|body| html::sanitize(body, inline_images(message)));
    let attachments = message
        .attachments
        .iter()
        .filter_map(|id| Some((*id, message.parts.get(*id as usize)?)))
        .enumerate()
        .map(|(index, (id, part))| AttachmentInfo {
            part: index as u32,
            section: sections.get(&id).cloned().unwrap_or_default(),
            filename: part.attachment_name().map(str::to_owned),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: part.len() as u32,
        })
        .collect();
    let from = addresses(message.from());
    let reply_to = addresses(message.reply_to());
    let forwarded = message
        .attachments()
        .filter_map(|part| match &part.body {
            PartType::Message(inner) => Some(ForwardedMessage {
                subject: inner.subject().unwrap_or_default().to_owned(),
                from: addresses(inner.from()),
                to: addresses(inner.to()),
                date: inner.date().map(|d| d.to_timestamp()),
                text: inner.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            }),
            _ => None,
        })
        .collect();
    MessageView {
        folder: folder.to_owned(),
        uid,
        subject: message.subject().unwrap_or_default().to_owned(),
        trust: trust::assess(message, &from, &reply_to),
        forwarded,
        from,
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        reply_to,
        bcc: addresses(message.bcc()),
        date: message.date().map(|d| d.to_timestamp()),
        message_id: message.message_id().map(angle_id),
        in_reply_to: message.in_reply_to().as_text().map(angle_id),
        references: references(message),
        delivery_report: crate::dsn::report(message),
        flags,
        text,
        has_remote_content: html.as_ref().is_some_and(|h| h.has_remote_content),
        html: html.map(|h| h.html),
        attachments,
    }
}

/// The `References:` chain, oldest first, in `<id>` form.
pub fn references(message: &mail_parser::Message<'_>) -> Vec<String> {
    match message.references() {
        HeaderValue::Text(id) => vec![angle_id(id)],
        HeaderValue::TextList(ids) => ids.iter().map(|id| angle_id(id)).collect(),
        _ => Vec::new(),
    }
}

/// A message for the browser to keep (POP3 mail, or a POP3 account's sent copy): the list row,
/// the parsed view, the source and the attachments' bytes, from one parse.
pub fn local_message(key: &str, raw: &[u8], flags: Flags) -> Result<yubin_protocol::LocalMessage, ApiError> {
    use base64::Engine;
    let message = parse(raw).ok_or_else(|| ApiError::new(ErrorKind::Protocol, "the message could not be parsed"))?;
    let sections = section_paths(&message);
    let view = view_of("INBOX", 0, flags, &message, &sections);
    let parts = message
        .attachments
        .iter()
        .filter_map(|id| Some((sections.get(id)?.clone(), message.parts.get(*id as usize)?)))
        .map(|(section, part)| yubin_protocol::LocalPart {
            section,
            data: base64::engine::general_purpose::STANDARD.encode(part.contents()),
        })
        .collect();
    let summary = MessageSummary {
        uid: 0,
        from: view.from.first().cloned(),
        subject: view.subject.clone(),
        date: view.date,
        flags,
        size: raw.len() as u32,
        has_attachments: !view.attachments.is_empty(),
        thread: None,
    };
    let source = String::from_utf8_lossy(&raw[..raw.len().min(MAX_SOURCE as usize)]).into_owned();
    Ok(yubin_protocol::LocalMessage { key: key.to_owned(), summary, view, source, parts })
}

/// mail-parser gives ids without their angle brackets; the wire and IMAP SEARCH want them.
pub fn angle_id(id: &str) -> String {
    format!("<{id}>")
}

/// Largest image embedded into the HTML as a `data:` URL; bigger ones stay attachments.
const MAX_INLINE_IMAGE: usize = 2 << 20;

/// The message's own images with a Content-ID, for `cid:` references in its HTML.
fn inline_images(message: &mail_parser::Message<'_>) -> html::InlineImages {
    use base64::Engine;
    message
        .parts
        .iter()
        .filter_map(|part| {
            let id = part.content_id()?.trim_matches(['<', '>']).to_owned();
            let content_type = part.content_type()?;
            let subtype = content_type.subtype()?;
            let is_image = content_type.ctype().eq_ignore_ascii_case("image")
                && subtype.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            let bytes = part.contents();
            (is_image && bytes.len() <= MAX_INLINE_IMAGE).then(|| {
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                (id, format!("data:image/{};base64,{data}", subtype.to_ascii_lowercase()))
            })
        })
        .collect()
}

/// IMAP section numbers (RFC 3501 6.4.5) of the message's parts, by mail-parser part id:
/// the children of a multipart are numbered from 1, nested ones as `2.1`; the body of a
/// single-part message is section `1`.
fn section_paths(message: &mail_parser::Message<'_>) -> HashMap<u32, String> {
    fn walk(message: &mail_parser::Message<'_>, children: &[u32], prefix: &str, paths: &mut HashMap<u32, String>) {
        for (i, &id) in children.iter().enumerate() {
            let path = format!("{prefix}{}", i + 1);
            if let Some(PartType::Multipart(grandchildren)) = message.parts.get(id as usize).map(|p| &p.body) {
                walk(message, grandchildren, &format!("{path}."), paths);
            }
            paths.insert(id, path);
        }
    }
    let mut paths = HashMap::new();
    match message.parts.first().map(|p| &p.body) {
        Some(PartType::Multipart(children)) => walk(message, children, "", &mut paths),
        _ => {
            paths.insert(0, "1".to_owned());
        }
    }
    paths
}

fn addresses(list: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    list.map(|l| l.iter().filter_map(convert_address).collect()).unwrap_or_default()
}

fn first_address(list: Option<&mail_parser::Address<'_>>) -> Option<Address> {
    list.and_then(|l| l.iter().find_map(convert_address))
}

fn convert_address(addr: &mail_parser::Addr<'_>) -> Option<Address> {
    let email = addr.address()?.to_owned();
    Some(Address { name: addr.name().map(str::to_owned).filter(|n| !n.is_empty()), email })
}

/// `multipart/mixed` at the top is how almost every client sends attachments; a cheap hint for
/// the list, confirmed when the message is opened.
fn is_mixed(content_type: Option<&HeaderValue<'_>>) -> bool {
    matches!(content_type, Some(HeaderValue::ContentType(ct))
        if ct.ctype().eq_ignore_ascii_case("multipart")
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("mixed")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_iso_2022_jp_subject_and_body() {
        // "会議" in the subject (RFC 2047, ISO-2022-JP, B-encoded) and "こんにちは" in the body.
        let raw = b"From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\n\
Subject: =?ISO-2022-JP?B?GyRCMnE1RBsoQg==?=\r\n\
Date: Tue, 24 Nov 2026 10:00:00 +0900\r\n\
Content-Type: text/plain; charset=ISO-2022-JP\r\n\
Content-Transfer-Encoding: 7bit\r\n\
\r\n\
\x1b$B$3$s$K$A$O\x1b(B\r\n";
        let view = view("INBOX", 1, Flags::default(), raw).unwrap();
        assert_eq!(view.subject, "会議");
        assert_eq!(view.from[0].name.as_deref(), Some("山田"));
        assert_eq!(view.from[0].email, "yamada@example.jp");
        assert_eq!(view.text.trim(), "こんにちは");
        assert_eq!(view.date, Some(1_795_482_000));
    }

    #[test]
    fn summary_from_header_fields_only() {
        let headers = b"From: Alice <alice@example.test>\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\n\
Content-Type: multipart/mixed; boundary=x\r\n\r\n";
        let s = summary(9, headers, Flags::default(), 1234, Some(5));
        assert_eq!(s.subject, "café");
        assert_eq!(s.from.unwrap().email, "alice@example.test");
        assert!(s.has_attachments);
        assert_eq!(s.date, Some(5), "no Date header: the arrival time is used");
    }

    #[test]
    fn alternative_html_is_sanitized_and_text_kept() {
        let raw = b"From: a@example.test\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>rich <b>version</b><img src=\"https://t.example/p.gif\"><script>alert(1)</script></p>\r\n--b--\r\n";
        let view = view("INBOX", 1, Flags::default(), raw).unwrap();
        assert_eq!(view.text.trim(), "plain version");
        let html = view.html.unwrap();
        assert!(html.contains("<b>version</b>") && !html.contains("script"), "{html}");
        assert!(view.has_remote_content);
    }

    #[test]
    fn attachments_carry_their_imap_sections() {
        let raw = b"Subject: a\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n\
--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n\
--i\r\nContent-Type: text/plain\r\n\r\nhi\r\n--i\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--i--\r\n\
--o\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n\
--o\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename*=UTF-8''%E5%9B%B3.png\r\n\
Content-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--o--\r\n";
        let view = view("INBOX", 1, Flags::default(), raw).unwrap();
        let found: Vec<_> = view.attachments.iter().map(|a| (a.section.as_str(), a.filename.as_deref())).collect();
        assert_eq!(found, vec![("2", Some("a.pdf")), ("3", Some("図.png"))]);
        assert_eq!(view.text.trim(), "hi");
    }

    #[test]
    fn related_images_show_inline() {
        let raw = b"Subject: logo\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=r\r\n\r\n\
--r\r\nContent-Type: text/html\r\n\r\n<p><img src=\"cid:logo@example.test\" alt=\"logo\"></p>\r\n\
--r\r\nContent-Type: image/png\r\nContent-ID: <logo@example.test>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
iVBORw0KGgo=\r\n--r--\r\n";
        let view = view("INBOX", 1, Flags::default(), raw).unwrap();
        let html = view.html.unwrap();
        assert!(html.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""), "{html}");
        assert!(!view.has_remote_content);
    }

    #[test]
    fn forwarded_messages_are_readable() {
        let raw = b"Subject: Fwd: plan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=f\r\n\r\n\
--f\r\nContent-Type: text/plain\r\n\r\nsee below\r\n\
--f\r\nContent-Type: message/rfc822\r\n\r\n\
From: Tanaka <tanaka@example.jp>\r\nSubject: =?UTF-8?B?6KiI55S7?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
the plan\r\n--f--\r\n";
        let view = view("INBOX", 1, Flags::default(), raw).unwrap();
        assert_eq!(view.forwarded.len(), 1);
        let inner = &view.forwarded[0];
        assert_eq!(inner.subject, "計画");
        assert_eq!(inner.from[0].email, "tanaka@example.jp");
        assert_eq!(inner.text.trim(), "the plan");
    }

    #[test]
    fn plain_text_mail_has_no_html() {
        let view = view("INBOX", 1, Flags::default(), b"Subject: x\r\n\r\n<b>not html</b>\r\n").unwrap();
        assert_eq!(view.html, None);
    }

    #[test]
    fn garbage_does_not_panic() {
        let s = summary(1, b"\xff\xfe\x00garbage", Flags::default(), 0, None);
        assert_eq!(s.uid, 1);
        let _ = view("INBOX", 1, Flags::default(), b"\r\n\r\n\xff");
    }
}
