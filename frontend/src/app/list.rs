//! The message list on screen: loading, resyncing, and changing its rows.

use super::*;

/// How long the list waits for its cached top before asking the server.
const CACHE_PATIENCE: std::time::Duration = std::time::Duration::from_millis(300);

impl App {
    /// Loads the list on screen again: the unified inbox, or the folder.
    pub(super) fn reload(&mut self, ctx: &Context<Self>) {
        if self.unified.is_some() {
            let ids: Vec<_> = self.accounts.iter().map(|a| a.id).collect();
            ids.into_iter().for_each(|id| self.load_unified_part(ctx, id));
        } else if account_ready(self.account()) {
            self.load_list(ctx);
        }
    }

    /// Asks account `id` for its newest inbox rows, for the unified inbox.
    pub(super) fn load_unified_part(&self, ctx: &Context<Self>, id: AccountId) {
        let Some(account) = self.account_by_id(id).filter(|a| account_ready(Some(a))) else { return };
        let request =
            call::ListMessages { folder: account.inbox_id(), offset: 0, limit: BLOCK, sort: SortOrder::default() };
        self.call_for(ctx, id, request, move |result| Msg::UnifiedRows(id, result));
    }

    /// Empties the list, the selection and the reader, for a list about to be loaded anew.
    pub(super) fn clear_list(&mut self) {
        self.list = None;
        self.selection = Rc::default();
        self.reader = ReaderState::Empty;
    }

    /// The key of the open account's message `uid` in the list: the UID itself, or in the
    /// unified inbox its row key.
    pub(super) fn row_key(&self, uid: Uid) -> Uid {
        match &self.unified {
            Some(unified) => unified.key_of(self.active, uid).unwrap_or(0),
            None => uid,
        }
    }

    /// Loads the list from the top: the folder's newest block, or the search results.
    pub(super) fn load_list(&mut self, ctx: &Context<Self>) {
        match self.search.clone() {
            Some(text) => {
                self.list_loading = true;
                let query = match text.strip_prefix(MESSAGE_ID_SEARCH) {
                    Some(id) => SearchQuery { message_id: Some(id.to_owned()), ..SearchQuery::default() },
                    None => SearchQuery { text: Some(text), ..SearchQuery::default() },
                };
                let request = call::Search { folder: self.folder.clone(), query, limit: SEARCH_LIMIT };
                let id = self.active;
                self.call(ctx, request, move |result| Msg::Block(id, 0, result));
            }
            None if self.list.is_none() && self.cacheable() => {
                // Rows from the last visit at once, then only what changed since.
                self.list_loading = true;
                let (id, folder, email) = (self.active, self.folder.clone(), self.account_email());
                let link = ctx.link().clone();
                spawn_local(async move {
                    // A cache that does not answer at once (storage busy or blocked) must not
                    // hold up the list: the server is asked instead.
                    let load = Box::pin(list_cache::load(&email, &folder));
                    let patience = Box::pin(yew::platform::time::sleep(CACHE_PATIENCE));
                    let page = match futures::future::select(load, patience).await {
                        futures::future::Either::Left((page, _)) => page,
                        futures::future::Either::Right(_) => None,
                    };
                    link.send_message(Msg::CachedTop(id, folder, page));
                });
            }
            None => self.load_block(ctx, 0),
        }
    }

    /// Whether the list on screen is an IMAP folder's in newest-first order: the one shape that
    /// is cached and resynced.
    pub(super) fn cacheable(&self) -> bool {
        let imap = self.account().is_some_and(|a| a.local.is_none());
        imap && self.unified.is_none() && self.sort == SortOrder::default() && self.search.is_none()
    }

    fn account_email(&self) -> String {
        self.account().map(|a| a.session.email.clone()).unwrap_or_default()
    }

