//! Bringing a POP3 account's new mail into the browser, and deleting from the server what the
//! account's settings say may go — only ever messages the browser has stored durably.
//!
//! The order makes a crash at any step harmless: list by UIDL; fetch what the mailbox does not
//! know, a batch at a time, each batch stored (transaction complete) before the next; only then
//! delete on the server, and the gateway ends that POP3 session with QUIT so the deletions
//! happen. An interrupted sync fetches the rest next time; a message fetched twice is stored
//! under the same UIDL, replacing itself.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use yubin_protocol::{calls, ApiError};

use crate::connection::Connection;
use crate::local_mailbox::LocalMailbox;

/// Messages per fetch request: small enough to show progress, big enough to be quick.
const BATCH: usize = 50;
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
    let new: Vec<String> = listing.iter().filter(|e| !known.contains(&e.uidl)).map(|e| e.uidl.clone()).collect();
    let mut report = SyncReport::default();
    progress(0, new.len());
    for batch in new.chunks(BATCH) {
        let messages = connection.call(calls::Pop3Fetch { uidls: batch.to_vec() }).await?;
        report.downloaded += messages.len();
        mailbox.store(messages, "INBOX").await?;
        progress(report.downloaded, new.len());
    }

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
