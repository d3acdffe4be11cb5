//! Messages sent while the gateway was unreachable wait in the browser's storage and go out
//! when it is back; so does a message just sent, until its time to undo the send is over (then
//! even if the tab was closed meanwhile: at the next sign-in). Each keeps its Message-ID, so
//! one that did go out before the connection broke is recognized by the gateway (it is in Sent)
//! and not sent twice.

use yubin_protocol::{calls, AccountId, ApiError, ErrorKind, SentReceipt};

use crate::connection::Connection;
use crate::local_store::{self, Shelf};
use crate::upload::upload_blob;

/// What a flush of the outbox did: the receipts of what went (with its account), what failed,
/// and when the next message waiting to be undone is due (ms since the epoch).
#[derive(Debug, Default)]
pub struct Flushed {
    pub sent: Vec<(AccountId, SentReceipt)>,
    pub failures: Vec<ApiError>,
    pub next_due: Option<f64>,
    /// How many of those sent had waited to be undone (the rest waited for the gateway).
    pub undoable: usize,
    /// Messages just sent (waiting to be undone) that the server refused: back to the composer,
    /// with the server's words.
    pub refused: Vec<(local_store::Stored, ApiError)>,
}

/// Sends everything in the outbox that is due through the account `route` picks by the From
/// address. A message stays in the outbox when the connection breaks again, or while its
/// account is not signed in; one the server refuses goes back to Drafts, where the user can
/// fix it.
pub async fn flush(socket: &Connection, route: impl Fn(&str) -> Option<AccountId>) -> Flushed {
    let Ok(waiting) = local_store::all(Shelf::Outbox).await else { return Flushed::default() };
    let (mut sent, mut failures, mut next_due, mut undoable) = (Vec::new(), Vec::new(), None::<f64>, 0);
    let mut refused = Vec::new();
    let now = js_sys::Date::now();
    for stored in waiting {
        if let Some(due) = stored.draft.send_at.filter(|due| *due > now) {
            next_due = Some(next_due.map_or(due, |d| d.min(due)));
            continue;
        }
        let Some(account) = route(&stored.draft.from) else { continue };
        let connection = &socket.for_account(account);
        let mut uploads = Vec::new();
        let mut upload_failed = None;
        for (key, blob) in &stored.files {
            let id = format!("{key}-outbox");
            match upload_blob(connection, &id, blob, |_| {}).await {
                Ok(()) => uploads.push((key.clone(), id)),
                Err(e) => {
                    upload_failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = upload_failed {
            failures.push(e);
            continue;
        }
        let message = stored.draft.to_outgoing(|key| uploads.iter().find(|(k, _)| k == key).map(|(_, id)| id.clone()));
        match connection.call(calls::Send { message }).await {
            Ok(receipt) => {
                let _ = local_store::remove(Shelf::Outbox, &stored.draft.message_id).await;
                undoable += usize::from(stored.draft.send_at.is_some());
                sent.push((account, receipt));
            }
            Err(e) if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Unreachable) => failures.push(e),
            Err(e) => {
                // Refused: back to Drafts with everything in it.
                let mut stored = stored;
                let just_sent = stored.draft.send_at.take().is_some();
                let _ = local_store::put(Shelf::Drafts, &stored.draft, &stored.files).await;
                let _ = local_store::remove(Shelf::Outbox, &stored.draft.message_id).await;
                if just_sent {
                    refused.push((stored, e));
                } else {
                    failures.push(e);
                }
            }
        }
    }
    Flushed { sent, failures, next_due, undoable, refused }
}

/// Takes a message out of the outbox before it goes: back to Drafts, as it was. `None` if it
/// is no longer there (already sent).
pub async fn take_back(message_id: &str) -> Option<local_store::Stored> {
    let waiting = local_store::all(Shelf::Outbox).await.ok()?;
    let mut stored = waiting.into_iter().find(|s| s.draft.message_id == message_id)?;
    local_store::remove(Shelf::Outbox, message_id).await.ok()?;
    stored.draft.send_at = None;
    let _ = local_store::put(Shelf::Drafts, &stored.draft, &stored.files).await;
    Some(stored)
}
