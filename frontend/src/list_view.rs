//! The message list as a state and a pure reducer: which folder (or search, or the unified
//! inbox) is listed and in which order, the rows held, the selection — and what to ask for next.
//!
//! Nothing here talks to the gateway or the browser's storage: [`ListView::update`] changes the
//! state and returns [`ListEffect`]s, which the app carries out (and answers with more
//! [`ListMsg`]s). So every rule of the list — when rows from the cache are good enough, when a
//! late reply is ignored, when a resync gives up and lists again — is tested natively.

use std::collections::BTreeSet;
use std::ops::Range;
use std::rc::Rc;

use yubin_protocol::{
    AccountId, ApiError, FlagName, FolderChanges, MessagePage, SearchQuery, SortOrder, SyncPoint, Uid,
};

use crate::accounts::Unified;
use crate::message_window::MessageWindow;

/// A search for one Message-ID, as typed in the search box (Gmail's operator).
pub const MESSAGE_ID_SEARCH: &str = "rfc822msgid:";
/// The list's folder name while it shows the unified inbox.
const UNIFIED: &str = "\u{0}unified";

#[derive(Debug, Clone, PartialEq)]
pub struct ListView {
    /// The open folder's id (the account's inbox while the unified inbox is shown).
    pub folder: String,
    /// The search shown instead of the folder's newest messages, if any.
    pub search: Option<String>,
    /// A folder (by display name) to open as soon as the folder list has it.
    pub open_when_listed: Option<String>,
    pub sort: SortOrder,
    /// The rows (or search results); replaced, never mutated in place behind the view's back, so
    /// the list view sees every change.
    pub rows: Option<Rc<MessageWindow>>,
    pub loading: bool,
    /// Messages ticked for a bulk action.
    pub selection: Rc<BTreeSet<Uid>>,
    /// Every account's inbox in one list, when that is on screen.
    pub unified: Option<Unified>,
}

impl Default for ListView {
    fn default() -> Self {
        Self {
            folder: "INBOX".into(),
            search: None,
            open_when_listed: None,
            sort: SortOrder::default(),
            rows: None,
            loading: false,
            selection: Rc::default(),
            unified: None,
        }
    }
}

/// What the list decides with about the account on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    pub account: AccountId,
    /// An IMAP account (its lists are cached and resynced); a POP3 one lists from the browser.
    pub imap: bool,
    /// Whether this browser has kept lists of the account before: without any, the server is
    /// asked at once rather than after looking in an empty cache.
    pub cached: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ListMsg {
    SelectFolder(String),
    Sort(SortOrder),
    /// The search box was submitted (empty: back to the folder).
    Search(String),
    /// The list shows these positions now.
    Visible(Range<u32>),
    ToggleSelected(Uid),
    ClearSelection,
    /// A block of an account's list arrived (or failed) for the window starting at this offset.
    Block(AccountId, u32, Result<MessagePage, ApiError>),
    /// The cached top of an account's folder (see `list_cache`), or none.
    CachedTop(AccountId, String, Option<MessagePage>),
    /// What changed in the open folder since its rows were read.
    Resynced(AccountId, Result<FolderChanges, ApiError>),
    /// Show every account's inbox in one list.
    OpenUnified,
    /// An account's newest inbox rows (and the tag its rows carry) for the unified inbox.
    UnifiedRows(AccountId, String, Result<MessagePage, ApiError>),
}

/// What the list asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ListEffect {
    /// The list was emptied to load another: what was open from it closes too.
    Cleared,
    Fetch(Fetch),
    /// Ask every account for its newest inbox rows ([`ListMsg::UnifiedRows`]).
    FetchUnified,
    /// Ask this account for older inbox rows, from this offset ([`ListMsg::UnifiedRows`]).
    FetchUnifiedMore(AccountId, u32),
    /// Keep this page as the open folder's cached top, for the next visit.
    CacheTop(MessagePage),
    /// Tell the user.
    Report(ApiError),
}

/// What the list needs from the account on screen; each is answered by a [`ListMsg`].
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// Rows from `offset` ([`ListMsg::Block`]).
    Block { folder: String, offset: u32, sort: SortOrder },
    /// Search results, as block 0 ([`ListMsg::Block`]).
    Search { folder: String, query: SearchQuery },
    /// The folder's cached top from the browser's storage ([`ListMsg::CachedTop`]).
    CachedTop { folder: String },
    /// What changed since the rows were read ([`ListMsg::Resynced`]).
    Changes { folder: String, since: SyncPoint },
}

