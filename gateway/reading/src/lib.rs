//! Reading mail: a message as the app shows it — parsed (mail-parser, guarded in [`parser`]),
//! its charsets and encoded words decoded ([`charset`], [`transfer_decoding`], [`filenames`]),
//! its HTML sanitized ([`html`], ammonia), its OpenPGP content found ([`openpgp`]), the sender judged ([`trust`]), a bounce read
//! ([`dsn`]) — into the protocol's `MessageView` ([`mime`]).
//!
//! A crate of its own, without I/O, so that one reading serves both places mail is read: the
//! gateway, and the browser's OpenPGP worker, which reads decrypted mail the gateway must never
//! see with the same allow-list and the same charset handling.
//!
//! Dependency order, top to bottom: `mime` → `openpgp`, `dsn`, `draft_info`, `trust`, `html`,
//! `filenames`, `charset` → `transfer_decoding`, `parser`.

pub mod charset;
pub mod draft_info;
pub mod dsn;
pub mod filenames;
pub mod html;
pub mod mime;
pub mod openpgp;
pub mod parser;
pub mod transfer_decoding;
pub mod trust;
