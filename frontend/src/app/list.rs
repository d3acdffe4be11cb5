//! The message list on screen: carries out what the list's reducer ([`ListView`]) asks for,
//! and the changes to rows that touch the reader and the folders too.

use super::*;

/// How long the list waits for its cached top before asking the server.
const CACHE_PATIENCE: std::time::Duration = std::time::Duration::from_millis(300);

/// How long after a folder list the quota is asked for.
const QUOTA_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

impl App {
    /// The account on screen, as the list sees it.
    pub(super) fn shown(&self) -> Shown {
        let imap = self.account().is_some_and(|a| a.local.is_none());
        Shown { account: self.active, imap, cached: imap && list_cache::holds(&self.account_email()) }
    }

    /// Hands `msg` to the list and carries out what it asks; returns whether the screen changes.
    pub(super) fn update_list(&mut self, ctx: &Context<Self>, msg: ListMsg) -> bool {
        if matches!(msg, ListMsg::Block(..)) {
            crate::timing::mark("yubin:rows-arrived");
        }
        let step = self.list.update(msg, self.shown());
        self.run_list_effects(ctx, step.effects);
        step.render
    }

    fn run_list_effects(&mut self, ctx: &Context<Self>, effects: Vec<ListEffect>) {
        for effect in effects {
            match effect {
                ListEffect::Cleared => self.reading.close(),
                ListEffect::Fetch(fetch) => self.fetch_for_list(ctx, fetch),
                ListEffect::FetchUnified => {
                    let ids: Vec<_> = self.accounts.iter().map(|a| a.id).collect();
                    ids.into_iter().for_each(|id| self.load_unified_part(ctx, id, 0));
                }
                ListEffect::FetchUnifiedMore(id, offset) => self.load_unified_part(ctx, id, offset),
                ListEffect::CacheTop(page) => {
                    let email = self.account_email();
                    spawn_local(async move { list_cache::save(&email, &page).await });
                }
                ListEffect::Report(e) => self.notice = Some(Notice::from_error(&e)),
            }
        }
    }

    /// Asks the account on screen (or the browser's cache) for what the list needs.
    fn fetch_for_list(&self, ctx: &Context<Self>, fetch: Fetch) {
        let id = self.active;
        match fetch {
            Fetch::Block { folder, offset, sort } => {
                let request = call::ListMessages { folder, offset, limit: BLOCK, sort };
                self.call(ctx, request, move |result| Msg::List(ListMsg::Block(id, offset, result)));
            }
            Fetch::Search { folder, query } => {
                let request = call::Search { folder, query, limit: SEARCH_LIMIT };
                self.call(ctx, request, move |result| Msg::List(ListMsg::Block(id, 0, result)));
            }
            Fetch::Changes { folder, since } => {
                let request = call::SyncMessages { folder, since };
                self.call(ctx, request, move |result| Msg::List(ListMsg::Resynced(id, result)));
            }
            Fetch::CachedTop { folder } => {
                let (email, link) = (self.account_email(), ctx.link().clone());
                spawn_local(async move {
                    // A cache that does not answer at once (storage busy or blocked) must not
                    // hold up the list: the server is asked instead.
                    let load = Box::pin(list_cache::load(&email, &folder));
                    let patience = Box::pin(yew::platform::time::sleep(CACHE_PATIENCE));
                    let page = match futures::future::select(load, patience).await {
                        futures::future::Either::Left((page, _)) => page,
                        futures::future::Either::Right(_) => None,
                    };
                    link.send_message(Msg::List(ListMsg::CachedTop(id, folder, page)));
                });
            }
        }
    }

    /// Loads the list on screen again: the unified inbox, or the folder.
    pub(super) fn reload(&mut self, ctx: &Context<Self>) {
        if self.list.unified.is_some() {
            self.run_list_effects(ctx, vec![ListEffect::FetchUnified]);
        } else if account_ready(self.account()) {
            self.load_list(ctx);
        }
    }

    /// Loads the list from the top (see [`ListView::load`]).
    pub(super) fn load_list(&mut self, ctx: &Context<Self>) {
        let load = self.list.load(self.shown());
        self.run_list_effects(ctx, vec![load]);
    }

    /// Brings the list on screen up to date (see [`ListView::refresh`]).
    pub(super) fn refresh_list(&mut self, ctx: &Context<Self>) {
        let refresh = self.list.refresh(self.shown());
        self.run_list_effects(ctx, vec![refresh]);
    }

