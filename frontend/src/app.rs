//! The top-level component: owns the connection, the session and what is on screen.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{
    AccountId, AccountTest, ApiError, ErrorKind, Event, FlagName, Folder, FolderChanges, FolderRole, IncomingProtocol,
    LocalMessage, MessagePage, MessageView, Request, Response, SearchQuery, Secret, SentReceipt, Session, SortOrder,
    Uid, Verdict, Welcome, PROTOCOL_VERSION,
};

use crate::accounts::{Account, Unified};
use crate::components::actions::{Action, BulkActions};
use crate::components::composer::{ComposeOutcome, Composer};
use crate::components::folder_list::{FolderList, FolderOp};
use crate::components::identity_form::IdentityForm;
use crate::components::login::{Login, LoginForm};
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
use crate::theme::Theme;
use crate::{contacts, format, notifications, offline_accounts, outbox, remember, upload};

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
    /// Load remote content in this sender's mail from now on.
    TrustSender(String),
    /// What an account's server keeps of the settings: whether it can, and the document.
    RoamingSettings(AccountId, Result<(bool, Option<String>), ApiError>),
    Folders(AccountId, Result<Vec<Folder>, ApiError>),
    SelectFolder(String),
    /// A block of an account's list arrived (or failed) for the window starting at this offset.
    Block(AccountId, u32, Result<MessagePage, ApiError>),
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
            Msg::Connection(ConnectionEvent::Closed) => {
                self.connection = None;
                if !self.offline {
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
            Msg::LoggedIn(id, Ok(session)) => {
                if self.notice.as_ref().is_some_and(|n| n.kind == NoticeKind::Info) {
                    self.notice = None;
                }
                self.epoch += 1;
                let first = self.accounts.is_empty();
                if let Some(known) = self.account_mut(id) {
                    // Signed in again after a drop: catch up.
                    known.session = session;
                    if known.local.is_some() {
                        ctx.link().send_message(Msg::CheckNow(id));
                    } else {
                        self.refresh_folders_of(ctx, id);
                        if self.unified.is_some() {
                            self.reload(ctx);
                        } else {
                            self.refresh_list(ctx);
                        }
                    }
                } else {
                    let Some(form) = self.take_pending(id) else {
                        return false; // a sign-in the user gave up on
                    };
                    if form.remember {
                        let form = form.clone();
                        spawn_local(async move {
                            if let Err(e) = remember::save(&form).await {
                                web_sys::console::warn_1(&format!("not remembered: {e}").into());
                            }
                        });
                    }
                    self.adding_account = false;
                    let pop3 = session.incoming == IncomingProtocol::Pop3;
                    let email = session.email.clone();
                    self.accounts.push(Account::new(id, Some(form), session));
                    if !pop3 {
                        self.fetch_settings(ctx, id);
                    }
                    // Remembered accounts signing in together: the first stays on screen.
                    if first || self.pending_logins.is_empty() {
                        self.show_account(ctx, id);
                    }
                    if pop3 {
                        let link = ctx.link().clone();
                        spawn_local(
                            async move { link.send_message(Msg::LocalReady(id, LocalMailbox::open(&email).await)) },
                        );
                    }
                }
                self.flush_outbox(ctx);
                if first {
                    // Whatever was being written when the tab closed comes back.
                    let link = ctx.link().clone();
                    spawn_local(async move {
                        if let Ok(drafts) = crate::local_store::all(Shelf::Drafts).await {
                            link.send_message(Msg::LocalDrafts(drafts));
                        }
                    });
                }
            }
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
            Msg::TestAccount(form) => {
                self.account_test = None;
                self.login_error = None;
                let request = Request::TestAccount {
                    server: form.server,
                    username: form.username,
                    password: Secret(form.password),
                };
                self.call_for(
                    ctx,
                    0,
                    request,
                    |r| match r {
                        Response::AccountTest(t) => Some(t),
                        _ => None,
                    },
                    Msg::Tested,
                );
            }
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
            Msg::TrustSender(sender) => {
                self.settings.remote_senders.insert(sender.to_lowercase());
                self.settings_changed(ctx);
            }
            Msg::RoamingSettings(id, Ok((roaming, stored))) => {
                let Some(account) = self.account_mut(id) else { return false };
                account.roaming = roaming;
                match stored.as_deref().and_then(|json| self.settings.newer_from(json)) {
                    // Changed in another browser since: take them.
                    Some(newer) => {
                        newer.save();
                        self.apply_settings(newer);
                    }
                    // Changed here since (or never stored there): bring the server up to date.
                    None if roaming
                        && self.settings.updated > 0.0
                        && stored.is_none_or(|s| s != self.settings.to_json()) =>
                    {
                        self.push_settings(ctx, id);
                    }
                    None => return false,
                }
            }
            // Settings that do not roam still work here; nothing to tell the user.
            Msg::RoamingSettings(_, Err(_)) => return false,
            Msg::Folders(id, Ok(folders)) => {
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
            }
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
            Msg::Block(id, offset, Ok(page)) => {
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
            }
            Msg::Resynced(id, Ok(changes)) => {
                let Some(list) = self.list.as_mut().filter(|_| id == self.active && self.unified.is_none()) else {
                    return false; // the user has moved on
                };
                if list.folder != changes.folder {
                    return false;
                }
                let gone: Vec<Uid> = changes.vanished.clone();
                if !Rc::make_mut(list).apply(changes) {
                    self.load_list(ctx);
                    return false;
                }
                if gone.iter().any(|uid| self.selection.contains(uid)) {
                    Rc::make_mut(&mut self.selection).retain(|uid| !gone.contains(uid));
                }
            }
            // A failed resync is no worse than a failed listing: list again, which reports.
            Msg::Resynced(_, Err(_)) => self.load_list(ctx),
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
            Msg::Open(uid) => {
                // Opening a conversation's row, or another message of the open conversation.
                let row_thread =
                    self.list.as_ref().and_then(|l| l.find(self.row_key(uid))).and_then(|m| m.thread.clone());
                match row_thread {
                    Some(thread) => self.conversation = Some(Rc::new(*thread)),
                    None if self.conversation.as_ref().is_some_and(|c| c.messages.iter().any(|m| m.uid == uid)) => {}
                    None => self.conversation = None,
                }
                self.reader = ReaderState::Loading(uid);
                let folder = self.folder.clone();
                self.call(
                    ctx,
                    Request::GetMessage { folder, uid },
                    |r| match r {
                        Response::Message(m) => Some(m),
                        _ => None,
                    },
                    move |result| Msg::Opened(uid, result),
                );
            }
            Msg::Opened(uid, result) => {
                if !matches!(self.reader, ReaderState::Loading(u) if u == uid) {
                    return false; // the user has moved on
                }
                let mut became_read = false;
                let key = self.row_key(uid);
                if let (Ok(view), Some(list)) = (&result, &mut self.list) {
                    if let Some(row) = Rc::make_mut(list).find_mut(key) {
                        became_read = !row.flags.seen && view.flags.seen;
                        row.flags.seen = view.flags.seen;
                    }
                }
                if became_read {
                    self.refresh_folders_of(ctx, self.active); // one unread fewer
                }
                if let Ok(view) = &result {
                    let seen = view.from.iter().chain(&view.to).chain(&view.cc).chain(&view.reply_to);
                    self.contacts = Rc::new(contacts::learn(&self.contacts, seen));
                }
                self.reader = match result {
                    Ok(view) => ReaderState::Loaded(view),
                    Err(e) => ReaderState::Failed(uid, e),
                };
            }
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
                let confirmed = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(tr(self.lang, "Delete every message in this folder for good?")).ok()
                    })
                    .unwrap_or(false);
                if !confirmed {
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
                // Delete moves to Trash; in Trash (or without one) it deletes for good.
                let trash = self.folder_with_role(FolderRole::Trash).filter(|t| *t != self.folder);
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
            Msg::ManageFolder(op) => {
                let (request, open) = match op {
                    FolderOp::Create(name) => (Request::CreateFolder { name: name.clone() }, Some(name)),
                    FolderOp::Rename { folder, to } => (Request::RenameFolder { folder, to: to.clone() }, Some(to)),
                    FolderOp::Delete(folder) => {
                        let confirmed = web_sys::window()
                            .and_then(|w| {
                                w.confirm_with_message(tr(self.lang, "Delete this folder and every message in it?"))
                                    .ok()
                            })
                            .unwrap_or(false);
                        if !confirmed {
                            return false;
                        }
                        (Request::DeleteFolder { folder }, None)
                    }
                    FolderOp::Subscribe { folder, subscribed } => (Request::Subscribe { folder, subscribed }, None),
                };
                self.call(ctx, request, done, move |result| Msg::FolderManaged(result, open));
                return false;
            }
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
            Msg::ComposeDone(outcome) => {
                let sender = self.composer.take().map_or(self.active, |(account, _)| account);
                let local = self.account_by_id(sender).and_then(|a| a.local.clone());
                if let (ComposeOutcome::Sent(receipt), Some(local)) = (&outcome, local) {
                    self.keep_local_copy(ctx, local, receipt.local_copy.clone());
                }
                if matches!(outcome, ComposeOutcome::Sent(_)) {
                    self.refresh_folders_of(ctx, sender); // Sent has one more
                }
                self.notice = match outcome {
                    ComposeOutcome::Sent(receipt) if receipt.uncertain => Some(Notice::error(tr(self.lang, UNCERTAIN))),
                    ComposeOutcome::Sent(receipt) if receipt.already_sent => {
                        Some(Notice::info(tr(self.lang, "This message had already been sent; it was not sent again.")))
                    }
                    ComposeOutcome::Sent(_) => Some(Notice::info(tr(self.lang, "Message sent."))),
                    ComposeOutcome::Queued => Some(Notice::info(tr(
                        self.lang,
                        "The gateway is unreachable. The message is in the outbox and goes out when it is back.",
                    ))),
                    ComposeOutcome::Closed | ComposeOutcome::Discarded => None,
                };
                self.count_outbox(ctx);
            }
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
            Msg::CheckNow(id) => {
                let lang = self.lang;
                let connection = self.connection.as_ref().map(|c| c.for_account(id));
                let Some(account) = self.account_mut(id) else { return false };
                let (Some(local), Some(connection), Some(_)) =
                    (account.local.clone(), connection, &account.credentials)
                else {
                    return false;
                };
                if account.syncing {
                    account.check_again = true;
                    return false;
                }
                account.syncing = true;
                account.sync_status = Some(tr(lang, "Checking for new mail…").into());
                let (link, settings) = (ctx.link().clone(), account.pop3_settings);
                spawn_local(async move {
                    let progress = {
                        let link = link.clone();
                        move |done, total| link.send_message(Msg::SyncProgress(id, done, total))
                    };
                    let result = pop3_sync::sync(&connection, &local, settings, progress).await;
                    link.send_message(Msg::Synced(id, result));
                });
            }
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
            Msg::Synced(id, result) => {
                let lang = self.lang;
                let Some(account) = self.account_mut(id) else { return false };
                account.syncing = false;
                if std::mem::take(&mut account.check_again) {
                    ctx.link().send_message(Msg::CheckNow(id));
                }
                let now = format::short_date(Some((js_sys::Date::now() / 1000.0) as i64));
                let downloaded = matches!(&result, Ok(report) if report.downloaded > 0);
                account.sync_status = Some(match result {
                    Ok(report) if report.downloaded > 0 => {
                        trf(lang, "{n} new · checked {time}", &[("n", &report.downloaded), ("time", &now)])
                    }
                    Ok(_) => trf(lang, "Checked {time}", &[("time", &now)]),
                    Err(e) => trf(lang, "Could not check: {error}", &[("error", &e.message)]),
                });
                if downloaded {
                    if self.shows_inbox_of(id) {
                        self.reload(ctx);
                    }
                    self.refresh_folders_of(ctx, id);
                    check_storage(ctx.link().clone(), lang);
                }
            }
            Msg::Pop3Settings(settings) => {
                if let Some(account) = self.account_mut(self.active) {
                    account.pop3_settings = settings;
                    settings.save(&account.session.email);
                }
            }
            Msg::StorageWarning(text) => self.notice = Some(Notice::error(text)),
            Msg::OutboxFlushed(receipts, failures) => {
                self.count_outbox(ctx);
                for (account, receipt) in &receipts {
                    if let Some(local) = self.account_by_id(*account).and_then(|a| a.local.clone()) {
                        self.keep_local_copy(ctx, local, receipt.local_copy.clone());
                    }
                }
                let sent = receipts.len();
                if receipts.iter().any(|(_, r)| r.uncertain) {
                    self.notice = Some(Notice::error(tr(self.lang, UNCERTAIN)));
                } else if let Some(e) = failures.first() {
                    self.notice = Some(Notice::error(trf(
                        self.lang,
                        "A message in the outbox could not be sent: {error}",
                        &[("error", &e.message)],
                    )));
                } else if sent > 0 {
                    self.notice =
                        Some(Notice::info(trf(self.lang, "{n} message(s) from the outbox sent.", &[("n", &sent)])));
                    for (account, _) in &receipts {
                        self.refresh_folders_of(ctx, *account);
                    }
                }
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
            Msg::Noop => return false,
            Msg::Retry => {
                self.notice = None;
                if self.account().is_some() {
                    self.refresh_folders_of(ctx, self.active);
                    self.reload(ctx);
                }
            }
            Msg::Logout => {
                let id = self.active;
                // Signing out means "forget me" too.
                if let Some(form) = self.account().and_then(|a| a.credentials.clone()) {
                    spawn_local(async move { remember::forget(&form.server, &form.username).await });
                }
                if let Some(connection) = &self.connection {
                    let connection = connection.for_account(id);
                    spawn_local(async move {
                        let _ = connection.request(Request::Logout).await;
                    });
                }
                self.accounts.retain(|a| a.id != id);
                if self.composer.as_ref().is_some_and(|(account, _)| *account == id) {
                    self.composer = None;
                }
                if let Some(unified) = &mut self.unified {
                    unified.forget(id);
                }
                self.inbox_unread = None;
                match self.accounts.first().map(|a| a.id) {
                    Some(next) => self.show_account(ctx, next),
                    None => {
                        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                            document.set_title("Yubin");
                        }
                        self.session_generation += 1;
                        self.unified = None;
                        self.clear_list();
                    }
                }
            }
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
                        on_drop={link.callback(|(folder, uid)| Msg::DropOn(folder, uid))} />
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
            </div>
        }
    }
}

