//! Addresses the user has seen in mail, remembered in the browser for recipient suggestions.

use yubin_protocol::Address;

use crate::{format, prefs};

const KEY: &str = "yubin.contacts";
/// Most addresses remembered; the oldest seen are forgotten first.
const MAX: usize = 500;

pub fn load() -> Vec<String> {
    prefs::get_json(KEY).unwrap_or_default()
}

/// `known` with `seen` added at the front (most recent first), stored for next time.
pub fn learn<'a>(known: &[String], seen: impl Iterator<Item = &'a Address>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(known.len() + 4);
    for address in seen {
        let text = format::full_address(address);
        if !out.iter().any(|o| format::same_mailbox(o, &text)) {
            out.push(text);
        }
    }
    let older: Vec<String> =
        known.iter().filter(|k| !out.iter().any(|o| format::same_mailbox(o, k))).cloned().collect();
    out.extend(older);
    out.truncate(MAX);
    if out != known {
        prefs::set_json(KEY, &out);
    }
    out
}
