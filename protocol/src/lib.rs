//! # The Yubin wire protocol
//!
//! This crate is the one place where the conversation between the browser app and the gateway is
//! defined. Both sides compile against it, so a change here is a change to both.
//!
//! ## Transport
//!
//! One WebSocket per browser tab, at `/ws` on the gateway's origin. Every frame is a UTF-8 text
//! frame holding one JSON document: a [`ClientFrame`] from the browser, a [`ServerFrame`] from the
//! gateway. Enums use serde's default external tagging (`{"login": {...}}`, `"list_folders"`).
//!
//! ## Conversation
//!
//! 1. On connect the gateway sends [`ServerFrame::Welcome`] with its [`PROTOCOL_VERSION`] and the
//!    mail servers its operator allows (the gateway is not an open proxy: the browser picks a
//!    server by id, never by host name).
//! 2. The browser sends [`ClientFrame`]s, each with an `id` it chooses. The gateway answers each
//!    with exactly one [`ServerFrame::Reply`] carrying the same `id`, either a [`Response`] or an
//!    [`ApiError`]. Replies may arrive out of order: a slow send does not hold up reading mail.
//! 3. The gateway may send [`ServerFrame::Event`] at any time after login: push news such as
//!    new mail in the folder on screen.
//! 4. [`Request::Login`] must succeed before any other request; until then the gateway answers
//!    [`ErrorKind::NotLoggedIn`]. Credentials live only in the gateway's memory for the life of
//!    the WebSocket.
//! 5. One socket carries several accounts. Every [`ClientFrame`] names the [`AccountId`] it is
//!    for (a number the browser chooses; `0` when absent); each account logs in and out on its
//!    own, and events say which account they concern. The gateway allows a few accounts per
//!    socket (its `[limits] max_accounts`).
//!
//! ## Versioning
//!
//! [`PROTOCOL_VERSION`] is bumped on any change that an older peer would misread (a renamed or
//! removed field or variant, a changed meaning). Adding an optional field (`#[serde(default)]`)
//! does not bump it. A browser app that sees a different version in `Welcome` asks the user to
//! reload, which fetches the app that matches the gateway.
//!
//! History: **1** reading and organizing IMAP mail, plain sending. **2** writing mail:
//! [`Request::Upload`] in chunks, [`Request::SaveDraft`], [`Request::ComposeInfo`], attachments
//! by [`AttachmentSource`], at-most-once [`Request::Send`] keyed by `message_id`, refusals listed
//! in [`ApiError::details`], bounces as [`DeliveryReport`]. **3** several accounts on one socket:
//! [`ClientFrame::account`], [`Event::FolderChanged`] names its account, [`Request::TestAccount`],
//! roaming settings ([`Request::GetSettings`], [`Request::SaveSettings`]). **4** incremental
//! resync: [`Request::SyncMessages`] answered with [`Response::Changes`]; [`MessagePage::modseq`].
//! **5** OAuth 2.0 sign-in. **6** a [`LocalPart`] may point into its message's source
//! ([`LocalPart::in_source`]) instead of carrying its bytes. **7** the account's quota
//! ([`Request::GetQuota`]); a full mailbox is its own [`ErrorKind::OverQuota`]; the name the
//! account's mail goes out under ([`Request::SenderName`]). **8** contacts on CardDAV
//! ([`Request::ListAddressBooks`] and the other `…Contact…` requests); a change refused because
//! the server's copy changed meanwhile is its own [`ErrorKind::Conflict`]. **9** attachments
//! looked at without downloading ([`Request::PreparePreview`]) and all of a message's
//! attachments as one zip ([`Request::PrepareZip`]); a folder exported as mbox
//! ([`Request::PrepareMbox`]) and messages imported ([`Request::ImportMessages`]); a search
//! of every folder ([`Request::SearchEverywhere`]). **10** formatted mail, templates and
//! sending later. **11** OpenPGP: messages sent as PGP/MIME ([`OutgoingMessage::openpgp`]),
//! what a received one holds ([`MessageView::openpgp`], [`MessageView::autocrypt`]). Added
//! since without a bump: public keys looked up on an allow-listed keyserver
//! ([`Request::LookupKey`], [`Welcome::keyserver`]).

pub mod calls;
pub mod contacts;
pub mod preview;
pub mod text;

pub use contacts::{AddressBook, CardVersion, Contact, ContactCard, ContactChanges, Imported, Labelled};

use serde::{Deserialize, Serialize};

/// The version of this protocol; see the crate docs for when it changes.
pub const PROTOCOL_VERSION: u32 = 11;

/// Chosen by the browser; echoed in the matching [`ServerFrame::Reply`].
pub type RequestId = u32;

/// The largest settings document [`Request::SaveSettings`] stores.
pub const MAX_SETTINGS_BYTES: usize = 64 * 1024;

/// Most messages in one [`Request::Pop3Fetch`] reply: one round trip and one storage
/// transaction in the browser each, so not too few; progress shows between them.
pub const MAX_POP3_FETCH: usize = 100;
/// Most bytes of mail (by the server's LIST sizes) in one [`Request::Pop3Fetch`] reply, so that
/// neither the gateway nor the browser holds more than this of one batch.
pub const MAX_POP3_FETCH_BYTES: u64 = 16 * 1024 * 1024;

/// Whether a [`Request::Pop3Fetch`] batch of `count` messages and `bytes` takes one more of
/// `size`: within [`MAX_POP3_FETCH`] and [`MAX_POP3_FETCH_BYTES`], a bigger message alone. The
/// browser batches by it and the gateway cuts a batch by it, so a batch asked for comes whole.
pub fn pop3_batch_takes(count: usize, bytes: u64, size: u64) -> bool {
    count == 0 || (count < MAX_POP3_FETCH && bytes + size <= MAX_POP3_FETCH_BYTES)
}

/// Which of the socket's accounts a request or event is about; chosen by the browser.
pub type AccountId = u32;

/// An IMAP UID, unique within one folder (for a given UIDVALIDITY).
pub type Uid = u32;

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// A password or other credential. Its `Debug` output is redacted so that logging a request can
/// never leak it; on the wire it is a plain JSON string.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Browser → gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    pub id: RequestId,
    #[serde(default)]
    pub account: AccountId,
    pub request: Request,
}

