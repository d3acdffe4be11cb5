//! What happens around the mail: keyboard shortcuts, preferences, the outbox, offline POP3
//! mailboxes and their polling, notices.

use super::*;

impl App {
    /// Carries out a keyboard shortcut; returns whether the screen changes.
    pub(super) fn shortcut(&mut self, ctx: &Context<Self>, shortcut: Shortcut) -> bool {
        if shortcut == Shortcut::Print {
            // The open message, as its own page; anything else prints as the browser would.
            return match self.reading.open.uid().filter(|_| self.composer.is_none() && self.reading.loaded().is_some())
            {
                Some(uid) => Component::update(self, ctx, Msg::Act(vec![uid], Action::Print)),
                None => {
                    let _ = web_sys::window().map(|w| w.print());
                    false
                }
            };
        }
        if self.accounts.is_empty() || self.composer.is_some() {
            return false; // signing in or writing: the keyboard is theirs
        }
        let open = self.reading.open.uid();
        let flagged = self.reading.loaded().is_some_and(|view| view.flags.flagged);
        let act = |action| open.map(|uid| Msg::Act(vec![uid], action));
        let msg = match shortcut {
            Shortcut::Next | Shortcut::Previous => {
                let step = if shortcut == Shortcut::Next { 1 } else { -1 };
                let list = self.list.rows.as_ref();
                let target = match open {
                    Some(uid) => list.and_then(|l| l.neighbour(self.row_key(uid), step)),
                    None => list.and_then(|l| l.get(0)).map(|m| m.uid),
                };
                target.map(Msg::OpenRow)
            }
            Shortcut::Back => {
                self.reading.open = ReaderState::Empty;
                return true;
            }
            Shortcut::Compose => Some(Msg::Compose),
            Shortcut::Reply => act(Action::Reply),
            Shortcut::ReplyAll => act(Action::ReplyAll),
            Shortcut::Forward => act(Action::Forward),
            Shortcut::Archive => self.folder_with_role(FolderRole::Archive).and_then(|to| act(Action::MoveTo(to))),
            Shortcut::Delete => act(Action::Delete),
            Shortcut::Star => act(Action::SetFlag(FlagName::Flagged, !flagged)),
            Shortcut::Select => open.map(|uid| Msg::List(ListMsg::ToggleSelected(uid))),
            Shortcut::Search => {
                let search = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("search"));
                if let Some(input) = search.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                {
                    let _ = input.focus();
                }
                None
            }
            Shortcut::Help => {
                self.help = !self.help;
                return true;
            }
            Shortcut::Escape => {
                // The innermost first: an attachment shown over the message closes alone.
                if self.reading.preview.take().is_none() {
                    self.help = false;
                    self.reading.source = None;
                }
                return true;
            }
            Shortcut::Print => return false,
        };
        match msg {
            Some(msg) => Component::update(self, ctx, msg),
            None => false,
        }
    }
}

impl App {
    /// Hands `msg` to the preferences and carries out what they ask.
    pub(super) fn update_preferences(&mut self, ctx: &Context<Self>, msg: PreferencesMsg) {
        for effect in self.prefs.update(msg) {
            match effect {
                PreferencesEffect::ApplyLang(lang) => {
                    // The page's form speaks the language it started with.
                    self.take_over_early_sign_in();
                    crate::i18n::save_lang(lang);
                    set_document_language(lang);
                }
                PreferencesEffect::ApplyTheme(theme) => theme.apply(),
                PreferencesEffect::RoamLang(lang) => {
                    self.settings.lang = Some(lang);
                    self.settings_changed(ctx);
                }
                PreferencesEffect::RoamTheme(theme) => {
                    self.settings.theme = Some(theme.value().to_owned());
                    self.settings_changed(ctx);
                }
                PreferencesEffect::AskNotifications => {
                    let link = ctx.link().clone();
                    spawn_local(async move {
                        let allowed = notifications::ask().await;
                        link.send_message(Msg::Preferences(PreferencesMsg::NotificationsAllowed(allowed)));
                    });
                }
                PreferencesEffect::SaveNotifications(on) => notifications::set_enabled(on),
            }
        }
    }

