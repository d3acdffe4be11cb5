//! The top-level component: owns the connection, the session and what is on screen.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{
    ApiError, ErrorKind, Event, FlagName, Folder, FolderRole, IncomingProtocol, LocalMessage, MessagePage, MessageView,
    Request, Response, SearchQuery, Secret, SentReceipt, Session, SortOrder, Uid, Welcome, PROTOCOL_VERSION,
};

use crate::components::actions::{Action, BulkActions};
use crate::components::composer::{ComposeOutcome, Composer};
use crate::components::folder_list::{FolderList, FolderOp};
use crate::components::login::{Login, LoginForm};
use crate::components::message_list::MessageList;
use crate::components::notice::{Notice, NoticeKind, NoticeView};
use crate::components::pop3_panel::Pop3Panel;
use crate::components::reader::{Reader, ReaderState};
use crate::connection::{Connection, ConnectionEvent};
use crate::drafting::Draft;
use crate::i18n::{tr, trf, Lang};
use crate::local_mailbox::LocalMailbox;
use crate::local_store::{Shelf, Stored};
use crate::message_window::{MessageWindow, BLOCK};
use crate::pop3_sync::{self, Pop3Settings, SyncReport};
use crate::shortcuts::{self, Shortcut};
use crate::theme::Theme;
use crate::{contacts, format, notifications, offline_accounts, outbox, upload};

/// Most search results listed.
const SEARCH_LIMIT: u32 = 200;
/// Share of the browser's storage quota above which the user is warned.
const STORAGE_WARNING: f64 = 0.9;
/// A search for one Message-ID, as typed in the search box (Gmail's operator).
const MESSAGE_ID_SEARCH: &str = "rfc822msgid:";
/// Wait before reconnecting after the gateway went away.
const RECONNECT_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

pub enum Msg {
    Connection(ConnectionEvent),
    Reconnect,
    Login(LoginForm),
    LoggedIn(Result<Session, ApiError>),
    Folders(Result<Vec<Folder>, ApiError>),
    SelectFolder(String),
    /// A block of the list arrived (or failed) for the window starting at this offset.
    Block(u32, Result<MessagePage, ApiError>),
    /// The list shows these positions now.
    Visible(std::ops::Range<u32>),
    Sort(SortOrder),
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
    OutboxFlushed(Vec<SentReceipt>, Vec<ApiError>),
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
    LocalReady(Result<LocalMailbox, ApiError>),
    /// Check the POP3 server for new mail now.
    CheckNow,
    /// The polling interval of the session with this generation is over.
    PollDue(u32),
    SyncProgress(usize, usize),
    Synced(Result<SyncReport, ApiError>),
    Pop3Settings(Pop3Settings),
    /// The browser's storage is nearly full.
    StorageWarning(String),
    Dismiss,
    /// Try again what failed: the folder list and the list on screen.
    Retry,
    Logout,
}

