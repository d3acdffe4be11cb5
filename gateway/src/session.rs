//! One browser tab's WebSocket: decode frames, run requests, send replies.
//!
//! Each request runs in its own task so a slow send does not hold up reading mail; replies go
//! back through one writer task. The credentials and the IMAP connection live here, in memory,
//! for as long as the socket is open, and nowhere else.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures::{FutureExt, SinkExt, StreamExt};
use lettre::message::Mailbox;
use tokio::sync::{mpsc, Mutex, RwLock};
use tracing::{debug, error, info, warn, Instrument};
use yubin_protocol::{
    AccountId, AccountTest, ApiError, AttachmentSource, ClientFrame, ErrorKind, Event, IncomingProtocol,
    OutgoingMessage, Request, Response, RoleChoice, Secret, ServerFrame, Session as SessionInfo, Welcome,
    MAX_ROLE_CHOICES, MAX_SYNC_UIDS, PROTOCOL_VERSION,
};

use crate::compose::parse_mailbox;
use crate::downloads::{Ticket, TicketOwner};
use crate::gateway::{Gateway, ServerRuntime};
use crate::limits::{Outcome, SessionSlot, UnsignedSlot};
use crate::lock;
use crate::metrics::METRICS;
use crate::server::ReadBudget;
use crate::uploads::Uploads;
use crate::upstream::imap::{section_numbers, ImapConnection};
use crate::upstream::pop3::Pop3Connection;
use crate::upstream::{idle, imap_settings};
use crate::{fetching, outgoing};

/// Most messages a tab may list at once; bigger windows are clamped.
const MAX_PAGE: u32 = 500;

static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// A logged-in account: where, who, and the password needed again for SMTP and reconnects.
pub(crate) struct Account {
    pub server: Arc<ServerRuntime>,
    pub protocol: IncomingProtocol,
    pub username: String,
    pub password: Secret,
    pub from: Mailbox,
    /// The submission server's SIZE, once asked for.
    pub smtp_max_size: tokio::sync::OnceCell<Option<u64>>,
}

/// One account signed in on a tab's socket: its credentials, IMAP connection and IDLE watchers.
pub(crate) struct AccountSession {
    id: AccountId,
    account: RwLock<Option<Arc<Account>>>,
    /// Attachments uploaded for messages being written; shared by the tab's accounts, so the
    /// memory cap is per tab however many accounts it has.
    uploads: Arc<std::sync::Mutex<Uploads>>,
    /// The IMAP connection, if open. `None` after a drop: the next request reconnects.
    imap: Mutex<Option<ImapConnection>>,
    /// The user's choice of folders for roles ([`Request::SetFolderRoles`]), given to the IMAP
    /// connection before each use, so a reconnect keeps them.
    chosen_roles: std::sync::Mutex<Vec<RoleChoice>>,
    /// A POP3 account's fetching session, held between the batches of a sync.
    pub(crate) pop3: Arc<Mutex<Option<fetching::HeldSession>>>,
    /// IDLE watchers: the folder on screen, and the inbox while another folder is on screen
    /// (its unread count is always in view).
    watchers: std::sync::Mutex<Watchers>,
    /// Where pushed events go: the same writer as replies.
    events: mpsc::Sender<ServerFrame>,
    /// The tab's session id.
    session: u64,
}

/// The accounts of one tab, by the id the browser gave each.
struct Accounts {
    /// The session's id, for its download tickets and logs.
    session: u64,
    by_id: std::sync::Mutex<HashMap<AccountId, Arc<AccountSession>>>,
    uploads: Arc<std::sync::Mutex<Uploads>>,
    events: mpsc::Sender<ServerFrame>,
    max: usize,
    /// One sign-in (or account test) at a time per socket: guesses cannot be sent in bulk.
    signing_in: Mutex<()>,
    /// What holds the session to the limits of one that has not signed in: its place among
    /// the client's unsigned sessions, and the budget its socket reads draw on. Released at
    /// the first sign-in.
    unsigned: std::sync::Mutex<Option<UnsignedSlot>>,
    budget: ReadBudget,
    ever_signed_in: std::sync::atomic::AtomicBool,
}

