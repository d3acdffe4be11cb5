//! What the user does to messages and folders: flags, moves, deletes, search, folder management.

use super::*;

impl App {
    /// What the user does to messages and folders: flags, moves, deletes, search, folder management.
    pub(super) fn on_action(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::Source(Ok(text)) => self.reading.source = Some(text),
            Msg::Source(Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::CloseSource => self.reading.source = None,
            Msg::MarkAllRead => {
                if let Some(rows) = &mut self.list.rows {
                    Rc::make_mut(rows).rows_mut().for_each(|m| m.flags.seen = true);
                }
                // In the unified inbox: every account's inbox.
                let targets: Vec<(AccountId, String)> = match &self.list.unified {
                    Some(_) => self.accounts.iter().map(|a| (a.id, a.inbox_id())).collect(),
                    None => vec![(self.active, self.list.folder.clone())],
                };
                for (id, folder) in targets {
                    let request = call::MarkFolderRead { folder };
                    self.call_for(ctx, id, request, move |result| Msg::ChangedIn(id, result));
                }
            }
            Msg::EmptyFolder => {
                if !confirm(tr(self.prefs.lang, "Delete every message in this folder for good?")) {
                    return Handled::Done(false);
                }
                self.clear_list();
                let request = call::EmptyFolder { folder: self.list.folder.clone() };
                self.call(ctx, request, Msg::Emptied);
            }
            Msg::Emptied(result) => {
                if let Err(e) = result {
                    self.notice = Some(Notice::from_error(&e));
                }
                self.load_list(ctx);
                self.refresh_folders_of(ctx, self.active);
            }
            Msg::Act(
                _,
                action @ (Action::Reply
                | Action::ReplyAll
                | Action::Forward
                | Action::ForwardAttached
                | Action::EditDraft),
            ) => {
                let Some(view) = self.reading.loaded() else { return Handled::Done(false) };
                let Some(account) = self.account() else { return Handled::Done(false) };
                let me = account.session.email.clone();
                let id = self.new_message_id();
                let when = format::long_date(view.date);
                let mut draft = match action {
                    Action::Reply => Draft::reply(id, view, &me, false, &when),
                    Action::ReplyAll => Draft::reply(id, view, &me, true, &when),
                    Action::Forward => Draft::forward(id, view, false, &when),
                    Action::ForwardAttached => Draft::forward(id, view, true, &when),
                    _ => Draft::reopen(view, id),
                };
                if action != Action::EditDraft {
                    let identity = self.settings.identity(&me);
                    draft.sign(&identity);
                    if identity.formatted {
                        draft.make_formatted(Some((view, &when)));
                        draft.use_formatted_signature(&identity);
                    }
                }
                self.composer = Some((self.active, Rc::new(Stored { draft, files: Vec::new() })));
            }
            Msg::Act(_, Action::Export) => {
                let Some(view) = self.reading.loaded() else { return Handled::Done(false) };
                let filename = format::eml_name(&view.subject);
                return Handled::Done(Component::update(self, ctx, Msg::Download(String::new(), filename)));
            }
            Msg::Act(_, Action::Print) => {
                let Some(view) = self.reading.loaded() else { return Handled::Done(false) };
                let date = format::long_date(view.date);
                let page = crate::printing::document(&[(view, date)], self.remote_trusted(), self.prefs.lang);
                crate::printing::print(&page);
                return Handled::Done(false);
            }
            Msg::Act(_, Action::PrintConversation) => {
                let Some(thread) = self.reading.conversation.clone() else { return Handled::Done(false) };
                let mut uids: Vec<Uid> = thread.messages.iter().map(|m| m.uid).collect();
                uids.sort_unstable(); // oldest first
                self.print_job = Some((uids.clone(), Default::default()));
                for uid in uids {
                    let request = call::GetMessage { folder: self.list.folder.clone(), uid };
                    self.call(ctx, request, move |view| Msg::PrintPart(uid, view.map(Box::new)));
                }
                return Handled::Done(false);
            }
            Msg::PrintPart(uid, view) => {
                let remote = self.remote_trusted();
                let Some((uids, views)) = &mut self.print_job else { return Handled::Done(false) };
                match view {
                    Ok(view) => {
                        views.insert(uid, view);
                    }
                    Err(e) => {
                        self.print_job = None;
                        self.notice = Some(Notice::from_error(&e));
                        return Handled::Done(true);
                    }
                }
                if views.len() == uids.len() {
                    let dates: Vec<String> = uids.iter().map(|uid| format::long_date(views[uid].date)).collect();
                    let messages: Vec<(&MessageView, String)> =
                        uids.iter().map(|uid| &*views[uid]).zip(dates).collect();
                    let page = crate::printing::document(&messages, remote, self.prefs.lang);
                    crate::printing::print(&page);
                    self.print_job = None;
                }
                return Handled::Done(false);
            }
            Msg::Act(_, Action::Unschedule) => {
                let Some(uid) = self.reading.loaded().map(|view| view.uid) else { return Handled::Done(false) };
                self.call(ctx, call::ClaimScheduled { uid }, move |result| Msg::Unscheduled(uid, result));
                return Handled::Done(false);
            }
            Msg::Unscheduled(uid, result) => {
                let lang = self.prefs.lang;
                self.notice = Some(match result {
                    Ok(true) => Notice::info(tr(lang, "It will not be sent: it stays in Drafts.")),
                    Ok(false) => {
                        Notice::error(tr(lang, "It is not waiting any more: it was sent, or taken off already."))
                    }
                    Err(e) => Notice::from_error(&e),
                });
                // The row and the reader lose their clock.
                self.refresh_list(ctx);
                self.open_message(ctx, uid);
            }
            Msg::Act(_, Action::FilterLike) => {
                let Some(sender) = self.reading.loaded().and_then(|view| view.from.first()) else {
                    return Handled::Done(false);
                };
                return self.on_settings(ctx, Msg::EditFilters(Some(sender.email.clone())));
            }
            Msg::Act(_, Action::AddSender) => {
                let Some(sender) = self.reading.loaded().and_then(|view| view.from.first()) else {
                    return Handled::Done(false);
                };
                let sender = (sender.name.clone().unwrap_or_default(), sender.email.clone());
                return self.on_settings(ctx, Msg::OpenContacts(Some(sender)));
            }
            Msg::Act(uids, Action::MoveTo(to)) => self.remove(ctx, uids, Some(to)),
            Msg::Act(uids, Action::Delete) => {
                // Delete moves to Trash; in Trash it deletes for good. An account without a Trash
                // (a server without SPECIAL-USE and no folder of a known name) asks first: a
                // message must never vanish for good by surprise.
                let in_trash = self.current_role() == Some(FolderRole::Trash);
                let trash = self.folder_with_role(FolderRole::Trash).filter(|t| *t != self.list.folder);
                if trash.is_none()
                    && !in_trash
                    && !confirm(tr(
                        self.prefs.lang,
                        "This account has no Trash folder. Delete for good? This cannot be undone.",
                    ))
                {
                    return Handled::Done(false);
                }
                self.remove(ctx, uids, trash);
            }
            Msg::Changed(result) => {
                return Handled::Done(Component::update(self, ctx, Msg::ChangedIn(self.active, result)))
            }
            Msg::ChangedIn(id, result) => {
                if let Err(e) = result {
                    self.notice = Some(Notice::from_error(&e));
                    self.reload(ctx);
                }
                self.refresh_folders_of(ctx, id);
            }
            Msg::DropOn(folder, uid) => {
                if uid == 0 || folder == self.list.folder || self.list.unified.is_some() {
                    return Handled::Done(false);
                }
                self.remove(ctx, self.list.acted_on(uid), Some(folder));
            }
            Msg::ManageFolder(op) => return Handled::Done(self.manage_folder(ctx, op)),
            Msg::ImportProgress(done, total) => {
                self.notice = Some(Notice::info(trf(
                    self.prefs.lang,
                    "Importing: {done} of {total} messages…",
                    &[("done", &done), ("total", &total)],
                )));
            }
            Msg::Imported(account, folder, result) => self.imported(ctx, account, folder, result),
            Msg::FolderManaged(result, open) => {
                match result {
                    Ok(()) => self.list.open_when_listed = open,
                    Err(e) => self.notice = Some(Notice::from_error(&e)),
                }
                self.refresh_folders_of(ctx, self.active);
            }
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
