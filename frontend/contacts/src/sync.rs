//! Brings this browser's copy of the address books up to date: per book, what changed since
//! the last sync point (or every card's version), then the changed cards in batches, each batch
//! stored before the next is asked for. The sync point moves only once a book's cards are all
//! stored, so a sync cut short starts again where it stood and stores nothing twice.

use std::collections::{HashMap, HashSet};

use rexie::Rexie;
use yubin_protocol::contacts::MAX_CONTACTS_PER_FETCH;
use yubin_protocol::{calls, ApiError, ErrorKind};
use yubin_shared::address_book::store_suggestions;
use yubin_shared::host::Host;

use crate::book::{suggestions, Kept};
use crate::store::{self, BookState};

/// The name of the book Yubin makes for an account that has none.
pub const FIRST_BOOK: &str = "Contacts";

fn storage(e: String) -> ApiError {
    ApiError::new(ErrorKind::Internal, format!("browser storage: {e}"))
}

/// What a sync reports after each batch: the cards just stored, how many are stored, and how
/// many there are to fetch so far.
pub type Progress<'a> = &'a dyn Fn(Vec<Kept>, usize, usize);

/// Syncs every book, reporting each batch as it is stored (so a first sync of a big book shows
/// its first cards at once). The books and cards kept afterwards.
pub async fn sync(host: &Host, db: &Rexie, progress: Progress<'_>) -> Result<(Vec<BookState>, Vec<Kept>), ApiError> {
    // One sync at a time (the dialog's and the one after a sign-in): the second waits, then
    // finds little left to do.
    while RUNNING.with(|running| running.replace(true)) {
        yew::platform::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let result = sync_books(host, db, progress).await;
    RUNNING.with(|running| running.set(false));
    result
}

thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

async fn sync_books(host: &Host, db: &Rexie, progress: Progress<'_>) -> Result<(Vec<BookState>, Vec<Kept>), ApiError> {
    let (kept_books, kept_cards) = store::load(db).await.map_err(storage)?;
    let mut books = host.call(calls::ListAddressBooks {}).await?;
    if books.is_empty() {
        books = host.call(calls::CreateAddressBook { name: FIRST_BOOK.into() }).await?;
    }
    // Books gone from the server take their cards with them.
    for gone in kept_books.iter().filter(|k| !books.iter().any(|b| b.href == k.book.href)) {
        let hrefs: Vec<String> =
            kept_cards.iter().filter(|c| c.book == gone.book.href).map(|c| c.card.href.clone()).collect();
        store::remove_cards(db, &hrefs).await.map_err(storage)?;
        store::remove_book(db, &gone.book.href).await.map_err(storage)?;
    }
    let versions: HashMap<&str, &str> =
        kept_cards.iter().map(|k| (k.card.href.as_str(), k.card.etag.as_str())).collect();
    let (mut fetched, mut to_fetch) = (0, 0);
    for book in books {
        let token = kept_books.iter().find(|k| k.book.href == book.href).and_then(|k| k.token.clone());
        let changes = host.call(calls::SyncAddressBook { book: book.href.clone(), token }).await?;
        let mut gone = changes.removed.clone();
        if changes.complete {
            let listed: HashSet<&str> = changes.changed.iter().map(|c| c.href.as_str()).collect();
            gone.extend(
                kept_cards
                    .iter()
                    .filter(|k| k.book == book.href && !listed.contains(k.card.href.as_str()))
                    .map(|k| k.card.href.clone()),
            );
        }
        store::remove_cards(db, &gone).await.map_err(storage)?;
        let stale: Vec<String> = changes
            .changed
            .iter()
            .filter(|c| versions.get(c.href.as_str()).is_none_or(|etag| *etag != c.etag || c.etag.is_empty()))
            .map(|c| c.href.clone())
            .collect();
        to_fetch += stale.len();
        // Each batch is stored while the next is fetched.
        let mut fetched_not_stored: Option<Vec<Kept>> = None;
        for batch in stale.chunks(MAX_CONTACTS_PER_FETCH).map(Some).chain([None]) {
            let fetch = async {
                match batch {
                    Some(hrefs) => {
                        host.call(calls::GetContacts { book: book.href.clone(), hrefs: hrefs.to_vec() }).await
                    }
                    None => Ok(Vec::new()),
                }
            };
            let previous = fetched_not_stored.take();
            let store = async {
                match previous {
                    Some(kept) => store::put_cards(db, &kept).await.map(|()| Some(kept)),
                    None => Ok(None),
                }
            };
            let (cards, stored) = futures::future::join(fetch, store).await;
            if let Some(kept) = stored.map_err(storage)? {
                fetched += kept.len();
                progress(kept, fetched, to_fetch);
            }
            let kept: Vec<Kept> = cards?.into_iter().map(|card| Kept { book: book.href.clone(), card }).collect();
            fetched_not_stored = (!kept.is_empty()).then_some(kept);
        }
        store::put_book(db, &BookState { book, token: changes.token }).await.map_err(storage)?;
    }
    let (books, cards) = store::load(db).await.map_err(storage)?;
    store_suggestions(db, &suggestions(&cards)).await.map_err(storage)?;
    Ok((books, cards))
}

/// After a change made here: the suggestions follow at once.
pub async fn refresh_suggestions(db: &Rexie, cards: &[Kept]) {
    let _ = store_suggestions(db, &suggestions(cards)).await;
}