    /// The cached top of a folder arrived: shown, then resynced; without one, listed.
    pub(super) fn cached_top_arrived(
        &mut self,
        ctx: &Context<Self>,
        id: AccountId,
        folder: String,
        page: Option<MessagePage>,
    ) -> bool {
        if id != self.active || folder != self.folder || self.list.is_some() || !self.cacheable() {
            return false; // the user has moved on, or rows came meanwhile
        }
        match page.filter(|p| !p.messages.is_empty()) {
            Some(page) => {
                self.list_loading = false;
                let mut window = MessageWindow::new(&folder);
                window.insert_page(page);
                self.list = Some(Rc::new(window));
                self.refresh_list(ctx);
            }
            None => self.load_block(ctx, 0),
        }
        true
    }

    /// Lists the folder afresh, dropping the rows held: they could not be brought up to date.
    pub(super) fn relist(&mut self, ctx: &Context<Self>) {
        self.list = None;
        self.load_block(ctx, 0);
    }

    /// Keeps the top of the list on screen for the next visit.
    fn cache_top(&self) {
        let Some(page) = self.list.as_ref().filter(|_| self.cacheable()).and_then(|list| list.top_page()) else {
            return;
        };
        let email = self.account_email();
        spawn_local(async move { list_cache::save(&email, &page).await });
    }

    /// Brings the list on screen up to date: by resync where its rows allow (an IMAP folder in
    /// newest-first order, not a search), else by listing again.
    pub(super) fn refresh_list(&mut self, ctx: &Context<Self>) {
        let since = self.list.as_ref().filter(|_| self.cacheable()).and_then(|list| list.sync_point());
        match since {
            Some(since) => {
                let request = call::SyncMessages { folder: self.folder.clone(), since };
                let id = self.active;
                self.call(ctx, request, move |result| Msg::Resynced(id, result));
            }
            None => self.load_list(ctx),
        }
    }

    pub(super) fn load_block(&mut self, ctx: &Context<Self>, offset: u32) {
        self.list_loading = self.list.is_none();
        let request = call::ListMessages { folder: self.folder.clone(), offset, limit: BLOCK, sort: self.sort };
        let id = self.active;
        self.call(ctx, request, move |result| Msg::Block(id, offset, result));
    }

    pub(super) fn current_role(&self) -> Option<FolderRole> {
        self.folders().iter().find(|f| f.id == self.folder).and_then(|f| f.role)
    }

    pub(super) fn folder_with_role(&self, role: FolderRole) -> Option<String> {
        self.folders().iter().find(|f| f.role == Some(role)).map(|f| f.id.clone())
    }

    /// Sets `flag` on the row and the open message at once; returns the value it had.
    pub(super) fn apply_flag(&mut self, uid: Uid, flag: FlagName, value: bool) -> bool {
        let mut previous = !value;
        let key = self.row_key(uid);
        if let Some(row) = self.list.as_mut().and_then(|list| Rc::make_mut(list).find_mut(key)) {
            previous = std::mem::replace(row.flags.get_mut(flag), value);
        }
        if let ReaderState::Loaded(view) = &mut self.reader {
            if view.uid == uid {
                *view.flags.get_mut(flag) = value;
            }
        }
        previous
    }

    /// Takes messages out of the list at once, then moves them to `to`, or deletes them for good.
    pub(super) fn remove(&mut self, ctx: &Context<Self>, uids: Vec<Uid>, to: Option<String>) {
        let keys: Vec<Uid> = uids.iter().map(|uid| self.row_key(*uid)).collect();
        if let Some(list) = &mut self.list {
            let list = Rc::make_mut(list);
            keys.iter().for_each(|key| list.remove(*key));
        }
        if self.reader.uid().is_some_and(|open| uids.contains(&open)) {
            self.reader = ReaderState::Empty;
        }
        let selection = Rc::make_mut(&mut self.selection);
        uids.iter().for_each(|uid| {
            selection.remove(uid);
        });
        let folder = self.folder.clone();
        match to {
            Some(to) => self.call(ctx, call::Move { folder, uids, to }, Msg::Changed),
            None => self.call(ctx, call::Expunge { folder, uids }, Msg::Changed),
        }
    }

