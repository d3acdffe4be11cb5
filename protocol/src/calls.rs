//! Each request as a type of its own, with the reply it is answered with, so a caller gets
//! that reply or an error and never has to handle "some other response" (as mini-redis has a
//! type per command). The wire is unchanged: a call becomes the [`Request`] of the same name,
//! and its reply is read out of the [`Response`] the gateway sends.
//!
//! `connection.call(calls::ListFolders {})` answers `Result<Vec<Folder>, ApiError>`.

use crate::{
    AccountTest, FlagName, Folder, FolderChanges, LocalMessage, MessagePage, MessageView, OAuthGrant, OutgoingMessage,
    Pop3Entry, Request, Response, RoleChoice, SearchQuery, Secret, SentReceipt, Session, SortOrder, SyncPoint, Uid,
};

/// A request and the one shape of reply it gets.
pub trait Call: Into<Request> {
    type Reply;
    /// The reply carried by `response`; `None` if the gateway answered with another shape
    /// (a bug on one side, reported to the caller as a protocol error).
    fn reply(response: Response) -> Option<Self::Reply>;
}

macro_rules! calls {
    ($(
        $(#[$doc:meta])*
        $name:ident { $($field:ident : $ty:ty),* $(,)? } -> $reply:ty { $pattern:pat => $out:expr }
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $(pub $field: $ty),* }

        impl From<$name> for Request {
            fn from(call: $name) -> Request {
                let $name { $($field),* } = call;
                Request::$name { $($field),* }
            }
        }

        impl Call for $name {
            type Reply = $reply;
            fn reply(response: Response) -> Option<$reply> {
                match response {
                    $pattern => Some($out),
                    _ => None,
                }
            }
        }
    )*};
}

calls! {
    /// Signs an account in.
    Login { server: String, username: String, password: Secret } -> Session { Response::LoggedIn(s) => s }
    /// Signs in with an OAuth grant.
    LoginOAuth { server: String, username: Option<String>, grant: OAuthGrant } -> Session { Response::LoggedIn(s) => s }
    /// Tries an account's servers without signing in.
    TestAccount { server: String, username: String, password: Secret } -> AccountTest {
        Response::AccountTest(t) => t
    }
    ListFolders {} -> Vec<Folder> { Response::Folders(f) => f }
    ListMessages { folder: String, offset: u32, limit: u32, sort: SortOrder } -> MessagePage {
        Response::Messages(p) => p
    }
    SyncMessages { folder: String, since: SyncPoint } -> FolderChanges { Response::Changes(c) => c }
    GetMessage { folder: String, uid: Uid } -> MessageView { Response::Message(m) => *m }
    SetFlag { folder: String, uids: Vec<Uid>, flag: FlagName, value: bool } -> () { Response::Done => () }
    Move { folder: String, uids: Vec<Uid>, to: String } -> () { Response::Done => () }
    /// The raw message (decoded as UTF-8 where possible) and whether it was cut.
    GetSource { folder: String, uid: Uid } -> (String, bool) {
        Response::Source { text, truncated } => (text, truncated)
    }
    CreateFolder { name: String } -> () { Response::Done => () }
    RenameFolder { folder: String, to: String } -> () { Response::Done => () }
    DeleteFolder { folder: String } -> () { Response::Done => () }
    Subscribe { folder: String, subscribed: bool } -> () { Response::Done => () }
    MarkFolderRead { folder: String } -> () { Response::Done => () }
    EmptyFolder { folder: String } -> () { Response::Done => () }
    Expunge { folder: String, uids: Vec<Uid> } -> () { Response::Done => () }
    /// The one-time URL of a download.
    PrepareDownload { folder: String, uid: Uid, section: String, filename: String } -> String {
        Response::Download { url } => url
    }
    /// The URL that shows an attachment (see [`crate::preview`]).
    PreparePreview { folder: String, uid: Uid, section: String } -> String { Response::Download { url } => url }
    /// The one-time URL of a zip of `parts`.
    PrepareZip { folder: String, uid: Uid, parts: Vec<crate::ZipPart>, filename: String } -> String {
        Response::Download { url } => url
    }
    SearchEverywhere { query: SearchQuery, offset: u32, limit: u32 } -> crate::FoundPage { Response::Found(p) => p }
    /// The one-time URL of an mbox of `folder` (`uids`, or all).
    PrepareMbox { folder: String, uids: Vec<Uid>, filename: String } -> String { Response::Download { url } => url }
    ImportMessages { folder: String, messages: Vec<String> } -> crate::ImportReport {
        Response::MessagesImported(report) => report
    }
    Search { folder: String, query: SearchQuery, limit: u32 } -> MessagePage { Response::Messages(p) => p }
    Upload { upload: String, offset: u64, total: u64, data: String } -> () { Response::Done => () }
    DiscardUpload { upload: String } -> () { Response::Done => () }
    ComposeInfo {} -> crate::ComposeInfo { Response::ComposeInfo(i) => i }
    /// Where the draft was saved, and its UID there if the server said.
    SaveDraft { message: OutgoingMessage } -> (String, Option<Uid>) {
        Response::DraftSaved { folder, uid } => (folder, uid)
    }
    /// Where the template was saved, and its UID there if the server said.
    SaveTemplate { message: OutgoingMessage } -> (String, Option<Uid>) {
        Response::DraftSaved { folder, uid } => (folder, uid)
    }
    ListTemplates {} -> MessagePage { Response::Messages(p) => p }
    /// Where the waiting message was saved, and its UID there if the server said.
    ScheduleSend { message: OutgoingMessage, send_at: i64 } -> (String, Option<Uid>) {
        Response::DraftSaved { folder, uid } => (folder, uid)
    }
    /// The Drafts folder and the messages waiting there.
    ListScheduled {} -> (String, Vec<crate::ScheduledSend>) {
        Response::Scheduled { folder, waiting } => (folder, waiting)
    }
    ClaimScheduled { uid: Uid } -> bool { Response::Claimed(claimed) => claimed }
    DeleteDraft { message_id: String } -> () { Response::Done => () }
    Send { message: OutgoingMessage } -> SentReceipt { Response::Sent(r) => r }
    Pop3List {} -> Vec<Pop3Entry> { Response::Pop3Listing(l) => l }
    Pop3Fetch { uidls: Vec<String> } -> Vec<LocalMessage> { Response::LocalMessages(m) => m }
    Pop3Delete { uidls: Vec<String> } -> () { Response::Done => () }
    /// Whether the server keeps settings (roams), and what it keeps.
    GetQuota {} -> Option<crate::Quota> { Response::Quota(quota) => quota }
    SenderName {} -> Option<String> { Response::SenderName(name) => name }
    GetSettings {} -> (bool, Option<String>) { Response::Settings { roaming, settings } => (roaming, settings) }
    SaveSettings { settings: String } -> () { Response::Done => () }
    SetFolderRoles { choices: Vec<RoleChoice> } -> () { Response::Done => () }
    Logout {} -> () { Response::Done => () }
}

