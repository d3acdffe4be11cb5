//! A message being written, as the composer holds it and the browser stores it, and how
//! replies and forwards start from the message they answer. No DOM here: all of it runs in
//! native unit tests.

use serde::{Deserialize, Serialize};
use yubin_protocol::{
    Address, AttachmentSource, MessageRef, MessageView, OpenPgpBody, OutgoingAttachment, OutgoingMessage,
};

use crate::format;
use yubin_shared::address_book::Suggestion;

/// Everything the user has written so far. Serialized into the browser's storage on every
/// pause in typing, so a reload, a crash or a gateway restart loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// `<uuid@domain>`: the Message-ID the message will be sent with, chosen once. Drafts on
    /// the server are replaced by it, and a retried send is recognized by it.
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    /// For formatted text, a plain rendering of it (what the draft list shows, what is left
    /// when formatting is switched off).
    pub text: String,
    /// Formatted text: the editor's HTML. `None` for plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub replying_to: Option<MessageRef>,
    pub attachments: Vec<DraftAttachment>,
    /// Milliseconds since the epoch of the last change, to show the newest draft first.
    pub updated: f64,
    /// Sent, but not before this moment (ms since the epoch): the time to undo the send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<f64>,
    /// Encrypted with OpenPGP when sent (to every recipient's key and the sender's own).
    #[serde(default)]
    pub encrypt: bool,
    /// Signed with the sender's OpenPGP key when sent.
    #[serde(default)]
    pub sign: bool,
    /// What the browser's OpenPGP worker made of it at "Send": sent instead of what is written
    /// (which it holds inside), also from the outbox. Any change to the draft drops it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedBody>,
    /// The sender's OpenPGP key to announce (an `Autocrypt` header), from this browser's keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announce: Option<yubin_protocol::Autocrypt>,
}

/// A message encrypted or signed in the browser, ready for the gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedBody {
    pub body: OpenPgpBody,
    /// The subject to send outside: a stand-in when encrypted (the real one is inside).
    pub subject: String,
}

/// A file in the draft: either the user's own (kept as a Blob beside the draft, under `key`)
/// or a part of a message on the server (forwarded, or from a reopened draft).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftAttachment {
    pub key: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// Set for server-side parts; `None` for the user's own files.
    pub on_server: Option<AttachmentSource>,
}

impl Draft {
    pub fn new(message_id: String) -> Self {
        Self { message_id, ..Self::default() }
    }

    /// Puts the identity's signature under what is written, above any quote or forward.
    pub fn sign(&mut self, identity: &crate::identity::Identity) {
        let Some(block) = identity.signature_block() else { return };
        match self.text.find("\n\n") {
            // A reply or forward starts with a blank line for the user, then the quote.
            Some(0) => self.text.insert_str(0, &block),
            _ => self.text.push_str(&block),
        }
    }

    /// A reply to `view`: to its Reply-To (or sender), and for `all` also to everyone else
    /// it went to except `me`; quoted, threaded, subject with one `Re:`. `sent_at` is the
    /// original's date as the user reads it (the browser knows the local time zone).
    pub fn reply(message_id: String, view: &MessageView, me: &str, all: bool, sent_at: &str) -> Self {
        let reply_to = if view.reply_to.is_empty() { &view.from } else { &view.reply_to };
        let mut to: Vec<&Address> = reply_to.iter().collect();
        let mut cc: Vec<&Address> = Vec::new();
        if all {
            to.extend(view.to.iter());
            cc.extend(view.cc.iter());
        }
        let not_me = |a: &&Address| !a.email.eq_ignore_ascii_case(me);
        let mut seen = std::collections::HashSet::new();
        let mut unique = |a: &&Address| seen.insert(a.email.to_ascii_lowercase());
        let to: Vec<&Address> = to.into_iter().filter(not_me).filter(&mut unique).collect();
        let cc: Vec<&Address> = cc.into_iter().filter(not_me).filter(&mut unique).collect();
        let mut references = view.references.clone();
        references.extend(view.message_id.clone());
        // A reply to encrypted mail is encrypted too (Autocrypt Level 1, 2.5.2: it would
        // otherwise give its content away); the user unticks Encrypt if a recipient has no key,
        // as the composer tells them.
        let encrypted = is_encrypted(view);
        Self {
            message_id,
            to: join(&to),
            cc: join(&cc),
            subject: prefixed("Re: ", &view.subject),
            text: format!("\n\n{}", quote(view, sent_at)),
            in_reply_to: view.message_id.clone(),
            references,
            replying_to: Some(MessageRef { folder: view.folder.clone(), uid: view.uid }),
            encrypt: encrypted,
            ..Self::default()
        }
    }

