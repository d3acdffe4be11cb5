//! The top-level component: owns the connection, the accounts and what is on screen.
//!
//! This file holds the state, the messages and `update`/`view`; the helpers `update` calls
//! live beside it by concern: accounts, the message list, roaming settings, sending, the
//! screen's surroundings (`chrome`), gateway calls, and browser facilities.

mod accounts;
mod actions;
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
    LocalMessage, MessagePage, MessageView, NotFiled, Request, SearchQuery, Secret, SentReceipt, Session, SortOrder,
    Uid, Verdict, Welcome, PROTOCOL_VERSION,
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
use yubin_protocol::calls::{self as call, Call};

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

/// What one concern's handler did with a message: handled it (and whether to render), or left
/// it to the next.
pub(super) enum Handled {
    Done(bool),
    NotMine(Msg),
}

/// One concern's part of [`App`]'s `update`.
type ConcernHandler = fn(&mut App, &Context<App>, Msg) -> Handled;

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
        // Each concern takes the messages it knows and hands the others on.
        let handlers: [ConcernHandler; 6] =
            [Self::on_account, Self::on_settings, Self::on_list, Self::on_action, Self::on_compose, Self::on_chrome];
        let mut msg = msg;
        for handle in handlers {
            match handle(self, ctx, msg) {
                Handled::Done(render) => return render,
                Handled::NotMine(unhandled) => msg = unhandled,
            }
        }
        // A message no concern takes is a bug; it must not take the app down.
        web_sys::console::error_1(&"a message no part of the app handles".into());
        false
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
                { self.topbar(ctx, account) }
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
                { self.dialogs(ctx, account) }
            </div>
        }
    }
}
