//! OpenPGP operations on keys and messages, with rPGP: generating, reading and describing keys,
//! decrypting and verifying. No storage and no browser here, so all of it is tested natively.

use std::collections::HashMap;

use pgp::composed::{
    Deserializable, DetachedSignature, EncryptionCaps, KeyType, Message, SecretKeyParamsBuilder, SignedPublicKey,
    SignedSecretKey, SubkeyParamsBuilder,
};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::packet::Signature;
use pgp::types::{KeyDetails, Password};
use yubin_reading::openpgp::armor_blocks;
use yubin_shared::openpgp::{KeyInfo, PgpError, PgpErrorKind, SignatureCheck};

/// A key as kept: its secret part (under its passphrase) when this browser has it.
#[derive(Debug, Clone)]
pub enum Key {
    Secret(Box<SignedSecretKey>),
    /// Imported by the user.
    Public(Box<SignedPublicKey>),
    /// Announced in its owner's mail (Autocrypt) or passed on by another sender: good for
    /// encrypting to them, weaker as proof of who signed. `mutual`: the owner's last header
    /// asked for encrypted mail by default (`prefer-encrypt=mutual`).
    Learned {
        key: Box<SignedPublicKey>,
        mutual: bool,
    },
}

fn invalid(what: &str) -> impl Fn(pgp::errors::Error) -> PgpError + '_ {
    move |e| PgpError::new(PgpErrorKind::Invalid, format!("{what}: {e}"))
}

impl Key {
    pub fn public(&self) -> SignedPublicKey {
        match self {
            Key::Secret(secret) => SignedPublicKey::from((**secret).clone()),
            Key::Public(public) | Key::Learned { key: public, .. } => (**public).clone(),
        }
    }

    pub fn fingerprint(&self) -> String {
        match self {
            Key::Secret(secret) => format!("{:X}", secret.fingerprint()),
            Key::Public(public) | Key::Learned { key: public, .. } => format!("{:X}", public.fingerprint()),
        }
    }

    pub fn info(&self) -> KeyInfo {
        self.info_with(&self.public())
    }

    /// What the key is, read from `public`, its public half.
    fn info_with(&self, public: &SignedPublicKey) -> KeyInfo {
        KeyInfo {
            fingerprint: format!("{:X}", public.fingerprint()),
            user_ids: public
                .details
                .users
                .iter()
                .map(|user| String::from_utf8_lossy(user.id.id()).into_owned())
                .collect(),
            created: public.primary_key.created_at().as_secs() as i64,
            algorithm: algorithm_name(public.primary_key.algorithm()).into(),
            secret: matches!(self, Key::Secret(_)),
            learned: matches!(self, Key::Learned { .. }),
            mutual: matches!(self, Key::Learned { mutual: true, .. }),
        }
    }

    /// The key armored: the public key, or the whole secret key as it is kept.
    pub fn armored(&self, secret: bool) -> Result<String, PgpError> {
        match (self, secret) {
            (Key::Secret(key), true) => key.to_armored_string(Default::default()),
            (_, false) => self.public().to_armored_string(Default::default()),
            (Key::Public(_) | Key::Learned { .. }, true) => {
                return Err(PgpError::new(PgpErrorKind::NoKey, "this browser has only the public key"))
            }
        }
        .map_err(invalid("the key could not be written"))
    }
}

/// Every key in this browser, read once per change of the keyring, with what requests look
/// keys up by worked out once: each key's public half and description, and which keys are for
/// which address (a keyring fills up with the keys of correspondents learned from their mail).
#[derive(Default)]
pub struct Keys {
    entries: Vec<Entry>,
    by_address: HashMap<String, Vec<usize>>,
}

/// A key with its public half and its description.
pub struct Entry {
    pub key: Key,
    pub public: SignedPublicKey,
    pub info: KeyInfo,
}