    /// A forward of `view`: inline (its text below a header block, its attachments attached
    /// again) or as one `message/rfc822` attachment.
    pub fn forward(message_id: String, view: &MessageView, as_attachment: bool, sent_at: &str) -> Self {
        let subject = prefixed("Fwd: ", &view.subject);
        let (text, attachments) = if as_attachment {
            let name = format!("{}.eml", if view.subject.is_empty() { "message" } else { &view.subject });
            let whole = DraftAttachment {
                key: "original".into(),
                filename: name.replace(['/', '\\'], "_"),
                content_type: "message/rfc822".into(),
                size: 0,
                on_server: Some(AttachmentSource::Message { folder: view.folder.clone(), uid: view.uid }),
            };
            (String::new(), vec![whole])
        } else {
            (format!("\n\n{}", forward_block(view, sent_at)), server_parts(view, false))
        };
        Self { message_id, subject, text, attachments, ..Self::default() }
    }

    /// Makes this plain draft formatted: what is written becomes paragraphs, and the message
    /// it quotes or forwards (`original`, as [`Draft::reply`] or [`Draft::forward`] got it)
    /// its own sanitized HTML when it has some — its pictures along, as `data:` URLs the
    /// gateway sends as parts — in a `<blockquote type="cite">` for a reply.
    pub fn make_formatted(&mut self, original: Option<(&MessageView, &str)>) {
        if self.html.is_some() {
            return;
        }
        let quoted = original.and_then(|(view, sent_at)| {
            let (forward, head) = if self.replying_to.is_some() {
                (false, quote(view, sent_at))
            } else {
                (true, forward_block(view, sent_at))
            };
            let own = self.text.strip_suffix(&head)?;
            let body = view.html.clone().unwrap_or_else(|| text_to_html(&view.text));
            let block = if forward {
                let header = head.strip_suffix(&view.text).unwrap_or(&head);
                format!("{}<div>{body}</div>", text_to_html(header))
            } else {
                let who = head.lines().next().unwrap_or_default();
                format!("{}<blockquote type=\"cite\">{body}</blockquote>", text_to_html(who))
            };
            Some(format!("{}{block}", text_to_html(own)))
        });
        if let (Some(_), Some((view, _))) = (&quoted, original.filter(|(view, _)| view.html.is_some())) {
            // A forward's pictures are in its HTML now, not attachments.
            let shown: Vec<&str> = view.attachments.iter().filter(|a| a.inline).map(|a| a.section.as_str()).collect();
            self.attachments.retain(|a| {
                !matches!(&a.on_server, Some(AttachmentSource::Part { section, .. }) if shown.contains(&section.as_str()))
            });
        }
        self.html = Some(quoted.unwrap_or_else(|| text_to_html(&self.text)));
    }

    /// Puts a template into this message: its text at the top (above a signature or a
    /// quote), formatted when this message is, its attachments after this one's, and its
    /// subject when this message has none yet.
    pub fn insert_template(&mut self, template: &MessageView) {
        if self.subject.trim().is_empty() {
            self.subject = template.subject.clone();
        }
        match &mut self.html {
            Some(html) => {
                let body = template.html.clone().unwrap_or_else(|| text_to_html(&template.text));
                *html = format!("{body}{html}");
            }
            None => self.text = format!("{}\n{}", template.text.trim_end_matches(['\n', '\r']), self.text),
        }
        let in_text = self.html.is_some() && template.html.is_some();
        self.attachments.extend(server_parts(template, in_text));
    }

    /// This message as a template to keep: what is written and attached, without recipients
    /// or the thread it answers, under its own Message-ID.
    pub fn as_template(&self, message_id: String) -> Self {
        Self {
            message_id,
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            attachments: self.attachments.clone(),
            ..Self::default()
        }
    }