impl Accounts {
    fn get(&self, id: AccountId) -> Option<Arc<AccountSession>> {
        lock(&self.by_id).get(&id).cloned()
    }

    /// The account `id`, added if new and the tab has room for it.
    fn get_or_add(&self, id: AccountId) -> Result<Arc<AccountSession>, ApiError> {
        let mut by_id = lock(&self.by_id);
        if let Some(session) = by_id.get(&id) {
            return Ok(session.clone());
        }
        if by_id.len() >= self.max {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                format!("this gateway allows {} accounts per browser tab", self.max),
            ));
        }
        let session = Arc::new(AccountSession {
            id,
            account: RwLock::default(),
            uploads: self.uploads.clone(),
            imap: Mutex::default(),
            chosen_roles: Default::default(),
            pop3: Arc::default(),
            watchers: std::sync::Mutex::default(),
            events: self.events.clone(),
            session: self.session,
        });
        by_id.insert(id, session.clone());
        Ok(session)
    }

    async fn any_signed_in(&self) -> bool {
        let all: Vec<_> = lock(&self.by_id).values().cloned().collect();
        for session in all {
            if session.account.read().await.is_some() {
                return true;
            }
        }
        false
    }

    /// The first sign-in lifts the limits of an anonymous session.
    fn signed_in(&self) {
        if !self.ever_signed_in.swap(true, Ordering::AcqRel) {
            self.budget.lift();
            lock(&self.unsigned).take();
        }
    }

    /// Signs account `id` out, if present.
    async fn remove(&self, id: AccountId) {
        let removed = lock(&self.by_id).remove(&id);
        if let Some(session) = removed {
            session.close().await;
        }
    }

    async fn remove_all(&self) {
        let all: Vec<_> = lock(&self.by_id).drain().map(|(_, s)| s).collect();
        for session in all {
            session.close().await;
        }
    }
}

#[derive(Default)]
struct Watchers {
    screen: Option<Watcher>,
    inbox: Option<Watcher>,
}

struct Watcher {
    folder: String,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Tells the watch to leave IDLE and log out.
    stop: tokio::sync::watch::Sender<bool>,
}

/// How long a stopped watcher may take to log out before its task is ended anyway.
const WATCHER_LOGOUT: Duration = Duration::from_secs(5);