/// What an update did: whether the screen changes, and what to do next.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    pub render: bool,
    pub effects: Vec<ListEffect>,
}

impl Step {
    fn quiet() -> Self {
        Self::default()
    }

    fn render(effects: Vec<ListEffect>) -> Self {
        Self { render: true, effects }
    }
}

impl ListView {
    pub fn update(&mut self, msg: ListMsg, shown: Shown) -> Step {
        match msg {
            ListMsg::SelectFolder(folder) => {
                self.unified = None;
                self.folder = folder;
                self.search = None;
                Step::render(self.reload(shown))
            }
            ListMsg::Sort(order) => {
                self.unified = None;
                self.sort = order;
                Step::render(self.reload(shown))
            }
            ListMsg::Search(text) => {
                self.unified = None;
                let text = text.trim().to_owned();
                self.search = (!text.is_empty()).then_some(text);
                Step::render(self.reload(shown))
            }
            ListMsg::Visible(range) => {
                // The unified inbox goes on past each account's newest rows as it is scrolled.
                if let Some(unified) = &mut self.unified {
                    let more = unified.more_wanted(range.end);
                    return Step::render(
                        more.into_iter().map(|(id, offset)| ListEffect::FetchUnifiedMore(id, offset)).collect(),
                    );
                }
                let Some(rows) = self.rows.as_mut().filter(|rows| !rows.is_search) else { return Step::quiet() };
                let offsets = Rc::make_mut(rows).claim_missing(range);
                Step::render(offsets.into_iter().map(|offset| ListEffect::Fetch(self.block(offset))).collect())
            }
            ListMsg::ToggleSelected(_) if self.unified.is_some() => Step::quiet(), // bulk actions stay in one account
            ListMsg::ToggleSelected(uid) => {
                let selection = Rc::make_mut(&mut self.selection);
                if !selection.remove(&uid) {
                    selection.insert(uid);
                }
                Step::render(Vec::new())
            }
            ListMsg::ClearSelection => {
                self.selection = Rc::default();
                Step::render(Vec::new())
            }
            ListMsg::Block(id, offset, Ok(page)) => self.block_arrived(id, offset, page, shown),
            ListMsg::Block(_, offset, Err(e)) => {
                self.loading = false;
                if let Some(rows) = &mut self.rows {
                    Rc::make_mut(rows).release(offset);
                }
                Step::render(vec![ListEffect::Report(e)])
            }
            ListMsg::CachedTop(id, folder, page) => self.cached_top_arrived(id, &folder, page, shown),
            ListMsg::Resynced(id, result) => self.resynced(id, result, shown),
            ListMsg::OpenUnified => {
                self.unified = Some(Unified::default());
                self.search = None;
                self.loading = true;
                Step::render(vec![self.clear(), ListEffect::FetchUnified])
            }
            ListMsg::UnifiedRows(id, tag, result) => {
                let Some(unified) = &mut self.unified else { return Step::quiet() };
                self.loading = false;
                match result {
                    Ok(page) => {
                        let rows = unified.take_page(id, tag, page);
                        self.rows = Some(Rc::new(complete_list(UNIFIED, rows)));
                        Step::render(Vec::new())
                    }
                    Err(e) => Step::render(vec![ListEffect::Report(e)]),
                }
            }
        }
    }

    /// Empties the rows and the selection, for a list about to be loaded anew.
    pub fn clear(&mut self) -> ListEffect {
        self.rows = None;
        self.selection = Rc::default();
        ListEffect::Cleared
    }

    /// Empties the list and loads it from the top.
    pub fn reload(&mut self, shown: Shown) -> Vec<ListEffect> {
        let cleared = self.clear();
        vec![cleared, self.load(shown)]
    }

    /// Loads the list from the top: the search results, the cached top of an IMAP folder (then
    /// only what changed), or the folder's newest block.
    pub fn load(&mut self, shown: Shown) -> ListEffect {
        self.loading = true;
        let folder = self.folder.clone();
        ListEffect::Fetch(match self.search.clone() {
            Some(text) => Fetch::Search { folder, query: search_query(text) },
            None if self.rows.is_none() && self.cacheable(shown) && shown.cached => Fetch::CachedTop { folder },
            None => self.block(0),
        })
    }