    /// Sent and queued mail, shortcuts, offline mailboxes, notifications, appearance, notices.
    pub(super) fn on_chrome(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::ComposeDone(outcome) => return Handled::Done(self.compose_done(ctx, outcome)),
            Msg::OutboxCount(count) => self.link.outbox = count,
            Msg::Shortcut(shortcut) => return Handled::Done(self.shortcut(ctx, shortcut)),
            Msg::OpenOffline(email) => {
                let id = self.sign_in.new_account_id();
                let session = Session {
                    username: email.clone(),
                    email: email.clone(),
                    incoming: IncomingProtocol::Pop3,
                    refresh_token: None,
                    filters: false,
                    contacts: false,
                };
                self.accounts.push(Account::new(id, None, session));
                self.active = id;
                self.notice = Some(Notice::info(tr(
                    self.prefs.lang,
                    "Offline: this is the mail kept in this browser. Sign out and sign in again to check for new mail.",
                )));
                let link = ctx.link().clone();
                spawn_local(async move { link.send_message(Msg::LocalReady(id, LocalMailbox::open(&email).await)) });
            }
            Msg::Preferences(msg) => self.update_preferences(ctx, msg),
            Msg::LocalReady(id, Ok(local)) => {
                let Some(account) = self.account_mut(id) else { return Handled::Done(false) };
                account.local = Some(local);
                offline_accounts::remember(&account.session.email);
                self.refresh_folders_of(ctx, id);
                if id == self.active || self.list.unified.is_some() {
                    self.reload(ctx);
                }
                ctx.link().send_message(Msg::CheckNow(id));
                self.poll(ctx, id);
            }
            Msg::LocalReady(_, Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::CheckNow(id) => return Handled::Done(self.check_pop3_now(ctx, id)),
            Msg::PollDue(id, generation) => {
                if generation == self.link.generation && self.account_by_id(id).is_some_and(|a| a.local.is_some()) {
                    ctx.link().send_message(Msg::CheckNow(id));
                    self.poll(ctx, id);
                }
                return Handled::Done(false);
            }
            Msg::CheckScheduled(id, armed) => {
                if self.scheduled_checks.get(&id) == Some(&armed) {
                    self.check_scheduled(ctx, id);
                }
                return Handled::Done(false);
            }
            Msg::ScheduledChecked(id, result) => return Handled::Done(self.scheduled_checked(ctx, id, result)),
            Msg::SyncProgress(id, done, total) => {
                let lang = self.prefs.lang;
                let Some(account) = self.account_mut(id) else { return Handled::Done(false) };
                if total > 0 {
                    account.sync_status =
                        Some(trf(lang, "Downloading {done} of {total}…", &[("done", &done), ("total", &total)]));
                    if done > 0 && self.shows_inbox_of(id) {
                        self.reload(ctx);
                    }
                    self.refresh_folders_of(ctx, id);
                }
            }
            Msg::Synced(id, result) => return Handled::Done(self.pop3_synced(ctx, id, result)),
            Msg::Pop3Settings(settings) => {
                if let Some(account) = self.account_mut(self.active) {
                    account.pop3_settings = settings;
                    settings.save(&account.session.email);
                }
            }
            Msg::StorageWarning(text) => self.notice = Some(Notice::error(text)),
            Msg::OutboxFlushed(flushed) => return Handled::Done(self.outbox_flushed(ctx, flushed)),
            Msg::FlushOutbox => {
                let now = js_sys::Date::now();
                if self.undo_send.as_ref().is_some_and(|(_, due)| *due <= now) {
                    self.undo_send = None;
                }
                self.flush_outbox(ctx);
            }
            Msg::UndoSend(message_id) => {
                self.undo_send = None;
                let (link, lang) = (ctx.link().clone(), self.prefs.lang);
                spawn_local(async move {
                    let stored = outbox::take_back(&message_id).await;
                    let count = crate::local_store::all(Shelf::Outbox).await.map_or(0, |all| all.len());
                    link.send_message(Msg::OutboxCount(count));
                    link.send_message(match stored {
                        Some(stored) => Msg::ComposeFrom(Rc::new(stored)),
                        None => Msg::StorageWarning(tr(lang, "Too late to undo: the message was sent.").to_owned()),
                    });
                });
            }
            Msg::FindSent(message_id) => {
                if let Some(sent) = self.folder_with_role(FolderRole::Sent) {
                    self.list.folder = sent;
                    return Handled::Done(
                        self.update_list(ctx, ListMsg::Search(format!("{MESSAGE_ID_SEARCH}{message_id}"))),
                    );
                }
            }
            Msg::Dismiss => self.notice = None,
            Msg::Noop => return Handled::Done(false),
            Msg::Retry => {
                self.notice = None;
                if self.account().is_some() {
                    self.refresh_folders_of(ctx, self.active);
                    self.reload(ctx);
                }
            }
            Msg::Logout => return Handled::Done(self.sign_out(ctx)),
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
