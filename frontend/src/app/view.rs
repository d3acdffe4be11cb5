//! What the app shows: the page, split into panes (folders, list, reader) and what surrounds
//! them (top bar, sign-in form, account switcher, dialogs). Views only read the state; what the
//! user does comes back as messages.

use super::*;

impl App {
    /// Everything on screen, in [`App::view`]'s language context.
    pub(super) fn page(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let notice = self.notice.as_ref().map(|n| {
            html! { <NoticeView notice={n.clone()} on_dismiss={link.callback(|_| Msg::Dismiss)}
            on_retry={link.callback(|_| Msg::Retry)} /> }
        });
        let Some(account) = self.account() else {
            return html! {
                <>
                    { for notice }
                    { self.login_form(ctx, false) }
                    { self.language_switch(ctx) }
                </>
            };
        };
        html! {
            <div class={classes!("app", self.reading.open.uid().is_some().then_some("reading"))}>
                { self.topbar(ctx, account) }
                { for notice }
                { self.undo_send_bar(ctx) }
                { self.folders_pane(ctx, account) }
                { self.list_pane(ctx, account) }
                { self.reader_pane(ctx, account) }
                { self.dialogs(ctx, account) }
            </div>
        }
    }

    /// "Sending… Undo" while a message just sent waits to go.
    fn undo_send_bar(&self, ctx: &Context<Self>) -> Html {
        let Some((message_id, _)) = &self.undo_send else { return html! {} };
        let lang = self.prefs.lang;
        let id = message_id.clone();
        html! {
            <div id="undo-send-bar" class="notice info" role="status">
                <span>{ tr(lang, "Sending…") }</span>
                <button id="undo-send" onclick={ctx.link().callback(move |_| Msg::UndoSend(id.clone()))}>{ tr(lang, "Undo") }</button>
                <span class="notice-hint">{ tr(lang, "If this tab closes now, the message goes out when Yubin next opens.") }</span>
            </div>
        }
    }

    /// The accounts, the folders, and a POP3 account's download panel.
    fn folders_pane(&self, ctx: &Context<Self>, account: &Account) -> Html {
        let (link, lang, list) = (ctx.link(), self.prefs.lang, &self.list);
        html! {
            <nav class="folders" aria-label={tr(lang, "Folders")}>
                { self.account_switcher(ctx) }
                <FolderList folders={account.folders.clone()}
                    current={if list.unified.is_some() { String::new() } else { list.folder.clone() }}
                    on_select={link.callback(|folder| Msg::List(ListMsg::SelectFolder(folder)))} on_manage={link.callback(Msg::ManageFolder)}
                    on_drop={link.callback(|(folder, uid)| Msg::DropOn(folder, uid))}
                    on_roles={(account.session.incoming == IncomingProtocol::Imap).then(|| link.callback(|_| Msg::EditFolderRoles(true)))}
                    on_filters={account.session.filters.then(|| link.callback(|_| Msg::EditFilters(None)))}
                    on_contacts={account.session.contacts.then(|| link.callback(|_| Msg::OpenContacts(None)))}
                    can_transfer={account.session.incoming == IncomingProtocol::Imap && list.unified.is_none()} />
                if let Some(quota) = account.quota {
                    <QuotaMeter quota={quota} />
                }
                if account.local.is_some() {
                    <Pop3Panel status={account.sync_status.clone()} syncing={account.syncing} settings={account.pop3_settings}
                        on_check={{ let id = account.id; link.callback(move |_| Msg::CheckNow(id)) }}
                        on_settings={link.callback(Msg::Pop3Settings)} />
                }
            </nav>
        }
    }

    /// The message list, with the bulk actions while messages are ticked.
    fn list_pane(&self, ctx: &Context<Self>, account: &Account) -> Html {
        let (link, lang, list) = (ctx.link(), self.prefs.lang, &self.list);
        let unified = list.unified.as_ref();
        html! {
            <section class="list" aria-label={tr(lang, "Messages")}>
                if !list.selection.is_empty() {
                    <BulkActions count={list.selection.len()} folders={account.folders.clone()} folder={list.folder.clone()}
                        on_action={{
                            let uids: Vec<Uid> = list.selection.iter().copied().collect();
                            link.callback(move |action| Msg::Act(uids.clone(), action))
                        }}
                        on_clear={link.callback(|_| Msg::List(ListMsg::ClearSelection))} />
                }
                <MessageList
                    window={list.rows.clone()}
                    loading={list.loading}
                    selected={self.reading.open.uid().map(|uid| self.row_key(uid))}
                    tags={unified.map(Unified::tags)}
                    on_open={link.callback(Msg::OpenRow)}
                    on_visible={link.callback(|range| Msg::List(ListMsg::Visible(range)))}
                    selection={list.selection.clone()}
                    on_toggle={link.callback(|uid| Msg::List(ListMsg::ToggleSelected(uid)))}
                    sort={list.sort}
                    on_sort={link.callback(|order| Msg::List(ListMsg::Sort(order)))}
                    on_mark_all_read={link.callback(|_| Msg::MarkAllRead)}
                    on_export_results={(account.session.incoming == IncomingProtocol::Imap && unified.is_none())
                        .then(|| link.callback(|_| Msg::ExportResults))}
                    on_empty={self.current_role().filter(|r| unified.is_none() && matches!(r, FolderRole::Trash | FolderRole::Junk))
                        .map(|_| link.callback(|_| Msg::EmptyFolder))}
                />
            </section>
        }
    }

