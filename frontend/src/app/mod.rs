//! The top-level component: owns the connection, the accounts and what is on screen.
//!
//! This file holds the state, the messages and `update`/`view`; the helpers `update` calls
//! live beside it by concern: accounts, the message list, roaming settings, sending, the
//! screen's surroundings (`chrome`), gateway calls, and browser facilities.

mod accounts;
mod browser;
mod calls;
mod chrome;
mod list;
mod pop3;
mod reading;
mod sending;
mod settings_sync;

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{
    AccountId, AccountTest, ApiError, ErrorKind, Event, FlagName, Folder, FolderChanges, FolderRole, IncomingProtocol,
    LocalMessage, MessagePage, MessageView, NotFiled, Request, Response, SearchQuery, Secret, SentReceipt, Session,
    SortOrder, Uid, Verdict, Welcome, PROTOCOL_VERSION,
};

use crate::accounts::{Account, Unified};
use crate::components::actions::{Action, BulkActions};
use crate::components::composer::{ComposeOutcome, Composer};
use crate::components::folder_list::{role_name, FolderList, FolderOp};
use crate::components::folder_roles_form::FolderRolesForm;
use crate::components::identity_form::IdentityForm;
use crate::components::login::Login;
use crate::components::message_list::MessageList;
use crate::components::notice::{Notice, NoticeKind, NoticeView};
use crate::components::pop3_panel::Pop3Panel;
use crate::components::reader::{Reader, ReaderState};
use crate::connection::{Connection, ConnectionEvent};
use crate::drafting::Draft;
use crate::i18n::{tr, trf, Lang};
use crate::identity::Identity;
use crate::local_mailbox::LocalMailbox;
use crate::local_store::{Shelf, Stored};
use crate::message_window::{MessageWindow, BLOCK};
use crate::pop3_sync::{self, Pop3Settings, SyncReport};
use crate::settings::Settings;
use crate::shortcuts::{self, Shortcut};
use crate::sign_in::LoginForm;
use crate::theme::Theme;
use crate::{contacts, format, list_cache, notifications, offline_accounts, outbox, remember, upload};
use accounts::{account_ready, sends_as};
use browser::{check_storage, confirm, register_service_worker, save_as, set_document_language};
use calls::{changes, done, messages};

/// Most search results listed.
const SEARCH_LIMIT: u32 = 200;
/// Share of the browser's storage quota above which the user is warned.
const STORAGE_WARNING: f64 = 0.9;
/// A search for one Message-ID, as typed in the search box (Gmail's operator).
const MESSAGE_ID_SEARCH: &str = "rfc822msgid:";
/// A send whose earlier attempt was cut off: it may have gone out, and is not sent twice.
const UNCERTAIN: &str = "The gateway stopped while sending this message, so it may not have gone out. It was not sent again, to be sure it is not sent twice: check with a recipient, and send it again from Sent if needed.";

/// The list's folder name while it shows the unified inbox.
const UNIFIED: &str = "\u{0}unified";
/// Wait before reconnecting after the gateway went away.
const RECONNECT_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

