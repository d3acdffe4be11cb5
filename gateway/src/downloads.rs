//! Attachment downloads, previews and zips, and folders as mbox files, over plain HTTP, so the browser saves and shows
//! them natively.
//!
//! The WebSocket session asks for a ticket (`PrepareDownload`, `PreparePreview`,
//! `PrepareZip`); the browser then fetches `/download/<token>`. A ticket works for a minute
//! (a download or zip once, a preview a few times) and lives only in memory, bound to the
//! session and account that asked for it: signing out or closing the tab revokes it, a session
//! holds at most a few, and expired ones are swept on a timer. Parts are fetched from IMAP in
//! slices, decoded on the fly and streamed: the gateway never holds a whole attachment, nor a
//! whole zip. A download is always `application/octet-stream` with `Content-Disposition:
//! attachment`; a preview only the type [`yubin_protocol::preview`] allows (never HTML or SVG:
//! those are shown as text). Both come with `nosniff` and a sandboxing CSP, so no attachment can
//! act as a page of the gateway's origin.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{AsyncWriteExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tracing::warn;
use yubin_protocol::preview::{preview, PreviewKind};
use yubin_protocol::{ApiError, Uid, ZipPart};

use crate::gateway::Gateway;
use crate::mbox::{separator, MboxMessage};
use crate::tickets::{Delivery, Ticket};
use crate::transfer_decoding::StreamDecoder;
use crate::upstream::imap::ImapConnection;

/// Bytes fetched per IMAP round trip: large enough to be fast, small enough to stay light.
const SLICE: u32 = 256 * 1024;
/// The most of a text attachment a preview shows (decoded to UTF-8 whole, so bounded).
const TEXT_PREVIEW_LIMIT: u32 = 1024 * 1024;
/// A download or a zip: nothing in it may run, even if a browser were to render it.
const SANDBOX: &str = "sandbox; default-src 'none'";
/// A preview: sandboxed too, and shown only inside the app's own pages.
const PREVIEW_POLICY: &str =
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

type Chunks = mpsc::Sender<Result<Bytes, std::io::Error>>;

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
    // Connected and the part looked at before answering, so failures get a proper status.
    let served = async {
        let imap =
            ImapConnection::login(&ticket.server.incoming, &ticket.username, &ticket.credential.proof().await?).await?;
        match ticket.delivery.clone() {
            Delivery::Download => download(imap, ticket).await,
            Delivery::Preview => shown(imap, ticket).await,
            Delivery::Zip(parts) => Ok(zip(imap, ticket, parts)),
            Delivery::Mbox(uids) => mbox(imap, ticket, uids).await,
        }
    };
    served.await.unwrap_or_else(|e| (StatusCode::BAD_GATEWAY, e.message).into_response())
}

/// The part (or whole message) as a file to save.
async fn download(mut imap: ImapConnection, ticket: Ticket) -> Result<Response, ApiError> {
    let encoding = imap.section_encoding(&ticket.folder, ticket.uid, &ticket.section).await?;
    let disposition = content_disposition(&ticket.filename);
    Ok(file_response("application/octet-stream", disposition, SANDBOX, part_body(imap, ticket, encoding)))
}

/// One part's decoded bytes as a body, streamed; the connection logs out at its end.
fn part_body(mut imap: ImapConnection, ticket: Ticket, encoding: String) -> Body {
    streamed(|chunks| async move {
        let decoder = StreamDecoder::for_encoding(&encoding);
        if let Err(e) = send_part(&mut imap, ticket.uid, &ticket.section, decoder, &chunks).await {
            warn!("download of {}/{} broke off: {}", ticket.uid, ticket.section, e.message);
            // Ending the body with an error makes the browser mark the download failed.
            let _ = chunks.send(Err(std::io::Error::other(e.message))).await;
        }
        imap.logout().await;
    })
}