    /// Empties the list, the selection and the reader, for a list about to be loaded anew.
    pub(super) fn clear_list(&mut self) {
        self.list.clear();
        self.reading.close();
    }

    /// Asks account `id` for its newest inbox rows, for the unified inbox.
    pub(super) fn load_unified_part(&self, ctx: &Context<Self>, id: AccountId, offset: u32) {
        let Some(account) = self.account_by_id(id).filter(|a| account_ready(Some(a))) else { return };
        let tag = account.tag();
        let request =
            call::ListMessages { folder: account.inbox_id(), offset, limit: BLOCK, sort: SortOrder::default() };
        self.call_for(ctx, id, request, move |result| Msg::List(ListMsg::UnifiedRows(id, tag, result)));
    }

    /// The key of the open account's message `uid` in the list.
    pub(super) fn row_key(&self, uid: Uid) -> Uid {
        self.list.row_key(self.active, uid)
    }

    fn account_email(&self) -> String {
        self.account().map(|a| a.session.email.clone()).unwrap_or_default()
    }

    pub(super) fn current_role(&self) -> Option<FolderRole> {
        self.folders().iter().find(|f| f.id == self.list.folder).and_then(|f| f.role)
    }

    pub(super) fn folder_with_role(&self, role: FolderRole) -> Option<String> {
        self.folders().iter().find(|f| f.role == Some(role)).map(|f| f.id.clone())
    }

    /// Sets `flag` on the row and the open message at once; returns the value it had.
    pub(super) fn apply_flag(&mut self, uid: Uid, flag: FlagName, value: bool) -> bool {
        self.reading.set_flag(uid, flag, value);
        self.list.set_flag(self.row_key(uid), flag, value)
    }

    /// Takes messages out of the list at once, then moves them to `to`, or deletes them for good.
    pub(super) fn remove(&mut self, ctx: &Context<Self>, uids: Vec<Uid>, to: Option<String>) {
        let keys: Vec<Uid> = uids.iter().map(|uid| self.row_key(*uid)).collect();
        self.list.remove(&keys, &uids);
        self.reading.close_if_among(&uids);
        let folder = self.list.folder.clone();
        match to {
            Some(to) => self.call(ctx, call::Move { folder, uids, to }, Msg::Changed),
            None => self.call(ctx, call::Expunge { folder, uids }, Msg::Changed),
        }
    }

    /// An account's folders arrived.
    pub(super) fn folders_arrived(&mut self, ctx: &Context<Self>, id: AccountId, folders: Vec<Folder>) -> bool {
        let Some(account) = self.account_mut(id) else { return false };
        account.folders = folders;
        // Counts changed, so may the quota: asked again with every folder list — a moment
        // later, so that it never queues before the list on the account's one IMAP connection
        // (asking opens the inbox: 20 ms at 100k messages, measured on the sign-in path).
        if account.local.is_none() {
            send_later(ctx, QUOTA_DELAY, Msg::AskQuota(id));
        }
        self.announce_unread();
        if id != self.active {
            return true;
        }
        let wanted = self.list.open_when_listed.take();
        if let Some(folder) = wanted.and_then(|name| self.folders().iter().find(|f| f.name == name)) {
            let id = folder.id.clone();
            return self.update_list(ctx, ListMsg::SelectFolder(id));
        }
        let folders = self.folders();
        if self.list.unified.is_none() && !folders.iter().any(|f| f.id == self.list.folder) && !folders.is_empty() {
            // The open folder is gone (deleted, renamed elsewhere): back to the first.
            let first = folders[0].id.clone();
            return self.update_list(ctx, ListMsg::SelectFolder(first));
        }
        true
    }

