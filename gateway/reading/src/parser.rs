//! mail-parser behind a guard: the one place raw messages are parsed, below everything that
//! reads them (the views in [`crate::mime`], bounce reports in [`crate::dsn`]).

use mail_parser::MessageParser;

/// Parses a whole message. mail-parser has assertions that fire on some malformed input in
/// debug builds, and a parser bug must cost one message, not the request (or the session):
/// a panic inside is caught and reported as an unparsable message.
pub fn parse(raw: &[u8]) -> Option<mail_parser::Message<'_>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| MessageParser::default().parse(raw))).ok().flatten()
}

/// Parses a header block only; see [`parse`].
pub fn parse_headers(raw: &[u8]) -> Option<mail_parser::Message<'_>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| MessageParser::default().parse_headers(raw)))
        .ok()
        .flatten()
}
