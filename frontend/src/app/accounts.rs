//! Signing accounts in and out, finding them, and what shows which account.

use super::*;

/// Whether a From header (`Name <addr>` or a bare address) is `email`'s, in any case.
pub(super) fn sends_as(from: &str, email: &str) -> bool {
    from.to_lowercase().contains(&email.to_lowercase())
}

/// Whether `account` can answer mailbox requests: an IMAP account, or a POP3 account whose
/// browser mailbox is open.
pub(super) fn account_ready(account: Option<&Account>) -> bool {
    account.is_some_and(|a| a.session.incoming == IncomingProtocol::Imap || a.local.is_some())
}

impl App {
    pub(super) fn connect(&mut self, ctx: &Context<Self>) {
        match Connection::open(ctx.link().callback(Msg::Connection)) {
            Ok(connection) => self.connection = Some(connection),
            Err(_) => {
                self.notice =
                    Some(Notice::error(tr(self.prefs.lang, "This browser could not open a WebSocket to the gateway.")))
            }
        }
    }

    /// Hands `msg` to the link to the gateway and carries out what it asks.
    fn update_link(&mut self, ctx: &Context<Self>, msg: LinkMsg) -> bool {
        for effect in self.link.update(msg) {
            match effect {
                LinkEffect::Outdated => {
                    let text = "The gateway was updated. Reload the page to get the matching app.";
                    self.notice = Some(Notice::error(tr(self.prefs.lang, text)));
                }
                LinkEffect::SignInAgain => {
                    // Back after a drop (a gateway restart): every account signs in again silently,
                    // and the remembered ones for the first time.
                    let again: Vec<_> =
                        self.accounts.iter().filter_map(|a| Some((a.id, a.credentials.clone()?))).collect();
                    for (id, form) in again {
                        self.sign_in_call(ctx, id, form);
                    }
                    crate::timing::mark("yubin:gateway-ready");
                    self.update_sign_in(ctx, SignInMsg::GatewayReady);
                }
                LinkEffect::AnnounceLost => {
                    let text = "Connection to the gateway lost. Reconnecting…";
                    self.notice = Some(Notice::info(tr(self.prefs.lang, text)));
                }
                LinkEffect::ReconnectLater => send_later(ctx, RECONNECT_DELAY, Msg::Reconnect),
            }
        }
        true
    }

    /// Asks the gateway to sign account `id` in: a new one from the form, or a known one again
    /// after a drop.
    pub(super) fn sign_in_call(&self, ctx: &Context<Self>, id: AccountId, form: LoginForm) {
        let to_msg = move |result| Msg::LoggedIn(id, result);
        if form.oauth {
            // An OAuth account signs in again with its refresh token.
            let grant = OAuthGrant::Refresh(Secret(form.password));
            let request = call::LoginOAuth { server: form.server, username: Some(form.username), grant };
            self.call_for(ctx, id, request, to_msg);
        } else {
            let request = call::Login { server: form.server, username: form.username, password: Secret(form.password) };
            self.call_for(ctx, id, request, to_msg);
        }
    }

    /// An OAuth account's refresh token changed (a sign-in, or the provider's rotation): the
    /// account signs in again with the new one, and a remembered account keeps it.
    pub(super) fn keep_refresh_token(&mut self, id: AccountId, refresh_token: Secret) {
        let Some(form) = self.account_mut(id).and_then(|a| a.credentials.as_mut()).filter(|f| f.oauth) else {
            return;
        };
        form.password = refresh_token.0;
        if form.remember {
            let form = form.clone();
            spawn_local(async move {
                if let Err(e) = remember::save(&form).await {
                    web_sys::console::warn_1(&format!("new sign-in not remembered: {e}").into());
                }
            });
        }
    }