/// What the browser asks of the gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Log in to the incoming server of `server` (an id from [`Welcome::servers`]).
    /// Answered with [`Response::LoggedIn`].
    Login { server: String, username: String, password: Secret },
    /// Sign in to a server that uses OAuth 2.0 with a grant: fresh from the provider's consent
    /// (sealed by the gateway at `/oauth/callback`), or a refresh token kept by the browser
    /// (then `username` is the account's, as its [`Session`] said). Answered with
    /// [`Response::LoggedIn`], whose session carries the refresh token to keep.
    LoginOAuth {
        server: String,
        #[serde(default)]
        username: Option<String>,
        grant: OAuthGrant,
    },
    /// Tries the account's incoming and outgoing servers without signing in, so a user adding
    /// an account sees what works and what does not. Answered with [`Response::AccountTest`].
    TestAccount { server: String, username: String, password: Secret },
    /// Answered with [`Response::Folders`].
    ListFolders,
    /// A window of `folder`'s messages in `sort` order (default: newest arrival first),
    /// skipping `offset`. Answered with [`Response::Messages`].
    ListMessages {
        folder: String,
        offset: u32,
        limit: u32,
        #[serde(default)]
        sort: SortOrder,
    },
    /// What changed in `folder` since the browser's rows were read: flags, messages gone,
    /// messages arrived. Cheaper than listing again, and it keeps rows the user scrolled to.
    /// Uses CONDSTORE/QRESYNC (RFC 7162) where the server has them, the held UIDs where not.
    /// Answered with [`Response::Changes`].
    SyncMessages { folder: String, since: SyncPoint },
    /// One whole message, parsed. Marks it read. Answered with [`Response::Message`].
    GetMessage { folder: String, uid: Uid },
    /// Sets or clears `flag` on messages. Answered with [`Response::Done`].
    SetFlag { folder: String, uids: Vec<Uid>, flag: FlagName, value: bool },
    /// Moves messages to the folder `to` (e.g. Trash, Junk, Archive). Answered with
    /// [`Response::Done`].
    Move { folder: String, uids: Vec<Uid>, to: String },
    /// The message exactly as the server stores it, headers and all. Answered with
    /// [`Response::Source`].
    GetSource { folder: String, uid: Uid },
    /// Creates a folder; `name` is the full path as the user reads it (e.g. `Projects/会議`).
    /// Answered with [`Response::Done`].
    CreateFolder { name: String },
    /// Renames (or moves) `folder` to the full path `to`. Answered with [`Response::Done`].
    RenameFolder { folder: String, to: String },
    /// Deletes `folder` and the messages in it. Answered with [`Response::Done`].
    DeleteFolder { folder: String },
    /// Subscribes to or unsubscribes from `folder`. Answered with [`Response::Done`].
    Subscribe { folder: String, subscribed: bool },
    /// Marks every message in `folder` read. Answered with [`Response::Done`].
    MarkFolderRead { folder: String },
    /// Deletes every message in `folder` for good (emptying Trash or Junk). Answered with
    /// [`Response::Done`].
    EmptyFolder { folder: String },
    /// Deletes messages for good (what "delete" means inside Trash). Answered with
    /// [`Response::Done`].
    Expunge { folder: String, uids: Vec<Uid> },
    /// A single-use link (valid for a minute) that downloads one attachment, or the whole
    /// message, streamed from the server. Answered with [`Response::Download`].
    PrepareDownload {
        folder: String,
        uid: Uid,
        /// From [`AttachmentInfo::section`]; `""` for the whole message as it is (an `.eml`).
        section: String,
        /// The name to save it under.
        filename: String,
    },
    /// A link (valid for a minute) that shows one attachment in the browser: served only as
    /// the type [`preview::preview`] chose for it, in a sandbox. Answered with
    /// [`Response::Download`]; refused for a part that cannot be previewed.
    PreparePreview { folder: String, uid: Uid, section: String },
    /// A single-use link (valid for a minute) that downloads the listed attachments as one
    /// zip, built while it streams. Answered with [`Response::Download`].
    PrepareZip { folder: String, uid: Uid, parts: Vec<ZipPart>, filename: String },
    /// A single-use link (valid for a minute) that downloads messages of `folder` as one
    /// mbox file (mboxrd), streamed: those in `uids`, or all of them when it is empty.
    /// Answered with [`Response::Download`].
    PrepareMbox { folder: String, uids: Vec<Uid>, filename: String },
    /// Stores whole messages (base64 of their bytes, at most [`MAX_IMPORT_BATCH`]) in `folder`,
    /// each unless the folder holds one with its Message-ID already — so an import broken off
    /// and started again adds nothing twice. Answered with [`Response::MessagesImported`].
    ImportMessages { folder: String, messages: Vec<String> },
    /// Messages of `folder` matching `query`, newest first, at most `limit`. Answered with
    /// [`Response::Messages`], whose `total` counts all matches.
    Search { folder: String, query: SearchQuery, limit: u32 },
    /// Messages matching `query` in every folder of the account, newest first, `limit` from
    /// `offset` of them. Answered with [`Response::Found`].
    SearchEverywhere { query: SearchQuery, offset: u32, limit: u32 },
    /// One chunk of a file the user attaches, base64 in `data`, starting at byte `offset` of
    /// `total`. Chunks come in order; `upload` is an id the browser chose. The gateway keeps the
    /// bytes in memory for this connection only (never on disk) until sent or discarded.
    /// Answered with [`Response::Done`].
    Upload { upload: String, offset: u64, total: u64, data: String },
    /// Forgets an upload (the user removed the attachment). Answered with [`Response::Done`].
    DiscardUpload { upload: String },
    /// What the composer needs to know before sending: the server's size limit (SMTP `SIZE`)
    /// and where drafts and sent mail go. Answered with [`Response::ComposeInfo`].
    ComposeInfo,
    /// Stores `message` in the Drafts folder, replacing earlier versions with the same
    /// `message_id`. Answered with [`Response::DraftSaved`].
    SaveDraft { message: OutgoingMessage },
    /// Stores `message` as a template in the account's Templates folder (created if missing),
    /// replacing an earlier version with the same `message_id`. Answered with
    /// [`Response::DraftSaved`].
    SaveTemplate { message: OutgoingMessage },
    /// The account's templates, newest first, from its Templates folder (an empty page with
    /// no folder when it has none). Answered with [`Response::Messages`].
    ListTemplates,
    /// "Send later": checks `message` as for sending and keeps it in Drafts marked to go at
    /// `send_at` (unix seconds), where any browser with the account open finds it
    /// ([`Request::ListScheduled`]), claims it ([`Request::ClaimScheduled`]) and sends it with
    /// [`Request::Send`]. Editing the draft again unschedules it. Answered with
    /// [`Response::DraftSaved`].
    ScheduleSend { message: OutgoingMessage, send_at: i64 },
    /// The messages waiting in Drafts to be sent later. Answered with [`Response::Scheduled`].
    ListScheduled,
    /// Takes a waiting message off the schedule, for this browser to send it or because the
    /// user decided not to: true for exactly one of several browsers claiming it at once (on
    /// servers with CONDSTORE). The draft stays in Drafts. Answered with [`Response::Claimed`].
    ClaimScheduled { uid: Uid },
    /// Deletes the drafts with this Message-ID (the user discarded the message). Answered with
    /// [`Response::Done`].
    DeleteDraft { message_id: String },
    /// Send through the account's SMTP submission server, then file a copy in Sent, mark the
    /// message replied to as answered, and delete its drafts. At most once per `message_id`:
    /// a retry of a message already in Sent is answered without sending again.
    /// Answered with [`Response::Sent`].
    Send { message: OutgoingMessage },
    /// POP3 accounts: what the server holds now, by UIDL. Answered with [`Response::Pop3Listing`].
    Pop3List,
    /// POP3 accounts: these messages, parsed, for the browser to store (the gateway keeps no
    /// mail). Messages no longer on the server are left out, and a batch ends at
    /// [`MAX_POP3_FETCH`] messages or [`MAX_POP3_FETCH_BYTES`] (by the server's sizes; a bigger
    /// message comes alone): the rest is for the next request. Answered with
    /// [`Response::LocalMessages`].
    Pop3Fetch { uidls: Vec<String> },
    /// POP3 accounts: deletes these messages from the server. The browser asks only for
    /// messages it has stored durably. Answered with [`Response::Done`] once the server has
    /// carried out the deletion (after QUIT).
    Pop3Delete { uidls: Vec<String> },
    /// How much of its quota the account uses (IMAP QUOTA, RFC 9208, for the inbox's quota
    /// root). Answered with [`Response::Quota`]; `None` where the server has no quota or none
    /// applies.
    GetQuota,
    /// The name the account's mail has gone out under: the identity provider's (OAuth), else
    /// the one in the From of the newest message in Sent from the account's address. For a new
    /// identity's name. Answered with [`Response::SenderName`].
    SenderName,
    /// The browser's settings as stored on the account's IMAP server (METADATA, RFC 5464), so
    /// they follow the user to other browsers. Answered with [`Response::Settings`].
    GetSettings,
    /// Stores the browser's settings (an opaque document, at most [`MAX_SETTINGS_BYTES`]) on the
    /// account's IMAP server. Answered with [`Response::Done`], or [`ErrorKind::Refused`]
    /// when the server has no METADATA.
    SaveSettings { settings: String },
    /// The user's own choice of folder for some roles, for servers that mark none or the wrong
    /// one; roles not chosen come from the server (SPECIAL-USE) or well-known names. Holds for
    /// this sign-in only: the browser keeps the choices with its settings and sends them after
    /// each sign-in. At most [`MAX_ROLE_CHOICES`]. Answered with [`Response::Done`].
    SetFolderRoles { choices: Vec<RoleChoice> },
    /// Close this account's upstream connections and forget its credentials. Answered with
    /// [`Response::Done`].
    Logout,
    /// The account's Sieve scripts (filters, vacation reply) on its ManageSieve server, and the
    /// Sieve extensions the server runs. Answered with [`Response::SieveScripts`]; refused
    /// ([`ErrorKind::BadRequest`]) where the gateway knows no ManageSieve server for it.
    #[cfg(feature = "filters")]
    ListSieveScripts,
    /// One script's text. Answered with [`Response::SieveScript`].
    #[cfg(feature = "filters")]
    GetSieveScript { name: String },
    /// Stores a script; with `activate`, makes it the one that runs. The server checks it first
    /// and refuses one with errors ([`ErrorKind::Refused`], in its words, naming the line).
    /// Answered with [`Response::SieveStored`].
    #[cfg(feature = "filters")]
    PutSieveScript { name: String, text: String, activate: bool },
    /// Checks a script without storing it. Answered with [`Response::SieveStored`].
    #[cfg(feature = "filters")]
    CheckSieveScript { text: String },
    /// Makes `name` the script that runs; `""` makes none run. Answered with [`Response::Done`].
    #[cfg(feature = "filters")]
    ActivateSieveScript { name: String },
    /// Answered with [`Response::Done`]; servers refuse to delete the active script.
    #[cfg(feature = "filters")]
    DeleteSieveScript { name: String },
    /// Answered with [`Response::Done`].
    #[cfg(feature = "filters")]
    RenameSieveScript { name: String, to: String },
    /// The account's address books on its CardDAV server (found from the configured URL by
    /// RFC 6764 discovery where it names only the host). Answered with
    /// [`Response::AddressBooks`]; refused ([`ErrorKind::BadRequest`]) where the gateway knows no
    /// CardDAV server for the account.
    #[cfg(feature = "contacts")]
    ListAddressBooks,
    /// Makes an address book named `name` in the account's address-book home. Answered with
    /// [`Response::AddressBooks`] holding the new one.
    #[cfg(feature = "contacts")]
    CreateAddressBook { name: String },
    /// What changed in `book` since `token` (everything when `None`, or when the server no longer
    /// knows the token). Answered with [`Response::ContactChanges`].
    #[cfg(feature = "contacts")]
    SyncAddressBook { book: String, token: Option<String> },
    /// The cards at `hrefs` in `book`, at most [`contacts::MAX_CONTACTS_PER_FETCH`]; a card gone
    /// meanwhile is left out. Answered with [`Response::Contacts`].
    #[cfg(feature = "contacts")]
    GetContacts { book: String, hrefs: Vec<String> },
    /// Stores `contact`: a new card when `href` is `None`, else over the version `etag` (a card
    /// changed on the server since is refused with [`ErrorKind::Conflict`], never overwritten).
    /// `vcard`, the card as last read, keeps what Yubin does not edit. Answered with
    /// [`Response::Contacts`] holding the card as stored.
    #[cfg(feature = "contacts")]
    SaveContact {
        book: String,
        href: Option<String>,
        etag: Option<String>,
        contact: Box<Contact>,
        vcard: Option<String>,
    },
    /// Deletes the card if it is still at version `etag` ([`ErrorKind::Conflict`] if not).
    /// Answered with [`Response::Done`].
    #[cfg(feature = "contacts")]
    DeleteContact { book: String, href: String, etag: String },
    /// Stores vCards (3.0 or 4.0) as they are, each as a new card named by its UID (one is given
    /// where it has none), at most [`contacts::MAX_CONTACTS_PER_IMPORT`]. Running it again
    /// stores nothing twice. Answered with [`Response::Imported`], one outcome per card.
    #[cfg(feature = "contacts")]
    ImportContacts { book: String, cards: Vec<String> },
    /// Someone's OpenPGP public key from the keyserver the gateway's operator allows
    /// ([`Welcome::keyserver`]): `query` is an e-mail address, a fingerprint (40 or 64 hex
    /// digits) or a key ID (16), spaces allowed. Answered with [`Response::PublicKey`];
    /// [`ErrorKind::Refused`] when no keyserver is configured or the query is none of those.
    LookupKey { query: String },
}