    /// The open message (or conversation).
    fn reader_pane(&self, ctx: &Context<Self>, account: &Account) -> Html {
        let (link, lang, reading) = (ctx.link(), self.prefs.lang, &self.reading);
        html! {
            <main class="reader" id="reader">
                <button class="back-button" id="back-button" onclick={link.callback(|_| Msg::Shortcut(Shortcut::Back))}>
                    { tr(lang, "← Back") }
                </button>
                <Reader state={reading.open.clone()} folders={account.folders.clone()} can_filter={account.session.filters}
                    can_add_contact={account.session.contacts}
                    on_action={
                        let uid = reading.open.uid();
                        link.batch_callback(move |action| uid.map(|uid| Msg::Act(vec![uid], action)))
                    }
                    on_download={link.callback(|(section, name)| Msg::Download(section, name))}
                    on_download_all={link.callback(|_| Msg::DownloadAll)}
                    preview={reading.preview.clone()}
                    on_preview={link.callback(|(index, delta)| Msg::Preview(index, delta))}
                    on_close_preview={link.callback(|_| Msg::ClosePreview)}
                    on_find_sent={link.callback(Msg::FindSent)}
                    on_retry={link.callback(Msg::Open)}
                    conversation={reading.conversation.clone()}
                    remote_trusted={self.remote_trusted()}
                    on_trust_sender={link.callback(Msg::TrustSender)}
                    on_open={link.callback(Msg::Open)} />
            </main>
        }
    }

