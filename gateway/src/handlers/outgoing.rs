//! Sending and drafts: the steps around one outgoing message.
//!
//! Sending is at most once per Message-ID ([`super::at_most_once`], whose rules this module
//! runs over the real account: Sent over IMAP, the submission server over SMTP). Drafts are
//! replaced, never lost: the new copy is stored before the old one goes.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use tracing::{info, warn};
use yubin_protocol::{
    ApiError, AttachmentSource, ComposeInfo, ErrorKind, FlagName, FolderRole, IncomingProtocol, MessagePage, NotFiled,
    OutgoingMessage, Response, ScheduledSend, SentReceipt, SortOrder, Uid,
};

use super::at_most_once::{earlier_attempt, submit_once, Attempt, SendingAccount, SENDING};
use crate::account::{logged_in, on_imap, with_imap, Account, AccountSession};
use crate::compose::{checked_message_id, compose, Composed, Purpose, ResolvedAttachment};
use crate::lock;
use crate::upstream::imap::ImapConnection;
use crate::upstream::imap_schedule;

pub async fn compose_info(state: &AccountSession) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    // The server's limit does not change while signed in: one SMTP login finds it per account.
    let max_message_size = *account
        .smtp_max_size
        .get_or_try_init(|| async {
            let features = account.server.smtp.features(&account.username, &account.credential.proof().await?).await?;
            Ok::<_, ApiError>(features.max_size)
        })
        .await?;
    let (drafts, sent) = if account.protocol == IncomingProtocol::Imap {
        let mut folders = with_imap(state, |imap| Box::pin(imap.special_folders())).await?;
        (folders.remove(&FolderRole::Drafts), folders.remove(&FolderRole::Sent))
    } else {
        (None, None) // the browser keeps a POP3 account's drafts and sent mail
    };
    Ok(Response::ComposeInfo(ComposeInfo { max_message_size, max_upload_size: state.upload_limit(), drafts, sent }))
}

pub async fn send(state: &AccountSession, message: OutgoingMessage) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let imap = account.protocol == IncomingProtocol::Imap;
    let sent_folder =
        if imap { with_imap(state, |imap| Box::pin(imap.special_folder(FolderRole::Sent))).await? } else { None };
    let sender = Sender { state, account: &account };
    // The gateway files the copy itself (not the server), so it can be the record of intent.
    let intent_folder = sent_folder.clone().filter(|_| !account.server.config.smtp_saves_sent);
    if let Some(id) = &message.message_id {
        let id = checked_message_id("Message-ID", id)?;
        let earlier = earlier_attempt(&sender, sent_folder.as_deref(), &id).await?;
        if earlier != Attempt::None {
            let uncertain = earlier == Attempt::CutOff;
            info!(message_id = %id, uncertain, "sent before: not sending again");
            return Ok(Response::Sent(SentReceipt {
                message_id: id,
                already_sent: true,
                uncertain,
                saved_in: sent_folder,
                not_filed: None,
                local_copy: None,
            }));
        }
    }
    let composed = Arc::new(build(state, &message, Purpose::Send).await?);
    // At most once across gateways and crashes: the marked copy goes to Sent first.
    let mut filed = submit_once(&sender, intent_folder.as_deref(), &composed).await?;
    info!(message_id = %composed.message_id, "sent");
    state.discard_uploads(&message);

    // The message is out. What follows files it; a failure here is logged, never reported as
    // a failed send, which would invite the user to send it again.
    if !imap {
        let key = format!("sent:{}", composed.message_id);
        let seen = yubin_protocol::Flags { seen: true, ..Default::default() };
        let local_copy = crate::mime::local_message(&key, &composed.copy, seen).ok().map(Box::new);
        return Ok(Response::Sent(SentReceipt {
            message_id: composed.message_id.clone(),
            already_sent: false,
            uncertain: false,
            saved_in: None,
            not_filed: None,
            local_copy,
        }));
    }
    // Filed before sending; filed again only if that copy was not found when settling.
    let mut saved_in = None;
    let mut not_filed = None;
    if let Some(folder) = intent_folder {
        if !filed {
            if let Err(e) = file_once(state, &folder, &composed, "(\\Seen)").await {
                warn!("sent, but filing in {folder} failed: {}", e.message);
                not_filed = Some(NotFiled::Failed { folder: folder.clone(), reason: e.message });
            } else {
                filed = true;
            }
        }
        saved_in = filed.then_some(folder);
    } else if !account.server.config.smtp_saves_sent {
        not_filed = Some(NotFiled::NoSentFolder);
    }
    if let Some(original) = &message.replying_to {
        let result = with_imap(state, |imap| {
            let folder = original.folder.clone();
            let uids = vec![original.uid];
            Box::pin(async move { imap.set_flag(&folder, &uids, FlagName::Answered, true).await })
        })
        .await;
        if let Err(e) = result {
            warn!("sent, but marking the original answered failed: {}", e.message);
        }
    }
    if let Err(e) = delete_drafts(state, &composed.message_id).await {
        warn!("sent, but removing its draft failed: {}", e.message);
    }
    Ok(Response::Sent(SentReceipt {
        message_id: composed.message_id.clone(),
        already_sent: false,
        uncertain: false,
        saved_in,
        not_filed,
        local_copy: None,
    }))
}