impl Entry {
    /// The secret key, when this browser has it.
    pub fn secret(&self) -> Option<&SignedSecretKey> {
        match &self.key {
            Key::Secret(secret) => Some(secret),
            Key::Public(_) | Key::Learned { .. } => None,
        }
    }
}

impl Keys {
    pub fn new(keys: impl IntoIterator<Item = Key>) -> Self {
        let mut known = Keys::default();
        for key in keys {
            let public = key.public();
            let info = key.info_with(&public);
            for address in info.addresses() {
                known.by_address.entry(address).or_default().push(known.entries.len());
            }
            known.entries.push(Entry { key, public, info });
        }
        known
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The key with `fingerprint` (hex, any case).
    pub fn find(&self, fingerprint: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.info.fingerprint.eq_ignore_ascii_case(fingerprint))
    }

    /// Whether some key has a user ID for `address`.
    pub fn knows(&self, address: &str) -> bool {
        self.for_address(address).next().is_some()
    }

    /// The keys with a user ID for `address` (case-insensitively).
    fn for_address(&self, address: &str) -> impl Iterator<Item = &Entry> {
        let found = self.by_address.get(&address.trim().to_lowercase());
        found.into_iter().flatten().map(|&i| &self.entries[i])
    }
}

/// A new key pair for `user_id`, protected by `passphrase`: Ed25519 for certifying and
/// signing, Curve25519 for encryption, in the v4 format GnuPG 2.2 and later read; or RSA-3072.
pub fn generate(user_id: &str, passphrase: &str, rsa: bool) -> Result<SignedSecretKey, PgpError> {
    let failed = |e: &dyn std::fmt::Display| PgpError::new(PgpErrorKind::Invalid, format!("no key was made: {e}"));
    let (primary, encryption) = if rsa {
        (KeyType::Rsa(3072), KeyType::Rsa(3072))
    } else {
        (KeyType::Ed25519Legacy, KeyType::ECDH(ECCCurve::Curve25519Legacy))
    };
    let subkey = SubkeyParamsBuilder::default()
        .key_type(encryption)
        .can_sign(false)
        .can_encrypt(EncryptionCaps::All)
        .passphrase(Some(passphrase.to_owned()))
        .build()
        .map_err(|e| failed(&e))?;
    let params = SecretKeyParamsBuilder::default()
        .key_type(primary)
        .can_certify(true)
        .can_sign(true)
        .can_encrypt(EncryptionCaps::None)
        .primary_user_id(user_id.to_owned())
        .passphrase(Some(passphrase.to_owned()))
        .subkeys(vec![subkey])
        .build()
        .map_err(|e| failed(&e))?;
    params.generate(rand::thread_rng()).map_err(|e| failed(&e))
}

/// Every key in `armored` (one or several blocks, public or secret), each checked.
pub fn read_keys(text: &str) -> Result<Vec<Key>, PgpError> {
    let mut keys = Vec::new();
    for block in armor_blocks(text) {
        if block.kind.ends_with("KEY BLOCK") {
            keys.extend(read_block(block.text)?);
        }
    }
    if keys.is_empty() {
        return Err(PgpError::new(PgpErrorKind::Invalid, "no OpenPGP key in it"));
    }
    Ok(keys)
}

/// A key announced in `autocrypt` (its `keydata`: the binary key, base64), checked: its own
/// signatures hold and one of its user IDs is the announced address.
pub fn learned(autocrypt: &yubin_protocol::Autocrypt) -> Result<Key, PgpError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&autocrypt.keydata)
        .map_err(|_| PgpError::new(PgpErrorKind::Invalid, "the announced key is not base64"))?;
    let key = SignedPublicKey::from_bytes(&bytes[..]).map_err(invalid("not a key"))?;
    key.verify_bindings().map_err(invalid("the key's own signatures do not hold"))?;
    let key = Key::Learned { key: Box::new(key), mutual: autocrypt.prefer_encrypt };
    if !key.info().is_for(&autocrypt.addr) {
        return Err(PgpError::new(PgpErrorKind::Invalid, "the announced key is not for the sender's address"));
    }
    Ok(key)
}