    /// Hands `msg` to the sign-in and carries out what it asks.
    pub(super) fn update_sign_in(&mut self, ctx: &Context<Self>, msg: SignInMsg) -> bool {
        let effects = self.sign_in.update(msg, !self.accounts.is_empty());
        let sign_in = &self.sign_in;
        if sign_in.busy || sign_in.error.is_some() || sign_in.test.is_some() {
            self.take_over_early_sign_in();
        }
        for effect in effects {
            match effect {
                SignInEffect::SignIn(id, form) => self.sign_in_call(ctx, id, form),
                SignInEffect::OAuth(id, back) => {
                    let request = call::LoginOAuth {
                        server: back.server,
                        username: None,
                        grant: OAuthGrant::Sealed(back.sealed),
                    };
                    self.call_for(ctx, id, request, move |result| Msg::LoggedIn(id, result));
                }
                SignInEffect::Test(form) => {
                    let request = call::TestAccount {
                        server: form.server,
                        username: form.username,
                        password: Secret(form.password),
                    };
                    self.call_for(ctx, 0, request, |result| Msg::SignIn(SignInMsg::Tested(result)));
                }
                SignInEffect::Forget(form) => {
                    spawn_local(async move { remember::forget(&form.server, &form.username).await })
                }
            }
        }
        true
    }

    /// The sign-in page shows more than the page's form can: the app's own form takes its
    /// place, with what was typed.
    pub(super) fn take_over_early_sign_in(&mut self) {
        if let Some(early) = self.early_sign_in.take() {
            self.typed = Some(early.take_over());
        }
    }

    pub(super) fn account(&self) -> Option<&Account> {
        self.account_by_id(self.active)
    }

    pub(super) fn account_by_id(&self, id: AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub(super) fn account_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }

    /// The folders of the account on screen.
    pub(super) fn folders(&self) -> &[Folder] {
        self.account().map_or(&[], |a| a.folders.as_slice())
    }

    /// The account a draft is from, by its From address; the one on screen if none matches.
    pub(super) fn account_for_sender(&self, from: &str) -> AccountId {
        self.accounts.iter().find(|a| sends_as(from, &a.session.email)).map_or(self.active, |a| a.id)
    }

    /// Puts account `id`'s inbox on screen.
    pub(super) fn show_account(&mut self, ctx: &Context<Self>, id: AccountId) {
        let Some(account) = self.account_by_id(id) else { return };
        let (inbox, listed) = (account.inbox_id(), !account.folders.is_empty());
        self.active = id;
        self.editing_identity = false;
        if listed || account_ready(self.account()) {
            self.update_list(ctx, ListMsg::SelectFolder(inbox));
        } else {
            self.list.unified = None;
            self.list.folder = inbox;
            self.list.search = None;
            self.clear_list();
        }
        self.refresh_folders_of(ctx, id);
    }

    /// Whether the list on screen shows account `id`'s inbox (alone or in the unified inbox).
    pub(super) fn shows_inbox_of(&self, id: AccountId) -> bool {
        let inbox = self.account_by_id(id).map(Account::inbox_id);
        let list = &self.list;
        list.search.is_none()
            && (list.unified.is_some() || (id == self.active && inbox.as_deref() == Some(list.folder.as_str())))
    }

    /// The inboxes' unread count in the tab title, and a desktop notification when it grew.
    pub(super) fn announce_unread(&mut self) {
        if self.accounts.iter().all(|a| a.inbox().is_none()) {
            return;
        }
        let unread: u32 = self.accounts.iter().map(Account::unread).sum();
        let title = if unread > 0 { format!("({unread}) Yubin") } else { "Yubin".to_owned() };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
        if let Some(before) = self.inbox_unread.filter(|before| unread > *before) {
            if self.prefs.notify {
                notifications::show(&trf(self.prefs.lang, "{n} new message(s)", &[("n", &(unread - before))]));
            }
        }
        self.inbox_unread = Some(unread);
    }

    pub(super) fn refresh_folders_of(&self, ctx: &Context<Self>, id: AccountId) {
        if !account_ready(self.account_by_id(id)) {
            return;
        }
        self.call_for(ctx, id, call::ListFolders {}, move |result| Msg::Folders(id, result));
    }