impl Watcher {
    fn is_watching(&self, folder: &str) -> bool {
        self.folder == folder && self.task.as_ref().is_some_and(|t| !t.is_finished())
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
    /// Stops watching and logs out of IMAP.
    async fn close(&self) {
        self.stop_watching();
        *self.account.write().await = None;
        if let Some(imap) = self.imap.lock().await.take() {
            imap.logout().await;
        }
        if let Some(pop3) = self.pop3.lock().await.take() {
            pop3.close().await;
        }
    }

    /// Watches `folder` with IDLE instead of whatever was watched before; `known_total` is its
    /// size in the listing the browser just got. The inbox is watched as well while it is not
    /// the folder on screen.
    fn watch(&self, account: &Arc<Account>, folder: &str, known_total: u32) {
        let mut watchers = lock(&self.watchers);
        if !watchers.screen.as_ref().is_some_and(|w| w.is_watching(folder)) {
            watchers.screen = Some(self.start_watcher(account, folder, Some(known_total)));
        }
        if folder.eq_ignore_ascii_case("INBOX") {
            watchers.inbox = None;
        } else if !watchers.inbox.as_ref().is_some_and(|w| w.is_watching("INBOX")) {
            watchers.inbox = Some(self.start_watcher(account, "INBOX", None));
        }
    }

    /// Watches the inbox from sign-in on, so that an account not on screen still reports new
    /// mail (its count, the title, a notification). Listing a folder takes over from here.
    fn watch_inbox(&self, account: &Arc<Account>) {
        let mut watchers = lock(&self.watchers);
        let watched = watchers.screen.as_ref().is_some_and(|w| w.is_watching("INBOX"))
            || watchers.inbox.as_ref().is_some_and(|w| w.is_watching("INBOX"));
        if !watched {
            watchers.inbox = Some(self.start_watcher(account, "INBOX", None));
        }
    }

    fn start_watcher(&self, account: &Arc<Account>, folder: &str, known_total: Option<u32>) -> Watcher {
        let (account, events, name, id) = (account.clone(), self.events.clone(), folder.to_owned(), self.id);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(
            async move {
                let notify = || {
                    let event = ServerFrame::Event(Event::FolderChanged { account: id, folder: name.clone() });
                    // A full queue means the browser is behind; it will refresh anyway.
                    let _ = events.try_send(event);
                };
                idle::watch(
                    &account.server.incoming,
                    &account.username,
                    account.password.expose(),
                    &name,
                    known_total,
                    notify,
                    stopped,
                )
                .await;
            }
            .in_current_span(),
        );
        Watcher { folder: folder.to_owned(), task: Some(task), stop }
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

/// What a session holds from the moment its socket is accepted: its place among the
/// gateway's sessions, its place among its client's sessions that have not signed in, and the
/// read budget of its connection.
pub struct Places {
    pub session: SessionSlot,
    pub unsigned: UnsignedSlot,
    pub budget: ReadBudget,
}

/// Serves one browser tab.
pub async fn run(socket: WebSocket, gateway: Arc<Gateway>, client: IpAddr, places: Places) {
    let id = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    let span = tracing::info_span!("session", id, %client);
    METRICS.sessions_open.fetch_add(1, Ordering::Relaxed);
    METRICS.sessions_total.fetch_add(1, Ordering::Relaxed);
    let Places { session: _slot, unsigned, budget } = places;
    // Until an account signs in, the socket may send only a little in all: a hostile client
    // cannot make the gateway buffer a big frame, or many.
    budget.limit(gateway.config.limits.max_bytes_before_signin);
    serve(socket, gateway.clone(), client, id, unsigned, budget).instrument(span).await;
    gateway.downloads.revoke(id, None);
    METRICS.sessions_open.fetch_sub(1, Ordering::Relaxed);
}

/// How long a stopping gateway waits for a session's requests under way (a send, above all)
/// before it closes the session anyway.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The WebSocket close code a stopping gateway sends: "Service Restart", reconnect.
const SERVICE_RESTART: u16 = 1012;

/// The close code for a socket on which nobody signed in in time. The app reconnects quietly.
pub const SIGN_IN_TIMEOUT: u16 = 4001;

/// Why the read loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The browser left, or its socket failed: requests under way are cancelled.
    Gone,
    /// Nobody signed in in time.
    SignInTimeout,
    /// The gateway stops: requests under way finish and are answered first.
    Restarting,
}

async fn serve(
    socket: WebSocket,
    gateway: Arc<Gateway>,
    peer: IpAddr,
    session: u64,
    unsigned: UnsignedSlot,
    budget: ReadBudget,
) {
    info!("connected");
    let (mut sink, mut stream) = socket.split();
    let (replies, mut outbox) = mpsc::channel::<ServerFrame>(64);

    // Told to finish when the session ends: senders of `replies` live on in request tasks and
    // in the session state, so the channel alone would keep the writer waiting forever.
    let (finish, mut finished) = tokio::sync::oneshot::channel::<Ending>();
    // Set when the writer finds the socket gone, so a reader waiting for a free request place
    // does not wait for requests whose answers nobody will read.
    let writer_gone = Arc::new(tokio::sync::Notify::new());
    let ping_every = Duration::from_secs(gateway.config.limits.ping_interval_secs.max(1));
    let writer = tokio::spawn({
        let writer_gone = writer_gone.clone();
        async move {
            // Pings make a live browser answer (its Pong counts as activity) and find dead ones.
            let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
            loop {
                let frame = tokio::select! {
                    frame = outbox.recv() => frame,
                    _ = pings.tick() => {
                        if sink.send(Message::Ping(Default::default())).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    ending = &mut finished => {
                        let close = match ending.unwrap_or(Ending::Gone) {
                            // A stopping gateway says so, and the browser reconnects elsewhere.
                            Ending::Restarting => Some((SERVICE_RESTART, "gateway restarting: reconnect")),
                            Ending::SignInTimeout => Some((SIGN_IN_TIMEOUT, "no sign-in: reconnect when needed")),
                            Ending::Gone => None,
                        };
                        if let Some((code, reason)) = close {
                            let frame = axum::extract::ws::CloseFrame { code, reason: reason.into() };
                            let _ = sink.send(Message::Close(Some(frame))).await;
                        }
                        None
                    }
                };
                let Some(frame) = frame else { break };
                let json = match serde_json::to_string(&frame) {
                    Ok(json) => json,
                    Err(e) => {
                        warn!("cannot encode a reply: {e}");
                        continue;
                    }
                };
                METRICS.websocket_bytes_out.fetch_add(json.len() as u64, Ordering::Relaxed);
                if sink.send(Message::Text(json.into())).await.is_err() {
                    break;
                }
            }
            writer_gone.notify_one();
            let _ = sink.close().await;
        }
        .in_current_span()
    });

    let welcome = ServerFrame::Welcome(Welcome {
        protocol: PROTOCOL_VERSION,
        gateway: env!("CARGO_PKG_VERSION").to_owned(),
        servers: gateway.config.server_infos(),
    });
    let _ = replies.send(welcome).await;

    let limits = &gateway.config.limits;
    let accounts = Arc::new(Accounts {
        session,
        by_id: std::sync::Mutex::default(),
        uploads: Arc::new(std::sync::Mutex::new(Uploads::new(limits.max_upload_bytes))),
        events: replies.clone(),
        max: limits.max_accounts,
        signing_in: Mutex::default(),
        unsigned: std::sync::Mutex::new(Some(unsigned)),
        budget,
        ever_signed_in: Default::default(),
    });
    let mut stopping = gateway.stopping.subscribe();
    let login_deadline = tokio::time::Instant::now() + Duration::from_secs(limits.login_timeout_secs);
    let silence_limit = ping_every * 3;
    // Requests under way: at most `max_requests_in_flight`; when all places are taken the
    // socket is not read (backpressure), so a flood waits in the client's own buffers.
    let places = Arc::new(tokio::sync::Semaphore::new(limits.max_requests_in_flight.max(1)));
    let mut requests = tokio::task::JoinSet::new();
    let ending = loop {
        while requests.try_join_next().is_some() {}
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("never closed"),
            () = writer_gone.notified() => break Ending::Gone,
            _ = stopping.wait_for(|stop| *stop) => break Ending::Restarting,
        };
        let message = tokio::select! {
            message = tokio::time::timeout(silence_limit, stream.next()) => match message {
                Ok(message) => message,
                Err(_) => {
                    info!("no sign of the browser for {silence_limit:?}: closing");
                    break Ending::Gone;
                }
            },
            _ = tokio::time::sleep_until(login_deadline), if !accounts.any_signed_in().await => {
                info!("not signed in within {} s: closing", limits.login_timeout_secs);
                break Ending::SignInTimeout;
            }
            _ = stopping.wait_for(|stop| *stop) => {
                info!("gateway stopping: closing the session so the browser reconnects");
                break Ending::Restarting;
            }
        };
        let Some(message) = message else { break Ending::Gone };
        let text = match message {
            Ok(Message::Text(text)) => {
                METRICS.websocket_bytes_in.fetch_add(text.len() as u64, Ordering::Relaxed);
                text
            }
            Ok(Message::Close(_)) => break Ending::Gone,
            Err(e) => {
                debug!("socket failed: {e}");
                break Ending::Gone;
            }
            Ok(_) => continue,
        };
        let frame: ClientFrame = match serde_json::from_str(&text) {
            Ok(frame) => frame,
            Err(e) => {
                // Without a readable id there is nobody to answer; say why and go on.
                warn!("unreadable frame: {e}");
                continue;
            }
        };
        let (gateway, accounts, replies) = (gateway.clone(), accounts.clone(), replies.clone());
        requests.spawn(
            async move {
                let id = frame.id;
                let work = route(&gateway, &accounts, peer, frame.account, frame.request);
                // A bug that panics costs this request, answered as such; never the session.
                let result = std::panic::AssertUnwindSafe(work).catch_unwind().await.unwrap_or_else(|_| {
                    error!(id, "request handler failed");
                    Err(ApiError::new(ErrorKind::Internal, "the gateway failed on this request"))
                });
                METRICS.requests_total.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = &result {
                    METRICS.error(e.kind);
                    log_failure(id, e);
                }
                let _ = replies.send(ServerFrame::Reply { id, result }).await;
                drop(place);
            }
            .in_current_span(),
        );
    };

    if ending == Ending::Restarting {
        // Draining: what was asked is finished and answered (a message being sent goes out and
        // its receipt reaches the browser) before the session closes.
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, async { while requests.join_next().await.is_some() {} }).await;
    }
    // Whatever is still running has nobody to answer: stop it, and free what it holds.
    requests.abort_all();
    while requests.join_next().await.is_some() {}
    drop(replies);
    let _ = finish.send(ending);
    let _ = writer.await;
    accounts.remove_all().await;
    info!("disconnected");
}

/// A failed request, logged where an operator sees it: the server's refusals and lost
/// connections at INFO, the gateway's own faults at WARN, the client's mistakes at DEBUG.
fn log_failure(id: u32, error: &ApiError) {
    match error.kind {
        ErrorKind::Internal | ErrorKind::Protocol | ErrorKind::Tls => {
            warn!(id, kind = ?error.kind, "request failed: {}", error.message)
        }
        ErrorKind::BadRequest | ErrorKind::NotLoggedIn => {
            debug!(id, kind = ?error.kind, "request failed: {}", error.message)
        }
        _ => info!(id, kind = ?error.kind, "request failed: {}", error.message),
    }
}

/// Hands a request to the account it names; signing in and out add and remove accounts.
async fn route(
    gateway: &Gateway,
    accounts: &Accounts,
    peer: IpAddr,
    account: AccountId,
    request: Request,
) -> Result<Response, ApiError> {
    match request {
        Request::Login { server, username, password } => {
            let session = accounts.get_or_add(account)?;
            let _one_at_a_time = accounts.signing_in.lock().await;
            let attempt = gateway.login_throttle.begin(peer, &throttle_key(gateway, &server, &username))?;
            let result = login(gateway, &session, &server, &username, password).await;
            attempt.finish(outcome(&result));
            if result.is_ok() {
                accounts.signed_in();
            }
            result
        }
        Request::TestAccount { server, username, password } => {
            let _one_at_a_time = accounts.signing_in.lock().await;
            let attempt = gateway.login_throttle.begin(peer, &throttle_key(gateway, &server, &username))?;
            let result = test_account(gateway, &server, &username, password).await;
            attempt.finish(outcome(&result));
            result
        }
        Request::Logout => {
            gateway.downloads.revoke(accounts.session, Some(account));
            accounts.remove(account).await;
            Ok(Response::Done)
        }
        request => match accounts.get(account) {
            Some(session) => handle(gateway, &session, request).await,
            None => Err(ApiError::new(ErrorKind::NotLoggedIn, "log in first")),
        },
    }
}

/// Role choices are few and name folders: bounded, so a client cannot make a session hold much.
fn check_role_choices(choices: &[RoleChoice]) -> Result<(), ApiError> {
    let usable = |c: &RoleChoice| c.folder.len() <= 1024 && !c.folder.contains(['\r', '\n', '\0']);
    if choices.len() > MAX_ROLE_CHOICES || !choices.iter().all(usable) {
        return Err(ApiError::new(ErrorKind::BadRequest, "too many or unusable folder role choices"));
    }
    Ok(())
}

/// The account a sign-in is for, as the throttle counts it: the server and the login name.
fn throttle_key(gateway: &Gateway, server_id: &str, typed_username: &str) -> String {
    let login = gateway
        .config
        .server(server_id)
        .map_or_else(|| typed_username.to_owned(), |s| s.login_name(typed_username.trim()));
    format!("{server_id}:{login}")
}

/// What a sign-in's result tells the throttle: only a refused password is a guess; an
/// unreachable server is not.
fn outcome(result: &Result<Response, ApiError>) -> Outcome {
    match result {
        Ok(Response::AccountTest(test)) => {
            let tried = [&test.incoming, &test.outgoing];
            if tried.iter().any(|r| matches!(r, Err(e) if e.kind == ErrorKind::AuthFailed)) {
                Outcome::WrongPassword
            } else if tried.iter().any(|r| r.is_ok()) {
                Outcome::Succeeded
            } else {
                Outcome::NotTried
            }
        }
        Ok(_) => Outcome::Succeeded,
        Err(e) if e.kind == ErrorKind::AuthFailed => Outcome::WrongPassword,
        Err(_) => Outcome::NotTried,
    }
}

async fn handle(gateway: &Gateway, state: &AccountSession, request: Request) -> Result<Response, ApiError> {
    match request {
        Request::Login { .. } | Request::TestAccount { .. } | Request::Logout => {
            unreachable!("routed before an account is chosen")
        }
        Request::ListFolders => with_imap(state, |imap| Box::pin(imap.list_folders())).await.map(Response::Folders),
        Request::SetFolderRoles { choices } => {
            check_role_choices(&choices)?;
            *lock(&state.chosen_roles) = choices;
            Ok(Response::Done)
        }
        Request::ListMessages { folder, offset, limit, sort } => {
            let limit = limit.clamp(1, MAX_PAGE);
            let page = with_imap(state, |imap| {
                let folder = folder.clone();
                Box::pin(async move { imap.list_messages(&folder, offset, limit, sort).await })
            })
            .await?;
            // The folder on screen is the one to push news about.
            state.watch(&logged_in(state).await?, &folder, page.total);
            Ok(Response::Messages(page))
        }
        Request::SyncMessages { folder, since } => {
            if since.uids.len() > MAX_SYNC_UIDS {
                return Err(ApiError::new(ErrorKind::BadRequest, "too many rows to sync; list the folder again"));
            }
            let changes = with_imap(state, |imap| {
                let (folder, since) = (folder.clone(), since.clone());
                Box::pin(async move { imap.sync_messages(&folder, &since).await })
            })
            .await?;
            state.watch(&logged_in(state).await?, &folder, changes.total);
            Ok(Response::Changes(changes))
        }
        Request::GetMessage { folder, uid } => with_imap(state, |imap| {
            let folder = folder.clone();
            Box::pin(async move { imap.get_message(&folder, uid).await })
        })
        .await
        .map(|m| Response::Message(Box::new(m))),
        Request::SetFlag { folder, uids, flag, value } => with_imap(state, |imap| {
            let (folder, uids) = (folder.clone(), uids.clone());
            Box::pin(async move { imap.set_flag(&folder, &uids, flag, value).await })
        })
        .await
        .map(|()| Response::Done),
        Request::Move { folder, uids, to } => with_imap(state, |imap| {
            let (folder, uids, to) = (folder.clone(), uids.clone(), to.clone());
            Box::pin(async move { imap.move_messages(&folder, &uids, &to).await })
        })
        .await
        .map(|()| Response::Done),
        Request::GetSource { folder, uid } => with_imap(state, |imap| {
            let folder = folder.clone();
            Box::pin(async move { imap.get_source(&folder, uid, crate::mime::MAX_SOURCE).await })
        })
        .await
        .map(|(raw, truncated)| Response::Source { text: String::from_utf8_lossy(&raw).into_owned(), truncated }),
        Request::CreateFolder { name } => with_imap(state, |imap| {
            let name = name.clone();
            Box::pin(async move { imap.create_folder(&name).await.map(drop) })
        })
        .await
        .map(|()| Response::Done),
        Request::RenameFolder { folder, to } => with_imap(state, |imap| {
            let (folder, to) = (folder.clone(), to.clone());
            Box::pin(async move { imap.rename_folder(&folder, &to).await })
        })
        .await
        .map(|()| Response::Done),
        Request::DeleteFolder { folder } => with_imap(state, |imap| {
            let folder = folder.clone();
            Box::pin(async move { imap.delete_folder(&folder).await })
        })
        .await
        .map(|()| Response::Done),
        Request::Subscribe { folder, subscribed } => with_imap(state, |imap| {
            let folder = folder.clone();
            Box::pin(async move { imap.subscribe(&folder, subscribed).await })
        })
        .await
        .map(|()| Response::Done),
        Request::MarkFolderRead { folder } => with_imap(state, |imap| {
            let folder = folder.clone();
            Box::pin(async move { imap.mark_folder_read(&folder).await })
        })
        .await
        .map(|()| Response::Done),
        Request::EmptyFolder { folder } => with_imap(state, |imap| {
            let folder = folder.clone();
            Box::pin(async move { imap.empty_folder(&folder).await })
        })
        .await
        .map(|()| Response::Done),
        Request::Expunge { folder, uids } => with_imap(state, |imap| {
            let (folder, uids) = (folder.clone(), uids.clone());
            Box::pin(async move { imap.expunge(&folder, &uids).await })
        })
        .await
        .map(|()| Response::Done),
        Request::Search { folder, query, limit } => {
            let limit = limit.clamp(1, MAX_PAGE);
            with_imap(state, |imap| {
                let (folder, query) = (folder.clone(), query.clone());
                Box::pin(async move { imap.search(&folder, &query, limit).await })
            })
            .await
            .map(Response::Messages)
        }
        Request::PrepareDownload { folder, uid, section, filename } => {
            let account = logged_in(state).await?;
            section_numbers(&section)?;
            let owner = TicketOwner { session: state.session, account: state.id };
            let ticket = Ticket {
                server: account.server.clone(),
                username: account.username.clone(),
                password: account.password.clone(),
                folder,
                uid,
                section,
                filename,
                owner,
            };
            let url = gateway.downloads.issue(ticket, gateway.config.limits.max_downloads_per_session)?;
            Ok(Response::Download { url })
        }
        Request::Upload { upload, offset, total, data } => {
            logged_in(state).await?;
            lock(&state.uploads).append(&upload, offset, total, &data)?;
            Ok(Response::Done)
        }
        Request::DiscardUpload { upload } => {
            lock(&state.uploads).discard(&upload);
            Ok(Response::Done)
        }
        Request::ComposeInfo => outgoing::compose_info(state).await,
        Request::SaveDraft { message } => outgoing::save_draft(state, message).await,
        Request::DeleteDraft { message_id } => {
            outgoing::delete_drafts(state, &message_id).await.map(|()| Response::Done)
        }
        Request::Send { message } => {
            let started = std::time::Instant::now();
            let result = outgoing::send(state, message).await;
            if result.is_ok() {
                METRICS.send_took(started.elapsed());
            }
            result
        }
        Request::GetSettings => {
            if logged_in(state).await?.protocol == IncomingProtocol::Pop3 {
                return Ok(Response::Settings { roaming: false, settings: None });
            }
            with_imap(state, |imap| {
                Box::pin(async move {
                    let roaming = imap.has_metadata();
                    let settings = imap_settings::load(imap).await?;
                    Ok(Response::Settings { roaming, settings })
                })
            })
            .await
        }
        Request::SaveSettings { settings } => with_imap(state, |imap| {
            let settings = settings.clone();
            Box::pin(async move { imap_settings::save(imap, &settings).await })
        })
        .await
        .map(|()| Response::Done),
        Request::Pop3List => fetching::list(state).await,
        Request::Pop3Fetch { uidls } => fetching::fetch(state, &uidls).await,
        Request::Pop3Delete { uidls } => fetching::delete(state, &uidls).await,
    }
}

fn server(gateway: &Gateway, server_id: &str) -> Result<Arc<ServerRuntime>, ApiError> {
    // Only the operator's servers, by id: the gateway is not an open proxy.
    gateway
        .servers
        .get(server_id)
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("unknown server {server_id:?}")))
}