    /// The folder the user means by `wanted` (`in:` in a search): by its name or its last part,
    /// or by its role in either language, in any case.
    fn folder_named(&self, wanted: &str) -> Option<String> {
        let wanted = wanted.trim().to_lowercase();
        let leaf = |f: &Folder| {
            let delimiter = f.delimiter.as_deref().unwrap_or("/");
            f.name.rsplit(delimiter).next().unwrap_or_default().to_lowercase()
        };
        let by_role = |f: &Folder| {
            f.role.map(role_name).is_some_and(|en| en.to_lowercase() == wanted || tr(Lang::Ja, en) == wanted)
        };
        let folders = self.folders();
        let found = folders
            .iter()
            .find(|f| f.name.to_lowercase() == wanted)
            .or_else(|| folders.iter().find(|f| by_role(f)).or_else(|| folders.iter().find(|f| leaf(f) == wanted)));
        found.map(|f| f.id.clone())
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
                if !confirm(tr(self.prefs.lang, "Delete this folder and every message in it?")) {
                    return false;
                }
                self.call(ctx, call::DeleteFolder { folder }, managed(None))
            }
            FolderOp::Subscribe { folder, subscribed } => {
                self.call(ctx, call::Subscribe { folder, subscribed }, managed(None))
            }
            FolderOp::Export(folder) => {
                let name =
                    self.account().and_then(|a| a.folders.iter().find(|f| f.id == folder)).map(|f| f.name.clone());
                let filename = format::file_name(&name.unwrap_or_else(|| folder.clone()), "mbox");
                let request = call::PrepareMbox { folder, uids: Vec::new(), filename: filename.clone() };
                self.call(ctx, request, move |result| Msg::DownloadReady(result.map(|url| (url, filename))));
            }
            FolderOp::Import(folder, files) => {
                let Some(connection) = self.connection.clone().map(|c| c.for_account(self.active)) else {
                    self.notice = Some(Notice::error(tr(self.prefs.lang, "Not connected to the gateway.")));
                    return true;
                };
                let (link, account) = (ctx.link().clone(), self.active);
                spawn_local(async move {
                    let progress = {
                        let link = link.clone();
                        move |done, total| link.send_message(Msg::ImportProgress(done, total))
                    };
                    let result = crate::mail_import::run(connection, folder.clone(), files, progress).await;
                    link.send_message(Msg::Imported(account, folder, result));
                });
            }
        }
        false
    }

    /// Starts a search of every folder of every signed-in IMAP account; `false` if there is
    /// none (the folder on screen is searched instead).
    fn search_everywhere(&mut self, ctx: &Context<Self>, text: String, query: yubin_protocol::SearchQuery) -> bool {
        let accounts: Vec<AccountId> =
            self.accounts.iter().filter(|a| a.session.incoming == IncomingProtocol::Imap).map(|a| a.id).collect();
        if accounts.is_empty() {
            self.notice = Some(Notice::info(tr(
                self.prefs.lang,
                "Only IMAP accounts can be searched in every folder; searched here.",
            )));
            return false;
        }
        self.everywhere = Some(crate::everywhere::Everywhere::new(text, query.clone(), &accounts));
        for id in accounts {
            let request = call::SearchEverywhere { query: query.clone(), offset: 0, limit: crate::everywhere::PAGE };
            self.call_for(ctx, id, request, move |page| Msg::Found(id, page));
        }
        true
    }

    /// How an import ended: told in numbers, and the folder shown as it is now.
    pub(super) fn imported(
        &mut self,
        ctx: &Context<Self>,
        account: AccountId,
        folder: String,
        result: Result<crate::mail_import::Summary, (ApiError, usize)>,
    ) {
        let lang = self.prefs.lang;
        self.notice = Some(match result {
            Ok(summary) => {
                let report = &summary.report;
                let mut text = trf(
                    lang,
                    "Import done: {added} added, {present} already in the folder.",
                    &[("added", &report.added), ("present", &report.present)],
                );
                if !report.refused.is_empty() {
                    text.push(' ');
                    text.push_str(&trf(lang, "{n} not added: {why}", &[("n", &report.refused.len()), ("why", &report.refused.join("; "))]));
                }
                if report.refused.is_empty() { Notice::info(text) } else { Notice::error(text) }
            }
            Err((e, done)) => Notice::error(trf(
                lang,
                "Import stopped after {done} messages: {error} Import the same files again to finish: nothing is added twice.",
                &[("done", &done), ("error", &e.message)],
            )),
        });
        self.refresh_folders_of(ctx, account);
        if account == self.active && self.list.folder == folder {
            self.reload(ctx);
        }
    }
}

