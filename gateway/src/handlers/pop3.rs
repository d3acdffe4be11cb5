//! POP3 accounts: listing, fetching and deleting for the browser, which keeps the mail.
//!
//! Listing and deleting are each one POP3 session ending in QUIT, so deletions take effect
//! before the reply says they did. Fetching in batches reuses one session for as long as the
//! batches keep coming (a sync), so 10,000 messages do not cost 200 logins and 200 listings of
//! 10,000 lines; it is closed after a few idle seconds, before any deletion, and at sign-out.
//! The gateway deletes only what the browser names, and the browser names only messages it has
//! stored durably.

use std::time::{Duration, Instant};

use yubin_protocol::{pop3_batch_takes, ApiError, Flags, LocalMessage, Pop3Entry, Response, MAX_POP3_FETCH};

use crate::account::{logged_in, Account, AccountSession, HeldSession};
use crate::mime;
use crate::upstream::pop3::{Listed, Pop3Connection};

/// How long a fetching session stays open waiting for the next batch.
const HOLD: Duration = Duration::from_secs(5);

async fn connect(account: &Account) -> Result<Pop3Connection, ApiError> {
    Pop3Connection::login(&account.server.incoming, &account.username, &account.credential.proof().await?).await
}

pub async fn list(state: &AccountSession) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let mut pop = connect(&account).await?;
    let listing = pop.listing().await?;
    pop.quit().await?;
    Ok(Response::Pop3Listing(listing.into_iter().map(|l| Pop3Entry { uidl: l.uidl, size: l.size }).collect()))
}

pub async fn fetch(state: &AccountSession, uidls: &[String]) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    let mut slot = state.pop3.lock().await;
    // The held session serves if it is fresh and its listing knows every message asked for
    // (mail that arrived since needs a new listing).
    let mut held = match slot.take() {
        Some(held) if held.last_used.elapsed() < HOLD && knows_all(&held.listing, uidls) => held,
        stale => {
            if let Some(stale) = stale {
                stale.close().await;
            }
            let mut connection = connect(&account).await?;
            let listing = connection.listing().await?;
            HeldSession { connection, listing, last_used: Instant::now() }
        }
    };
    // A broken session is dropped, not put back: the next batch opens a new one.
    let messages = retrieve_batch(&mut held.connection, &held.listing, uidls).await?;
    held.last_used = Instant::now();
    *slot = Some(held);
    drop(slot);
    close_when_idle(state);
    Ok(Response::LocalMessages(messages))
}

fn knows_all(listing: &[Listed], uidls: &[String]) -> bool {
    let known: std::collections::HashSet<&str> = listing.iter().map(|l| l.uidl.as_str()).collect();
    uidls.iter().all(|u| known.contains(u.as_str()))
}

/// Closes the held session once no batch has come for [`HOLD`]: a POP3 server may keep the
/// maildrop locked while a session is open.
fn close_when_idle(state: &AccountSession) {
    let slot = state.pop3.clone();
    tokio::spawn(async move {
        tokio::time::sleep(HOLD).await;
        let mut slot = slot.lock().await;
        if slot.as_ref().is_some_and(|held| held.last_used.elapsed() >= HOLD) {
            if let Some(held) = slot.take() {
                held.close().await;
            }
        }
    });
}

pub async fn delete(state: &AccountSession, uidls: &[String]) -> Result<Response, ApiError> {
    let account = logged_in(state).await?;
    // Deletions get a session of their own; a held fetching session ends first so that it
    // cannot hold the maildrop while they happen.
    if let Some(held) = state.pop3.lock().await.take() {
        held.close().await;
    }
    delete_named(connect(&account).await?, uidls).await?;
    Ok(Response::Done)
}

