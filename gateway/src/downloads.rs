//! Attachment downloads over plain HTTP, so the browser saves them natively.
//!
//! The WebSocket session asks for a ticket (`PrepareDownload`); the browser then fetches
//! `/download/<token>`. A ticket works once and for a minute, and lives only in memory, bound
//! to the session and account that asked for it: signing out or closing the tab revokes it, a
//! session holds at most a few, and expired ones are swept on a timer. The
//! part is fetched from IMAP in slices, decoded on the fly and streamed: the gateway never holds
//! the whole attachment. It is always served as `application/octet-stream` with
//! `Content-Disposition: attachment`, `nosniff` and a sandboxing CSP, so no attachment can be
//! rendered as a page of the gateway's origin.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::sync::mpsc;
use tracing::warn;
use yubin_protocol::Uid;

use crate::gateway::Gateway;
use crate::transfer_decoding::StreamDecoder;
use crate::upstream::imap::ImapConnection;

/// Bytes fetched per IMAP round trip: large enough to be fast, small enough to stay light.
const SLICE: u32 = 256 * 1024;

/// Sweeps `gateway`'s expired tickets every few seconds until the gateway is gone.
pub fn sweep_periodically(gateway: std::sync::Weak<Gateway>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(10));
        loop {
            every.tick().await;
            let Some(gateway) = gateway.upgrade() else { break };
            gateway.downloads.sweep();
        }
    });
}

pub async fn serve(State(gateway): State<Arc<Gateway>>, Path(token): Path<String>) -> Response {
    let Some(ticket) = gateway.downloads.redeem(&token) else {
        return (StatusCode::NOT_FOUND, "This download link has expired. Open the message and try again.")
            .into_response();
    };
    // Connect and learn the encoding before answering, so failures get a proper status.
    let prepared = async {
        let mut imap =
            ImapConnection::login(&ticket.server.incoming, &ticket.username, &ticket.credential.proof().await?).await?;
        let encoding = imap.section_encoding(&ticket.folder, ticket.uid, &ticket.section).await?;
        Ok::<_, yubin_protocol::ApiError>((imap, encoding))
    };
    let (imap, encoding) = match prepared.await {
        Ok(ok) => ok,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.message).into_response(),
    };
    let (chunks, body) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(stream_part(imap, ticket.uid, ticket.section, StreamDecoder::for_encoding(&encoding), chunks));
    // Fused: a finished body may be polled once more.
    let stream =
        futures::stream::unfold(body, |mut body| async move { body.recv().await.map(|item| (item, body)) }).fuse();
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, content_disposition(&ticket.filename)),
            (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream.boxed()),
    )
        .into_response()
}

async fn stream_part(
    mut imap: ImapConnection,
    uid: Uid,
    section: String,
    mut decoder: StreamDecoder,
    chunks: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut offset = 0u64;
    loop {
        let slice = match imap.section_chunk(uid, &section, offset, SLICE).await {
            Ok(slice) => slice,
            Err(e) => {
                warn!("download of {uid}/{section} broke off: {}", e.message);
                // Ending the body with an error makes the browser mark the download failed.
                let _ = chunks.send(Err(std::io::Error::other(e.message))).await;
                break;
            }
        };
        offset += slice.len() as u64;
        let last = slice.len() < SLICE as usize;
        let decoded = decoder.push(&slice);
        if !decoded.is_empty() && chunks.send(Ok(Bytes::from(decoded))).await.is_err() {
            break; // the browser went away
        }
        if last {
            let rest = std::mem::replace(&mut decoder, StreamDecoder::Identity).finish();
            if !rest.is_empty() {
                let _ = chunks.send(Ok(Bytes::from(rest))).await;
            }
            break;
        }
    }
    imap.logout().await;
}

/// RFC 6266: an ASCII fallback name and the real one, UTF-8 percent-encoded.
fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn filenames_are_quoted_safely() {
        assert_eq!(
            content_disposition("資料 \"v2\".pdf"),
            "attachment; filename=\"__ _v2_.pdf\"; filename*=UTF-8''%E8%B3%87%E6%96%99%20%22v2%22.pdf"
        );
        assert!(!content_disposition("a\r\nSet-Cookie: x").contains('\n'));
    }
}
