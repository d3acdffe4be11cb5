//! POP3 accounts: listing, fetching and deleting for the browser, which keeps the mail.
//!
//! Every request is one POP3 session ending in QUIT: the maildrop is not held locked between
//! requests, and deletions take effect before the reply says they did. The gateway deletes
//! only what the browser names, and the browser names only messages it has stored durably.

use yubin_protocol::{ApiError, Flags, LocalMessage, Pop3Entry, Response};

use crate::mime;
use crate::session::{logged_in, Account};
use crate::upstream::pop3::{Listed, Pop3Connection};

/// Most messages fetched in one request, so replies stay a reasonable size and progress shows.
pub const MAX_FETCH: usize = 100;

async fn connect(account: &Account) -> Result<Pop3Connection, ApiError> {
    Pop3Connection::login(&account.server.incoming, &account.username, account.password.expose()).await
}

pub async fn list(state: &crate::session::AccountSession) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let mut pop = connect(&account).await?;
    let listing = pop.listing().await?;
    pop.quit().await?;
    Ok(Response::Pop3Listing(listing.into_iter().map(|l| Pop3Entry { uidl: l.uidl, size: l.size }).collect()))
}

pub async fn fetch(state: &crate::session::AccountSession, uidls: &[String]) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let mut pop = connect(&account).await?;
    let wanted = select(&pop.listing().await?, uidls);
    let mut messages: Vec<LocalMessage> = Vec::with_capacity(wanted.len());
    for listed in wanted.into_iter().take(MAX_FETCH) {
        let raw = pop.retrieve(listed.number).await?;
        // A message mail-parser cannot read is still kept, as its source, rather than lost.
        let message = mime::local_message(&listed.uidl, &raw, Flags::default())
            .or_else(|_| mime::local_message(&listed.uidl, &unreadable(&raw), Flags::default()))?;
        messages.push(message);
    }
    pop.quit().await?;
    Ok(Response::LocalMessages(messages))
}

pub async fn delete(state: &crate::session::AccountSession, uidls: &[String]) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
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