pub enum Msg {
    Connection(ConnectionEvent),
    Reconnect,
    Login(LoginForm),
    LoggedIn(AccountId, Result<Session, ApiError>),
    /// The sign-ins this browser remembers, decrypted.
    Remembered(Vec<LoginForm>),
    /// Try an account's servers from the sign-in form, without signing in.
    TestAccount(LoginForm),
    Tested(Result<AccountTest, ApiError>),
    /// Show the form that signs in one more account.
    AddAccount,
    CancelAddAccount,
    SwitchAccount(AccountId),
    /// Show every account's inbox in one list.
    OpenUnified,
    /// An account's newest inbox rows for the unified inbox.
    UnifiedRows(AccountId, Result<MessagePage, ApiError>),
    EditIdentity(bool),
    SaveIdentity(Identity),
    /// The special-folders form opens or closes.
    EditFolderRoles(bool),
    /// The user chose a folder for a role on the account on screen (`None`: automatic).
    ChooseRole(FolderRole, Option<String>),
    /// The user asked for a folder for a role that has none.
    CreateRoleFolder(FolderRole),
    /// The gateway took account `id`'s role choices: list its folders with them.
    RolesChosen(AccountId, Result<(), ApiError>),
    /// Load remote content in this sender's mail from now on.
    TrustSender(String),
    /// What an account's server keeps of the settings: whether it can, and the document.
    RoamingSettings(AccountId, Result<(bool, Option<String>), ApiError>),
    /// The server would not keep the settings (a METADATA refusal, a lost connection).
    SettingsNotSaved(AccountId, ApiError),
    Folders(AccountId, Result<Vec<Folder>, ApiError>),
    SelectFolder(String),
    /// A block of an account's list arrived (or failed) for the window starting at this offset.
    Block(AccountId, u32, Result<MessagePage, ApiError>),
    /// The cached top of an account's folder (see `list_cache`), or none.
    CachedTop(AccountId, String, Option<MessagePage>),
    /// What changed in the open folder since its rows were read.
    Resynced(AccountId, Result<FolderChanges, ApiError>),
    /// The list shows these positions now.
    Visible(std::ops::Range<u32>),
    Sort(SortOrder),
    /// A row of the list was chosen (a UID, or in the unified inbox a row key).
    OpenRow(Uid),
    Open(Uid),
    Opened(Uid, Result<Box<MessageView>, ApiError>),
    /// An action on these messages (the open one, or the selected ones).
    Act(Vec<Uid>, Action),
    /// The selection box of a row was ticked or cleared.
    ToggleSelected(Uid),
    ClearSelection,
    /// An optimistic flag change the server refused: put it back.
    FlagFailed(Vec<(Uid, bool)>, FlagName, ApiError),
    /// A change on the server (flag, move, delete) finished; the screen already shows it.
    Changed(Result<(), ApiError>),
    /// The same, for a change in another account than the one on screen.
    ChangedIn(AccountId, Result<(), ApiError>),
    Search(String),
    ManageFolder(FolderOp),
    /// A message was dragged onto a folder.
    DropOn(String, Uid),
    /// A folder operation finished; open the folder with this name, if any, once listed.
    FolderManaged(Result<(), ApiError>, Option<String>),
    Download(String, String),
    Source(Result<String, ApiError>),
    CloseSource,
    MarkAllRead,
    EmptyFolder,
    Emptied(Result<(), ApiError>),
    /// A download link (and the file's name) is ready: the browser saves the file and stays here.
    DownloadReady(Result<(String, String), ApiError>),
    Compose,
    /// Open the composer on this draft (from the browser's storage, a reply, a forward…).
    ComposeFrom(Rc<Stored>),
    /// Drafts found in the browser's storage after signing in.
    LocalDrafts(Vec<Stored>),
    ComposeDone(ComposeOutcome),
    /// The outbox was sent after reconnecting: what went, and what failed.
    OutboxFlushed(Vec<(AccountId, SentReceipt)>, Vec<ApiError>),
    /// Show the sent message a bounce refers to.
    FindSent(String),
    /// How many messages wait in the outbox.
    OutboxCount(usize),
    SetLang(Lang),
    /// Turn desktop notifications of new mail on or off.
    ToggleNotifications,
    NotificationsAllowed(bool),
    /// Read a POP3 account's mail kept in this browser, without the gateway.
    OpenOffline(String),
    SetTheme(Theme),
    Shortcut(Shortcut),
    /// A POP3 account's mailbox in the browser is open.
    LocalReady(AccountId, Result<LocalMailbox, ApiError>),
    /// Check this POP3 account's server for new mail now.
    CheckNow(AccountId),
    /// The polling interval of an account, signed in during this generation, is over.
    PollDue(AccountId, u32),
    SyncProgress(AccountId, usize, usize),
    Synced(AccountId, Result<SyncReport, ApiError>),
    Pop3Settings(Pop3Settings),
    /// The browser's storage is nearly full.
    StorageWarning(String),
    Dismiss,
    /// A reply nobody waits for arrived.
    Noop,
    /// Try again what failed: the folder list and the list on screen.
    Retry,
    /// Sign the account on screen out.
    Logout,
}