/// The `Autocrypt` header announcing `key` for `address`.
pub fn announcement(key: &SignedSecretKey, address: &str) -> Result<yubin_protocol::Autocrypt, PgpError> {
    // A user who keeps a key here wants encrypted mail: Yubin encrypts by default in turn.
    Ok(yubin_protocol::Autocrypt { prefer_encrypt: true, ..autocrypt(&SignedPublicKey::from(key.clone()), address)? })
}

/// `public` announced for `address`, as in an `Autocrypt` or `Autocrypt-Gossip` header.
pub fn autocrypt(public: &SignedPublicKey, address: &str) -> Result<yubin_protocol::Autocrypt, PgpError> {
    use base64::Engine;
    use pgp::ser::Serialize;
    let bytes = public.to_bytes().map_err(invalid("the key could not be written"))?;
    Ok(yubin_protocol::Autocrypt {
        addr: address.to_lowercase(),
        prefer_encrypt: false,
        keydata: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// Every key in a binary key file (`gpg --export`, public or secret, one or several), checked.
pub fn read_binary_keys(bytes: &[u8]) -> Result<Vec<Key>, PgpError> {
    let found = pgp::composed::PublicOrSecret::from_bytes_many(bytes).map_err(invalid("not a key"))?;
    let mut keys = Vec::new();
    for key in found {
        let broken = invalid("the key's own signatures do not hold");
        keys.push(match key.map_err(invalid("not a key"))? {
            pgp::composed::PublicOrSecret::Public(public) => {
                public.verify_bindings().map_err(broken)?;
                Key::Public(Box::new(public))
            }
            pgp::composed::PublicOrSecret::Secret(secret) => {
                secret.verify_bindings().map_err(broken)?;
                Key::Secret(Box::new(secret))
            }
        });
    }
    if keys.is_empty() {
        return Err(PgpError::new(PgpErrorKind::Invalid, "no OpenPGP key in it"));
    }
    Ok(keys)
}

/// The keys in one armored block.
fn read_block(armored: &str) -> Result<Vec<Key>, PgpError> {
    let mut keys = Vec::new();
    if armored.contains("PRIVATE KEY BLOCK") {
        let (found, _) = SignedSecretKey::from_armor_many(armored.as_bytes()).map_err(invalid("not a key"))?;
        for key in found {
            let key = key.map_err(invalid("not a key"))?;
            key.verify_bindings().map_err(invalid("the key's own signatures do not hold"))?;
            keys.push(Key::Secret(Box::new(key)));
        }
    } else {
        let (found, _) = SignedPublicKey::from_armor_many(armored.as_bytes()).map_err(invalid("not a key"))?;
        for key in found {
            let key = key.map_err(invalid("not a key"))?;
            key.verify_bindings().map_err(invalid("the key's own signatures do not hold"))?;
            keys.push(Key::Public(Box::new(key)));
        }
    }
    Ok(keys)
}

/// A key's algorithm as people know it (the release build has no `Debug` text to show).
fn algorithm_name(algorithm: pgp::crypto::public_key::PublicKeyAlgorithm) -> &'static str {
    use pgp::crypto::public_key::PublicKeyAlgorithm as A;
    match algorithm {
        A::RSA | A::RSAEncrypt | A::RSASign => "RSA",
        A::EdDSALegacy | A::Ed25519 => "Ed25519",
        A::Ed448 => "Ed448",
        A::ECDSA => "ECDSA",
        A::ECDH => "ECDH",
        A::X25519 => "X25519",
        A::X448 => "X448",
        A::DSA => "DSA",
        A::Elgamal | A::ElgamalEncrypt => "ElGamal",
        _ => "other",
    }
}

/// The bytes of a decrypted message and the state of a signature inside it.
pub struct Plain {
    pub bytes: Vec<u8>,
    pub signature: SignatureCheck,
}

/// Decrypts `armored` with whichever of `keys` it is for, unlocked by `passphrase`, and checks
/// a signature inside against `keys`.
pub fn decrypt(armored: &str, keys: &Keys, passphrase: &str) -> Result<Plain, PgpError> {
    let (message, _) = Message::from_string(armored).map_err(invalid("not an OpenPGP message"))?;
    let secrets: Vec<&SignedSecretKey> = keys.entries().iter().filter_map(Entry::secret).collect();
    if secrets.is_empty() {
        return Err(PgpError::new(PgpErrorKind::NoKey, "this browser has no secret key"));
    }
    let password = Password::from(passphrase);
    let passwords = vec![&password; secrets.len()];
    // rPGP says "missing key" for a key that would not unlock too: which one it is, is told
    // by trying the passphrase on the keys — only then, as unlocking a key is deliberately
    // slow (GnuPG's S2K: tens of millions of hash rounds).
    let unlocks = |secrets: &[&SignedSecretKey]| {
        secrets.iter().any(|key| key.primary_key.unlock(&password, |_, _| Ok(())).is_ok_and(|inner| inner.is_ok()))
    };
    let mut message = message.decrypt_with_keys(passwords, secrets.clone()).map_err(|e| match e {
        pgp::errors::Error::MissingKey if !unlocks(&secrets) => {
            PgpError::new(PgpErrorKind::BadPassphrase, "the passphrase does not unlock the key")
        }
        pgp::errors::Error::MissingKey => {
            PgpError::new(PgpErrorKind::NoKey, "the message is not encrypted to a key this browser has")
        }
        e => PgpError::new(PgpErrorKind::Invalid, format!("the message could not be decrypted: {e}")),
    })?;
    if message.is_compressed() {
        message = message.decompress().map_err(invalid("the message could not be decompressed"))?;
    }
    let bytes = message.as_data_vec().map_err(|e| PgpError::new(PgpErrorKind::Invalid, e.to_string()))?;
    let signature = match &message {
        Message::Signed { reader, .. } => match reader.signature(0) {
            Some(signature) => check(signature, keys, |candidate| match candidate {
                Candidate::Primary(key) => message.verify(key).map(drop),
                Candidate::Subkey(key) => message.verify(key).map(drop),
            }),
            None => SignatureCheck::Bad,
        },
        _ => SignatureCheck::NotSigned,
    };
    Ok(Plain { bytes, signature })
}

/// The key mail to `address` is encrypted to: of `keys` with a user ID for it and an
/// encryption subkey, one the user imported before one learned from mail (which anyone could
/// have sent), then the newest.
pub fn recipient_key<'k>(keys: &'k Keys, address: &str) -> Option<&'k SignedPublicKey> {
    recipient_entry(keys, address).map(|entry| &entry.public)
}