    /// In formatted text, the identity's formatted signature in place of the lines its plain
    /// one became.
    pub fn use_formatted_signature(&mut self, identity: &crate::identity::Identity) {
        let signature = identity.signature_html.as_deref().filter(|html| !html.trim().is_empty());
        let (Some(html), Some(signature), Some(block)) = (&mut self.html, signature, identity.signature_block()) else {
            return;
        };
        let lines = text_to_html(block.trim_start_matches('\n'));
        if let Some(at) = html.find(&lines) {
            html.replace_range(at..at + lines.len(), &format!("<div>-- </div>{signature}"));
        }
    }

    /// A draft saved on the server, opened to continue writing.
    pub fn reopen(view: &MessageView, fallback_id: String) -> Self {
        Self {
            message_id: view.message_id.clone().unwrap_or(fallback_id),
            from: view.from.first().map(format::full_address).unwrap_or_default(),
            to: join(&view.to.iter().collect::<Vec<_>>()),
            cc: join(&view.cc.iter().collect::<Vec<_>>()),
            bcc: join(&view.bcc.iter().collect::<Vec<_>>()),
            subject: view.subject.clone(),
            text: view.text.clone(),
            // Formatted when it was saved formatted: its HTML, as the reader got it, with its
            // pictures in it.
            html: view.html.clone(),
            in_reply_to: view.in_reply_to.clone(),
            references: view.references.clone(),
            replying_to: view.replying_to.clone(),
            attachments: server_parts(view, view.html.is_some()),
            ..Self::default()
        }
    }

    /// True when nothing worth keeping has been written.
    pub fn is_blank(&self) -> bool {
        self.to.trim().is_empty()
            && self.cc.trim().is_empty()
            && self.bcc.trim().is_empty()
            && self.subject.trim().is_empty()
            && self.text.trim().is_empty()
            && self.html.as_deref().is_none_or(|html| !html.contains("<img"))
            && self.attachments.is_empty()
    }

    /// The message for the gateway; `upload_of` names the gateway upload holding a local file.
    pub fn to_outgoing(&self, upload_of: impl Fn(&str) -> Option<String>) -> OutgoingMessage {
        let outgoing = self.written_outgoing(upload_of);
        match &self.sealed {
            // What is written is inside: nothing of it goes beside.
            Some(sealed) => OutgoingMessage {
                subject: sealed.subject.clone(),
                text: String::new(),
                html: None,
                attachments: Vec::new(),
                openpgp: Some(sealed.body.clone()),
                ..outgoing
            },
            None => outgoing,
        }
    }

    /// Whether it goes out through the OpenPGP worker.
    pub fn uses_openpgp(&self) -> bool {
        self.encrypt || self.sign
    }

    /// The recipients' bare addresses for OpenPGP: To and Cc (named), and Bcc (hidden).
    pub fn openpgp_recipients(&self) -> (Vec<String>, Vec<String>) {
        let bare = |field: &str| -> Vec<String> {
            split_recipients(field).iter().map(|r| bare_address(r).to_lowercase()).collect()
        };
        let mut named = bare(&self.to);
        named.extend(bare(&self.cc));
        (named, bare(&self.bcc))
    }

    /// Why what is written cannot go through the OpenPGP worker as it is, if it cannot: the
    /// English text, for the composer to translate.
    pub fn openpgp_obstacle(&self) -> Option<&'static str> {
        if self.html.is_some() {
            return Some("Encrypted or signed mail is sent as plain text: switch formatting off first.");
        }
        if self.attachments.iter().any(|a| a.on_server.is_some()) {
            return Some("Attachments from the server cannot be encrypted or signed yet: remove them, or attach the files again.");
        }
        None
    }

    fn written_outgoing(&self, upload_of: impl Fn(&str) -> Option<String>) -> OutgoingMessage {
        OutgoingMessage {
            message_id: Some(self.message_id.clone()),
            from: Some(self.from.trim().to_owned()).filter(|f| !f.is_empty()),
            to: split_recipients(&self.to),
            cc: split_recipients(&self.cc),
            bcc: split_recipients(&self.bcc),
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
            replying_to: self.replying_to.clone(),
            attachments: self
                .attachments
                .iter()
                .filter_map(|a| {
                    let source = match &a.on_server {
                        Some(source) => source.clone(),
                        None => AttachmentSource::Upload { upload: upload_of(&a.key)? },
                    };
                    Some(OutgoingAttachment {
                        source,
                        filename: a.filename.clone(),
                        content_type: a.content_type.clone(),
                        size: a.size,
                    })
                })
                .collect(),
            openpgp: None,
            autocrypt: self.announce.clone(),
        }
    }

    /// After the draft was saved on the server as `uid` in `folder`, its forwarded and reopened
    /// parts are read from that copy (attachment `i` is section `i + 2` there): the copy they
    /// came from is deleted by the save.
    pub fn rebase_on_saved(&mut self, folder: &str, uid: yubin_protocol::Uid) {
        for (i, attachment) in self.attachments.iter_mut().enumerate() {
            if attachment.on_server.is_some() {
                attachment.on_server =
                    Some(AttachmentSource::Part { folder: folder.to_owned(), uid, section: (i + 2).to_string() });
            }
        }
    }

    /// Addresses typed that cannot be sent to, with the field they are in.
    pub fn invalid_recipients(&self) -> Vec<(&'static str, String)> {
        [("To", &self.to), ("Cc", &self.cc), ("Bcc", &self.bcc)]
            .into_iter()
            .flat_map(|(field, text)| {
                split_recipients(text).into_iter().filter(|r| !is_valid_recipient(r)).map(move |r| (field, r))
            })
            .collect()
    }
}

