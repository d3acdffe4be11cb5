//! Turning an [`OutgoingMessage`] into RFC 5322 bytes with lettre's builder.
//!
//! lettre encodes non-ASCII headers (RFC 2047), attachment names (RFC 2231) and the UTF-8
//! body, so Japanese subjects and file names read correctly in other clients. Every field the
//! user typed is checked for CR/LF first: nothing typed can become a header line of its own.

use std::time::SystemTime;

use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Mailbox, MessageBuilder, MultiPart, SinglePart};
use yubin_protocol::{ApiError, ErrorKind, OutgoingMessage, MAX_RICH_BODY_BYTES};

use crate::draft_info::DraftInfo;
use crate::pgp_mime;
use crate::rich_text::{self, RichBody};

/// An attachment with its bytes in hand.
pub struct ResolvedAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message ready for SMTP and for filing.
#[derive(Debug)]
pub struct Composed {
    pub message_id: String,
    /// What the recipients get: the headers without Bcc.
    pub wire: Vec<u8>,
    /// The copy for Sent or Drafts, which keeps Bcc so the sender can see who got it.
    pub copy: Vec<u8>,
    pub envelope: Envelope,
}

/// Whether the message will be sent (recipients required) or kept as a draft (anything goes),
/// or kept as a draft to be sent later (checked as for sending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Send,
    Draft,
    SendLater,
}

pub fn compose(
    default_from: &Mailbox,
    outgoing: &OutgoingMessage,
    attachments: Vec<ResolvedAttachment>,
    purpose: Purpose,
) -> Result<Composed, ApiError> {
    reject_line_breaks("Subject", &outgoing.subject)?;
    let from = match outgoing.from.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => parse_mailbox("From", text)?,
        None => default_from.clone(),
    };
    let message_id = match &outgoing.message_id {
        Some(id) => checked_message_id("Message-ID", id)?,
        None => format!("<{}@{}>", uuid::Uuid::new_v4(), from.email.domain()),
    };
    let autocrypt = outgoing.autocrypt.as_ref().map(|a| pgp_mime::AutocryptHeader::new(a, &from.email)).transpose()?;
    let mut builder = MessageBuilder::new()
        .from(from)
        .subject(outgoing.subject.clone())
        .message_id(Some(message_id.clone()))
        .date(SystemTime::now())
        .user_agent(format!("Yubin {}", env!("CARGO_PKG_VERSION")));
    if let Some(autocrypt) = autocrypt {
        builder = builder.header(autocrypt);
    }
    let mut recipients = 0;
    for (field, list) in [("To", &outgoing.to), ("Cc", &outgoing.cc), ("Bcc", &outgoing.bcc)] {
        for text in list.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let mailbox = parse_mailbox(field, text)?;
            recipients += 1;
            builder = match field {
                "To" => builder.to(mailbox),
                "Cc" => builder.cc(mailbox),
                _ => builder.bcc(mailbox),
            };
        }
    }
    if recipients == 0 && purpose != Purpose::Draft {
        return Err(ApiError::new(ErrorKind::BadRequest, "add at least one recipient"));
    }
    if let Some(id) = &outgoing.in_reply_to {
        builder = builder.in_reply_to(checked_message_id("In-Reply-To", id)?);
    }
    if !outgoing.references.is_empty() {
        let ids: Vec<String> =
            outgoing.references.iter().map(|id| checked_message_id("References", id)).collect::<Result<_, _>>()?;
        builder = builder.references(ids.join(" "));
    }
    // What is kept in Drafts remembers what it answers, for whoever sends it from there.
    if let (Some(original), Purpose::Draft | Purpose::SendLater) = (&outgoing.replying_to, purpose) {
        builder = builder.header(DraftInfo(original.clone()));
    }
    let envelope = match purpose {
        Purpose::Send | Purpose::SendLater => None,
        // A draft may have no recipient yet, which lettre's envelope would refuse: give it
        // one that is never used.
        Purpose::Draft => Some(
            Envelope::new(None, vec!["draft@invalid".parse().expect("valid address")])
                .expect("an envelope with one recipient"),
        ),
    };
    if let Some(envelope) = envelope {
        builder = builder.envelope(envelope);
    }
    let text = match (outgoing.html.as_deref(), &outgoing.openpgp) {
        // Encrypted or signed in the browser: what was written is inside, and nothing else goes
        // beside it (a plain copy next to the ciphertext would defeat it).
        (None, Some(openpgp)) if outgoing.text.is_empty() && attachments.is_empty() => Text::OpenPgp(openpgp),
        (_, Some(_)) => {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                "an OpenPGP message carries its text and attachments inside, not beside it",
            ))
        }
        (Some(html), None) if html.len() > MAX_RICH_BODY_BYTES => {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                format!("the formatted text with its images is over {} MB", MAX_RICH_BODY_BYTES >> 20),
            ))
        }
        (Some(html), None) => Text::Rich(rich_text::prepare(html, &message_id)),
        (None, None) => Text::Plain(&outgoing.text),
    };
    let body = body(text, attachments)?;
    let build = |builder: MessageBuilder| {
        match body.clone() {
            Body::Single(part) => builder.singlepart(part),
            Body::Multi(parts) => builder.multipart(parts),
            Body::Framed(content_type, framed) => builder.header(content_type).body(framed),
        }
        .map_err(|e| ApiError::new(ErrorKind::BadRequest, format!("cannot build the message: {e}")))
    };
    let wire = build(builder.clone())?;
    let copy = build(builder.keep_bcc())?;
    Ok(Composed { message_id, wire: wire.formatted(), copy: copy.formatted(), envelope: wire.envelope().clone() })
}

