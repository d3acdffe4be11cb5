//! "Send later": messages waiting in an IMAP account's Drafts for their time (see the
//! gateway's `imap_schedule`). Any browser with the account open checks now and then, claims
//! what is due — only one claim of several wins — and sends it as the draft it is: its
//! recipients, text or HTML, attachments (read from the draft itself), Message-ID (so the
//! at-most-once check of Sent stands behind the claim).

use yubin_protocol::{calls, ApiError, ScheduledSend, SentReceipt, Uid};

use crate::connection::Connection;
use crate::drafting::Draft;

/// How often an open app looks for waiting messages when none is due sooner.
pub const CHECK_EVERY_SECONDS: i64 = 60;

/// The waiting messages whose time has come at `now` (unix seconds), soonest first.
pub fn due(waiting: &[ScheduledSend], now: i64) -> Vec<Uid> {
    let mut due: Vec<&ScheduledSend> = waiting.iter().filter(|w| w.send_at <= now).collect();
    due.sort_by_key(|w| (w.send_at, w.uid));
    due.into_iter().map(|w| w.uid).collect()
}

/// Seconds from `now` until the next look: the soonest message still waiting, at most
/// [`CHECK_EVERY_SECONDS`] (a message scheduled from another browser meanwhile), at least one.
pub fn next_check(waiting: &[ScheduledSend], now: i64) -> i64 {
    waiting
        .iter()
        .filter(|w| w.send_at > now)
        .map(|w| w.send_at - now)
        .min()
        .unwrap_or(CHECK_EVERY_SECONDS)
        .clamp(1, CHECK_EVERY_SECONDS)
}

/// What one look at an account's waiting messages did.
#[derive(Debug, Default)]
pub struct Checked {
    pub sent: Vec<SentReceipt>,
    /// Claimed but not sent (refused, say), by subject (none when the draft could not even be
    /// read): it stays in Drafts, no longer scheduled.
    pub failed: Vec<(Option<String>, ApiError)>,
    /// Seconds until the next look.
    pub next: i64,
}

/// Sends the account's due messages that this browser claims.
pub async fn send_due(connection: &Connection) -> Result<Checked, ApiError> {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let (folder, waiting) = connection.call(calls::ListScheduled {}).await?;
    let mut checked = Checked { next: next_check(&waiting, now), ..Checked::default() };
    for uid in due(&waiting, now) {
        if !connection.call(calls::ClaimScheduled { uid }).await? {
            continue; // another browser has it
        }
        // Claimed: it is off the schedule now, so whatever goes wrong from here is told (it
        // stays in Drafts), and the other due messages still go.
        let view = match connection.call(calls::GetMessage { folder: folder.clone(), uid }).await {
            Ok(view) => view,
            Err(e) => {
                checked.failed.push((None, e));
                continue;
            }
        };
        let draft = Draft::reopen(&view, String::new());
        match connection.call(calls::Send { message: draft.to_outgoing(|_| None) }).await {
            Ok(receipt) => checked.sent.push(receipt),
            Err(e) => checked.failed.push((Some(view.subject.clone()), e)),
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_due_goes_soonest_first_and_the_next_look_comes_in_time() {
        let waiting = [
            ScheduledSend { uid: 3, send_at: 100 },
            ScheduledSend { uid: 1, send_at: 50 },
            ScheduledSend { uid: 2, send_at: 130 },
        ];
        assert_eq!(due(&waiting, 100), [1, 3]);
        assert_eq!(due(&waiting, 10), Vec::<Uid>::new());
        assert_eq!(next_check(&waiting, 100), 30);
        assert_eq!(next_check(&waiting, 129), 1);
        assert_eq!(next_check(&waiting, 500), CHECK_EVERY_SECONDS);
        assert_eq!(next_check(&[ScheduledSend { uid: 9, send_at: 10_000 }], 0), CHECK_EVERY_SECONDS);
    }
}
