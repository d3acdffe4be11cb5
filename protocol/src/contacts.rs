//! Contacts: the account's address books on its CardDAV server (RFC 6352), seen as the app
//! edits them. The gateway reads and writes the vCards; the browser keeps a copy (with the
//! vCard text, so an export gives back what the server holds) and brings it up to date by sync.

use serde::{Deserialize, Serialize};

/// The most contacts one [`crate::Request::GetContacts`] asks for.
pub const MAX_CONTACTS_PER_FETCH: usize = 100;
/// The most vCards one [`crate::Request::ImportContacts`] carries.
pub const MAX_CONTACTS_PER_IMPORT: usize = 50;
/// The largest photo a [`Contact`] carries (bytes of the image); a larger one stays on the
/// server, untouched, but is not shown.
pub const MAX_PHOTO_BYTES: usize = 256 * 1024;

/// An address book on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBook {
    /// Its path on the server (a collection), the id the other requests take.
    pub href: String,
    /// The name shown (`DAV:displayname`), or the last part of the path.
    pub name: String,
    /// The server tells what changed since a sync token (RFC 6578); without it each sync lists
    /// every card's version.
    pub syncs: bool,
}

/// A contact or a group, as Yubin shows and edits it. What Yubin does not edit (addresses,
/// URLs, instant messaging, a remote photo…) stays in the vCard on the server untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub uid: String,
    /// A group (vCard 4 `KIND:group`, or Apple's `X-ADDRESSBOOKSERVER-KIND:group`).
    pub group: bool,
    /// The name shown (`FN`).
    pub full_name: String,
    pub family: String,
    pub given: String,
    /// Readings of the names (Japanese furigana): `X-PHONETIC-*-NAME`, or `SORT-AS`.
    pub phonetic_family: String,
    pub phonetic_given: String,
    pub nickname: String,
    pub emails: Vec<Labelled>,
    pub phones: Vec<Labelled>,
    pub organization: String,
    pub title: String,
    pub birthday: String,
    pub note: String,
    /// Categories (`CATEGORIES`): groups by label, as many servers and apps use them.
    pub categories: Vec<String>,
    /// A group's members, by their `uid`.
    pub members: Vec<String>,
    /// The photo as a `data:` URL, if the card carries one inline and it is small enough.
    pub photo: Option<String>,
}

/// A value with its kind (`home`, `work`, `cell`…; empty for none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labelled {
    pub label: String,
    pub value: String,
}

/// One card as stored on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    pub href: String,
    /// The version on the server; a change is stored only over this version.
    pub etag: String,
    pub contact: Contact,
    /// The vCard as the server holds it.
    pub vcard: String,
}

/// A card's path and version, as a sync lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardVersion {
    pub href: String,
    pub etag: String,
}

/// What changed in an address book since a sync point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChanges {
    /// The point to sync from next time (`None` where the server keeps none).
    pub token: Option<String>,
    /// Cards new or changed (or, when `complete`, every card with its version).
    pub changed: Vec<CardVersion>,
    /// Cards gone.
    pub removed: Vec<String>,
    /// `changed` lists every card: any other the browser has is gone.
    pub complete: bool,
}

/// How one card of an import fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Imported {
    Stored(Box<ContactCard>),
    /// A card with this UID is already in the book (an import run again after a drop).
    AlreadyThere {
        uid: String,
    },
    /// The server or the parser refused it, in their words.
    Refused {
        reason: String,
    },
}

impl Contact {
    /// The name to show: the full name, else the parts, else the first address.
    pub fn display_name(&self) -> String {
        if !self.full_name.trim().is_empty() {
            return self.full_name.trim().to_owned();
        }
        // Chinese, Japanese and Korean names are written family name first.
        let cjk = |s: &str| s.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF));
        let parts = if cjk(&self.family) || cjk(&self.given) {
            [self.family.trim(), self.given.trim()]
        } else {
            [self.given.trim(), self.family.trim()]
        };
        let joined = parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ");
        if !joined.is_empty() {
            return joined;
        }
        self.emails.first().map(|e| e.value.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_is_named_by_what_it_has() {
        let mut contact =
            Contact { emails: vec![Labelled { label: String::new(), value: "a@x.test".into() }], ..Default::default() };
        assert_eq!(contact.display_name(), "a@x.test");
        contact.given = "Hanako".into();
        contact.family = "Yamada".into();
        assert_eq!(contact.display_name(), "Hanako Yamada");
        contact.family = "山田".into();
        contact.given = "花子".into();
        assert_eq!(contact.display_name(), "山田 花子", "family name first");
        contact.full_name = "Hanako".into();
        assert_eq!(contact.display_name(), "Hanako");
    }
}
