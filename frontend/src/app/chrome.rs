//! The parts of the screen around the mail: sign-in form, account switcher, help, theme and language.

use super::*;

impl App {
    /// Carries out a keyboard shortcut; returns whether the screen changes.
    pub(super) fn shortcut(&mut self, ctx: &Context<Self>, shortcut: Shortcut) -> bool {
        if self.accounts.is_empty() || self.composer.is_some() {
            return false; // signing in or writing: the keyboard is theirs
        }
        let open = self.reader.uid();
        let flagged = matches!(&self.reader, ReaderState::Loaded(view) if view.flags.flagged);
        let act = |action| open.map(|uid| Msg::Act(vec![uid], action));
        let msg = match shortcut {
            Shortcut::Next | Shortcut::Previous => {
                let step = if shortcut == Shortcut::Next { 1 } else { -1 };
                let list = self.list.as_ref();
                let target = match open {
                    Some(uid) => list.and_then(|l| l.neighbour(self.row_key(uid), step)),
                    None => list.and_then(|l| l.get(0)).map(|m| m.uid),
                };
                target.map(Msg::OpenRow)
            }
            Shortcut::Back => {
                self.reader = ReaderState::Empty;
                return true;
            }
            Shortcut::Compose => Some(Msg::Compose),
            Shortcut::Reply => act(Action::Reply),
            Shortcut::ReplyAll => act(Action::ReplyAll),
            Shortcut::Forward => act(Action::Forward),
            Shortcut::Archive => self.folder_with_role(FolderRole::Archive).and_then(|to| act(Action::MoveTo(to))),
            Shortcut::Delete => act(Action::Delete),
            Shortcut::Star => act(Action::SetFlag(FlagName::Flagged, !flagged)),
            Shortcut::Select => open.map(Msg::ToggleSelected),
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
                self.help = false;
                self.source = None;
                return true;
            }
        };
        match msg {
            Some(msg) => Component::update(self, ctx, msg),
            None => false,
        }
    }

    /// The sign-in form: the whole page before the first account, a dialog to add another.
    pub(super) fn login_form(&self, ctx: &Context<Self>, adding: bool) -> Html {
        let link = ctx.link();
        html! {
            <Login
                servers={self.welcome.as_ref().map(|w| w.servers.clone()).unwrap_or_default()}
                connected={self.welcome.is_some() && self.connection.is_some()}
                busy={self.login_busy}
                error={self.login_error.clone()}
                on_submit={link.callback(Msg::Login)}
                can_remember={remember::available()}
                on_test={link.callback(Msg::TestAccount)}
                test={self.account_test.clone()}
                offline_accounts={if adding { Vec::new() } else { offline_accounts::all() }}
                on_offline={link.callback(Msg::OpenOffline)}
                on_cancel={adding.then(|| link.callback(|_| Msg::CancelAddAccount))}
            />
        }
    }

    /// The unified inbox and each account, with its unread count, above the folders.
    pub(super) fn account_switcher(&self, ctx: &Context<Self>) -> Html {
        let (link, lang) = (ctx.link(), self.lang);
        let count = |n: u32| (n > 0).then(|| html! { <span class="unread-count">{ n }</span> });
        let total: u32 = self.accounts.iter().map(Account::unread).sum();
        html! {
            <div class="accounts" role="group" aria-label={tr(lang, "Accounts")}>
                if self.accounts.len() > 1 {
                    <button id="unified-inbox" class={classes!("folder", self.unified.is_some().then_some("current"))}
                        aria-current={self.unified.is_some().then_some("page")}
                        onclick={link.callback(|_| Msg::OpenUnified)}>
                        <span class="label">{ tr(lang, "All inboxes") }</span>
                        { for count(total) }
                    </button>
                    { for self.accounts.iter().map(|account| {
                        let id = account.id;
                        let current = self.unified.is_none() && id == self.active;
                        html! {
                            <button class={classes!("folder", "account-switch", current.then_some("current"))}
                                aria-current={current.then_some("true")} data-account={account.session.email.clone()}
                                onclick={link.callback(move |_| Msg::SwitchAccount(id))}>
                                <span class="label">{ &account.session.email }</span>
                                { for count(account.unread()) }
                            </button>
                        }
                    }) }
                }
                <button id="add-account" class="link" onclick={link.callback(|_| Msg::AddAccount)}>
                    { tr(lang, "+ Add account") }
                </button>
            </div>
        }
    }

    pub(super) fn help(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let close = ctx.link().callback(|_| Msg::Shortcut(Shortcut::Help));
        html! {
            <div class="composer-backdrop" onclick={close.clone()}>
                <section id="shortcuts-help" class="shortcuts" role="dialog" aria-label={tr(lang, "Keyboard shortcuts")}>
                    <button class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                    <h2>{ tr(lang, "Keyboard shortcuts") }</h2>
                    <dl>
                        { for shortcuts::ALL.iter().map(|(key, what)| html! {
                            <><dt><kbd>{ *key }</kbd></dt><dd>{ tr(lang, what) }</dd></>
                        }) }
                    </dl>
                </section>
            </div>
        }
    }

    /// System, light or dark; remembered in the browser.
    pub(super) fn theme_switch(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let onchange = ctx.link().callback(|e: yew::Event| {
            Msg::SetTheme(Theme::from_value(&e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
        });
        html! {
            <select id="theme" class="language" aria-label={tr(lang, "Theme")} onchange={onchange}>
                <option value="system" selected={self.theme == Theme::System}>{ tr(lang, "System theme") }</option>
                <option value="light" selected={self.theme == Theme::Light}>{ tr(lang, "Light") }</option>
                <option value="dark" selected={self.theme == Theme::Dark}>{ tr(lang, "Dark") }</option>
            </select>
        }
    }

    /// English or 日本語, for the whole UI; remembered in the browser.
    pub(super) fn language_switch(&self, ctx: &Context<Self>) -> Html {
        let onchange = ctx.link().callback(|e: yew::Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            Msg::SetLang(if value == "ja" { Lang::Ja } else { Lang::En })
        });
        html! {
            <select id="language" class="language" aria-label={tr(self.lang, "Language")} onchange={onchange}>
                <option value="en" selected={self.lang == Lang::En}>{ "English" }</option>
                <option value="ja" selected={self.lang == Lang::Ja}>{ "日本語" }</option>
            </select>
        }
    }
}

