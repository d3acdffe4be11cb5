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

use keys::Key;
use yubin_shared::openpgp::{PgpError, PgpErrorKind, PgpReply, PgpRequest};

/// Where keys are kept: IndexedDB in the browser, a vector in native tests.
#[allow(async_fn_in_trait)]
pub trait KeyStore {
    async fn all(&self) -> Result<Vec<Key>, PgpError>;
    /// Keeps `key`, replacing one with the same fingerprint.
    async fn put(&self, key: &Key) -> Result<(), PgpError>;
    async fn delete(&self, fingerprint: &str) -> Result<(), PgpError>;
}

/// Does what `request` asks with the keys in `store`.
pub async fn handle(store: &impl KeyStore, request: PgpRequest) -> Result<PgpReply, PgpError> {
    match request {
        PgpRequest::Keys => Ok(PgpReply::Keys(store.all().await?.iter().map(Key::info).collect())),
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
        PgpRequest::Import { armored } => {
            let found = keys::read_keys(&armored)?;
            let kept = store.all().await?;
            for key in &found {
                // A public key never replaces the secret key this browser already has.
                let has_secret =
                    kept.iter().any(|k| matches!(k, Key::Secret(_)) && k.fingerprint() == key.fingerprint());
                if matches!(key, Key::Secret(_)) || !has_secret {
                    store.put(key).await?;
                }
            }
            Ok(PgpReply::Keys(found.iter().map(Key::info).collect()))
        }
        PgpRequest::Export { fingerprint, secret } => {
            let key = find(store, &fingerprint).await?;
            Ok(PgpReply::Armored(key.armored(secret)?))
        }
        PgpRequest::Delete { fingerprint } => {
            store.delete(&fingerprint).await?;
            Ok(PgpReply::Done)
        }
        PgpRequest::Decrypt { armored, mime, passphrase, folder, uid } => {
            let all = store.all().await?;
            let plain = keys::decrypt(&armored, &all, &passphrase)?;
            let decrypted = decrypted::view(&plain.bytes, mime, &folder, uid, plain.signature)?;
            Ok(PgpReply::Decrypted(Box::new(decrypted)))
        }
        PgpRequest::Verify { signed, signature } => {
            Ok(PgpReply::Verified(keys::verify_detached(&signed, &signature, &store.all().await?)))
        }
        PgpRequest::VerifyCleartext { armored } => {
            Ok(PgpReply::Verified(keys::verify_cleartext(&armored, &store.all().await?)))
        }
        PgpRequest::Recipients { from, addresses } => {
            let all = store.all().await?;
            let without_key = addresses.into_iter().filter(|a| keys::recipient_key(&all, a).is_none()).collect();
            Ok(PgpReply::Recipients { without_key, own_key: keys::own_key(&all, &from).is_some() })
        }
        PgpRequest::Seal(sealing) => {
            let body = outgoing::seal(&sealing, &store.all().await?)?;
            let subject = match body {
                yubin_protocol::OpenPgpBody::Encrypted { .. } => outgoing::STAND_IN_SUBJECT.to_owned(),
                yubin_protocol::OpenPgpBody::Signed { .. } => sealing.subject.clone(),
            };
            Ok(PgpReply::Sealed { body, subject })
        }
    }
}

async fn find(store: &impl KeyStore, fingerprint: &str) -> Result<Key, PgpError> {
    store
        .all()
        .await?
        .into_iter()
        .find(|key| key.fingerprint().eq_ignore_ascii_case(fingerprint))
        .ok_or_else(|| PgpError::new(PgpErrorKind::NoKey, "no such key in this browser"))
}
