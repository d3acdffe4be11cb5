//! Mail being sent, encrypted or signed: what was written becomes one MIME entity — the text,
//! the attachments, and the real subject as a protected header (`protected-headers="v1"`, so
//! the outer one can be a stand-in) — which is then encrypted or signed whole ([`seal`]). The
//! gateway gets only the result, framed as PGP/MIME (RFC 3156).

use base64::Engine;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};
use pgp::composed::SignedPublicKey;
use yubin_protocol::{Autocrypt, OpenPgpBody, MAX_AUTOCRYPT_KEYDATA};
use yubin_shared::openpgp::{PgpError, PgpErrorKind, Sealing};

use crate::keys::{self, Entry, Keys};

/// The subject recipients' software shows for an encrypted message (the real one is inside),
/// as other OpenPGP mail programs write it.
pub const STAND_IN_SUBJECT: &str = "...";

/// What was written, as one MIME entity with CRLF line ends and 7-bit text.
pub fn entity(sealing: &Sealing, gossip: &[Autocrypt]) -> Result<String, PgpError> {
    let mut parts = vec![MimePart::new(
        ContentType::new("text/plain").attribute("charset", "utf-8"),
        BodyPart::Text(sealing.text.replace("\r\n", "\n").replace('\n', "\r\n").into()),
    )];
    for attachment in &sealing.attachments {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&attachment.data)
            .map_err(|_| PgpError::new(PgpErrorKind::Invalid, "an attachment could not be read"))?;
        parts.push(
            MimePart::new(ContentType::new(attachment.content_type.clone()), BodyPart::Binary(bytes.into()))
                .attachment(attachment.filename.clone()),
        );
    }
    let root = MimePart::new(
        ContentType::new("multipart/mixed").attribute("protected-headers", "v1"),
        BodyPart::Multipart(parts),
    )
    .header("Subject", Text::new(sealing.subject.clone()));
    let root = gossip.iter().fold(root, |root, key| root.header("Autocrypt-Gossip", Raw::new(key.header_value())));
    let mut written = Vec::new();
    root.write_part(&mut written);
    let written = String::from_utf8(written).map_err(|_| PgpError::new(PgpErrorKind::Invalid, "not 7-bit"))?;
    Ok(String::from_utf8_lossy(&keys::crlf(&written)).into_owned())
}

/// `sealing` encrypted (to every recipient and to the sender, whose Sent copy it is too) and/or
/// signed by the sender, with `keys`.
pub fn seal(sealing: &Sealing, keys: &Keys) -> Result<OpenPgpBody, PgpError> {
    let own = keys::own_key(keys, &sealing.from);
    let signer = match (&sealing.sign, own.and_then(Entry::secret)) {
        (Some(passphrase), Some(key)) => Some((key, passphrase.as_str())),
        (Some(_), None) => return Err(no_own_key(&sealing.from)),
        (None, _) => None,
    };
    if !sealing.encrypt {
        let entity = entity(sealing, &[])?;
        let (key, passphrase) = signer.ok_or_else(|| no_key("neither encrypting nor signing"))?;
        let signature = keys::sign_detached(&entity, key, passphrase)?;
        return Ok(OpenPgpBody::Signed { part: entity, signature, micalg: keys::MICALG.into() });
    }
    let keys_of = |addresses: &[String]| -> Result<Vec<_>, PgpError> {
        let (mut found, mut missing) = (Vec::new(), Vec::new());
        for address in addresses {
            match keys::recipient_key(keys, address) {
                Some(key) => found.push(key),
                None => missing.push(address.clone()),
            }
        }
        if !missing.is_empty() {
            let why = format!("no key to encrypt to for {}", missing.join(", "));
            return Err(no_key(&why).about(missing));
        }
        Ok(found)
    };
    let mut to = keys_of(&sealing.to)?;
    let hidden = keys_of(&sealing.bcc)?;
    let entity = entity(sealing, &gossip(&sealing.to, &to))?;
    // The sender reads their own Sent copy: it is encrypted to their key too, and without one
    // it is not sent encrypted at all (the copy would be unreadable to them).
    let own = own
        .map(|own| &own.public)
        .filter(|own| keys::encryption_subkey(own).is_some())
        .ok_or_else(|| no_own_key(&sealing.from))?;
    to.push(own);
    let armored = keys::encrypt(entity.as_bytes(), &to, &hidden, signer)?;
    Ok(OpenPgpBody::Encrypted { armored })
}

/// The keys of the To and Cc recipients (`addresses`, `keys`), for each of them to learn the
/// others' (Autocrypt "gossip") so that a reply to all can be encrypted too. Only with more than
/// one recipient, never for Bcc (which would name them), and only keys small enough to announce.
fn gossip(addresses: &[String], keys: &[&SignedPublicKey]) -> Vec<Autocrypt> {
    if addresses.len() < 2 {
        return Vec::new();
    }
    let announced = addresses.iter().zip(keys).filter_map(|(address, key)| keys::autocrypt(key, address).ok());
    announced.filter(|gossip| gossip.keydata.len() <= MAX_AUTOCRYPT_KEYDATA).collect()
}