/// Message-IDs this gateway process sent in the last day, per account: the at-most-once check
/// for accounts without a Sent folder on the server (POP3), and a fast path for the others.
/// Keyed by account as well as Message-ID: one account's send must never stop another's, nor
/// tell it anything. Bounded; a restart forgets it, which is why IMAP accounts also look in
/// Sent.
static RECENTLY_SENT: LazyLock<Mutex<HashMap<SentKey, Instant>>> = LazyLock::new(Default::default);

/// (server id, login name, Message-ID).
type SentKey = (String, String, String);

fn sent_key(account: &Account, message_id: &str) -> SentKey {
    (account.server.config.id.clone(), account.username.to_lowercase(), message_id.to_owned())
}
const REMEMBER_SENT: Duration = Duration::from_secs(24 * 3600);
const MAX_REMEMBERED: usize = 100_000;

fn remember_sent(account: &Account, message_id: &str) {
    let mut sent = lock(&RECENTLY_SENT);
    if sent.len() >= MAX_REMEMBERED {
        sent.retain(|_, at| at.elapsed() < REMEMBER_SENT);
    }
    if sent.len() < MAX_REMEMBERED {
        sent.insert(sent_key(account, message_id), Instant::now());
    }
}

/// The real account as [`SendingAccount`]: Sent over its IMAP connection, SMTP to submit.
struct Sender<'a> {
    state: &'a AccountSession,
    account: &'a Account,
}

impl SendingAccount for Sender<'_> {
    fn sent_lately(&self, message_id: &str) -> bool {
        lock(&RECENTLY_SENT).get(&sent_key(self.account, message_id)).is_some_and(|at| at.elapsed() < REMEMBER_SENT)
    }

    fn remember_sent(&self, message_id: &str) {
        remember_sent(self.account, message_id);
    }

    async fn copies(&self, folder: &str, message_id: &str) -> Result<Vec<(Uid, bool)>, ApiError> {
        let (folder, id) = (folder.to_owned(), message_id.to_owned());
        on_imap!(self.state, |imap| (folder, id) => imap.copies_with_keyword(&folder, &id, SENDING)).await
    }

    async fn file_once(&self, folder: &str, composed: &Arc<Composed>, flags: &'static str) -> Result<(), ApiError> {
        file_once(self.state, folder, composed, flags).await
    }

    async fn submit(&self, composed: &Composed) -> Result<(), ApiError> {
        let account = self.account;
        account
            .server
            .smtp
            .submit(&account.username, &account.credential.proof().await?, &composed.envelope, &composed.wire)
            .await
    }

    async fn settle(&self, folder: &str, message_id: &str, accepted: bool) -> Result<bool, ApiError> {
        with_imap(self.state, |imap| {
            let (folder, message_id) = (folder.to_owned(), message_id.to_owned());
            Box::pin(async move {
                let marked: Vec<Uid> = imap
                    .copies_with_keyword(&folder, &message_id, SENDING)
                    .await?
                    .into_iter()
                    .filter_map(|(uid, marked)| marked.then_some(uid))
                    .collect();
                if marked.is_empty() {
                    return Ok(false);
                }
                if accepted {
                    imap.set_keyword(&folder, &marked, SENDING, false).await?;
                } else {
                    imap.expunge(&folder, &marked).await?;
                }
                Ok(true)
            })
        })
        .await
    }
}

/// Stores the draft in Drafts (created if the account has none), then removes the versions
/// it replaces: the new copy exists before the old one goes, so a failure loses nothing.
pub async fn save_draft(state: &AccountSession, message: OutgoingMessage) -> Result<Response, ApiError> {
    let folder = drafts_folder(state).await?;
    save_replacing(state, &folder, message, Purpose::Draft, DRAFT_FLAGS).await
}

