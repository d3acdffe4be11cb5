//! One browser tab's WebSocket: decode frames, run requests, send replies.
//!
//! Each request runs in its own task so a slow send does not hold up reading mail; replies go
//! back through one writer task. The tab's accounts ([`crate::account`]) live as long as the
//! socket; what a request does is in [`crate::handlers`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures::{FutureExt, SinkExt, StreamExt};
use tokio::sync::{mpsc, Mutex};
use tracing::{debug, error, info, warn, Instrument};
use yubin_protocol::{
    AccountId, ApiError, ClientFrame, ErrorKind, Request, Response, ServerFrame, Welcome, PROTOCOL_VERSION,
};

use crate::account::AccountSession;
use crate::gateway::Gateway;
use crate::handlers::{self, sign_in};
use crate::limits::{SessionSlot, UnsignedSlot};
use crate::lock;
use crate::metrics::METRICS;
use crate::server::ReadBudget;
use crate::uploads::Uploads;

static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

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
        let session = Arc::new(AccountSession::new(id, self.uploads.clone(), self.events.clone(), self.session));
        by_id.insert(id, session.clone());
        Ok(session)
    }

    async fn any_signed_in(&self) -> bool {
        let all: Vec<_> = lock(&self.by_id).values().cloned().collect();
        for session in all {
            if session.is_signed_in().await {
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
    let (sink, mut stream) = socket.split();
    let (replies, outbox) = mpsc::channel::<ServerFrame>(64);

    // Told to finish when the session ends: senders of `replies` live on in request tasks and
    // in the session state, so the channel alone would keep the writer waiting forever.
    let (finish, finished) = tokio::sync::oneshot::channel::<Ending>();
    // Set when the writer finds the socket gone, so a reader waiting for a free request place
    // does not wait for requests whose answers nobody will read.
    let writer_gone = Arc::new(tokio::sync::Notify::new());
    let ping_every = Duration::from_secs(gateway.config.limits.ping_interval_secs.max(1));
    let writer = tokio::spawn(write_frames(sink, outbox, finished, writer_gone.clone(), ping_every).in_current_span());

    let welcome = ServerFrame::Welcome(Welcome {
        protocol: PROTOCOL_VERSION,
        gateway: env!("CARGO_PKG_VERSION").to_owned(),
        servers: gateway.config.server_infos(),
        keyserver: gateway.keyserver.as_ref().map(|k| k.name()),
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
        requests.spawn(answer(gateway, accounts, peer, frame, replies, place).in_current_span());
        // Let the request start before the next frame is read: it then queues for its
        // account's IMAP connection in the order the browser sent it. (Spawned in a burst, the
        // scheduler runs the newest first, and a settings request sent after the inbox's list
        // would hold the connection while the list waits.)
        tokio::task::yield_now().await;
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

/// Writes replies and events to the socket until told the session ended (then says why, with
/// a close code the app acts on), pinging the browser meanwhile: its Pong counts as activity,
/// and a dead one is found.
async fn write_frames(
    mut sink: futures::stream::SplitSink<WebSocket, Message>,
    mut outbox: mpsc::Receiver<ServerFrame>,
    mut finished: tokio::sync::oneshot::Receiver<Ending>,
    writer_gone: Arc<tokio::sync::Notify>,
    ping_every: Duration,
) {
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
        let json = match serde_json::to_vec(&frame) {
            Ok(json) => json,
            Err(e) => {
                warn!("cannot encode a reply: {e}");
                continue;
            }
        };
        METRICS.websocket_bytes_out.fetch_add(json.len() as u64, Ordering::Relaxed);
        if sink.send(frame_message(&frame, json)).await.is_err() {
            break;
        }
    }
    writer_gone.notify_one();
    let _ = sink.close().await;
}

/// The WebSocket message for an encoded frame. Replies and events go as binary messages: the
/// browser hands their bytes to the app as they are, where a text message is decoded into a
/// JavaScript string that the app encodes back to UTF-8 (for a first POP3 sync of 10k
/// messages, ~130 MB each way). `Welcome` stays text, so that an app from before reads the
/// version in it and asks to be reloaded.
fn frame_message(frame: &ServerFrame, json: Vec<u8>) -> Message {
    match frame {
        ServerFrame::Welcome(_) => Message::Text(String::from_utf8(json).unwrap_or_default().into()),
        _ => Message::Binary(json.into()),
    }
}

/// Carries out one request and sends its answer; its place is free again when done. A bug
/// that panics costs this request, answered as such; never the session.
async fn answer(
    gateway: Arc<Gateway>,
    accounts: Arc<Accounts>,
    peer: IpAddr,
    frame: ClientFrame,
    replies: mpsc::Sender<ServerFrame>,
    place: tokio::sync::OwnedSemaphorePermit,
) {
    let id = frame.id;
    let work = route(&gateway, &accounts, peer, frame.account, frame.request);
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
            let attempt = gateway.login_throttle.begin(peer, &sign_in::throttle_key(gateway, &server, &username))?;
            let result = sign_in::login(gateway, &session, &server, &username, password).await;
            attempt.finish(sign_in::outcome(&result));
            if result.is_ok() {
                accounts.signed_in();
            }
            result
        }
        Request::LoginOAuth { server, username, grant } => {
            let session = accounts.get_or_add(account)?;
            let _one_at_a_time = accounts.signing_in.lock().await;
            let who = username.as_deref().unwrap_or("(new OAuth grant)");
            let attempt = gateway.login_throttle.begin(peer, &sign_in::throttle_key(gateway, &server, who))?;
            let result = sign_in::login_oauth(gateway, &session, &server, username.as_deref(), grant).await;
            attempt.finish(sign_in::outcome(&result));
            if result.is_ok() {
                accounts.signed_in();
            }
            result
        }
        Request::TestAccount { server, username, password } => {
            let _one_at_a_time = accounts.signing_in.lock().await;
            let attempt = gateway.login_throttle.begin(peer, &sign_in::throttle_key(gateway, &server, &username))?;
            let result = sign_in::test_account(gateway, &server, &username, password).await;
            attempt.finish(sign_in::outcome(&result));
            result
        }
        Request::Logout => {
            gateway.downloads.revoke(accounts.session, Some(account));
            accounts.remove(account).await;
            Ok(Response::Done)
        }
        request => match accounts.get(account) {
            Some(session) => handlers::handle(gateway, &session, request).await,
            None => Err(ApiError::new(ErrorKind::NotLoggedIn, "log in first")),
        },
    }
}