pub struct App {
    connection: Option<Connection>,
    welcome: Option<Welcome>,
    /// Kept in memory only, for re-authenticating after the connection drops.
    credentials: Option<LoginForm>,
    session: Option<Session>,
    login_busy: bool,
    login_error: Option<ApiError>,
    folders: Vec<Folder>,
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
    /// The message being written, if the composer is open.
    composer: Option<Rc<Stored>>,
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
    /// Unread messages in the inbox when last counted, to tell new mail apart.
    inbox_unread: Option<u32>,
    /// The user asked for desktop notifications of new mail (and the browser allowed them).
    notify: bool,
    /// A POP3 account's mailbox, kept in the browser; `None` for IMAP accounts.
    local: Option<LocalMailbox>,
    pop3_settings: Pop3Settings,
    /// What the POP3 sync is doing, for the sidebar.
    sync_status: Option<String>,
    syncing: bool,
    /// "Check now" came while a sync was running: run another when it ends.
    check_again: bool,
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
            credentials: None,
            session: None,
            login_busy: false,
            login_error: None,
            folders: Vec::new(),
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
            local: None,
            pop3_settings: Pop3Settings::default(),
            sync_status: None,
            syncing: false,
            check_again: false,
            session_generation: 0,
            contacts: Rc::new(contacts::load()),
            source: None,
            notice: None,
        };
        app.connect(ctx);
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
                if self.session.is_some() {
                    // Back after a drop: sign in again silently and refresh.
                    if let Some(form) = self.credentials.clone() {
                        self.login(ctx, form);
                    }
                }
            }
            Msg::Connection(ConnectionEvent::Pushed(Event::FolderChanged { folder })) => {
                if self.session.is_none() {
                    return false;
                }
                // New, removed or changed mail in the folder on screen: show it as it is now.
                if folder == self.folder && self.search.is_none() {
                    self.load_list(ctx);
                }
                // Elsewhere (the inbox, watched too): its counts, the title, a notification.
                self.refresh_folders(ctx);
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
                self.login(ctx, form);
            }
            Msg::LoggedIn(Ok(session)) => {
                self.login_busy = false;
                if self.notice.as_ref().is_some_and(|n| n.kind == NoticeKind::Info) {
                    self.notice = None;
                }
                let first = self.session.is_none();
                let pop3 = session.incoming == IncomingProtocol::Pop3;
                self.epoch += 1;
                if pop3 && self.local.is_none() {
                    self.pop3_settings = Pop3Settings::load(&session.email);
                    let (link, account) = (ctx.link().clone(), session.email.clone());
                    spawn_local(async move { link.send_message(Msg::LocalReady(LocalMailbox::open(&account).await)) });
                } else {
                    self.refresh_folders(ctx);
                    self.load_list(ctx);
                }
                self.session = Some(session);
                if pop3 && self.local.is_some() {
                    ctx.link().send_message(Msg::CheckNow); // back after a drop: catch up
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
            Msg::LoggedIn(Err(e)) => {
                self.login_busy = false;
                self.credentials = None;
                self.session = None;
                self.login_error = Some(e);
            }
            Msg::Folders(Ok(folders)) => {
                self.folders = folders;
                self.announce_unread();
                let wanted = self.open_when_listed.take();
                if let Some(folder) = wanted.and_then(|name| self.folders.iter().find(|f| f.name == name)) {
                    let id = folder.id.clone();
                    return Component::update(self, ctx, Msg::SelectFolder(id));
                }
                if !self.folders.iter().any(|f| f.id == self.folder) && !self.folders.is_empty() {
                    // The open folder is gone (deleted, renamed elsewhere): back to the first.
                    let first = self.folders[0].id.clone();
                    return Component::update(self, ctx, Msg::SelectFolder(first));
                }
            }
            // While offline the reconnect notice says it all.
            Msg::Folders(Err(_)) if self.offline => {}
            Msg::Folders(Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::SelectFolder(folder) => {
                self.folder = folder;
                self.search = None;
                self.list = None;
                self.selection = Rc::default();
                self.reader = ReaderState::Empty;
                self.load_list(ctx);
            }
            Msg::Block(offset, Ok(page)) => {
                self.list_loading = false;
                if page.folder != self.folder {
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
                let total = if window.is_search { page.messages.len() as u32 } else { page.total };
                window.insert(offset, total, page.messages);
                self.list = Some(Rc::new(window));
            }
            Msg::Block(offset, Err(e)) => {
                self.list_loading = false;
                if let Some(list) = &mut self.list {
                    Rc::make_mut(list).release(offset);
                }
                self.notice = Some(Notice::from_error(&e));
            }
            Msg::Sort(order) => {
                self.sort = order;
                self.list = None;
                self.selection = Rc::default();
                self.reader = ReaderState::Empty;
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
            Msg::Open(uid) => {
                // Opening a conversation's row, or another message of the open conversation.
                let row_thread = self.list.as_ref().and_then(|l| l.find(uid)).and_then(|m| m.thread.clone());
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
                if let (Ok(view), Some(list)) = (&result, &mut self.list) {
                    if let Some(row) = Rc::make_mut(list).find_mut(uid) {
                        became_read = !row.flags.seen && view.flags.seen;
                        row.flags.seen = view.flags.seen;
                    }
                }
                if became_read {
                    self.refresh_folders(ctx); // one unread fewer
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
                let request = Request::MarkFolderRead { folder: self.folder.clone() };
                self.call(ctx, request, done, Msg::Changed);
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
                self.list = None;
                self.selection = Rc::default();
                self.reader = ReaderState::Empty;
                let request = Request::EmptyFolder { folder: self.folder.clone() };
                self.call(ctx, request, done, Msg::Emptied);
            }
            Msg::Emptied(result) => {
                if let Err(e) = result {
                    self.notice = Some(Notice::from_error(&e));
                }
                self.load_list(ctx);
                self.refresh_folders(ctx);
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
                let me = self.session.as_ref().map(|s| s.email.clone()).unwrap_or_default();
                let id = self.new_message_id();
                let when = format::long_date(view.date);
                let draft = match action {
                    Action::Reply => Draft::reply(id, view, &me, false, &when),
                    Action::ReplyAll => Draft::reply(id, view, &me, true, &when),
                    Action::Forward => Draft::forward(id, view, false, &when),
                    Action::ForwardAttached => Draft::forward(id, view, true, &when),
                    _ => Draft::reopen(view, id),
                };
                self.composer = Some(Rc::new(Stored { draft, files: Vec::new() }));
            }
            Msg::Act(uids, Action::MoveTo(to)) => self.remove(ctx, uids, Some(to)),
            Msg::Act(uids, Action::Delete) => {
                // Delete moves to Trash; in Trash (or without one) it deletes for good.
                let trash = self.folder_with_role(FolderRole::Trash).filter(|t| *t != self.folder);
                self.remove(ctx, uids, trash);
            }
            Msg::Changed(result) => {
                if let Err(e) = result {
                    self.notice = Some(Notice::from_error(&e));
                    self.load_list(ctx);
                }
                self.refresh_folders(ctx);
            }
            Msg::Search(text) => {
                let text = text.trim().to_owned();
                self.search = (!text.is_empty()).then_some(text);
                self.list = None;
                self.selection = Rc::default();
                self.reader = ReaderState::Empty;
                self.load_list(ctx);
            }
            Msg::DropOn(folder, uid) => {
                if uid == 0 || folder == self.folder {
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
                self.refresh_folders(ctx);
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
                let draft = Draft::new(self.new_message_id());
                self.composer = Some(Rc::new(Stored { draft, files: Vec::new() }));
            }
            Msg::ComposeFrom(stored) => self.composer = Some(stored),
            Msg::LocalDrafts(drafts) => {
                let count = drafts.len();
                if let (None, Some(newest)) = (&self.composer, drafts.into_iter().next()) {
                    self.composer = Some(Rc::new(newest));
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
                self.composer = None;
                if let (ComposeOutcome::Sent(receipt), Some(local)) = (&outcome, &self.local) {
                    self.keep_local_copy(ctx, local.clone(), receipt.local_copy.clone());
                }
                if matches!(outcome, ComposeOutcome::Sent(_)) {
                    self.refresh_folders(ctx); // Sent has one more
                }
                self.notice = match outcome {
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
            Msg::OpenOffline(account) => {
                self.session = Some(Session {
                    username: account.clone(),
                    email: account.clone(),
                    incoming: IncomingProtocol::Pop3,
                });
                self.notice = Some(Notice::info(tr(
                    self.lang,
                    "Offline: this is the mail kept in this browser. Sign out and sign in again to check for new mail.",
                )));
                let link = ctx.link().clone();
                spawn_local(async move { link.send_message(Msg::LocalReady(LocalMailbox::open(&account).await)) });
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
            }
            Msg::SetLang(lang) => {
                self.lang = lang;
                lang.save();
                set_document_language(lang);
            }
            Msg::LocalReady(Ok(local)) => {
                self.local = Some(local);
                if let Some(session) = &self.session {
                    offline_accounts::remember(&session.email);
                }
                self.refresh_folders(ctx);
                self.load_list(ctx);
                ctx.link().send_message(Msg::CheckNow);
                self.poll(ctx);
            }
            Msg::LocalReady(Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::CheckNow => {
                let (Some(local), Some(connection)) = (self.local.clone(), self.connection.clone()) else {
                    return false;
                };
                if self.session.is_none() {
                    return false;
                }
                if self.syncing {
                    self.check_again = true;
                    return false;
                }
                self.syncing = true;
                self.sync_status = Some(tr(self.lang, "Checking for new mail…").into());
                let (link, settings) = (ctx.link().clone(), self.pop3_settings);
                spawn_local(async move {
                    let progress = {
                        let link = link.clone();
                        move |done, total| link.send_message(Msg::SyncProgress(done, total))
                    };
                    let result = pop3_sync::sync(&connection, &local, settings, progress).await;
                    link.send_message(Msg::Synced(result));
                });
            }
            Msg::PollDue(generation) => {
                if generation == self.session_generation && self.local.is_some() {
                    ctx.link().send_message(Msg::CheckNow);
                    self.poll(ctx);
                }
                return false;
            }
            Msg::SyncProgress(done, total) => {
                if total > 0 {
                    self.sync_status =
                        Some(trf(self.lang, "Downloading {done} of {total}…", &[("done", &done), ("total", &total)]));
                    if done > 0 && self.current_role() == Some(FolderRole::Inbox) && self.search.is_none() {
                        self.load_list(ctx);
                    }
                    self.refresh_folders(ctx);
                }
            }
            Msg::Synced(result) => {
                self.syncing = false;
                if std::mem::take(&mut self.check_again) {
                    ctx.link().send_message(Msg::CheckNow);
                }
                let now = format::short_date(Some((js_sys::Date::now() / 1000.0) as i64));
                self.sync_status = Some(match result {
                    Ok(report) if report.downloaded > 0 => {
                        self.load_list(ctx);
                        self.refresh_folders(ctx);
                        check_storage(ctx.link().clone(), self.lang);
                        trf(self.lang, "{n} new · checked {time}", &[("n", &report.downloaded), ("time", &now)])
                    }
                    Ok(_) => trf(self.lang, "Checked {time}", &[("time", &now)]),
                    Err(e) => trf(self.lang, "Could not check: {error}", &[("error", &e.message)]),
                });
            }
            Msg::Pop3Settings(settings) => {
                self.pop3_settings = settings;
                if let Some(session) = &self.session {
                    settings.save(&session.email);
                }
            }
            Msg::StorageWarning(text) => self.notice = Some(Notice::error(text)),
            Msg::OutboxFlushed(receipts, failures) => {
                self.count_outbox(ctx);
                if let Some(local) = &self.local {
                    for receipt in &receipts {
                        self.keep_local_copy(ctx, local.clone(), receipt.local_copy.clone());
                    }
                }
                let sent = receipts.len();
                if let Some(e) = failures.first() {
                    self.notice = Some(Notice::error(trf(
                        self.lang,
                        "A message in the outbox could not be sent: {error}",
                        &[("error", &e.message)],
                    )));
                } else if sent > 0 {
                    self.notice =
                        Some(Notice::info(trf(self.lang, "{n} message(s) from the outbox sent.", &[("n", &sent)])));
                    self.refresh_folders(ctx);
                }
            }
            Msg::FindSent(message_id) => {
                if let Some(sent) = self.folder_with_role(FolderRole::Sent) {
                    self.folder = sent;
                    self.search = Some(format!("{MESSAGE_ID_SEARCH}{message_id}"));
                    self.list = None;
                    self.selection = Rc::default();
                    self.reader = ReaderState::Empty;
                    self.load_list(ctx);
                }
            }
            Msg::Dismiss => self.notice = None,
            Msg::Retry => {
                self.notice = None;
                if self.session.is_some() {
                    self.refresh_folders(ctx);
                    self.load_list(ctx);
                }
            }
            Msg::Logout => {
                if let Some(connection) = &self.connection {
                    let connection = connection.clone();
                    spawn_local(async move {
                        let _ = connection.request(Request::Logout).await;
                    });
                }
                self.credentials = None;
                self.session = None;
                self.local = None;
                self.sync_status = None;
                self.inbox_unread = None;
                if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                    document.set_title("Yubin");
                }
                self.session_generation += 1;
                self.folders.clear();
                self.list = None;
                self.selection = Rc::default();
                self.reader = ReaderState::Empty;
                self.composer = None;
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
        let Some(session) = &self.session else {
            return html! {
                <>
                    { for notice }
                    <Login
                        servers={self.welcome.as_ref().map(|w| w.servers.clone()).unwrap_or_default()}
                        connected={self.welcome.is_some() && self.connection.is_some()}
                        busy={self.login_busy}
                        error={self.login_error.clone()}
                        on_submit={link.callback(Msg::Login)}
                        offline_accounts={offline_accounts::all()}
                        on_offline={link.callback(Msg::OpenOffline)}
                    />
                    { self.language_switch(ctx) }
                </>
            };
        };
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
                    <span class="account" title={tr(lang, "Signed in as")}>{ &session.email }</span>
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
                    <FolderList folders={self.folders.clone()} current={self.folder.clone()}
                        on_select={link.callback(Msg::SelectFolder)} on_manage={link.callback(Msg::ManageFolder)}
                        on_drop={link.callback(|(folder, uid)| Msg::DropOn(folder, uid))} />
                    if self.local.is_some() {
                        <Pop3Panel status={self.sync_status.clone()} syncing={self.syncing} settings={self.pop3_settings}
                            on_check={link.callback(|_| Msg::CheckNow)} on_settings={link.callback(Msg::Pop3Settings)} />
                    }
                </nav>
                <section class="list" aria-label={tr(lang, "Messages")}>
                    if !self.selection.is_empty() {
                        <BulkActions count={self.selection.len()} folders={self.folders.clone()} folder={self.folder.clone()}
                            on_action={{
                                let uids: Vec<Uid> = self.selection.iter().copied().collect();
                                link.callback(move |action| Msg::Act(uids.clone(), action))
                            }}
                            on_clear={link.callback(|_| Msg::ClearSelection)} />
                    }
                    <MessageList
                        window={self.list.clone()}
                        loading={self.list_loading}
                        selected={self.reader.uid()}
                        on_open={link.callback(Msg::Open)}
                        on_visible={link.callback(Msg::Visible)}
                        selection={self.selection.clone()}
                        on_toggle={link.callback(Msg::ToggleSelected)}
                        sort={self.sort}
                        on_sort={link.callback(Msg::Sort)}
                        on_mark_all_read={link.callback(|_| Msg::MarkAllRead)}
                        on_empty={self.current_role().filter(|r| matches!(r, FolderRole::Trash | FolderRole::Junk))
                            .map(|_| link.callback(|_| Msg::EmptyFolder))}
                    />
                </section>
                <main class="reader" id="reader">
                    <button class="back-button" id="back-button" onclick={link.callback(|_| Msg::Shortcut(Shortcut::Back))}>
                        { tr(lang, "← Back") }
                    </button>
                    <Reader state={self.reader.clone()} folders={self.folders.clone()}
                        on_action={
                            let uid = self.reader.uid();
                            link.batch_callback(move |action| uid.map(|uid| Msg::Act(vec![uid], action)))
                        }
                        on_download={link.callback(|(section, name)| Msg::Download(section, name))}
                        on_find_sent={link.callback(Msg::FindSent)}
                        on_retry={link.callback(Msg::Open)}
                        conversation={self.conversation.clone()}
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
                if let Some(start) = &self.composer {
                    <Composer
                        key={start.draft.message_id.clone()}
                        connection={self.connection.clone()}
                        epoch={self.epoch}
                        identity={session.email.clone()}
                        start={start.clone()}
                        contacts={self.contacts.clone()}
                        on_done={link.callback(Msg::ComposeDone)}
                    />
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

    fn login(&mut self, ctx: &Context<Self>, form: LoginForm) {
        self.login_busy = true;
        self.credentials = Some(form.clone());
        let request = Request::Login { server: form.server, username: form.username, password: Secret(form.password) };
        self.call(
            ctx,
            request,
            |r| match r {
                Response::LoggedIn(s) => Some(s),
                _ => None,
            },
            Msg::LoggedIn,
        );
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
                self.call(ctx, request, messages, |result| Msg::Block(0, result));
            }
            None => self.load_block(ctx, 0),
        }
    }

    fn load_block(&mut self, ctx: &Context<Self>, offset: u32) {
        self.list_loading = self.list.is_none();
        let request = Request::ListMessages { folder: self.folder.clone(), offset, limit: BLOCK, sort: self.sort };
        self.call(ctx, request, messages, move |result| Msg::Block(offset, result));
    }

    /// The inbox's unread count in the tab title, and a desktop notification when it grew.
    fn announce_unread(&mut self) {
        let Some(unread) = self.folders.iter().find(|f| f.role == Some(FolderRole::Inbox)).and_then(|f| f.unread)
        else {
            return;
        };
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
        if self.session.is_none() || self.composer.is_some() {
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
                    Some(uid) => list.and_then(|l| l.neighbour(uid, step)),
                    None => list.and_then(|l| l.get(0)).map(|m| m.uid),
                };
                target.map(Msg::Open)
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
        let email = self.session.as_ref().map(|s| s.email.as_str()).unwrap_or_default();
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

    /// Checks the POP3 server again every few minutes, for as long as this session lasts.
    fn poll(&self, ctx: &Context<Self>) {
        let (link, generation) = (ctx.link().clone(), self.session_generation);
        let minutes = self.pop3_settings.interval_minutes.max(1);
        spawn_local(async move {
            yew::platform::time::sleep(std::time::Duration::from_secs(u64::from(minutes) * 60)).await;
            link.send_message(Msg::PollDue(generation));
        });
    }

    /// Sends what waits in the outbox, now that the gateway is reachable.
    fn flush_outbox(&self, ctx: &Context<Self>) {
        let Some(connection) = self.connection.clone() else { return };
        let link = ctx.link().clone();
        spawn_local(async move {
            let (sent, failures) = outbox::flush(&connection).await;
            link.send_message(Msg::OutboxFlushed(sent, failures));
        });
    }

    fn refresh_folders(&self, ctx: &Context<Self>) {
        self.call(
            ctx,
            Request::ListFolders,
            |r| match r {
                Response::Folders(f) => Some(f),
                _ => None,
            },
            Msg::Folders,
        );
    }

    fn current_role(&self) -> Option<FolderRole> {
        self.folders.iter().find(|f| f.id == self.folder).and_then(|f| f.role)
    }

    fn folder_with_role(&self, role: FolderRole) -> Option<String> {
        self.folders.iter().find(|f| f.role == Some(role)).map(|f| f.id.clone())
    }

    /// Sets `flag` on the row and the open message at once; returns the value it had.
    fn apply_flag(&mut self, uid: Uid, flag: FlagName, value: bool) -> bool {
        let mut previous = !value;
        if let Some(row) = self.list.as_mut().and_then(|list| Rc::make_mut(list).find_mut(uid)) {
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
        if let Some(list) = &mut self.list {
            let list = Rc::make_mut(list);
            uids.iter().for_each(|uid| list.remove(*uid));
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

    /// Sends `request`; `expect` picks the reply variant it should produce, `to_msg` wraps the
    /// outcome for `update`.
    fn call<T: 'static>(
        &self,
        ctx: &Context<Self>,
        request: Request,
        expect: fn(Response) -> Option<T>,
        to_msg: impl FnOnce(Result<T, ApiError>) -> Msg + 'static,
    ) {
        let (link, lang) = (ctx.link().clone(), self.lang);
        // A POP3 account's folders live in the browser, and answer even with the gateway away.
        if let Some(local) = self.local.clone().filter(|_| is_mailbox_request(&request)) {
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
        spawn_local(async move {
            let result = connection.request(request).await.and_then(|response| {
                expect(response)
                    .ok_or_else(|| ApiError::new(ErrorKind::Protocol, tr(lang, "Unexpected reply from the gateway.")))
            });
            link.send_message(to_msg(result));
        });
    }
}
