//! What the app asks the OpenPGP worker (`frontend/openpgp`) and what it answers: the keys
//! never cross this line, only their descriptions, armored public keys and what was decrypted.

use serde::{Deserialize, Serialize};
use yubin_protocol::MessageView;

/// A request to the worker; its reply is a [`PgpReply`] or a [`PgpError`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PgpRequest {
    /// The keys this browser keeps.
    Keys,
    /// A new key pair: Ed25519 with X25519 (Curve25519, as GnuPG 2.2 reads them), or RSA-3072
    /// for old peers; its secret part protected by `passphrase`.
    Generate {
        name: String,
        email: String,
        passphrase: String,
        rsa: bool,
    },
    /// Keys from armored text or a file: public keys, or secret keys (kept as they are,
    /// protected by their own passphrase).
    Import {
        armored: String,
    },
    /// Keys from a binary file (`gpg --export` without `--armor`, a `.gpg` or `.pgp` keyring).
    ImportBinary {
        bytes: Vec<u8>,
    },
    /// What armored keys are, without keeping them: a keyserver's answer, shown before the
    /// user takes it. Answered with [`PgpReply::Keys`].
    Describe {
        armored: String,
    },
    /// The public part of the one key in `armored` with `fingerprint`, which the user saw and
    /// took (a keyserver's answer): kept as imported by the user.
    ImportFound {
        armored: String,
        fingerprint: String,
    },
    /// A key, armored: the public key, or the secret key (still under its passphrase) to take
    /// to another browser.
    Export {
        fingerprint: String,
        secret: bool,
    },
    Delete {
        fingerprint: String,
    },
    /// Decrypts a message ([`yubin_protocol::OpenPgpContent::Encrypted`]) with this browser's
    /// secret keys, unlocked by `passphrase`, and checks a signature inside it; learns the keys
    /// of `recipients` (its To and Cc) that the sender passed on inside it (Autocrypt gossip).
    Decrypt {
        armored: String,
        mime: bool,
        passphrase: String,
        folder: String,
        uid: u32,
        #[serde(default)]
        recipients: Vec<String>,
    },
    /// Checks a PGP/MIME signature ([`yubin_protocol::OpenPgpContent::Signed`]).
    Verify {
        signed: String,
        signature: String,
    },
    /// Checks cleartext-signed text ([`yubin_protocol::OpenPgpContent::ClearSigned`]).
    VerifyCleartext {
        armored: String,
    },
    /// Which of `addresses` mail can be encrypted to, and whether `from` has a key of its own
    /// here (to sign with and to read the Sent copy).
    Recipients {
        from: String,
        addresses: Vec<String>,
    },
    /// A message being sent, encrypted and/or signed.
    Seal(Box<Sealing>),
    /// A key announced in received mail (Autocrypt), kept unless a key with its fingerprint is
    /// kept already (one the user imported is never replaced by one from mail).
    Learn(yubin_protocol::Autocrypt),
    /// The `Autocrypt` header announcing `from`'s own key, if this browser has one.
    Announce {
        from: String,
    },
    /// The bytes of an attachment (`section`, as the decrypted view names it) of the message
    /// last decrypted, if that is message `uid` of `folder`: the worker keeps that one message
    /// decrypted while it is open, so saving a file needs no second passphrase.
    DecryptedAttachment {
        folder: String,
        uid: u32,
        section: String,
    },
}

/// What is written in a message to be encrypted or signed; the worker makes the MIME entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sealing {
    /// The sender's address: their secret key signs, their key can read the Sent copy.
    pub from: String,
    /// To and Cc: encrypted to by key ID.
    pub to: Vec<String>,
    /// Bcc: encrypted to without naming their keys.
    pub bcc: Vec<String>,
    /// The real subject, inside (the outer one is a stand-in when encrypted).
    pub subject: String,
    pub text: String,
    pub attachments: Vec<SealedAttachment>,
    pub encrypt: bool,
    /// Signs with the sender's secret key, unlocked by this passphrase.
    pub sign: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedAttachment {
    pub filename: String,
    pub content_type: String,
    /// The file's bytes, base64.
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PgpReply {
    Keys(Vec<KeyInfo>),
    Armored(String),
    Decrypted(Box<Decrypted>),
    Verified(SignatureCheck),
    Recipients {
        /// The addresses no key is known for.
        without_key: Vec<String>,
        /// The addresses whose key was learned from mail, not imported by the user.
        #[serde(default)]
        learned_key: Vec<String>,
        own_key: bool,
        /// Encrypting is what everyone wants here, so it is on unless the user says otherwise
        /// (Autocrypt's "encrypt" recommendation): every recipient has a key, each imported by
        /// the user or announced by its owner with `prefer-encrypt=mutual`, and the sender has
        /// a key too.
        #[serde(default)]
        by_default: bool,
    },
    /// The body for the gateway to send as PGP/MIME; the subject to send outside; the sender's
    /// key to announce.
    Sealed {
        body: yubin_protocol::OpenPgpBody,
        subject: String,
        autocrypt: Option<yubin_protocol::Autocrypt>,
    },
    Announced(Option<yubin_protocol::Autocrypt>),
    /// A file's bytes, base64.
    File(String),
    Done,
}

/// What the user sees of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Upper-case hex, as GnuPG shows it.
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    /// Seconds since 1970.
    pub created: i64,
    pub algorithm: String,
    /// This browser holds the secret part.
    pub secret: bool,
    /// Learned from the owner's mail (Autocrypt), not imported by the user.
    #[serde(default)]
    pub learned: bool,
    /// Learned, and its owner asks for encrypted mail by default (`prefer-encrypt=mutual`).
    #[serde(default)]
    pub mutual: bool,
}

