//! Sending a file the user attached to the gateway: in chunks over the WebSocket, so that a
//! big file neither blocks other requests nor needs one huge frame, with progress.

use base64::Engine;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;
use yubin_protocol::{calls, ApiError, ErrorKind};

use crate::connection::Connection;

/// Bytes per chunk: about 256 KiB of base64 per frame.
const CHUNK: f64 = 192.0 * 1024.0;

/// The whole of `blob`, base64: a file handed to the OpenPGP worker rather than uploaded.
pub async fn read_base64(blob: &Blob) -> Result<String, ApiError> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| ApiError::new(ErrorKind::Internal, "cannot read the file"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Uploads `blob` as `upload`, calling `progress` with the bytes done after each chunk.
pub async fn upload_blob(
    connection: &Connection,
    upload: &str,
    blob: &Blob,
    progress: impl Fn(u64),
) -> Result<(), ApiError> {
    let total = blob.size();
    let mut offset = 0.0;
    loop {
        let end = (offset + CHUNK).min(total);
        let slice = blob
            .slice_with_f64_and_f64(offset, end)
            .map_err(|_| ApiError::new(ErrorKind::Internal, "cannot read the file"))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|_| ApiError::new(ErrorKind::Internal, "cannot read the file"))?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        connection
            .call(calls::Upload { upload: upload.to_owned(), offset: offset as u64, total: total as u64, data })
            .await?;
        progress(end as u64);
        offset = end;
        if offset >= total {
            return Ok(());
        }
    }
}

/// A fresh id for an upload or a message (`crypto.randomUUID`).
/// A new Message-ID, `<uuid@domain>`.
pub fn new_message_id(domain: &str) -> String {
    format!("<{}@{domain}>", unique_id())
}

pub fn unique_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("{:x}", (js_sys::Math::random() * 1e16) as u64))
}