pub struct App {
    connection: Option<Connection>,
    welcome: Option<Welcome>,
    /// Signed-in accounts, in the order they were added.
    accounts: Vec<Account>,
    /// The account whose folders are on screen.
    active: AccountId,
    next_account: AccountId,
    /// The sign-in form is shown over the mailbox, to add an account.
    adding_account: bool,
    /// Sign-ins under way: the id each account gets, and its form, kept for signing in again.
    pending_logins: Vec<(AccountId, LoginForm)>,
    /// Sign-ins remembered in this browser, tried once the gateway has said hello.
    remembered: Option<Vec<LoginForm>>,
    login_busy: bool,
    login_error: Option<ApiError>,
    account_test: Option<AccountTest>,
    /// The identity form of the account on screen is open.
    editing_identity: bool,
    /// The special-folders form of the account on screen is open.
    editing_roles: bool,
    /// Kept in the browser and, where the server can, on the IMAP servers.
    settings: Settings,
    /// Every account's inbox in one list, when that is on screen.
    unified: Option<Unified>,
    folder: String,
    /// The search shown instead of the folder's newest messages, if any.
    search: Option<String>,
    /// A folder (by display name) to open as soon as the folder list has it.
    open_when_listed: Option<String>,
    sort: SortOrder,
    /// The open folder's list (or the search results); replaced, never mutated in place, so
    /// the list view sees every change.
    list: Option<Rc<MessageWindow>>,
    list_loading: bool,
    /// The conversation of the open message, in the conversation view.
    conversation: Option<Rc<yubin_protocol::ThreadInfo>>,
    /// Messages ticked for a bulk action.
    selection: Rc<BTreeSet<Uid>>,
    reader: ReaderState,
    /// The message being written, if the composer is open, and the account sending it.
    composer: Option<(AccountId, Rc<Stored>)>,
    /// Counts sign-ins: a new gateway session needs attachments uploaded again.
    epoch: u32,
    /// The connection to the gateway is lost and being retried.
    offline: bool,
    /// Messages waiting in the browser's outbox.
    outbox: usize,
    lang: Lang,
    theme: Theme,
    /// The keyboard shortcut listener, for as long as the app lives.
    _shortcuts: Option<shortcuts::Listener>,
    /// The list of shortcuts is shown.
    help: bool,
    /// Unread messages in all inboxes when last counted, to tell new mail apart.
    inbox_unread: Option<u32>,
    /// The user asked for desktop notifications of new mail (and the browser allowed them).
    notify: bool,
    /// Bumped at sign-out, so a polling loop of an earlier session stops.
    session_generation: u32,
    /// Addresses seen in mail, for recipient suggestions.
    contacts: Rc<Vec<String>>,
    /// The raw message shown over everything, if asked for.
    source: Option<String>,
    notice: Option<Notice>,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        set_document_language(Lang::detect());
        Theme::load().apply();
        register_service_worker();
        let mut app = Self {
            connection: None,
            welcome: None,
            accounts: Vec::new(),
            active: 0,
            next_account: 1,
            adding_account: false,
            pending_logins: Vec::new(),
            remembered: None,
            login_busy: false,
            login_error: None,
            account_test: None,
            editing_identity: false,
            editing_roles: false,
            unified: None,
            settings: Settings::load(),
            folder: "INBOX".into(),
            search: None,
            open_when_listed: None,
            sort: SortOrder::default(),
            list: None,
            list_loading: false,
            selection: Rc::default(),
            conversation: None,
            reader: ReaderState::Empty,
            composer: None,
            epoch: 0,
            offline: false,
            outbox: 0,
            lang: Lang::detect(),
            theme: Theme::load(),
            _shortcuts: shortcuts::listen(ctx.link().callback(Msg::Shortcut)),
            help: false,
            inbox_unread: None,
            notify: notifications::enabled(),
            session_generation: 0,
            contacts: Rc::new(contacts::load()),
            source: None,
            notice: None,
        };
        app.connect(ctx);
        let link = ctx.link().clone();
        spawn_local(async move { link.send_message(Msg::Remembered(remember::all().await)) });
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Connection(ConnectionEvent::Welcome(welcome)) => {
                if welcome.protocol != PROTOCOL_VERSION {
                    self.notice = Some(Notice::error(tr(
                        self.lang,
                        "The gateway was updated. Reload the page to get the matching app.",
                    )));
                }
                self.welcome = Some(welcome);
                self.offline = false;
                // Back after a drop (a gateway restart): every account signs in again silently.
                let again: Vec<_> = self.accounts.iter().filter_map(|a| Some((a.id, a.credentials.clone()?))).collect();
                for (id, form) in again {
                    self.login(ctx, id, form);
                }
                self.sign_in_remembered(ctx);
            }
            Msg::Connection(ConnectionEvent::Pushed(Event::FolderChanged { account, folder })) => {
                let Some(changed) = self.account_by_id(account) else { return false };
                let inbox = changed.inbox_id() == folder;
                if self.unified.is_some() {
                    if inbox {
                        self.load_unified_part(ctx, account);
                    }
                } else if account == self.active && folder == self.folder && self.search.is_none() {
                    // New, removed or changed mail in the folder on screen: show it as it is now.
                    self.refresh_list(ctx);
                }
                // Elsewhere (the inbox, watched too): its counts, the title, a notification.
                self.refresh_folders_of(ctx, account);
                return false;
            }
            Msg::Connection(ConnectionEvent::Closed { quiet }) => {
                self.connection = None;
                if !self.offline && !quiet {
                    // Once per outage: later failed attempts must not hide newer news (the outbox).
                    self.offline = true;
                    self.notice = Some(Notice::info(tr(self.lang, "Connection to the gateway lost. Reconnecting…")));
                }
                let link = ctx.link().clone();
                spawn_local(async move {
                    yew::platform::time::sleep(RECONNECT_DELAY).await;
                    link.send_message(Msg::Reconnect);
                });
            }
            Msg::Reconnect => self.connect(ctx),
            Msg::Login(form) => {
                self.login_error = None;
                self.account_test = None;
                let id = self.next_account;
                self.next_account += 1;
                self.login(ctx, id, form);
            }
            Msg::LoggedIn(id, Ok(session)) => return self.signed_in(ctx, id, session),
            Msg::LoggedIn(id, Err(e)) => {
                if self.account_by_id(id).is_some() {
                    // The silent sign-in after a drop failed (a changed password?): say so.
                    self.notice = Some(Notice::from_error(&e));
                } else if let Some(form) = self.take_pending(id) {
                    if form.remember && e.kind == ErrorKind::AuthFailed {
                        // A remembered password that no longer works is forgotten.
                        spawn_local(async move { remember::forget(&form.server, &form.username).await });
                    }
                    self.login_error = Some(e);
                }
            }
            Msg::Remembered(forms) => {
                self.remembered = Some(forms);
                self.sign_in_remembered(ctx);
            }
            Msg::TestAccount(form) => return self.test_account(ctx, form),
            Msg::Tested(Ok(test)) => self.account_test = Some(test),
            Msg::Tested(Err(e)) => self.login_error = Some(e),
            Msg::AddAccount => {
                self.adding_account = true;
                self.login_error = None;
                self.account_test = None;
            }
            Msg::CancelAddAccount => {
                self.adding_account = false;
                self.pending_logins.clear();
                self.login_busy = false;
            }
            Msg::SwitchAccount(id) => self.show_account(ctx, id),
            Msg::OpenUnified => {
                self.unified = Some(Unified::default());
                self.search = None;
                self.clear_list();
                self.conversation = None;
                self.list_loading = true;
                let ids: Vec<_> = self.accounts.iter().map(|a| a.id).collect();
                for id in ids {
                    self.load_unified_part(ctx, id);
                }
            }
            Msg::UnifiedRows(id, result) => {
                let tag = self.account_by_id(id).map(Account::tag).unwrap_or_default();
                let Some(unified) = &mut self.unified else { return false };
                self.list_loading = false;
                match result {
                    Ok(page) => {
                        let rows = unified.update(id, tag, page.messages);
                        let mut window = MessageWindow::new(UNIFIED);
                        window.is_search = true; // complete, nothing more to load
                        window.insert(0, rows.len() as u32, rows);
                        self.list = Some(Rc::new(window));
                    }
                    Err(e) => self.notice = Some(Notice::from_error(&e)),
                }
            }
            Msg::EditIdentity(open) => self.editing_identity = open,
            Msg::SaveIdentity(identity) => {
                self.editing_identity = false;
                let Some(email) = self.account().map(|a| a.session.email.clone()) else { return false };
                self.settings.set_identity(&email, identity);
                self.settings_changed(ctx);
            }
            Msg::EditFolderRoles(open) => self.editing_roles = open,
            Msg::ChooseRole(role, folder) => {
                let Some(email) = self.account().map(|a| a.session.email.clone()) else { return false };
                self.settings.choose_folder(&email, role, folder);
                self.settings_changed(ctx);
                self.send_folder_roles(ctx, self.active);
            }
            Msg::CreateRoleFolder(role) => {
                return self.manage_folder(ctx, FolderOp::Create(role_name(role).to_owned()));
            }
            Msg::RolesChosen(id, Ok(())) => self.refresh_folders_of(ctx, id),
            Msg::RolesChosen(_, Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::TrustSender(sender) => {
                self.settings.remote_senders.insert(sender.to_lowercase());
                self.settings_changed(ctx);
            }
            Msg::RoamingSettings(id, Ok((roaming, stored))) => {
                return self.roaming_settings_arrived(ctx, id, roaming, stored)
            }
            // Settings that do not roam still work here; nothing to tell the user.
            Msg::RoamingSettings(_, Err(_)) => return false,
            Msg::SettingsNotSaved(id, error) => {
                let account = self.account_by_id(id).map(|a| a.session.email.clone()).unwrap_or_default();
                self.notice = Some(Notice::info(trf(
                    self.lang,
                    "Settings could not be saved on the server of {account} ({error}). They are kept in this browser.",
                    &[("account", &account), ("error", &error.message)],
                )));
            }
            Msg::Folders(id, Ok(folders)) => return self.folders_arrived(ctx, id, folders),
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
            Msg::Block(id, offset, Ok(page)) => return self.block_arrived(id, offset, page),
            // A failed resync is no worse than a failed listing: list again, which reports.
            Msg::Resynced(id, result) => return self.resynced(ctx, id, result),
            Msg::CachedTop(id, folder, page) => return self.cached_top_arrived(ctx, id, folder, page),
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
                let Some(list) = &mut self.list else { return false };
                if list.is_search {
                    return false;
                }
                for offset in Rc::make_mut(list).claim_missing(range) {
                    self.load_block(ctx, offset);
                }
            }
            Msg::OpenRow(key) => {
                // In the unified inbox a row stands for a message of one of the accounts.
                let Some(unified) = &self.unified else { return Component::update(self, ctx, Msg::Open(key)) };
                let Some((id, uid)) = unified.resolve(key) else { return false };
                if id != self.active {
                    self.active = id;
                    self.selection = Rc::default();
                }
                self.folder = self.account_by_id(id).map(Account::inbox_id).unwrap_or_default();
                return Component::update(self, ctx, Msg::Open(uid));
            }
            Msg::Open(uid) => return self.open_message(ctx, uid),
            Msg::Opened(uid, result) => return self.message_opened(ctx, uid, result),
            Msg::Act(uids, _) if uids.is_empty() => return false,
            Msg::Act(uids, Action::SetFlag(flag, value)) => {
                let previous: Vec<(Uid, bool)> =
                    uids.iter().map(|uid| (*uid, self.apply_flag(*uid, flag, value))).collect();
                let request = Request::SetFlag { folder: self.folder.clone(), uids, flag, value };
                self.call(ctx, request, done, move |result| match result {
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
            Msg::ToggleSelected(_) if self.unified.is_some() => return false,
            Msg::ToggleSelected(uid) => {
                let selection = Rc::make_mut(&mut self.selection);
                if !selection.remove(&uid) {
                    selection.insert(uid);
                }
            }
            Msg::ClearSelection => self.selection = Rc::default(),
            Msg::Act(uids, Action::ViewSource) => {
                let uid = uids[0];
                let request = Request::GetSource { folder: self.folder.clone(), uid };
                self.call(
                    ctx,
                    request,
                    |r| match r {
                        Response::Source { text, truncated } => {
                            Some(if truncated { text + "\n[… cut at 2 MB]" } else { text })
                        }
                        _ => None,
                    },
                    Msg::Source,
                );
            }
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
                    let request = Request::MarkFolderRead { folder };
                    self.call_for(ctx, id, request, done, move |result| Msg::ChangedIn(id, result));
                }
            }
            Msg::EmptyFolder => {
                if !confirm(tr(self.lang, "Delete every message in this folder for good?")) {
                    return false;
                }
                self.clear_list();
                let request = Request::EmptyFolder { folder: self.folder.clone() };
                self.call(ctx, request, done, Msg::Emptied);
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
                let ReaderState::Loaded(view) = &self.reader else { return false };
                let Some(account) = self.account() else { return false };
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
                    return false;
                }
                self.remove(ctx, uids, trash);
            }
            Msg::Changed(result) => return Component::update(self, ctx, Msg::ChangedIn(self.active, result)),
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
                    return false;
                }
                let uids =
                    if self.selection.contains(&uid) { self.selection.iter().copied().collect() } else { vec![uid] };
                self.remove(ctx, uids, Some(folder));
            }
            Msg::ManageFolder(op) => return self.manage_folder(ctx, op),
            Msg::FolderManaged(result, open) => {
                match result {
                    Ok(()) => self.open_when_listed = open,
                    Err(e) => self.notice = Some(Notice::from_error(&e)),
                }
                self.refresh_folders_of(ctx, self.active);
            }
            Msg::Download(section, filename) => {
                let Some(uid) = self.reader.uid() else { return false };
                let request =
                    Request::PrepareDownload { folder: self.folder.clone(), uid, section, filename: filename.clone() };
                self.call(
                    ctx,
                    request,
                    |r| match r {
                        Response::Download { url } => Some(url),
                        _ => None,
                    },
                    move |result| Msg::DownloadReady(result.map(|url| (url, filename))),
                );
                return false;
            }
            Msg::DownloadReady(Ok((url, filename))) => {
                save_as(&url, &filename);
                return false;
            }
            Msg::DownloadReady(Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::Compose => {
                let Some(account) = self.account() else { return false };
                let mut draft = Draft::new(self.new_message_id());
                let identity = self.settings.identity(&account.session.email);
                draft.from = identity.from_header(&account.session.email);
                draft.sign(&identity);
                self.composer = Some((self.active, Rc::new(Stored { draft, files: Vec::new() })));
            }
            Msg::ComposeFrom(stored) => {
                let account = self.account_for_sender(&stored.draft.from);
                self.composer = Some((account, stored));
            }
            Msg::LocalDrafts(drafts) => {
                let count = drafts.len();
                if let (None, Some(newest)) = (&self.composer, drafts.into_iter().next()) {
                    self.composer = Some((self.account_for_sender(&newest.draft.from), Rc::new(newest)));
                    if count > 1 {
                        self.notice = Some(Notice::info(trf(
                            self.lang,
                            "{n} more unsent drafts are in Drafts.",
                            &[("n", &(count - 1))],
                        )));
                    }
                }
            }
            Msg::ComposeDone(outcome) => return self.compose_done(ctx, outcome),
            Msg::OutboxCount(count) => self.outbox = count,
            Msg::Shortcut(shortcut) => return self.shortcut(ctx, shortcut),
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
                let Some(account) = self.account_mut(id) else { return false };
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
            Msg::CheckNow(id) => return self.check_pop3_now(ctx, id),
            Msg::PollDue(id, generation) => {
                if generation == self.session_generation && self.account_by_id(id).is_some_and(|a| a.local.is_some()) {
                    ctx.link().send_message(Msg::CheckNow(id));
                    self.poll(ctx, id);
                }
                return false;
            }
            Msg::SyncProgress(id, done, total) => {
                let lang = self.lang;
                let Some(account) = self.account_mut(id) else { return false };
                if total > 0 {
                    account.sync_status =
                        Some(trf(lang, "Downloading {done} of {total}…", &[("done", &done), ("total", &total)]));
                    if done > 0 && self.shows_inbox_of(id) {
                        self.reload(ctx);
                    }
                    self.refresh_folders_of(ctx, id);
                }
            }
            Msg::Synced(id, result) => return self.pop3_synced(ctx, id, result),
            Msg::Pop3Settings(settings) => {
                if let Some(account) = self.account_mut(self.active) {
                    account.pop3_settings = settings;
                    settings.save(&account.session.email);
                }
            }
            Msg::StorageWarning(text) => self.notice = Some(Notice::error(text)),
            Msg::OutboxFlushed(receipts, failures) => return self.outbox_flushed(ctx, receipts, failures),
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
            Msg::Noop => return false,
            Msg::Retry => {
                self.notice = None;
                if self.account().is_some() {
                    self.refresh_folders_of(ctx, self.active);
                    self.reload(ctx);
                }
            }
            Msg::Logout => return self.sign_out(ctx),
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        html! {
            <ContextProvider<Lang> context={self.lang}>
                { self.page(ctx) }
            </ContextProvider<Lang>>
        }
    }
}

