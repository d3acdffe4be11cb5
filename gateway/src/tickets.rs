//! Download tickets: what `/download/<token>` redeems. A ticket works once and for a minute,
//! lives only in memory, and is bound to the session and account that asked for it; a session
//! holds at most a few, and signing out or closing the tab revokes them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use yubin_protocol::{AccountId, ApiError, ErrorKind, Uid};

use crate::lock;
use crate::mail_servers::ServerRuntime;
use crate::upstream::credential::Credential;

const TICKET_LIFETIME: Duration = Duration::from_secs(60);
/// How often a preview's link works within its minute: a media player asks again to seek,
/// a PDF viewer may reload.
const PREVIEW_USES: u8 = 8;
/// Most tickets the whole gateway holds (each holds a password for a minute).
const MAX_TICKETS: usize = 20_000;

/// What a redeemed ticket serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The part (the whole message for section `""`) as a file to save.
    Download,
    /// The part shown in the browser, as the type [`yubin_protocol::preview`] allows.
    Preview,
    /// These parts as one zip, saved under the ticket's file name.
    Zip(Vec<yubin_protocol::ZipPart>),
    /// These messages of the folder (all, if none are named) as one mbox file.
    Mbox(Vec<yubin_protocol::Uid>),
}

/// What a download needs: which part, and the credentials to fetch it with.
#[derive(Clone)]
pub struct Ticket {
    pub server: Arc<ServerRuntime>,
    pub username: String,
    pub credential: Credential,
    pub folder: String,
    pub uid: Uid,
    pub section: String,
    pub filename: String,
    pub delivery: Delivery,
    /// The session and account it was issued to.
    pub owner: TicketOwner,
}

/// Which session's account a ticket belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketOwner {
    pub session: u64,
    pub account: AccountId,
}

#[derive(Default)]
pub struct Downloads {
    tickets: Mutex<HashMap<String, Held>>,
}

struct Held {
    ticket: Ticket,
    expires: Instant,
    uses_left: u8,
}

impl Downloads {
    /// Files `ticket` and returns the path that redeems it, unless its session holds
    /// `per_session` unused tickets already or the gateway is full.
    pub fn issue(&self, mut ticket: Ticket, per_session: usize) -> Result<String, ApiError> {
        ticket.filename = crate::filenames::safe_name(&ticket.filename);
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut tickets = lock(&self.tickets);
        let now = Instant::now();
        tickets.retain(|_, held| held.expires > now);
        let session = ticket.owner.session;
        if tickets.values().filter(|held| held.ticket.owner.session == session).count() >= per_session {
            return Err(ApiError::new(
                ErrorKind::Refused,
                "Too many downloads waiting to start; try again in a minute.",
            ));
        }
        if tickets.len() >= MAX_TICKETS {
            return Err(ApiError::new(ErrorKind::Refused, "The gateway is busy; try the download again shortly."));
        }
        let uses_left = if ticket.delivery == Delivery::Preview { PREVIEW_USES } else { 1 };
        tickets.insert(token.clone(), Held { ticket, expires: now + TICKET_LIFETIME, uses_left });
        Ok(format!("/download/{token}"))
    }

    pub(crate) fn redeem(&self, token: &str) -> Option<Ticket> {
        let mut tickets = lock(&self.tickets);
        let held = tickets.get_mut(token)?;
        if held.expires <= Instant::now() {
            tickets.remove(token);
            return None;
        }
        held.uses_left -= 1;
        if held.uses_left > 0 {
            return Some(held.ticket.clone());
        }
        tickets.remove(token).map(|held| held.ticket)
    }

    /// Revokes the tickets of `session` (of its account `account` only, if given).
    pub fn revoke(&self, session: u64, account: Option<AccountId>) {
        lock(&self.tickets).retain(|_, held| {
            held.ticket.owner.session != session || account.is_some_and(|a| a != held.ticket.owner.account)
        });
    }

    /// Drops expired tickets (and the passwords in them).
    pub fn sweep(&self) {
        let now = Instant::now();
        lock(&self.tickets).retain(|_, held| held.expires > now);
    }

    /// Tickets held now.
    pub fn held(&self) -> usize {
        lock(&self.tickets).len()
    }
}
