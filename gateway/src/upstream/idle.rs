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
/// watch began is reported too. `None` when the browser has not listed the folder (the inbox
/// watched for its unread count while another folder is open): nothing to compare with. Reconnects when the connection drops; gives up only if the
/// credentials stop working.
pub async fn watch(
    upstream: &Upstream,
    username: &str,
    password: &str,
    folder: &str,
    known_total: Option<u32>,
    changed: impl Fn(),
) {
    let mut retry = RETRY_FIRST;
    let mut reconnecting = false;
    loop {
        let start = match (reconnecting, known_total) {
            (true, _) => StartCheck::Always,
            (false, Some(total)) => StartCheck::Against(total),
            (false, None) => StartCheck::Never,
        };
        match watch_once(upstream, username, password, folder, &changed, &mut retry, start).await {
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

/// Whether to report a change as soon as a watch (re)connects.
#[derive(Debug, Clone, Copy)]
enum StartCheck {
    /// After a reconnect anything may have happened.
    Always,
    /// On the first connect, only a change of size since the browser's listing is news.
    Against(u32),
    /// Nothing to compare with.
    Never,
}

async fn watch_once(
    upstream: &Upstream,
    username: &str,
    password: &str,
    folder: &str,
    changed: &impl Fn(),
    retry: &mut Duration,
    start: StartCheck,
) -> Result<(), ApiError> {
    let connection = ImapConnection::login(upstream, username, password).await?;
    let (mut session, total) = connection.into_session_on(folder).await?;
    *retry = RETRY_FIRST;
    let news = match start {
        StartCheck::Always => true,
        StartCheck::Against(known) => known != total,
        StartCheck::Never => false,
    };
    if news {
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