impl App {
    /// Everything on screen, in [`App::view`]'s language context.
    fn page(&self, ctx: &Context<Self>) -> Html {
        let (link, lang) = (ctx.link(), self.lang);
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
        let unified = self.unified.as_ref();
        let folders = &account.folders;
        html! {
            <div class={classes!("app", self.reader.uid().is_some().then_some("reading"))}>
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
                { for notice }
                <nav class="folders" aria-label={tr(lang, "Folders")}>
                    { self.account_switcher(ctx) }
                    <FolderList folders={folders.clone()}
                        current={if unified.is_some() { String::new() } else { self.folder.clone() }}
                        on_select={link.callback(Msg::SelectFolder)} on_manage={link.callback(Msg::ManageFolder)}
                        on_drop={link.callback(|(folder, uid)| Msg::DropOn(folder, uid))}
                        on_roles={(account.session.incoming == IncomingProtocol::Imap).then(|| link.callback(|_| Msg::EditFolderRoles(true)))} />
                    if account.local.is_some() {
                        <Pop3Panel status={account.sync_status.clone()} syncing={account.syncing} settings={account.pop3_settings}
                            on_check={{ let id = account.id; link.callback(move |_| Msg::CheckNow(id)) }}
                            on_settings={link.callback(Msg::Pop3Settings)} />
                    }
                </nav>
                <section class="list" aria-label={tr(lang, "Messages")}>
                    if !self.selection.is_empty() {
                        <BulkActions count={self.selection.len()} folders={folders.clone()} folder={self.folder.clone()}
                            on_action={{
                                let uids: Vec<Uid> = self.selection.iter().copied().collect();
                                link.callback(move |action| Msg::Act(uids.clone(), action))
                            }}
                            on_clear={link.callback(|_| Msg::ClearSelection)} />
                    }
                    <MessageList
                        window={self.list.clone()}
                        loading={self.list_loading}
                        selected={self.reader.uid().map(|uid| self.row_key(uid))}
                        tags={unified.map(Unified::tags)}
                        on_open={link.callback(Msg::OpenRow)}
                        on_visible={link.callback(Msg::Visible)}
                        selection={self.selection.clone()}
                        on_toggle={link.callback(Msg::ToggleSelected)}
                        sort={self.sort}
                        on_sort={link.callback(Msg::Sort)}
                        on_mark_all_read={link.callback(|_| Msg::MarkAllRead)}
                        on_empty={self.current_role().filter(|r| unified.is_none() && matches!(r, FolderRole::Trash | FolderRole::Junk))
                            .map(|_| link.callback(|_| Msg::EmptyFolder))}
                    />
                </section>
                <main class="reader" id="reader">
                    <button class="back-button" id="back-button" onclick={link.callback(|_| Msg::Shortcut(Shortcut::Back))}>
                        { tr(lang, "← Back") }
                    </button>
                    <Reader state={self.reader.clone()} folders={folders.clone()}
                        on_action={
                            let uid = self.reader.uid();
                            link.batch_callback(move |action| uid.map(|uid| Msg::Act(vec![uid], action)))
                        }
                        on_download={link.callback(|(section, name)| Msg::Download(section, name))}
                        on_find_sent={link.callback(Msg::FindSent)}
                        on_retry={link.callback(Msg::Open)}
                        conversation={self.conversation.clone()}
                        remote_trusted={self.remote_trusted()}
                        on_trust_sender={link.callback(Msg::TrustSender)}
                        on_open={link.callback(Msg::Open)} />
                </main>
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
            </div>
        }
    }
}