/// "Send later": the message waits in Drafts, marked with its time ([`imap_schedule`]), until
/// a browser with the account open claims and sends it. Checked as for sending (recipients
/// and all) now, not when the time comes.
pub async fn schedule_send(
    state: &AccountSession,
    message: OutgoingMessage,
    send_at: i64,
) -> Result<Response, ApiError> {
    if send_at < 0 {
        return Err(ApiError::new(ErrorKind::BadRequest, "no such time"));
    }
    let folder = drafts_folder(state).await?;
    let flags = imap_schedule::flags(send_at);
    let saved = save_replacing(state, &folder, message, Purpose::SendLater, &flags).await?;
    // A server that keeps no keywords of its own (no `\*` in PERMANENTFLAGS) stores the draft
    // without its time: say so now rather than let the message wait for nobody.
    if let Response::DraftSaved { uid: Some(uid), .. } = &saved {
        let waiting = on_imap!(state, |imap| (folder) => imap_schedule::waiting(imap, &folder)).await?;
        if !waiting.iter().any(|(waiting, _)| waiting == uid) {
            return Err(ApiError::new(
                ErrorKind::Refused,
                "this server does not keep the mark that says when to send; the message is in Drafts, not scheduled",
            ));
        }
    }
    Ok(saved)
}

/// The messages waiting in Drafts to be sent later, soonest first.
pub async fn list_scheduled(state: &AccountSession) -> Result<Response, ApiError> {
    let Some(folder) = existing_drafts(state).await? else {
        return Ok(Response::Scheduled { folder: String::new(), waiting: Vec::new() });
    };
    let waiting = on_imap!(state, |imap| (folder) => imap_schedule::waiting(imap, &folder)).await?;
    let waiting = waiting.into_iter().map(|(uid, send_at)| ScheduledSend { uid, send_at }).collect();
    Ok(Response::Scheduled { folder, waiting })
}

/// Takes a waiting message for this browser to send; false when another took it first.
pub async fn claim_scheduled(state: &AccountSession, uid: Uid) -> Result<Response, ApiError> {
    let Some(folder) = existing_drafts(state).await? else {
        return Ok(Response::Claimed(false));
    };
    let claimed = on_imap!(state, |imap| (folder) => imap_schedule::claim(imap, &folder, uid)).await?;
    Ok(Response::Claimed(claimed))
}

/// The flags of a draft: a draft, and read (nobody needs to be told of it).
const DRAFT_FLAGS: &str = "(\\Draft \\Seen)";

/// Stores a template in the Templates folder (created if the account has none), replacing an
/// earlier version with the same Message-ID. It roams with the account, like a draft.
pub async fn save_template(state: &AccountSession, message: OutgoingMessage) -> Result<Response, ApiError> {
    let folder = with_imap(state, |imap| Box::pin(imap.templates_folder(true))).await?;
    let folder = folder.ok_or_else(|| ApiError::new(ErrorKind::Internal, "no Templates folder"))?;
    save_replacing(state, &folder, message, Purpose::Draft, DRAFT_FLAGS).await
}

/// The account's templates, newest first (none when it has no Templates folder yet).
pub async fn list_templates(state: &AccountSession) -> Result<Response, ApiError> {
    let Some(folder) = with_imap(state, |imap| Box::pin(imap.templates_folder(false))).await? else {
        return Ok(Response::Messages(MessagePage::default()));
    };
    let page =
        on_imap!(state, |imap| (folder) => imap.list_messages(&folder, 0, MAX_TEMPLATES, SortOrder::default())).await?;
    Ok(Response::Messages(page))
}

/// The most templates listed.
const MAX_TEMPLATES: u32 = 200;

