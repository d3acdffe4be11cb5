//! The top-level component: owns the connection, the accounts and what is on screen.
//!
//! Its state is split by concern, each a model with its own message type and a pure reducer
//! tested natively: the sign-in ([`SignIn`]), the list ([`ListView`]), the reader
//! ([`Reading`]), the preferences ([`Preferences`]) and the link to the gateway
//! ([`GatewayLink`]). This file holds the component, its messages and `update`, which hands
//! each message to the concern that knows it; the files beside it carry out what the reducers
//! ask (calls to the gateway, the browser's storage) by concern — accounts, list, reading,
//! actions, sending, roaming settings, POP3, the surroundings (`chrome`) — and `view` draws
//! the panes.

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
mod view;

use std::rc::Rc;

use yubin_shared::address_book::Suggestion;

use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{
    AccountId, ApiError, ErrorKind, Event, FlagName, Folder, FolderRole, IncomingProtocol, LocalMessage, MessageView,
    NotFiled, OAuthGrant, Quota, Request, Secret, SentReceipt, Session, SortOrder, Uid, Verdict,
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
use crate::components::quota_meter::QuotaMeter;
use crate::components::reader::Reader;
use crate::connection::{Connection, ConnectionEvent};
use crate::drafting::Draft;
use crate::early_sign_in::{self, EarlySignIn, Typed};
use crate::gateway_link::{GatewayLink, LinkEffect, LinkMsg};
use crate::i18n::{tr, trf, Lang};
use crate::identity::Identity;
use crate::list_view::{Fetch, ListEffect, ListMsg, ListView, Shown, MESSAGE_ID_SEARCH};
use crate::local_mailbox::LocalMailbox;
use crate::local_store::{Shelf, Stored};
use crate::message_window::BLOCK;
use crate::pop3_sync::{self, Pop3Settings, SyncReport};
use crate::preferences::{Preferences, PreferencesEffect, PreferencesMsg};
use crate::reading::{ReaderState, Reading};
use crate::settings::Settings;
use crate::shortcuts::{self, Shortcut};
use crate::sign_in::{LoginForm, SignIn, SignInEffect, SignInMsg};
use crate::theme::Theme;
use crate::{
    contacts, extras, format, list_cache, notifications, oauth_return, offline_accounts, outbox, remember, upload,
};
use accounts::{account_ready, sends_as};
use browser::{check_storage, confirm, register_service_worker, save_as, set_document_language};
use yubin_protocol::calls::{self as call, Call};

/// Most search results listed.
const SEARCH_LIMIT: u32 = 200;
/// Share of the browser's storage quota above which the user is warned.
const STORAGE_WARNING: f64 = 0.9;
/// A send whose earlier attempt was cut off: it may have gone out, and is not sent twice.
const UNCERTAIN: &str = "The gateway stopped while sending this message, so it may not have gone out. It was not sent again, to be sure it is not sent twice: check with a recipient, and send it again from Sent if needed.";

/// Wait before reconnecting after the gateway went away.
const RECONNECT_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// Sends `msg` to the app after `delay`.
pub(super) fn send_later(ctx: &Context<App>, delay: std::time::Duration, msg: Msg) {
    let link = ctx.link().clone();
    spawn_local(async move {
        yew::platform::time::sleep(delay).await;
        link.send_message(msg);
    });
}

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
    /// The sign-in form and sign-ins under way.
    SignIn(SignInMsg),
    LoggedIn(AccountId, Result<Session, ApiError>),
    /// An OAuth account's grant ended (expired or withdrawn at the provider).
    SignInEnded(AccountId),
    SwitchAccount(AccountId),
    EditIdentity(bool),
    SaveIdentity(String, Identity),
    /// The special-folders form opens or closes.
    EditFolderRoles(bool),
    /// The OpenPGP keys dialog opens or closes.
    EditKeys,
    KeysOpened(Result<Rc<extras::OpenDialog>, ApiError>),
    CloseKeys,
    /// The filters dialog opens (loading its module the first time), with a rule to write for
    /// mail from this sender if given.
    EditFilters(Option<String>),
    /// The filters dialog is up, or could not be loaded.
    FiltersOpened(Result<Rc<extras::OpenDialog>, ApiError>),
    /// The address book opens (loading its module the first time), adding this sender
    /// (`(name, address)`) if one is given.
    OpenContacts(Option<(String, String)>),
    /// The address book is up, or could not be loaded.
    ContactsOpened(Result<Rc<extras::OpenDialog>, ApiError>),
    CloseContacts,
    /// An account's address book, for the composer's suggestions (by the account's address).
    AddressBook(String, Rc<Vec<Suggestion>>),
    CloseFilters,
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
    /// Time to look for the name account `id`'s mail has gone out under.
    AskSenderName(AccountId),
    /// The name account `id`'s mail has gone out under, for its new identity.
    SenderName(AccountId, Result<Option<String>, ApiError>),
    /// The server would not keep the settings (a METADATA refusal, a lost connection).
    SettingsNotSaved(AccountId, ApiError),
    Folders(AccountId, Result<Vec<Folder>, ApiError>),
    /// Time to ask how full account `id`'s mailbox is.
    AskQuota(AccountId),
    /// How full account `id`'s mailbox is.
    Quota(AccountId, Result<Option<Quota>, ApiError>),
    /// The folder or the list on screen.
    List(ListMsg),
    /// A row of the list was chosen (a UID, or in the unified inbox a row key).
    OpenRow(Uid),
    Open(Uid),
    Opened(Uid, Result<Box<MessageView>, ApiError>),
    /// An action on these messages (the open one, or the selected ones).
    Act(Vec<Uid>, Action),
    /// A draft taken off the schedule (true), or it was not waiting any more.
    Unscheduled(Uid, Result<bool, ApiError>),
    /// An optimistic flag change the server refused: put it back.
    FlagFailed(Vec<(Uid, bool)>, FlagName, ApiError),
    /// A change on the server (flag, move, delete) finished; the screen already shows it.
    Changed(Result<(), ApiError>),
    /// The same, for a change in another account than the one on screen.
    ChangedIn(AccountId, Result<(), ApiError>),
    ManageFolder(FolderOp),
    /// A page of an account's search of every folder.
    Found(AccountId, Result<yubin_protocol::FoundPage, ApiError>),
    FoundMore,
    /// Open message `.2` of folder `.1` of account `.0`, found by a search of every folder.
    OpenFound(AccountId, String, Uid),
    CloseEverywhere,
    /// Save the search on screen's results as an mbox file.
    ExportResults,
    /// A message of the conversation being gathered to print.
    PrintPart(Uid, Result<Box<MessageView>, ApiError>),
    /// An import has stored `.0` of `.1` messages.
    ImportProgress(usize, usize),
    /// An import into folder `.1` of account `.0` ended.
    Imported(AccountId, String, Result<crate::mail_import::Summary, (ApiError, usize)>),
    /// A message was dragged onto a folder.
    DropOn(String, Uid),
    /// A folder operation finished; open the folder with this name, if any, once listed.
    FolderManaged(Result<(), ApiError>, Option<String>),
    Download(String, String),
    /// Every attachment of the open message: one zip (one file after another from a POP3
    /// account's kept mail, which does not pass the gateway).
    DownloadAll,
    /// Show attachment `.0` of the open message, `.1` places on from it.
    Preview(usize, isize),
    /// A preview link for attachment `.1` of message `.0`.
    PreviewReady(Uid, usize, Result<String, ApiError>),
    ClosePreview,
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
    OutboxFlushed(outbox::Flushed),
    /// Messages waiting to be undone may be due: send what is.
    FlushOutbox,
    /// Undo the send of the message with this Message-ID: back to the composer.
    UndoSend(String),
    /// The user chose how long a send can be undone.
    SetUndoSend(u32),
    /// Show the sent message a bounce refers to.
    FindSent(String),
    /// How many messages wait in the outbox.
    OutboxCount(usize),
    /// Language, theme, notifications.
    Preferences(PreferencesMsg),
    /// Read a POP3 account's mail kept in this browser, without the gateway.
    OpenOffline(String),
    Shortcut(Shortcut),
    /// A POP3 account's mailbox in the browser is open.
    LocalReady(AccountId, Result<LocalMailbox, ApiError>),
    /// Check this POP3 account's server for new mail now.
    CheckNow(AccountId),
    /// The polling interval of an account, signed in during this generation, is over.
    PollDue(AccountId, u32),
    /// Time to look for an IMAP account's messages waiting to be sent later (the look armed
    /// last, by its number).
    CheckScheduled(AccountId, u32),
    ScheduledChecked(AccountId, Result<crate::scheduled::Checked, ApiError>),
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

/// A conversation being gathered to print: its messages in order, those arrived so far.
type PrintJob = (Vec<Uid>, std::collections::HashMap<Uid, Box<MessageView>>);

pub struct App {
    connection: Option<Connection>,
    /// The gateway's hello, outages, sign-in and sign-out counts, the outbox.
    link: GatewayLink,
    /// Signed-in accounts, in the order they were added.
    accounts: Vec<Account>,
    /// The account whose folders are on screen.
    active: AccountId,
    sign_in: SignIn,
    /// The page's own sign-in form, adopted until the sign-in page shows more than a form.
    early_sign_in: Option<EarlySignIn>,
    /// What was typed into it, for the app's form that takes its place (until signed in).
    typed: Option<Typed>,
    /// The servers written into the page, for the sign-in form until the gateway's hello.
    page_servers: Vec<yubin_protocol::ServerInfo>,
    /// The identity form of the account on screen is open.
    editing_identity: bool,
    /// The special-folders form of the account on screen is open.
    editing_roles: bool,
    /// The OpenPGP keys dialog: loading (`None` inside) or open.
    keys_dialog: Option<Option<Rc<extras::OpenDialog>>>,
    /// The filters dialog of the account on screen: loading (`None` inside) or open.
    filters: Option<Option<Rc<extras::OpenDialog>>>,
    /// The address book of the account on screen: loading (`None` inside) or open.
    contacts_dialog: Option<Option<Rc<extras::OpenDialog>>>,
    /// The message just sent that can still be undone: its Message-ID and when it goes.
    undo_send: Option<(String, f64)>,
    /// Per IMAP account, the one look for messages to send later that is due (a newer one
    /// makes older ones moot: one look at a time, however often it is asked for).
    scheduled_checks: std::collections::HashMap<AccountId, u32>,
    /// Seconds a sent message waits to be undone (this browser's choice).
    undo_seconds: u32,
    /// Each account's address book as the composer offers it, by the account's address.
    address_books: std::collections::HashMap<String, Rc<Vec<Suggestion>>>,
    /// Kept in the browser and, where the server can, on the IMAP servers.
    settings: Settings,
    list: ListView,
    /// The reader pane: the open message, its conversation, its source if asked for.
    reading: Reading,
    /// The message being written, if the composer is open, and the account sending it.
    composer: Option<(AccountId, Rc<Stored>)>,
    prefs: Preferences,
    /// The keyboard shortcut listener, for as long as the app lives.
    _shortcuts: Option<shortcuts::Listener>,
    /// Hears consents handed over by a sign-in popup (adding an OAuth account).
    _oauth_popup: Option<oauth_return::Listener>,
    /// The list of shortcuts is shown.
    help: bool,
    /// A search of every folder of every account, shown over the mailbox.
    everywhere: Option<crate::everywhere::Everywhere>,
    /// A conversation being gathered to print.
    print_job: Option<PrintJob>,
    /// Unread messages in all inboxes when last counted, to tell new mail apart.
    inbox_unread: Option<u32>,
    /// Addresses seen in mail, for recipient suggestions.
    contacts: Rc<Vec<String>>,
    notice: Option<Notice>,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        set_document_language(crate::i18n::detect_lang());
        Theme::load().apply();
        register_service_worker();
        let mut app = Self {
            connection: None,
            link: GatewayLink::default(),
            accounts: Vec::new(),
            active: 0,
            sign_in: SignIn::default(),
            early_sign_in: None,
            typed: None,
            page_servers: early_sign_in::page_servers(),
            editing_identity: false,
            editing_roles: false,
            keys_dialog: None,
            filters: None,
            contacts_dialog: None,
            undo_send: None,
            scheduled_checks: Default::default(),
            undo_seconds: crate::settings::undo_send_seconds(),
            address_books: Default::default(),
            settings: Settings::load(),
            list: ListView::default(),
            reading: Reading::default(),
            composer: None,
            prefs: Preferences {
                lang: crate::i18n::detect_lang(),
                theme: Theme::load(),
                notify: notifications::enabled(),
            },
            _shortcuts: shortcuts::listen(ctx.link().callback(Msg::Shortcut)),
            _oauth_popup: oauth_return::listen(ctx.link().callback(|back| Msg::SignIn(SignInMsg::OAuthReturned(back)))),
            help: false,
            everywhere: None,
            print_job: None,
            inbox_unread: None,
            contacts: Rc::new(contacts::load()),
            notice: None,
        };
        app.connect(ctx);
        let sign_in = |form| Msg::SignIn(SignInMsg::Submit(form));
        let test = |form| Msg::SignIn(SignInMsg::Test(form));
        if let Some((early, sent)) = EarlySignIn::adopt(ctx.link().callback(sign_in), ctx.link().callback(test)) {
            app.early_sign_in = Some(early);
            if let Some(msg) = sent {
                ctx.link().send_message(Msg::SignIn(msg));
            }
        }
        // While the sign-in form is filled in: what the first list will need, made ahead.
        spawn_local(async {
            yew::platform::time::sleep(std::time::Duration::from_millis(100)).await;
            format::prepare();
        });
        let link = ctx.link().clone();
        spawn_local(async move { link.send_message(Msg::SignIn(SignInMsg::Remembered(remember::all().await))) });
        // Back from an identity provider's consent: sign in with it once the gateway is there —
        // or, in a popup opened to add an account, hand it to the page that opened it.
        if let Some(back) = oauth_return::take().filter(|back| !oauth_return::hand_to_opener(back)) {
            ctx.link().send_message(Msg::SignIn(SignInMsg::OAuthReturned(back)));
        }
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
            <ContextProvider<Lang> context={self.prefs.lang}>
                { self.page(ctx) }
            </ContextProvider<Lang>>
        }
    }
}
