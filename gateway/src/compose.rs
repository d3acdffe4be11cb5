//! Turning an [`OutgoingMessage`] into RFC 5322 bytes with lettre's builder.
//!
//! lettre encodes non-ASCII headers (RFC 2047), attachment names (RFC 2231) and the UTF-8
//! body, so Japanese subjects and file names read correctly in other clients. Every field the
//! user typed is checked for CR/LF first: nothing typed can become a header line of its own.

use std::time::SystemTime;

use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Mailbox, MessageBuilder, MultiPart, SinglePart};
use yubin_protocol::{ApiError, ErrorKind, OutgoingMessage};

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

/// Whether the message will be sent (recipients required) or kept as a draft (anything goes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Send,
    Draft,
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
    let mut builder = MessageBuilder::new()
        .from(from)
        .subject(outgoing.subject.clone())
        .message_id(Some(message_id.clone()))
        .date(SystemTime::now())
        .user_agent(format!("Yubin {}", env!("CARGO_PKG_VERSION")));
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
    if recipients == 0 && purpose == Purpose::Send {
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
    let envelope = match purpose {
        Purpose::Send => None,
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
    let body = body(&outgoing.text, attachments)?;
    let build = |builder: MessageBuilder| {
        match body.clone() {
            Body::Text(part) => builder.singlepart(part),
            Body::Mixed(parts) => builder.multipart(parts),
        }
        .map_err(|e| ApiError::new(ErrorKind::BadRequest, format!("cannot build the message: {e}")))
    };
    let wire = build(builder.clone())?;
    let copy = build(builder.keep_bcc())?;
    Ok(Composed { message_id, wire: wire.formatted(), copy: copy.formatted(), envelope: wire.envelope().clone() })
}

#[derive(Clone)]
enum Body {
    Text(SinglePart),
    Mixed(MultiPart),
}

/// The text alone, or the text followed by the attachments in order (so attachment `i` is
/// IMAP section `i + 2`, which the browser relies on to refer to a saved draft's parts).
fn body(text: &str, attachments: Vec<ResolvedAttachment>) -> Result<Body, ApiError> {
    let text_part = SinglePart::plain(text.to_owned());
    if attachments.is_empty() {
        return Ok(Body::Text(text_part));
    }
    let mut mixed = MultiPart::mixed().singlepart(text_part);
    for attachment in attachments {
        reject_line_breaks("attachment name", &attachment.filename)?;
        let content_type = ContentType::parse(&attachment.content_type)
            .or_else(|_| ContentType::parse("application/octet-stream"))
            .expect("a valid content type");
        // Always base64: lettre would send text it can as 7bit or quoted-printable, and a
        // receiving side turns a 7bit part's bare LF into CRLF. A file arrives byte for byte.
        let bytes = lettre::message::Body::new_with_encoding(attachment.bytes, ContentTransferEncoding::Base64)
            .map_err(|_| ApiError::new(ErrorKind::Internal, "cannot encode an attachment"))?;
        mixed = mixed.singlepart(Attachment::new(attachment.filename).body(bytes, content_type));
    }
    Ok(Body::Mixed(mixed))
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
}