#[derive(Clone)]
enum Body {
    Single(SinglePart),
    Multi(MultiPart),
    /// PGP/MIME as framed by `pgp_mime`, 7-bit, sent as it is.
    Framed(ContentType, lettre::message::Body),
}

/// What the user wrote: plain text, formatted text made fit to send, or a body the browser
/// encrypted or signed.
enum Text<'a> {
    Plain(&'a str),
    Rich(RichBody),
    OpenPgp(&'a yubin_protocol::OpenPgpBody),
}

/// The text alone, or the text followed by the attachments in order (so attachment `i` is
/// IMAP section `i + 2`, which the browser relies on to refer to a saved draft's parts).
/// Formatted text is a multipart/alternative of its text and its HTML (with its images in a
/// multipart/related), which takes the text's place.
fn body(text: Text, attachments: Vec<ResolvedAttachment>) -> Result<Body, ApiError> {
    let text = match text {
        Text::Plain(text) => Body::Single(SinglePart::plain(text.to_owned())),
        Text::Rich(rich) => Body::Multi(alternative(rich)?),
        Text::OpenPgp(openpgp) => {
            let framed = pgp_mime::frame(openpgp)?;
            let body = lettre::message::Body::new_with_encoding(framed.body, ContentTransferEncoding::SevenBit)
                .map_err(|_| ApiError::new(ErrorKind::BadRequest, "OpenPGP message: not 7-bit text"))?;
            return Ok(Body::Framed(framed.content_type, body));
        }
    };
    if attachments.is_empty() {
        return Ok(text);
    }
    let mut mixed = match text {
        Body::Single(part) => MultiPart::mixed().singlepart(part),
        Body::Multi(parts) => MultiPart::mixed().multipart(parts),
        // Its attachments are inside (`compose` refuses any beside it).
        framed @ Body::Framed(..) => return Ok(framed),
    };
    for attachment in attachments {
        reject_line_breaks("attachment name", &attachment.filename)?;
        let content_type = ContentType::parse(&attachment.content_type)
            .or_else(|_| ContentType::parse("application/octet-stream"))
            .expect("a valid content type");
        mixed =
            mixed.singlepart(Attachment::new(attachment.filename).body(base64_body(attachment.bytes)?, content_type));
    }
    Ok(Body::Multi(mixed))
}

/// The flowed text and the HTML of formatted text; the HTML with its images when it has any.
fn alternative(rich: RichBody) -> Result<MultiPart, ApiError> {
    let flowed =
        ContentType::parse("text/plain; charset=utf-8; format=flowed; delsp=yes").expect("a valid content type");
    let text = SinglePart::builder().header(flowed).body(rich.flowed_text);
    let document =
        format!("<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body>{}</body></html>\r\n", rich.html);
    let html = SinglePart::html(document);
    let alternative = MultiPart::alternative().singlepart(text);
    if rich.images.is_empty() {
        return Ok(alternative.singlepart(html));
    }
    let mut related = MultiPart::related().singlepart(html);
    for image in rich.images {
        let content_type = ContentType::parse(&image.content_type).expect("an image type of our list");
        related =
            related.singlepart(Attachment::new_inline(image.content_id).body(base64_body(image.bytes)?, content_type));
    }
    Ok(alternative.multipart(related))
}

/// Always base64: lettre would send text it can as 7bit or quoted-printable, and a receiving
/// side turns a 7bit part's bare LF into CRLF. A file arrives byte for byte.
fn base64_body(bytes: Vec<u8>) -> Result<lettre::message::Body, ApiError> {
    lettre::message::Body::new_with_encoding(bytes, ContentTransferEncoding::Base64)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "cannot encode an attachment"))
}

