//! OpenPGP in the browser, in a Web Worker the app starts the first time it needs it: keys
//! generated, imported and kept here ([`keyring`], IndexedDB, wrapped by a non-extractable
//! WebCrypto key), messages decrypted and signatures checked ([`keys`], rPGP), decrypted mail
//! read by the gateway's own reading code ([`decrypted`]). The app sends [`PgpRequest`]s and
//! gets replies; secret keys and passphrases never leave the worker, and nothing of it reaches
//! the gateway.
//!
//! Dependency order: `lib` (the worker's entry and [`handle`]) → `keyring` → `outgoing` (mail
//! being sent, encrypted or signed) → `decrypted` → `keys`.

pub mod decrypted;
#[cfg(target_arch = "wasm32")]
pub mod keyring;
pub mod keys;
pub mod outgoing;

use std::rc::Rc;

use keys::{Entry, Key, Keys};
use yubin_shared::openpgp::{PgpError, PgpErrorKind, PgpReply, PgpRequest};

thread_local! {
    /// The message last decrypted (PGP/MIME), as its folder, UID and decrypted bytes: its
    /// attachments are saved from here. One message, the one on screen; it is replaced by the
    /// next and never leaves the worker's memory.
    static LAST_DECRYPTED: std::cell::RefCell<Option<(String, u32, Vec<u8>)>> = const { std::cell::RefCell::new(None) };
}

/// Where keys are kept: IndexedDB in the browser, a vector in native tests.
#[allow(async_fn_in_trait)]
pub trait KeyStore {
    /// Every key, with its index; shared, as it changes only when a key is kept or deleted.
    async fn all(&self) -> Result<Rc<Keys>, PgpError>;
    /// Keeps `key`, replacing one with the same fingerprint.
    async fn put(&self, key: &Key) -> Result<(), PgpError>;
    async fn delete(&self, fingerprint: &str) -> Result<(), PgpError>;
}