    /// An account signed in: the first time, or again after the connection dropped.
    pub(super) fn signed_in(&mut self, ctx: &Context<Self>, id: AccountId, session: Session) -> bool {
        crate::timing::mark("yubin:signed-in");
        self.typed = None; // the password typed is not shown again after a sign-out
        if self.notice.as_ref().is_some_and(|n| n.kind == NoticeKind::Info) {
            self.notice = None;
        }
        self.link.epoch += 1;
        let first = self.accounts.is_empty();
        if session.filters {
            // Fetched ahead once the mail is on screen, so the first "Filters…" does not wait.
            spawn_local(async {
                yew::platform::time::sleep(std::time::Duration::from_secs(5)).await;
                crate::extras::prefetch("filters");
            });
        }
        if session.contacts {
            self.sync_contacts_later(ctx, id, session.email.clone());
        }
        if let Some(known) = self.account_mut(id) {
            // Signed in again after a drop: catch up.
            let renewed = session.refresh_token.clone();
            known.session = session;
            if let Some(token) = renewed {
                self.keep_refresh_token(id, token);
            }
            let Some(known) = self.account_mut(id) else { return false };
            if known.local.is_some() {
                ctx.link().send_message(Msg::CheckNow(id));
            } else {
                self.refresh_folders_of(ctx, id);
                if self.list.unified.is_some() {
                    self.reload(ctx);
                } else {
                    self.refresh_list(ctx);
                }
            }
        } else {
            let Some(mut form) = self.sign_in.finished(id) else {
                return false; // a sign-in the user gave up on
            };
            if form.oauth {
                // Signed in again later as the account the provider named, with its token.
                form.username = session.email.clone();
                form.password = session.refresh_token.clone().map(|t| t.0).unwrap_or_default();
            }
            if form.remember {
                let form = form.clone();
                spawn_local(async move {
                    if let Err(e) = remember::save(&form).await {
                        web_sys::console::warn_1(&format!("not remembered: {e}").into());
                    }
                });
            }
            self.sign_in.adding = false;
            let pop3 = session.incoming == IncomingProtocol::Pop3;
            let email = session.email.clone();
            self.accounts.push(Account::new(id, Some(form), session));
            // Remembered accounts signing in together: the first stays on screen. Its list is
            // asked for first: the account's one IMAP connection answers in order.
            if first || !self.sign_in.more_pending() {
                self.show_account(ctx, id);
            }
            if !pop3 {
                self.fetch_settings(ctx, id);
            }
            if pop3 {
                let link = ctx.link().clone();
                spawn_local(async move { link.send_message(Msg::LocalReady(id, LocalMailbox::open(&email).await)) });
            }
        }
        // A new gateway session knows none of the user's folder choices: give them again.
        let email = self.account_by_id(id).map(|a| a.session.email.clone()).unwrap_or_default();
        if !self.settings.role_choices(&email).is_empty() {
            self.send_folder_roles(ctx, id);
        }
        self.flush_outbox(ctx);
        // Messages to send later that came due while no Yubin was open, off the sign-in path.
        self.arm_scheduled_check(ctx, id, std::time::Duration::from_secs(3));
        if first {
            // Whatever was being written when the tab closed comes back.
            let link = ctx.link().clone();
            spawn_local(async move {
                if let Ok(drafts) = crate::local_store::all(Shelf::Drafts).await {
                    link.send_message(Msg::LocalDrafts(drafts));
                }
            });
        }
        true
    }

    /// Once the mail is on screen: the composer gets the address book this browser keeps, then
    /// (the contacts module loaded in the background) the server's, brought up to date.
    fn sync_contacts_later(&self, ctx: &Context<Self>, id: AccountId, email: String) {
        let Some(connection) = self.connection.as_ref().map(|c| c.for_account(id)) else { return };
        let link = ctx.link().clone();
        spawn_local(async move {
            let offer = async || {
                let suggestions = yubin_shared::address_book::suggestions(&email).await;
                link.send_message(Msg::AddressBook(email.clone(), Rc::new(suggestions)));
            };
            // Off the sign-in path: what this browser keeps a second later (the storage is not
            // opened while the first rows load), the server's a few seconds after.
            yew::platform::time::sleep(std::time::Duration::from_secs(1)).await;
            offer().await;
            yew::platform::time::sleep(std::time::Duration::from_secs(4)).await;
            if crate::extras::sync_contacts(email.clone(), connection).await.is_ok() {
                offer().await;
            }
        });
    }

    /// Signs the account on screen out, and forgets it in this browser.
    pub(super) fn sign_out(&mut self, ctx: &Context<Self>) -> bool {
        self.sign_out_account(ctx, self.active)
    }