/// Whether the key mail to `address` is encrypted to was learned from mail.
pub fn recipient_key_is_learned(keys: &Keys, address: &str) -> bool {
    recipient_entry(keys, address).is_some_and(|entry| entry.info.learned)
}

fn recipient_entry<'k>(keys: &'k Keys, address: &str) -> Option<&'k Entry> {
    keys.for_address(address)
        .filter(|entry| encryption_subkey(&entry.public).is_some())
        .max_by_key(|entry| (!entry.info.learned, entry.info.created))
}

/// Whether mail from `from` to `addresses` is encrypted unless the user says otherwise
/// (Autocrypt's "encrypt" recommendation, with the user's own import standing for consent):
/// every recipient has a key the user imported or whose owner announced `prefer-encrypt=mutual`
/// (this browser announces that for its user), and the sender has a key to read their copy.
pub fn encrypt_by_default(keys: &Keys, from: &str, addresses: &[String]) -> bool {
    let wanted = |address: &String| recipient_entry(keys, address).is_some_and(|e| !e.info.learned || e.info.mutual);
    let own = own_key(keys, from).is_some_and(|own| encryption_subkey(&own.public).is_some());
    own && !addresses.is_empty() && addresses.iter().all(wanted)
}

/// The subkey a key's owner receives encrypted mail with (its flags say so).
pub fn encryption_subkey(public: &SignedPublicKey) -> Option<&pgp::composed::SignedPublicSubKey> {
    public.public_subkeys.iter().find(|sub| {
        sub.signatures.iter().any(|signature| {
            let flags = signature.key_flags();
            flags.encrypt_comms() || flags.encrypt_storage()
        })
    })
}

