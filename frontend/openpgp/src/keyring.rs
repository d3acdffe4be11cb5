//! The keys this browser keeps, in IndexedDB (`yubin-openpgp`). A secret key stays under its
//! own passphrase (OpenPGP's S2K) and is sealed once more with AES-GCM under a WebCrypto key
//! made *non-extractable*: the record on disk is useless without this origin's key, which no
//! script can read out. Public keys are sealed the same way (who one writes to is private too).

use std::rc::Rc;

use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, AesKeyGenParams, Crypto, CryptoKey, SubtleCrypto};
use yubin_shared::openpgp::{PgpError, PgpErrorKind};

use crate::keys::{read_keys, Key, Keys};
use crate::KeyStore;

const DATABASE: &str = "yubin-openpgp";
const WRAPPING: &str = "wrapping";
const KEYS: &str = "keys";
const WRAPPING_ID: &str = "keys";
/// In the `wrapping` store: a number that changes with every change to the keys, so a worker
/// that keeps them parsed (each tab has one) knows when another tab changed them.
const GENERATION_ID: &str = "generation";
/// A record's mark for a key learned from mail (Autocrypt) rather than imported.
const LEARNED: &str = "learned";
/// Set on a learned key whose owner asks for encrypted mail by default.
const MUTUAL: &str = "mutual";
/// AES-GCM's recommended nonce size.
const IV_BYTES: usize = 12;

fn storage(e: impl std::fmt::Display) -> PgpError {
    PgpError::new(PgpErrorKind::Storage, format!("browser storage: {e}"))
}

fn crypto() -> Result<Crypto, PgpError> {
    js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .filter(|c| !c.is_undefined())
        .map(JsCast::unchecked_into)
        .ok_or_else(|| storage("no WebCrypto here (it needs HTTPS or the loopback address)"))
}

fn subtle() -> Result<SubtleCrypto, PgpError> {
    Ok(crypto()?.subtle())
}

/// AES-GCM with nonce `iv`. The nonce is copied into JavaScript's heap: a view into wasm
/// memory (`new_with_u8_slice`) would outlive the bytes it shows once the statement ends, and
/// WebCrypto would read whatever took their place.
fn gcm(iv: &[u8]) -> AesGcmParams {
    AesGcmParams::new_with_u8_array("AES-GCM", &js_sys::Uint8Array::from(iv))
}

/// The browser's keyring.
pub struct Keyring {
    db: Rexie,
    wrapping: CryptoKey,
    /// The keys as last read, parsed, with the generation they were read at: unsealing and
    /// parsing every key for each request grows with the keyring (public keys of every
    /// correspondent), so it is done once per change.
    parsed: std::cell::RefCell<Option<(f64, Rc<Keys>)>>,
}

impl Keyring {
    pub async fn open() -> Result<Self, PgpError> {
        let db = Rexie::builder(DATABASE)
            .version(1)
            .add_object_store(ObjectStore::new(WRAPPING))
            .add_object_store(ObjectStore::new(KEYS))
            .build()
            .await
            .map_err(storage)?;
        let wrapping = wrapping_key(&db).await?;
        Ok(Self { db, wrapping, parsed: Default::default() })
    }

    async fn seal(&self, plain: &[u8]) -> Result<JsValue, PgpError> {
        let mut iv = [0u8; IV_BYTES];
        crypto()?.get_random_values_with_u8_array(&mut iv).map_err(|_| storage("no randomness"))?;
        let params = gcm(&iv);
        let sealed = subtle()?
            .encrypt_with_object_and_u8_array(&params, &self.wrapping, plain)
            .map_err(|_| storage("cannot seal"))?;
        let sealed = JsFuture::from(sealed).await.map_err(|_| storage("cannot seal"))?;
        let record = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&record, &"iv".into(), &js_sys::Uint8Array::from(&iv[..]));
        let _ = js_sys::Reflect::set(&record, &"sealed".into(), &sealed);
        Ok(record.into())
    }

    async fn open_record(&self, record: &JsValue) -> Option<Vec<u8>> {
        let field = |name: &str| js_sys::Reflect::get(record, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let iv = js_sys::Uint8Array::new(&field("iv")).to_vec();
        let sealed: js_sys::ArrayBuffer = field("sealed").dyn_into().ok()?;
        let params = gcm(&iv);
        let opened = subtle().ok()?.decrypt_with_object_and_buffer_source(&params, &self.wrapping, &sealed).ok()?;
        Some(js_sys::Uint8Array::new(&JsFuture::from(opened).await.ok()?).to_vec())
    }
}