/// Stores `message` in `folder` with `flags`, checked for `purpose`, then removes the versions
/// with its Message-ID it replaces.
async fn save_replacing(
    state: &AccountSession,
    folder: &str,
    message: OutgoingMessage,
    purpose: Purpose,
    flags: &str,
) -> Result<Response, ApiError> {
    if message.message_id.is_none() {
        return Err(ApiError::new(ErrorKind::BadRequest, "a draft needs a message id to be replaced later"));
    }
    let composed = build(state, &message, purpose).await?;
    let (folder, flags) = (folder.to_owned(), flags.to_owned());
    let old = with_imap(state, |imap| {
        let (folder, id) = (folder.clone(), composed.message_id.clone());
        Box::pin(async move { imap.find_message_id(&folder, &id).await })
    })
    .await?;
    let (composed, old) = (Arc::new(composed), Arc::new(old));
    let keep = with_imap(state, |imap| {
        let (folder, composed, old, flags) = (folder.clone(), composed.clone(), old.clone(), flags.clone());
        Box::pin(async move {
            imap.append(&folder, &flags, &composed.copy).await?;
            let copies = imap.find_message_id(&folder, &composed.message_id).await?;
            let keep = copies.iter().copied().max().filter(|uid| !old.contains(uid));
            expunge_all_but(imap, &folder, copies, keep).await?;
            Ok(keep)
        })
    })
    .await?;
    Ok(Response::DraftSaved { folder, uid: keep })
}

/// Removes every draft with `message_id`.
pub async fn delete_drafts(state: &AccountSession, message_id: &str) -> Result<(), ApiError> {
    let message_id = checked_message_id("Message-ID", message_id)?;
    let Some(folder) = existing_drafts(state).await? else {
        return Ok(());
    };
    with_imap(state, |imap| {
        let (folder, id) = (folder.clone(), message_id.clone());
        Box::pin(async move {
            let copies = imap.find_message_id(&folder, &id).await?;
            expunge_all_but(imap, &folder, copies, None).await
        })
    })
    .await
}

/// Deletes `uids` in `folder` for good, except `keep`.
async fn expunge_all_but(
    imap: &mut ImapConnection,
    folder: &str,
    uids: Vec<Uid>,
    keep: Option<Uid>,
) -> Result<(), ApiError> {
    let stale: Vec<Uid> = uids.into_iter().filter(|uid| Some(*uid) != keep).collect();
    if stale.is_empty() {
        return Ok(());
    }
    imap.expunge(folder, &stale).await
}

/// Appends `composed` to `folder` unless a copy with its Message-ID is there already, so a
/// retry after a dropped connection does not file it twice.
async fn file_once(
    state: &AccountSession,
    folder: &str,
    composed: &Arc<Composed>,
    flags: &'static str,
) -> Result<(), ApiError> {
    with_imap(state, |imap| {
        let (folder, composed) = (folder.to_owned(), composed.clone());
        Box::pin(async move {
            if imap.find_message_id(&folder, &composed.message_id).await?.is_empty() {
                imap.append(&folder, flags, &composed.copy).await?;
            }
            Ok(())
        })
    })
    .await
}

/// The account's Drafts folder, if it has one.
async fn existing_drafts(state: &AccountSession) -> Result<Option<String>, ApiError> {
    with_imap(state, |imap| Box::pin(imap.special_folder(FolderRole::Drafts))).await
}

/// The account's Drafts folder, created if it has none.
async fn drafts_folder(state: &AccountSession) -> Result<String, ApiError> {
    with_imap(state, |imap| {
        Box::pin(async move {
            if let Some(folder) = imap.special_folder(FolderRole::Drafts).await? {
                return Ok(folder);
            }
            imap.create_folder("Drafts").await
        })
    })
    .await
}

/// Gathers the attachments' bytes and builds the message.
async fn build(state: &AccountSession, message: &OutgoingMessage, purpose: Purpose) -> Result<Composed, ApiError> {
    let account = logged_in(state).await?;
    let limit = state.upload_limit();
    let mut attachments = Vec::with_capacity(message.attachments.len());
    for attachment in &message.attachments {
        let bytes = match &attachment.source {
            AttachmentSource::Upload { upload } => state.upload(upload)?,
            AttachmentSource::Message { folder, uid } => fetch_part(state, folder, *uid, "", limit).await?,
            AttachmentSource::Part { folder, uid, section } => fetch_part(state, folder, *uid, section, limit).await?,
        };
        attachments.push(ResolvedAttachment {
            filename: attachment.filename.clone(),
            content_type: attachment.content_type.clone(),
            bytes,
        });
    }
    compose(&account.from, message, attachments, purpose)
}

async fn fetch_part(
    state: &AccountSession,
    folder: &str,
    uid: Uid,
    section: &str,
    limit: u64,
) -> Result<Vec<u8>, ApiError> {
    with_imap(state, |imap: &mut ImapConnection| {
        let (folder, section) = (folder.to_owned(), section.to_owned());
        Box::pin(async move { imap.fetch_part(&folder, uid, &section, limit).await })
    })
    .await
}
