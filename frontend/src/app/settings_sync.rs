//! Settings that roam: fetched from and pushed to the IMAP server, applied on arrival.

use super::*;

/// How long after the sign-in a new account's name is looked for (see `name_new_identity`).
const SENDER_NAME_DELAY: std::time::Duration = std::time::Duration::from_secs(3);

impl App {
    /// Whether the open message may load remote content without asking: its sender is one the
    /// user chose, and nothing suggests the From address is forged (a failed DKIM or DMARC
    /// check, or a warning about the sender).
    pub(super) fn remote_trusted(&self) -> bool {
        let Some(view) = self.reading.loaded() else { return false };
        let Some(sender) = view.from.first() else { return false };
        let failed = |v: Option<Verdict>| matches!(v, Some(Verdict::Fail | Verdict::Softfail | Verdict::Permerror));
        self.settings.loads_remote_content(&sender.email)
            && view.trust.warnings.is_empty()
            && !failed(view.trust.dkim)
            && !failed(view.trust.dmarc)
    }

    /// Asks account `id`'s server for the settings it keeps.
    pub(super) fn fetch_settings(&self, ctx: &Context<Self>, id: AccountId) {
        self.call_for(ctx, id, call::GetSettings {}, move |result| Msg::RoamingSettings(id, result));
    }

    /// Keeps changed settings here and on every server that can keep them.
    pub(super) fn settings_changed(&mut self, ctx: &Context<Self>) {
        self.settings.changed();
        let roaming: Vec<_> = self.accounts.iter().filter(|a| a.roaming).map(|a| a.id).collect();
        for id in roaming {
            self.push_settings(ctx, id);
        }
    }

    pub(super) fn push_settings(&self, ctx: &Context<Self>, id: AccountId) {
        let request = call::SaveSettings { settings: self.settings.to_json() };
        // A failure leaves the settings in this browser, and says so; the next change tries again.
        self.call_for(ctx, id, request, move |result| match result {
            Ok(()) => Msg::Noop,
            Err(e) => Msg::SettingsNotSaved(id, e),
        });
    }

    /// Tells the gateway which folders the user chose for roles on account `id` (after each
    /// sign-in: the gateway keeps nothing), then lists the folders again with them.
    pub(super) fn send_folder_roles(&self, ctx: &Context<Self>, id: AccountId) {
        let Some(account) = self.account_by_id(id) else { return };
        if account.session.incoming != IncomingProtocol::Imap {
            return;
        }
        let choices = self.settings.role_choices(&account.session.email);
        self.call_for(ctx, id, call::SetFolderRoles { choices }, move |result| Msg::RolesChosen(id, result));
    }

    /// An account with no identity yet (none here, none roamed from another browser) is given
    /// the name its mail has gone out under, where the gateway can tell: so sent mail is not
    /// from a bare address. Asked only once the roaming settings are in, which may hold one,
    /// and a little later still: finding it selects Sent on the account's IMAP connection,
    /// which must not come between the sign-in and the first rows.
    fn name_new_identity(&self, ctx: &Context<Self>, id: AccountId) {
        let Some(account) = self.account_by_id(id) else { return };
        if self.settings.has_identity(&account.session.email) {
            return;
        }
        send_later(ctx, SENDER_NAME_DELAY, Msg::AskSenderName(id));
    }

    /// Takes settings changed in another browser.
    pub(super) fn apply_settings(&mut self, ctx: &Context<Self>, settings: Settings) {
        let theme = settings.theme.as_deref().map(Theme::from_value);
        let roamed = PreferencesMsg::Roamed { lang: settings.lang, theme };
        self.settings = settings;
        self.update_preferences(ctx, roamed);
    }

    /// What the account's server keeps of the settings arrived: the newer copy wins.
    pub(super) fn roaming_settings_arrived(
        &mut self,
        ctx: &Context<Self>,
        id: AccountId,
        roaming: bool,
        stored: Option<String>,
    ) -> bool {
        let Some(account) = self.account_mut(id) else { return false };
        account.roaming = roaming;
        match stored.as_deref().and_then(|json| self.settings.newer_from(json)) {
            // Changed in another browser since: take them.
            Some(newer) => {
                let roles_changed = newer.folder_roles != self.settings.folder_roles;
                newer.save();
                self.apply_settings(ctx, newer);
                if roles_changed {
                    let ids: Vec<AccountId> = self.accounts.iter().map(|a| a.id).collect();
                    for id in ids {
                        self.send_folder_roles(ctx, id);
                    }
                }
            }
            // Changed here since (or never stored there): bring the server up to date.
            None if roaming && self.settings.updated > 0.0 && stored.is_none_or(|s| s != self.settings.to_json()) => {
                self.push_settings(ctx, id);
            }
            None => return false,
        }
        true
    }
}

