//! The accounts signed in on this tab, and the unified inbox merged from theirs.
//!
//! Every account shares the one WebSocket (each request names its account) but has its own
//! folders, and for POP3 its own mailbox in the browser. Passwords are kept in memory only, to
//! sign in again silently when the gateway comes back.

use std::rc::Rc;

use yubin_protocol::{AccountId, Folder, FolderRole, MessagePage, MessageSummary, Quota, Session, Uid};

use crate::local_mailbox::LocalMailbox;
use crate::pop3_sync::Pop3Settings;
use crate::sign_in::LoginForm;

/// One signed-in account and what the app knows of it.
pub struct Account {
    pub id: AccountId,
    /// `None` for a POP3 mailbox opened offline, which has nothing to sign in with.
    pub credentials: Option<LoginForm>,
    pub session: Session,
    /// The server keeps settings (IMAP with METADATA), so changes are saved there too.
    pub roaming: bool,
    pub folders: Vec<Folder>,
    /// A POP3 account's mailbox, kept in the browser; `None` for IMAP accounts.
    pub local: Option<LocalMailbox>,
    pub pop3_settings: Pop3Settings,
    /// What the POP3 sync is doing, for the sidebar.
    pub sync_status: Option<String>,
    pub syncing: bool,
    /// "Check now" came while a sync was running: run another when it ends.
    pub check_again: bool,
    /// How full the mailbox is, where the server says (IMAP QUOTA).
    pub quota: Option<Quota>,
}

impl Account {
    pub fn new(id: AccountId, credentials: Option<LoginForm>, session: Session) -> Self {
        Self {
            id,
            credentials,
            roaming: false,
            pop3_settings: Pop3Settings::load(&session.email),
            session,
            folders: Vec::new(),
            local: None,
            sync_status: None,
            syncing: false,
            check_again: false,
            quota: None,
        }
    }

    pub fn inbox(&self) -> Option<&Folder> {
        self.folders.iter().find(|f| f.role == Some(FolderRole::Inbox))
    }

    /// The inbox's id, `INBOX` until the folders are listed.
    pub fn inbox_id(&self) -> String {
        self.inbox().map_or_else(|| "INBOX".to_owned(), |f| f.id.clone())
    }

    pub fn unread(&self) -> u32 {
        self.inbox().and_then(|f| f.unread).unwrap_or(0)
    }

    /// A short label for rows of the unified inbox: the address's local part.
    pub fn tag(&self) -> String {
        let email = &self.session.email;
        email.split_once('@').map_or(email.as_str(), |(local, _)| local).to_owned()
    }
}

/// Rows of several inboxes in one list, newest first, each remembering its account.
///
/// The merged list gives each row a key (its position + 1) in place of its UID, since UIDs
/// repeat across accounts; [`Unified::resolve`] turns a key back into the account and UID.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unified {
    /// Each account's tag and newest inbox rows, as they arrived.
    pages: Vec<(AccountId, String, Vec<MessageSummary>)>,
    /// Each account's inbox size, and whether more of it has been asked for.
    totals: Vec<(AccountId, u32, bool)>,
    /// Position → (account, UID), after merging.
    keys: Vec<(AccountId, Uid)>,
    /// Position → the account's tag, for the rows to show.
    tags: Rc<Vec<String>>,
}

impl Unified {
    /// Takes `rows` as `account`'s newest (its rows tagged `tag`); returns the merged rows,
    /// keyed by position.
    pub fn update(&mut self, account: AccountId, tag: String, rows: Vec<MessageSummary>) -> Vec<MessageSummary> {
        self.pages.retain(|(id, _, _)| *id != account);
        self.pages.push((account, tag, rows));
        self.merge()
    }

    /// Takes `page` of `account`'s inbox: its newest rows (offset 0) or the next older ones.
    pub fn take_page(&mut self, account: AccountId, tag: String, page: MessagePage) -> Vec<MessageSummary> {
        self.totals.retain(|(id, _, _)| *id != account);
        self.totals.push((account, page.total, false));
        let held = self.pages.iter_mut().find(|(id, _, _)| *id == account).filter(|_| page.offset > 0);
        match held {
            Some((_, _, rows)) => {
                let known: std::collections::HashSet<Uid> = rows.iter().map(|r| r.uid).collect();
                rows.extend(page.messages.into_iter().filter(|r| !known.contains(&r.uid)));
                self.merge()
            }
            None => self.update(account, tag, page.messages),
        }
    }