/// The attachments of `view`, to be attached again from the server; without the pictures its
/// text shows when that text comes along formatted (`in_text`), which carries them.
fn server_parts(view: &MessageView, in_text: bool) -> Vec<DraftAttachment> {
    view.attachments
        .iter()
        .filter(|a| !a.section.is_empty())
        .filter(|a| !(in_text && a.inline))
        .map(|a| DraftAttachment {
            key: format!("part-{}", a.section),
            filename: a.filename.clone().unwrap_or_else(|| format!("attachment-{}", a.part + 1)),
            content_type: a.content_type.clone(),
            size: u64::from(a.size),
            on_server: Some(AttachmentSource::Part {
                folder: view.folder.clone(),
                uid: view.uid,
                section: a.section.clone(),
            }),
        })
        .collect()
}

fn join(addresses: &[&Address]) -> String {
    addresses.iter().map(|a| format::full_address(a)).collect::<Vec<_>>().join(", ")
}

/// `Re: ` + subject, without piling up `Re: Re: RE: `.
pub fn prefixed(prefix: &str, subject: &str) -> String {
    // The prefixes that mean the same as `prefix`, as other clients write them.
    let same: &[&str] = if prefix.to_ascii_lowercase().starts_with("re") {
        &["re:", "re：", "aw:"]
    } else {
        &["fwd:", "fw:", "fwd："]
    };
    let mut rest = subject.trim();
    while let Some(p) = same.iter().find(|p| rest.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p))) {
        rest = rest[p.len()..].trim_start();
    }
    format!("{prefix}{rest}")
}

/// The header block of an inline forward, and the forwarded text.
fn forward_block(view: &MessageView, sent_at: &str) -> String {
    format!(
        "---------- Forwarded message ----------\nFrom: {}\nDate: {}\nSubject: {}\nTo: {}\n\n{}",
        format::address_list(&view.from),
        sent_at,
        view.subject,
        format::address_list(&view.to),
        view.text
    )
}

/// Plain text as the editor's HTML: a `<div>` per line (an empty one holds a `<br>`), with
/// `<`, `>` and `&` escaped.
pub fn text_to_html(text: &str) -> String {
    text.lines()
        .map(|line| {
            let escaped = line.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            if escaped.is_empty() {
                "<div><br></div>".to_owned()
            } else {
                format!("<div>{escaped}</div>")
            }
        })
        .collect()
}

fn is_encrypted(view: &MessageView) -> bool {
    matches!(view.openpgp, Some(yubin_protocol::OpenPgpContent::Encrypted { .. }))
}