/// The sealing key, made on first use.
async fn wrapping_key(db: &Rexie) -> Result<CryptoKey, PgpError> {
    let tx = db.transaction(&[WRAPPING], TransactionMode::ReadOnly).map_err(storage)?;
    if let Ok(Some(key)) = tx.store(WRAPPING).map_err(storage)?.get(JsValue::from_str(WRAPPING_ID)).await {
        if let Ok(key) = key.dyn_into::<CryptoKey>() {
            return Ok(key);
        }
    }
    let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
    let made = subtle()?
        .generate_key_with_object(&AesKeyGenParams::new("AES-GCM", 256), false, &usages)
        .map_err(|_| storage("cannot make a key"))?;
    let key: CryptoKey = JsFuture::from(made).await.map_err(|_| storage("cannot make a key"))?.unchecked_into();
    let tx = db.transaction(&[WRAPPING], TransactionMode::ReadWrite).map_err(storage)?;
    tx.store(WRAPPING).map_err(storage)?.put(&key, Some(&JsValue::from_str(WRAPPING_ID))).await.map_err(storage)?;
    tx.done().await.map_err(storage)?;
    Ok(key)
}

impl Keyring {
    /// The keys' generation as stored (0 before the first change).
    async fn generation(&self) -> Result<f64, PgpError> {
        let tx = self.db.transaction(&[WRAPPING], TransactionMode::ReadOnly).map_err(storage)?;
        let stored = tx.store(WRAPPING).map_err(storage)?.get(JsValue::from_str(GENERATION_ID)).await;
        Ok(stored.ok().flatten().and_then(|v| v.as_f64()).unwrap_or(0.0))
    }

    /// Marks the keys changed, for this worker and every other tab's.
    async fn changed(&self) -> Result<(), PgpError> {
        self.parsed.borrow_mut().take();
        let tx = self.db.transaction(&[WRAPPING], TransactionMode::ReadWrite).map_err(storage)?;
        let next = JsValue::from_f64(js_sys::Math::random());
        tx.store(WRAPPING)
            .map_err(storage)?
            .put(&next, Some(&JsValue::from_str(GENERATION_ID)))
            .await
            .map_err(storage)?;
        tx.done().await.map(drop).map_err(storage)
    }

    /// Every key, unsealed and parsed.
    async fn read_all(&self) -> Result<Vec<Key>, PgpError> {
        let tx = self.db.transaction(&[KEYS], TransactionMode::ReadOnly).map_err(storage)?;
        let records = tx.store(KEYS).map_err(storage)?.get_all(None, None).await.map_err(storage)?;
        let mut keys = Vec::new();
        for record in records {
            // A record this browser's key cannot open (the key was lost) is passed over.
            let Some(armored) = self.open_record(&record).await else { continue };
            let flag = |name: &str| js_sys::Reflect::get(&record, &name.into()).is_ok_and(|v| v.is_truthy());
            let (learned, mutual) = (flag(LEARNED), flag(MUTUAL));
            if let Ok(found) = read_keys(&String::from_utf8_lossy(&armored)) {
                keys.extend(found.into_iter().map(|key| match key {
                    Key::Public(key) if learned => Key::Learned { key, mutual },
                    key => key,
                }));
            }
        }
        Ok(keys)
    }
}