    /// An OAuth account's grant expired or was withdrawn at the provider: only its consent helps,
    /// so the account goes (and is forgotten here) and its "Sign in with …" button is shown.
    fn sign_in_ended(&mut self, ctx: &Context<Self>, id: AccountId) -> bool {
        if self.account_by_id(id).is_none() {
            return false; // told already
        }
        self.sign_out_account(ctx, id);
        let text = "Your sign-in has ended at the identity provider. Sign in again to go on.";
        self.notice = Some(Notice::error(tr(self.prefs.lang, text)));
        true
    }

    /// Signs account `id` out, and forgets it in this browser.
    fn sign_out_account(&mut self, ctx: &Context<Self>, id: AccountId) -> bool {
        // Signing out means "forget me" too.
        if let Some(form) = self.account_by_id(id).and_then(|a| a.credentials.clone()) {
            spawn_local(async move { remember::forget(&form.server, &form.username).await });
        }
        if let Some(email) = self.account_by_id(id).map(|a| a.session.email.clone()) {
            self.address_books.remove(&email);
            spawn_local(async move {
                list_cache::forget(&email).await;
                yubin_shared::address_book::forget(&email).await;
            });
        }
        if let Some(connection) = &self.connection {
            let connection = connection.for_account(id);
            spawn_local(async move {
                let _ = connection.call(call::Logout {}).await;
            });
        }
        self.accounts.retain(|a| a.id != id);
        if self.composer.as_ref().is_some_and(|(account, _)| *account == id) {
            self.composer = None;
        }
        if let Some(unified) = &mut self.list.unified {
            unified.forget(id);
        }
        self.inbox_unread = None;
        match self.accounts.first().map(|a| a.id) {
            Some(_) if id != self.active => {} // another account went; the one on screen stays
            Some(next) => self.show_account(ctx, next),
            None => {
                if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                    document.set_title("Yubin");
                }
                self.link.generation += 1;
                self.list.unified = None;
                self.clear_list();
            }
        }
        true
    }
}

impl App {
    /// Connecting, signing in and out, and switching accounts.
    pub(super) fn on_account(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::Connection(ConnectionEvent::Welcome(welcome)) => {
                return Handled::Done(self.update_link(ctx, LinkMsg::Welcome(welcome)))
            }
            Msg::Connection(ConnectionEvent::Pushed(Event::TokenRenewed { account, refresh_token })) => {
                self.keep_refresh_token(account, refresh_token);
                return Handled::Done(false);
            }
            Msg::Connection(ConnectionEvent::Pushed(Event::FolderChanged { account, folder })) => {
                let Some(changed) = self.account_by_id(account) else { return Handled::Done(false) };
                let inbox = changed.inbox_id() == folder;
                if self.list.unified.is_some() {
                    if inbox {
                        self.load_unified_part(ctx, account, 0);
                    }
                } else if account == self.active && folder == self.list.folder && self.list.search.is_none() {
                    // New, removed or changed mail in the folder on screen: show it as it is now.
                    self.refresh_list(ctx);
                }
                // Elsewhere (the inbox, watched too): its counts, the title, a notification.
                self.refresh_folders_of(ctx, account);
                return Handled::Done(false);
            }
            Msg::Connection(ConnectionEvent::Closed { quiet }) => {
                self.connection = None;
                return Handled::Done(self.update_link(ctx, LinkMsg::Closed { quiet }));
            }
            Msg::Reconnect => self.connect(ctx),
            Msg::SignIn(msg) => return Handled::Done(self.update_sign_in(ctx, msg)),
            Msg::LoggedIn(id, Ok(session)) => return Handled::Done(self.signed_in(ctx, id, session)),
            Msg::LoggedIn(id, Err(e)) => {
                if let Some(known) = self.account_by_id(id) {
                    let oauth = known.credentials.as_ref().is_some_and(|f| f.oauth);
                    if oauth && e.kind == ErrorKind::AuthFailed {
                        return Handled::Done(self.sign_in_ended(ctx, id));
                    } else {
                        // The silent sign-in after a drop failed (a changed password?): say so.
                        self.notice = Some(Notice::from_error(&e));
                    }
                } else {
                    return Handled::Done(self.update_sign_in(ctx, SignInMsg::Failed(id, e)));
                }
            }
            Msg::SignInEnded(id) => return Handled::Done(self.sign_in_ended(ctx, id)),
            Msg::SwitchAccount(id) => self.show_account(ctx, id),
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
