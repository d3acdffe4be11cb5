//! Push: a second IMAP connection per session waits in IDLE (RFC 2177) on the open folder and
//! reports when messages arrive, leave or change, so the browser can refresh without polling.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use tracing::{debug, warn};
use yubin_protocol::{ApiError, ErrorKind};

use super::imap::{imap_error, ImapConnection};
use super::net::Upstream;

/// Servers drop IDLE after 30 minutes of silence (RFC 2177); renew well before.
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);
/// Deliveries come in bursts; report a burst once.
const SETTLE: Duration = Duration::from_millis(250);
/// Wait before reconnecting after the connection broke, doubling up to the maximum.
const RETRY_FIRST: Duration = Duration::from_secs(2);
const RETRY_MAX: Duration = Duration::from_secs(120);

/// Watches `folder` until the task is aborted, calling `changed` after each burst of changes.
/// `known_total` is the folder's size as the browser last saw it: mail that arrived before the
/// watch began is reported too. Reconnects when the connection drops; gives up only if the
/// credentials stop working.
pub async fn watch(
    upstream: &Upstream,
    username: &str,
    password: &str,
    folder: &str,
    known_total: u32,
    changed: impl Fn(),
) {
    let mut retry = RETRY_FIRST;
    let mut reconnecting = false;
    loop {
        let known = (!reconnecting).then_some(known_total);
        match watch_once(upstream, username, password, folder, &changed, &mut retry, known).await {
            Err(e) if e.kind == ErrorKind::AuthFailed => {
                warn!(folder, "IDLE stopped: {}", e.message);
                return;
            }
            Err(e) => debug!(folder, "IDLE connection ended: {}; retrying in {retry:?}", e.message),
            Ok(()) => {}
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_MAX);
        reconnecting = true;
    }
}

async fn watch_once(
    upstream: &Upstream,
    username: &str,
    password: &str,
    folder: &str,
    changed: &impl Fn(),
    retry: &mut Duration,
    known_total: Option<u32>,
) -> Result<(), ApiError> {
    let connection = ImapConnection::login(upstream, username, password).await?;
    let (mut session, total) = connection.into_session_on(folder).await?;
    *retry = RETRY_FIRST;
    // After a reconnect anything may have happened; on the first connect, only a change of size
    // since the browser's listing (mail delivered before IDLE began) is news.
    if known_total != Some(total) {
        changed();
    }
    loop {
        let mut idle = session.idle();
        idle.init().await.map_err(imap_error)?;
        let mut news = false;
        let (wait, _stop) = idle.wait_with_timeout(IDLE_RENEW);
        match wait.await.map_err(imap_error)? {
            IdleResponse::NewData(_) => news = true,
            IdleResponse::Timeout | IdleResponse::ManualInterrupt => {}
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
