//! The account's address books and cards in this browser (IndexedDB, through
//! `yubin_shared::address_book`): what the list shows at once and offline, brought up to date by
//! [`crate::sync`].

use rexie::{Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use yubin_protocol::AddressBook;
use yubin_shared::address_book::{field, record, BOOKS, CARDS};

use crate::book::Kept;

/// A book and the point its last complete sync reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookState {
    pub book: AddressBook,
    pub token: Option<String>,
}

fn failed(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Every book and card kept.
pub async fn load(db: &Rexie) -> Result<(Vec<BookState>, Vec<Kept>), String> {
    let tx = db.transaction(&[BOOKS, CARDS], TransactionMode::ReadOnly).map_err(failed)?;
    let books = tx.store(BOOKS).map_err(failed)?.get_all(None, None).await.map_err(failed)?;
    let cards = tx.store(CARDS).map_err(failed)?.get_all(None, None).await.map_err(failed)?;
    let read = |records: Vec<JsValue>| -> Vec<String> {
        records.iter().filter_map(|r| field(r, "json").as_string()).collect()
    };
    let books = read(books).iter().filter_map(|j| serde_json::from_str(j).ok()).collect();
    let cards = read(cards).iter().filter_map(|j| serde_json::from_str(j).ok()).collect();
    Ok((books, cards))
}

/// Stores (or replaces) cards, all in one transaction.
pub async fn put_cards(db: &Rexie, cards: &[Kept]) -> Result<(), String> {
    let tx = db.transaction(&[CARDS], TransactionMode::ReadWrite).map_err(failed)?;
    let store = tx.store(CARDS).map_err(failed)?;
    for kept in cards {
        let json = serde_json::to_string(kept).map_err(failed)?;
        store.put(&record(&[("href", &kept.card.href), ("json", &json)])?, None).await.map_err(failed)?;
    }
    tx.done().await.map(drop).map_err(failed)
}

pub async fn remove_cards(db: &Rexie, hrefs: &[String]) -> Result<(), String> {
    let tx = db.transaction(&[CARDS], TransactionMode::ReadWrite).map_err(failed)?;
    let store = tx.store(CARDS).map_err(failed)?;
    for href in hrefs {
        store.delete(JsValue::from_str(href)).await.map_err(failed)?;
    }
    tx.done().await.map(drop).map_err(failed)
}

pub async fn put_book(db: &Rexie, book: &BookState) -> Result<(), String> {
    let json = serde_json::to_string(book).map_err(failed)?;
    let tx = db.transaction(&[BOOKS], TransactionMode::ReadWrite).map_err(failed)?;
    tx.store(BOOKS)
        .map_err(failed)?
        .put(&record(&[("href", &book.book.href), ("json", &json)])?, None)
        .await
        .map_err(failed)?;
    tx.done().await.map(drop).map_err(failed)
}

pub async fn remove_book(db: &Rexie, href: &str) -> Result<(), String> {
    let tx = db.transaction(&[BOOKS], TransactionMode::ReadWrite).map_err(failed)?;
    tx.store(BOOKS).map_err(failed)?.delete(JsValue::from_str(href)).await.map_err(failed)?;
    tx.done().await.map(drop).map_err(failed)
}
