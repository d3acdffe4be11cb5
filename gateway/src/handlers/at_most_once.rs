//! Sending at most once per Message-ID, whatever fails when.
//!
//! The browser picks a message's id when the user starts writing and keeps it through retries
//! and the outbox. Before the SMTP transaction the gateway files the copy in Sent marked as
//! being sent ([`SENDING`]); once the server accepted the message the mark is cleared, and if
//! it refused the copy goes. So an attempt leaves one of three traces: nothing (never sent),
//! an unmarked copy (sent), or only a marked copy (cut off between filing and the server's
//! answer: it may or may not have gone out). Only "nothing" sends.
//!
//! The rules run over [`SendingAccount`]: the real account (IMAP for Sent, SMTP to submit) in
//! the gateway, a fake one in the unit tests below.

use std::sync::Arc;

use yubin_protocol::{ApiError, ErrorKind, Uid};

use crate::compose::Composed;

/// The IMAP keyword on a Sent copy filed before the SMTP transaction, cleared once the server
/// accepted the message.
pub const SENDING: &str = "$YubinSending";
/// The flags of that copy: read, and being sent. (Spelled out: `concat!` takes no constants.)
const SENDING_FLAGS: &str = "(\\Seen $YubinSending)";

/// What sending needs of an account.
pub(crate) trait SendingAccount {
    /// Whether this gateway process sent `message_id` for this account lately (the only trace
    /// an account without a Sent folder has).
    fn sent_lately(&self, message_id: &str) -> bool;
    fn remember_sent(&self, message_id: &str);
    /// The copies of `message_id` in `folder`, each with whether it still bears [`SENDING`].
    async fn copies(&self, folder: &str, message_id: &str) -> Result<Vec<(Uid, bool)>, ApiError>;
    /// Files `composed` in `folder` with `flags` (an IMAP flag list), unless a copy is there.
    async fn file_once(&self, folder: &str, composed: &Arc<Composed>, flags: &'static str) -> Result<(), ApiError>;
    /// Hands the message to the submission server.
    async fn submit(&self, composed: &Composed) -> Result<(), ApiError>;
    /// Clears [`SENDING`] from the marked copies (`accepted`) or removes them (refused);
    /// whether there was one.
    async fn settle(&self, folder: &str, message_id: &str, accepted: bool) -> Result<bool, ApiError>;
}

/// What an earlier attempt to send a Message-ID left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    None,
    /// Sent: this process remembers it, or an unmarked copy is in Sent.
    Sent,
    /// Only a copy still marked as being sent: the attempt was cut off mid-way.
    CutOff,
}

/// What an earlier attempt of `message_id` left, looking in `sent_folder` when there is one.
pub(crate) async fn earlier_attempt(
    account: &impl SendingAccount,
    sent_folder: Option<&str>,
    message_id: &str,
) -> Result<Attempt, ApiError> {
    if account.sent_lately(message_id) {
        return Ok(Attempt::Sent);
    }
    let Some(folder) = sent_folder else { return Ok(Attempt::None) };
    Ok(attempt_from(&account.copies(folder, message_id).await?))
}

/// What the copies of a Message-ID in Sent say of an earlier attempt.
pub fn attempt_from(copies: &[(Uid, bool)]) -> Attempt {
    if copies.is_empty() {
        Attempt::None
    } else if copies.iter().all(|(_, marked)| *marked) {
        Attempt::CutOff
    } else {
        Attempt::Sent
    }
}

