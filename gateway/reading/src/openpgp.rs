//! Finding a message's OpenPGP content for the browser, which alone holds the keys: a PGP/MIME
//! encrypted message (RFC 3156 section 4), a PGP/MIME signed one (section 5), or an inline
//! block in the text (`BEGIN PGP MESSAGE`, or a cleartext-signed `BEGIN PGP SIGNED MESSAGE`).
//! Nothing here decrypts or verifies. [`armor_blocks`] also serves the browser's worker, which
//! reads keys pasted or kept as armored text.

use mail_parser::{MessagePart, MimeHeaders, PartType};
use yubin_protocol::{Address, Autocrypt, OpenPgpContent, MAX_AUTOCRYPT_KEYDATA};

const BEGIN: &str = "-----BEGIN PGP MESSAGE-----";
#[cfg(test)]
const END: &str = "-----END PGP MESSAGE-----";

/// One ASCII-armored block (RFC 9580 section 6.2) found in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmorBlock<'a> {
    /// What its BEGIN line names: `MESSAGE`, `SIGNED MESSAGE`, `PUBLIC KEY BLOCK`, …
    pub kind: &'a str,
    /// The block from its BEGIN line to the end of its END line. A cleartext-signed message
    /// runs to the end of its signature (its only END line).
    pub text: &'a str,
}

/// The armored blocks in `text`, in order: a message quoting another, a user pasting a secret
/// key and someone's public key together, a file holding several keys.
pub fn armor_blocks(text: &str) -> Vec<ArmorBlock<'_>> {
    const BEGIN: &str = "-----BEGIN PGP ";
    const END: &str = "-----END PGP ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let from_start = &rest[start..];
        let after_begin = &from_start[BEGIN.len()..];
        let Some(kind_end) = after_begin.find(DASHES) else { break };
        let kind = &after_begin[..kind_end];
        if kind.contains('\n') {
            // Not a BEGIN line after all: look again past it.
            rest = after_begin;
            continue;
        }
        let Some(end) = from_start.find(END) else { break };
        // The END line runs to its closing dashes.
        let after_end = &from_start[end + END.len()..];
        let close = after_end.find(DASHES).map_or(after_end.len(), |i| i + DASHES.len());
        let length = end + END.len() + close;
        blocks.push(ArmorBlock { kind, text: &from_start[..length] });
        rest = &from_start[length..];
    }
    blocks
}
/// The message's OpenPGP content, if it has any; `text` is its body text, for inline PGP.
pub fn content(message: &mail_parser::Message<'_>, text: &str) -> Option<OpenPgpContent> {
    pgp_mime(message).or_else(|| inline(text))
}

/// The sender's Autocrypt header (Autocrypt Level 1, section 2.1): read only when the message
/// has one sender, exactly one valid header names that sender's address, and it carries no
/// attribute it does not understand (those not starting with `_` make a header invalid).
pub fn autocrypt(message: &mail_parser::Message<'_>, from: &[Address]) -> Option<Autocrypt> {
    let [sender] = from else { return None };
    let sender = sender.email.to_lowercase();
    let mut found = autocrypt_headers(message, "Autocrypt").filter(|header| header.addr == sender);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The keys a sender passes on to the other recipients of an encrypted message
/// (`Autocrypt-Gossip` in the decrypted part's headers, Autocrypt Level 1 section 2.7): only
/// those for an address in `recipients` (the outer To and Cc), so a sender cannot plant a key
/// for anyone else, and none for an address named twice.
pub fn gossip(decrypted: &[u8], recipients: &[String]) -> Vec<Autocrypt> {
    let Some(headers) = mail_parser::MessageParser::new().parse_headers(decrypted) else { return Vec::new() };
    let found: Vec<Autocrypt> = autocrypt_headers(&headers, "Autocrypt-Gossip")
        .filter(|gossip| recipients.iter().any(|r| r.eq_ignore_ascii_case(&gossip.addr)))
        .collect();
    let once = |addr: &str| found.iter().filter(|g| g.addr == addr).count() == 1;
    found.iter().filter(|g| once(&g.addr)).map(|g| Autocrypt { prefer_encrypt: false, ..g.clone() }).collect()
}

/// The valid headers named `name` (`Autocrypt` or `Autocrypt-Gossip`), read from the raw text.
fn autocrypt_headers<'m>(message: &'m mail_parser::Message<'_>, name: &'m str) -> impl Iterator<Item = Autocrypt> + 'm {
    message.headers().iter().filter(move |header| header.name.as_str().eq_ignore_ascii_case(name)).filter_map(
        |header| {
            let raw = message.raw_message.get(header.offset_start as usize..header.offset_end as usize)?;
            autocrypt_header(std::str::from_utf8(raw).ok()?)
        },
    )
}