    /// Brings the list up to date: by resync where its rows allow, else by listing again.
    pub fn refresh(&mut self, shown: Shown) -> ListEffect {
        let since = self.rows.as_ref().filter(|_| self.cacheable(shown)).and_then(|rows| rows.sync_point());
        match since {
            Some(since) => ListEffect::Fetch(Fetch::Changes { folder: self.folder.clone(), since }),
            None => self.load(shown),
        }
    }

    /// Whether the list is an IMAP folder in newest-first order: the one shape that is cached
    /// and resynced.
    pub fn cacheable(&self, shown: Shown) -> bool {
        shown.imap && self.unified.is_none() && self.sort == SortOrder::default() && self.search.is_none()
    }

    /// The key of the shown account's message `uid` in the list: the UID itself, or in the
    /// unified inbox its row key.
    pub fn row_key(&self, account: AccountId, uid: Uid) -> Uid {
        match &self.unified {
            Some(unified) => unified.key_of(account, uid).unwrap_or(0),
            None => uid,
        }
    }

    /// Sets `flag` on the row with `key`; returns the value it had (`!value` for a row not held).
    pub fn set_flag(&mut self, key: Uid, flag: FlagName, value: bool) -> bool {
        match self.rows.as_mut().and_then(|rows| Rc::make_mut(rows).find_mut(key)) {
            Some(row) => std::mem::replace(row.flags.get_mut(flag), value),
            None => !value,
        }
    }

    /// Takes the messages `uids` (rows `keys`) out of the list and the selection.
    pub fn remove(&mut self, keys: &[Uid], uids: &[Uid]) {
        if let Some(rows) = &mut self.rows {
            let rows = Rc::make_mut(rows);
            keys.iter().for_each(|key| rows.remove(*key));
        }
        if uids.iter().any(|uid| self.selection.contains(uid)) {
            Rc::make_mut(&mut self.selection).retain(|uid| !uids.contains(uid));
        }
    }

    /// The messages a drag or a bulk action acts on: the selection if `uid` is in it, else `uid`.
    pub fn acted_on(&self, uid: Uid) -> Vec<Uid> {
        if self.selection.contains(&uid) {
            self.selection.iter().copied().collect()
        } else {
            vec![uid]
        }
    }

    fn block(&mut self, offset: u32) -> Fetch {
        self.loading = self.rows.is_none();
        Fetch::Block { folder: self.folder.clone(), offset, sort: self.sort }
    }

    fn cache_top(&self, shown: Shown) -> Vec<ListEffect> {
        let top = self.rows.as_ref().filter(|_| self.cacheable(shown)).and_then(|rows| rows.top_page());
        top.map(ListEffect::CacheTop).into_iter().collect()
    }

    fn block_arrived(&mut self, id: AccountId, offset: u32, page: MessagePage, shown: Shown) -> Step {
        self.loading = false;
        if id != shown.account || self.unified.is_some() || page.folder != self.folder {
            return Step::quiet(); // the user has moved on
        }
        let searching = self.search.is_some();
        let mut window = match self.rows.take() {
            Some(rows) if rows.folder == page.folder && offset > 0 => Rc::unwrap_or_clone(rows),
            Some(rows) if rows.folder == page.folder && !rows.is_search && !searching => Rc::unwrap_or_clone(rows),
            _ => MessageWindow::new(&page.folder),
        };
        window.is_search = searching;
        if searching {
            window.insert(offset, page.messages.len() as u32, page.messages);
        } else {
            window.insert_page(page);
        }
        self.rows = Some(Rc::new(window));
        Step::render(if offset == 0 { self.cache_top(shown) } else { Vec::new() })
    }

    fn cached_top_arrived(&mut self, id: AccountId, folder: &str, page: Option<MessagePage>, shown: Shown) -> Step {
        if id != shown.account || folder != self.folder || self.rows.is_some() || !self.cacheable(shown) {
            return Step::quiet(); // the user has moved on, or rows came meanwhile
        }
        match page.filter(|p| !p.messages.is_empty()) {
            Some(page) => {
                self.loading = false;
                let mut window = MessageWindow::new(folder);
                window.insert_page(page);
                self.rows = Some(Rc::new(window));
                Step::render(vec![self.refresh(shown)])
            }
            None => Step::render(vec![ListEffect::Fetch(self.block(0))]),
        }
    }

