//! The browser's settings kept on the IMAP server as a server annotation (METADATA, RFC 5464),
//! so they follow the user to another browser without the gateway storing anything.
//!
//! The document is opaque to the gateway. It travels base64-encoded in a quoted string: that
//! keeps any character (and any attempt at breaking out of the string) out of the command
//! syntax, without needing literals, which async-imap's raw commands cannot send.

use base64::Engine;
use yubin_protocol::{ApiError, ErrorKind, MAX_SETTINGS_BYTES};

use super::imap::{imap_error, ImapConnection};

/// A private, vendor-specific server entry (RFC 5464 §3.2).
const ENTRY: &str = "/private/vendor/yubin/settings";

/// The stored settings, if the server keeps any; `None` also when it has no METADATA.
pub async fn load(imap: &mut ImapConnection) -> Result<Option<String>, ApiError> {
    if !imap.has_metadata() {
        return Ok(None);
    }
    let entries = imap.session().get_metadata("", "", ENTRY).await.map_err(imap_error)?;
    let Some(encoded) = entries.into_iter().find(|m| m.entry == ENTRY).and_then(|m| m.value) else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| ApiError::new(ErrorKind::Protocol, "the stored settings are not readable"))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ApiError::new(ErrorKind::Protocol, "the stored settings are not text"))
}

pub async fn save(imap: &mut ImapConnection, settings: &str) -> Result<(), ApiError> {
    if !imap.has_metadata() {
        return Err(ApiError::new(ErrorKind::Refused, "this mail server cannot keep settings (no METADATA)"));
    }
    if settings.len() > MAX_SETTINGS_BYTES {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("settings over {MAX_SETTINGS_BYTES} bytes")));
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(settings);
    let command = format!("SETMETADATA \"\" ({ENTRY} \"{encoded}\")");
    imap.session().run_command_and_check_ok(&command).await.map_err(imap_error)
}
