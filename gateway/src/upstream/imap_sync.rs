//! Incremental resync of a message list: what changed in a folder since the browser read its
//! rows, instead of listing them again.
//!
//! Three ways to learn it, best first:
//! - **QRESYNC** (RFC 7162): `UID FETCH 1:newest (FLAGS) (CHANGEDSINCE m VANISHED)` returns the
//!   flags changed since mod-sequence `m` and every UID expunged since, held by the browser or
//!   not, so the browser can place all of its rows exactly.
//! - **CONDSTORE**: the same without VANISHED; which held rows are gone comes from a
//!   `UID SEARCH` of the held UIDs.
//! - **Neither**: the held rows' flags are fetched whole; the missing ones are gone.
//!
//! New mail is whatever has a UID above the browser's newest, on every server.

use std::collections::HashSet;

use async_imap::imap_proto;
use yubin_protocol::{ApiError, FlagUpdate, FolderChanges, SyncPoint, Uid};

use async_imap::types::Flag;

use super::imap::{flags_from, imap_error, uid_set, ImapConnection};

/// More new messages than this, and the browser lists again rather than merge them.
pub const MAX_ARRIVED: usize = 500;

impl ImapConnection {
    /// What changed in `folder` since `since`.
    pub async fn sync_messages(&mut self, folder: &str, since: &SyncPoint) -> Result<FolderChanges, ApiError> {
        let (total, uid_validity) = self.current(folder).await?;
        // Taken before looking: a change made meanwhile is told again next time, never lost.
        let modseq = self.known_modseq();
        let mut changes =
            FolderChanges { folder: folder.to_owned(), total, uid_validity, modseq, ..FolderChanges::default() };
        if uid_validity != since.uid_validity {
            changes.reset = true;
            return Ok(changes);
        }
        let newer: Vec<Uid> = self.uids_after(since.newest).await?;
        if newer.len() > MAX_ARRIVED {
            changes.reset = true;
            return Ok(changes);
        }
        if !newer.is_empty() {
            changes.arrived = self.summaries(&uid_set(&newer)?, true).await?;
        }
        let held: Vec<Uid> = since.uids.iter().copied().filter(|uid| *uid <= since.newest).collect();
        let capabilities = self.capabilities();
        match since.modseq.filter(|_| capabilities.condstore) {
            Some(modseq) if capabilities.qresync && since.newest > 0 => {
                self.changed_and_vanished(since.newest, modseq, &held, &mut changes).await?;
            }
            Some(modseq) if !held.is_empty() => {
                changes.changed = self.flags_of(&uid_set(&held)?, Some(modseq)).await?;
                let present = self.present(&held).await?;
                changes.vanished = gone(&held, &present);
            }
            _ if !held.is_empty() => {
                changes.changed = self.flags_of(&uid_set(&held)?, None).await?;
                let present: HashSet<Uid> = changes.changed.iter().map(|f| f.uid).collect();
                changes.vanished = gone(&held, &present);
            }
            _ => {}
        }
        Ok(changes)
    }

    /// QRESYNC: changed flags of the held rows and every UID up to `newest` expunged since
    /// `modseq`, from one command.
    async fn changed_and_vanished(
        &mut self,
        newest: Uid,
        modseq: u64,
        held: &[Uid],
        changes: &mut FolderChanges,
    ) -> Result<(), ApiError> {
        let held: HashSet<Uid> = held.iter().copied().collect();
        let mut vanished = Vec::new();
        let mut changed = Vec::new();
        let command = format!("UID FETCH 1:{newest} (UID FLAGS) (CHANGEDSINCE {modseq} VANISHED)");
        self.raw_command(&command, |response| match response {
            imap_proto::Response::Vanished { earlier: true, uids } => {
                vanished.extend(uids.iter().flat_map(|r| r.clone()).filter(|uid| *uid <= newest));
            }
            imap_proto::Response::Fetch(_, attributes) => {
                if let Some(update) = flag_update(attributes).filter(|u| held.contains(&u.uid)) {
                    changed.push(update);
                }
            }
            _ => {}
        })
        .await?;
        changes.vanished = vanished;
        changes.changed = changed;
        changes.vanished_complete = true;
        Ok(())
    }

    /// UIDs above `newest` in the selected folder, oldest first.
    async fn uids_after(&mut self, newest: Uid) -> Result<Vec<Uid>, ApiError> {
        // `UID n:*` always matches the last message, even below n: filter.
        let first = newest.saturating_add(1);
        let mut uids: Vec<Uid> = self
            .session()
            .uid_search(format!("UID {first}:*"))
            .await
            .map_err(imap_error)?
            .into_iter()
            .filter(|uid| *uid > newest)
            .collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Which of `uids` the selected folder still holds.
    async fn present(&mut self, uids: &[Uid]) -> Result<HashSet<Uid>, ApiError> {
        let found = self.session().uid_search(format!("UID {}", uid_set(uids)?)).await.map_err(imap_error)?;
        Ok(found.into_iter().collect())
    }

    /// Flags of the messages in `set`, only those changed since `modseq` when given.
    async fn flags_of(&mut self, set: &str, modseq: Option<u64>) -> Result<Vec<FlagUpdate>, ApiError> {
        let modifier = modseq.map(|m| format!(" (CHANGEDSINCE {m})")).unwrap_or_default();
        let mut updates = Vec::new();
        self.raw_command(&format!("UID FETCH {set} (UID FLAGS){modifier}"), |response| {
            if let imap_proto::Response::Fetch(_, attributes) = response {
                updates.extend(flag_update(attributes));
            }
        })
        .await?;
        Ok(updates)
    }
}

/// The held UIDs the server no longer has.
fn gone(held: &[Uid], present: &HashSet<Uid>) -> Vec<Uid> {
    held.iter().copied().filter(|uid| !present.contains(uid)).collect()
}

/// A FETCH reply's UID and flags, if it has both.
fn flag_update(attributes: &[imap_proto::AttributeValue<'_>]) -> Option<FlagUpdate> {
    let mut uid = None;
    let mut flags = None;
    for attribute in attributes {
        match attribute {
            imap_proto::AttributeValue::Uid(u) => uid = Some(*u),
            imap_proto::AttributeValue::Flags(names) => {
                flags = Some(flags_from(names.iter().map(|n| Flag::from(n.as_ref()))))
            }
            _ => {}
        }
    }
    Some(FlagUpdate { uid: uid?, flags: flags? })
}

#[cfg(test)]
mod tests {
    use super::super::imap::uid_set;

    #[test]
    fn uid_sets_fold_runs() {
        assert_eq!(uid_set(&[9, 1, 2, 3, 7, 10, 2]).unwrap(), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]).unwrap(), "5");
        assert!(uid_set(&[]).is_err());
    }
}
