//! What the user does to messages and folders: flags, moves, deletes, search, folder management.

use super::*;

impl App {
    /// What the user does to messages and folders: flags, moves, deletes, search, folder management.
    pub(super) fn on_action(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::Source(Ok(text)) => self.source = Some(text),
            Msg::Source(Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::CloseSource => self.source = None,
            Msg::MarkAllRead => {
                if let Some(list) = &mut self.list {
                    Rc::make_mut(list).rows_mut().for_each(|m| m.flags.seen = true);
                }
                // In the unified inbox: every account's inbox.
                let targets: Vec<(AccountId, String)> = match &self.unified {
                    Some(_) => self.accounts.iter().map(|a| (a.id, a.inbox_id())).collect(),
                    None => vec![(self.active, self.folder.clone())],
                };
                for (id, folder) in targets {
                    let request = call::MarkFolderRead { folder };
                    self.call_for(ctx, id, request, move |result| Msg::ChangedIn(id, result));
                }
            }
            Msg::EmptyFolder => {
                if !confirm(tr(self.lang, "Delete every message in this folder for good?")) {
                    return Handled::Done(false);
                }
                self.clear_list();
                let request = call::EmptyFolder { folder: self.folder.clone() };
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
                let ReaderState::Loaded(view) = &self.reader else { return Handled::Done(false) };
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
                    draft.sign(&self.settings.identity(&me));
                }
                self.composer = Some((self.active, Rc::new(Stored { draft, files: Vec::new() })));
            }
            Msg::Act(uids, Action::MoveTo(to)) => self.remove(ctx, uids, Some(to)),
            Msg::Act(uids, Action::Delete) => {
                // Delete moves to Trash; in Trash it deletes for good. An account without a Trash
                // (a server without SPECIAL-USE and no folder of a known name) asks first: a
                // message must never vanish for good by surprise.
                let in_trash = self.current_role() == Some(FolderRole::Trash);
                let trash = self.folder_with_role(FolderRole::Trash).filter(|t| *t != self.folder);
                if trash.is_none()
                    && !in_trash
                    && !confirm(tr(
                        self.lang,
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
            Msg::Search(text) => {
                self.unified = None;
                let text = text.trim().to_owned();
                self.search = (!text.is_empty()).then_some(text);
                self.clear_list();
                self.load_list(ctx);
            }
            Msg::DropOn(folder, uid) => {
                if uid == 0 || folder == self.folder || self.unified.is_some() {
                    return Handled::Done(false);
                }
                let uids =
                    if self.selection.contains(&uid) { self.selection.iter().copied().collect() } else { vec![uid] };
                self.remove(ctx, uids, Some(folder));
            }
            Msg::ManageFolder(op) => return Handled::Done(self.manage_folder(ctx, op)),
            Msg::FolderManaged(result, open) => {
                match result {
                    Ok(()) => self.open_when_listed = open,
                    Err(e) => self.notice = Some(Notice::from_error(&e)),
                }
                self.refresh_folders_of(ctx, self.active);
            }
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
