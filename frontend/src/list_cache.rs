//! The top of each IMAP folder's list as last seen, kept in the browser (IndexedDB), so that
//! signing in again shows the rows at once; a resync (QRESYNC where the server has it) then
//! brings them up to date with a few hundred bytes instead of listing again.
//!
//! Only the newest block of each folder is kept, under the account's address; signing out
//! forgets the account's entries.
//!
//! Which accounts have entries is also noted in `localStorage` ([`holds`]), read at once: a
//! browser that has none (a newcomer, a new device) asks the server straight away instead of
//! first creating and searching an empty database (tens of milliseconds on the sign-in path).

use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;
use yubin_protocol::MessagePage;

const DATABASE: &str = "yubin-list-cache";
const VERSION: u32 = 1;
const STORE: &str = "tops";
/// Between the account and the folder in a key: neither contains it.
const SEPARATOR: char = '\u{1}';

async fn open() -> Result<Rexie, String> {
    Rexie::builder(DATABASE)
        .version(VERSION)
        .add_object_store(ObjectStore::new(STORE))
        .build()
        .await
        .map_err(|e| format!("browser storage unavailable: {e}"))
}

fn key(account: &str, folder: &str) -> JsValue {
    JsValue::from_str(&format!("{account}{SEPARATOR}{folder}"))
}

/// The cached top of `folder`, if any (and readable).
pub async fn load(account: &str, folder: &str) -> Option<MessagePage> {
    let db = open().await.ok()?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadOnly).ok()?;
    let json = tx.store(STORE).ok()?.get(key(account, folder)).await.ok()??.as_string()?;
    serde_json::from_str(&json).ok()
}

/// The `localStorage` key listing the accounts that have cached lists.
const HOLDS: &str = "yubin-list-cache-accounts";

/// Whether this browser has cached lists of `account` (none if storage says nothing).
pub fn holds(account: &str) -> bool {
    crate::prefs::get_json::<Vec<String>>(HOLDS).is_some_and(|accounts| accounts.iter().any(|a| a == account))
}

fn note_holding(account: &str, holding: bool) {
    let mut accounts: Vec<String> = crate::prefs::get_json(HOLDS).unwrap_or_default();
    accounts.retain(|a| a != account);
    if holding {
        accounts.push(account.to_owned());
    }
    crate::prefs::set_json(HOLDS, &accounts);
}

/// Keeps `page` as the top of its folder. A cache: failures are only logged.
pub async fn save(account: &str, page: &MessagePage) {
    let result = async {
        let json = serde_json::to_string(page).map_err(|e| e.to_string())?;
        let db = open().await?;
        let tx = db.transaction(&[STORE], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
        let store = tx.store(STORE).map_err(|e| e.to_string())?;
        store.put(&JsValue::from_str(&json), Some(&key(account, &page.folder))).await.map_err(|e| e.to_string())?;
        tx.done().await.map(|_| ()).map_err(|e| e.to_string())
    }
    .await;
    if result.is_ok() && !holds(account) {
        note_holding(account, true);
    }
    warn_on_failure("list not cached", result);
}

/// Forgets every folder of `account`.
pub async fn forget(account: &str) {
    note_holding(account, false);
    let prefix = format!("{account}{SEPARATOR}");
    let result = async {
        let db = open().await?;
        let tx = db.transaction(&[STORE], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
        let store = tx.store(STORE).map_err(|e| e.to_string())?;
        let keys = store.get_all_keys(None, None).await.map_err(|e| e.to_string())?;
        for key in keys.into_iter().filter(|k| k.as_string().is_some_and(|k| k.starts_with(&prefix))) {
            store.delete(key).await.map_err(|e| e.to_string())?;
        }
        tx.done().await.map(|_| ()).map_err(|e| e.to_string())
    }
    .await;
    warn_on_failure("cached lists not forgotten", result);
}

/// A cache's failures cost only speed: they are logged, never shown.
fn warn_on_failure(what: &str, result: Result<(), String>) {
    if let Err(e) = result {
        web_sys::console::warn_1(&format!("{what}: {e}").into());
    }
}
