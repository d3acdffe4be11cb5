//! Bringing a POP3 account's new mail into the browser, and deleting from the server what the
//! account's settings say may go — only ever messages the browser has stored durably.
//!
//! The order makes a crash at any step harmless: list by UIDL; fetch what the mailbox does not
//! know, a batch at a time, each batch stored (transaction complete) before the next; only then
//! delete on the server, and the gateway ends that POP3 session with QUIT so the deletions
//! happen. An interrupted sync fetches the rest next time; a message fetched twice is stored
//! under the same UIDL, replacing itself.

use std::collections::{HashSet, VecDeque};

use futures::channel::oneshot;

use serde::{Deserialize, Serialize};
use yubin_protocol::{calls, pop3_batch_takes, ApiError, ErrorKind, LocalMessage, Pop3Entry};

use crate::connection::Connection;
use crate::local_mailbox::LocalMailbox;

const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// What happens to mail on the server once the browser has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepOnServer {
    /// Leave it (the default: other devices still see it).
    Always,
    /// Delete it this many days after it was downloaded.
    Days(u32),
    /// Delete it when it is deleted here.
    UntilDeletedHere,
}

/// Per-account POP3 settings, kept in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pop3Settings {
    pub keep: KeepOnServer,
    /// Minutes between checks for new mail.
    pub interval_minutes: u32,
}

impl Default for Pop3Settings {
    fn default() -> Self {
        Self { keep: KeepOnServer::Always, interval_minutes: 5 }
    }
}

impl Pop3Settings {
    fn key(account: &str) -> String {
        format!("yubin.pop3.{account}")
    }

    pub fn load(account: &str) -> Self {
        crate::prefs::get_json(&Self::key(account)).unwrap_or_default()
    }

    pub fn save(&self, account: &str) {
        crate::prefs::set_json(&Self::key(account), self);
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    pub downloaded: usize,
    pub deleted_on_server: usize,
}

/// Runs one sync; `progress(done, total)` after each stored batch.
pub async fn sync(
    connection: &Connection,
    mailbox: &LocalMailbox,
    settings: Pop3Settings,
    progress: impl Fn(usize, usize),
) -> Result<SyncReport, ApiError> {
    let listing = connection.call(calls::Pop3List {}).await?;
    let known = mailbox.known_keys();
    let new: Vec<&Pop3Entry> = listing.iter().filter(|e| !known.contains(&e.uidl)).collect();
    let mut report = SyncReport::default();
    progress(0, new.len());
    let mut storing: Storing = VecDeque::new();
    let downloaded = download(connection, mailbox, &new, &mut storing, &mut report, &progress).await;
    // However the download ended, no batch is still being written when the sync does: a sync
    // started next must find every stored message known, or it would store some twice.
    while let Some((_, outcome)) = storing.pop_front() {
        let _ = outcome.await;
    }
    downloaded?;

    let on_server: HashSet<String> = listing.into_iter().map(|e| e.uidl).collect();
    let doomed = to_delete(
        settings.keep,
        &on_server,
        |days| mailbox.downloaded_before(js_sys::Date::now() - f64::from(days) * DAY_MS),
        mailbox.deleted_here(),
    );
    if !doomed.is_empty() {
        connection.call(calls::Pop3Delete { uidls: doomed.clone() }).await?;
        report.deleted_on_server = doomed.len();
    }
    let remaining: HashSet<String> = on_server.into_iter().filter(|k| !doomed.contains(k)).collect();
    mailbox.forget_deleted(&remaining).await?;
    Ok(report)
}

/// Fetches and stores `new`. Three things overlap: the gateway fetches batch N+2 from the
/// server while the browser prepares N+1 for storage while its storage writes N. (At most two
/// batches are being stored; nothing is deleted before every batch is stored.)
async fn download(
    connection: &Connection,
    mailbox: &LocalMailbox,
    new: &[&Pop3Entry],
    storing: &mut Storing,
    report: &mut SyncReport,
    progress: &impl Fn(usize, usize),
) -> Result<(), ApiError> {
    let fetch = |uidls: Vec<String>| connection.call(calls::Pop3Fetch { uidls });
    let mut batches = batches(new).into_iter();
    let mut next = batches.next().map(fetch);
    while let Some(fetching) = next.take() {
        let messages = fetching.await?;
        next = batches.next().map(fetch);
        storing.push_back((messages.len(), start_storing(mailbox, messages)));
        if storing.len() > 1 {
            report.downloaded += stored(storing).await?;
            progress(report.downloaded, new.len());
        }
    }
    while !storing.is_empty() {
        report.downloaded += stored(storing).await?;
        progress(report.downloaded, new.len());
    }
    Ok(())
}

/// A batch being stored: its size, and the outcome to come.
type Storing = VecDeque<(usize, oneshot::Receiver<Result<(), ApiError>>)>;

/// Starts storing `messages` now, not when awaited: the browser's storage is asked for the
/// writes while the sync goes on fetching.
fn start_storing(mailbox: &LocalMailbox, messages: Vec<LocalMessage>) -> oneshot::Receiver<Result<(), ApiError>> {
    let (done, outcome) = oneshot::channel();
    let mailbox = mailbox.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = done.send(mailbox.store(messages, "INBOX").await);
    });
    outcome
}

