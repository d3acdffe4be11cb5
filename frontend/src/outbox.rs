//! Messages sent while the gateway was unreachable wait in the browser's storage and go out
//! when it is back. Each keeps its Message-ID, so one that did go out before the connection
//! broke is recognized by the gateway (it is in Sent) and not sent twice.

use yubin_protocol::{calls, AccountId, ApiError, ErrorKind, SentReceipt};

use crate::connection::Connection;
use crate::local_store::{self, Shelf};
use crate::upload::upload_blob;

/// Sends everything in the outbox through the account `route` picks by the From address;
/// returns the receipts of what went (with its account) and what failed. A message stays in
/// the outbox when the connection breaks again, or while its account is not signed in; one the
/// server refuses goes back to Drafts, where the user can fix it.
pub async fn flush(
    socket: &Connection,
    route: impl Fn(&str) -> Option<AccountId>,
) -> (Vec<(AccountId, SentReceipt)>, Vec<ApiError>) {
    let Ok(waiting) = local_store::all(Shelf::Outbox).await else { return (Vec::new(), Vec::new()) };
    let (mut sent, mut failures) = (Vec::new(), Vec::new());
    for stored in waiting {
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
                sent.push((account, receipt));
            }
            Err(e) if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Unreachable) => failures.push(e),
            Err(e) => {
                // Refused: back to Drafts with everything in it.
                let _ = local_store::put(Shelf::Drafts, &stored.draft, &stored.files).await;
                let _ = local_store::remove(Shelf::Outbox, &stored.draft.message_id).await;
                failures.push(e);
            }
        }
    }
    (sent, failures)
}