/// The secret key of `address` in this browser, to sign with and to encrypt the sender's copy to.
pub fn own_key<'k>(keys: &'k Keys, address: &str) -> Option<&'k Entry> {
    keys.for_address(address).filter(|entry| entry.info.secret).max_by_key(|entry| entry.info.created)
}

/// The hash signatures are made with, and its name in PGP/MIME's `micalg`.
const HASH: pgp::crypto::hash::HashAlgorithm = pgp::crypto::hash::HashAlgorithm::Sha256;
pub const MICALG: &str = "pgp-sha256";

/// Why signing with `key` failed (`error`): a wrong passphrase, or something else. Asked only
/// once it failed, as trying a passphrase is as slow as signing (the S2K is the cost of both).
fn signing_failed(key: &SignedSecretKey, passphrase: &Password, error: pgp::errors::Error, what: &str) -> PgpError {
    let unlocks = key.primary_key.unlock(passphrase, |_, _| Ok(())).is_ok_and(|inner| inner.is_ok());
    if unlocks {
        PgpError::new(PgpErrorKind::Invalid, format!("{what}: {error}"))
    } else {
        PgpError::new(PgpErrorKind::BadPassphrase, "the passphrase does not unlock your key")
    }
}

/// `plain` encrypted to `to` (named recipients) and `hidden` (Bcc: their key IDs are left out,
/// so the others cannot tell who else can read it), signed by `signer` if given, armored.
pub fn encrypt(
    plain: &[u8],
    to: &[&SignedPublicKey],
    hidden: &[&SignedPublicKey],
    signer: Option<(&SignedSecretKey, &str)>,
) -> Result<String, PgpError> {
    let failed = invalid("the message could not be encrypted");
    let mut builder = pgp::composed::MessageBuilder::from_bytes("", plain.to_vec())
        .seipd_v1(rand::thread_rng(), pgp::crypto::sym::SymmetricKeyAlgorithm::AES256);
    for (keys, anonymous) in [(to, false), (hidden, true)] {
        for key in keys {
            let subkey = encryption_subkey(key)
                .ok_or_else(|| PgpError::new(PgpErrorKind::NoKey, "a recipient's key cannot encrypt"))?;
            if anonymous {
                builder.encrypt_to_key_anonymous(rand::thread_rng(), subkey).map_err(&failed)?;
            } else {
                builder.encrypt_to_key(rand::thread_rng(), subkey).map_err(&failed)?;
            }
        }
    }
    let Some((key, passphrase)) = signer else {
        return builder.to_armored_string(rand::thread_rng(), Default::default()).map_err(failed);
    };
    builder.sign(&key.primary_key, Password::from(passphrase), HASH);
    builder
        .to_armored_string(rand::thread_rng(), Default::default())
        .map_err(|e| signing_failed(key, &Password::from(passphrase), e, "the message could not be encrypted"))
}

/// A detached signature by `key` over `part` (already with CRLF line ends), armored.
pub fn sign_detached(part: &str, key: &SignedSecretKey, passphrase: &str) -> Result<String, PgpError> {
    let passphrase = Password::from(passphrase);
    let signature =
        DetachedSignature::sign_binary_data(rand::thread_rng(), &key.primary_key, &passphrase, HASH, part.as_bytes())
            .map_err(|e| signing_failed(key, &passphrase, e, "the message could not be signed"))?;
    signature.to_armored_string(Default::default()).map_err(invalid("the signature could not be written"))
}

