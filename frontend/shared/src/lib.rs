//! What the app and the modules it loads on first use share (ARCHITECTURE.md, "Loaded on first
//! use"): a module's way to the gateway through the app's WebSocket ([`host`]), and the browser
//! storage both read ([`address_book`]: the contacts module writes it, the app's composer reads
//! its suggestions), what the app and the OpenPGP worker say to each other ([`openpgp`]), and how a module
//! mounts its dialog ([`mounted`]), and how a file made in the browser is saved ([`download`]). The app uses only what it needs; the rest is not in its download.

pub mod address_book;
pub mod download;
pub mod host;
pub mod mounted;
pub mod openpgp;
