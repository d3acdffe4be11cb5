//! Messages waiting in Drafts to be sent at a chosen time ("send later"). They wait on the
//! server, not in a browser or in this gateway, so any browser with Yubin open sends them —
//! and exactly one does: the one whose claim succeeds.
//!
//! A waiting draft carries two keywords: [`SCHEDULED`] and `$YubinSendAt<unix seconds>`, so
//! listing them is one SEARCH and one FETCH of flags. Claiming removes both with a
//! conditional STORE (RFC 7162 `UNCHANGEDSINCE`): of two browsers claiming at once, the
//! server lets one change through and answers the other `[MODIFIED]`. A server without
//! CONDSTORE gets a plain STORE, and then two claims in the same instant could both succeed;
//! the at-most-once check of Sent (by Message-ID) still stands behind it.
//! A claimed draft stays a draft until it is sent (sending removes it), so a claim whose send
//! fails leaves it in Drafts, unscheduled, never lost.

use async_imap::types::Flag;
use yubin_protocol::{ApiError, Uid};

use super::imap::{uid_set, ImapConnection};

/// The keyword of a draft waiting to be sent.
pub const SCHEDULED: &str = "$YubinScheduled";
/// The prefix of the keyword that holds its time.
const SEND_AT: &str = "$YubinSendAt";

/// The IMAP flag list of a draft to be sent at `send_at` (unix seconds).
pub fn flags(send_at: i64) -> String {
    format!("(\\Draft \\Seen {SCHEDULED} {SEND_AT}{send_at})")
}

/// The time in a `$YubinSendAt…` keyword.
fn send_at_of(keyword: &str) -> Option<i64> {
    let digits =
        keyword.get(..SEND_AT.len()).filter(|p| p.eq_ignore_ascii_case(SEND_AT)).map(|_| &keyword[SEND_AT.len()..])?;
    digits.parse().ok().filter(|t: &i64| *t >= 0)
}

/// When a message with these keywords is to be sent, if it is waiting to be.
pub fn send_at_in(keywords: &[String]) -> Option<i64> {
    let scheduled = keywords.iter().any(|k| k.eq_ignore_ascii_case(SCHEDULED));
    keywords.iter().find_map(|k| send_at_of(k)).filter(|_| scheduled)
}

/// The custom keywords among `flags`.
fn keywords<'a>(flags: impl Iterator<Item = Flag<'a>>) -> Vec<String> {
    flags.filter_map(|flag| if let Flag::Custom(name) = flag { Some(name.into_owned()) } else { None }).collect()
}

/// The drafts of `folder` waiting to be sent, with their times, soonest first.
pub async fn waiting(imap: &mut ImapConnection, folder: &str) -> Result<Vec<(Uid, i64)>, ApiError> {
    imap.ensure_selected(folder).await?;
    let uids: Vec<Uid> = imap
        .session()
        .uid_search(format!("KEYWORD {SCHEDULED}"))
        .await
        .map_err(super::imap::imap_error)?
        .into_iter()
        .collect();
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let fetches = imap.uid_fetch_all(uid_set(&uids)?, "(UID FLAGS)").await?;
    let mut found: Vec<(Uid, i64)> = fetches
        .iter()
        // Only the asked-for messages: another client's flag news may arrive among the replies.
        .filter(|f| f.uid.is_some_and(|uid| uids.contains(&uid)))
        .filter_map(|f| Some((f.uid?, send_at_in(&keywords(f.flags()))?)))
        .collect();
    found.sort_by_key(|&(uid, at)| (at, uid));
    found.dedup_by_key(|(uid, _)| *uid);
    Ok(found)
}

/// Takes the waiting draft `uid` of `folder` for this sender; false when it is not waiting (any
/// more) or another sender took it first.
pub async fn claim(imap: &mut ImapConnection, folder: &str, uid: Uid) -> Result<bool, ApiError> {
    imap.ensure_selected(folder).await?;
    let condstore = imap.capabilities().condstore;
    let items = if condstore { "(UID FLAGS MODSEQ)" } else { "(UID FLAGS)" };
    let fetches = imap.uid_fetch_all(uid.to_string(), items).await?;
    let Some(fetch) = fetches.iter().rev().find(|f| f.uid == Some(uid)) else { return Ok(false) };
    let keywords = keywords(fetch.flags());
    if !keywords.iter().any(|k| k.eq_ignore_ascii_case(SCHEDULED)) {
        return Ok(false);
    }
    let mut remove = vec![SCHEDULED.to_owned()];
    remove.extend(keywords.into_iter().filter(|k| send_at_of(k).is_some()));
    let unchanged = match (condstore, fetch.modseq) {
        (true, Some(modseq)) => format!("(UNCHANGEDSINCE {modseq}) "),
        _ => String::new(),
    };
    // Keywords are atoms the server listed (no spaces, quotes or brackets), the rest numbers.
    let command = format!("UID STORE {uid} {unchanged}-FLAGS.SILENT ({})", remove.join(" "));
    let (_, told) = imap.raw_command_told(&command, |_| {}).await?;
    Ok(!told.trim_start().to_ascii_uppercase().starts_with("[MODIFIED"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_is_read_back_from_its_keyword() {
        assert_eq!(flags(1_800_000_000), "(\\Draft \\Seen $YubinScheduled $YubinSendAt1800000000)");
        assert_eq!(send_at_of("$YubinSendAt1800000000"), Some(1_800_000_000));
        assert_eq!(send_at_of("$yubinsendat5"), Some(5));
        for not_a_time in ["$YubinSendAt", "$YubinSendAt-5", "$YubinSendAtsoon", "$YubinScheduled", "$Yubin"] {
            assert_eq!(send_at_of(not_a_time), None, "{not_a_time}");
        }
        let keywords = |list: &[&str]| list.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        assert_eq!(send_at_in(&keywords(&["$YubinScheduled", "$YubinSendAt7"])), Some(7));
        assert_eq!(send_at_in(&keywords(&["$YubinSendAt7"])), None, "claimed: no longer waiting");
    }
}