/// Checks a detached signature over `signed` (a PGP/MIME signed part: its line ends made CRLF,
/// RFC 3156 section 5).
pub fn verify_detached(signed: &str, armored_signature: &str, keys: &Keys) -> SignatureCheck {
    let Ok((signature, _)) = DetachedSignature::from_string(armored_signature) else { return SignatureCheck::Bad };
    let content = crlf(signed);
    check(&signature.signature, keys, |candidate| match candidate {
        Candidate::Primary(key) => signature.verify(key, &content),
        Candidate::Subkey(key) => signature.verify(key, &content),
    })
}

/// Checks a cleartext-signed message (`BEGIN PGP SIGNED MESSAGE`): the text it shows against
/// each of its signatures; the first that a known key verifies decides, then an unknown key.
pub fn verify_cleartext(armored: &str, keys: &Keys) -> SignatureCheck {
    let Ok((message, _)) = pgp::composed::CleartextSignedMessage::from_string(armored) else {
        return SignatureCheck::Bad;
    };
    let text = message.signed_text();
    let mut outcome = SignatureCheck::Bad;
    for signature in message.signatures() {
        let found = check(signature, keys, |candidate| match candidate {
            Candidate::Primary(key) => signature.verify(key, text.as_bytes()),
            Candidate::Subkey(key) => signature.verify(key, text.as_bytes()),
        });
        match found {
            SignatureCheck::Valid { .. } => return found,
            SignatureCheck::UnknownKey { .. } => outcome = found,
            _ => {}
        }
    }
    outcome
}