/// Keeps a module's dialog that came up in `slot` (unless it was closed while loading), or says
/// why it could not be loaded. Whether to draw.
fn dialog_opened(
    slot: &mut Option<Option<Rc<extras::OpenDialog>>>,
    result: Result<Rc<extras::OpenDialog>, ApiError>,
    notice: &mut Option<Notice>,
    failed: impl FnOnce(&ApiError) -> String,
) -> bool {
    match result {
        Ok(open) if slot.is_some() => *slot = Some(Some(open)),
        Ok(_) => return false,
        Err(e) => {
            *slot = None;
            *notice = Some(Notice::error(failed(&e)));
        }
    }
    true
}

/// Reads the account's address book (as the contacts module last stored it) for the composer.
fn read_address_book(ctx: &Context<App>, email: String) {
    let link = ctx.link().clone();
    spawn_local(async move {
        let suggestions = yubin_shared::address_book::suggestions(&email).await;
        link.send_message(Msg::AddressBook(email, Rc::new(suggestions)));
    });
}

impl App {
    /// Loads the contacts module if needed and opens the address book of the account on screen.
    fn open_contacts(&mut self, ctx: &Context<Self>, add: Option<(String, String)>) {
        let Some(account) = self.account() else { return };
        if self.contacts_dialog.is_some() || !account.session.contacts {
            return;
        }
        #[derive(serde::Serialize)]
        struct Opening<'a> {
            lang: Lang,
            account: &'a str,
            add: Option<(String, String)>,
        }
        let opening = Opening { lang: self.prefs.lang, account: &account.session.email, add };
        let opening = serde_json::to_string(&opening);
        self.contacts_dialog = Some(None);
        self.open_dialog(ctx, extras::CONTACTS, opening, || Msg::CloseContacts, Msg::ContactsOpened);
    }

    /// Loads the keys module if needed and opens the OpenPGP keys dialog, for the account on
    /// screen (whose name and address a new key is made for).
    fn open_keys(&mut self, ctx: &Context<Self>) {
        let Some(account) = self.account() else { return };
        if self.keys_dialog.is_some() {
            return;
        }
        #[derive(serde::Serialize)]
        struct Opening<'a> {
            lang: Lang,
            name: &'a str,
            email: &'a str,
            keyserver: Option<&'a str>,
        }
        let name = self.settings.identity(&account.session.email).name;
        let keyserver = self.link.welcome.as_ref().and_then(|w| w.keyserver.as_deref());
        let opening = Opening { lang: self.prefs.lang, name: &name, email: &account.session.email, keyserver };
        let opening = serde_json::to_string(&opening);
        self.keys_dialog = Some(None);
        self.open_dialog(ctx, extras::KEYS, opening, || Msg::CloseKeys, Msg::KeysOpened);
    }

    /// Loads `dialog`'s module if needed and opens it for the account on screen with `opening`;
    /// `closed` is the message when the user closes it, `opened` the one when it is up (or not).
    fn open_dialog(
        &self,
        ctx: &Context<Self>,
        dialog: extras::Dialog,
        opening: serde_json::Result<String>,
        closed: fn() -> Msg,
        opened: fn(Result<Rc<extras::OpenDialog>, ApiError>) -> Msg,
    ) {
        let opening = opening.unwrap_or_default();
        let connection = self.connection.as_ref().map(|c| c.for_account(self.active));
        let route = match dialog.asks {
            extras::Asks::OpenPgpWorker => extras::Route::OpenPgpWorker(connection),
            extras::Asks::Gateway => extras::Route::Gateway(connection),
        };
        let (link, on_close) = (ctx.link().clone(), ctx.link().callback(move |()| closed()));
        spawn_local(async move {
            let result = extras::open(dialog, opening, route, on_close).await;
            link.send_message(opened(result.map(Rc::new)));
        });
    }

    /// Loads the filters module if needed and opens its dialog for the account on screen.
    fn open_filters(&mut self, ctx: &Context<Self>, sender: Option<String>) {
        let Some(account) = self.account() else { return };
        if self.filters.is_some() {
            return;
        }
        #[derive(serde::Serialize)]
        struct Opening<'a> {
            lang: Lang,
            email: &'a str,
            folders: &'a [Folder],
            sender: Option<String>,
        }
        let opening =
            Opening { lang: self.prefs.lang, email: &account.session.email, folders: &account.folders, sender };
        let opening = serde_json::to_string(&opening);
        self.filters = Some(None);
        self.open_dialog(ctx, extras::FILTERS, opening, || Msg::CloseFilters, Msg::FiltersOpened);
    }
}