/// Submits `composed` once: the marked copy goes to `intent_folder` first (when the gateway
/// files Sent copies), then the SMTP transaction, then the mark is settled. Returns whether a
/// copy is filed; the server's refusal is returned as the error, its copy removed.
///
/// A full mailbox does not keep mail from going out: without room for the copy, the message is
/// sent without one (and without the mark that would stop another process from sending it
/// again; this one still remembers it), and the reply says no copy was kept.
pub(crate) async fn submit_once(
    account: &impl SendingAccount,
    intent_folder: Option<&str>,
    composed: &Arc<Composed>,
) -> Result<bool, ApiError> {
    let intent_folder = match intent_folder {
        Some(folder) => match account.file_once(folder, composed, SENDING_FLAGS).await {
            Ok(()) => Some(folder),
            Err(e) if e.kind == ErrorKind::OverQuota => {
                tracing::info!("no room for the Sent copy; sending without it");
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let submitted = account.submit(composed).await;
    let mut filed = false;
    if let Some(folder) = intent_folder {
        match account.settle(folder, &composed.message_id, submitted.is_ok()).await {
            Ok(found) => filed = found,
            Err(e) => tracing::warn!("the Sent copy's sending mark could not be settled: {}", e.message),
        }
    }
    submitted?;
    account.remember_sent(&composed.message_id);
    Ok(filed)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use yubin_protocol::OutgoingMessage;

    use super::*;
    use crate::compose::{compose, Purpose};

    /// An account whose Sent folder and SMTP server are in memory.
    #[derive(Default)]
    struct FakeAccount {
        /// (uid, Message-ID, marked) in Sent.
        sent: Mutex<Vec<(Uid, String, bool)>>,
        submitted: Mutex<Vec<String>>,
        remembered: Mutex<HashSet<String>>,
        refuse: bool,
        /// The gateway "stops" right after the SMTP transaction, before settling.
        crash_after_submit: bool,
        /// Sent is on a full mailbox: no copy can be stored.
        full: bool,
    }

    impl SendingAccount for FakeAccount {
        fn sent_lately(&self, message_id: &str) -> bool {
            self.remembered.lock().unwrap().contains(message_id)
        }
        fn remember_sent(&self, message_id: &str) {
            self.remembered.lock().unwrap().insert(message_id.to_owned());
        }
        async fn copies(&self, _folder: &str, message_id: &str) -> Result<Vec<(Uid, bool)>, ApiError> {
            let sent = self.sent.lock().unwrap();
            Ok(sent.iter().filter(|(_, id, _)| id == message_id).map(|(uid, _, marked)| (*uid, *marked)).collect())
        }
        async fn file_once(
            &self,
            _folder: &str,
            composed: &Arc<Composed>,
            flags: &'static str,
        ) -> Result<(), ApiError> {
            if self.full {
                return Err(ApiError::new(ErrorKind::OverQuota, "Quota exceeded (mailbox for user is full)"));
            }
            let mut sent = self.sent.lock().unwrap();
            if !sent.iter().any(|(_, id, _)| *id == composed.message_id) {
                let uid = sent.len() as Uid + 1;
                sent.push((uid, composed.message_id.clone(), flags.contains(SENDING)));
            }
            Ok(())
        }
        async fn submit(&self, composed: &Composed) -> Result<(), ApiError> {
            if self.refuse {
                return Err(ApiError::new(ErrorKind::Refused, "550 no such user"));
            }
            self.submitted.lock().unwrap().push(composed.message_id.clone());
            if self.crash_after_submit {
                return Err(ApiError::new(ErrorKind::ConnectionLost, "the gateway stopped"));
            }
            Ok(())
        }
        async fn settle(&self, _folder: &str, message_id: &str, accepted: bool) -> Result<bool, ApiError> {
            if self.crash_after_submit {
                return Err(ApiError::new(ErrorKind::ConnectionLost, "the gateway stopped"));
            }
            let mut sent = self.sent.lock().unwrap();
            let was = sent.iter().any(|(_, id, marked)| id == message_id && *marked);
            if accepted {
                sent.iter_mut().filter(|(_, id, _)| id == message_id).for_each(|c| c.2 = false);
            } else {
                sent.retain(|(_, id, marked)| !(id == message_id && *marked));
            }
            Ok(was)
        }
    }

    fn message() -> Arc<Composed> {
        let outgoing = OutgoingMessage {
            message_id: Some("<once@example.test>".into()),
            to: vec!["bob@example.test".into()],
            subject: "once".into(),
            ..Default::default()
        };
        let from = "Alice <alice@example.test>".parse().unwrap();
        Arc::new(compose(&from, &outgoing, Vec::new(), Purpose::Send).unwrap())
    }

    /// The whole send as the handler runs it: look for an earlier attempt, else submit once.
    async fn send(account: &FakeAccount, sent_folder: Option<&str>) -> Result<Attempt, ApiError> {
        let composed = message();
        let earlier = earlier_attempt(account, sent_folder, &composed.message_id).await?;
        if earlier == Attempt::None {
            submit_once(account, sent_folder, &composed).await?;
        }
        Ok(earlier)
    }

    #[tokio::test]
    async fn a_retry_after_a_lost_reply_sends_nothing() {
        let account = FakeAccount::default();
        assert_eq!(send(&account, Some("Sent")).await.unwrap(), Attempt::None);
        account.remembered.lock().unwrap().clear(); // another gateway, or this one restarted
        assert_eq!(send(&account, Some("Sent")).await.unwrap(), Attempt::Sent);
        assert_eq!(account.submitted.lock().unwrap().len(), 1, "submitted once");
        assert_eq!(account.sent.lock().unwrap().len(), 1, "one unmarked copy in Sent");
        assert!(!account.sent.lock().unwrap()[0].2);
    }

    #[tokio::test]
    async fn an_attempt_cut_off_mid_way_is_not_repeated_and_is_said_to_be_uncertain() {
        let crashed = FakeAccount { crash_after_submit: true, ..Default::default() };
        assert!(send(&crashed, Some("Sent")).await.is_err());
        let after_restart =
            FakeAccount { sent: Mutex::new(crashed.sent.lock().unwrap().clone()), ..Default::default() };
        assert_eq!(send(&after_restart, Some("Sent")).await.unwrap(), Attempt::CutOff);
        assert!(after_restart.submitted.lock().unwrap().is_empty(), "not sent again");
    }

    #[tokio::test]
    async fn a_refused_message_leaves_no_copy_and_can_be_sent_once_corrected() {
        let refused = FakeAccount { refuse: true, ..Default::default() };
        assert_eq!(send(&refused, Some("Sent")).await.unwrap_err().kind, ErrorKind::Refused);
        assert!(refused.sent.lock().unwrap().is_empty(), "the marked copy went with the refusal");
        assert_eq!(earlier_attempt(&refused, Some("Sent"), &message().message_id).await.unwrap(), Attempt::None);
    }

    #[tokio::test]
    async fn a_full_mailbox_sends_without_a_copy_and_says_so() {
        let full = FakeAccount { full: true, ..Default::default() };
        let filed = submit_once(&full, Some("Sent"), &message()).await.unwrap();
        assert!(!filed, "no copy kept, and the reply says so");
        assert_eq!(full.submitted.lock().unwrap().len(), 1, "sent all the same");
        assert_eq!(send(&full, Some("Sent")).await.unwrap(), Attempt::Sent, "and not again from this process");
    }

    #[tokio::test]
    async fn without_a_sent_folder_this_process_remembers() {
        let account = FakeAccount::default();
        send(&account, None).await.unwrap();
        assert_eq!(send(&account, None).await.unwrap(), Attempt::Sent);
        assert_eq!(account.submitted.lock().unwrap().len(), 1);
    }

    #[test]
    fn the_copy_being_sent_bears_the_mark() {
        assert!(SENDING_FLAGS.contains(SENDING) && SENDING_FLAGS.contains("\\Seen"));
    }

    #[test]
    fn an_earlier_attempt_is_read_from_the_copies_in_sent() {
        assert_eq!(attempt_from(&[]), Attempt::None, "never sent: send");
        assert_eq!(attempt_from(&[(7, false)]), Attempt::Sent, "accepted: never again");
        assert_eq!(attempt_from(&[(7, true)]), Attempt::CutOff, "cut off mid-way: not again, and said so");
        assert_eq!(attempt_from(&[(7, true), (8, false)]), Attempt::Sent, "one accepted copy is enough");
    }
}
