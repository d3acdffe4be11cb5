//! Folders and messages of an IMAP account: list, read, flag, move, search, manage folders.
//! Each request is one function over the account's IMAP connection ([`with_imap`], or
//! [`on_imap`] for a single call), which reconnects once if the connection drops.

use base64::Engine;
use yubin_protocol::{
    ApiError, ErrorKind, FlagName, Folder, FolderChanges, FolderRole, FoundPage, ImportReport, IncomingProtocol,
    MessagePage, MessageView, Quota, RoleChoice, SearchQuery, SortOrder, SyncPoint, Uid, MAX_IMPORT_BATCH,
    MAX_ROLE_CHOICES, MAX_SYNC_UIDS,
};

use crate::account::{logged_in, on_imap, with_imap, AccountSession};
use crate::lock;
use crate::upstream::imap::FolderMark;

/// Most messages a tab may list at once; bigger windows are clamped.
const MAX_PAGE: u32 = 500;

pub async fn list_folders(state: &AccountSession) -> Result<Vec<Folder>, ApiError> {
    with_imap(state, |imap| Box::pin(imap.list_folders())).await
}

/// How much of its quota the account uses; nothing for POP3 (the browser holds its mail).
pub async fn quota(state: &AccountSession) -> Result<Option<Quota>, ApiError> {
    if logged_in(state).await?.protocol == IncomingProtocol::Pop3 {
        return Ok(None);
    }
    with_imap(state, |imap| Box::pin(imap.quota())).await
}

/// The name the account's mail goes out under, where it can be known: the identity provider's,
/// else the display name in the newest message in Sent from the account's own address.
pub async fn sender_name(state: &AccountSession) -> Result<Option<String>, ApiError> {
    let account = logged_in(state).await?;
    if let Some(name) = &account.display_name {
        return Ok(Some(name.clone()));
    }
    if account.protocol == IncomingProtocol::Pop3 {
        return Ok(None);
    }
    let email = account.from.email.to_string();
    with_imap(state, move |imap| {
        let email = email.clone();
        Box::pin(async move {
            let Some(sent) = imap.special_folder(FolderRole::Sent).await? else { return Ok(None) };
            let query = SearchQuery { from: Some(email.clone()), ..Default::default() };
            let page = imap.search(&sent, &query, SENDER_NAME_SEARCH).await?;
            let named = |a: &yubin_protocol::Address| {
                let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty())?;
                a.email.eq_ignore_ascii_case(&email).then(|| name.to_owned())
            };
            Ok(page.messages.iter().find_map(|m| m.from.as_ref().and_then(named)))
        })
    })
    .await
}

/// Sent messages looked at for the sender's name (the newest first).
const SENDER_NAME_SEARCH: u32 = 20;

/// Role choices are few and name folders: bounded, so a client cannot make a session hold much.
pub fn set_folder_roles(state: &AccountSession, choices: Vec<RoleChoice>) -> Result<(), ApiError> {
    let usable = |c: &RoleChoice| c.folder.len() <= 1024 && !c.folder.contains(['\r', '\n', '\0']);
    if choices.len() > MAX_ROLE_CHOICES || !choices.iter().all(usable) {
        return Err(ApiError::new(ErrorKind::BadRequest, "too many or unusable folder role choices"));
    }
    *lock(&state.chosen_roles) = choices;
    Ok(())
}

/// A window of the folder's messages; the folder becomes the one watched for news.
pub async fn list_messages(
    state: &AccountSession,
    folder: String,
    offset: u32,
    limit: u32,
    sort: SortOrder,
) -> Result<MessagePage, ApiError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let page = on_imap!(state, |imap| (folder) => imap.list_messages(&folder, offset, limit, sort)).await?;
    // The folder on screen is the one to push news about.
    state.watch(&logged_in(state).await?, &folder, FolderMark { total: page.total, modseq: page.modseq });
    Ok(page)
}