impl App {
    /// Sent and queued mail, shortcuts, offline mailboxes, notifications, appearance, notices.
    pub(super) fn on_chrome(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::ComposeDone(outcome) => return Handled::Done(self.compose_done(ctx, outcome)),
            Msg::OutboxCount(count) => self.outbox = count,
            Msg::Shortcut(shortcut) => return Handled::Done(self.shortcut(ctx, shortcut)),
            Msg::OpenOffline(email) => {
                let id = self.next_account;
                self.next_account += 1;
                let session =
                    Session { username: email.clone(), email: email.clone(), incoming: IncomingProtocol::Pop3 };
                self.accounts.push(Account::new(id, None, session));
                self.active = id;
                self.notice = Some(Notice::info(tr(
                    self.lang,
                    "Offline: this is the mail kept in this browser. Sign out and sign in again to check for new mail.",
                )));
                let link = ctx.link().clone();
                spawn_local(async move { link.send_message(Msg::LocalReady(id, LocalMailbox::open(&email).await)) });
            }
            Msg::ToggleNotifications => {
                if self.notify {
                    self.notify = false;
                    notifications::set_enabled(false);
                } else {
                    let link = ctx.link().clone();
                    spawn_local(
                        async move { link.send_message(Msg::NotificationsAllowed(notifications::ask().await)) },
                    );
                }
            }
            Msg::NotificationsAllowed(allowed) => {
                self.notify = allowed;
                notifications::set_enabled(allowed);
            }
            Msg::SetTheme(theme) => {
                self.theme = theme;
                theme.apply();
                self.settings.theme = Some(theme.value().to_owned());
                self.settings_changed(ctx);
            }
            Msg::SetLang(lang) => {
                self.lang = lang;
                lang.save();
                set_document_language(lang);
                self.settings.lang = Some(lang);
                self.settings_changed(ctx);
            }
            Msg::LocalReady(id, Ok(local)) => {
                let Some(account) = self.account_mut(id) else { return Handled::Done(false) };
                account.local = Some(local);
                offline_accounts::remember(&account.session.email);
                self.refresh_folders_of(ctx, id);
                if id == self.active || self.unified.is_some() {
                    self.reload(ctx);
                }
                ctx.link().send_message(Msg::CheckNow(id));
                self.poll(ctx, id);
            }
            Msg::LocalReady(_, Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::CheckNow(id) => return Handled::Done(self.check_pop3_now(ctx, id)),
            Msg::PollDue(id, generation) => {
                if generation == self.session_generation && self.account_by_id(id).is_some_and(|a| a.local.is_some()) {
                    ctx.link().send_message(Msg::CheckNow(id));
                    self.poll(ctx, id);
                }
                return Handled::Done(false);
            }
            Msg::SyncProgress(id, done, total) => {
                let lang = self.lang;
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
            Msg::OutboxFlushed(receipts, failures) => {
                return Handled::Done(self.outbox_flushed(ctx, receipts, failures))
            }
            Msg::FindSent(message_id) => {
                if let Some(sent) = self.folder_with_role(FolderRole::Sent) {
                    self.unified = None;
                    self.folder = sent;
                    self.search = Some(format!("{MESSAGE_ID_SEARCH}{message_id}"));
                    self.clear_list();
                    self.load_list(ctx);
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

impl App {
    /// The bar across the top: search, compose, the outbox, the account, notifications,
    /// appearance, language, sign out.
    pub(super) fn topbar(&self, ctx: &Context<Self>, account: &Account) -> Html {
        let (link, lang) = (ctx.link(), self.lang);
        html! {
            <header class="topbar">
                <span class="brand">{ "Yubin" }</span>
                // Keyed by folder: switching folders clears the search box with the search.
                <form key={self.folder.clone()} class="search" role="search" onsubmit={link.callback(|e: SubmitEvent| {
                    e.prevent_default();
                    let input: web_sys::HtmlFormElement = e.target_unchecked_into();
                    let value = input.elements().named_item("q")
                        .map(|el| wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlInputElement>(el).value())
                        .unwrap_or_default();
                    Msg::Search(value)
                })}>
                    <input id="search" name="q" type="search" placeholder={tr(lang, "Search mail")} aria-label={tr(lang, "Search mail")} />
                </form>
                <button id="compose-button" class="primary" onclick={link.callback(|_| Msg::Compose)}>{ tr(lang, "Compose") }</button>
                if self.outbox > 0 {
                    <span id="outbox" class="badge" title={tr(lang, "Sent when the gateway is reachable again")}>
                        { trf(lang, "Outbox: {n}", &[("n", &self.outbox)]) }
                    </span>
                }
                <button id="identity-button" class="account" title={tr(lang, "Name and signature")}
                    onclick={link.callback(|_| Msg::EditIdentity(true))}>
                    { &account.session.email }
                </button>
                <button id="notify" class="icon" aria-pressed={self.notify.to_string()}
                    title={tr(lang, if self.notify { "Desktop notifications are on" } else { "Notify me of new mail" })}
                    onclick={link.callback(|_| Msg::ToggleNotifications)}>
                    { if self.notify { "🔔" } else { "🔕" } }
                </button>
                { self.theme_switch(ctx) }
                { self.language_switch(ctx) }
                <button id="logout-button" onclick={link.callback(|_| Msg::Logout)}>{ tr(lang, "Sign out") }</button>
            </header>
        }
    }

    /// The dialogs over the page: a message's source, the shortcuts, the composer, adding an
    /// account, the identity and the special folders.
    pub(super) fn dialogs(&self, ctx: &Context<Self>, account: &Account) -> Html {
        let (link, lang) = (ctx.link(), self.lang);
        let folders = &account.folders;
        html! {
            <>
                if let Some(source) = &self.source {
                    <div class="composer-backdrop" onclick={link.callback(|_| Msg::CloseSource)}>
                        <section class="source" role="dialog" aria-label={tr(lang, "Message source")}
                            onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                            <button class="dismiss" aria-label={tr(lang, "Close")} onclick={link.callback(|_| Msg::CloseSource)}>{ "×" }</button>
                            <pre id="source-text">{ source }</pre>
                        </section>
                    </div>
                }
                if self.help {
                    { self.help(ctx) }
                }
                if let Some((sender, start)) = &self.composer {
                    <Composer
                        key={start.draft.message_id.clone()}
                        connection={self.connection.as_ref().map(|c| c.for_account(*sender))}
                        epoch={self.epoch}
                        identity={self.account_by_id(*sender).map(|a| self.settings.identity(&a.session.email).from_header(&a.session.email)).unwrap_or_default()}
                        start={start.clone()}
                        contacts={self.contacts.clone()}
                        on_done={link.callback(Msg::ComposeDone)}
                    />
                }
                if self.adding_account {
                    { self.login_form(ctx, true) }
                }
                if self.editing_identity {
                    <IdentityForm email={account.session.email.clone()} identity={self.settings.identity(&account.session.email)}
                        on_save={link.callback(Msg::SaveIdentity)} on_close={link.callback(|_| Msg::EditIdentity(false))} />
                }
                if self.editing_roles {
                    <FolderRolesForm folders={folders.clone()}
                        chosen={self.settings.role_choices(&account.session.email).into_iter().map(|c| (c.role, c.folder)).collect::<Vec<_>>()}
                        on_choose={link.callback(|(role, folder)| Msg::ChooseRole(role, folder))}
                        on_create={link.callback(Msg::CreateRoleFolder)}
                        on_close={link.callback(|_| Msg::EditFolderRoles(false))} />
                }
            </>
        }
    }
}
