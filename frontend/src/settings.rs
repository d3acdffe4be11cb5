//! The user's settings: kept in this browser, and on every IMAP server that offers METADATA,
//! so that they follow the user to another browser (the gateway stores nothing).
//!
//! Whole documents are compared by `updated`: the newer copy wins, in the browser and on the
//! server alike. Settings change rarely and by hand, so last-writer-wins is enough.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use yubin_protocol::{FolderRole, RoleChoice};

use crate::i18n::Lang;
use crate::identity::Identity;
use crate::prefs;

const KEY: &str = "yubin.settings";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// When last changed here or elsewhere (ms since the epoch); 0 if never.
    #[serde(default)]
    pub updated: f64,
    #[serde(default)]
    pub lang: Option<Lang>,
    /// `system`, `light` or `dark`.
    #[serde(default)]
    pub theme: Option<String>,
    /// Name and signature per account address (lower case).
    #[serde(default)]
    pub identities: BTreeMap<String, Identity>,
    /// Sender addresses (lower case) whose mail may load remote content without asking.
    #[serde(default)]
    pub remote_senders: BTreeSet<String>,
    /// Folders the user chose for roles, per account address (lower case): for servers that
    /// mark none, or the wrong one. Roles not here are the server's or found by name.
    #[serde(default)]
    pub folder_roles: BTreeMap<String, BTreeMap<FolderRole, String>>,
}

/// Seconds to undo a send unless the user chooses.
pub const UNDO_SEND_DEFAULT: u32 = 10;
/// The choices offered: off, or 5 to 30 seconds.
pub const UNDO_SEND_CHOICES: [u32; 5] = [0, 5, 10, 20, 30];
/// Where this browser keeps the choice. It does not roam: the wait happens in this browser's
/// outbox.
const UNDO_SEND_KEY: &str = "yubin.undo-send";

/// Seconds a sent message waits in this browser to be undone (0: none).
pub fn undo_send_seconds() -> u32 {
    prefs::get(UNDO_SEND_KEY)
        .and_then(|s| s.parse().ok())
        .filter(|s| UNDO_SEND_CHOICES.contains(s))
        .unwrap_or(UNDO_SEND_DEFAULT)
}

pub fn set_undo_send_seconds(seconds: u32) {
    prefs::set(UNDO_SEND_KEY, &seconds.to_string());
}

impl Settings {
    pub fn load() -> Self {
        prefs::get_json(KEY).unwrap_or_default()
    }

    /// Keeps the settings in this browser, marked as changed now.
    pub fn changed(&mut self) {
        self.updated = js_sys::Date::now();
        self.save();
    }

    pub fn save(&self) {
        prefs::set_json(KEY, self);
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Settings read from a server, if they are readable and newer than these.
    pub fn newer_from(&self, json: &str) -> Option<Self> {
        serde_json::from_str::<Self>(json).ok().filter(|theirs| theirs.updated > self.updated)
    }

    pub fn identity(&self, email: &str) -> Identity {
        self.identities.get(&email.to_lowercase()).cloned().unwrap_or_default()
    }

    /// Whether `email`'s account has an identity (even one the user emptied).
    pub fn has_identity(&self, email: &str) -> bool {
        self.identities.contains_key(&email.to_lowercase())
    }

    pub fn set_identity(&mut self, email: &str, identity: Identity) {
        self.identities.insert(email.to_lowercase(), identity);
    }

    /// The folders `email`'s user chose for roles.
    pub fn role_choices(&self, email: &str) -> Vec<RoleChoice> {
        self.folder_roles
            .get(&email.to_lowercase())
            .map(|roles| {
                roles.iter().map(|(role, folder)| RoleChoice { role: *role, folder: folder.clone() }).collect()
            })
            .unwrap_or_default()
    }

    /// Chooses `folder` for `role` on `email`'s account; `None` leaves it to the server again.
    pub fn choose_folder(&mut self, email: &str, role: FolderRole, folder: Option<String>) {
        let roles = self.folder_roles.entry(email.to_lowercase()).or_default();
        match folder {
            Some(folder) => roles.insert(role, folder),
            None => roles.remove(&role),
        };
        self.folder_roles.retain(|_, roles| !roles.is_empty());
    }

    pub fn loads_remote_content(&self, sender: &str) -> bool {
        self.remote_senders.contains(&sender.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newer_copy_wins() {
        let mine = Settings { updated: 200.0, lang: Some(Lang::Ja), ..Settings::default() };
        let older = Settings { updated: 100.0, lang: Some(Lang::En), ..Settings::default() };
        let newer = Settings { updated: 300.0, theme: Some("dark".into()), ..Settings::default() };
        assert_eq!(mine.newer_from(&older.to_json()), None);
        assert_eq!(mine.newer_from(&newer.to_json()), Some(newer));
        assert_eq!(mine.newer_from("not json"), None);
        // Fields added later default when an older app wrote the document.
        let sparse = mine.newer_from(r#"{"updated": 500}"#).unwrap();
        assert!(sparse.identities.is_empty() && sparse.lang.is_none());
    }

    #[test]
    fn folder_choices_per_account_roam_and_can_be_undone() {
        let mut settings = Settings::default();
        settings.choose_folder("Olga@Example.test", FolderRole::Sent, Some("INBOX.Gesendet".into()));
        let json = Settings { updated: 1.0, ..settings.clone() }.to_json();
        let back = Settings::default().newer_from(&json).unwrap();
        assert_eq!(
            back.role_choices("olga@example.test"),
            [RoleChoice { role: FolderRole::Sent, folder: "INBOX.Gesendet".into() }]
        );
        settings.choose_folder("olga@example.test", FolderRole::Sent, None);
        assert!(settings.role_choices("olga@example.test").is_empty() && settings.folder_roles.is_empty());
    }

    #[test]
    fn addresses_match_in_any_case() {
        let mut settings = Settings::default();
        settings.remote_senders.insert("news@example.org".into());
        assert!(settings.loads_remote_content("News@Example.org"));
        settings.set_identity("Wendy@Example.test", Identity { name: "W".into(), ..Identity::default() });
        assert_eq!(settings.identity("wendy@example.test").name, "W");
    }
}