/// The part shown in the browser, as the type its preview allows; text decoded to UTF-8.
async fn shown(mut imap: ImapConnection, ticket: Ticket) -> Result<Response, ApiError> {
    let header = crate::mime::part_header(&imap.section_mime(&ticket.folder, ticket.uid, &ticket.section).await?);
    let Some(preview) = preview(&header.media_type, header.filename.as_deref()) else {
        imap.logout().await;
        return Ok(
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "This attachment cannot be shown here; download it.").into_response()
        );
    };
    let name = header.filename.unwrap_or_default();
    let disposition = content_disposition(&name).replacen("attachment", "inline", 1);
    if preview.kind == PreviewKind::Text {
        let encoded = imap.section_prefix(ticket.uid, &ticket.section, TEXT_PREVIEW_LIMIT).await?;
        imap.logout().await;
        let decoded = crate::transfer_decoding::decode_all(&header.encoding, &encoded);
        let text = crate::charset::decode_bytes(&decoded, header.charset.as_deref());
        return Ok(file_response(preview.served_as, disposition, PREVIEW_POLICY, Body::from(text)));
    }
    Ok(file_response(preview.served_as, disposition, PREVIEW_POLICY, part_body(imap, ticket, header.encoding)))
}

/// `parts` as one zip, written while it streams (stored, not compressed: attachments mostly
/// are already, and the gateway's CPU is not spent on the rest).
fn zip(mut imap: ImapConnection, ticket: Ticket, parts: Vec<ZipPart>) -> Response {
    let (writer, mut reader) = tokio::io::duplex(64 * 1024);
    let (failed_tx, failed) = tokio::sync::oneshot::channel::<String>();
    let uid = ticket.uid;
    let folder = ticket.folder.clone();
    tokio::spawn(async move {
        if let Err(e) = write_zip(&mut imap, &folder, uid, &parts, writer).await {
            warn!("zip of {uid} broke off: {e}");
            let _ = failed_tx.send(e);
        }
        imap.logout().await;
    });
    let body = streamed(|chunks| async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => {
                    if chunks.send(Ok(Bytes::copy_from_slice(&buffer[..n]))).await.is_err() {
                        return; // the browser went away; the writer stops at its next write
                    }
                }
                Err(e) => {
                    let _ = chunks.send(Err(e)).await;
                    return;
                }
            }
        }
        // The writer ended: cleanly, or with a reason that must fail the download.
        if let Ok(why) = failed.await {
            let _ = chunks.send(Err(std::io::Error::other(why))).await;
        }
    });
    file_response("application/zip", content_disposition(&ticket.filename), SANDBOX, body)
}