/// Does what `request` asks with the keys in `store`.
pub async fn handle(store: &impl KeyStore, request: PgpRequest) -> Result<PgpReply, PgpError> {
    match request {
        PgpRequest::Keys => {
            Ok(PgpReply::Keys(store.all().await?.entries().iter().map(|entry| entry.info.clone()).collect()))
        }
        PgpRequest::Generate { name, email, passphrase, rsa } => {
            if passphrase.chars().count() < 8 {
                return Err(PgpError::new(PgpErrorKind::BadPassphrase, "a passphrase needs at least 8 characters"));
            }
            let user_id = if name.trim().is_empty() {
                format!("<{}>", email.trim())
            } else {
                format!("{} <{}>", name.trim(), email.trim())
            };
            let key = Key::Secret(Box::new(keys::generate(&user_id, &passphrase, rsa)?));
            store.put(&key).await?;
            Ok(PgpReply::Keys(vec![key.info()]))
        }
        PgpRequest::Import { armored } => import(store, keys::read_keys(&armored)?).await,
        PgpRequest::ImportBinary { bytes } => import(store, keys::read_binary_keys(&bytes)?).await,
        PgpRequest::Describe { armored } => {
            Ok(PgpReply::Keys(keys::read_keys(&armored)?.iter().map(Key::info).collect()))
        }
        PgpRequest::ImportFound { armored, fingerprint } => {
            let found = keys::read_keys(&armored)?.into_iter().find(|key| key.fingerprint() == fingerprint);
            let key = found.ok_or_else(|| PgpError::new(PgpErrorKind::Invalid, "the key is not in the answer"))?;
            import(store, vec![Key::Public(Box::new(key.public()))]).await
        }
        PgpRequest::Export { fingerprint, secret } => {
            let key = find(store, &fingerprint).await?;
            Ok(PgpReply::Armored(key.armored(secret)?))
        }
        PgpRequest::Delete { fingerprint } => {
            store.delete(&fingerprint).await?;
            Ok(PgpReply::Done)
        }
        PgpRequest::Decrypt { armored, mime, passphrase, folder, uid, recipients } => {
            let all = store.all().await?;
            let plain = keys::decrypt(&armored, &all, &passphrase)?;
            // Gossip is a header of a MIME entity: inline text has none, whatever it starts with.
            if mime {
                learn_gossip(store, &all, &plain.bytes, &recipients).await;
            }
            let decrypted = decrypted::view(&plain.bytes, mime, &folder, uid, plain.signature)?;
            LAST_DECRYPTED.with(|last| *last.borrow_mut() = mime.then_some((folder, uid, plain.bytes)));
            Ok(PgpReply::Decrypted(Box::new(decrypted)))
        }
        PgpRequest::Verify { signed, signature } => {
            Ok(PgpReply::Verified(keys::verify_detached(&signed, &signature, &*store.all().await?)))
        }
        PgpRequest::VerifyCleartext { armored } => {
            Ok(PgpReply::Verified(keys::verify_cleartext(&armored, &*store.all().await?)))
        }
        PgpRequest::Recipients { from, addresses } => {
            let all = store.all().await?;
            let without_key = addresses.iter().filter(|a| keys::recipient_key(&all, a).is_none()).cloned().collect();
            let learned_key = addresses.iter().filter(|a| keys::recipient_key_is_learned(&all, a)).cloned().collect();
            let by_default = keys::encrypt_by_default(&all, &from, &addresses);
            let own_key = keys::own_key(&all, &from).is_some();
            Ok(PgpReply::Recipients { without_key, learned_key, own_key, by_default })
        }
        PgpRequest::Seal(sealing) => {
            let all = store.all().await?;
            let body = outgoing::seal(&sealing, &all)?;
            let subject = match body {
                yubin_protocol::OpenPgpBody::Encrypted { .. } => outgoing::STAND_IN_SUBJECT.to_owned(),
                yubin_protocol::OpenPgpBody::Signed { .. } => sealing.subject.clone(),
            };
            Ok(PgpReply::Sealed { body, subject, autocrypt: announcement(&all, &sealing.from) })
        }
        PgpRequest::Learn(autocrypt) => {
            let key = keys::learned(&autocrypt)?;
            let kept = store.all().await?;
            // New, or the owner changed their mind about encrypted mail (the latest header
            // counts); a key the user imported is never replaced by one from mail.
            let changed = match kept.find(&key.fingerprint()) {
                None => true,
                Some(kept) => kept.info.learned && kept.info.mutual != autocrypt.prefer_encrypt,
            };
            if changed {
                store.put(&key).await?;
            }
            Ok(PgpReply::Done)
        }
        PgpRequest::Announce { from } => Ok(PgpReply::Announced(announcement(&*store.all().await?, &from))),
        PgpRequest::DecryptedAttachment { folder, uid, section } => {
            use base64::Engine;
            let bytes = LAST_DECRYPTED.with(|last| match &*last.borrow() {
                Some((f, u, plain)) if *f == folder && *u == uid => {
                    yubin_reading::mime::attachment_bytes(plain, &section)
                        .ok_or_else(|| PgpError::new(PgpErrorKind::Invalid, "no such attachment in the message"))
                }
                _ => Err(PgpError::new(PgpErrorKind::Invalid, "the message is no longer decrypted: decrypt it again")),
            })?;
            Ok(PgpReply::File(base64::engine::general_purpose::STANDARD.encode(bytes)))
        }
    }
}

/// Keeps the keys the user imported (`found`) and lists them.
async fn import(store: &impl KeyStore, found: Vec<Key>) -> Result<PgpReply, PgpError> {
    let kept = store.all().await?;
    for key in &found {
        // A public key never replaces the secret key this browser already has.
        let has_secret = kept.find(&key.fingerprint()).is_some_and(|kept| kept.info.secret);
        if matches!(key, Key::Secret(_)) || !has_secret {
            store.put(key).await?;
        }
    }
    Ok(PgpReply::Keys(found.iter().map(Key::info).collect()))
}

/// Keeps the keys passed on inside a decrypted message (`plain`) for those of its `recipients`
/// this browser knows no key for: gossip never replaces a key, imported or learned from its
/// owner. A key that does not check out is passed over, as is a storage failure: the message
/// is still shown.
async fn learn_gossip(store: &impl KeyStore, known: &Keys, plain: &[u8], recipients: &[String]) {
    for gossip in yubin_reading::openpgp::gossip(plain, recipients) {
        if known.knows(&gossip.addr) {
            continue;
        }
        if let Ok(key) = keys::learned(&gossip) {
            let _ = store.put(&key).await;
        }
    }
}