pub async fn sync_messages(
    state: &AccountSession,
    folder: String,
    since: SyncPoint,
) -> Result<FolderChanges, ApiError> {
    if since.uids.len() > MAX_SYNC_UIDS {
        return Err(ApiError::new(ErrorKind::BadRequest, "too many rows to sync; list the folder again"));
    }
    let changes = on_imap!(state, |imap| (folder, since) => imap.sync_messages(&folder, &since)).await?;
    state.watch(&logged_in(state).await?, &folder, FolderMark { total: changes.total, modseq: changes.modseq });
    Ok(changes)
}

pub async fn get_message(state: &AccountSession, folder: String, uid: Uid) -> Result<MessageView, ApiError> {
    on_imap!(state, |imap| (folder) => imap.get_message(&folder, uid)).await
}

pub async fn set_flag(
    state: &AccountSession,
    folder: String,
    uids: Vec<Uid>,
    flag: FlagName,
    value: bool,
) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder, uids) => imap.set_flag(&folder, &uids, flag, value)).await
}

pub async fn move_messages(state: &AccountSession, folder: String, uids: Vec<Uid>, to: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder, uids, to) => imap.move_messages(&folder, &uids, &to)).await
}

/// The raw message, decoded as UTF-8 where it can be, cut at [`crate::mime::MAX_SOURCE`].
pub async fn get_source(state: &AccountSession, folder: String, uid: Uid) -> Result<(String, bool), ApiError> {
    let (raw, truncated) =
        on_imap!(state, |imap| (folder) => imap.get_source(&folder, uid, crate::mime::MAX_SOURCE)).await?;
    Ok((String::from_utf8_lossy(&raw).into_owned(), truncated))
}

pub async fn create_folder(state: &AccountSession, name: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (name) => imap.create_folder(&name)).await.map(drop)
}

pub async fn rename_folder(state: &AccountSession, folder: String, to: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder, to) => imap.rename_folder(&folder, &to)).await
}

pub async fn delete_folder(state: &AccountSession, folder: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder) => imap.delete_folder(&folder)).await
}

pub async fn subscribe(state: &AccountSession, folder: String, subscribed: bool) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder) => imap.subscribe(&folder, subscribed)).await
}

pub async fn mark_folder_read(state: &AccountSession, folder: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder) => imap.mark_folder_read(&folder)).await
}

pub async fn empty_folder(state: &AccountSession, folder: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder) => imap.empty_folder(&folder)).await
}

pub async fn expunge(state: &AccountSession, folder: String, uids: Vec<Uid>) -> Result<(), ApiError> {
    on_imap!(state, |imap| (folder, uids) => imap.expunge(&folder, &uids)).await
}

/// Stores messages given whole (base64) in `folder`; see [`ImapConnection::import_messages`].
///
/// [`ImapConnection::import_messages`]: crate::upstream::imap::ImapConnection::import_messages
pub async fn import_messages(
    state: &AccountSession,
    folder: String,
    messages: Vec<String>,
) -> Result<ImportReport, ApiError> {
    if messages.len() > MAX_IMPORT_BATCH {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("at most {MAX_IMPORT_BATCH} messages at a time")));
    }
    let mut raws = Vec::with_capacity(messages.len());
    for message in &messages {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(message)
            .map_err(|_| ApiError::new(ErrorKind::BadRequest, "a message to import is not base64"))?;
        raws.push(raw);
    }
    on_imap!(state, |imap| (folder, raws) => imap.import_messages(&folder, &raws)).await
}

pub async fn search_everywhere(
    state: &AccountSession,
    query: SearchQuery,
    offset: u32,
    limit: u32,
) -> Result<FoundPage, ApiError> {
    let limit = limit.clamp(1, MAX_PAGE);
    on_imap!(state, |imap| (query) => imap.search_everywhere(&query, offset, limit)).await
}

pub async fn search(
    state: &AccountSession,
    folder: String,
    query: SearchQuery,
    limit: u32,
) -> Result<MessagePage, ApiError> {
    let limit = limit.clamp(1, MAX_PAGE);
    on_imap!(state, |imap| (folder, query) => imap.search(&folder, &query, limit)).await
}
