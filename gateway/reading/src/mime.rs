//! Turning raw RFC 5322 bytes into what the browser shows, with mail-parser.
//!
//! mail-parser (with `full_encoding`) decodes RFC 2047/2231 headers and the body charsets that
//! Japanese mail uses (ISO-2022-JP, Shift_JIS, EUC-JP) as well as GB18030, Big5 and EUC-KR. Both
//! the message list (header fields only) and the message view go through here, so a subject
//! reads the same in both places.

use std::collections::HashMap;

use mail_parser::{HeaderName, HeaderValue, MessagePart, MimeHeaders, PartType};

use crate::charset::{self, REPLACEMENT};
pub use crate::parser::{parse, parse_headers};
use crate::{filenames, html, openpgp, trust};
use yubin_protocol::{
    Address, ApiError, AttachmentInfo, ErrorKind, Flags, ForwardedMessage, MessageSummary, MessageView, Timestamp, Uid,
};

/// A message-list row from the header block fetched for it.
pub fn summary(uid: Uid, headers: &[u8], flags: Flags, size: u32, arrival: Option<Timestamp>) -> MessageSummary {
    let parsed = parse_headers(headers);
    let (from, subject, date, has_attachments) = match &parsed {
        Some(message) => (
            addresses_of(message, HeaderName::From).into_iter().next(),
            subject_of(message),
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
    let text = body_text(message);
    // mail-parser offers text parts as HTML too; only a real text/html part is HTML mail.
    let html_source = message
        .html_body
        .first()
        .and_then(|id| message.parts.get(*id as usize))
        .filter(|part| part.is_text_html())
        .and_then(|part| Some(repaired_text(message, part, part.text_contents()?)));
    let images = inline_images(message);
    // The pictures the text shows: referred to by `cid:` and small enough to be carried there.
    let shown = |part: &mail_parser::MessagePart<'_>| {
        let Some(id) = part.content_id().map(|id| id.trim_matches(['<', '>'])) else { return false };
        images.contains_key(id) && html_source.as_deref().is_some_and(|html| html.contains(&format!("cid:{id}")))
    };
    let html = html_source.as_deref().map(|body| html::sanitize(body, images.clone()));
    let attachments = message
        .attachments
        .iter()
        .filter_map(|id| Some((*id, message.parts.get(*id as usize)?)))
        .enumerate()
        .map(|(index, (id, part))| AttachmentInfo {
            part: index as u32,
            section: sections.get(&id).cloned().unwrap_or_default(),
            filename: attachment_name(message, part),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: part.len() as u32,
            inline: shown(part),
        })
        .collect();
    let from = addresses_of(message, HeaderName::From);
    let reply_to = addresses_of(message, HeaderName::ReplyTo);
    let autocrypt = openpgp::autocrypt(message, &from);
    let forwarded = message
        .attachments()
        .filter_map(|part| match &part.body {
            PartType::Message(inner) => Some(ForwardedMessage {
                subject: subject_of(inner),
                from: addresses_of(inner, HeaderName::From),
                to: addresses_of(inner, HeaderName::To),
                date: inner.date().map(|d| d.to_timestamp()),
                text: body_text(inner),
            }),
            _ => None,
        })
        .collect();
    MessageView {
        folder: folder.to_owned(),
        uid,
        subject: subject_of(message),
        trust: trust::assess(message, &from, &reply_to),
        forwarded,
        from,
        to: addresses_of(message, HeaderName::To),
        cc: addresses_of(message, HeaderName::Cc),
        reply_to,
        bcc: addresses_of(message, HeaderName::Bcc),
        date: message.date().map(|d| d.to_timestamp()),
        message_id: message.message_id().map(angle_id),
        in_reply_to: message.in_reply_to().as_text().map(angle_id),
        references: references(message),
        delivery_report: crate::dsn::report(message),
        // Only a draft's own (\Draft) is believed: mail from anyone else could carry one.
        replying_to: flags
            .draft
            .then(|| message.header_raw("X-Draft-Info").and_then(crate::draft_info::parse))
            .flatten(),
        openpgp: openpgp::content(message, &text),
        autocrypt,
        flags,
        text,
        has_remote_content: html.as_ref().is_some_and(|h| h.has_remote_content),
        html: html.map(|h| h.html),
        attachments,
    }
}

/// A message about to be imported (APPEND), as the server wants it.
pub struct ImportFacts {
    /// The message with every line ended by CRLF, as IMAP requires.
    pub crlf: Vec<u8>,
    /// Its `Date:` as an IMAP date-time (quoted, as APPEND takes it), to keep as its arrival
    /// time.
    pub date: Option<String>,
    /// An mbox `Status:` header says it was read.
    pub seen: bool,
    pub subject: String,
}

/// The `Message-ID` of raw message `raw`, in `<id>` form.
pub fn message_id_of(raw: &[u8]) -> Option<String> {
    crate::parser::parse_headers(raw)?.message_id().map(angle_id)
}

/// What importing `raw` needs; `None` if it is not mail (no header at all).
pub fn import_facts(raw: &[u8]) -> Option<ImportFacts> {
    let headers = crate::parser::parse_headers(raw)?;
    if headers.headers().is_empty() {
        return None;
    }
    let date = headers.date().and_then(|d| chrono::DateTime::<chrono::Utc>::from_timestamp(d.to_timestamp(), 0));
    let status = headers.header_raw("Status").unwrap_or_default();
    Some(ImportFacts {
        crlf: with_crlf(raw),
        date: date.map(|d| d.format("\"%d-%b-%Y %H:%M:%S +0000\"").to_string()),
        seen: status.contains('R'),
        subject: subject_of(&headers),
    })
}

/// `raw` with bare LF (and bare CR) line ends made CRLF.
fn with_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut bytes = raw.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        match byte {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if bytes.peek() == Some(&b'\n') {
                    bytes.next();
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            other => out.push(other),
        }
    }
    out
}