/// Warns when the browser's storage for this site is nearly full (POP3 mail lives there).
fn check_storage(link: yew::html::Scope<App>, lang: Lang) {
    spawn_local(async move {
        let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
        let storage = js_sys::Reflect::get(&navigator, &"storage".into()).unwrap_or_default();
        let Ok(estimate) = js_sys::Reflect::get(&storage, &"estimate".into()) else { return };
        let Ok(estimate) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(estimate) else { return };
        let Ok(promise) = estimate.call0(&storage) else { return };
        let Ok(result) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await else { return };
        let number = |key: &str| js_sys::Reflect::get(&result, &key.into()).ok().and_then(|v| v.as_f64());
        if let (Some(usage), Some(quota)) = (number("usage"), number("quota")) {
            if quota > 0.0 && usage / quota > STORAGE_WARNING {
                let text = trf(
                    lang,
                    "This browser's storage for Yubin is {percent}% full ({used} of {quota}). Delete or archive old mail, or new POP3 mail cannot be kept.",
                    &[
                        ("percent", &format!("{:.0}", usage / quota * 100.0)),
                        ("used", &format::size(usage as u32)),
                        ("quota", &format::size(quota.min(u32::MAX as f64) as u32)),
                    ],
                );
                link.send_message(Msg::StorageWarning(text));
            }
        }
    });
}