/// One `Autocrypt` header's value.
fn autocrypt_header(value: &str) -> Option<Autocrypt> {
    let (mut addr, mut keydata, mut prefer_encrypt) = (None, None, false);
    for attribute in value.split(';') {
        let (name, value) = attribute.split_once('=')?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "addr" => addr = Some(value.to_lowercase()),
            "prefer-encrypt" => prefer_encrypt = value == "mutual",
            "keydata" => keydata = Some(value.split_ascii_whitespace().collect::<String>()),
            optional if optional.starts_with('_') => {}
            _ => return None,
        }
    }
    let keydata = keydata.filter(|k| {
        !k.is_empty()
            && k.len() <= MAX_AUTOCRYPT_KEYDATA
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
    })?;
    Some(Autocrypt { addr: addr?, prefer_encrypt, keydata })
}

/// `multipart/encrypted` or `multipart/signed` with an OpenPGP protocol, at the top.
fn pgp_mime(message: &mail_parser::Message<'_>) -> Option<OpenPgpContent> {
    let root = message.parts.first()?;
    let PartType::Multipart(children) = &root.body else { return None };
    let content_type = root.content_type()?;
    let protocol = content_type.attribute("protocol").map(str::to_ascii_lowercase);
    let child = |index: usize| message.parts.get(*children.get(index)? as usize);
    match (content_type.subtype()?.to_ascii_lowercase().as_str(), protocol.as_deref()) {
        ("encrypted", Some("application/pgp-encrypted")) => {
            let armored = String::from_utf8_lossy(child(1)?.contents()).into_owned();
            armored.contains(BEGIN).then_some(OpenPgpContent::Encrypted { armored, mime: true })
        }
        ("signed", Some("application/pgp-signature")) => {
            let signed = raw_part(message, child(0)?)?;
            let signature = String::from_utf8_lossy(child(1)?.contents()).into_owned();
            Some(OpenPgpContent::Signed { signed, signature })
        }
        _ => None,
    }
}

/// A part exactly as it was sent, headers and body: what a PGP/MIME signature covers
/// (mail-parser's end already leaves out the line break before the next boundary, which
/// belongs to the boundary: RFC 2046 section 5.1.1).
fn raw_part(message: &mail_parser::Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let raw = message.raw_message.get(part.offset_header as usize..part.offset_end as usize)?;
    // RFC 3156 wants signed parts in 7 bits; anything else cannot be verified byte for byte.
    String::from_utf8(raw.to_vec()).ok()
}