/// `On <date>, <sender> wrote:` and the text with `> ` before each line; not the ciphertext
/// of an encrypted message (its text is only in the reader's decrypted view).
fn quote(view: &MessageView, sent_at: &str) -> String {
    let who = view.from.first().map(format::full_address).unwrap_or_default();
    let mut out = format!("On {sent_at}, {who} wrote:\n");
    let text = if is_encrypted(view) { "" } else { view.text.trim_end() };
    for line in text.lines() {
        out.push('>');
        if !line.starts_with('>') {
            out.push(' ');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Splits `a@b, "Name, Jr" <c@d>; e@f` on commas and semicolons outside quotes and angle
/// brackets.
pub fn split_recipients(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut current, mut quoted, mut angle) = (String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// The address alone of `a@b.c` or `Name <a@b.c>`.
pub fn bare_address(text: &str) -> &str {
    let text = text.trim();
    match (text.rfind('<'), text.ends_with('>')) {
        (Some(open), true) => text[open + 1..text.len() - 1].trim(),
        _ => text,
    }
}

/// `a@b.c` or `Name <a@b.c>`: one `@` with something on both sides and no spaces in the
/// address. The server has the last word; this catches typos before sending.
pub fn is_valid_recipient(text: &str) -> bool {
    let address = match (text.rfind('<'), text.ends_with('>')) {
        (Some(open), true) => &text[open + 1..text.len() - 1],
        (None, false) => text,
        _ => return false,
    };
    yubin_protocol::text::is_plain_address(address)
}

/// The recipient being typed at the end of `text`, for suggestions.
pub fn last_token(text: &str) -> &str {
    let start = text.rfind([',', ';']).map_or(0, |i| i + 1);
    text[start..].trim_start()
}

/// `text` with its last recipient replaced by `chosen`, ready for the next one.
pub fn complete_last(text: &str, chosen: &str) -> String {
    let start = text.rfind([',', ';']).map_or(0, |i| i + 1);
    let head = text[..start].trim_end();
    if head.is_empty() {
        format!("{chosen}, ")
    } else {
        format!("{head} {chosen}, ")
    }
}

/// A recipient offered for the one being typed: what the list shows, and what picking it puts
/// in the field (a group puts all its members).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer<'a> {
    pub shown: &'a str,
    pub insert: &'a str,
}

/// Recipients for what is being typed, best first: the address book's contacts and groups
/// (found by name, reading or address) whose words start with `typed`, then those holding it;
/// then addresses seen in mail the same way (those not already offered from the book).
pub fn suggestions<'a>(book: &'a [Suggestion], seen: &'a [String], typed: &str, limit: usize) -> Vec<Offer<'a>> {
    let lowered = typed.trim().to_lowercase();
    let typed = lowered.as_str();
    if typed.is_empty() {
        return Vec::new();
    }
    let word_starts = move |text: &str| {
        text.starts_with(typed) || text.split(['<', ' ', '"', '@', '.']).any(|w| w.starts_with(typed))
    };
    let from_book = move |first: bool| {
        book.iter()
            .filter(move |s| if first { word_starts(&s.keys) } else { s.keys.contains(typed) })
            .map(|s| Offer { shown: &s.shown, insert: &s.insert })
    };
    let from_seen = move |first: bool| {
        seen.iter()
            .filter(move |c| {
                let c = c.to_lowercase();
                if first {
                    word_starts(&c)
                } else {
                    c.contains(typed)
                }
            })
            .map(|c| Offer { shown: c, insert: c })
    };
    let mut out: Vec<Offer> = Vec::new();
    for offer in from_book(true).chain(from_book(false)).chain(from_seen(true)).chain(from_seen(false)) {
        // One mailbox each (a group's insert lists several): the same address is the same offer.
        let single = |text: &str| !text.contains(',');
        let same = |o: &Offer| {
            o.insert.eq_ignore_ascii_case(offer.insert)
                || (single(o.insert) && single(offer.insert) && format::same_mailbox(o.insert, offer.insert))
        };
        if !out.iter().any(same) {
            out.push(offer);
        }
        if out.len() == limit {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::{AttachmentInfo, Flags};

    fn addr(name: &str, email: &str) -> Address {
        Address { name: Some(name.into()), email: email.into() }
    }

    fn view() -> MessageView {
        MessageView {
            folder: "INBOX".into(),
            uid: 7,
            subject: "Re: 会議".into(),
            from: vec![addr("Bob", "bob@example.test")],
            to: vec![addr("Me", "me@example.test"), addr("Carol", "carol@example.test")],
            cc: vec![addr("Dave", "dave@example.test"), addr("Bob", "bob@example.test")],
            reply_to: vec![],
            bcc: vec![],
            date: Some(0),
            message_id: Some("<m2@example.test>".into()),
            in_reply_to: Some("<m1@example.test>".into()),
            references: vec!["<m1@example.test>".into()],
            flags: Flags::default(),
            text: "Line one\n> older".into(),
            html: None,
            has_remote_content: false,
            trust: Default::default(),
            forwarded: vec![],
            attachments: vec![AttachmentInfo {
                part: 0,
                section: "2".into(),
                filename: Some("a.pdf".into()),
                content_type: "application/pdf".into(),
                size: 10,
                inline: false,
            }],
            delivery_report: None,
            replying_to: None,
            openpgp: None,
            autocrypt: None,
        }
    }

    #[test]
    fn a_draft_reopened_from_the_server_still_answers_its_original() {
        let original = MessageRef { folder: "Archive".into(), uid: 3 };
        let saved = MessageView { replying_to: Some(original.clone()), ..view() };
        let draft = Draft::reopen(&saved, "<new@x>".into());
        assert_eq!(draft.message_id, "<m2@example.test>");
        assert_eq!(draft.in_reply_to.as_deref(), Some("<m1@example.test>"));
        assert_eq!(draft.to_outgoing(|_| None).replying_to, Some(original), "sending it flags the original answered");
    }

    #[test]
    fn formatted_replies_quote_the_html_and_forwards_carry_it() {
        let signed = crate::identity::Identity { signature: "Taro <t@x>".into(), ..Default::default() };
        let mut original = view();
        original.html = Some(r#"<p><b>Line one</b></p><img src="data:image/png;base64,AAAA">"#.into());
        let mut reply = Draft::reply("<new@x>".into(), &original, "me@example.test", false, "today");
        reply.sign(&signed);
        reply.make_formatted(Some((&original, "today")));
        let html = reply.html.clone().unwrap();
        assert!(html.starts_with("<div><br></div><div><br></div><div>-- </div><div>Taro &lt;t@x&gt;</div>"), "{html}");
        assert!(
            html.ends_with(r#"<div>On today, Bob &lt;bob@example.test&gt; wrote:</div><blockquote type="cite"><p><b>Line one</b></p><img src="data:image/png;base64,AAAA"></blockquote>"#),
            "{html}"
        );
        assert_eq!(reply.to_outgoing(|_| None).html, reply.html);
        let mut forward = Draft::forward("<f@x>".into(), &original, false, "today");
        forward.make_formatted(Some((&original, "today")));
        let html = forward.html.unwrap();
        assert!(html.contains("<div>---------- Forwarded message ----------</div>"), "{html}");
        assert!(html.ends_with("<div><p><b>Line one</b></p><img src=\"data:image/png;base64,AAAA\"></div>"), "{html}");
        // A plain original is quoted as lines; a new message is its text as lines.
        let mut plain = Draft::reply("<p@x>".into(), &view(), "me@example.test", false, "today");
        plain.make_formatted(Some((&view(), "today")));
        assert!(plain
            .html
            .unwrap()
            .contains(r#"<blockquote type="cite"><div>Line one</div><div>&gt; older</div></blockquote>"#));
        let mut new = Draft { text: "a < b\n\nc".into(), ..Draft::default() };
        new.make_formatted(None);
        assert_eq!(new.html.as_deref(), Some("<div>a &lt; b</div><div><br></div><div>c</div>"));
    }

    #[test]
    fn a_template_goes_on_top_with_its_files_and_is_kept_without_recipients() {
        let mut template = view();
        template.subject = "Order".into();
        template.text = "Thanks for your order.\n".into();
        let mut reply = Draft::reply("<r@x>".into(), &view(), "me@example.test", false, "today");
        reply.insert_template(&template);
        assert!(reply.text.starts_with("Thanks for your order.\n\n\nOn today"), "{}", reply.text);
        assert_eq!(reply.subject, "Re: 会議", "a reply keeps its subject");
        assert_eq!(reply.attachments.len(), 1);
        let mut new = Draft { html: Some("<div>sig</div>".into()), ..Draft::default() };
        template.html = Some("<p><b>Thanks</b></p>".into());
        new.insert_template(&template);
        assert_eq!(new.subject, "Order");
        assert_eq!(new.html.as_deref(), Some("<p><b>Thanks</b></p><div>sig</div>"));
        let kept = reply.as_template("<t@x>".into());
        assert_eq!((kept.message_id.as_str(), kept.to.as_str(), kept.in_reply_to.clone()), ("<t@x>", "", None));
        assert_eq!(kept.replying_to, None);
        assert_eq!(kept.attachments, reply.attachments);
    }

    #[test]
    fn a_formatted_signature_takes_the_place_of_the_plain_one() {
        let identity = crate::identity::Identity {
            signature: "Taro\nexample.jp".into(),
            signature_html: Some("<div><b>Taro</b></div><div>example.jp</div>".into()),
            ..Default::default()
        };
        let mut reply = Draft::reply("<r@x>".into(), &view(), "me@example.test", false, "today");
        reply.sign(&identity);
        reply.make_formatted(Some((&view(), "today")));
        reply.use_formatted_signature(&identity);
        let html = reply.html.unwrap();
        assert!(html.starts_with("<div><br></div><div><br></div><div>-- </div><div><b>Taro</b></div><div>example.jp</div><div><br></div>"), "{html}");
        assert!(html.contains("<blockquote type=\"cite\">"), "{html}");
    }

    #[test]
    fn reply_all_threads_quotes_and_leaves_me_out() {
        let reply = Draft::reply("<new@x>".into(), &view(), "ME@example.test", true, "today");
        assert_eq!(reply.to, "Bob <bob@example.test>, Carol <carol@example.test>");
        assert_eq!(reply.cc, "Dave <dave@example.test>", "Bob once, me never");
        assert_eq!(reply.subject, "Re: 会議");
        assert_eq!(reply.in_reply_to.as_deref(), Some("<m2@example.test>"));
        assert_eq!(reply.references, ["<m1@example.test>", "<m2@example.test>"]);
        assert!(reply.text.contains("wrote:\n> Line one\n>> older\n"), "{}", reply.text);
        assert_eq!(reply.replying_to, Some(MessageRef { folder: "INBOX".into(), uid: 7 }));
        let just_sender = Draft::reply("<new@x>".into(), &view(), "me@example.test", false, "today");
        assert_eq!(just_sender.to, "Bob <bob@example.test>");
        assert!(just_sender.cc.is_empty());
        assert!(!just_sender.encrypt);
    }

    #[test]
    fn a_reply_to_encrypted_mail_is_encrypted_and_quotes_no_ciphertext() {
        let armored = "-----BEGIN PGP MESSAGE-----\nhQ\n-----END PGP MESSAGE-----".to_owned();
        let openpgp = Some(yubin_protocol::OpenPgpContent::Encrypted { armored: armored.clone(), mime: false });
        let original = MessageView { text: armored, openpgp, ..view() };
        let reply = Draft::reply("<r@x>".into(), &original, "me@example.test", false, "today");
        assert!(reply.encrypt);
        assert!(!reply.text.contains("PGP MESSAGE") && reply.text.contains("wrote:"), "{}", reply.text);
    }

    #[test]
    fn forwards_inline_with_parts_or_whole() {
        let inline = Draft::forward("<f@x>".into(), &view(), false, "today");
        assert_eq!(inline.subject, "Fwd: Re: 会議");
        assert!(inline.text.contains("Forwarded message") && inline.text.contains("Line one"));
        assert_eq!(
            inline.attachments[0].on_server,
            Some(AttachmentSource::Part { folder: "INBOX".into(), uid: 7, section: "2".into() })
        );
        let whole = Draft::forward("<f@x>".into(), &view(), true, "today");
        assert_eq!(whole.attachments[0].content_type, "message/rfc822");
        assert_eq!(whole.attachments[0].on_server, Some(AttachmentSource::Message { folder: "INBOX".into(), uid: 7 }));
    }

    #[test]
    fn subject_prefixes_do_not_pile_up() {
        assert_eq!(prefixed("Re: ", "Re: RE: re: hello"), "Re: hello");
        assert_eq!(prefixed("Re: ", "hello"), "Re: hello");
        assert_eq!(prefixed("Fwd: ", "Fwd: FW: x"), "Fwd: x");
        assert_eq!(prefixed("Re: ", "Fwd: x"), "Re: Fwd: x");
    }

    #[test]
    fn saved_drafts_rebase_server_parts_onto_the_new_copy() {
        let mut draft = Draft::forward("<f@x>".into(), &view(), false, "today");
        draft.attachments.insert(
            0,
            DraftAttachment {
                key: "local".into(),
                filename: "mine.txt".into(),
                content_type: "text/plain".into(),
                size: 1,
                on_server: None,
            },
        );
        draft.rebase_on_saved("Drafts", 40);
        assert_eq!(draft.attachments[0].on_server, None, "own files stay local");
        assert_eq!(
            draft.attachments[1].on_server,
            Some(AttachmentSource::Part { folder: "Drafts".into(), uid: 40, section: "3".into() })
        );
        let outgoing = draft.to_outgoing(|key| (key == "local").then(|| "u-1".to_owned()));
        assert_eq!(outgoing.attachments[0].source, AttachmentSource::Upload { upload: "u-1".into() });
    }

    #[test]
    fn recipients_split_validate_and_complete() {
        assert_eq!(
            split_recipients(r#"a@b.test, "Doe, Jane" <jane@x.test>; c@d.test,"#),
            vec!["a@b.test", r#""Doe, Jane" <jane@x.test>"#, "c@d.test"]
        );
        let draft = Draft { to: "ok@x.test, bad, Name <also@ok.test>".into(), cc: "a@@".into(), ..Draft::default() };
        assert_eq!(draft.invalid_recipients(), [("To", "bad".to_owned()), ("Cc", "a@@".to_owned())]);
        assert!(!is_valid_recipient("a b@c.d") && !is_valid_recipient("x@.y") && is_valid_recipient("山田 <y@x.jp>"));
        assert_eq!(last_token("a@b.test, ka"), "ka");
        assert_eq!(complete_last("a@b.test, ka", "Kate <kate@x.test>"), "a@b.test, Kate <kate@x.test>, ");
        let seen = vec!["Bob <bob@x.test>".to_owned(), "Kate <kate@x.test>".to_owned(), "akane@x.test".to_owned()];
        let shown = |offers: Vec<Offer>| offers.iter().map(|o| o.shown.to_owned()).collect::<Vec<_>>();
        assert_eq!(shown(suggestions(&[], &seen, "ka", 5)), ["Kate <kate@x.test>", "akane@x.test"]);
        let book = vec![
            Suggestion {
                shown: "山田 花子 <hanako@x.jp>".into(),
                insert: "山田 花子 <hanako@x.jp>".into(),
                keys: "山田 花子 やまだ はなこ hanako@x.jp".into(),
            },
            Suggestion {
                shown: "Kate Smith <kate@x.test>".into(),
                insert: "Kate Smith <kate@x.test>".into(),
                keys: "kate smith kate@x.test".into(),
            },
            Suggestion { shown: "Team (2)".into(), insert: "a@x.test, b@x.test".into(), keys: "team".into() },
        ];
        assert_eq!(
            shown(suggestions(&book, &seen, "ka", 5)),
            ["Kate Smith <kate@x.test>", "akane@x.test"],
            "the book's Kate first, the seen one not twice"
        );
        assert_eq!(shown(suggestions(&book, &seen, "やま", 5)), ["山田 花子 <hanako@x.jp>"], "found by reading");
        assert_eq!(suggestions(&book, &seen, "tea", 5)[0].insert, "a@x.test, b@x.test");
    }

    #[test]
    fn a_sealed_draft_sends_only_what_the_worker_made() {
        let mut draft = Draft {
            to: "Taro <TARO@example.test>, jiro@example.test".into(),
            bcc: "\"Saburo, S\" <saburo@example.test>".into(),
            subject: "本当の件名".into(),
            text: "secret".into(),
            encrypt: true,
            ..Draft::new("<a@example.test>".into())
        };
        assert_eq!(
            draft.openpgp_recipients(),
            (vec!["taro@example.test".into(), "jiro@example.test".into()], vec!["saburo@example.test".into()])
        );
        assert_eq!(draft.to_outgoing(|_| None).text, "secret", "not sealed yet: what is written");
        let body = OpenPgpBody::Encrypted { armored: "-----BEGIN PGP MESSAGE-----".into() };
        draft.sealed = Some(SealedBody { body: body.clone(), subject: "...".into() });
        let outgoing = draft.to_outgoing(|_| Some("upload".into()));
        assert_eq!((outgoing.subject.as_str(), outgoing.text.as_str()), ("...", ""));
        assert_eq!(outgoing.openpgp, Some(body));
        assert!(outgoing.attachments.is_empty() && outgoing.html.is_none());
        assert_eq!(outgoing.to.len(), 2, "the envelope still has every recipient");

        draft.html = Some("<b>x</b>".into());
        assert!(draft.openpgp_obstacle().is_some());
    }
}