/// What the POP3 rules need of a maildrop session: the real one is a [`Pop3Connection`]; a
/// fake one tests the rules.
pub(crate) trait Maildrop: Sized {
    async fn listing(&mut self) -> Result<Vec<Listed>, ApiError>;
    async fn retrieve(&mut self, number: usize) -> Result<Vec<u8>, ApiError>;
    async fn delete(&mut self, number: usize) -> Result<(), ApiError>;
    /// Ends the session: only now do its deletions take effect (RFC 1939 UPDATE state).
    async fn quit(self) -> Result<(), ApiError>;
}

impl Maildrop for Pop3Connection {
    async fn listing(&mut self) -> Result<Vec<Listed>, ApiError> {
        Pop3Connection::listing(self).await
    }
    async fn retrieve(&mut self, number: usize) -> Result<Vec<u8>, ApiError> {
        Pop3Connection::retrieve(self, number).await
    }
    async fn delete(&mut self, number: usize) -> Result<(), ApiError> {
        Pop3Connection::delete(self, number).await
    }
    async fn quit(self) -> Result<(), ApiError> {
        Pop3Connection::quit(self).await
    }
}

/// Deletes the messages the browser named (by UIDL) that the server still lists, by their
/// numbers in this session, and ends the session. An error at QUIT means nothing was deleted:
/// the browser keeps the UIDLs and asks again.
pub(crate) async fn delete_named(mut maildrop: impl Maildrop, uidls: &[String]) -> Result<(), ApiError> {
    for listed in select(&maildrop.listing().await?, uidls) {
        maildrop.delete(listed.number).await?;
    }
    maildrop.quit().await
}

/// Reads the messages named, in server order, for the browser: as many as one batch takes
/// ([`pop3_batch_takes`]: a count and a byte budget by the server's sizes), so a request cannot
/// make the gateway hold more. A message mail-parser cannot read is still
/// handed over, as its source, rather than lost.
pub(crate) async fn retrieve_batch(
    maildrop: &mut impl Maildrop,
    listing: &[Listed],
    uidls: &[String],
) -> Result<Vec<LocalMessage>, ApiError> {
    let wanted = select(listing, uidls);
    let mut messages: Vec<LocalMessage> = Vec::with_capacity(wanted.len().min(MAX_POP3_FETCH));
    let mut bytes = 0;
    for listed in wanted {
        if !pop3_batch_takes(messages.len(), bytes, listed.size) {
            break;
        }
        bytes += listed.size;
        let raw = maildrop.retrieve(listed.number).await?;
        let message = mime::local_message(&listed.uidl, &raw, Flags::default())
            .or_else(|_| mime::local_message(&listed.uidl, &unreadable(&raw), Flags::default()))?;
        messages.push(message);
    }
    Ok(messages)
}

/// The listed messages whose UIDL is in `uidls`, in server order.
fn select(listing: &[Listed], uidls: &[String]) -> Vec<Listed> {
    let wanted: std::collections::HashSet<&str> = uidls.iter().map(String::as_str).collect();
    listing.iter().filter(|l| wanted.contains(l.uidl.as_str())).cloned().collect()
}