/// An inline PGP message or cleartext-signed text: the first such armored block in the text.
fn inline(text: &str) -> Option<OpenPgpContent> {
    armor_blocks(text).into_iter().find_map(|block| match block.kind {
        "MESSAGE" => Some(OpenPgpContent::Encrypted { armored: block.text.to_owned(), mime: false }),
        "SIGNED MESSAGE" => Some(OpenPgpContent::ClearSigned { armored: block.text.to_owned() }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> Option<OpenPgpContent> {
        let message = crate::parser::parse(raw.as_bytes()).unwrap();
        let text = message.body_text(0).unwrap_or_default().into_owned();
        content(&message, &text)
    }

    #[test]
    fn pgp_mime_encrypted_gives_the_armored_message() {
        let raw = "From: a@example.test\r\nSubject: ...\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n\
            --b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n\
            --b\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n\
            -----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA0\r\n-----END PGP MESSAGE-----\r\n\r\n--b--\r\n";
        let Some(OpenPgpContent::Encrypted { armored, mime: true }) = parsed(raw) else { panic!("not found") };
        assert!(armored.starts_with(BEGIN) && armored.trim_end().ends_with(END), "{armored}");
    }

    #[test]
    fn pgp_mime_signed_gives_the_part_as_sent_without_the_boundarys_line_break() {
        let raw = "From: a@example.test\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"b\"\r\n\r\n\
            --b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
            signed =E3=81=82\r\nsecond line\r\n\r\n\
            --b\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n\
            -----BEGIN PGP SIGNATURE-----\r\n\r\niHUEAR\r\n-----END PGP SIGNATURE-----\r\n\r\n--b--\r\n";
        let Some(OpenPgpContent::Signed { signed, signature }) = parsed(raw) else { panic!("not found") };
        assert_eq!(
            signed,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
             signed =E3=81=82\r\nsecond line\r\n"
        );
        assert!(signature.contains("BEGIN PGP SIGNATURE"));
    }

    #[test]
    fn an_inline_block_is_found_in_the_text_and_plain_mail_has_none() {
        let raw = "From: a@example.test\r\nSubject: x\r\n\r\nHi,\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA0\r\n-----END PGP MESSAGE-----\r\nbye\r\n";
        let Some(OpenPgpContent::Encrypted { armored, mime: false }) = parsed(raw) else { panic!("not found") };
        assert!(armored.starts_with(BEGIN) && armored.ends_with(END));
        assert_eq!(parsed("From: a@example.test\r\nSubject: x\r\n\r\nplain\r\n"), None);
    }

    #[test]
    fn a_cleartext_signed_text_is_found_whole_up_to_its_signatures_end() {
        let raw = "From: a@example.test\r\nSubject: x\r\n\r\nAbove\r\n\
            -----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n- -- dashed\r\nsigned text\r\n\
            -----BEGIN PGP SIGNATURE-----\r\n\r\niHUEAR\r\n-----END PGP SIGNATURE-----\r\nbelow\r\n";
        let Some(OpenPgpContent::ClearSigned { armored }) = parsed(raw) else { panic!("not found") };
        assert!(armored.starts_with("-----BEGIN PGP SIGNED MESSAGE-----"), "{armored}");
        assert!(armored.ends_with("-----END PGP SIGNATURE-----"), "{armored}");
        assert!(armored.contains("signed text"));
    }

    #[test]
    fn the_senders_autocrypt_header_is_read_and_a_doubtful_one_is_not() {
        let read = |headers: &str| {
            let raw = format!("From: Alice <Alice@example.test>\r\n{headers}Subject: x\r\n\r\nhi\r\n");
            let message = crate::parser::parse(raw.as_bytes()).unwrap();
            let from = vec![Address { name: None, email: "Alice@example.test".into() }];
            autocrypt(&message, &from)
        };
        let header = "Autocrypt: addr=alice@example.test; prefer-encrypt=mutual; keydata=\r\n mQGNBF\r\n +Ab/c=\r\n";
        assert_eq!(
            read(header),
            Some(Autocrypt { addr: "alice@example.test".into(), prefer_encrypt: true, keydata: "mQGNBF+Ab/c=".into() })
        );
        let optional = "Autocrypt: _note=x; addr=alice@example.test; keydata=AAAA\r\n";
        assert!(read(optional).is_some_and(|a| !a.prefer_encrypt));
        for doubtful in [
            "Autocrypt: addr=mallory@example.test; keydata=AAAA\r\n",
            "Autocrypt: addr=alice@example.test; keydata=AAAA; critical=1\r\n",
            "Autocrypt: addr=alice@example.test; keydata=AA<script>\r\n",
            "Autocrypt: addr=alice@example.test\r\n",
            &format!("{header}{header}"),
        ] {
            assert_eq!(read(doubtful), None, "{doubtful}");
        }
    }

    #[test]
    fn gossip_is_read_for_the_outer_recipients_only_and_once_per_address() {
        let inner = "Autocrypt-Gossip: addr=Taro@example.test; prefer-encrypt=mutual; keydata=AAAA\r\n BBBB\r\n\
            Autocrypt-Gossip: addr=mallory@example.test; keydata=CCCC\r\n\
            Autocrypt-Gossip: addr=jiro@example.test; keydata=DDDD\r\n\
            Autocrypt-Gossip: addr=jiro@example.test; keydata=EEEE\r\n\
            Content-Type: text/plain\r\n\r\nhello\r\n";
        let recipients = ["taro@example.test".to_owned(), "jiro@example.test".to_owned()];
        // Gossip never carries a preference: that is for the owner to say, in their own header.
        assert_eq!(
            gossip(inner.as_bytes(), &recipients),
            [Autocrypt { addr: "taro@example.test".into(), prefer_encrypt: false, keydata: "AAAABBBB".into() }]
        );
        assert_eq!(gossip(b"not mail", &recipients), []);
    }

    #[test]
    fn armor_blocks_are_found_in_order_with_their_kinds() {
        let text = "junk -----BEGIN PGP no end line\n\
            -----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----\n\
            between\n-----BEGIN PGP PRIVATE KEY BLOCK-----\ndef\n-----END PGP PRIVATE KEY BLOCK-----";
        let blocks = armor_blocks(text);
        let kinds: Vec<_> = blocks.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, ["PUBLIC KEY BLOCK", "PRIVATE KEY BLOCK"]);
        assert!(blocks[0].text.starts_with("-----BEGIN PGP PUBLIC") && blocks[0].text.ends_with("KEY BLOCK-----"));
        assert_eq!(armor_blocks("-----BEGIN PGP MESSAGE-----\nno end"), []);
    }
}