/// The account's use of its quota: each resource the server limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// Bytes of mail, in KiB (RFC 9208 `STORAGE`: units of 1024 octets).
    pub storage: Option<QuotaUse>,
    /// Number of messages (`MESSAGE`).
    pub messages: Option<QuotaUse>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaUse {
    pub used: u64,
    pub limit: u64,
}

impl QuotaUse {
    /// How full, from 0.0; above 1.0 when over.
    pub fn share(self) -> f64 {
        if self.limit == 0 {
            0.0
        } else {
            self.used as f64 / self.limit as f64
        }
    }
}

impl Quota {
    /// The fuller of its resources.
    pub fn fullest(self) -> Option<QuotaUse> {
        [self.storage, self.messages].into_iter().flatten().max_by(|a, b| a.share().total_cmp(&b.share()))
    }
}

/// What [`Request::ListSieveScripts`] finds on the account's ManageSieve server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SieveScripts {
    /// The server's name for itself (`Dovecot Pigeonhole`, `Cyrus timsieved`…).
    pub implementation: String,
    /// The Sieve extensions its scripts may use (`fileinto`, `vacation`, `regex`…): a script
    /// written for this server uses no other.
    pub extensions: Vec<String>,
    pub scripts: Vec<SieveScriptInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SieveScriptInfo {
    pub name: String,
    /// The one script that runs on delivery.
    pub active: bool,
}

