//! POP3 accounts: listing, fetching and deleting for the browser, which keeps the mail.
//!
//! Listing and deleting are each one POP3 session ending in QUIT, so deletions take effect
//! before the reply says they did. Fetching in batches reuses one session for as long as the
//! batches keep coming (a sync), so 10,000 messages do not cost 200 logins and 200 listings of
//! 10,000 lines; it is closed after a few idle seconds, before any deletion, and at sign-out.
//! The gateway deletes only what the browser names, and the browser names only messages it has
//! stored durably.

use std::time::{Duration, Instant};

use yubin_protocol::{ApiError, Flags, LocalMessage, Pop3Entry, Response};

use crate::account::{logged_in, Account, AccountSession, HeldSession};
use crate::mime;
use crate::upstream::pop3::{Listed, Pop3Connection};

/// Most messages fetched in one request, so replies stay a reasonable size and progress shows.
pub const MAX_FETCH: usize = 100;
/// How long a fetching session stays open waiting for the next batch.
const HOLD: Duration = Duration::from_secs(5);

async fn connect(account: &Account) -> Result<Pop3Connection, ApiError> {
    Pop3Connection::login(&account.server.incoming, &account.username, account.password.expose()).await
}

pub async fn list(state: &AccountSession) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let mut pop = connect(&account).await?;
    let listing = pop.listing().await?;
    pop.quit().await?;
    Ok(Response::Pop3Listing(listing.into_iter().map(|l| Pop3Entry { uidl: l.uidl, size: l.size }).collect()))
}

pub async fn fetch(state: &AccountSession, uidls: &[String]) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let mut slot = state.pop3.lock().await;
    // The held session serves if it is fresh and its listing knows every message asked for
    // (mail that arrived since needs a new listing).
    let mut held = match slot.take() {
        Some(held) if held.last_used.elapsed() < HOLD && knows_all(&held.listing, uidls) => held,
        stale => {
            if let Some(stale) = stale {
                stale.close().await;
            }
            let mut connection = connect(&account).await?;
            let listing = connection.listing().await?;
            HeldSession { connection, listing, last_used: Instant::now() }
        }
    };
    let wanted = select(&held.listing, uidls);
    let mut messages: Vec<LocalMessage> = Vec::with_capacity(wanted.len());
    for listed in wanted.into_iter().take(MAX_FETCH) {
        // A broken session is dropped, not put back: the next batch opens a new one.
        let raw = held.connection.retrieve(listed.number).await?;
        // A message mail-parser cannot read is still kept, as its source, rather than lost.
        let message = mime::local_message(&listed.uidl, &raw, Flags::default())
            .or_else(|_| mime::local_message(&listed.uidl, &unreadable(&raw), Flags::default()))?;
        messages.push(message);
    }
    held.last_used = Instant::now();
    *slot = Some(held);
    drop(slot);
    close_when_idle(state);
    Ok(Response::LocalMessages(messages))
}

fn knows_all(listing: &[Listed], uidls: &[String]) -> bool {
    let known: std::collections::HashSet<&str> = listing.iter().map(|l| l.uidl.as_str()).collect();
    uidls.iter().all(|u| known.contains(u.as_str()))
}

/// Closes the held session once no batch has come for [`HOLD`]: a POP3 server may keep the
/// maildrop locked while a session is open.
fn close_when_idle(state: &AccountSession) {
    let slot = state.pop3.clone();
    tokio::spawn(async move {
        tokio::time::sleep(HOLD).await;
        let mut slot = slot.lock().await;
        if slot.as_ref().is_some_and(|held| held.last_used.elapsed() >= HOLD) {
            if let Some(held) = slot.take() {
                held.close().await;
            }
        }
    });
}

pub async fn delete(state: &AccountSession, uidls: &[String]) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    // Deletions get a session of their own; a held fetching session ends first so that it
    // cannot hold the maildrop while they happen.
    if let Some(held) = state.pop3.lock().await.take() {
        held.close().await;
    }
    let mut pop = connect(&account).await?;
    for listed in select(&pop.listing().await?, uidls) {
        pop.delete(listed.number).await?;
    }
    // Only QUIT makes the deletions real; an error here means they did not happen.
    pop.quit().await?;
    Ok(Response::Done)
}

/// The listed messages whose UIDL is in `uidls`, in server order.
fn select(listing: &[Listed], uidls: &[String]) -> Vec<Listed> {
    let wanted: std::collections::HashSet<&str> = uidls.iter().map(String::as_str).collect();
    listing.iter().filter(|l| wanted.contains(l.uidl.as_str())).cloned().collect()
}

/// A stand-in for a message that is not mail at all: says so, with the bytes as text.
fn unreadable(raw: &[u8]) -> Vec<u8> {
    let mut out = b"Subject: (unreadable message)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".to_vec();
    out.extend_from_slice(String::from_utf8_lossy(raw).as_bytes());
    out
}