/// Registers the service worker that keeps the app shell for offline use.
fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let container = js_sys::Reflect::get(&window.navigator(), &"serviceWorker".into()).unwrap_or_default();
    if container.is_undefined() {
        return; // not a secure context, or an old browser: the app works without
    }
    if let Ok(register) = js_sys::Reflect::get(&container, &"register".into()) {
        if let Ok(register) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(register) {
            let _ = register.call1(&container, &"/sw.js".into());
        }
    }
}

/// `<html lang>`: screen readers pronounce, and browsers break lines, by it.
fn set_document_language(lang: Lang) {
    format::set_locale(lang.tag());
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// Saves the file behind `url` as `filename`: a gateway link (which names the file itself) or a
/// `blob:` URL of an attachment kept in the browser.
fn save_as(url: &str, filename: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(anchor) = document.create_element("a") else { return };
    let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
    anchor.set_href(url);
    anchor.set_download(filename);
    anchor.click();
}

/// Requests about folders and messages, which a POP3 account's [`LocalMailbox`] answers.
fn is_mailbox_request(request: &Request) -> bool {
    matches!(
        request,
        Request::ListFolders
            | Request::ListMessages { .. }
            | Request::GetMessage { .. }
            | Request::SetFlag { .. }
            | Request::Move { .. }
            | Request::GetSource { .. }
            | Request::CreateFolder { .. }
            | Request::RenameFolder { .. }
            | Request::DeleteFolder { .. }
            | Request::Subscribe { .. }
            | Request::MarkFolderRead { .. }
            | Request::EmptyFolder { .. }
            | Request::Expunge { .. }
            | Request::PrepareDownload { .. }
            | Request::Search { .. }
    )
}

/// Whether a From header (`Name <addr>` or a bare address) is `email`'s, in any case.
fn sends_as(from: &str, email: &str) -> bool {
    from.to_lowercase().contains(&email.to_lowercase())
}

/// Whether `account` can answer mailbox requests: an IMAP account, or a POP3 account whose
/// browser mailbox is open.
fn account_ready(account: Option<&Account>) -> bool {
    account.is_some_and(|a| a.session.incoming == IncomingProtocol::Imap || a.local.is_some())
}

/// Reply extractors for [`App::call`].
fn done(response: Response) -> Option<()> {
    matches!(response, Response::Done).then_some(())
}

fn messages(response: Response) -> Option<MessagePage> {
    match response {
        Response::Messages(page) => Some(page),
        _ => None,
    }
}

fn changes(response: Response) -> Option<FolderChanges> {
    match response {
        Response::Changes(changes) => Some(changes),
        _ => None,
    }
}

impl App {
    fn connect(&mut self, ctx: &Context<Self>) {
        match Connection::open(ctx.link().callback(Msg::Connection)) {
            Ok(connection) => self.connection = Some(connection),
            Err(_) => {
                self.notice =
                    Some(Notice::error(tr(self.lang, "This browser could not open a WebSocket to the gateway.")))
            }
        }
    }

    /// Signs account `id` in: a new one from the form, or a known one again after a drop.
    fn login(&mut self, ctx: &Context<Self>, id: AccountId, form: LoginForm) {
        if self.account_by_id(id).is_none() {
            self.login_busy = true;
            self.pending_logins.push((id, form.clone()));
        }
        let request = Request::Login { server: form.server, username: form.username, password: Secret(form.password) };
        self.call_for(
            ctx,
            id,
            request,
            |r| match r {
                Response::LoggedIn(s) => Some(s),
                _ => None,
            },
            move |result| Msg::LoggedIn(id, result),
        );
    }

    /// Whether the open message may load remote content without asking: its sender is one the
    /// user chose, and nothing suggests the From address is forged (a failed DKIM or DMARC
    /// check, or a warning about the sender).
    fn remote_trusted(&self) -> bool {
        let ReaderState::Loaded(view) = &self.reader else { return false };
        let Some(sender) = view.from.first() else { return false };
        let failed = |v: Option<Verdict>| matches!(v, Some(Verdict::Fail | Verdict::Softfail | Verdict::Permerror));
        self.settings.loads_remote_content(&sender.email)
            && view.trust.warnings.is_empty()
            && !failed(view.trust.dkim)
            && !failed(view.trust.dmarc)
    }

    /// Asks account `id`'s server for the settings it keeps.
    fn fetch_settings(&self, ctx: &Context<Self>, id: AccountId) {
        self.call_for(
            ctx,
            id,
            Request::GetSettings,
            |r| match r {
                Response::Settings { roaming, settings } => Some((roaming, settings)),
                _ => None,
            },
            move |result| Msg::RoamingSettings(id, result),
        );
    }

    /// Keeps changed settings here and on every server that can keep them.
    fn settings_changed(&mut self, ctx: &Context<Self>) {
        self.settings.changed();
        let roaming: Vec<_> = self.accounts.iter().filter(|a| a.roaming).map(|a| a.id).collect();
        for id in roaming {
            self.push_settings(ctx, id);
        }
    }

    fn push_settings(&self, ctx: &Context<Self>, id: AccountId) {
        let request = Request::SaveSettings { settings: self.settings.to_json() };
        // A failure here leaves the settings in this browser; the next change tries again.
        self.call_for(ctx, id, request, done, |_| Msg::Noop);
    }

    /// Takes settings changed in another browser.
    fn apply_settings(&mut self, settings: Settings) {
        if let Some(lang) = settings.lang.filter(|l| *l != self.lang) {
            self.lang = lang;
            lang.save();
            set_document_language(lang);
        }
        if let Some(theme) = settings.theme.as_deref().map(Theme::from_value) {
            self.theme = theme;
            theme.apply();
        }
        self.settings = settings;
    }

    /// The form of the sign-in `id`, no longer under way.
    fn take_pending(&mut self, id: AccountId) -> Option<LoginForm> {
        let position = self.pending_logins.iter().position(|(pending, _)| *pending == id)?;
        let (_, form) = self.pending_logins.remove(position);
        self.login_busy = !self.pending_logins.is_empty();
        Some(form)
    }

    /// Signs in the remembered accounts, once both they and the gateway's hello are here.
    fn sign_in_remembered(&mut self, ctx: &Context<Self>) {
        if self.welcome.is_none() || !self.accounts.is_empty() {
            return;
        }
        for form in self.remembered.take().unwrap_or_default() {
            let id = self.next_account;
            self.next_account += 1;
            self.login(ctx, id, form);
        }
    }

    fn account(&self) -> Option<&Account> {
        self.account_by_id(self.active)
    }

    fn account_by_id(&self, id: AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    fn account_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }

    /// The folders of the account on screen.
    fn folders(&self) -> &[Folder] {
        self.account().map_or(&[], |a| a.folders.as_slice())
    }

    /// The account a draft is from, by its From address; the one on screen if none matches.
    fn account_for_sender(&self, from: &str) -> AccountId {
        self.accounts.iter().find(|a| sends_as(from, &a.session.email)).map_or(self.active, |a| a.id)
    }

    /// Puts account `id`'s inbox on screen.
    fn show_account(&mut self, ctx: &Context<Self>, id: AccountId) {
        let Some(account) = self.account_by_id(id) else { return };
        let (inbox, listed) = (account.inbox_id(), !account.folders.is_empty());
        self.active = id;
        self.unified = None;
        self.editing_identity = false;
        if listed {
            Component::update(self, ctx, Msg::SelectFolder(inbox));
        } else {
            self.folder = inbox;
            self.search = None;
            self.clear_list();
            if account_ready(self.account()) {
                self.load_list(ctx);
            }
        }
        self.refresh_folders_of(ctx, id);
    }

    /// Whether the list on screen shows account `id`'s inbox (alone or in the unified inbox).
    fn shows_inbox_of(&self, id: AccountId) -> bool {
        let inbox = self.account_by_id(id).map(Account::inbox_id);
        self.search.is_none()
            && (self.unified.is_some() || (id == self.active && inbox.as_deref() == Some(self.folder.as_str())))
    }

    /// Loads the list on screen again: the unified inbox, or the folder.
    fn reload(&mut self, ctx: &Context<Self>) {
        if self.unified.is_some() {
            let ids: Vec<_> = self.accounts.iter().map(|a| a.id).collect();
            ids.into_iter().for_each(|id| self.load_unified_part(ctx, id));
        } else if account_ready(self.account()) {
            self.load_list(ctx);
        }
    }

    /// Asks account `id` for its newest inbox rows, for the unified inbox.
    fn load_unified_part(&self, ctx: &Context<Self>, id: AccountId) {
        let Some(account) = self.account_by_id(id).filter(|a| account_ready(Some(a))) else { return };
        let request =
            Request::ListMessages { folder: account.inbox_id(), offset: 0, limit: BLOCK, sort: SortOrder::default() };
        self.call_for(ctx, id, request, messages, move |result| Msg::UnifiedRows(id, result));
    }

    /// Empties the list, the selection and the reader, for a list about to be loaded anew.
    fn clear_list(&mut self) {
        self.list = None;
        self.selection = Rc::default();
        self.reader = ReaderState::Empty;
    }

    /// The key of the open account's message `uid` in the list: the UID itself, or in the
    /// unified inbox its row key.
    fn row_key(&self, uid: Uid) -> Uid {
        match &self.unified {
            Some(unified) => unified.key_of(self.active, uid).unwrap_or(0),
            None => uid,
        }
    }

    /// Loads the list from the top: the folder's newest block, or the search results.
    fn load_list(&mut self, ctx: &Context<Self>) {
        match self.search.clone() {
            Some(text) => {
                self.list_loading = true;
                let query = match text.strip_prefix(MESSAGE_ID_SEARCH) {
                    Some(id) => SearchQuery { message_id: Some(id.to_owned()), ..SearchQuery::default() },
                    None => SearchQuery { text: Some(text), ..SearchQuery::default() },
                };
                let request = Request::Search { folder: self.folder.clone(), query, limit: SEARCH_LIMIT };
                let id = self.active;
                self.call(ctx, request, messages, move |result| Msg::Block(id, 0, result));
            }
            None => self.load_block(ctx, 0),
        }
    }

    /// Brings the list on screen up to date: by resync where its rows allow (an IMAP folder in
    /// newest-first order, not a search), else by listing again.
    fn refresh_list(&mut self, ctx: &Context<Self>) {
        let imap = self.account().is_some_and(|a| a.local.is_none());
        let plain_order = self.sort == SortOrder::default() && self.search.is_none();
        let since = self.list.as_ref().filter(|_| imap && plain_order).and_then(|list| list.sync_point());
        match since {
            Some(since) => {
                let request = Request::SyncMessages { folder: self.folder.clone(), since };
                let id = self.active;
                self.call(ctx, request, changes, move |result| Msg::Resynced(id, result));
            }
            None => self.load_list(ctx),
        }
    }

    fn load_block(&mut self, ctx: &Context<Self>, offset: u32) {
        self.list_loading = self.list.is_none();
        let request = Request::ListMessages { folder: self.folder.clone(), offset, limit: BLOCK, sort: self.sort };
        let id = self.active;
        self.call(ctx, request, messages, move |result| Msg::Block(id, offset, result));
    }

    /// The inboxes' unread count in the tab title, and a desktop notification when it grew.
    fn announce_unread(&mut self) {
        if self.accounts.iter().all(|a| a.inbox().is_none()) {
            return;
        }
        let unread: u32 = self.accounts.iter().map(Account::unread).sum();
        let title = if unread > 0 { format!("({unread}) Yubin") } else { "Yubin".to_owned() };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
        if let Some(before) = self.inbox_unread.filter(|before| unread > *before) {
            if self.notify {
                notifications::show(&trf(self.lang, "{n} new message(s)", &[("n", &(unread - before))]));
            }
        }
        self.inbox_unread = Some(unread);
    }

    /// Carries out a keyboard shortcut; returns whether the screen changes.
    fn shortcut(&mut self, ctx: &Context<Self>, shortcut: Shortcut) -> bool {
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
    fn login_form(&self, ctx: &Context<Self>, adding: bool) -> Html {
        let link = ctx.link();
        html! {
            <Login
                servers={self.welcome.as_ref().map(|w| w.servers.clone()).unwrap_or_default()}
                connected={self.welcome.is_some() && self.connection.is_some()}
                busy={self.login_busy}
                error={self.login_error.clone()}
                on_submit={link.callback(Msg::Login)}
                on_test={link.callback(Msg::TestAccount)}
                test={self.account_test.clone()}
                offline_accounts={if adding { Vec::new() } else { offline_accounts::all() }}
                on_offline={link.callback(Msg::OpenOffline)}
                on_cancel={adding.then(|| link.callback(|_| Msg::CancelAddAccount))}
            />
        }
    }

    /// The unified inbox and each account, with its unread count, above the folders.
    fn account_switcher(&self, ctx: &Context<Self>) -> Html {
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

    fn help(&self, ctx: &Context<Self>) -> Html {
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
    fn theme_switch(&self, ctx: &Context<Self>) -> Html {
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
    fn language_switch(&self, ctx: &Context<Self>) -> Html {
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

    /// `<uuid@domain>` for a new message, on the account's own domain.
    fn new_message_id(&self) -> String {
        let email = self.account().map(|a| a.session.email.as_str()).unwrap_or_default();
        let domain = email.rsplit_once('@').map_or("yubin.invalid", |(_, d)| d);
        format!("<{}@{domain}>", upload::unique_id())
    }

    fn count_outbox(&self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        spawn_local(async move {
            let count = crate::local_store::all(Shelf::Outbox).await.map_or(0, |all| all.len());
            link.send_message(Msg::OutboxCount(count));
        });
    }

    /// Files the Sent copy of a POP3 account's message in the browser's Sent folder.
    fn keep_local_copy(&self, ctx: &Context<Self>, local: LocalMailbox, copy: Option<Box<LocalMessage>>) {
        let Some(copy) = copy else { return };
        let lang = self.lang;
        let link = ctx.link().clone();
        spawn_local(async move {
            if let Err(e) = local.store(vec![*copy], "Sent").await {
                link.send_message(Msg::StorageWarning(trf(
                    lang,
                    "The sent message was not kept: {error}",
                    &[("error", &e.message)],
                )));
            }
        });
    }

    /// Checks a POP3 account's server again every few minutes, while it stays signed in.
    fn poll(&self, ctx: &Context<Self>, id: AccountId) {
        let (link, generation) = (ctx.link().clone(), self.session_generation);
        let minutes = self.account_by_id(id).map_or(1, |a| a.pop3_settings.interval_minutes.max(1));
        spawn_local(async move {
            yew::platform::time::sleep(std::time::Duration::from_secs(u64::from(minutes) * 60)).await;
            link.send_message(Msg::PollDue(id, generation));
        });
    }

    /// Sends what waits in the outbox, now that the gateway is reachable: each message through
    /// the signed-in account it is from.
    fn flush_outbox(&self, ctx: &Context<Self>) {
        let Some(connection) = self.connection.clone() else { return };
        let senders: Vec<(String, AccountId)> = self.accounts.iter().map(|a| (a.session.email.clone(), a.id)).collect();
        let link = ctx.link().clone();
        spawn_local(async move {
            let route = |from: &str| senders.iter().find(|(email, _)| sends_as(from, email)).map(|(_, id)| *id);
            let (sent, failures) = outbox::flush(&connection, route).await;
            link.send_message(Msg::OutboxFlushed(sent, failures));
        });
    }

    fn refresh_folders_of(&self, ctx: &Context<Self>, id: AccountId) {
        if !account_ready(self.account_by_id(id)) {
            return;
        }
        self.call_for(
            ctx,
            id,
            Request::ListFolders,
            |r| match r {
                Response::Folders(f) => Some(f),
                _ => None,
            },
            move |result| Msg::Folders(id, result),
        );
    }

    fn current_role(&self) -> Option<FolderRole> {
        self.folders().iter().find(|f| f.id == self.folder).and_then(|f| f.role)
    }

    fn folder_with_role(&self, role: FolderRole) -> Option<String> {
        self.folders().iter().find(|f| f.role == Some(role)).map(|f| f.id.clone())
    }

    /// Sets `flag` on the row and the open message at once; returns the value it had.
    fn apply_flag(&mut self, uid: Uid, flag: FlagName, value: bool) -> bool {
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
    fn remove(&mut self, ctx: &Context<Self>, uids: Vec<Uid>, to: Option<String>) {
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
        let request = match to {
            Some(to) => Request::Move { folder, uids, to },
            None => Request::Expunge { folder, uids },
        };
        self.call(ctx, request, done, Msg::Changed);
    }

    /// Sends `request` for the account on screen; see [`App::call_for`].
    fn call<T: 'static>(
        &self,
        ctx: &Context<Self>,
        request: Request,
        expect: fn(Response) -> Option<T>,
        to_msg: impl FnOnce(Result<T, ApiError>) -> Msg + 'static,
    ) {
        self.call_for(ctx, self.active, request, expect, to_msg);
    }

    /// Sends `request` for account `id`; `expect` picks the reply variant it should produce,
    /// `to_msg` wraps the outcome for `update`.
    fn call_for<T: 'static>(
        &self,
        ctx: &Context<Self>,
        id: AccountId,
        request: Request,
        expect: fn(Response) -> Option<T>,
        to_msg: impl FnOnce(Result<T, ApiError>) -> Msg + 'static,
    ) {
        let (link, lang) = (ctx.link().clone(), self.lang);
        // A POP3 account's folders live in the browser, and answer even with the gateway away.
        let local = self.account_by_id(id).and_then(|a| a.local.clone());
        if let Some(local) = local.filter(|_| is_mailbox_request(&request)) {
            spawn_local(async move {
                let result = local.handle(request).await.and_then(|response| {
                    expect(response)
                        .ok_or_else(|| ApiError::new(ErrorKind::Protocol, tr(lang, "Unexpected local reply.")))
                });
                link.send_message(to_msg(result));
            });
            return;
        }
        let Some(connection) = self.connection.clone() else {
            link.send_message(to_msg(Err(ApiError::new(
                ErrorKind::ConnectionLost,
                tr(lang, "Not connected to the gateway."),
            ))));
            return;
        };
        let connection = connection.for_account(id);
        spawn_local(async move {
            let result = connection.request(request).await.and_then(|response| {
                expect(response)
                    .ok_or_else(|| ApiError::new(ErrorKind::Protocol, tr(lang, "Unexpected reply from the gateway.")))
            });
            link.send_message(to_msg(result));
        });
    }
}
