//! Addresses the user has seen in mail, remembered in the browser for recipient suggestions.

use yubin_protocol::Address;

use crate::format;

const KEY: &str = "yubin.contacts";
/// Most addresses remembered; the oldest seen are forgotten first.
const MAX: usize = 500;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// `known` with `seen` added at the front (most recent first), stored for next time.
pub fn learn<'a>(known: &[String], seen: impl Iterator<Item = &'a Address>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(known.len() + 4);
    for address in seen {
        let text = format::full_address(address);
        if !out.iter().any(|o| same_address(o, &text)) {
            out.push(text);
        }
    }
    let older: Vec<String> = known.iter().filter(|k| !out.iter().any(|o| same_address(o, k))).cloned().collect();
    out.extend(older);
    out.truncate(MAX);
    if out != known {
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&out)) {
            let _ = storage.set_item(KEY, &json);
        }
    }
    out
}

/// Whether two `Name <a@b>` texts are the same mailbox.
fn same_address(a: &str, b: &str) -> bool {
    fn email(text: &str) -> String {
        let inner = text.rsplit_once('<').map_or(text, |(_, rest)| rest.trim_end_matches('>'));
        inner.trim().to_lowercase()
    }
    email(a) == email(b)
}