    /// What changed arrived: patch the rows, or list afresh (dropping the rows: they could not
    /// be brought up to date). A failed resync lists again too, which reports.
    fn resynced(&mut self, id: AccountId, result: Result<FolderChanges, ApiError>, shown: Shown) -> Step {
        // A search, another order or another folder may have replaced the rows meanwhile.
        if id != shown.account || !self.cacheable(shown) {
            return Step::quiet();
        }
        let Ok(changes) = result else { return self.relist() };
        let Some(rows) = self.rows.as_mut().filter(|rows| rows.folder == changes.folder) else {
            return Step::quiet();
        };
        let gone = changes.vanished.clone();
        if !Rc::make_mut(rows).apply(changes) {
            return self.relist();
        }
        self.remove(&[], &gone);
        Step::render(self.cache_top(shown))
    }

    fn relist(&mut self) -> Step {
        self.rows = None;
        Step { render: false, effects: vec![ListEffect::Fetch(self.block(0))] }
    }
}

/// The query for what was typed in the search box (its `in:` is the app's to act on).
fn search_query(text: String) -> SearchQuery {
    match text.strip_prefix(MESSAGE_ID_SEARCH) {
        Some(id) => SearchQuery { message_id: Some(id.to_owned()), ..SearchQuery::default() },
        None => crate::search_syntax::parse(&text).query,
    }
}