async fn write_zip(
    imap: &mut ImapConnection,
    folder: &str,
    uid: Uid,
    parts: &[ZipPart],
    writer: tokio::io::DuplexStream,
) -> Result<(), String> {
    let mut zip = ZipFileWriter::with_tokio(writer);
    let mut names = HashSet::new();
    for part in parts {
        let encoding = imap.section_encoding(folder, uid, &part.section).await.map_err(|e| e.message)?;
        let name = unique_name(&mut names, &crate::filenames::safe_name(&part.filename));
        let entry = ZipEntryBuilder::new(name.into(), Compression::Stored);
        let mut file = zip.write_entry_stream(entry).await.map_err(|e| e.to_string())?;
        let mut decoder = StreamDecoder::for_encoding(&encoding);
        let mut slices = Slices::of(uid, &part.section);
        while let Some(slice) = slices.next(imap).await.map_err(|e| e.message)? {
            file.write_all(&decoder.push(&slice)).await.map_err(|e| e.to_string())?;
        }
        file.write_all(&decoder.finish()).await.map_err(|e| e.to_string())?;
        file.close().await.map_err(|e| e.to_string())?;
    }
    zip.close().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Messages of the ticket's folder (`uids`, or all) as one mbox file, a message at a time.
async fn mbox(mut imap: ImapConnection, ticket: Ticket, uids: Vec<Uid>) -> Result<Response, ApiError> {
    let all = imap.all_uids(&ticket.folder).await?;
    let wanted: HashSet<Uid> = uids.into_iter().collect();
    let uids = if wanted.is_empty() { all } else { all.into_iter().filter(|uid| wanted.contains(uid)).collect() };
    let body = streamed(|chunks| async move {
        if let Err(e) = send_mbox(&mut imap, &uids, &chunks).await {
            warn!("mbox export of {} broke off: {}", ticket.folder, e.message);
            let _ = chunks.send(Err(std::io::Error::other(e.message))).await;
        }
        imap.logout().await;
    });
    Ok(file_response("application/mbox", content_disposition(&ticket.filename), SANDBOX, body))
}

async fn send_mbox(imap: &mut ImapConnection, uids: &[Uid], chunks: &Chunks) -> Result<(), ApiError> {
    for batch in uids.chunks(200) {
        let arrivals = imap.arrivals(batch).await?;
        for uid in batch {
            // Expunged since the export began: left out.
            let Some(arrival) = arrivals.get(uid) else { continue };
            let mut message = MboxMessage::default();
            let mut out = separator(Some(*arrival));
            let mut slices = Slices::of(*uid, "");
            while let Some(slice) = slices.next(imap).await? {
                out.extend(message.push(&slice));
                if !slices.done && chunks.send(Ok(Bytes::from(std::mem::take(&mut out)))).await.is_err() {
                    return Ok(()); // the browser went away
                }
            }
            out.extend(message.finish());
            if chunks.send(Ok(Bytes::from(out))).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// `name`, or `name (2).ext` and so on if the zip has it already.
fn unique_name(taken: &mut HashSet<String>, name: &str) -> String {
    let name = if name.is_empty() { "attachment" } else { name };
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let mut candidate = name.to_owned();
    let mut n = 1;
    while !taken.insert(candidate.to_lowercase()) {
        n += 1;
        candidate = format!("{stem} ({n}){extension}");
    }
    candidate
}

/// Streams one part's decoded bytes into `chunks`.
async fn send_part(
    imap: &mut ImapConnection,
    uid: Uid,
    section: &str,
    mut decoder: StreamDecoder,
    chunks: &Chunks,
) -> Result<(), ApiError> {
    let mut slices = Slices::of(uid, section);
    while let Some(slice) = slices.next(imap).await? {
        let decoded = decoder.push(&slice);
        if !decoded.is_empty() && chunks.send(Ok(Bytes::from(decoded))).await.is_err() {
            return Ok(()); // the browser went away
        }
    }
    let rest = decoder.finish();
    if !rest.is_empty() {
        let _ = chunks.send(Ok(Bytes::from(rest))).await;
    }
    Ok(())
}

/// A part (the whole message for section `""`) read a slice at a time: [`SLICE`] bytes per
/// IMAP round trip, and a shorter slice is the last.
struct Slices<'s> {
    uid: Uid,
    section: &'s str,
    offset: u64,
    /// The last slice has been read.
    done: bool,
}

impl<'s> Slices<'s> {
    fn of(uid: Uid, section: &'s str) -> Self {
        Self { uid, section, offset: 0, done: false }
    }

    async fn next(&mut self, imap: &mut ImapConnection) -> Result<Option<Vec<u8>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let slice = imap.section_chunk(self.uid, self.section, self.offset, SLICE).await?;
        self.offset += slice.len() as u64;
        self.done = slice.len() < SLICE as usize;
        Ok(Some(slice))
    }
}

/// A body fed by `produce`, run on its own task, through a small queue: the gateway holds a
/// few slices at most, however big the file.
fn streamed<F, Fut>(produce: F) -> Body
where
    F: FnOnce(Chunks) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (chunks, body) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(produce(chunks));
    // Fused: a finished body may be polled once more.
    let stream =
        futures::stream::unfold(body, |mut body| async move { body.recv().await.map(|item| (item, body)) }).fuse();
    Body::from_stream(stream.boxed())
}

fn file_response(content_type: &str, disposition: String, policy: &'static str, body: Body) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, policy.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (HeaderName::from_static("cross-origin-resource-policy"), "same-origin".to_owned()),
        ],
        body,
    )
        .into_response();
    if policy == PREVIEW_POLICY {
        // The app shows a PDF in a frame of its own; nobody else may frame it.
        response.headers_mut().insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("SAMEORIGIN"));
    }
    response
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
    use super::{content_disposition, unique_name};

    #[test]
    fn filenames_are_quoted_safely() {
        assert_eq!(
            content_disposition("資料 \"v2\".pdf"),
            "attachment; filename=\"__ _v2_.pdf\"; filename*=UTF-8''%E8%B3%87%E6%96%99%20%22v2%22.pdf"
        );
        assert!(!content_disposition("a\r\nSet-Cookie: x").contains('\n'));
    }

    #[test]
    fn names_in_a_zip_are_unique() {
        let mut taken = std::collections::HashSet::new();
        let names: Vec<String> = ["a.pdf", "A.pdf", "a.pdf", "", ".profile", "写真.jpg"]
            .iter()
            .map(|n| unique_name(&mut taken, n))
            .collect();
        assert_eq!(names, ["a.pdf", "A (2).pdf", "a (3).pdf", "attachment", ".profile", "写真.jpg"]);
    }
}