/// The most role choices [`Request::SetFolderRoles`] takes: one per role.
pub const MAX_ROLE_CHOICES: usize = 8;

/// "This folder is for that": e.g. Sent copies go to `INBOX.Gesendet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChoice {
    pub role: FolderRole,
    /// The folder's id ([`Folder::id`]).
    pub folder: String,
}

/// How the message list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SortOrder {
    pub key: SortKey,
    /// Ascending (oldest, A→Z, smallest first); descending when false, so the default order
    /// is newest first.
    #[serde(default)]
    pub ascending: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// When the server received it (cheapest: no server-side sort needed).
    #[default]
    Arrival,
    /// The `Date:` header.
    Date,
    From,
    Subject,
    Size,
    /// Conversations: one row per thread (by `References`/`In-Reply-To`), the thread with the
    /// newest message first; the row is the thread's newest message, with [`ThreadInfo`].
    Thread,
}

/// A flag the user can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagName {
    Seen,
    Flagged,
    Answered,
}

/// What to search for; all given criteria must match. Text is matched by the server,
/// case-insensitively, as a substring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Anywhere in the headers or body.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub since: Option<String>,
    /// `YYYY-MM-DD`, exclusive.
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub unread: bool,
    #[serde(default)]
    pub flagged: bool,
    /// Bigger than this many bytes.
    #[serde(default)]
    pub larger: Option<u64>,
    /// With files attached (as servers can tell: a `multipart/mixed` message).
    #[serde(default)]
    pub has_attachment: bool,
    /// The exact `Message-ID:` (finding the sent message a bounce refers to).
    #[serde(default)]
    pub message_id: Option<String>,
}

/// Gateway → browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerFrame {
    /// The first frame on every connection.
    Welcome(Welcome),
    /// The answer to the [`ClientFrame`] with the same `id`.
    Reply { id: RequestId, result: Result<Response, ApiError> },
    /// Something happened that nobody asked about (push).
    Event(Event),
}

/// Unrequested news from the gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Messages arrived in, left, or changed in `folder` — the folder last listed with
    /// [`Request::ListMessages`], which the gateway watches with IMAP IDLE.
    FolderChanged {
        #[serde(default)]
        account: AccountId,
        folder: String,
    },
    /// The identity provider replaced an OAuth account's refresh token (rotation): the one the
    /// browser keeps must be this one from now on.
    TokenRenewed { account: AccountId, refresh_token: Secret },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    pub protocol: u32,
    /// The gateway's own version, for display and bug reports.
    pub gateway: String,
    /// The mail servers this gateway may connect to.
    pub servers: Vec<ServerInfo>,
    /// The OpenPGP keyserver this gateway looks keys up on ([`Request::LookupKey`]), by its
    /// host name as users know it; `None` when its operator allows none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyserver: Option<String>,
}

/// A mail server preset from the gateway's configuration, as the browser may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub id: String,
    /// Human-readable, e.g. "Example Mail".
    pub name: String,
    pub incoming: IncomingProtocol,
    /// Appended to a user name without `@`, e.g. "example.test"; lets users type just "alice".
    #[serde(default)]
    pub domain: Option<String>,
    /// Set when this server's accounts sign in with OAuth 2.0: the sign-in button's words. The
    /// browser then opens `/oauth/start?server=<id>` instead of asking for a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingProtocol {
    Imap,
    Pop3,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    LoggedIn(Session),
    AccountTest(AccountTest),
    /// `roaming`: the server can keep settings (IMAP with METADATA); `settings`: what it holds.
    Settings {
        roaming: bool,
        settings: Option<String>,
    },
    Folders(Vec<Folder>),
    Quota(Option<Quota>),
    SenderName(Option<String>),
    Messages(MessagePage),
    Changes(FolderChanges),
    Message(Box<MessageView>),
    Sent(SentReceipt),
    ComposeInfo(ComposeInfo),
    Pop3Listing(Vec<Pop3Entry>),
    LocalMessages(Vec<LocalMessage>),
    #[cfg(feature = "filters")]
    SieveScripts(SieveScripts),
    #[cfg(feature = "filters")]
    SieveScript {
        text: String,
    },
    /// A script the server accepted, with its warnings if it had any.
    #[cfg(feature = "filters")]
    SieveStored {
        warnings: Option<String>,
    },
    #[cfg(feature = "contacts")]
    AddressBooks(Vec<AddressBook>),
    #[cfg(feature = "contacts")]
    ContactChanges(ContactChanges),
    #[cfg(feature = "contacts")]
    Contacts(Vec<ContactCard>),
    #[cfg(feature = "contacts")]
    Imported(Vec<Imported>),
    /// Where the draft now is: its folder and UID, for [`AttachmentSource::Part`] references
    /// into it (attachment `i` of the draft is section `i + 2`).
    DraftSaved {
        folder: String,
        uid: Option<Uid>,
    },
    /// Raw RFC 5322 text, decoded as UTF-8 where possible; cut at 2 MB.
    Source {
        text: String,
        truncated: bool,
    },
    /// The messages waiting to be sent later in `folder` (Drafts), soonest first.
    Scheduled {
        folder: String,
        waiting: Vec<ScheduledSend>,
    },
    Claimed(bool),
    MessagesImported(ImportReport),
    Found(FoundPage),
    /// A same-origin path such as `/download/<token>`.
    Download {
        url: String,
    },
    /// The armored public key the keyserver holds for a [`Request::LookupKey`], if it has one.
    /// The gateway passes it on unread beyond its framing: the browser checks the key.
    PublicKey {
        armored: Option<String>,
    },
    Done,
}

