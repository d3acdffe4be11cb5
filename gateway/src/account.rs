//! A signed-in account on one tab's socket: its credentials, its IMAP connection (reopened
//! when it drops), a POP3 session held through a sync, its IDLE watchers, and the uploads of
//! the mail being written. Request handlers reach upstream servers only through here.
//!
//! Everything lives in memory for as long as the socket is open, and nowhere else.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use tokio::sync::{mpsc, Mutex, RwLock};
use tracing::{warn, Instrument};
use yubin_protocol::{
    AccountId, ApiError, AttachmentSource, ErrorKind, Event, IncomingProtocol, OutgoingMessage, RoleChoice, ServerFrame,
};

use crate::lock;
use crate::mail_servers::ServerRuntime;
use crate::uploads::Uploads;
use crate::upstream::credential::Credential;
use crate::upstream::idle;
use crate::upstream::imap::{FolderMark, ImapConnection};
use crate::upstream::pop3::{Listed, Pop3Connection};

/// A logged-in account: where, who, and the credential needed again for SMTP and reconnects.
pub(crate) struct Account {
    pub server: Arc<ServerRuntime>,
    pub protocol: IncomingProtocol,
    pub username: String,
    pub credential: Credential,
    pub from: Mailbox,
    /// The person's name as their identity provider gave it (OAuth), if it did.
    pub display_name: Option<String>,
    /// The submission server's SIZE, once asked for.
    pub smtp_max_size: tokio::sync::OnceCell<Option<u64>>,
}

/// One account signed in on a tab's socket: its credentials, IMAP connection and IDLE watchers.
pub(crate) struct AccountSession {
    pub(crate) id: AccountId,
    account: RwLock<Option<Arc<Account>>>,
    /// Attachments uploaded for messages being written; shared by the tab's accounts, so the
    /// memory cap is per tab however many accounts it has.
    pub(crate) uploads: Arc<std::sync::Mutex<Uploads>>,
    /// The IMAP connection, if open. `None` after a drop: the next request reconnects.
    imap: Arc<Mutex<Option<ImapConnection>>>,
    /// The user's choice of folders for roles ([`Request::SetFolderRoles`]), given to the IMAP
    /// connection before each use, so a reconnect keeps them.
    pub(crate) chosen_roles: std::sync::Mutex<Vec<RoleChoice>>,
    /// A POP3 account's fetching session, held between the batches of a sync.
    pub(crate) pop3: Arc<Mutex<Option<HeldSession>>>,
    /// IDLE watchers: the folder on screen, and the inbox while another folder is on screen
    /// (its unread count is always in view).
    watchers: std::sync::Mutex<Watchers>,
    /// Where pushed events go: the same writer as replies.
    events: mpsc::Sender<ServerFrame>,
    /// The tab's session id.
    pub(crate) session: u64,
}

/// A POP3 session kept between the fetch requests of one sync, with its listing.
pub(crate) struct HeldSession {
    pub(crate) connection: Pop3Connection,
    pub(crate) listing: Vec<Listed>,
    pub(crate) last_used: Instant,
}

impl HeldSession {
    /// Ends the session politely; nothing was deleted in it, so nothing depends on the QUIT.
    pub async fn close(self) {
        let _ = self.connection.quit().await;
    }
}

#[derive(Default)]
struct Watchers {
    screen: Option<Watcher>,
    inbox: Option<Watcher>,
}

struct Watcher {
    folder: String,
    /// When it connects (after its delay).
    connects_at: Instant,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Tells the watch to leave IDLE and log out.
    stop: tokio::sync::watch::Sender<bool>,
}

/// How long the inbox watch started at sign-in waits before connecting (see
/// [`AccountSession::watch_inbox`]).
const SIGN_IN_WATCH_DELAY: Duration = Duration::from_secs(1);

/// How long the watch of a folder just listed waits before connecting: its login and SELECT
/// (~50 ms of Dovecot's time for a 100k folder) would otherwise compete with the browser
/// drawing the rows and with the requests that follow the listing. Whatever changes meanwhile
/// is still told: the watch compares the folder with the listing ([`FolderMark`]).
const SCREEN_WATCH_DELAY: Duration = Duration::from_millis(300);

