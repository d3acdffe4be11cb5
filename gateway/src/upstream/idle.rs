//! Push: a second IMAP connection per session waits in IDLE (RFC 2177) on the open folder and
//! reports when messages arrive, leave or change, so the browser can refresh without polling.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use tracing::{debug, warn};
use yubin_protocol::{ApiError, ErrorKind};

use super::credential::Credential;
use super::imap::{imap_error, FolderMark, ImapConnection};
use super::net::Upstream;

/// Servers drop IDLE after 30 minutes of silence (RFC 2177); renew well before.
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);
/// Deliveries come in bursts; report a burst once.
const SETTLE: Duration = Duration::from_millis(250);
/// Wait before reconnecting after the connection broke, doubling up to the maximum.
const RETRY_FIRST: Duration = Duration::from_secs(2);
const RETRY_MAX: Duration = Duration::from_secs(120);

/// Watches `folder` until `stop` turns true (it then leaves IDLE and logs out, so the server
/// sees a proper LOGOUT, not a dropped connection), calling `changed` after each burst of
/// changes.
/// `known` is where the folder stood when the browser last listed it: mail that arrived, left or
/// changed before the watch began is reported too. `None` when the browser has not listed the folder (the inbox
/// watched for its unread count while another folder is open): nothing to compare with. Reconnects when the connection drops; gives up only if the
/// credentials stop working.
pub async fn watch(
    upstream: &Upstream,
    username: &str,
    credential: &Credential,
    folder: &str,
    known: Option<FolderMark>,
    changed: impl Fn(),
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut retry = RETRY_FIRST;
    let mut reconnecting = false;
    loop {
        let start = match (reconnecting, known) {
            (true, _) => StartCheck::Always,
            (false, Some(mark)) => StartCheck::Against(mark),
            (false, None) => StartCheck::Never,
        };
        // Not raced against `stop`: a watch stopped mid-way would drop its connection without
        // LOGOUT. It checks `stop` itself once signed in, and while idling.
        let done =
            match watch_once(upstream, username, credential, folder, &changed, &mut retry, start, &mut stop).await {
                Err(e) if e.kind == ErrorKind::AuthFailed => {
                    warn!(folder, "IDLE stopped: {}", e.message);
                    return;
                }
                Err(e) => {
                    debug!(folder, "IDLE connection ended: {}; retrying in {retry:?}", e.message);
                    false
                }
                Ok(stopped) => stopped,
            };
        if done || *stop.borrow() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(retry) => {}
            () = stopped(&mut stop) => return, // no connection open while waiting
        }
        retry = (retry * 2).min(RETRY_MAX);
        reconnecting = true;
    }
}

/// Returns once `stop` is true (or its sender is gone).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Whether to report a change as soon as a watch (re)connects.
#[derive(Debug, Clone, Copy)]
enum StartCheck {
    /// After a reconnect anything may have happened.
    Always,
    /// On the first connect, only a change since the browser's listing is news.
    Against(FolderMark),
    /// Nothing to compare with.
    Never,
}

/// One connection's watch; `Ok(true)` when stopped (after DONE and LOGOUT).
#[allow(clippy::too_many_arguments)]
async fn watch_once(
    upstream: &Upstream,
    username: &str,
    credential: &Credential,
    folder: &str,
    changed: &impl Fn(),
    retry: &mut Duration,
    start: StartCheck,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> Result<bool, ApiError> {
    let connection = ImapConnection::login(upstream, username, &credential.proof().await?).await?;
    let (mut session, now) = connection.into_session_on(folder).await?;
    *retry = RETRY_FIRST;
    if *stop.borrow() {
        // Stopped while signing in: leave as a client should.
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        return Ok(true);
    }
    let news = match start {
        StartCheck::Always => true,
        StartCheck::Against(known) => known.changed_by(now),
        StartCheck::Never => false,
    };
    if news {
        changed();
    }
    loop {
        let mut idle = session.idle();
        idle.init().await.map_err(imap_error)?;
        let mut news = false;
        let mut stopping = false;
        let response = {
            let (wait, interrupt) = idle.wait_with_timeout(IDLE_RENEW);
            tokio::pin!(wait);
            tokio::select! {
                response = &mut wait => response,
                () = stopped(stop) => {
                    stopping = true;
                    drop(interrupt);
                    (&mut wait).await
                }
            }
        };
        match response.map_err(imap_error)? {
            IdleResponse::NewData(_) => news = !stopping,
            IdleResponse::Timeout | IdleResponse::ManualInterrupt => {}
        }
        if stopping {
            let mut session = idle.done().await.map_err(imap_error)?;
            let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
            return Ok(true);
        }
        if news {
            // Swallow the rest of the burst before reporting.
            loop {
                let (wait, _stop) = idle.wait_with_timeout(SETTLE);
                match wait.await.map_err(imap_error)? {
                    IdleResponse::NewData(_) => continue,
                    _ => break,
                }
            }
        }
        session = idle.done().await.map_err(imap_error)?;
        if news {
            changed();
        }
    }
}