fn no_own_key(from: &str) -> PgpError {
    PgpError::new(PgpErrorKind::NoOwnKey, format!("you have no key of your own for {from}"))
        .about(vec![from.to_owned()])
}

fn no_key(why: &str) -> PgpError {
    PgpError::new(PgpErrorKind::NoKey, why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Key;
    use yubin_shared::openpgp::{SealedAttachment, SignatureCheck};

    fn sealing(encrypt: bool, sign: bool) -> Sealing {
        Sealing {
            from: "hanako@example.test".into(),
            to: vec!["taro@example.test".into()],
            bcc: vec!["jiro@example.test".into()],
            subject: "秘密の件".into(),
            text: "明日\n-- \nH".into(),
            attachments: vec![SealedAttachment {
                filename: "見積書.pdf".into(),
                content_type: "application/pdf".into(),
                data: base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 \x00\xff"),
            }],
            encrypt,
            sign: sign.then(|| "pass".into()),
        }
    }

    fn secret(user_id: &str) -> Key {
        Key::Secret(Box::new(keys::generate(user_id, "pass", false).unwrap()))
    }

    fn public(key: &Key) -> Key {
        Key::Public(Box::new(key.public()))
    }

    #[test]
    fn encrypted_mail_opens_for_each_recipient_and_the_sender_with_everything_inside() {
        let (hanako, taro, jiro) =
            (secret("Hanako <hanako@example.test>"), secret("<taro@example.test>"), secret("<jiro@example.test>"));
        let keys = Keys::new([hanako.clone(), public(&taro), public(&jiro)]);
        let OpenPgpBody::Encrypted { armored } = seal(&sealing(true, true), &keys).unwrap() else {
            panic!("not encrypted")
        };
        for reader in [&taro, &jiro, &hanako] {
            let plain = keys::decrypt(&armored, &Keys::new([reader.clone(), public(&hanako)]), "pass").unwrap();
            assert!(matches!(plain.signature, SignatureCheck::Valid { .. }), "{:?}", plain.signature);
            let view = yubin_reading::mime::view("INBOX", 1, Default::default(), &plain.bytes).unwrap();
            assert_eq!(view.subject, "秘密の件");
            assert_eq!(view.text.replace("\r\n", "\n").trim_end(), "明日\n-- \nH");
            assert_eq!(view.attachments[0].filename.as_deref(), Some("見積書.pdf"));
        }
        // Bcc is encrypted to without its key ID: the others cannot tell it is there.
        use pgp::types::KeyDetails;
        let key_id = |key: &Key| format!("{:?}", key.public().public_subkeys[0].legacy_key_id());
        let (message, _) = pgp::composed::Message::from_string(&armored).unwrap();
        let listed = format!("{message:?}");
        assert!(listed.contains(&key_id(&taro)), "To's key ID is named: {listed}");
        assert!(!listed.contains(&key_id(&jiro)), "Bcc's key ID is named");
    }

    #[test]
    fn signed_mail_is_a_7bit_entity_and_a_signature_over_it() {
        let hanako = secret("Hanako <hanako@example.test>");
        let keys = Keys::new([hanako.clone()]);
        let OpenPgpBody::Signed { part, signature, micalg } = seal(&sealing(false, true), &keys).unwrap() else {
            panic!("not signed")
        };
        assert_eq!(micalg, "pgp-sha256");
        assert!(part.is_ascii() && !part.replace("\r\n", "").contains('\n'), "{part}");
        assert!(matches!(keys::verify_detached(&part, &signature, &keys), SignatureCheck::Valid { .. }));
    }

    #[test]
    fn what_cannot_be_sealed_says_why() {
        let hanako = secret("Hanako <hanako@example.test>");
        let taro = secret("<taro@example.test>");
        let no_recipient_key = seal(&sealing(true, false), &Keys::new([hanako.clone(), public(&taro)])).unwrap_err();
        assert_eq!(no_recipient_key.addresses, ["jiro@example.test"]);
        let no_own_key =
            seal(&Sealing { bcc: vec![], ..sealing(true, false) }, &Keys::new([public(&taro)])).unwrap_err();
        assert_eq!(no_own_key.kind, PgpErrorKind::NoOwnKey);
        let wrong = Sealing { sign: Some("wrong".into()), ..sealing(false, true) };
        assert_eq!(seal(&wrong, &Keys::new([hanako.clone()])).unwrap_err().kind, PgpErrorKind::BadPassphrase);
        let wrong = Sealing { sign: Some("wrong".into()), bcc: vec![], ..sealing(true, true) };
        let keys = Keys::new([hanako, public(&taro)]);
        assert_eq!(seal(&wrong, &keys).unwrap_err().kind, PgpErrorKind::BadPassphrase);
    }
}