/// The allowed server `server_id`, its incoming protocol, and the login name for what the user
/// typed (with the server's domain added where configured).
fn resolve(
    gateway: &Gateway,
    server_id: &str,
    typed_username: &str,
) -> Result<(Arc<ServerRuntime>, IncomingProtocol, String), ApiError> {
    let server = server(gateway, server_id)?;
    let protocol = server.config.incoming().0;
    let username = server.config.login_name(typed_username.trim());
    Ok((server, protocol, username))
}

/// Signs in to the incoming server and out again, and to the submission server, and reports
/// each; nothing is kept.
async fn test_account(
    gateway: &Gateway,
    server_id: &str,
    typed_username: &str,
    password: Secret,
) -> Result<Response, ApiError> {
    let (server, protocol, username) = resolve(gateway, server_id, typed_username)?;
    let incoming = async {
        match protocol {
            IncomingProtocol::Imap => {
                ImapConnection::login(&server.incoming, &username, password.expose()).await?.logout().await;
            }
            IncomingProtocol::Pop3 => {
                Pop3Connection::login(&server.incoming, &username, password.expose()).await?.quit().await?;
            }
        }
        Ok(())
    };
    let outgoing = async { server.smtp.features(&username, password.expose()).await.map(|_| ()) };
    let (incoming, outgoing) = tokio::join!(incoming, outgoing);
    info!(server = server_id, incoming = incoming.is_ok(), outgoing = outgoing.is_ok(), "account tested");
    Ok(Response::AccountTest(AccountTest { incoming_protocol: protocol, incoming, outgoing }))
}