    /// An account's folders arrived.
    pub(super) fn folders_arrived(&mut self, ctx: &Context<Self>, id: AccountId, folders: Vec<Folder>) -> bool {
        let Some(account) = self.account_mut(id) else { return false };
        account.folders = folders;
        self.announce_unread();
        if id != self.active {
            return true;
        }
        let wanted = self.open_when_listed.take();
        if let Some(folder) = wanted.and_then(|name| self.folders().iter().find(|f| f.name == name)) {
            let id = folder.id.clone();
            return Component::update(self, ctx, Msg::SelectFolder(id));
        }
        let folders = self.folders();
        if self.unified.is_none() && !folders.iter().any(|f| f.id == self.folder) && !folders.is_empty() {
            // The open folder is gone (deleted, renamed elsewhere): back to the first.
            let first = folders[0].id.clone();
            return Component::update(self, ctx, Msg::SelectFolder(first));
        }
        true
    }

    /// A block of the list arrived.
    pub(super) fn block_arrived(&mut self, id: AccountId, offset: u32, page: MessagePage) -> bool {
        self.list_loading = false;
        if id != self.active || self.unified.is_some() || page.folder != self.folder {
            return false; // the user has moved on
        }
        let mut window = match self.list.take() {
            Some(list) if list.folder == page.folder && offset > 0 => Rc::unwrap_or_clone(list),
            Some(list) if list.folder == page.folder && !list.is_search && self.search.is_none() => {
                Rc::unwrap_or_clone(list)
            }
            _ => MessageWindow::new(&page.folder),
        };
        window.is_search = self.search.is_some();
        if window.is_search {
            window.insert(offset, page.messages.len() as u32, page.messages);
        } else {
            window.insert_page(page);
        }
        self.list = Some(Rc::new(window));
        if offset == 0 {
            self.cache_top();
        }
        true
    }

    /// What changed in the open folder arrived: patch the rows, or list again. A failed
    /// resync lists again too, which reports.
    pub(super) fn resynced(
        &mut self,
        ctx: &Context<Self>,
        id: AccountId,
        result: Result<FolderChanges, ApiError>,
    ) -> bool {
        // A search, another order or another folder may have replaced the rows meanwhile.
        if id != self.active || !self.cacheable() {
            return false; // the user has moved on
        }
        let Ok(changes) = result else {
            self.relist(ctx);
            return false;
        };
        let Some(list) = self.list.as_mut().filter(|list| list.folder == changes.folder) else {
            return false;
        };
        let gone: Vec<Uid> = changes.vanished.clone();
        if !Rc::make_mut(list).apply(changes) {
            self.relist(ctx);
            return false;
        }
        self.cache_top();
        if gone.iter().any(|uid| self.selection.contains(uid)) {
            Rc::make_mut(&mut self.selection).retain(|uid| !gone.contains(uid));
        }
        true
    }

    /// Creates, renames, deletes or (un)subscribes a folder.
    pub(super) fn manage_folder(&mut self, ctx: &Context<Self>, op: FolderOp) -> bool {
        let managed = |open: Option<String>| move |result| Msg::FolderManaged(result, open);
        match op {
            FolderOp::Create(name) => self.call(ctx, call::CreateFolder { name: name.clone() }, managed(Some(name))),
            FolderOp::Rename { folder, to } => {
                self.call(ctx, call::RenameFolder { folder, to: to.clone() }, managed(Some(to)))
            }
            FolderOp::Delete(folder) => {
                if !confirm(tr(self.lang, "Delete this folder and every message in it?")) {
                    return false;
                }
                self.call(ctx, call::DeleteFolder { folder }, managed(None))
            }
            FolderOp::Subscribe { folder, subscribed } => {
                self.call(ctx, call::Subscribe { folder, subscribed }, managed(None))
            }
        }
        false
    }
}

