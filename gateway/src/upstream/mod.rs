//! Clients for the user's mail servers. Everything that speaks a mail protocol lives here.

pub mod idle;
pub mod imap;
pub mod imap_search;
pub mod net;
pub mod smtp;