/// Waits for the oldest batch being stored to be durable; its size.
async fn stored(storing: &mut Storing) -> Result<usize, ApiError> {
    let (count, outcome) = storing.pop_front().expect("a batch being stored");
    outcome.await.unwrap_or_else(|_| Err(ApiError::new(ErrorKind::Internal, "storing was cut off")))?;
    Ok(count)
}

/// The new messages' UIDLs in fetch batches, in server order, each as much as the gateway's
/// batch takes ([`pop3_batch_takes`]), so that every batch asked for comes whole.
pub fn batches(new: &[&Pop3Entry]) -> Vec<Vec<String>> {
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut bytes = 0;
    for entry in new {
        let full = batches.last().is_none_or(|b| !pop3_batch_takes(b.len(), bytes, entry.size));
        if full {
            batches.push(Vec::new());
            bytes = 0;
        }
        bytes += entry.size;
        batches.last_mut().expect("pushed above").push(entry.uidl.clone());
    }
    batches
}

/// Which messages the server may delete now, by the account's setting: only messages the
/// browser has stored (`stored_days_ago(days)`: those downloaded at least that long ago;
/// `deleted_here`: those the user deleted here), and only ones the server still has. Never
/// anything while the setting is "always keep".
pub fn to_delete(
    keep: KeepOnServer,
    on_server: &HashSet<String>,
    stored_days_ago: impl FnOnce(u32) -> Vec<String>,
    deleted_here: Vec<String>,
) -> Vec<String> {
    let candidates = match keep {
        KeepOnServer::Always => Vec::new(),
        KeepOnServer::Days(days) => {
            let mut old = stored_days_ago(days);
            old.extend(deleted_here);
            old
        }
        KeepOnServer::UntilDeletedHere => deleted_here,
    };
    let mut seen = HashSet::new();
    candidates.into_iter().filter(|k| on_server.contains(k) && seen.insert(k.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn batches_are_bounded_in_count_and_bytes_and_keep_server_order() {
        let entry = |uidl: &str, size: u64| Pop3Entry { uidl: uidl.into(), size };
        let small: Vec<Pop3Entry> = (0..250).map(|i| entry(&format!("s{i}"), 1000)).collect();
        let refs: Vec<&Pop3Entry> = small.iter().collect();
        let sizes: Vec<usize> = batches(&refs).iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 50]);

        let mixed = [entry("a", 10 << 20), entry("b", 10 << 20), entry("huge", 40 << 20), entry("c", 1)];
        let refs: Vec<&Pop3Entry> = mixed.iter().collect();
        assert_eq!(batches(&refs), [keys(&["a"]), keys(&["b"]), keys(&["huge"]), keys(&["c"])]);
        assert!(batches(&[]).is_empty());
    }

    #[test]
    fn the_server_deletes_only_what_the_setting_allows_and_it_still_has() {
        let on_server: HashSet<String> = keys(&["a", "b", "c"]).into_iter().collect();
        let old = |days: u32| {
            assert_eq!(days, 14);
            keys(&["a", "gone"])
        };
        assert!(to_delete(KeepOnServer::Always, &on_server, |_| keys(&["a"]), keys(&["b"])).is_empty());
        assert_eq!(to_delete(KeepOnServer::Days(14), &on_server, old, keys(&["b", "a"])), keys(&["a", "b"]));
        assert_eq!(
            to_delete(KeepOnServer::UntilDeletedHere, &on_server, |_| keys(&["a"]), keys(&["c", "gone"])),
            keys(&["c"]),
            "downloaded long ago is no reason under 'until deleted here'; what the server lost is not asked for"
        );
    }
}