impl App {
    /// The folder list and the message list: listing, sorting, selecting, opening.
    pub(super) fn on_list(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::Folders(id, Ok(folders)) => return Handled::Done(self.folders_arrived(ctx, id, folders)),
            // While offline the reconnect notice says it all.
            Msg::Folders(_, Err(_)) if self.offline => {}
            Msg::Folders(_, Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::SelectFolder(folder) => {
                self.unified = None;
                self.folder = folder;
                self.search = None;
                self.clear_list();
                self.load_list(ctx);
            }
            Msg::Block(id, offset, Ok(page)) => return Handled::Done(self.block_arrived(id, offset, page)),
            // A failed resync is no worse than a failed listing: list again, which reports.
            Msg::Resynced(id, result) => return Handled::Done(self.resynced(ctx, id, result)),
            Msg::CachedTop(id, folder, page) => return Handled::Done(self.cached_top_arrived(ctx, id, folder, page)),
            Msg::Block(_, offset, Err(e)) => {
                self.list_loading = false;
                if let Some(list) = &mut self.list {
                    Rc::make_mut(list).release(offset);
                }
                self.notice = Some(Notice::from_error(&e));
            }
            Msg::Sort(order) => {
                self.unified = None;
                self.sort = order;
                self.clear_list();
                self.load_list(ctx);
            }
            Msg::Visible(range) => {
                let Some(list) = &mut self.list else { return Handled::Done(false) };
                if list.is_search {
                    return Handled::Done(false);
                }
                for offset in Rc::make_mut(list).claim_missing(range) {
                    self.load_block(ctx, offset);
                }
            }
            Msg::OpenRow(key) => {
                // In the unified inbox a row stands for a message of one of the accounts.
                let Some(unified) = &self.unified else {
                    return Handled::Done(Component::update(self, ctx, Msg::Open(key)));
                };
                let Some((id, uid)) = unified.resolve(key) else { return Handled::Done(false) };
                if id != self.active {
                    self.active = id;
                    self.selection = Rc::default();
                }
                self.folder = self.account_by_id(id).map(Account::inbox_id).unwrap_or_default();
                return Handled::Done(Component::update(self, ctx, Msg::Open(uid)));
            }
            Msg::Open(uid) => return Handled::Done(self.open_message(ctx, uid)),
            Msg::Opened(uid, result) => return Handled::Done(self.message_opened(ctx, uid, result)),
            Msg::Act(uids, _) if uids.is_empty() => return Handled::Done(false),
            Msg::Act(uids, Action::SetFlag(flag, value)) => {
                let previous: Vec<(Uid, bool)> =
                    uids.iter().map(|uid| (*uid, self.apply_flag(*uid, flag, value))).collect();
                let request = call::SetFlag { folder: self.folder.clone(), uids, flag, value };
                self.call(ctx, request, move |result| match result {
                    Ok(()) => Msg::Changed(Ok(())),
                    Err(e) => Msg::FlagFailed(previous, flag, e),
                });
            }
            Msg::FlagFailed(previous, flag, e) => {
                for (uid, value) in previous {
                    self.apply_flag(uid, flag, value);
                }
                self.notice = Some(Notice::from_error(&e));
            }
            // Bulk actions stay within one account: none in the unified inbox.
            Msg::ToggleSelected(_) if self.unified.is_some() => return Handled::Done(false),
            Msg::ToggleSelected(uid) => {
                let selection = Rc::make_mut(&mut self.selection);
                if !selection.remove(&uid) {
                    selection.insert(uid);
                }
            }
            Msg::ClearSelection => self.selection = Rc::default(),
            Msg::Act(uids, Action::ViewSource) => {
                let uid = uids[0];
                let request = call::GetSource { folder: self.folder.clone(), uid };
                self.call(ctx, request, |result| {
                    Msg::Source(
                        result.map(|(text, truncated)| if truncated { text + "\n[… cut at 2 MB]" } else { text }),
                    )
                });
            }
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