/// The `Autocrypt` header for `from`'s own key, if this browser has one.
fn announcement(keys: &Keys, from: &str) -> Option<yubin_protocol::Autocrypt> {
    keys::own_key(keys, from).and_then(Entry::secret).and_then(|key| keys::announcement(key, from).ok())
}

async fn find(store: &impl KeyStore, fingerprint: &str) -> Result<Key, PgpError> {
    let all = store.all().await?;
    all.find(fingerprint)
        .map(|entry| entry.key.clone())
        .ok_or_else(|| PgpError::new(PgpErrorKind::NoKey, "no such key in this browser"))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use yubin_shared::openpgp::SignatureCheck;

    use super::*;

    /// The keys in memory, as the keyring keeps them in IndexedDB.
    #[derive(Default)]
    struct Kept(RefCell<Vec<Key>>);

    impl KeyStore for Kept {
        async fn all(&self) -> Result<Rc<Keys>, PgpError> {
            Ok(Rc::new(Keys::new(self.0.borrow().clone())))
        }
        async fn put(&self, key: &Key) -> Result<(), PgpError> {
            let mut keys = self.0.borrow_mut();
            keys.retain(|kept| kept.fingerprint() != key.fingerprint());
            keys.push(key.clone());
            Ok(())
        }
        async fn delete(&self, fingerprint: &str) -> Result<(), PgpError> {
            self.0.borrow_mut().retain(|kept| kept.fingerprint() != fingerprint);
            Ok(())
        }
    }

    fn ask(store: &Kept, request: PgpRequest) -> Result<PgpReply, PgpError> {
        futures::executor::block_on(handle(store, request))
    }

    #[test]
    fn a_keyservers_answer_is_described_without_keeping_it_and_only_the_key_taken_is_kept_public() {
        let carol = keys::generate("Carol <carol@example.test>", "pass", false).unwrap();
        let dave = keys::generate("Dave <dave@example.test>", "pass", false).unwrap();
        let armored = [&carol, &dave].map(|key| Key::Secret(Box::new(key.clone())).armored(false).unwrap()).join("\n");
        let bob = Kept::default();
        let Ok(PgpReply::Keys(described)) = ask(&bob, PgpRequest::Describe { armored: armored.clone() }) else {
            panic!("not described")
        };
        assert_eq!(described.len(), 2);
        assert!(described[0].answers("CAROL@example.test") && !described[0].answers("dave@example.test"));
        assert!(described[1].answers("0B20710892566E1E"), "a fingerprint or key ID: any public key");
        assert!(bob.0.borrow().is_empty(), "describing keeps nothing");

        let fingerprint = described[0].fingerprint.clone();
        let taken = ask(&bob, PgpRequest::ImportFound { armored: armored.clone(), fingerprint }).unwrap();
        let PgpReply::Keys(taken) = taken else { panic!("not imported") };
        assert!(taken[0].is_for("carol@example.test") && !taken[0].secret && !taken[0].learned, "{taken:?}");
        assert_eq!(bob.0.borrow().len(), 1, "only the key taken");

        // A secret key in the answer is kept as its public part only.
        let secret = Key::Secret(Box::new(dave.clone())).armored(true).unwrap();
        let Ok(PgpReply::Keys(described)) = ask(&bob, PgpRequest::Describe { armored: secret.clone() }) else {
            panic!("not described")
        };
        assert!(!described[0].answers("dave@example.test"), "a secret key is never offered");
        let fingerprint = described[0].fingerprint.clone();
        ask(&bob, PgpRequest::ImportFound { armored: secret, fingerprint: fingerprint.clone() }).unwrap();
        let Ok(PgpReply::Keys(kept)) = ask(&bob, PgpRequest::Keys) else { panic!("no list") };
        assert!(kept.iter().any(|k| k.fingerprint == fingerprint && !k.secret));
        let missing = PgpRequest::ImportFound { armored, fingerprint: "00".repeat(20) };
        assert_eq!(ask(&bob, missing).map_err(|e| e.kind), Err(PgpErrorKind::Invalid));
    }

    #[test]
    fn a_key_announced_in_mail_is_learned_weaker_than_one_imported_and_never_replaces_it() {
        let alice = keys::generate("Alice <alice@example.test>", "pass", false).unwrap();
        let announced = keys::announcement(&alice, "Alice@example.test").unwrap();
        assert_eq!(announced.addr, "alice@example.test");
        let bob = Kept::default();
        assert_eq!(ask(&bob, PgpRequest::Learn(announced.clone())), Ok(PgpReply::Done));
        let Ok(PgpReply::Keys(listed)) = ask(&bob, PgpRequest::Keys) else { panic!("no list") };
        assert!(listed[0].learned && !listed[0].secret, "{listed:?}");

        // What Alice signs is valid, from a key learned from mail.
        let signature = pgp::composed::DetachedSignature::sign_binary_data(
            rand::thread_rng(),
            &alice.primary_key,
            &pgp::types::Password::from("pass"),
            pgp::crypto::hash::HashAlgorithm::Sha256,
            &b"hello\r\n"[..],
        )
        .unwrap()
        .to_armored_string(Default::default())
        .unwrap();
        let verify = PgpRequest::Verify { signed: "hello\n".into(), signature };
        let Ok(PgpReply::Verified(SignatureCheck::Valid { learned: true, .. })) = ask(&bob, verify.clone()) else {
            panic!("not valid from a learned key")
        };

        // Imported by the user, the same key is theirs; mail announcing it again changes nothing.
        let armored = Key::Secret(Box::new(alice.clone())).armored(false).unwrap();
        ask(&bob, PgpRequest::Import { armored }).unwrap();
        ask(&bob, PgpRequest::Learn(announced.clone())).unwrap();
        let Ok(PgpReply::Verified(SignatureCheck::Valid { learned: false, .. })) = ask(&bob, verify) else {
            panic!("not valid from an imported key")
        };

        // A key announced for another address than its own is refused.
        let forged = yubin_protocol::Autocrypt { addr: "mallory@example.test".into(), ..announced };
        assert_eq!(ask(&bob, PgpRequest::Learn(forged)).unwrap_err().kind, PgpErrorKind::Invalid);
        assert_eq!(
            ask(&bob, PgpRequest::Announce { from: "alice@example.test".into() }),
            Ok(PgpReply::Announced(None))
        );
    }

    #[test]
    fn keys_passed_on_in_mail_to_several_are_learned_by_each_reader_for_the_others_only() {
        let person = |user_id: &str| keys::generate(user_id, "pass", false).unwrap();
        let (hanako, taro, jiro, mallory) = (
            person("<hanako@example.test>"),
            person("<taro@example.test>"),
            person("<jiro@example.test>"),
            person("<m@example.test>"),
        );
        let public = |key: &pgp::composed::SignedSecretKey| Key::Public(Box::new(key.clone().into()));
        let sender = Kept(RefCell::new(vec![
            Key::Secret(Box::new(hanako.clone())),
            public(&taro),
            public(&jiro),
            public(&mallory),
        ]));
        let sealing = yubin_shared::openpgp::Sealing {
            from: "hanako@example.test".into(),
            to: vec!["taro@example.test".into(), "jiro@example.test".into()],
            bcc: vec!["m@example.test".into()],
            subject: "三人で".into(),
            text: "hello".into(),
            attachments: vec![yubin_shared::openpgp::SealedAttachment {
                filename: "図.png".into(),
                content_type: "image/png".into(),
                data: "iVBORw0KGgoAAP8=".into(),
            }],
            encrypt: true,
            sign: None,
        };
        let Ok(PgpReply::Sealed { body: yubin_protocol::OpenPgpBody::Encrypted { armored }, .. }) =
            ask(&sender, PgpRequest::Seal(Box::new(sealing)))
        else {
            panic!("not sealed")
        };
        let decrypt = |recipients: &[&str]| PgpRequest::Decrypt {
            armored: armored.clone(),
            mime: true,
            passphrase: "pass".into(),
            folder: "INBOX".into(),
            uid: 1,
            recipients: recipients.iter().map(|r| r.to_string()).collect(),
        };
        let learned = |reader: &Kept| -> Vec<String> {
            let Ok(PgpReply::Keys(listed)) = ask(reader, PgpRequest::Keys) else { panic!("no list") };
            listed.into_iter().filter(|key| key.learned).flat_map(|key| key.user_ids).collect()
        };

        // Taro learns Jiro's key (not the Bcc's, which is not in the message, nor his own).
        let taro_reads = Kept(RefCell::new(vec![Key::Secret(Box::new(taro.clone()))]));
        let Ok(PgpReply::Decrypted(shown)) = ask(&taro_reads, decrypt(&["taro@example.test", "jiro@example.test"]))
        else {
            panic!("not decrypted")
        };
        assert_eq!(learned(&taro_reads), ["<jiro@example.test>"]);

        // Its file is saved from the message as decrypted, without the passphrase again; only
        // while it is the message last decrypted.
        let section = shown.view.attachments[0].section.clone();
        let file = |uid| PgpRequest::DecryptedAttachment { folder: "INBOX".into(), uid, section: section.clone() };
        assert_eq!(ask(&taro_reads, file(1)), Ok(PgpReply::File("iVBORw0KGgoAAP8=".into())));
        assert_eq!(ask(&taro_reads, file(2)).unwrap_err().kind, PgpErrorKind::Invalid);

        // Read as inline text, the same bytes carry no headers to learn from.
        let inline_reads = Kept(RefCell::new(vec![Key::Secret(Box::new(taro.clone()))]));
        let PgpRequest::Decrypt { armored, passphrase, folder, uid, recipients, .. } =
            decrypt(&["taro@example.test", "jiro@example.test"])
        else {
            unreachable!()
        };
        let inline = PgpRequest::Decrypt { armored, mime: false, passphrase, folder, uid, recipients };
        ask(&inline_reads, inline).unwrap();
        assert_eq!(learned(&inline_reads), Vec::<String>::new());

        // A key already known for an address is kept; gossip for an address not among the
        // message's recipients is not taken.
        let jiro_reads = Kept(RefCell::new(vec![Key::Secret(Box::new(jiro.clone())), public(&mallory)]));
        ask(&jiro_reads, decrypt(&["jiro@example.test"])).unwrap();
        assert_eq!(learned(&jiro_reads), Vec::<String>::new());

        // The Bcc recipient reads it too and learns the To and Cc keys, which every reader sees
        // named anyway; no reader is handed the Bcc's key (Taro's list above).
        let bcc_reads = Kept(RefCell::new(vec![Key::Secret(Box::new(mallory))]));
        ask(&bcc_reads, decrypt(&["taro@example.test", "jiro@example.test"])).unwrap();
        assert_eq!(learned(&bcc_reads).len(), 2);
    }

    #[test]
    fn encryption_is_on_by_default_only_when_every_recipient_wants_it_and_the_sender_has_a_key() {
        let person = |user_id: &str| keys::generate(user_id, "pass", false).unwrap();
        let (alice, carol) = (person("<alice@example.test>"), person("<carol@example.test>"));
        let bob = Kept::default();
        let by_default = |addresses: &[&str]| {
            let from = "bob@example.test".into();
            let addresses = addresses.iter().map(|a| a.to_string()).collect();
            let Ok(PgpReply::Recipients { by_default, .. }) = ask(&bob, PgpRequest::Recipients { from, addresses })
            else {
                panic!("no answer")
            };
            by_default
        };
        let mutual = keys::announcement(&alice, "alice@example.test").unwrap();
        assert!(mutual.prefer_encrypt, "Yubin's users ask for encrypted mail");
        ask(&bob, PgpRequest::Learn(mutual.clone())).unwrap();
        assert!(!by_default(&["alice@example.test"]), "Bob has no key of his own yet");

        ask(
            &bob,
            PgpRequest::Generate {
                name: "Bob".into(),
                email: "bob@example.test".into(),
                passphrase: "long enough".into(),
                rsa: false,
            },
        )
        .unwrap();
        assert!(by_default(&["alice@example.test"]));
        assert!(!by_default(&[]));
        assert!(!by_default(&["alice@example.test", "dave@example.test"]), "Dave has no key");

        // Alice's next mail no longer asks for it: her latest word counts.
        ask(&bob, PgpRequest::Learn(yubin_protocol::Autocrypt { prefer_encrypt: false, ..mutual.clone() })).unwrap();
        assert!(!by_default(&["alice@example.test"]));
        ask(&bob, PgpRequest::Learn(mutual)).unwrap();
        assert!(by_default(&["alice@example.test"]));

        // A key Bob imported himself stands for his consent.
        let armored = Key::Secret(Box::new(carol)).armored(false).unwrap();
        ask(&bob, PgpRequest::Import { armored }).unwrap();
        assert!(by_default(&["alice@example.test", "carol@example.test"]));
    }
}