/// A list that is complete as it is (nothing more to load as it scrolls).
fn complete_list(name: &str, rows: Vec<yubin_protocol::MessageSummary>) -> MessageWindow {
    let mut window = MessageWindow::new(name);
    window.is_search = true;
    window.insert(0, rows.len() as u32, rows);
    window
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::{ErrorKind, Flags, MessageSummary};

    const IMAP: Shown = Shown { account: 1, imap: true, cached: true };
    const IMAP_NEW: Shown = Shown { account: 1, imap: true, cached: false };
    const POP3: Shown = Shown { account: 1, imap: false, cached: false };

    fn row(uid: Uid) -> MessageSummary {
        MessageSummary {
            uid,
            from: None,
            subject: format!("message {uid}"),
            date: Some(1_795_000_000 + i64::from(uid)),
            flags: Flags::default(),
            size: 100,
            has_attachments: false,
            thread: None,
        }
    }

    fn page(folder: &str, offset: u32, total: u32, uids: Range<Uid>) -> MessagePage {
        MessagePage {
            folder: folder.into(),
            offset,
            total,
            messages: uids.rev().map(row).collect(),
            uid_validity: Some(7),
            modseq: Some(100),
        }
    }

    fn fetches(step: &Step) -> Vec<&Fetch> {
        step.effects.iter().filter_map(|e| if let ListEffect::Fetch(f) = e { Some(f) } else { None }).collect()
    }

    fn opened(folder: &str, shown: Shown) -> (ListView, Step) {
        let mut list = ListView::default();
        let step = list.update(ListMsg::SelectFolder(folder.into()), shown);
        (list, step)
    }

    #[test]
    fn an_imap_folder_shows_its_cached_top_then_asks_only_what_changed() {
        let (mut list, step) = opened("INBOX", IMAP);
        assert_eq!(step.effects[0], ListEffect::Cleared, "what was open closes with the old list");
        assert_eq!(fetches(&step), [&Fetch::CachedTop { folder: "INBOX".into() }]);
        assert!(list.loading);

        let step = list.update(ListMsg::CachedTop(1, "INBOX".into(), Some(page("INBOX", 0, 3, 1..4))), IMAP);
        assert!(step.render && !list.loading);
        assert!(matches!(fetches(&step)[..], [Fetch::Changes { .. }]), "resynced, not listed: {step:?}");
        assert_eq!(list.rows.as_ref().map(|r| r.total), Some(3));
    }

    #[test]
    fn without_a_cache_or_over_pop3_the_folder_is_listed() {
        let (mut list, _) = opened("INBOX", IMAP);
        let step = list.update(ListMsg::CachedTop(1, "INBOX".into(), None), IMAP);
        assert_eq!(fetches(&step), [&Fetch::Block { folder: "INBOX".into(), offset: 0, sort: SortOrder::default() }]);

        let (_, step) = opened("INBOX", POP3);
        assert!(matches!(fetches(&step)[..], [Fetch::Block { offset: 0, .. }]), "POP3 lists are not cached");
    }

    #[test]
    fn a_browser_that_never_cached_the_account_asks_the_server_at_once() {
        let (_, step) = opened("INBOX", IMAP_NEW);
        assert_eq!(fetches(&step), [&Fetch::Block { folder: "INBOX".into(), offset: 0, sort: SortOrder::default() }]);
    }

    #[test]
    fn late_replies_for_another_folder_or_account_are_ignored() {
        let (mut list, _) = opened("Archive", IMAP);
        let step = list.update(ListMsg::Block(1, 0, Ok(page("INBOX", 0, 3, 1..4))), IMAP);
        assert_eq!(step, Step::quiet());
        assert!(list.rows.is_none());
        let step = list.update(ListMsg::Block(2, 0, Ok(page("Archive", 0, 3, 1..4))), IMAP);
        assert_eq!(step, Step::quiet(), "another account's");
        let step = list.update(ListMsg::CachedTop(1, "INBOX".into(), Some(page("INBOX", 0, 3, 1..4))), IMAP);
        assert_eq!(step, Step::quiet());
    }

    #[test]
    fn the_first_block_is_cached_and_scrolling_asks_for_missing_blocks_once() {
        let (mut list, _) = opened("INBOX", IMAP);
        list.update(ListMsg::CachedTop(1, "INBOX".into(), None), IMAP);
        let step = list.update(ListMsg::Block(1, 0, Ok(page("INBOX", 0, 500, 451..501))), IMAP);
        assert!(matches!(step.effects[..], [ListEffect::CacheTop(_)]));

        let step = list.update(ListMsg::Visible(90..130), IMAP);
        let offsets: Vec<u32> = fetches(&step)
            .iter()
            .filter_map(|f| if let Fetch::Block { offset, .. } = f { Some(*offset) } else { None })
            .collect();
        assert_eq!(offsets, [50, 100]);
        assert_eq!(list.update(ListMsg::Visible(90..130), IMAP).effects, [], "asked for already");

        let step = list.update(ListMsg::Block(1, 50, Ok(page("INBOX", 50, 500, 401..451))), IMAP);
        assert!(step.effects.is_empty(), "only the top is cached");
    }

    #[test]
    fn a_failed_block_is_reported_and_asked_for_again_when_seen() {
        let (mut list, _) = opened("INBOX", POP3);
        list.update(ListMsg::Block(1, 0, Ok(page("INBOX", 0, 500, 451..501))), POP3);
        list.update(ListMsg::Visible(60..70), POP3);
        let failure = ApiError::new(ErrorKind::ConnectionLost, "gone");
        let step = list.update(ListMsg::Block(1, 50, Err(failure.clone())), POP3);
        assert_eq!(step.effects, [ListEffect::Report(failure)]);
        assert_eq!(fetches(&list.update(ListMsg::Visible(60..70), POP3)).len(), 1);
    }

    #[test]
    fn a_resync_that_cannot_apply_lists_afresh_and_one_that_can_patches_the_rows() {
        let (mut list, _) = opened("INBOX", IMAP);
        list.update(ListMsg::CachedTop(1, "INBOX".into(), Some(page("INBOX", 0, 3, 1..4))), IMAP);
        list.update(ListMsg::ToggleSelected(2), IMAP);

        let mut changes = FolderChanges { folder: "INBOX".into(), ..FolderChanges::default() };
        changes.vanished = vec![2];
        changes.total = 2;
        changes.uid_validity = Some(7);
        let step = list.update(ListMsg::Resynced(1, Ok(changes)), IMAP);
        assert!(step.render, "{step:?}");
        assert!(list.selection.is_empty(), "a message gone elsewhere is no longer selected");
        assert!(list.rows.as_ref().unwrap().find(2).is_none());

        let step = list.update(ListMsg::Resynced(1, Err(ApiError::new(ErrorKind::ConnectionLost, "x"))), IMAP);
        assert!(list.rows.is_none());
        assert!(matches!(fetches(&step)[..], [Fetch::Block { offset: 0, .. }]));
    }

    #[test]
    fn a_search_replaces_the_list_and_a_message_id_is_searched_as_such() {
        let (mut list, _) = opened("INBOX", IMAP);
        let step = list.update(ListMsg::Search("  rfc822msgid:<a@b>  ".into()), IMAP);
        let [Fetch::Search { query, .. }] = &fetches(&step)[..] else { panic!("{step:?}") };
        assert_eq!(query.message_id.as_deref(), Some("<a@b>"));
        assert!(!list.cacheable(IMAP), "search results are not cached");

        list.update(ListMsg::Block(1, 0, Ok(page("INBOX", 0, 999, 1..3))), IMAP);
        let rows = list.rows.clone().unwrap();
        assert!(rows.is_search);
        assert_eq!(rows.total, 2, "a search's total is what it found");
        assert_eq!(list.update(ListMsg::Visible(0..100), IMAP).effects, [], "nothing more to load");

        let step = list.update(ListMsg::Search("   ".into()), IMAP);
        assert_eq!(list.search, None);
        assert!(matches!(fetches(&step)[..], [Fetch::CachedTop { .. }]));
    }

    #[test]
    fn the_unified_inbox_merges_accounts_and_has_no_selection() {
        let (mut list, _) = opened("INBOX", IMAP);
        let step = list.update(ListMsg::OpenUnified, IMAP);
        assert_eq!(step.effects, [ListEffect::Cleared, ListEffect::FetchUnified]);
        list.update(ListMsg::UnifiedRows(1, "a".into(), Ok(page("INBOX", 0, 2, 1..3))), IMAP);
        list.update(ListMsg::UnifiedRows(2, "b".into(), Ok(page("INBOX", 0, 1, 5..6))), IMAP);
        assert_eq!(list.rows.as_ref().unwrap().total, 3);
        assert_eq!(list.row_key(2, 5), 1, "newest first across accounts");
        assert_eq!(list.update(ListMsg::ToggleSelected(1), IMAP), Step::quiet());
        assert!(!list.cacheable(IMAP));

        let step = list.update(ListMsg::Block(1, 0, Ok(page("INBOX", 0, 2, 1..3))), IMAP);
        assert_eq!(step, Step::quiet(), "a folder's rows do not replace the unified inbox");
    }

    #[test]
    fn the_unified_inbox_goes_on_past_each_accounts_newest_rows() {
        let (mut list, _) = opened("INBOX", IMAP);
        list.update(ListMsg::OpenUnified, IMAP);
        list.update(ListMsg::UnifiedRows(1, "a".into(), Ok(page("INBOX", 0, 120, 71..121))), IMAP);
        list.update(ListMsg::UnifiedRows(2, "b".into(), Ok(page("INBOX", 0, 3, 1..4))), IMAP);
        assert_eq!(list.update(ListMsg::Visible(0..20), IMAP).effects, [], "far from the end");
        let step = list.update(ListMsg::Visible(30..45), IMAP);
        assert_eq!(step.effects, [ListEffect::FetchUnifiedMore(1, 50)], "only the account with more");
        assert_eq!(list.update(ListMsg::Visible(30..46), IMAP).effects, [], "asked already");
        list.update(ListMsg::UnifiedRows(1, "a".into(), Ok(page("INBOX", 50, 120, 21..71))), IMAP);
        assert_eq!(list.rows.as_ref().unwrap().total, 103);
        let step = list.update(ListMsg::Visible(90..103), IMAP);
        assert_eq!(step.effects, [ListEffect::FetchUnifiedMore(1, 100)]);
    }

    #[test]
    fn flags_and_removals_change_rows_and_selection() {
        let (mut list, _) = opened("INBOX", POP3);
        list.update(ListMsg::Block(1, 0, Ok(page("INBOX", 0, 3, 1..4))), POP3);
        assert!(!list.set_flag(3, FlagName::Seen, true), "was unread");
        assert!(list.set_flag(3, FlagName::Seen, false), "was read");
        list.update(ListMsg::ToggleSelected(1), POP3);
        list.update(ListMsg::ToggleSelected(3), POP3);
        assert_eq!(list.acted_on(3), [1, 3]);
        assert_eq!(list.acted_on(2), [2]);
        list.remove(&[1, 3], &[1, 3]);
        assert!(list.selection.is_empty());
        assert_eq!(list.rows.as_ref().unwrap().find(1), None);
    }
}