/// What an OAuth sign-in presents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthGrant {
    /// The gateway's sealed record of a consent just given (from `/oauth/callback`).
    Sealed(String),
    /// A refresh token this browser kept.
    Refresh(Secret),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The login name as the server accepted it (with the domain added where configured).
    pub username: String,
    /// The address to send from.
    pub email: String,
    /// How this account fetches mail. With POP3 the browser keeps the mail (see
    /// [`LocalMessage`]) and answers folder requests from its own store.
    #[serde(default = "imap")]
    pub incoming: IncomingProtocol,
    /// After an OAuth sign-in: the refresh token for signing in again (after a reconnect or a
    /// gateway restart), to be kept by the browser like a remembered password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// The account has filters and a vacation reply: its server's ManageSieve is configured
    /// (the `…SieveScript…` requests).
    #[serde(default)]
    pub filters: bool,
    /// The account has contacts: its server's CardDAV is configured (the `…Contact…` and
    /// `…AddressBook…` requests).
    #[serde(default)]
    pub contacts: bool,
}

fn imap() -> IncomingProtocol {
    IncomingProtocol::Imap
}

/// What [`Request::TestAccount`] found: each server's outcome, the server's own words on failure
/// (e.g. `535 5.7.8 authentication failed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountTest {
    pub incoming_protocol: IncomingProtocol,
    pub incoming: Result<(), ApiError>,
    pub outgoing: Result<(), ApiError>,
}

/// A message on a POP3 server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pop3Entry {
    /// The server's unique id for it (RFC 1939 UIDL), stable across sessions.
    pub uidl: String,
    pub size: u64,
}

/// A message for the browser to keep: POP3 mail, or the Sent copy of a POP3 account's message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalMessage {
    /// The POP3 UIDL, or `sent:<Message-ID>` for a sent copy: the key it is stored under, so
    /// storing it twice replaces rather than duplicates.
    pub key: String,
    /// `uid` is 0: the browser numbers its own messages.
    pub summary: MessageSummary,
    pub view: ViewJson,
    /// The raw message, decoded as UTF-8 where possible, cut at 2 MB.
    pub source: String,
    /// The attachments, by [`AttachmentInfo::section`], so they open offline.
    pub parts: Vec<LocalPart>,
}

/// A [`MessageView`] as the JSON it travels in: the browser stores it as it came, rather than
/// decoding it into Rust and encoding it again for IndexedDB (for each of the 10k messages of a
/// first POP3 sync), and decodes it when the message is opened.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ViewJson(Box<serde_json::value::RawValue>);

impl ViewJson {
    pub fn new(view: &MessageView) -> Self {
        Self(serde_json::value::to_raw_value(view).expect("a MessageView is JSON"))
    }

    pub fn as_json(&self) -> &str {
        self.0.get()
    }

    pub fn decode(&self) -> Result<MessageView, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl PartialEq for ViewJson {
    fn eq(&self, other: &Self) -> bool {
        self.as_json() == other.as_json()
    }
}

/// An attachment of a [`LocalMessage`]: its bytes, or where they are in the message's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalPart {
    pub section: String,
    /// The bytes, base64; empty when `in_source` is set.
    #[serde(default)]
    pub data: String,
    /// The byte range of the part's base64 body in [`LocalMessage::source`]: attachments are
    /// most of mail's bytes, and one already in the source is neither sent nor stored twice.
    /// Set only where [`LocalPart::bytes`] decodes exactly the part's content (the gateway
    /// checks).
    #[serde(default)]
    pub in_source: Option<(u32, u32)>,
}

impl LocalPart {
    /// The part's bytes, from `data` or from its body in `source`.
    pub fn bytes(&self, source: &str) -> Option<Vec<u8>> {
        match self.in_source {
            Some((start, end)) => decode_base64_body(source.get(start as usize..end as usize)?),
            None => decode_base64_body(&self.data),
        }
    }
}

/// Decodes a MIME base64 body: line breaks and other white space between the characters,
/// padding or none.
pub fn decode_base64_body(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT.decode(compact).ok()
}

/// A mailbox folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    /// The server's name for it, used in requests (IMAP: modified UTF-7, as sent by the server).
    pub id: String,
    /// The full path, decoded for display.
    pub name: String,
    /// The hierarchy separator, if the server has one.
    pub delimiter: Option<String>,
    pub role: Option<FolderRole>,
    /// False for folders that only hold other folders (`\Noselect`).
    pub selectable: bool,
    /// Messages in the folder, if the server said.
    #[serde(default)]
    pub total: Option<u32>,
    /// Unread messages in the folder, if the server said.
    #[serde(default)]
    pub unread: Option<u32>,
    /// Whether the user subscribed to it (folders that are not are usually hidden).
    #[serde(default)]
    pub subscribed: bool,
}

/// What a folder is for (RFC 6154 SPECIAL-USE, and INBOX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderRole {
    Inbox,
    Drafts,
    Sent,
    Trash,
    Junk,
    Archive,
    All,
    Flagged,
}

/// One window of a folder's message list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessagePage {
    pub folder: String,
    /// How many messages the folder holds.
    pub total: u32,
    /// Changes when UIDs in this folder are no longer valid (RFC 3501 UIDVALIDITY).
    pub uid_validity: Option<u32>,
    pub offset: u32,
    /// Newest first.
    pub messages: Vec<MessageSummary>,
    /// The folder's HIGHESTMODSEQ (RFC 7162) when these rows were read, on servers with
    /// CONDSTORE; the starting point of a later [`Request::SyncMessages`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modseq: Option<u64>,
}

/// The most UIDs a [`SyncPoint`] may name; a browser holding more lists again.
pub const MAX_SYNC_UIDS: usize = 5_000;

