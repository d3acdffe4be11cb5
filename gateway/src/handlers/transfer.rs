//! Bytes in and out beside the WebSocket: attachments uploaded in chunks for mail being
//! written, and download tickets for attachments fetched over plain HTTP.

use yubin_protocol::{ApiError, Uid};

use crate::account::{logged_in, AccountSession};
use crate::gateway::Gateway;
use crate::lock;
use crate::tickets::{Ticket, TicketOwner};
use crate::upstream::imap::section_numbers;

/// A one-time URL for one part of a message, owned by this tab's account.
pub async fn prepare_download(
    gateway: &Gateway,
    state: &AccountSession,
    folder: String,
    uid: Uid,
    section: String,
    filename: String,
) -> Result<String, ApiError> {
    let account = logged_in(state).await?;
    // A part by its numbers, or the whole message (`""`, saved as an .eml).
    if !section.is_empty() {
        section_numbers(&section)?;
    }
    let owner = TicketOwner { session: state.session, account: state.id };
    let ticket = Ticket {
        server: account.server.clone(),
        username: account.username.clone(),
        credential: account.credential.clone(),
        folder,
        uid,
        section,
        filename,
        owner,
    };
    gateway.downloads.issue(ticket, gateway.config.limits.max_downloads_per_session)
}

pub async fn upload(
    state: &AccountSession,
    upload: String,
    offset: u64,
    total: u64,
    data: String,
) -> Result<(), ApiError> {
    logged_in(state).await?;
    lock(&state.uploads).append(&upload, offset, total, &data)
}

pub fn discard_upload(state: &AccountSession, upload: &str) {
    lock(&state.uploads).discard(upload);
}