/// A stand-in for a message that is not mail at all: says so, with the bytes as text.
fn unreadable(raw: &[u8]) -> Vec<u8> {
    let mut out = b"Subject: (unreadable message)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".to_vec();
    out.extend_from_slice(String::from_utf8_lossy(raw).as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use yubin_protocol::ErrorKind;

    use super::*;

    /// A maildrop in memory: messages by UIDL, what was deleted, and whether QUIT went through.
    #[derive(Default, Clone)]
    struct FakeMaildrop {
        messages: Vec<(String, Vec<u8>)>,
        marked: Rc<RefCell<Vec<usize>>>,
        committed: Rc<RefCell<Option<Vec<usize>>>>,
        quit_fails: bool,
    }

    impl FakeMaildrop {
        fn with(uidls: &[&str]) -> Self {
            let messages = uidls
                .iter()
                .map(|u| ((*u).to_owned(), format!("Subject: {u}\r\nMessage-ID: <{u}@x>\r\n\r\nbody\r\n").into_bytes()))
                .collect();
            Self { messages, ..Self::default() }
        }
    }

    impl Maildrop for FakeMaildrop {
        async fn listing(&mut self) -> Result<Vec<Listed>, ApiError> {
            let entry = |(i, (uidl, raw)): (usize, &(String, Vec<u8>))| Listed {
                number: i + 1,
                uidl: uidl.clone(),
                size: raw.len() as u64,
            };
            Ok(self.messages.iter().enumerate().map(entry).collect())
        }
        async fn retrieve(&mut self, number: usize) -> Result<Vec<u8>, ApiError> {
            Ok(self.messages[number - 1].1.clone())
        }
        async fn delete(&mut self, number: usize) -> Result<(), ApiError> {
            self.marked.borrow_mut().push(number);
            Ok(())
        }
        async fn quit(self) -> Result<(), ApiError> {
            if self.quit_fails {
                return Err(ApiError::new(ErrorKind::ConnectionLost, "no answer to QUIT"));
            }
            *self.committed.borrow_mut() = Some(self.marked.borrow().clone());
            Ok(())
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|u| (*u).to_owned()).collect()
    }

    #[tokio::test]
    async fn only_named_messages_the_server_still_has_are_deleted_and_only_at_quit() {
        let maildrop = FakeMaildrop::with(&["a", "b", "c"]);
        let committed = maildrop.committed.clone();
        delete_named(maildrop, &names(&["c", "a", "gone"])).await.unwrap();
        assert_eq!(*committed.borrow(), Some(vec![1, 3]), "by this session's numbers, a lost UIDL skipped");

        let maildrop = FakeMaildrop { quit_fails: true, ..FakeMaildrop::with(&["a"]) };
        let committed = maildrop.committed.clone();
        let error = delete_named(maildrop, &names(&["a"])).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ConnectionLost, "the browser hears that nothing was deleted");
        assert_eq!(*committed.borrow(), None);
    }

    #[tokio::test]
    async fn a_batch_is_capped_in_server_order_and_unreadable_mail_is_kept() {
        let uidls: Vec<String> = (0..MAX_POP3_FETCH + 20).map(|i| format!("m{i:03}")).collect();
        let mut maildrop = FakeMaildrop::with(&uidls.iter().map(String::as_str).collect::<Vec<_>>());
        maildrop.messages[0].1 = vec![0xff, 0x00, 0xfe];
        let listing = maildrop.listing().await.unwrap();
        let mut asked = uidls.clone();
        asked.reverse();
        let batch = retrieve_batch(&mut maildrop, &listing, &asked).await.unwrap();
        assert_eq!(batch.len(), MAX_POP3_FETCH);
        assert_eq!(batch[0].key, "m000", "server order, whatever order they were asked in");
        assert_eq!(batch[1].key, "m001");
    }

    #[tokio::test]
    async fn a_batch_ends_at_its_byte_budget_and_a_bigger_message_comes_alone() {
        let mut maildrop = FakeMaildrop::with(&["a", "b", "c", "d"]);
        let big = |mb: usize| format!("Subject: big\r\n\r\n{}\r\n", "x".repeat(mb << 20)).into_bytes();
        maildrop.messages[0].1 = big(10);
        maildrop.messages[1].1 = big(10);
        maildrop.messages[2].1 = big(20);
        let listing = maildrop.listing().await.unwrap();
        let keys = |batch: Vec<LocalMessage>| batch.into_iter().map(|m| m.key).collect::<Vec<_>>();
        let everything = names(&["a", "b", "c", "d"]);
        assert_eq!(keys(retrieve_batch(&mut maildrop, &listing, &everything).await.unwrap()), ["a"]);
        let rest = names(&["c", "d"]);
        assert_eq!(keys(retrieve_batch(&mut maildrop, &listing, &rest).await.unwrap()), ["c"], "alone");
    }
}