/// The state of a folder's list as the browser holds it (newest-first order, not a search).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncPoint {
    pub uid_validity: Option<u32>,
    /// From the last [`MessagePage::modseq`] or [`FolderChanges::modseq`].
    pub modseq: Option<u64>,
    /// The highest UID the browser has heard of: later ones are new.
    pub newest: Uid,
    /// The rows the browser holds, at most [`MAX_SYNC_UIDS`].
    pub uids: Vec<Uid>,
}

/// Answer to [`Request::SyncMessages`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FolderChanges {
    pub folder: String,
    /// How many messages the folder holds now.
    pub total: u32,
    pub uid_validity: Option<u32>,
    /// Where the next sync starts.
    pub modseq: Option<u64>,
    /// The browser's rows can no longer be trusted (UIDVALIDITY changed, or too much arrived):
    /// list again.
    pub reset: bool,
    /// Messages newer than [`SyncPoint::newest`], newest first.
    pub arrived: Vec<MessageSummary>,
    /// Held rows whose flags changed, with their flags now.
    pub changed: Vec<FlagUpdate>,
    /// Messages removed since the sync point: the held ones always; with QRESYNC every one
    /// the server reports, held or not (see `vanished_complete`).
    pub vanished: Vec<Uid>,
    /// `vanished` covers the whole folder, not only the held rows (QRESYNC).
    pub vanished_complete: bool,
}

/// A message's flags as they are now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FlagUpdate {
    pub uid: Uid,
    pub flags: Flags,
}

/// A row in the message list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageSummary {
    pub uid: Uid,
    pub from: Option<Address>,
    pub subject: String,
    /// The `Date:` header, or the server's arrival time if that is missing or unreadable.
    pub date: Option<Timestamp>,
    pub flags: Flags,
    /// Size in bytes as the server counts it.
    pub size: u32,
    pub has_attachments: bool,
    /// Set in the conversation view ([`SortKey::Thread`]) when the thread has more messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Box<ThreadInfo>>,
}

/// The other messages of a conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadInfo {
    /// Messages in the thread, this one included.
    pub count: u32,
    pub unread: u32,
    /// The thread's messages oldest first, this one included (at most the newest 50).
    pub messages: Vec<MessageSummary>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    pub seen: bool,
    pub answered: bool,
    pub flagged: bool,
    pub draft: bool,
    pub deleted: bool,
    /// A draft waiting to be sent later ([`Request::ScheduleSend`]): when (unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<i64>,
}

impl Flags {
    /// The flag `name` in this set.
    pub fn get_mut(&mut self, name: FlagName) -> &mut bool {
        match name {
            FlagName::Seen => &mut self.seen,
            FlagName::Flagged => &mut self.flagged,
            FlagName::Answered => &mut self.answered,
        }
    }
}

/// A decoded mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

/// A whole message, parsed by the gateway (charsets decoded, RFC 2047/2231 headers decoded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub folder: String,
    pub uid: Uid,
    pub subject: String,
    pub from: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    /// Only drafts and sent mail keep their Bcc.
    #[serde(default)]
    pub bcc: Vec<Address>,
    pub date: Option<Timestamp>,
    pub message_id: Option<String>,
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// The `References:` chain, oldest first.
    #[serde(default)]
    pub references: Vec<String>,
    pub flags: Flags,
    /// The plain-text body (converted from HTML when the message has no text part).
    pub text: String,
    /// The HTML body, sanitized by the gateway, if the message has one. Show it only in a
    /// sandboxed frame without scripts (see the browser app's reader).
    #[serde(default)]
    pub html: Option<String>,
    /// Whether `html` refers to remote images, which stay blocked until the user allows them.
    #[serde(default)]
    pub has_remote_content: bool,
    /// What the receiving server verified about the sender, and what looks deceptive.
    #[serde(default)]
    pub trust: SenderTrust,
    /// Messages attached whole (`message/rfc822`, "forward as attachment"), shown inline.
    #[serde(default)]
    pub forwarded: Vec<ForwardedMessage>,
    pub attachments: Vec<AttachmentInfo>,
    /// Set when the message is a delivery status notification (RFC 3464 bounce).
    #[serde(default)]
    pub delivery_report: Option<DeliveryReport>,
    /// A saved reply's: the message it answers (its `X-Draft-Info`), so that sending the draft
    /// later still flags that one answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replying_to: Option<MessageRef>,
    /// OpenPGP content only the browser can open: it holds the keys, the gateway never does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openpgp: Option<OpenPgpContent>,
    /// The sender's key as their mail program announced it (Autocrypt), when the header is
    /// valid and names the sender's own address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocrypt: Option<Autocrypt>,
}

/// An `Autocrypt` header (Autocrypt Level 1): an address, its owner's public key, and whether
/// they want encrypted replies by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autocrypt {
    /// Lower-case.
    pub addr: String,
    /// `prefer-encrypt=mutual`.
    #[serde(default)]
    pub prefer_encrypt: bool,
    /// The key, base64 (OpenPGP binary, not armored), without whitespace.
    pub keydata: String,
}

impl Autocrypt {
    /// The value of an `Autocrypt` or `Autocrypt-Gossip` header. The key data is cut into
    /// pieces with spaces between, which readers ignore, so a mail writer can fold the line.
    pub fn header_value(&self) -> String {
        let prefer = if self.prefer_encrypt { " prefer-encrypt=mutual;" } else { "" };
        let pieces: Vec<&str> =
            self.keydata.as_bytes().chunks(72).map(|piece| std::str::from_utf8(piece).unwrap_or("")).collect();
        format!("addr={};{prefer} keydata={}", self.addr, pieces.join(" "))
    }
}

/// The largest `keydata` read or sent: an RSA-4096 key with a few user IDs fits well.
pub const MAX_AUTOCRYPT_KEYDATA: usize = 16 * 1024;

/// The OpenPGP content of a message, as the browser's OpenPGP worker takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenPgpContent {
    /// An encrypted message: PGP/MIME (RFC 3156 `multipart/encrypted`) or an inline
    /// `-----BEGIN PGP MESSAGE-----` block in the text. The armored OpenPGP message; once
    /// decrypted, PGP/MIME gives a whole MIME entity, inline PGP the text itself.
    Encrypted { armored: String, mime: bool },
    /// A PGP/MIME signed message (`multipart/signed`): the signed part as sent (headers and
    /// body, the bytes the signature covers once its line ends are CRLF) and the armored
    /// detached signature.
    Signed { signed: String, signature: String },
    /// Cleartext-signed text in the body (`-----BEGIN PGP SIGNED MESSAGE-----`, RFC 9580
    /// section 7), the whole armored block: the text it shows and the signature over it.
    ClearSigned { armored: String },
}