// The modules' own requests: see the `filters` and `contacts` features.
calls! {
    /// Someone's public key from the allow-listed keyserver, armored, if it has one.
    LookupKey { query: String } -> Option<String> { Response::PublicKey { armored } => armored }
}

#[cfg(feature = "filters")]
calls! {
    ListSieveScripts {} -> crate::SieveScripts { Response::SieveScripts(s) => s }
    GetSieveScript { name: String } -> String { Response::SieveScript { text } => text }
    /// The server's warnings, if it had any.
    PutSieveScript { name: String, text: String, activate: bool } -> Option<String> {
        Response::SieveStored { warnings } => warnings
    }
    CheckSieveScript { text: String } -> Option<String> { Response::SieveStored { warnings } => warnings }
    ActivateSieveScript { name: String } -> () { Response::Done => () }
    DeleteSieveScript { name: String } -> () { Response::Done => () }
    RenameSieveScript { name: String, to: String } -> () { Response::Done => () }
}

#[cfg(feature = "contacts")]
calls! {
    ListAddressBooks {} -> Vec<crate::AddressBook> { Response::AddressBooks(books) => books }
    /// The new book.
    CreateAddressBook { name: String } -> Vec<crate::AddressBook> { Response::AddressBooks(books) => books }
    SyncAddressBook { book: String, token: Option<String> } -> crate::ContactChanges {
        Response::ContactChanges(changes) => changes
    }
    GetContacts { book: String, hrefs: Vec<String> } -> Vec<crate::ContactCard> { Response::Contacts(cards) => cards }
    /// The card as stored (first of the list).
    SaveContact {
        book: String,
        href: Option<String>,
        etag: Option<String>,
        contact: Box<crate::Contact>,
        vcard: Option<String>,
    } -> Vec<crate::ContactCard> { Response::Contacts(cards) => cards }
    DeleteContact { book: String, href: String, etag: String } -> () { Response::Done => () }
    ImportContacts { book: String, cards: Vec<String> } -> Vec<crate::Imported> { Response::Imported(outcomes) => outcomes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_its_request_on_the_wire_and_reads_its_reply() {
        let call = ListMessages { folder: "INBOX".into(), offset: 0, limit: 50, sort: SortOrder::default() };
        let request: Request = call.clone().into();
        let expected =
            Request::ListMessages { folder: "INBOX".into(), offset: 0, limit: 50, sort: SortOrder::default() };
        assert_eq!(serde_json::to_string(&request).unwrap(), serde_json::to_string(&expected).unwrap());
        assert_eq!(serde_json::to_string(&Request::from(ListFolders {})).unwrap(), r#""list_folders""#);
        assert_eq!(SetFlag::reply(Response::Done), Some(()));
        assert_eq!(ListFolders::reply(Response::Done), None, "another shape is no reply");
        let info = ComposeInfo::reply(Response::ComposeInfo(crate::ComposeInfo::default()));
        assert_eq!(info, Some(crate::ComposeInfo::default()));
    }
}