impl App {
    /// The folder list and the message list: listing, sorting, selecting, opening.
    pub(super) fn on_list(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::List(ListMsg::Search(text)) => {
                let parsed = crate::search_syntax::parse(&text);
                // `in:all`, or a search over the unified inbox: every folder of every account.
                if (parsed.everywhere || (self.list.unified.is_some() && !text.trim().is_empty()))
                    && self.search_everywhere(ctx, text.clone(), parsed.query)
                {
                    return Handled::Done(true);
                }
                // `in:folder` in a search: that folder first, then the search in it.
                if let Some(wanted) = parsed.folder {
                    match self.folder_named(&wanted) {
                        Some(folder) => {
                            self.update_list(ctx, ListMsg::SelectFolder(folder));
                        }
                        None => {
                            let missing = "There is no folder “{name}”: searched here.";
                            self.notice = Some(Notice::info(trf(self.prefs.lang, missing, &[("name", &wanted)])));
                        }
                    }
                }
                return Handled::Done(self.update_list(ctx, ListMsg::Search(text)));
            }
            Msg::List(msg) => return Handled::Done(self.update_list(ctx, msg)),
            Msg::Folders(id, Ok(folders)) => return Handled::Done(self.folders_arrived(ctx, id, folders)),
            // While offline the reconnect notice says it all.
            Msg::Folders(_, Err(_)) if self.link.offline => {}
            Msg::Folders(_, Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::AskQuota(id) => {
                self.call_for(ctx, id, call::GetQuota {}, move |result| Msg::Quota(id, result));
                return Handled::Done(false);
            }
            Msg::Quota(id, Ok(quota)) => {
                let Some(account) = self.account_mut(id) else { return Handled::Done(false) };
                let changed = account.quota != quota;
                account.quota = quota;
                return Handled::Done(changed);
            }
            // A server that cannot say is as one without quotas.
            Msg::Quota(_, Err(_)) => return Handled::Done(false),
            Msg::OpenRow(key) => {
                // In the unified inbox a row stands for a message of one of the accounts.
                let Some(unified) = &self.list.unified else {
                    return Handled::Done(Component::update(self, ctx, Msg::Open(key)));
                };
                let Some((id, uid)) = unified.resolve(key) else { return Handled::Done(false) };
                if id != self.active {
                    self.active = id;
                    self.list.selection = Rc::default();
                }
                self.list.folder = self.account_by_id(id).map(Account::inbox_id).unwrap_or_default();
                return Handled::Done(Component::update(self, ctx, Msg::Open(uid)));
            }
            Msg::Found(id, page) => {
                let Some(everywhere) = &mut self.everywhere else { return Handled::Done(false) };
                everywhere.arrived(id, page);
            }
            Msg::FoundMore => {
                let Some(everywhere) = &mut self.everywhere else { return Handled::Done(false) };
                let query = everywhere.query.clone();
                for (id, offset) in everywhere.ask_more() {
                    let request =
                        call::SearchEverywhere { query: query.clone(), offset, limit: crate::everywhere::PAGE };
                    self.call_for(ctx, id, request, move |page| Msg::Found(id, page));
                }
            }
            Msg::CloseEverywhere => self.everywhere = None,
            Msg::ExportResults => {
                let Some(rows) = self.list.rows.as_ref().filter(|rows| rows.is_search) else {
                    return Handled::Done(false);
                };
                let uids: Vec<Uid> =
                    (0..rows.total).filter_map(|position| rows.get(position)).map(|row| row.uid).collect();
                if uids.is_empty() {
                    return Handled::Done(false);
                }
                let search = self.list.search.clone().unwrap_or_default();
                let filename = format::file_name(&search, "mbox");
                let request = call::PrepareMbox { folder: self.list.folder.clone(), uids, filename: filename.clone() };
                self.call(ctx, request, move |result| Msg::DownloadReady(result.map(|url| (url, filename))));
                return Handled::Done(false);
            }
            Msg::OpenFound(id, folder, uid) => {
                self.everywhere = None;
                if id != self.active {
                    self.active = id;
                    self.list.selection = Rc::default();
                }
                self.list.unified = None;
                self.update_list(ctx, ListMsg::SelectFolder(folder));
                return Handled::Done(Component::update(self, ctx, Msg::Open(uid)));
            }
            Msg::Open(uid) => return Handled::Done(self.open_message(ctx, uid)),
            Msg::Opened(uid, result) => return Handled::Done(self.message_opened(ctx, uid, result)),
            Msg::Act(uids, _) if uids.is_empty() => return Handled::Done(false),
            Msg::Act(uids, Action::SetFlag(flag, value)) => {
                let previous: Vec<(Uid, bool)> =
                    uids.iter().map(|uid| (*uid, self.apply_flag(*uid, flag, value))).collect();
                let request = call::SetFlag { folder: self.list.folder.clone(), uids, flag, value };
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
            Msg::Act(uids, Action::ViewSource) => {
                let uid = uids[0];
                let request = call::GetSource { folder: self.list.folder.clone(), uid };
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