/// A bounce, read from its `message/delivery-status` part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// The server that wrote the report.
    pub reporting_mta: Option<String>,
    /// The Message-ID of the message that bounced, from the returned headers, to find it in Sent.
    pub original_message_id: Option<String>,
    pub original_subject: Option<String>,
    pub recipients: Vec<RecipientStatus>,
}

/// What happened to one recipient (RFC 3464 section 2.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientStatus {
    pub recipient: String,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// The enhanced status code, e.g. `5.1.1`.
    pub status: String,
    /// The remote server's own words, e.g. `smtp; 550 5.1.1 <x@y>: User unknown`.
    pub diagnostic: Option<String>,
    pub remote_mta: Option<String>,
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardedMessage {
    pub subject: String,
    pub from: Vec<Address>,
    pub to: Vec<Address>,
    pub date: Option<Timestamp>,
    pub text: String,
}

/// The receiving server's verdicts (from its `Authentication-Results` header) and warnings
/// about deceptive senders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderTrust {
    pub spf: Option<Verdict>,
    pub dkim: Option<Verdict>,
    pub dmarc: Option<Verdict>,
    pub warnings: Vec<TrustWarning>,
}

/// An authentication result (RFC 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Softfail,
    Neutral,
    None,
    Temperror,
    Permerror,
    Policy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustWarning {
    /// The display name shows an address that is not the sender's (`"boss@corp" <x@evil>`).
    NameClaimsOtherAddress { claimed: String, actual: String },
    /// The sender's domain has non-ASCII characters that may imitate another; `ascii` is how
    /// the domain is really spelled (punycode).
    InternationalDomain { domain: String, ascii: String },
    /// Replies would go to a different domain than the sender's.
    ReplyToElsewhere { reply_to: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// Position among the message's attachments.
    pub part: u32,
    /// The IMAP section of the part (`2`, `1.3`), for [`Request::PrepareDownload`].
    #[serde(default)]
    pub section: String,
    pub filename: Option<String>,
    pub content_type: String,
    pub size: u32,
    /// A picture the HTML body shows in the text (`cid:`), carried there as a `data:` URL: a
    /// formatted reply or forward takes it along in its HTML, not as an attachment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inline: bool,
}

/// A page of [`Request::SearchEverywhere`]'s results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FoundPage {
    pub hits: Vec<FoundMessage>,
    /// Matches in all, over every folder searched.
    pub total: u32,
    /// Folders searched; a folder with more than [`MAX_FOUND_PER_FOLDER`] matches counts its
    /// newest that many.
    pub folders: u32,
}

/// A message found, and the folder it is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundMessage {
    pub folder: String,
    pub message: MessageSummary,
}

/// The most matches of one folder a [`Request::SearchEverywhere`] ranks.
pub const MAX_FOUND_PER_FOLDER: usize = 5000;

/// The most messages one [`Request::ImportMessages`] takes.
pub const MAX_IMPORT_BATCH: usize = 50;

/// What [`Request::ImportMessages`] did with a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Stored now.
    pub added: u32,
    /// Not stored: the folder has a message with the same Message-ID already.
    pub present: u32,
    /// Not stored: why, one line per message (not mail at all, refused by the server).
    pub refused: Vec<String>,
}

/// One attachment of a [`Request::PrepareZip`]: its section and its name in the zip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZipPart {
    pub section: String,
    pub filename: String,
}

/// The most messages a [`Request::PrepareMbox`] names (a whole folder names none).
pub const MAX_MBOX_UIDS: usize = 10_000;

/// The most parts one [`Request::PrepareZip`] takes.
pub const MAX_ZIP_PARTS: usize = 200;

/// A message to send or keep as a draft. Addresses are as the user typed them (`Name <a@b>` or
/// `a@b`); the gateway parses and validates them, and rejects CR/LF in any field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// `<unique@domain>`, chosen by the browser when the user starts writing and kept through
    /// drafts, retries and the outbox: it is how a retry is recognized as already sent.
    /// The gateway makes one up when it is missing.
    #[serde(default)]
    pub message_id: Option<String>,
    /// The identity to send as (`Name <a@b>`); the login address when missing. The server may
    /// refuse an address the account does not own (`553 5.7.1 ... not owned by user`).
    #[serde(default)]
    pub from: Option<String>,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    pub subject: String,
    /// The plain text. With `html` the gateway writes the text alternative from the HTML and
    /// this is not sent (a draft's text is kept for the browser's own list).
    pub text: String,
    /// Formatted mail: the HTML the editor wrote. The gateway cleans it with the reader's
    /// allow-list, carries its `data:` images as `cid:` parts of a multipart/related, drops any
    /// other image (nothing is hot-linked), and sends it beside a text/plain alternative
    /// (format=flowed) it writes from the HTML. At most [`MAX_RICH_BODY_BYTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default)]
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<OutgoingAttachment>,
    /// The message this one answers: flagged `\Answered` once sent.
    #[serde(default)]
    pub replying_to: Option<MessageRef>,
    /// Encrypted or signed in the browser (OpenPGP, RFC 3156): the body as the browser's worker
    /// made it. The gateway wraps it as PGP/MIME and sends nothing else: `text`, `html` and
    /// `attachments` must be empty (they are inside), and for encrypted mail the subject is a
    /// stand-in (the real one is inside too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openpgp: Option<OpenPgpBody>,
    /// The sender's key to announce (an `Autocrypt` header), from the browser's keys; `addr`
    /// must be the From address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocrypt: Option<Autocrypt>,
}

/// A body made by the browser's OpenPGP worker, for the gateway to send as PGP/MIME.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenPgpBody {
    /// `multipart/encrypted`: the armored OpenPGP message (a whole MIME entity inside, perhaps
    /// signed too).
    Encrypted { armored: String },
    /// `multipart/signed`: the MIME entity exactly as signed (7-bit, CRLF line ends), the
    /// armored detached signature, and the hash it used (`pgp-sha256`).
    Signed { part: String, signature: String, micalg: String },
}

/// The largest [`OutgoingMessage::html`], inline images included: what fits a WebSocket frame
/// with room for the rest of the message. Bigger images go as attachments.
pub const MAX_RICH_BODY_BYTES: usize = 3 * 1024 * 1024;

/// A message waiting in Drafts to be sent later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledSend {
    pub uid: Uid,
    /// Unix seconds.
    pub send_at: i64,
}

/// A message on the server, by folder and UID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    pub folder: String,
    pub uid: Uid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingAttachment {
    pub source: AttachmentSource,
    pub filename: String,
    /// `type/subtype`; `application/octet-stream` when unknown.
    pub content_type: String,
    /// In bytes, as shown to the user.
    #[serde(default)]
    pub size: u64,
}