    /// The results of a search of every folder, labelled by account and folder.
    fn everywhere_view(&self, ctx: &Context<Self>, everywhere: &crate::everywhere::Everywhere) -> Html {
        let (link, lang) = (ctx.link(), self.prefs.lang);
        let many_accounts = self.accounts.len() > 1;
        let folder_name = |id: AccountId, folder: &str| {
            self.account_by_id(id)
                .and_then(|a| a.folders.iter().find(|f| f.id == folder))
                .map(|f| f.name.clone())
                .unwrap_or_else(|| folder.to_owned())
        };
        let hits = everywhere.hits();
        html! {
            <div class="composer-backdrop" onclick={link.callback(|_| Msg::CloseEverywhere)}>
                <section class="source found" id="search-everywhere" role="dialog" aria-label={tr(lang, "Search in every folder")}
                    onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                    <button class="dismiss" aria-label={tr(lang, "Close")} onclick={link.callback(|_| Msg::CloseEverywhere)}>{ "×" }</button>
                    <h2>{ trf(lang, "“{search}” in every folder", &[("search", &everywhere.text)]) }</h2>
                    <p class="found-count" role="status">{
                        if everywhere.loading() && hits.is_empty() { tr(lang, "Searching…").to_owned() }
                        else { trf(lang, "{n} found", &[("n", &everywhere.total())]) }
                    }</p>
                    { for everywhere.accounts.iter().filter_map(|r| r.error.as_ref().map(|e| (r.account, e))).map(|(id, e)| html! {
                        <p class="form-error">{ format!("{}: {}", self.account_by_id(id).map(|a| a.session.email.clone()).unwrap_or_default(), e.message) }</p>
                    }) }
                    <ul class="found-list">
                        { for hits.iter().map(|hit| {
                            let (id, folder, uid) = (hit.account, hit.found.folder.clone(), hit.found.message.uid);
                            let message = &hit.found.message;
                            html! {
                                <li>
                                    <button class={classes!("found-row", (!message.flags.seen).then_some("unread"))}
                                        onclick={link.callback(move |_| Msg::OpenFound(id, folder.clone(), uid))}>
                                        <span class="where">
                                            if many_accounts {
                                                <span class="account">{ self.account_by_id(id).map(|a| a.session.email.clone()).unwrap_or_default() }</span>
                                                { " · " }
                                            }
                                            <span class="folder">{ folder_name(id, &hit.found.folder) }</span>
                                        </span>
                                        <span class="from">{ format::sender(message.from.as_ref()) }</span>
                                        <span class="subject">{ if message.subject.is_empty() { tr(lang, "(no subject)") } else { &message.subject } }</span>
                                        <span class="date">{ format::short_date(message.date) }</span>
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                    if everywhere.has_more() {
                        <button id="found-more" disabled={everywhere.loading()} onclick={link.callback(|_| Msg::FoundMore)}>{ tr(lang, "More results") }</button>
                    }
                </section>
            </div>
        }
    }

    /// The sign-in form: the whole page before the first account, a dialog to add another.
    pub(super) fn login_form(&self, ctx: &Context<Self>, adding: bool) -> Html {
        if self.early_sign_in.is_some() && !adding {
            return html! {}; // the page's own form is on screen
        }
        let link = ctx.link();
        let servers = self.link.welcome.as_ref().map_or_else(|| self.page_servers.clone(), |w| w.servers.clone());
        html! {
            <Login
                servers={servers}
                typed={if adding { None } else { self.typed.clone() }}
                connected={self.link.welcome.is_some() && self.connection.is_some()}
                busy={self.sign_in.busy}
                error={self.sign_in.error.clone()}
                on_submit={link.callback(|form| Msg::SignIn(SignInMsg::Submit(form)))}
                can_remember={remember::available()}
                on_test={link.callback(|form| Msg::SignIn(SignInMsg::Test(form)))}
                test={self.sign_in.test.clone()}
                offline_accounts={if adding { Vec::new() } else { offline_accounts::all() }}
                on_offline={link.callback(Msg::OpenOffline)}
                on_cancel={adding.then(|| link.callback(|_| Msg::SignIn(SignInMsg::Cancel)))}
            />
        }
    }

    /// The unified inbox and each account, with its unread count, above the folders.
    pub(super) fn account_switcher(&self, ctx: &Context<Self>) -> Html {
        let (link, lang) = (ctx.link(), self.prefs.lang);
        let count = |n: u32| (n > 0).then(|| html! { <span class="unread-count">{ n }</span> });
        let total: u32 = self.accounts.iter().map(Account::unread).sum();
        html! {
            <div class="accounts" role="group" aria-label={tr(lang, "Accounts")}>
                if self.accounts.len() > 1 {
                    <button id="unified-inbox" class={classes!("folder", self.list.unified.is_some().then_some("current"))}
                        aria-current={self.list.unified.is_some().then_some("page")}
                        onclick={link.callback(|_| Msg::List(ListMsg::OpenUnified))}>
                        <span class="label">{ tr(lang, "All inboxes") }</span>
                        { for count(total) }
                    </button>
                    { for self.accounts.iter().map(|account| {
                        let id = account.id;
                        let current = self.list.unified.is_none() && id == self.active;
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
                <button id="add-account" class="link" onclick={link.callback(|_| Msg::SignIn(SignInMsg::Add))}>
                    { tr(lang, "+ Add account") }
                </button>
            </div>
        }
    }

    pub(super) fn help(&self, ctx: &Context<Self>) -> Html {
        let lang = self.prefs.lang;
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
        let lang = self.prefs.lang;
        let onchange = ctx.link().callback(|e: yew::Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            Msg::Preferences(PreferencesMsg::SetTheme(Theme::from_value(&value)))
        });
        html! {
            <select id="theme" class="language" aria-label={tr(lang, "Theme")} onchange={onchange}>
                <option value="system" selected={self.prefs.theme == Theme::System}>{ tr(lang, "System theme") }</option>
                <option value="light" selected={self.prefs.theme == Theme::Light}>{ tr(lang, "Light") }</option>
                <option value="dark" selected={self.prefs.theme == Theme::Dark}>{ tr(lang, "Dark") }</option>
            </select>
        }
    }

    /// English or 日本語, for the whole UI; remembered in the browser.
    pub(super) fn language_switch(&self, ctx: &Context<Self>) -> Html {
        let onchange = ctx.link().callback(|e: yew::Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            Msg::Preferences(PreferencesMsg::SetLang(if value == "ja" { Lang::Ja } else { Lang::En }))
        });
        html! {
            <select id="language" class="language" aria-label={tr(self.prefs.lang, "Language")} onchange={onchange}>
                <option value="en" selected={self.prefs.lang == Lang::En}>{ "English" }</option>
                <option value="ja" selected={self.prefs.lang == Lang::Ja}>{ "日本語" }</option>
            </select>
        }
    }
    /// The bar across the top: search, compose, the outbox, the account, notifications,
    /// appearance, language, sign out.
    pub(super) fn topbar(&self, ctx: &Context<Self>, account: &Account) -> Html {
        let (link, lang) = (ctx.link(), self.prefs.lang);
        html! {
            <header class="topbar">
                <span class="brand">{ "Yubin" }</span>
                // Keyed by folder: switching folders clears the search box with the search.
                <form key={self.list.folder.clone()} class="search" role="search" onsubmit={link.callback(|e: SubmitEvent| {
                    e.prevent_default();
                    let input: web_sys::HtmlFormElement = e.target_unchecked_into();
                    let value = input.elements().named_item("q")
                        .map(|el| wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlInputElement>(el).value())
                        .unwrap_or_default();
                    Msg::List(ListMsg::Search(value))
                })}>
                    <input id="search" name="q" type="search" placeholder={tr(lang, "Search mail")} aria-label={tr(lang, "Search mail")}
                        title={tr(lang, "Search mail: from:, to:, subject:, has:attachment, is:unread, is:starred, before:, after:, larger:, in:")} />
                </form>
                <button id="compose-button" class="primary" onclick={link.callback(|_| Msg::Compose)}>{ tr(lang, "Compose") }</button>
                if self.link.outbox > 0 {
                    <span id="outbox" class="badge" title={tr(lang, "Sent when the gateway is reachable again")}>
                        { trf(lang, "Outbox: {n}", &[("n", &self.link.outbox)]) }
                    </span>
                }
                <button id="identity-button" class="account" title={tr(lang, "Name and signature")}
                    onclick={link.callback(|_| Msg::EditIdentity(true))}>
                    { &account.session.email }
                </button>
                <button id="keys-button" class="icon" title={tr(lang, "Encryption keys (OpenPGP)")}
                    aria-label={tr(lang, "Encryption keys (OpenPGP)")} onclick={link.callback(|_| Msg::EditKeys)}>{ "🔑" }</button>
                <button id="notify" class="icon" aria-pressed={self.prefs.notify.to_string()}
                    title={tr(lang, if self.prefs.notify { "Desktop notifications are on" } else { "Notify me of new mail" })}
                    onclick={link.callback(|_| Msg::Preferences(PreferencesMsg::ToggleNotifications))}>
                    { if self.prefs.notify { "🔔" } else { "🔕" } }
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
        let (link, lang) = (ctx.link(), self.prefs.lang);
        let folders = &account.folders;
        html! {
            <>
                if let Some(source) = &self.reading.source {
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
                if let Some(everywhere) = &self.everywhere {
                    { self.everywhere_view(ctx, everywhere) }
                }
                if let Some((sender, start)) = &self.composer {
                    <Composer
                        key={start.draft.message_id.clone()}
                        connection={self.connection.as_ref().map(|c| c.for_account(*sender))}
                        keyserver={self.link.welcome.as_ref().and_then(|w| w.keyserver.clone()).map(AttrValue::from)}
                        epoch={self.link.epoch}
                        identity={self.account_by_id(*sender).map(|a| self.settings.identity(&a.session.email).from_header(&a.session.email)).unwrap_or_default()}
                        start={start.clone()}
                        contacts={self.contacts.clone()}
                        address_book={self.account_by_id(*sender).and_then(|a| self.address_books.get(&a.session.email)).map(Rc::clone).unwrap_or_default()}
                        on_done={link.callback(Msg::ComposeDone)}
                        undo_seconds={self.undo_seconds}
                    />
                }
                if self.sign_in.adding {
                    { self.login_form(ctx, true) }
                }
                if self.editing_identity {
                    <IdentityForm key={account.session.email.clone()} email={account.session.email.clone()} identity={self.settings.identity(&account.session.email)}
                        on_save={link.callback(|(email, identity)| Msg::SaveIdentity(email, identity))} on_close={link.callback(|_| Msg::EditIdentity(false))}
                        undo_seconds={self.undo_seconds} on_undo_seconds={link.callback(Msg::SetUndoSend)} />
                }
                if matches!(self.filters, Some(None)) {
                    <div class="composer-backdrop"><p class="loading-module" role="status">{ tr(lang, "Loading filters…") }</p></div>
                }
                if matches!(self.contacts_dialog, Some(None)) {
                    <div class="composer-backdrop"><p class="loading-module" role="status">{ tr(lang, "Loading contacts…") }</p></div>
                }
                if matches!(self.keys_dialog, Some(None)) {
                    <div class="composer-backdrop"><p class="loading-module" role="status">{ tr(lang, "Loading keys…") }</p></div>
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