/// How long a stopped watcher may take to log out before its task is ended anyway.
const WATCHER_LOGOUT: Duration = Duration::from_secs(5);

impl Watcher {
    fn is_watching(&self, folder: &str) -> bool {
        self.folder == folder && self.task.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Whether it has not connected yet.
    fn is_waiting(&self) -> bool {
        Instant::now() < self.connects_at
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            if !task.is_finished() {
                tokio::spawn(async move {
                    tokio::time::sleep(WATCHER_LOGOUT).await;
                    task.abort();
                });
            }
        }
    }
}

impl AccountSession {
    pub(crate) fn new(
        id: AccountId,
        uploads: Arc<std::sync::Mutex<Uploads>>,
        events: mpsc::Sender<ServerFrame>,
        session: u64,
    ) -> Self {
        Self {
            id,
            account: RwLock::default(),
            uploads,
            imap: Arc::default(),
            chosen_roles: Default::default(),
            pop3: Arc::default(),
            watchers: std::sync::Mutex::default(),
            events,
            session,
        }
    }

    /// Whether an account is signed in here.
    pub(crate) async fn is_signed_in(&self) -> bool {
        self.account.read().await.is_some()
    }

    /// Takes `account` as signed in, with its IMAP connection (replacing any earlier one,
    /// which is logged out), and watches its inbox.
    pub(crate) async fn begin(&self, account: Arc<Account>, imap: Option<ImapConnection>) {
        let mut slot = self.imap.clone().lock_owned().await;
        let old = std::mem::replace(&mut *slot, imap);
        if account.protocol == IncomingProtocol::Imap {
            self.watch_inbox(&account);
        }
        *self.account.write().await = Some(account);
        // The browser lists the inbox next: the connection selects it now, while the reply
        // travels (it holds the connection already, so the listing waits for it, not the
        // other way round).
        tokio::spawn(
            async move {
                if let Some(imap) = slot.as_mut() {
                    imap.select_ahead("INBOX").await;
                }
            }
            .in_current_span(),
        );
        if let Some(old) = old {
            old.logout().await;
        }
    }

    /// Stops watching and logs out of IMAP.
    pub(crate) async fn close(&self) {
        self.stop_watching();
        *self.account.write().await = None;
        if let Some(imap) = self.imap.lock().await.take() {
            imap.logout().await;
        }
        if let Some(pop3) = self.pop3.lock().await.take() {
            pop3.close().await;
        }
    }

    /// Watches `folder` with IDLE instead of whatever was watched before; `known` is where it
    /// stood in the listing the browser just got. The inbox is watched as well while it is not
    /// the folder on screen.
    pub(crate) fn watch(&self, account: &Arc<Account>, folder: &str, known: FolderMark) {
        let mut watchers = lock(&self.watchers);
        if !watchers.screen.as_ref().is_some_and(|w| w.is_watching(folder)) {
            watchers.screen = Some(self.start_watcher(account, folder, Some(known), SCREEN_WATCH_DELAY));
        }
        if folder.eq_ignore_ascii_case("INBOX") {
            watchers.inbox = None;
        } else if !watchers.inbox.as_ref().is_some_and(|w| w.is_watching("INBOX") && !w.is_waiting()) {
            // (One still waiting to connect after sign-in has nothing left to wait for.)
            watchers.inbox = Some(self.start_watcher(account, "INBOX", None, Duration::ZERO));
        }
    }

    /// Watches the inbox from sign-in on, so that an account not on screen still reports new
    /// mail (its count, the title, a notification). Listing a folder takes over from here.
    /// It waits [`SIGN_IN_WATCH_DELAY`] before connecting: the browser lists the inbox right
    /// after signing in, and that listing starts the watch itself, so a second login and SELECT
    /// would only slow down the first rows (a SELECT of a 100k folder costs Dovecot ~90 ms).
    fn watch_inbox(&self, account: &Arc<Account>) {
        let mut watchers = lock(&self.watchers);
        let watched = watchers.screen.as_ref().is_some_and(|w| w.is_watching("INBOX"))
            || watchers.inbox.as_ref().is_some_and(|w| w.is_watching("INBOX"));
        if !watched {
            watchers.inbox = Some(self.start_watcher(account, "INBOX", None, SIGN_IN_WATCH_DELAY));
        }
    }