/// Where an attachment's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentSource {
    /// Uploaded over this connection with [`Request::Upload`].
    Upload { upload: String },
    /// A whole message on the server, attached as `message/rfc822` (forward as attachment).
    Message { folder: String, uid: Uid },
    /// One part of a message on the server (forwarding with its attachments, or a reopened
    /// draft's attachments); `section` as in [`AttachmentInfo::section`].
    Part { folder: String, uid: Uid, section: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentReceipt {
    pub message_id: String,
    /// True when a copy with this Message-ID was in Sent already: an earlier attempt went
    /// through, and nothing was sent again.
    #[serde(default)]
    pub already_sent: bool,
    /// With `already_sent`: the earlier attempt was cut off while sending (its gateway
    /// stopped), so the message may or may not have gone out. It is not sent again — at most
    /// once — and the user should check with a recipient.
    #[serde(default)]
    pub uncertain: bool,
    /// The folder the copy was filed in, if any.
    #[serde(default)]
    pub saved_in: Option<String>,
    /// Why an IMAP account's message went out with no copy filed, so the user is told rather
    /// than believing it is in Sent. `None` when filed, or when the server files it itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_filed: Option<NotFiled>,
    /// For POP3 accounts, which have no Sent folder on the server: the copy for the browser
    /// to keep.
    #[serde(default)]
    pub local_copy: Option<Box<LocalMessage>>,
}

/// Why a sent message has no copy in Sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotFiled {
    /// The account has no Sent folder: none marked, none of a known name, none chosen.
    NoSentFolder,
    /// Filing in `folder` failed; `reason` is the server's words.
    Failed { folder: String, reason: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeInfo {
    /// The largest message the submission server accepts (its `SIZE`), in bytes.
    pub max_message_size: Option<u64>,
    /// Attachments bigger than this in total are refused by the gateway itself.
    pub max_upload_size: u64,
    pub drafts: Option<String>,
    pub sent: Option<String>,
}

/// Why a request failed: a kind the UI can act on, and the words to show the user — where a
/// server refused, its own reply (e.g. `550 5.1.1 <x@y>: Recipient address rejected: ...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// One line per item when several things failed, e.g. each refused recipient with the
    /// server's reply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), details: Vec::new() }
    }

    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The server refused the user name or password.
    AuthFailed,
    /// The server could not be reached (DNS, TCP, timeout).
    Unreachable,
    /// TLS failed: bad certificate, no STARTTLS offered, handshake error.
    Tls,
    /// The server refused the command (e.g. an SMTP 5xx for a recipient).
    Refused,
    /// The account's mailbox is full: the server refused to store (IMAP `[OVERQUOTA]`).
    OverQuota,
    /// What was to be changed changed on the server meanwhile (a contact edited elsewhere): the
    /// change was not stored, and nothing was overwritten.
    Conflict,
    /// The connection to the server broke in the middle of a command.
    ConnectionLost,
    /// The request itself is invalid (unknown server, malformed address, CR/LF in a header).
    BadRequest,
    /// A request other than `Login` before logging in.
    NotLoggedIn,
    /// The server said something the gateway could not understand.
    Protocol,
    /// A fault inside the gateway.
    Internal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_reads_from_its_bytes_or_from_its_body_in_the_source() {
        let source = "Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8s\r\nIOS4lueVjA==\r\n--b--\r\n";
        let start = source.find("SGV").unwrap() as u32;
        let end = source.find("--b--").unwrap() as u32;
        let pointed = LocalPart { section: "2".into(), data: String::new(), in_source: Some((start, end)) };
        assert_eq!(pointed.bytes(source).unwrap(), "Hello, 世界".as_bytes());
        let carried = LocalPart { section: "2".into(), data: "SGVsbG8sIOS4lueVjA".into(), in_source: None };
        assert_eq!(carried.bytes("").unwrap(), "Hello, 世界".as_bytes(), "unpadded too");
        let outside = LocalPart { in_source: Some((start, 10_000)), ..pointed };
        assert_eq!(outside.bytes(source), None);
        assert_eq!(decode_base64_body("not*base64"), None);
    }

    #[test]
    fn client_frame_json_shape_is_stable() {
        let frame = ClientFrame { id: 7, account: 2, request: Request::GetMessage { folder: "INBOX".into(), uid: 42 } };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(json, r#"{"id":7,"account":2,"request":{"get_message":{"folder":"INBOX","uid":42}}}"#);
        // A frame without an account is for account 0.
        let bare: ClientFrame = serde_json::from_str(r#"{"id":1,"request":"list_folders"}"#).unwrap();
        assert_eq!(bare.account, 0);
        let unit = serde_json::to_string(&Request::ListFolders).unwrap();
        assert_eq!(unit, r#""list_folders""#);
    }

    #[test]
    fn reply_round_trips_errors() {
        let frame =
            ServerFrame::Reply { id: 3, result: Err(ApiError::new(ErrorKind::Refused, "550 5.1.1 no such user")) };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            json,
            r#"{"reply":{"id":3,"result":{"Err":{"kind":"refused","message":"550 5.1.1 no such user"}}}}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&json).unwrap(), frame);
    }

    #[test]
    fn secrets_are_plain_on_the_wire_and_hidden_in_debug() {
        let login = Request::Login { server: "demo".into(), username: "alice".into(), password: "hunter2".into() };
        assert!(serde_json::to_string(&login).unwrap().contains(r#""password":"hunter2""#));
        assert!(!format!("{login:?}").contains("hunter2"));
    }

    #[test]
    fn optional_fields_may_be_missing() {
        let msg: OutgoingMessage = serde_json::from_str(r#"{"to":["a@b.test"],"subject":"s","text":"t"}"#).unwrap();
        assert!(msg.cc.is_empty() && msg.bcc.is_empty());
    }

    #[test]
    fn a_page_from_a_server_without_condstore_has_no_modseq() {
        let page: MessagePage =
            serde_json::from_str(r#"{"folder":"INBOX","total":0,"uid_validity":1,"offset":0,"messages":[]}"#).unwrap();
        assert_eq!(page.modseq, None);
        let sync = Request::SyncMessages {
            folder: "INBOX".into(),
            since: SyncPoint { uid_validity: Some(1), modseq: Some(9), newest: 5, uids: vec![4, 5] },
        };
        assert_eq!(
            serde_json::to_string(&sync).unwrap(),
            r#"{"sync_messages":{"folder":"INBOX","since":{"uid_validity":1,"modseq":9,"newest":5,"uids":[4,5]}}}"#
        );
    }
}