/// Parses `Name <a@b>` or `a@b`, refusing anything that could smuggle a header line.
pub fn parse_mailbox(field: &str, text: &str) -> Result<Mailbox, ApiError> {
    reject_line_breaks(field, text)?;
    text.parse::<Mailbox>()
        .map_err(|_| ApiError::new(ErrorKind::BadRequest, format!("{field}: not a valid address: {text}")))
}

/// A `<left@right>` message id with nothing in it that could end a header or hide another.
pub fn checked_message_id(field: &str, id: &str) -> Result<String, ApiError> {
    let id = id.trim();
    let inner = id.strip_prefix('<').and_then(|s| s.strip_suffix('>'));
    let valid = inner.is_some_and(|inner| {
        inner.contains('@')
            && inner.len() <= 250
            && inner.chars().all(|c| c.is_ascii_graphic() && !"<>\\\"".contains(c))
    });
    if !valid {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("{field}: not a message id: {id}")));
    }
    Ok(id.to_owned())
}

fn reject_line_breaks(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains(['\r', '\n']) {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("{field} must not contain line breaks")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;

    fn alice() -> Mailbox {
        "Alice <alice@example.test>".parse().unwrap()
    }

    fn send(msg: &OutgoingMessage) -> Result<Composed, ApiError> {
        compose(&alice(), msg, Vec::new(), Purpose::Send)
    }

    #[test]
    fn header_injection_is_refused_in_every_field() {
        let ok = OutgoingMessage { to: vec!["bob@example.test".into()], subject: "ok".into(), ..Default::default() };
        assert!(send(&ok).is_ok());
        let cases = [
            OutgoingMessage { subject: "hi\r\nBcc: victim@example.org".into(), ..ok.clone() },
            OutgoingMessage { to: vec!["bob@example.test\nBcc: x@y.z".into()], ..ok.clone() },
            OutgoingMessage { from: Some("A <a@example.test>\r\nX: y".into()), ..ok.clone() },
            OutgoingMessage { in_reply_to: Some("<a@b>\r\nBcc: x@y.z".into()), ..ok.clone() },
            OutgoingMessage { references: vec!["<a@b> <c@d>".into()], ..ok.clone() },
            OutgoingMessage { message_id: Some("<a@b>\nX: y".into()), ..ok.clone() },
        ];
        for case in cases {
            assert_eq!(send(&case).unwrap_err().kind, ErrorKind::BadRequest, "{case:?}");
        }
        let attachment = ResolvedAttachment {
            filename: "a.txt\r\nX-Evil: 1".into(),
            content_type: "text/plain".into(),
            bytes: b"x".to_vec(),
        };
        assert!(compose(&alice(), &ok, vec![attachment], Purpose::Send).is_err());
    }

    #[test]
    fn text_attachments_arrive_byte_for_byte() {
        let ok = OutgoingMessage { to: vec!["bob@example.test".into()], subject: "files".into(), ..Default::default() };
        let files: [&[u8]; 3] = [b"line 1\nline 2\n", b"no final newline\r", b"cr\r\nlf\nmixed \n.\n"];
        let attachments = files
            .iter()
            .map(|bytes| ResolvedAttachment {
                filename: "a.txt".into(),
                content_type: "text/plain".into(),
                bytes: bytes.to_vec(),
            })
            .collect();
        let composed = compose(&alice(), &ok, attachments, Purpose::Send).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&composed.wire).unwrap();
        let received: Vec<&[u8]> = parsed.attachments().map(|a| a.contents()).collect();
        assert_eq!(received, files, "{}", String::from_utf8_lossy(&composed.wire));
    }

    #[test]
    fn formatted_text_goes_as_alternatives_with_its_images_related_and_files_after() {
        const PNG: &str =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        let msg = OutgoingMessage {
            message_id: Some("<rich@example.test>".into()),
            to: vec!["bob@example.test".into()],
            subject: "formatted".into(),
            html: Some(format!(
                r#"<div><b>太字</b> text</div><div><img src="data:image/png;base64,{PNG}" alt="dot"></div>"#
            )),
            ..Default::default()
        };
        let file =
            ResolvedAttachment { filename: "a.txt".into(), content_type: "text/plain".into(), bytes: b"file".to_vec() };
        let composed = compose(&alice(), &msg, vec![file], Purpose::Send).unwrap();
        let wire = String::from_utf8_lossy(&composed.wire).to_string();
        let parsed = mail_parser::MessageParser::default().parse(&composed.wire).unwrap();
        let types: Vec<String> = parsed
            .parts
            .iter()
            .map(|p| {
                p.content_type().map(|t| format!("{}/{}", t.ctype(), t.subtype().unwrap_or(""))).unwrap_or_default()
            })
            .collect();
        assert_eq!(
            types,
            [
                "multipart/mixed",
                "multipart/alternative",
                "text/plain",
                "multipart/related",
                "text/html",
                "image/png",
                "text/plain"
            ],
            "{wire}"
        );
        let flowed = parsed.parts[2].content_type().unwrap();
        assert_eq!(flowed.attribute("format"), Some("flowed"));
        assert_eq!(flowed.attribute("delsp"), Some("yes"));
        assert!(parsed.body_text(0).unwrap().contains("*太字* text"), "{wire}");
        assert!(parsed.body_html(0).unwrap().contains("<b>太字</b>"), "{wire}");
        assert!(parsed.body_html(0).unwrap().contains(r#"src="cid:image1.rich@example.test""#), "{wire}");
        assert_eq!(parsed.parts[5].content_id(), Some("image1.rich@example.test"));
        // The user's file is still section 2, as for plain text.
        assert_eq!(parsed.attachments().last().unwrap().contents(), b"file");
        assert!(
            matches!(parsed.parts[0].body, mail_parser::PartType::Multipart(ref parts) if parts.len() == 2 && parts[1] == 6)
        );
    }

    #[test]
    fn bad_or_missing_recipients_are_named_but_drafts_need_none() {
        let msg = OutgoingMessage { to: vec!["not an address".into()], ..Default::default() };
        assert!(send(&msg).unwrap_err().message.contains("not an address"));
        assert!(send(&OutgoingMessage::default()).unwrap_err().message.contains("recipient"));
        assert!(compose(&alice(), &OutgoingMessage::default(), Vec::new(), Purpose::Draft).is_ok());
    }

    #[test]
    fn japanese_is_encoded_bcc_only_in_the_copy_threading_kept() {
        let msg = OutgoingMessage {
            message_id: Some("<abc-123@example.test>".into()),
            to: vec!["山田 <yamada@example.jp>".into()],
            bcc: vec!["secret@example.test".into()],
            subject: "会議の件".into(),
            text: "よろしくお願いします".into(),
            in_reply_to: Some("<orig@example.jp>".into()),
            references: vec!["<root@example.jp>".into(), "<orig@example.jp>".into()],
            ..Default::default()
        };
        let attachment = ResolvedAttachment {
            filename: "議事録.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: vec![0, 159, 146, 150],
        };
        let composed = compose(&alice(), &msg, vec![attachment], Purpose::Send).unwrap();
        let wire = String::from_utf8(composed.wire).unwrap();
        let copy = String::from_utf8(composed.copy).unwrap();
        assert!(wire.contains("Subject: =?utf-8?b?"), "{wire}");
        assert!(!wire.contains("secret@example.test"), "Bcc must not reach the recipients");
        assert!(copy.contains("secret@example.test"), "the Sent copy keeps Bcc");
        assert!(wire.contains("Message-ID: <abc-123@example.test>"));
        assert!(wire.contains("In-Reply-To: <orig@example.jp>"));
        assert!(wire.contains("References: <root@example.jp> <orig@example.jp>"), "{wire}");
        assert!(wire.contains("filename*0*=utf-8''"), "RFC 2231 name: {wire}");
        let parsed = mail_parser::MessageParser::default().parse(wire.as_bytes()).unwrap();
        assert_eq!(parsed.subject(), Some("会議の件"));
        assert_eq!(parsed.attachments().next().unwrap().attachment_name(), Some("議事録.pdf"));
        assert_eq!(parsed.attachments().next().unwrap().contents(), &[0, 159, 146, 150]);
        assert_eq!(composed.envelope.to().len(), 2, "Bcc is still a recipient");
    }

    #[test]
    fn an_openpgp_body_is_framed_as_pgp_mime_and_read_back_as_such() {
        use yubin_protocol::{Flags, OpenPgpBody, OpenPgpContent};
        let to = vec!["bob@example.test".into()];
        let armored = "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA0\r\n-----END PGP MESSAGE-----\r\n".to_owned();
        let encrypted = OutgoingMessage {
            to: to.clone(),
            subject: "...".into(),
            openpgp: Some(OpenPgpBody::Encrypted { armored: armored.clone() }),
            ..Default::default()
        };
        let sent = send(&encrypted).unwrap();
        let view = crate::mime::view("Sent", 1, Flags::default(), &sent.copy).unwrap();
        let Some(OpenPgpContent::Encrypted { armored: read, mime: true }) = view.openpgp else { panic!("{view:?}") };
        assert_eq!(read.trim_end(), armored.trim_end());

        // The signed part reaches the reader byte for byte: that is what the signature covers.
        let part = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5pel5pys\r\n";
        let signed = OutgoingMessage {
            to,
            subject: "signed 日本".into(),
            openpgp: Some(OpenPgpBody::Signed {
                part: part.into(),
                signature: "-----BEGIN PGP SIGNATURE-----\r\n\r\niHUEAR\r\n-----END PGP SIGNATURE-----".into(),
                micalg: "pgp-sha256".into(),
            }),
            ..Default::default()
        };
        let sent = send(&signed).unwrap();
        let view = crate::mime::view("Sent", 1, Flags::default(), &sent.wire).unwrap();
        let Some(OpenPgpContent::Signed { signed: read, signature }) = view.openpgp else { panic!("{view:?}") };
        assert_eq!(read, part);
        assert!(signature.contains("BEGIN PGP SIGNATURE"));
        assert_eq!(view.subject, "signed 日本");

        // The sender's key announced, read back as the reader reads it; another address's refused.
        let keydata = "mQ".repeat(600);
        let autocrypt = yubin_protocol::Autocrypt { addr: "alice@example.test".into(), prefer_encrypt: true, keydata };
        let announced = OutgoingMessage { autocrypt: Some(autocrypt.clone()), ..signed.clone() };
        let sent = send(&announced).unwrap();
        assert!(String::from_utf8_lossy(&sent.wire).lines().all(|line| line.len() <= 998));
        let view = crate::mime::view("Sent", 1, Flags::default(), &sent.wire).unwrap();
        assert_eq!(view.autocrypt, Some(autocrypt.clone()));
        let other = yubin_protocol::Autocrypt { addr: "mallory@example.test".into(), ..autocrypt };
        let refused = OutgoingMessage { autocrypt: Some(other), ..signed.clone() };
        assert_eq!(send(&refused).unwrap_err().kind, ErrorKind::BadRequest);

        // Nothing readable beside it, nothing that would not reach the recipient unchanged.
        let beside = OutgoingMessage { text: "plain".into(), ..encrypted.clone() };
        assert_eq!(send(&beside).unwrap_err().kind, ErrorKind::BadRequest);
        for body in [
            OpenPgpBody::Encrypted { armored: "not armor".into() },
            OpenPgpBody::Encrypted { armored: "-----BEGIN PGP MESSAGE-----\r\né".into() },
            OpenPgpBody::Signed {
                part: part.replace("\r\n", "\n"),
                signature: "s".into(),
                micalg: "pgp-sha256".into(),
            },
            OpenPgpBody::Signed { part: part.into(), signature: "s".into(), micalg: "x\r\nBcc: a@b".into() },
        ] {
            let message = OutgoingMessage { openpgp: Some(body.clone()), ..encrypted.clone() };
            assert_eq!(send(&message).unwrap_err().kind, ErrorKind::BadRequest, "{body:?}");
        }
    }
}
