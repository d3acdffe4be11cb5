//! Messages written as one mbox file (the `mboxrd` flavour Thunderbird, mutt and Gmail's
//! Takeout read), a message at a time and a slice at a time, so an export streams.
//!
//! Each message starts with a `From ` line (a sender and the arrival time in `asctime` form),
//! its line ends become LF, a line that starts with `From ` after any number of `>` gains one
//! more `>` (so the reader can take exactly one away again), and a blank line ends it.

use chrono::{DateTime, Utc};

/// The separator line that starts a message which arrived at `arrival` (seconds since 1970).
pub fn separator(arrival: Option<i64>) -> Vec<u8> {
    let when = arrival.and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0)).unwrap_or_default();
    format!("From MAILER-DAEMON {}\n", when.format("%a %b %e %H:%M:%S %Y")).into_bytes()
}

/// One message's bytes, turned into its mbox form as they arrive.
#[derive(Default)]
pub struct MboxMessage {
    /// A CR that may be the first half of a CRLF.
    held_cr: bool,
    /// The start of the current line, while it might still be a `From ` line.
    head: Vec<u8>,
    /// The current line is past the point where it could be one.
    mid_line: bool,
    /// The last byte written, to end the message with a line end.
    last: Option<u8>,
}

impl MboxMessage {
    /// The mbox form of the next `bytes` of the message.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + 8);
        for &byte in bytes {
            if std::mem::take(&mut self.held_cr) {
                if byte == b'\n' {
                    self.byte(b'\n', &mut out);
                    continue;
                }
                self.byte(b'\r', &mut out);
            }
            if byte == b'\r' {
                self.held_cr = true;
            } else {
                self.byte(byte, &mut out);
            }
        }
        out
    }

    /// The rest: what was held back, a line end if the message lacked a last one, and the
    /// blank line that ends it.
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if std::mem::take(&mut self.held_cr) {
            self.byte(b'\r', &mut out);
        }
        out.append(&mut self.head);
        if let Some(byte) = out.last().copied() {
            self.last = Some(byte);
        }
        if self.last.is_some_and(|b| b != b'\n') {
            out.push(b'\n');
        }
        out.push(b'\n');
        out
    }

    fn byte(&mut self, byte: u8, out: &mut Vec<u8>) {
        if byte == b'\n' {
            out.append(&mut self.head);
            out.push(b'\n');
            self.mid_line = false;
            self.last = Some(b'\n');
            return;
        }
        if self.mid_line {
            out.push(byte);
            self.last = Some(byte);
            return;
        }
        self.head.push(byte);
        let after_quotes = &self.head[self.head.iter().take_while(|b| **b == b'>').count()..];
        if after_quotes.len() >= 5 || !b"From ".starts_with(after_quotes) {
            if after_quotes == b"From " {
                out.push(b'>');
            }
            out.append(&mut self.head);
            self.mid_line = true;
            self.last = Some(byte);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(message: &[u8], slice: usize) -> Vec<u8> {
        let mut writer = MboxMessage::default();
        let mut out = Vec::new();
        for part in message.chunks(slice) {
            out.extend(writer.push(part));
        }
        out.extend(writer.finish());
        out
    }

    #[test]
    fn from_lines_are_quoted_and_line_ends_become_lf_in_any_slicing() {
        let message = b"Subject: x\r\n\r\nFrom here\r\n>From there\r\nFro\r\nFromage\r\n a\rb\r\nend";
        let expected = b"Subject: x\n\n>From here\n>>From there\nFro\nFromage\n a\rb\nend\n\n";
        for slice in [1, 2, 3, 7, 1000] {
            assert_eq!(String::from_utf8_lossy(&whole(message, slice)), String::from_utf8_lossy(expected), "{slice}");
        }
        assert_eq!(whole(b"a\r\n", 1), b"a\n\n");
        assert_eq!(whole(b"From", 2), b"From\n\n", "too short to be a From line");
    }

    #[test]
    fn the_separator_is_asctime() {
        assert_eq!(separator(Some(1_764_777_600)), b"From MAILER-DAEMON Wed Dec  3 16:00:00 2025\n");
        assert_eq!(separator(None), b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n");
    }
}
