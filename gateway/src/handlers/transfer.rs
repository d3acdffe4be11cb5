//! Bytes in and out beside the WebSocket: attachments uploaded in chunks for mail being
//! written, and download tickets for attachments fetched over plain HTTP.

use yubin_protocol::{ApiError, ErrorKind, Uid, ZipPart, MAX_MBOX_UIDS, MAX_ZIP_PARTS};

use crate::account::{logged_in, AccountSession};
use crate::gateway::Gateway;
use crate::lock;
use crate::tickets::{Delivery, Ticket, TicketOwner};
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
    // A part by its numbers, or the whole message (`""`, saved as an .eml).
    if !section.is_empty() {
        section_numbers(&section)?;
    }
    issue(gateway, state, Wanted { folder, uid, section, filename, delivery: Delivery::Download }).await
}

/// A URL that shows one part in the browser, for a minute.
pub async fn prepare_preview(
    gateway: &Gateway,
    state: &AccountSession,
    folder: String,
    uid: Uid,
    section: String,
) -> Result<String, ApiError> {
    section_numbers(&section)?;
    issue(gateway, state, Wanted { folder, uid, section, filename: String::new(), delivery: Delivery::Preview }).await
}

/// A one-time URL for a zip of some parts of a message.
pub async fn prepare_zip(
    gateway: &Gateway,
    state: &AccountSession,
    folder: String,
    uid: Uid,
    parts: Vec<ZipPart>,
    filename: String,
) -> Result<String, ApiError> {
    if parts.is_empty() || parts.len() > MAX_ZIP_PARTS {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("a zip holds 1 to {MAX_ZIP_PARTS} attachments")));
    }
    for part in &parts {
        section_numbers(&part.section)?;
    }
    issue(gateway, state, Wanted { folder, uid, section: String::new(), filename, delivery: Delivery::Zip(parts) })
        .await
}

/// A one-time URL for an mbox of messages of a folder (`uids`, or all of it).
pub async fn prepare_mbox(
    gateway: &Gateway,
    state: &AccountSession,
    folder: String,
    uids: Vec<Uid>,
    filename: String,
) -> Result<String, ApiError> {
    if uids.len() > MAX_MBOX_UIDS {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            format!("at most {MAX_MBOX_UIDS} chosen messages in one file; export the whole folder instead"),
        ));
    }
    issue(gateway, state, Wanted { folder, uid: 0, section: String::new(), filename, delivery: Delivery::Mbox(uids) })
        .await
}

/// What a ticket is asked for.
struct Wanted {
    folder: String,
    uid: Uid,
    section: String,
    filename: String,
    delivery: Delivery,
}

async fn issue(gateway: &Gateway, state: &AccountSession, wanted: Wanted) -> Result<String, ApiError> {
    let account = logged_in(state).await?;
    let Wanted { folder, uid, section, filename, delivery } = wanted;
    let owner = TicketOwner { session: state.session, account: state.id };
    let ticket = Ticket {
        server: account.server.clone(),
        username: account.username.clone(),
        credential: account.credential.clone(),
        folder,
        uid,
        section,
        filename,
        delivery,
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
