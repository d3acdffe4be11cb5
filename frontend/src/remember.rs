//! "Remember me": an account's sign-in kept in this browser, encrypted, so a new tab or a
//! restarted browser signs in without asking.
//!
//! The gateway never stores a password, so only the browser can. It keeps each password
//! encrypted with AES-GCM under a key WebCrypto generated as *non-extractable*: the key lives
//! in IndexedDB as an opaque `CryptoKey`, which this origin's scripts can use but never read
//! out. What that protects, and what it does not, is written in the README ("Remember me").

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, AesKeyGenParams, CryptoKey, SubtleCrypto};

use crate::sign_in::LoginForm;

const DATABASE: &str = "yubin-remembered";
const KEYS: &str = "keys";
const ACCOUNTS: &str = "accounts";
const KEY_ID: &str = "sign-in";
/// AES-GCM's recommended nonce size.
const IV_BYTES: usize = 12;

/// What is encrypted: the form, as typed.
#[derive(Serialize, Deserialize)]
struct SignIn {
    server: String,
    username: String,
    /// The password, or an OAuth account's refresh token.
    password: String,
    #[serde(default)]
    oauth: bool,
}

/// Whether this browser can remember sign-ins: WebCrypto needs a secure context (HTTPS, or
/// the loopback address).
pub fn available() -> bool {
    subtle().is_some()
}

fn subtle() -> Option<SubtleCrypto> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let subtle = js_sys::Reflect::get(&crypto, &"subtle".into()).ok()?;
    (!subtle.is_undefined()).then(|| subtle.unchecked_into())
}

async fn open() -> Result<Rexie, String> {
    Rexie::builder(DATABASE)
        .version(1)
        .add_object_store(ObjectStore::new(KEYS))
        .add_object_store(ObjectStore::new(ACCOUNTS))
        .build()
        .await
        .map_err(|e| format!("browser storage unavailable: {e}"))
}

fn record_id(server: &str, username: &str) -> JsValue {
    JsValue::from_str(&format!("{server}\u{0}{}", username.trim().to_lowercase()))
}

/// The key, made on first use.
async fn key(db: &Rexie) -> Result<CryptoKey, String> {
    let tx = db.transaction(&[KEYS], TransactionMode::ReadOnly).map_err(|e| e.to_string())?;
    let stored = tx.store(KEYS).map_err(|e| e.to_string())?.get(JsValue::from_str(KEY_ID)).await;
    if let Ok(Some(key)) = stored {
        if let Ok(key) = key.dyn_into::<CryptoKey>() {
            return Ok(key);
        }
    }
    let subtle = subtle().ok_or("no WebCrypto here")?;
    let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
    let made = subtle
        .generate_key_with_object(&AesKeyGenParams::new("AES-GCM", 256), false, &usages)
        .map_err(|_| "cannot make a key")?;
    let key: CryptoKey = JsFuture::from(made).await.map_err(|_| "cannot make a key")?.unchecked_into();
    let tx = db.transaction(&[KEYS], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
    tx.store(KEYS)
        .map_err(|e| e.to_string())?
        .put(&key, Some(&JsValue::from_str(KEY_ID)))
        .await
        .map_err(|e| e.to_string())?;
    tx.done().await.map_err(|e| e.to_string())?;
    Ok(key)
}

/// Keeps `form` (replacing an earlier copy of the same account).
pub async fn save(form: &LoginForm) -> Result<(), String> {
    let db = open().await?;
    let key = key(&db).await?;
    let subtle = subtle().ok_or("no WebCrypto here")?;
    let plain = serde_json::to_vec(&SignIn {
        server: form.server.clone(),
        username: form.username.clone(),
        password: form.password.clone(),
        oauth: form.oauth,
    })
    .map_err(|e| e.to_string())?;
    let mut iv = [0u8; IV_BYTES];
    let crypto = web_sys::window().ok_or("no window")?.crypto().map_err(|_| "no crypto")?;
    crypto.get_random_values_with_u8_array(&mut iv).map_err(|_| "no randomness")?;
    let sealed = subtle
        .encrypt_with_object_and_u8_array(&AesGcmParams::new_with_u8_slice("AES-GCM", &mut iv.clone()), &key, &plain)
        .map_err(|_| "cannot encrypt")?;
    let sealed = JsFuture::from(sealed).await.map_err(|_| "cannot encrypt")?;
    let record = js_sys::Object::new();
    let set = |name: &str, value: &JsValue| js_sys::Reflect::set(&record, &name.into(), value);
    set("iv", &js_sys::Uint8Array::from(&iv[..]).into()).map_err(|_| "cannot build record")?;
    set("sealed", &sealed).map_err(|_| "cannot build record")?;
    let tx = db.transaction(&[ACCOUNTS], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
    let store = tx.store(ACCOUNTS).map_err(|e| e.to_string())?;
    store.put(&record, Some(&record_id(&form.server, &form.username))).await.map_err(|e| e.to_string())?;
    tx.done().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Every remembered sign-in this browser can still decrypt.
pub async fn all() -> Vec<LoginForm> {
    let Some(subtle) = subtle() else { return Vec::new() };
    let Ok(db) = open().await else { return Vec::new() };
    let records = async {
        let tx = db.transaction(&[ACCOUNTS], TransactionMode::ReadOnly).ok()?;
        tx.store(ACCOUNTS).ok()?.get_all(None, None).await.ok()
    };
    let Some(records) = records.await.filter(|r| !r.is_empty()) else { return Vec::new() };
    let Ok(key) = key(&db).await else { return Vec::new() };
    let mut forms = Vec::new();
    for record in records {
        let field = |name: &str| js_sys::Reflect::get(&record, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let (iv, sealed) = (js_sys::Uint8Array::new(&field("iv")).to_vec(), field("sealed"));
        let Ok(sealed) = sealed.dyn_into::<js_sys::ArrayBuffer>() else { continue };
        let Ok(opened) = subtle.decrypt_with_object_and_buffer_source(
            &AesGcmParams::new_with_u8_slice("AES-GCM", &mut iv.clone()),
            &key,
            &sealed,
        ) else {
            continue;
        };
        // A record the key cannot open (the key was lost) is skipped: the user signs in again.
        let Ok(plain) = JsFuture::from(opened).await else { continue };
        let plain = js_sys::Uint8Array::new(&plain).to_vec();
        if let Ok(sign_in) = serde_json::from_slice::<SignIn>(&plain) {
            forms.push(LoginForm {
                server: sign_in.server,
                username: sign_in.username,
                password: sign_in.password,
                remember: true,
                oauth: sign_in.oauth,
            });
        }
    }
    forms
}

/// Forgets the account's remembered sign-in (the user signed it out).
pub async fn forget(server: &str, username: &str) {
    let Ok(db) = open().await else { return };
    let Ok(tx) = db.transaction(&[ACCOUNTS], TransactionMode::ReadWrite) else { return };
    if let Ok(store) = tx.store(ACCOUNTS) {
        let _ = store.delete(record_id(server, username)).await;
    }
    let _ = tx.done().await;
}