/// What the MIME header of one part says about showing it.
#[derive(Debug, Default, PartialEq)]
pub struct PartHeader {
    /// `type/subtype`, lower case; empty if not said.
    pub media_type: String,
    pub charset: Option<String>,
    pub filename: Option<String>,
    /// Content-Transfer-Encoding, `7bit` if not said.
    pub encoding: String,
}

/// Reads a part's MIME header (as `BODY[n.MIME]` returns it), RFC 2047/2231 names included.
pub fn part_header(raw: &[u8]) -> PartHeader {
    let mut raw = raw.to_vec();
    raw.extend_from_slice(b"\r\n");
    let Some(message) = crate::parser::parse(&raw) else { return PartHeader::default() };
    let media_type = message
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    let charset = message.content_type().and_then(|ct| ct.attribute("charset")).map(str::to_owned);
    let filename = message.parts.first().and_then(|part| attachment_name(&message, part));
    let encoding = message
        .header(HeaderName::ContentTransferEncoding)
        .and_then(|value| value.as_text())
        .map(|text| text.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "7bit".to_owned());
    PartHeader { media_type, charset, filename, encoding }
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
    let source = String::from_utf8_lossy(&raw[..raw.len().min(MAX_SOURCE as usize)]);
    // Offsets in the raw message are offsets in the source where it is the raw bytes as they are.
    let exact_source = matches!(source, std::borrow::Cow::Borrowed(_));
    let source = source.into_owned();
    let parts = message
        .attachments
        .iter()
        .filter_map(|id| Some((sections.get(id)?.clone(), message.parts.get(*id as usize)?)))
        .map(|(section, part)| {
            let contents = part.contents();
            let pointed = yubin_protocol::LocalPart {
                section: section.clone(),
                data: String::new(),
                in_source: Some((part.offset_body, part.offset_end)),
            };
            // Pointed into the source only where decoding it there gives exactly the bytes.
            let points = exact_source
                && part.encoding == mail_parser::Encoding::Base64
                && pointed.bytes(&source).is_some_and(|bytes| bytes == contents);
            if points {
                pointed
            } else {
                let data = base64::engine::general_purpose::STANDARD.encode(contents);
                yubin_protocol::LocalPart { section, data, in_source: None }
            }
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
    let view = yubin_protocol::ViewJson::new(&view);
    Ok(yubin_protocol::LocalMessage { key: key.to_owned(), summary, view, source, parts })
}

/// The decoded bytes of the attachment at `section` (as [`view`] names it) of `raw`: for mail
/// that is not on a server to fetch a part from (decrypted in the browser).
pub fn attachment_bytes(raw: &[u8], section: &str) -> Option<Vec<u8>> {
    let message = parse(raw)?;
    let sections = section_paths(&message);
    let id = message.attachments.iter().find(|id| sections.get(id).is_some_and(|s| s == section))?;
    Some(message.parts.get(*id as usize)?.contents().to_vec())
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

/// The addresses of header `name` (From, To, …); names mail-parser could not decode are read
/// again from the raw header ([`charset`]).
fn addresses_of(message: &mail_parser::Message<'_>, name: HeaderName<'static>) -> Vec<Address> {
    let list = addresses(message.header(name.clone()).and_then(HeaderValue::as_address));
    let damaged = |list: &[Address]| list.iter().any(|a| a.name.as_deref().is_some_and(|n| n.contains(REPLACEMENT)));
    if !damaged(&list) {
        return list;
    }
    let names = [name.clone()];
    reparsed(message, &message.parts[0], &names, |repaired| {
        Some(addresses(repaired.header(name).and_then(HeaderValue::as_address)))
    })
    .filter(|repaired| !repaired.is_empty())
    .unwrap_or(list)
}

/// The subject, read again from the raw header where mail-parser could not decode it.
fn subject_of(message: &mail_parser::Message<'_>) -> String {
    let subject = message.subject().unwrap_or_default();
    if !subject.contains(REPLACEMENT) {
        return subject.to_owned();
    }
    reparsed(message, &message.parts[0], &[HeaderName::Subject], |m| m.subject().map(str::to_owned))
        .unwrap_or_else(|| subject.to_owned())
}

/// An attachment's file name, read again from the raw header where mail-parser could not
/// decode it (RFC 2231 sections split inside a character), made safe to show and save.
fn attachment_name(message: &mail_parser::Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let name = part.attachment_name()?;
    let name = if name.contains(REPLACEMENT) {
        reparsed(message, part, &[HeaderName::ContentType, HeaderName::ContentDisposition], |m| {
            m.parts.first()?.attachment_name().map(str::to_owned)
        })
        .unwrap_or_else(|| name.to_owned())
    } else {
        name.to_owned()
    };
    Some(filenames::safe_name(&name))
}

/// Header-only mail made of the headers `names` of `part`, repaired by
/// [`charset::normalize_header`], and what `read` takes from it.
fn reparsed<T>(
    message: &mail_parser::Message<'_>,
    part: &MessagePart<'_>,
    names: &[HeaderName<'static>],
    read: impl FnOnce(&mail_parser::Message<'_>) -> Option<T>,
) -> Option<T> {
    let mut raw = String::new();
    for header in part.headers.iter().filter(|h| names.contains(&h.name)) {
        let value = message.raw_message.get(header.offset_start as usize..header.offset_end as usize)?;
        let parameters = matches!(header.name, HeaderName::ContentType | HeaderName::ContentDisposition);
        raw.push_str(header.name.as_str());
        raw.push_str(": ");
        raw.push_str(&charset::normalize_header(value, parameters));
        raw.push_str("\r\n");
    }
    raw.push_str("\r\n");
    read(&parse_headers(raw.as_bytes())?)
}

/// The message's text: its first text part, with a mislabelled charset read again and
/// `format=flowed` unwrapped; or the text mail-parser makes of its HTML.
fn body_text(message: &mail_parser::Message<'_>) -> String {
    let Some(text) = message.body_text(0) else { return String::new() };
    let part = message.text_body.first().and_then(|id| message.parts.get(*id as usize));
    let Some(part) = part.filter(|p| p.is_text() && !p.is_text_html()) else { return text.into_owned() };
    let text = repaired_text(message, part, &text);
    let content_type = part.content_type();
    let attribute = |name: &str| content_type.and_then(|ct| ct.attribute(name)).map(str::to_ascii_lowercase);
    if attribute("format").as_deref() == Some("flowed") {
        charset::unflow(&text, attribute("delsp").as_deref() == Some("yes"))
    } else {
        text
    }
}

/// `decoded`, the text mail-parser made of `part`; where it could not decode the part's bytes
/// (U+FFFD), the bytes are decoded again from the raw part ([`charset::decode_bytes`]).
fn repaired_text(message: &mail_parser::Message<'_>, part: &MessagePart<'_>, decoded: &str) -> String {
    if !decoded.contains(REPLACEMENT) {
        return decoded.to_owned();
    }
    let Some(raw) = message.raw_message.get(part.offset_body as usize..part.offset_end as usize) else {
        return decoded.to_owned();
    };
    let encoding = match part.encoding {
        mail_parser::Encoding::Base64 => "base64",
        mail_parser::Encoding::QuotedPrintable => "quoted-printable",
        _ => "8bit",
    };
    let bytes = crate::transfer_decoding::decode_all(encoding, raw);
    let label = part.content_type().and_then(|ct| ct.attribute("charset"));
    let repaired = charset::decode_bytes(&bytes, label);
    // Only a better reading replaces mail-parser's.
    if repaired.matches(REPLACEMENT).count() < decoded.matches(REPLACEMENT).count() {
        repaired
    } else {
        decoded.to_owned()
    }
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

    /// A message with a base64 attachment, a quoted-printable one, and `extra` in the text.
    fn with_attachments(extra: &[u8]) -> Vec<u8> {
        let mut raw = b"From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            .to_vec();
        raw.extend_from_slice(extra);
        raw.extend_from_slice(
            b"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\nLjQK\r\n--b\r\nContent-Type: text/plain\r\n\
Content-Disposition: attachment; filename=b.txt\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
caf=C3=A9\r\n--b--\r\n",
        );
        raw
    }

    #[test]
    fn a_local_message_points_into_its_source_for_base64_attachments_and_carries_the_rest() {
        let message = local_message("k", &with_attachments("日本語".as_bytes()), Flags::default()).unwrap();
        let [pdf, text] = &message.parts[..] else { panic!("{:?}", message.parts) };
        assert!(pdf.in_source.is_some() && pdf.data.is_empty(), "{pdf:?}");
        assert_eq!(pdf.bytes(&message.source).unwrap(), b"%PDF-1.4\n");
        assert_eq!(text.in_source, None, "quoted-printable is carried");
        assert_eq!(text.bytes(&message.source).unwrap(), "café".as_bytes());

        // Shift_JIS text in 8bit: the source shown is not the raw bytes, so nothing points into it.
        let message = local_message("k", &with_attachments(b"\x93\xfa\x96\x7b"), Flags::default()).unwrap();
        assert!(message.parts.iter().all(|p| p.in_source.is_none()));
        assert_eq!(message.parts[0].bytes(&message.source).unwrap(), b"%PDF-1.4\n");
    }

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
    fn japanese_mail_in_the_wild_reads_right() {
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let subject = "打ち合わせの件".as_bytes();
        let name = "山田太郎".as_bytes();
        // Encoded-words split inside a character, a sender labelled iso-2022-jp that is UTF-8,
        // a UTF-8 body labelled iso-2022-jp, an RFC 2231 name split inside a character, and a
        // file name with a right-to-left override and a path.
        let raw = format!(
            "From: =?UTF-8?B?{}?= =?UTF-8?B?{}?= <yamada@example.jp>\r\n\
To: =?iso-2022-jp?B?{}?= <sato@example.jp>\r\n\
Subject: =?UTF-8?B?{}?=\r\n =?UTF-8?B?{}?=\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: text/plain; charset=iso-2022-jp\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
お世話になっております。\r\n\
--m\r\nContent-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*0*=UTF-8''%E8%AB; filename*1*=%8B%E6%B1%82%E6%9B%B8.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n\
--m\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"../../invoice{rlo}fdp.exe\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--m--\r\n",
            b64(&name[..4]),
            b64(&name[4..]),
            b64("佐藤".as_bytes()),
            b64(&subject[..5]),
            b64(&subject[5..]),
            rlo = '\u{202E}',
        );
        let view = view("INBOX", 1, Flags::default(), raw.as_bytes()).unwrap();
        assert_eq!(view.subject, "打ち合わせの件");
        assert_eq!(view.from[0].name.as_deref(), Some("山田太郎"));
        assert_eq!(view.from[0].email, "yamada@example.jp");
        assert_eq!(view.to[0].name.as_deref(), Some("佐藤"));
        assert_eq!(view.text.trim(), "お世話になっております。");
        let names: Vec<_> = view.attachments.iter().map(|a| a.filename.clone().unwrap()).collect();
        assert_eq!(names, ["請求書.pdf", "invoice[U+202E]fdp.exe"]);
        let row = summary(1, raw.as_bytes(), Flags::default(), 0, None);
        assert_eq!(row.subject, "打ち合わせの件");
        assert_eq!(row.from.unwrap().name.as_deref(), Some("山田太郎"));
    }

    #[test]
    fn flowed_text_is_shown_unwrapped() {
        let raw = b"Subject: f\r\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\n\
A long line that was \r\nwrapped by the sender.\r\n\r\n>> quoted and \r\n>> wrapped\r\n";
        let view = view("INBOX", 1, Flags::default(), raw).unwrap();
        assert_eq!(view.text, "A long line that waswrapped by the sender.\n\n>> quoted andwrapped\n");
        let raw = b"Subject: f\r\nContent-Type: text/plain; format=flowed\r\n\r\nsoft \r\nbreak\r\n";
        assert_eq!(view_of_raw(raw).text, "soft break\n");
    }

    fn view_of_raw(raw: &[u8]) -> MessageView {
        view("INBOX", 1, Flags::default(), raw).unwrap()
    }

    #[test]
    fn garbage_does_not_panic() {
        let s = summary(1, b"\xff\xfe\x00garbage", Flags::default(), 0, None);
        assert_eq!(s.uid, 1);
        let _ = view("INBOX", 1, Flags::default(), b"\r\n\r\n\xff");
    }

    #[test]
    fn a_parts_header_tells_type_name_and_encoding() {
        let raw = b"Content-Type: text/plain; charset=\"ISO-2022-JP\"\r\n\
Content-Disposition: attachment;\r\n filename*=UTF-8''%E8%AD%B0%E4%BA%8B%E9%8C%B2.txt\r\n\
Content-Transfer-Encoding: Base64\r\n";
        let header = super::part_header(raw);
        assert_eq!(header.media_type, "text/plain");
        assert_eq!(header.charset.as_deref(), Some("ISO-2022-JP"));
        assert_eq!(header.filename.as_deref(), Some("議事録.txt"));
        assert_eq!(header.encoding, "base64");
        assert_eq!(super::part_header(b"").encoding, "7bit");
    }

    #[test]
    fn an_imported_message_gets_crlf_its_date_and_read_state() {
        let raw =
            b"Subject: =?UTF-8?B?5pel5pys6Kqe?=\nDate: Wed, 3 Dec 2025 16:00:00 +0900\nStatus: RO\n\nline\r\nend\n";
        let facts = super::import_facts(raw).unwrap();
        assert_eq!(facts.crlf, b"Subject: =?UTF-8?B?5pel5pys6Kqe?=\r\nDate: Wed, 3 Dec 2025 16:00:00 +0900\r\nStatus: RO\r\n\r\nline\r\nend\r\n");
        assert_eq!(facts.date.as_deref(), Some("\"03-Dec-2025 07:00:00 +0000\""));
        assert!(facts.seen);
        assert_eq!(facts.subject, "日本語");
        assert!(super::import_facts(b"").is_none());
        assert_eq!(super::message_id_of(b"Message-ID: <a@b>\r\n\r\n").as_deref(), Some("<a@b>"));
    }
}
