//! Moving mail in: `.mbox` and `.eml` files read in the browser, split into messages and
//! handed to the gateway in batches that it stores with APPEND. The gateway skips a message
//! whose Message-ID the folder holds already, so an import broken off (a dropped connection, a
//! closed tab) is finished by importing the same files again: nothing arrives twice.

use std::ops::Range;

use base64::Engine;
use wasm_bindgen::JsCast;
use yubin_protocol::calls::ImportMessages;
use yubin_protocol::{ApiError, ErrorKind, ImportReport, MAX_IMPORT_BATCH};

use crate::connection::Connection;

/// Bytes of mail in one batch: with base64 and JSON around it, well under the gateway's frame
/// limit (4 MiB by default).
const BATCH_BYTES: usize = 2 << 20;

/// The messages of one file: an mbox (it starts with a `From ` line) split at its `From `
/// lines, with mboxrd's quoting (`>From `) taken away; anything else is one message.
pub fn messages(file: &[u8]) -> Vec<Vec<u8>> {
    if !file.starts_with(b"From ") {
        return if file.iter().all(u8::is_ascii_whitespace) { Vec::new() } else { vec![file.to_vec()] };
    }
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in file.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            messages.extend(current.take().map(without_separator_line));
            current = Some(Vec::new());
            continue;
        }
        let Some(message) = current.as_mut() else { continue };
        let quotes = line.iter().take_while(|b| **b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            message.extend_from_slice(&line[1..]);
        } else {
            message.extend_from_slice(line);
        }
    }
    messages.extend(current.map(without_separator_line));
    messages
}

/// A message of an mbox without the blank line that separated it from the next.
fn without_separator_line(mut message: Vec<u8>) -> Vec<u8> {
    if message.ends_with(b"\r\n\r\n") {
        message.truncate(message.len() - 2);
    } else if message.ends_with(b"\n\n") {
        message.truncate(message.len() - 1);
    }
    message
}

/// Consecutive batches of `sizes`: at most [`MAX_IMPORT_BATCH`] messages and about
/// `max_bytes` each (a bigger message goes alone).
pub fn batches(sizes: &[usize], max_bytes: usize) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, size) in sizes.iter().enumerate() {
        if i > start && (i - start == MAX_IMPORT_BATCH || bytes + size > max_bytes) {
            batches.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        batches.push(start..sizes.len());
    }
    batches
}

/// What an import did in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub total: usize,
    pub report: ImportReport,
}

/// Reads `files`, and stores their messages in `folder` batch by batch, telling `progress`
/// (done, total) after each. An error says how many were done before it.
pub async fn run(
    connection: Connection,
    folder: String,
    files: Vec<web_sys::File>,
    progress: impl Fn(usize, usize),
) -> Result<Summary, (ApiError, usize)> {
    let mut all = Vec::new();
    for file in files {
        let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| (ApiError::new(ErrorKind::BadRequest, format!("{} could not be read", file.name())), 0))?;
        let bytes = js_sys::Uint8Array::new(buffer.unchecked_ref()).to_vec();
        all.extend(messages(&bytes));
    }
    let sizes: Vec<usize> = all.iter().map(Vec::len).collect();
    let mut summary = Summary { total: all.len(), report: ImportReport::default() };
    let mut done = 0;
    progress(0, summary.total);
    for batch in batches(&sizes, BATCH_BYTES) {
        let encoded =
            all[batch.clone()].iter().map(|raw| base64::engine::general_purpose::STANDARD.encode(raw)).collect();
        let report = connection
            .call(ImportMessages { folder: folder.clone(), messages: encoded })
            .await
            .map_err(|e| (e, done))?;
        summary.report.added += report.added;
        summary.report.present += report.present;
        summary.report.refused.extend(report.refused);
        done = batch.end;
        progress(done, summary.total);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_is_split_and_unquoted_and_an_eml_is_one_message() {
        let mbox = b"From a Thu Jan  1 00:00:00 1970\nSubject: 1\n\n>From here\n>>From there\n\nFrom b Thu Jan  1 00:00:00 1970\nSubject: 2\n\nend\n\n";
        let split = messages(mbox);
        assert_eq!(split.len(), 2);
        assert_eq!(split[0], b"Subject: 1\n\nFrom here\n>From there\n");
        assert_eq!(split[1], b"Subject: 2\n\nend\n");
        assert_eq!(messages(b"Subject: x\r\n\r\nbody"), vec![b"Subject: x\r\n\r\nbody".to_vec()]);
        assert!(messages(b"  \n").is_empty());
    }

    #[test]
    fn batches_keep_to_the_count_and_size() {
        assert_eq!(batches(&[10; 120], 1 << 20), vec![0..50, 50..100, 100..120]);
        assert_eq!(batches(&[600, 600, 100, 2000, 10], 1000), vec![0..1, 1..3, 3..4, 4..5]);
        assert!(batches(&[], 1000).is_empty());
    }
}
