//! Files the user attaches, held in the session's memory between upload and send.
//!
//! The gateway keeps no mail on disk, attachments included: the bytes arrive in chunks over
//! the WebSocket, live here while the composer is open, and go when the session ends. The
//! browser keeps its own copy, so after a reconnect it simply uploads again.

use std::collections::HashMap;

use base64::Engine;
use yubin_protocol::{ApiError, ErrorKind};

/// Longest upload id accepted; ids are the browser's own (UUIDs).
const MAX_ID_LEN: usize = 64;

#[derive(Debug)]
pub struct Uploads {
    files: HashMap<String, Upload>,
    /// Most bytes one session may hold across all uploads.
    limit: u64,
}

#[derive(Debug)]
struct Upload {
    total: u64,
    bytes: Vec<u8>,
}

impl Uploads {
    pub fn new(limit: u64) -> Self {
        Self { files: HashMap::new(), limit }
    }

    /// Adds the chunk at `offset` of upload `id`. Chunks must come in order; a chunk the
    /// gateway already has (a resend after a lost reply) is accepted again without change.
    pub fn append(&mut self, id: &str, offset: u64, total: u64, data: &str) -> Result<(), ApiError> {
        if id.is_empty() || id.len() > MAX_ID_LEN {
            return Err(ApiError::new(ErrorKind::BadRequest, "bad upload id"));
        }
        // Sizes are the client's word: checked arithmetic, since a declared total near 2^64
        // must be refused, not wrap around (or panic) into looking small.
        let held =
            self.files.iter().filter(|(k, _)| k.as_str() != id).try_fold(0u64, |sum, (_, u)| sum.checked_add(u.total));
        if held.and_then(|held| held.checked_add(total)).is_none_or(|all| all > self.limit) {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                format!("attachments may not exceed {} in all", human_size(self.limit)),
            ));
        }
        let chunk = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|_| ApiError::new(ErrorKind::BadRequest, "upload chunk is not base64"))?;
        if offset == 0 {
            // Room for what arrived, not for what is announced: a claim costs nothing to make.
            self.files.insert(id.to_owned(), Upload { total, bytes: Vec::with_capacity(chunk.len()) });
        }
        let upload = self
            .files
            .get_mut(id)
            .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("unknown upload {id}")))?;
        let have = upload.bytes.len() as u64;
        let end = offset.checked_add(chunk.len() as u64);
        if end.is_some_and(|end| end <= have) {
            return Ok(()); // a repeat of a chunk already stored
        }
        if offset != have || upload.total != total || end.is_none_or(|end| end > total) {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                format!("upload {id}: chunk at {offset} does not follow byte {have} of {total}"),
            ));
        }
        upload.bytes.extend_from_slice(&chunk);
        Ok(())
    }

    /// The complete bytes of upload `id`.
    pub fn get(&self, id: &str) -> Result<&[u8], ApiError> {
        match self.files.get(id) {
            Some(upload) if upload.bytes.len() as u64 == upload.total => Ok(&upload.bytes),
            Some(_) => Err(ApiError::new(ErrorKind::BadRequest, format!("upload {id} is incomplete"))),
            None => Err(ApiError::new(ErrorKind::BadRequest, format!("upload {id} is not on the gateway"))),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub fn discard(&mut self, id: &str) {
        self.files.remove(id);
    }
}

/// `52428800` → `50 MB`, for messages about limits.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1 << 20;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn chunks_assemble_in_order_and_repeats_are_harmless() {
        let mut uploads = Uploads::new(100);
        uploads.append("a", 0, 6, &b64(b"abc")).unwrap();
        assert!(uploads.get("a").is_err(), "incomplete");
        uploads.append("a", 0, 6, &b64(b"abc")).unwrap(); // starting over at 0 resets
        uploads.append("a", 3, 6, &b64(b"def")).unwrap();
        uploads.append("a", 3, 6, &b64(b"def")).unwrap(); // a resend after a lost reply
        assert_eq!(uploads.get("a").unwrap(), b"abcdef");
    }

    #[test]
    fn gaps_limits_and_garbage_are_refused() {
        let mut uploads = Uploads::new(10);
        assert!(uploads.append("a", 0, 11, &b64(b"x")).unwrap_err().message.contains("exceed"));
        uploads.append("a", 0, 6, &b64(b"abc")).unwrap();
        assert!(uploads.append("a", 4, 6, &b64(b"ef")).is_err(), "gap");
        assert!(uploads.append("b", 0, 5, &b64(b"x")).is_err(), "6 + 5 > 10");
        assert!(uploads.append("c", 0, 1, "not base64!").is_err());
        uploads.discard("a");
        assert!(uploads.get("a").unwrap_err().message.contains("not on the gateway"));
    }

    #[test]
    fn sizes_near_the_integer_limit_are_refused_not_wrapped() {
        let mut uploads = Uploads::new(100);
        uploads.append("a", 0, 10, &b64(b"0123456789")).unwrap();
        for total in [u64::MAX, u64::MAX - 5, u64::MAX - 10] {
            assert!(uploads.append("b", 0, total, &b64(b"x")).is_err(), "{total}");
        }
        uploads.append("c", 0, 4, &b64(b"ab")).unwrap();
        assert!(uploads.append("c", u64::MAX - 1, 4, &b64(b"cd")).is_err());
        uploads.append("c", 2, 4, &b64(b"cd")).unwrap();
        assert_eq!(uploads.get("c").unwrap(), b"abcd");
    }
}