    /// The accounts to ask for older rows, and from which offset, once the list is seen down
    /// to position `seen` (of the merged rows): those with more, within a screen of the end.
    pub fn more_wanted(&mut self, seen: u32) -> Vec<(AccountId, u32)> {
        if (seen as usize) + 20 < self.keys.len() {
            return Vec::new();
        }
        let mut wanted = Vec::new();
        for (account, total, asked) in &mut self.totals {
            let held = self.pages.iter().find(|(id, _, _)| id == account).map_or(0, |(_, _, rows)| rows.len()) as u32;
            if !*asked && held < *total {
                *asked = true;
                wanted.push((*account, held));
            }
        }
        wanted
    }

    /// Leaves out an account that signed out; returns the merged rows of the others.
    pub fn forget(&mut self, account: AccountId) -> Vec<MessageSummary> {
        self.pages.retain(|(id, _, _)| *id != account);
        self.totals.retain(|(id, _, _)| *id != account);
        self.merge()
    }

    fn merge(&mut self) -> Vec<MessageSummary> {
        let mut all: Vec<(AccountId, &str, &MessageSummary)> = self
            .pages
            .iter()
            .flat_map(|(id, tag, rows)| rows.iter().map(move |row| (*id, tag.as_str(), row)))
            .collect();
        // Newest first; equal dates keep a stable order by account and UID.
        all.sort_by(|a, b| b.2.date.cmp(&a.2.date).then(a.0.cmp(&b.0)).then(b.2.uid.cmp(&a.2.uid)));
        self.keys = all.iter().map(|(id, _, row)| (*id, row.uid)).collect();
        self.tags = Rc::new(all.iter().map(|(_, tag, _)| (*tag).to_owned()).collect());
        all.into_iter()
            .enumerate()
            .map(|(position, (_, _, row))| MessageSummary { uid: position as Uid + 1, ..row.clone() })
            .collect()
    }

    pub fn resolve(&self, key: Uid) -> Option<(AccountId, Uid)> {
        self.keys.get((key as usize).checked_sub(1)?).copied()
    }

    pub fn key_of(&self, account: AccountId, uid: Uid) -> Option<Uid> {
        self.keys.iter().position(|k| *k == (account, uid)).map(|p| p as Uid + 1)
    }

    /// The account tag of each row, by position.
    pub fn tags(&self) -> Rc<Vec<String>> {
        self.tags.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(uid: Uid, date: i64) -> MessageSummary {
        MessageSummary { uid, date: Some(date), subject: format!("{uid}@{date}"), ..Default::default() }
    }

    #[test]
    fn merges_newest_first_and_resolves_keys() {
        let mut unified = Unified::default();
        unified.update(1, "one".into(), vec![row(1, 100), row(2, 300)]);
        let rows = unified.update(2, "two".into(), vec![row(1, 200)]);
        assert_eq!(*unified.tags(), ["one", "two", "one"]);
        let order: Vec<_> = rows.iter().map(|r| r.subject.as_str()).collect();
        assert_eq!(order, ["2@300", "1@200", "1@100"]);
        assert_eq!(rows.iter().map(|r| r.uid).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(unified.resolve(2), Some((2, 1)), "UID 1 of account 2, not of account 1");
        assert_eq!(unified.key_of(1, 1), Some(3));
        assert_eq!(unified.resolve(0), None);
        assert_eq!(unified.resolve(4), None);

        // A refreshed inbox replaces that account's rows only.
        let rows = unified.update(1, "one".into(), vec![row(3, 400)]);
        assert_eq!(rows.len(), 2);
        assert_eq!(unified.resolve(1), Some((1, 3)));
        let rows = unified.forget(1);
        assert_eq!(rows.len(), 1);
        assert_eq!(unified.resolve(1), Some((2, 1)));
    }
}
