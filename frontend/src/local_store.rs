//! The browser's durable storage (IndexedDB, through rexie): drafts being written and the
//! outbox, each with the user's attached files kept as Blobs beside it.
//!
//! The gateway keeps no mail, so this is where a half-written message survives a reload, a
//! crash or a gateway restart, and where a message sent while offline waits.

use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use crate::drafting::Draft;

const DATABASE: &str = "yubin";
const VERSION: u32 = 1;

/// Where a stored message sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    /// Being written.
    Drafts,
    /// Sent while the gateway was unreachable; goes out when it is back.
    Outbox,
}

impl Shelf {
    fn store(self) -> &'static str {
        match self {
            Self::Drafts => "drafts",
            Self::Outbox => "outbox",
        }
    }
}

/// A stored message and its files, by attachment key.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub draft: Draft,
    pub files: Vec<(String, Blob)>,
}

async fn open() -> Result<Rexie, String> {
    Rexie::builder(DATABASE)
        .version(VERSION)
        .add_object_store(ObjectStore::new(Shelf::Drafts.store()).key_path("id"))
        .add_object_store(ObjectStore::new(Shelf::Outbox.store()).key_path("id"))
        .build()
        .await
        .map_err(|e| format!("browser storage unavailable: {e}"))
}

/// Stores (or replaces) `draft` with its files on `shelf`.
pub async fn put(shelf: Shelf, draft: &Draft, files: &[(String, Blob)]) -> Result<(), String> {
    let json = serde_json::to_string(draft).map_err(|e| e.to_string())?;
    let record = js_sys::Object::new();
    let file_map = js_sys::Object::new();
    for (key, blob) in files {
        set(&file_map, key, blob)?;
    }
    set(&record, "id", &JsValue::from_str(&draft.message_id))?;
    set(&record, "json", &JsValue::from_str(&json))?;
    set(&record, "files", &file_map)?;
    let db = open().await?;
    let tx = db.transaction(&[shelf.store()], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
    let store = tx.store(shelf.store()).map_err(|e| e.to_string())?;
    store.put(&record, None).await.map_err(|e| e.to_string())?;
    tx.done().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Everything on `shelf`, newest change first.
pub async fn all(shelf: Shelf) -> Result<Vec<Stored>, String> {
    let db = open().await?;
    let tx = db.transaction(&[shelf.store()], TransactionMode::ReadOnly).map_err(|e| e.to_string())?;
    let store = tx.store(shelf.store()).map_err(|e| e.to_string())?;
    let records = store.get_all(None, None).await.map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for record in records {
        let Some(json) = get(&record, "json").as_string() else { continue };
        let Ok(draft) = serde_json::from_str::<Draft>(&json) else { continue };
        let file_map = get(&record, "files");
        let files = draft
            .attachments
            .iter()
            .filter_map(|a| get(&file_map, &a.key).dyn_into::<Blob>().ok().map(|b| (a.key.clone(), b)))
            .collect();
        out.push(Stored { draft, files });
    }
    out.sort_by(|a, b| b.draft.updated.total_cmp(&a.draft.updated));
    Ok(out)
}

pub async fn remove(shelf: Shelf, message_id: &str) -> Result<(), String> {
    let db = open().await?;
    let tx = db.transaction(&[shelf.store()], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
    let store = tx.store(shelf.store()).map_err(|e| e.to_string())?;
    store.delete(JsValue::from_str(message_id)).await.map_err(|e| e.to_string())?;
    tx.done().await.map_err(|e| e.to_string())?;
    Ok(())
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), String> {
    js_sys::Reflect::set(object, &JsValue::from_str(key), value).map(|_| ()).map_err(|_| "cannot build record".into())
}

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}