impl KeyStore for Keyring {
    async fn all(&self) -> Result<Rc<Keys>, PgpError> {
        let generation = self.generation().await?;
        if let Some((read_at, keys)) = &*self.parsed.borrow() {
            if *read_at == generation {
                return Ok(Rc::clone(keys));
            }
        }
        let keys = Rc::new(Keys::new(self.read_all().await?));
        *self.parsed.borrow_mut() = Some((generation, Rc::clone(&keys)));
        Ok(keys)
    }

    async fn put(&self, key: &Key) -> Result<(), PgpError> {
        let armored = key.armored(matches!(key, Key::Secret(_)))?;
        let record = self.seal(armored.as_bytes()).await?;
        if let Key::Learned { mutual, .. } = key {
            let _ = js_sys::Reflect::set(&record, &LEARNED.into(), &JsValue::TRUE);
            let _ = js_sys::Reflect::set(&record, &MUTUAL.into(), &JsValue::from_bool(*mutual));
        }
        let tx = self.db.transaction(&[KEYS], TransactionMode::ReadWrite).map_err(storage)?;
        tx.store(KEYS)
            .map_err(storage)?
            .put(&record, Some(&JsValue::from_str(&key.fingerprint())))
            .await
            .map_err(storage)?;
        tx.done().await.map_err(storage)?;
        self.changed().await
    }

    async fn delete(&self, fingerprint: &str) -> Result<(), PgpError> {
        let tx = self.db.transaction(&[KEYS], TransactionMode::ReadWrite).map_err(storage)?;
        tx.store(KEYS)
            .map_err(storage)?
            .delete(JsValue::from_str(&fingerprint.to_uppercase()))
            .await
            .map_err(storage)?;
        tx.done().await.map_err(storage)?;
        self.changed().await
    }
}

/// The worker's entry: answers each message the app posts (a `ToWorker`'s JSON) with a
/// `FromWorker`'s JSON. One request at a time, over one keyring opened once: two first
/// requests at once must not each make a sealing key (the second would orphan what the first
/// sealed), and the work is CPU-bound anyway.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn serve() {
    use futures::channel::mpsc;
    use futures::StreamExt;
    use wasm_bindgen::closure::Closure;
    use yubin_shared::openpgp::{FromWorker, PgpRequest, ToWorker};
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    /// Just the id of a message whose request this worker cannot read (from a newer app?): it
    /// is answered with an error rather than left waiting.
    #[derive(serde::Deserialize)]
    struct Id {
        id: u32,
    }
    let (queue, mut requests) = mpsc::unbounded::<(u32, Result<PgpRequest, PgpError>)>();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let Some(text) = event.data().as_string() else { return };
        let message = match serde_json::from_str::<ToWorker>(&text) {
            Ok(ToWorker { id, request }) => (id, Ok(request)),
            Err(e) => match serde_json::from_str::<Id>(&text) {
                Ok(Id { id }) => (id, Err(PgpError::new(PgpErrorKind::Invalid, format!("not a request: {e}")))),
                Err(_) => return,
            },
        };
        let _ = queue.unbounded_send(message);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let mut keyring = None;
        while let Some((id, request)) = requests.next().await {
            if keyring.is_none() {
                keyring = Keyring::open().await.map_err(|e| warn_on_console(&e)).ok();
            }
            let result = match (&keyring, request) {
                (_, Err(unreadable)) => Err(unreadable),
                (Some(keyring), Ok(request)) => crate::handle(keyring, request).await,
                (None, Ok(_)) => Err(storage("this browser's storage cannot be opened (a private window?)")),
            };
            let reply = serde_json::to_string(&FromWorker { id, result }).unwrap_or_default();
            let _ = scope.post_message(&JsValue::from_str(&reply));
        }
    });
}

/// Says on the worker's console why the keyring did not open (there is no other log here).
fn warn_on_console(error: &PgpError) {
    web_sys::console::warn_1(&JsValue::from_str(&error.message));
}