impl App {
    /// Identities, special folders, trusted senders and settings that roam.
    pub(super) fn on_settings(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::EditIdentity(open) => self.editing_identity = open,
            Msg::SaveIdentity(email, identity) => {
                self.editing_identity = false;
                self.settings.set_identity(&email, identity);
                self.settings_changed(ctx);
            }
            Msg::EditFolderRoles(open) => self.editing_roles = open,
            Msg::EditKeys => self.open_keys(ctx),
            Msg::KeysOpened(result) => {
                let lang = self.prefs.lang;
                return Handled::Done(dialog_opened(&mut self.keys_dialog, result, &mut self.notice, |e| {
                    trf(lang, "The keys could not be loaded: {error}", &[("error", &e.message)])
                }));
            }
            Msg::CloseKeys => self.keys_dialog = None,
            Msg::SetUndoSend(seconds) => {
                crate::settings::set_undo_send_seconds(seconds);
                self.undo_seconds = seconds;
            }
            Msg::EditFilters(sender) => self.open_filters(ctx, sender),
            Msg::FiltersOpened(result) => {
                let lang = self.prefs.lang;
                return Handled::Done(dialog_opened(&mut self.filters, result, &mut self.notice, |e| {
                    trf(lang, "The filters could not be loaded: {error}", &[("error", &e.message)])
                }));
            }
            Msg::CloseFilters => self.filters = None,
            Msg::OpenContacts(add) => self.open_contacts(ctx, add),
            Msg::ContactsOpened(result) => {
                let lang = self.prefs.lang;
                return Handled::Done(dialog_opened(&mut self.contacts_dialog, result, &mut self.notice, |e| {
                    trf(lang, "The contacts could not be loaded: {error}", &[("error", &e.message)])
                }));
            }
            Msg::CloseContacts => {
                self.contacts_dialog = None;
                // What was added or changed there is offered in the composer at once.
                if let Some(email) = self.account().map(|a| a.session.email.clone()) {
                    read_address_book(ctx, email);
                }
            }
            Msg::AddressBook(email, suggestions) => {
                self.address_books.insert(email, suggestions);
            }
            Msg::ChooseRole(role, folder) => {
                let Some(email) = self.account().map(|a| a.session.email.clone()) else { return Handled::Done(false) };
                self.settings.choose_folder(&email, role, folder);
                self.settings_changed(ctx);
                self.send_folder_roles(ctx, self.active);
            }
            Msg::CreateRoleFolder(role) => {
                return Handled::Done(self.manage_folder(ctx, FolderOp::Create(role_name(role).to_owned())));
            }
            Msg::RolesChosen(id, Ok(())) => self.refresh_folders_of(ctx, id),
            Msg::RolesChosen(_, Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::TrustSender(sender) => {
                self.settings.remote_senders.insert(sender.to_lowercase());
                self.settings_changed(ctx);
            }
            Msg::RoamingSettings(id, Ok((roaming, stored))) => {
                let render = self.roaming_settings_arrived(ctx, id, roaming, stored);
                self.name_new_identity(ctx, id);
                return Handled::Done(render);
            }
            // Settings that do not roam still work here; nothing to tell the user.
            Msg::RoamingSettings(id, Err(_)) => {
                self.name_new_identity(ctx, id);
                return Handled::Done(false);
            }
            Msg::SenderName(id, Ok(Some(name))) => {
                let Some(email) = self.account_by_id(id).map(|a| a.session.email.clone()) else {
                    return Handled::Done(false);
                };
                if self.settings.has_identity(&email) {
                    return Handled::Done(false);
                }
                self.settings.set_identity(&email, Identity { name, ..Identity::default() });
                self.settings_changed(ctx);
            }
            Msg::SenderName(..) => return Handled::Done(false),
            Msg::AskSenderName(id) => {
                let still_unnamed =
                    self.account_by_id(id).is_some_and(|a| !self.settings.has_identity(&a.session.email));
                if still_unnamed {
                    self.call_for(ctx, id, call::SenderName {}, move |result| Msg::SenderName(id, result));
                }
                return Handled::Done(false);
            }
            Msg::SettingsNotSaved(id, error) => {
                let account = self.account_by_id(id).map(|a| a.session.email.clone()).unwrap_or_default();
                self.notice = Some(Notice::info(trf(
                    self.prefs.lang,
                    "Settings could not be saved on the server of {account} ({error}). They are kept in this browser.",
                    &[("account", &account), ("error", &error.message)],
                )));
            }
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
