//! The browser's settings document, kept on the account's IMAP server (METADATA, RFC 5464) so
//! it follows the user; the gateway passes it through without reading it.

use yubin_protocol::{ApiError, IncomingProtocol};

use crate::account::{logged_in, on_imap, with_imap, AccountSession};
use crate::upstream::imap_settings;

/// Whether the server can keep settings, and what it keeps.
pub async fn get(state: &AccountSession) -> Result<(bool, Option<String>), ApiError> {
    if logged_in(state).await?.protocol == IncomingProtocol::Pop3 {
        return Ok((false, None));
    }
    with_imap(state, |imap| {
        Box::pin(async move {
            let roaming = imap.has_metadata();
            Ok((roaming, imap_settings::load(imap).await?))
        })
    })
    .await
}

pub async fn save(state: &AccountSession, settings: String) -> Result<(), ApiError> {
    on_imap!(state, |imap| (settings) => imap_settings::save(imap, &settings)).await
}