impl KeyInfo {
    /// Whether this key, described from a keyserver's answer to `query`, may be offered for
    /// it: a public key, and one of its user IDs is the address if `query` is one (a keyserver
    /// that vouches for nothing cannot pass off someone else's key for an address).
    pub fn answers(&self, query: &str) -> bool {
        !self.secret && (!query.contains('@') || self.is_for(query))
    }

    /// Whether one of the key's user IDs is `email` (case-insensitively).
    pub fn is_for(&self, email: &str) -> bool {
        let wanted = email.trim().to_lowercase();
        self.addresses().any(|address| address == wanted)
    }

    /// The address of each user ID (`Name <address>` or a bare address), lower-cased.
    pub fn addresses(&self) -> impl Iterator<Item = String> + '_ {
        self.user_ids.iter().map(|id| {
            let address = id.rsplit_once('<').map_or(id.as_str(), |(_, rest)| rest.trim_end_matches('>'));
            address.trim().to_lowercase()
        })
    }
}

/// A decrypted message: shown like any other, read by the same code as the gateway's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decrypted {
    /// The decrypted content as a view: for PGP/MIME the whole inner entity (its own subject
    /// when the sender protected it), for inline PGP the text.
    pub view: MessageView,
    /// Whether the subject shown came from inside the encrypted part (protected headers).
    pub protected_subject: bool,
    pub signature: SignatureCheck,
}

/// The state of a signature, as the reader shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureCheck {
    NotSigned,
    /// Made by a key this browser keeps.
    Valid {
        fingerprint: String,
        signer: String,
        /// The key came from the sender's own mail (Autocrypt), not from the user: it shows the
        /// message is from whoever sent the earlier ones, not who they are.
        #[serde(default)]
        learned: bool,
    },
    /// Signed by a key this browser does not have: nothing can be said of it.
    UnknownKey {
        issuer: String,
    },
    /// Does not match the content: altered, or made by someone else.
    Bad,
}

/// Why the worker could not do something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PgpError {
    pub kind: PgpErrorKind,
    pub message: String,
    /// The addresses it is about (recipients without a key, or the sender without one), for
    /// the app to say it in the user's language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PgpErrorKind {
    /// The message is for a key this browser does not have; or, sending, no key is known for
    /// the recipients in `addresses`.
    NoKey,
    /// Sending: the sender (in `addresses`) has no key of their own here.
    NoOwnKey,
    /// The passphrase does not unlock the key.
    BadPassphrase,
    /// Not OpenPGP data, or data this implementation cannot read.
    Invalid,
    /// The browser's storage failed.
    Storage,
}

impl PgpError {
    pub fn new(kind: PgpErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), addresses: Vec::new() }
    }

    /// The error, about `addresses`.
    pub fn about(mut self, addresses: Vec<String>) -> Self {
        self.addresses = addresses;
        self
    }
}

/// One message to the worker: `id` pairs it with its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToWorker {
    pub id: u32,
    pub request: PgpRequest,
}

/// The worker's answer to the [`ToWorker`] with the same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FromWorker {
    pub id: u32,
    pub result: Result<PgpReply, PgpError>,
}

/// A fingerprint's last 16 digits (its long key ID), grouped as GnuPG shows them.
pub fn long_key_id(fingerprint: &str) -> String {
    let tail = fingerprint.get(fingerprint.len().saturating_sub(16)..).unwrap_or(fingerprint);
    grouped(tail)
}

/// Hex in groups of four.
pub fn grouped(hex: &str) -> String {
    hex.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}
