//! The account's contacts as this browser keeps them (IndexedDB, one database per account):
//! the cards and address books the contacts module syncs, and the recipient suggestions it
//! derives from them for the composer.

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

const VERSION: u32 = 1;
/// Cards by `href`: `{href, book, json}` (a [`yubin_protocol::ContactCard`]'s JSON).
pub const CARDS: &str = "cards";
/// Address books by `href`: `{href, json}` (the book and its sync token).
pub const BOOKS: &str = "books";
/// One record, `{name: "all", json}`: the [`Suggestion`]s.
const SUGGESTIONS: &str = "suggestions";

fn database(account: &str) -> String {
    format!("yubin-contacts-{account}")
}

/// The account's contacts database, made on first use.
pub async fn open(account: &str) -> Result<Rexie, String> {
    Rexie::builder(&database(account))
        .version(VERSION)
        .add_object_store(ObjectStore::new(CARDS).key_path("href"))
        .add_object_store(ObjectStore::new(BOOKS).key_path("href"))
        .add_object_store(ObjectStore::new(SUGGESTIONS).key_path("name"))
        .build()
        .await
        .map_err(|e| format!("browser storage unavailable: {e}"))
}

/// Forgets the account's contacts in this browser (they stay on the server).
pub async fn forget(account: &str) {
    let _ = Rexie::delete(&database(account)).await;
}

/// A recipient the composer suggests: a contact's address, or a group's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What the list shows: `Name <address>`, or the group's name and size.
    pub shown: String,
    /// What picking it puts in the field: `Name <address>`, or every member's.
    pub insert: String,
    /// Lower-case text it is found by: names, readings, addresses.
    pub keys: String,
}

/// The account's suggestions, from its address books; none before the first sync.
pub async fn suggestions(account: &str) -> Vec<Suggestion> {
    async fn read(account: &str) -> Result<Vec<Suggestion>, String> {
        let db = open(account).await?;
        let tx = db.transaction(&[SUGGESTIONS], TransactionMode::ReadOnly).map_err(|e| e.to_string())?;
        let record = tx.store(SUGGESTIONS).map_err(|e| e.to_string())?.get(JsValue::from_str("all")).await;
        let json = record.ok().flatten().map(|r| field(&r, "json")).and_then(|j| j.as_string()).unwrap_or_default();
        Ok(serde_json::from_str(&json).unwrap_or_default())
    }
    read(account).await.unwrap_or_default()
}

/// Replaces the account's suggestions.
pub async fn store_suggestions(db: &Rexie, suggestions: &[Suggestion]) -> Result<(), String> {
    let json = serde_json::to_string(suggestions).map_err(|e| e.to_string())?;
    let record = record(&[("name", "all"), ("json", &json)])?;
    let tx = db.transaction(&[SUGGESTIONS], TransactionMode::ReadWrite).map_err(|e| e.to_string())?;
    tx.store(SUGGESTIONS).map_err(|e| e.to_string())?.put(&record, None).await.map_err(|e| e.to_string())?;
    tx.done().await.map(drop).map_err(|e| e.to_string())
}

/// A record of string fields.
pub fn record(fields: &[(&str, &str)]) -> Result<JsValue, String> {
    let object = js_sys::Object::new();
    for (name, value) in fields {
        js_sys::Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value))
            .map_err(|_| "cannot build record".to_owned())?;
    }
    Ok(object.into())
}

/// A record's field.
pub fn field(record: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(record, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