    /// Where this account's pushed events go (the tab's socket).
    pub(crate) fn event_sender(&self) -> mpsc::Sender<ServerFrame> {
        self.events.clone()
    }

    fn start_watcher(
        &self,
        account: &Arc<Account>,
        folder: &str,
        known: Option<FolderMark>,
        delay: Duration,
    ) -> Watcher {
        let (account, events, name, id) = (account.clone(), self.events.clone(), folder.to_owned(), self.id);
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(
            async move {
                if !delay.is_zero() {
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        _ = stopped.wait_for(|stop| *stop) => return, // taken over before connecting
                    }
                }
                let notify = || {
                    let event = ServerFrame::Event(Event::FolderChanged { account: id, folder: name.clone() });
                    // A full queue means the browser is behind; it will refresh anyway.
                    let _ = events.try_send(event);
                };
                idle::watch(
                    &account.server.incoming,
                    &account.username,
                    &account.credential,
                    &name,
                    known,
                    notify,
                    stopped,
                )
                .await;
            }
            .in_current_span(),
        );
        Watcher { folder: folder.to_owned(), connects_at: Instant::now() + delay, task: Some(task), stop }
    }

    fn stop_watching(&self) {
        *lock(&self.watchers) = Watchers::default();
    }

    pub fn upload_limit(&self) -> u64 {
        lock(&self.uploads).limit()
    }

    /// A copy of an upload's bytes, for building a message.
    pub fn upload(&self, id: &str) -> Result<Vec<u8>, ApiError> {
        lock(&self.uploads).get(id).map(<[u8]>::to_vec)
    }

    /// Frees the uploads `message` was built from, once it is sent.
    pub fn discard_uploads(&self, message: &OutgoingMessage) {
        let mut uploads = lock(&self.uploads);
        for attachment in &message.attachments {
            if let AttachmentSource::Upload { upload } = &attachment.source {
                uploads.discard(upload);
            }
        }
    }
}

pub(crate) async fn logged_in(state: &AccountSession) -> Result<Arc<Account>, ApiError> {
    state.account.read().await.clone().ok_or_else(|| ApiError::new(ErrorKind::NotLoggedIn, "log in first"))
}

/// [`with_imap`] for a call on the connection: `on_imap!(state, |imap| (folder, uids) =>
/// imap.expunge(&folder, &uids))`. The closure may run twice (after a reconnect), so each run
/// gets its own clones of the values named in parentheses.
macro_rules! on_imap {
    ($state:expr, |$imap:ident| ($($owned:ident),*) => $call:expr) => {
        crate::account::with_imap($state, |$imap| {
            $(let $owned = $owned.clone();)*
            Box::pin(async move { $call.await })
        })
    };
}
pub(crate) use on_imap;

pub(crate) type ImapFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// Runs `op` on the session's IMAP connection, (re)connecting with the session's credentials if
/// the connection is missing. If the connection breaks during `op`, it is reopened and `op` runs
/// once more. That cannot do anything twice: reads and flag changes are idempotent, and a move
/// or expunge that already happened finds no message with those UIDs the second time.
pub(crate) async fn with_imap<T, F>(state: &AccountSession, op: F) -> Result<T, ApiError>
where
    F: for<'c> Fn(&'c mut ImapConnection) -> ImapFuture<'c, T>,
{
    let account = logged_in(state).await?;
    if account.protocol == IncomingProtocol::Pop3 {
        return Err(ApiError::new(ErrorKind::BadRequest, "a POP3 account's folders are kept in the browser"));
    }
    let mut slot = state.imap.lock().await;
    for attempt in 0..2 {
        if slot.is_none() {
            let proof = account.credential.proof().await?;
            *slot = Some(ImapConnection::login(&account.server.incoming, &account.username, &proof).await?);
        }
        let imap = slot.as_mut().expect("connected above");
        imap.choose_roles(&lock(&state.chosen_roles));
        match op(imap).await {
            Err(e) if e.kind == ErrorKind::ConnectionLost && attempt == 0 => {
                warn!("IMAP connection lost, reconnecting: {}", e.message);
                *slot = None;
            }
            result => return result,
        }
    }
    unreachable!("the second attempt always returns")
}