async fn login(
    gateway: &Gateway,
    state: &AccountSession,
    server_id: &str,
    typed_username: &str,
    password: Secret,
) -> Result<Response, ApiError> {
    let (server, protocol, username) = resolve(gateway, server_id, typed_username)?;
    // IMAP keeps its connection for the session; POP3 only proves the password here, since
    // each POP3 use is a short session of its own.
    let imap = match protocol {
        IncomingProtocol::Imap => Some(ImapConnection::login(&server.incoming, &username, password.expose()).await?),
        IncomingProtocol::Pop3 => {
            Pop3Connection::login(&server.incoming, &username, password.expose()).await?.quit().await?;
            None
        }
    };
    info!(server = server_id, ?protocol, account = state.id, "logged in");
    let from = parse_mailbox("From", &username)
        .unwrap_or_else(|_| Mailbox::new(None, "invalid@invalid".parse().expect("valid")));
    let info = SessionInfo { username: username.clone(), email: from.email.to_string(), incoming: protocol };
    let account = Arc::new(Account { server, protocol, username, password, from, smtp_max_size: Default::default() });
    let old = std::mem::replace(&mut *state.imap.lock().await, imap);
    if let Some(old) = old {
        old.logout().await;
    }
    if protocol == IncomingProtocol::Imap {
        state.watch_inbox(&account);
    }
    *state.account.write().await = Some(account);
    Ok(Response::LoggedIn(info))
}

pub(crate) async fn logged_in(state: &AccountSession) -> Result<Arc<Account>, ApiError> {
    state.account.read().await.clone().ok_or_else(|| ApiError::new(ErrorKind::NotLoggedIn, "log in first"))
}

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
            *slot = Some(
                ImapConnection::login(&account.server.incoming, &account.username, account.password.expose()).await?,
            );
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