/// A key a signature may have been made with: a primary key or one of its subkeys.
enum Candidate<'k> {
    Primary(&'k SignedPublicKey),
    Subkey(&'k pgp::composed::SignedPublicSubKey),
}

/// A key ID as GnuPG writes it: upper-case hex.
fn key_id(id: &pgp::types::KeyId) -> String {
    id.to_string().to_uppercase()
}

/// The state of `signature`, tried with the signing keys among `keys` that it names.
fn check(
    signature: &Signature,
    keys: &Keys,
    verify: impl Fn(Candidate<'_>) -> pgp::errors::Result<()>,
) -> SignatureCheck {
    let fingerprints: Vec<String> = signature.issuer_fingerprint().iter().map(|f| format!("{f:X}")).collect();
    let key_ids: Vec<String> = signature.issuer_key_id().into_iter().map(key_id).collect();
    let names = |fingerprint: &str, key_id: &str| {
        fingerprints.iter().any(|f| f == fingerprint) || key_ids.iter().any(|id| id == key_id)
    };
    for entry in keys.entries() {
        let public = &entry.public;
        let primary = &entry.info.fingerprint;
        let mut candidates = vec![(Candidate::Primary(public), primary.clone(), key_id(&public.legacy_key_id()))];
        for sub in &public.public_subkeys {
            candidates.push((Candidate::Subkey(sub), format!("{:X}", sub.fingerprint()), key_id(&sub.legacy_key_id())));
        }
        for (verifying, fingerprint, key_id) in candidates {
            if names(&fingerprint, &key_id) {
                return match verify(verifying) {
                    Ok(()) => SignatureCheck::Valid {
                        fingerprint: primary.clone(),
                        signer: entry.info.user_ids.first().cloned().unwrap_or_default(),
                        learned: entry.info.learned,
                    },
                    Err(_) => SignatureCheck::Bad,
                };
            }
        }
    }
    let issuer = fingerprints.into_iter().chain(key_ids).next().unwrap_or_default();
    SignatureCheck::UnknownKey { issuer }
}

/// `text` with every line ended by CRLF.
pub fn crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    let mut previous = 0u8;
    for &byte in text.as_bytes() {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pgp::composed::MessageBuilder;
    use pgp::crypto::sym::SymmetricKeyAlgorithm;

    fn encrypt_to(key: &SignedSecretKey, plain: &[u8], signer: Option<&SignedSecretKey>) -> String {
        let public = SignedPublicKey::from(key.clone());
        let mut builder =
            MessageBuilder::from_bytes("", plain.to_vec()).seipd_v1(rand::thread_rng(), SymmetricKeyAlgorithm::AES256);
        builder.encrypt_to_key(rand::thread_rng(), &public.public_subkeys[0]).unwrap();
        if let Some(signer) = signer {
            builder.sign(&signer.primary_key, Password::from("pass"), pgp::crypto::hash::HashAlgorithm::Sha256);
        }
        builder.to_armored_string(rand::thread_rng(), Default::default()).unwrap()
    }

    #[test]
    fn a_generated_key_decrypts_what_is_encrypted_to_it_and_knows_its_signature() {
        let key = generate("Hanako <hanako@example.test>", "pass", false).unwrap();
        let keys = Keys::new([Key::Secret(Box::new(key.clone()))]);
        assert!(keys.entries()[0].info.is_for("HANAKO@example.test"));
        let armored = encrypt_to(&key, "秘密です".as_bytes(), Some(&key));
        let plain = decrypt(&armored, &keys, "pass").unwrap();
        assert_eq!(plain.bytes, "秘密です".as_bytes());
        assert!(matches!(plain.signature, SignatureCheck::Valid { ref signer, .. } if signer.contains("hanako")));

        let wrong = decrypt(&armored, &keys, "wrong").err().unwrap();
        assert_eq!(wrong.kind, PgpErrorKind::BadPassphrase, "{wrong:?}");
        let other = generate("Other <o@example.test>", "pass", false).unwrap();
        let missing = decrypt(&armored, &Keys::new([Key::Secret(Box::new(other.clone()))]), "pass").err().unwrap();
        assert_eq!(missing.kind, PgpErrorKind::NoKey, "{missing:?}");

        // Signed by a key this browser does not have.
        let unsigned_by_known = encrypt_to(&key, b"x", Some(&other));
        assert!(matches!(
            decrypt(&unsigned_by_known, &keys, "pass").unwrap().signature,
            SignatureCheck::UnknownKey { .. }
        ));
        assert_eq!(decrypt(&encrypt_to(&key, b"x", None), &keys, "pass").unwrap().signature, SignatureCheck::NotSigned);
    }

    #[test]
    fn keys_round_trip_through_armor_public_and_secret() {
        let key = Key::Secret(Box::new(generate("A <a@example.test>", "pass", false).unwrap()));
        let secret = key.armored(true).unwrap();
        let public = key.armored(false).unwrap();
        let back = read_keys(&secret).unwrap();
        assert!(matches!(back[0], Key::Secret(_)) && back[0].fingerprint() == key.fingerprint());
        let back = read_keys(&public).unwrap();
        assert!(matches!(back[0], Key::Public(_)) && back[0].fingerprint() == key.fingerprint());
        assert_eq!(read_keys("hello").err().unwrap().kind, PgpErrorKind::Invalid);
        // The same keys as binary (`gpg --export`), one after the other.
        let mut binary = Vec::new();
        for key in [read_keys(&public).unwrap().remove(0), read_keys(&secret).unwrap().remove(0)] {
            use pgp::ser::Serialize;
            match key {
                Key::Secret(secret) => secret.to_writer(&mut binary).unwrap(),
                Key::Public(public) | Key::Learned { key: public, .. } => public.to_writer(&mut binary).unwrap(),
            }
        }
        let back = read_binary_keys(&binary).unwrap();
        assert!(matches!((&back[0], &back[1]), (Key::Public(_), Key::Secret(_))));
        assert!(back.iter().all(|k| k.fingerprint() == key.fingerprint()));
        assert_eq!(read_binary_keys(b"\x99 not a key").err().unwrap().kind, PgpErrorKind::Invalid);
        assert_eq!(key.info().algorithm, "Ed25519");

        // Pasted together, with words around them: every block is read.
        let other = Key::Secret(Box::new(generate("B <b@example.test>", "pass", false).unwrap()));
        let both = format!("mine:\n{secret}\nhers:\n{}\nthanks", other.armored(false).unwrap());
        let back = read_keys(&both).unwrap();
        assert_eq!(back.len(), 2);
        assert!(matches!(back[0], Key::Secret(_)) && matches!(back[1], Key::Public(_)));
        assert_eq!(back[1].fingerprint(), other.fingerprint());
    }

    #[test]
    fn a_detached_signature_holds_for_the_part_and_not_for_a_changed_one() {
        let key = generate("A <a@example.test>", "pass", false).unwrap();
        let part = "Content-Type: text/plain\n\nhello\n";
        let signature = DetachedSignature::sign_binary_data(
            rand::thread_rng(),
            &key.primary_key,
            &Password::from("pass"),
            pgp::crypto::hash::HashAlgorithm::Sha256,
            &crlf(part)[..],
        )
        .unwrap();
        let armored = signature.to_armored_string(Default::default()).unwrap();
        let keys = Keys::new([Key::Secret(Box::new(key))]);
        assert!(matches!(verify_detached(part, &armored, &keys), SignatureCheck::Valid { .. }));
        assert_eq!(verify_detached("Content-Type: text/plain\n\nhellO\n", &armored, &keys), SignatureCheck::Bad);
        assert!(matches!(verify_detached(part, &armored, &Keys::default()), SignatureCheck::UnknownKey { .. }));
    }

    #[test]
    fn cleartext_signed_text_holds_dash_escaped_and_not_once_changed() {
        let key = generate("A <a@example.test>", "pass", false).unwrap();
        // A line starting with a dash is escaped in the armor ("- -"); the signature is over
        // the unescaped text. (rPGP's signer keeps trailing spaces that its reader strips, so
        // the text here has none; GnuPG strips them when signing, as RFC 9580 says, and the
        // E2E test checks a GnuPG signature with a "-- " line.)
        let text = "こんにちは\n- x\nA";
        let signed = pgp::composed::CleartextSignedMessage::sign(
            rand::thread_rng(),
            text,
            &key.primary_key,
            &Password::from("pass"),
        )
        .unwrap();
        let armored = signed.to_armored_string(Default::default()).unwrap();
        assert!(armored.contains("- - x"), "{armored}");
        let keys = Keys::new([Key::Secret(Box::new(key))]);
        assert!(matches!(verify_cleartext(&armored, &keys), SignatureCheck::Valid { .. }));
        assert!(matches!(verify_cleartext(&armored, &Keys::default()), SignatureCheck::UnknownKey { .. }));
        let changed = armored.replace("こんにちは", "こんばんは");
        assert_eq!(verify_cleartext(&changed, &keys), SignatureCheck::Bad);
        assert_eq!(verify_cleartext("not armor", &keys), SignatureCheck::Bad);
    }

    #[test]
    fn mail_is_encrypted_to_the_key_the_user_imported_before_a_newer_one_learned_from_mail() {
        let imported = generate("Alice <alice@example.test>", "pass", false).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let announced = generate("Alice <alice@example.test>", "pass", false).unwrap();
        let learned = Key::Learned { key: Box::new(SignedPublicKey::from(announced.clone())), mutual: false };
        let keys = Keys::new([learned.clone(), Key::Public(Box::new(SignedPublicKey::from(imported.clone())))]);
        let chosen = recipient_key(&keys, "ALICE@example.test").unwrap();
        assert_eq!(chosen.fingerprint(), SignedPublicKey::from(imported).fingerprint());
        let learned_only = Keys::new([learned]);
        let learned_only = recipient_key(&learned_only, "alice@example.test").unwrap();
        assert_eq!(learned_only.fingerprint(), SignedPublicKey::from(announced).fingerprint());
        assert!(recipient_key(&keys, "bob@example.test").is_none());
    }
}
