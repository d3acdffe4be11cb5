//! What each request does, by concern: a module per kind of work, one line per request here.
//!
//! Handlers take the signed-in account ([`crate::account`]) and the shared state
//! ([`Gateway`]); they never reach the socket ([`crate::session`]), which sits above them.

pub mod at_most_once;
pub mod contacts;
pub mod mailbox;
pub mod outgoing;
pub mod pop3;
pub mod public_keys;
pub mod settings;
pub mod sieve;
pub mod sign_in;
pub mod transfer;

use yubin_protocol::{ApiError, Request, Response};

use crate::account::AccountSession;
use crate::gateway::Gateway;
use crate::metrics::METRICS;

/// Carries out a request of a signed-in account. (Signing in and out add and remove accounts:
/// the session routes those itself.)
pub async fn handle(gateway: &Gateway, state: &AccountSession, request: Request) -> Result<Response, ApiError> {
    use Response::Done;
    let done = |()| Done;
    match request {
        Request::Login { .. } | Request::LoginOAuth { .. } | Request::TestAccount { .. } | Request::Logout => {
            unreachable!("routed before an account is chosen")
        }
        Request::ListFolders => mailbox::list_folders(state).await.map(Response::Folders),
        Request::GetQuota => mailbox::quota(state).await.map(Response::Quota),
        Request::SenderName => mailbox::sender_name(state).await.map(Response::SenderName),
        Request::SetFolderRoles { choices } => mailbox::set_folder_roles(state, choices).map(done),
        Request::ListMessages { folder, offset, limit, sort } => {
            mailbox::list_messages(state, folder, offset, limit, sort).await.map(Response::Messages)
        }
        Request::SyncMessages { folder, since } => {
            mailbox::sync_messages(state, folder, since).await.map(Response::Changes)
        }
        Request::GetMessage { folder, uid } => {
            mailbox::get_message(state, folder, uid).await.map(|m| Response::Message(Box::new(m)))
        }
        Request::SetFlag { folder, uids, flag, value } => {
            mailbox::set_flag(state, folder, uids, flag, value).await.map(done)
        }
        Request::Move { folder, uids, to } => mailbox::move_messages(state, folder, uids, to).await.map(done),
        Request::GetSource { folder, uid } => {
            mailbox::get_source(state, folder, uid).await.map(|(text, truncated)| Response::Source { text, truncated })
        }
        Request::CreateFolder { name } => mailbox::create_folder(state, name).await.map(done),
        Request::RenameFolder { folder, to } => mailbox::rename_folder(state, folder, to).await.map(done),
        Request::DeleteFolder { folder } => mailbox::delete_folder(state, folder).await.map(done),
        Request::Subscribe { folder, subscribed } => mailbox::subscribe(state, folder, subscribed).await.map(done),
        Request::MarkFolderRead { folder } => mailbox::mark_folder_read(state, folder).await.map(done),
        Request::EmptyFolder { folder } => mailbox::empty_folder(state, folder).await.map(done),
        Request::Expunge { folder, uids } => mailbox::expunge(state, folder, uids).await.map(done),
        Request::Search { folder, query, limit } => {
            mailbox::search(state, folder, query, limit).await.map(Response::Messages)
        }
        Request::SearchEverywhere { query, offset, limit } => {
            mailbox::search_everywhere(state, query, offset, limit).await.map(Response::Found)
        }
        Request::PrepareDownload { folder, uid, section, filename } => {
            transfer::prepare_download(gateway, state, folder, uid, section, filename)
                .await
                .map(|url| Response::Download { url })
        }
        Request::PreparePreview { folder, uid, section } => {
            transfer::prepare_preview(gateway, state, folder, uid, section).await.map(|url| Response::Download { url })
        }
        Request::PrepareZip { folder, uid, parts, filename } => {
            transfer::prepare_zip(gateway, state, folder, uid, parts, filename)
                .await
                .map(|url| Response::Download { url })
        }
        Request::PrepareMbox { folder, uids, filename } => {
            transfer::prepare_mbox(gateway, state, folder, uids, filename).await.map(|url| Response::Download { url })
        }
        Request::ImportMessages { folder, messages } => {
            mailbox::import_messages(state, folder, messages).await.map(Response::MessagesImported)
        }
        Request::Upload { upload, offset, total, data } => {
            transfer::upload(state, upload, offset, total, data).await.map(done)
        }
        Request::DiscardUpload { upload } => {
            transfer::discard_upload(state, &upload);
            Ok(Done)
        }
        Request::ComposeInfo => outgoing::compose_info(state).await,
        Request::SaveDraft { message } => outgoing::save_draft(state, message).await,
        Request::SaveTemplate { message } => outgoing::save_template(state, message).await,
        Request::ListTemplates => outgoing::list_templates(state).await,
        Request::ScheduleSend { message, send_at } => outgoing::schedule_send(state, message, send_at).await,
        Request::ListScheduled => outgoing::list_scheduled(state).await,
        Request::ClaimScheduled { uid } => outgoing::claim_scheduled(state, uid).await,
        Request::DeleteDraft { message_id } => outgoing::delete_drafts(state, &message_id).await.map(done),
        Request::Send { message } => {
            let started = std::time::Instant::now();
            let result = outgoing::send(state, message).await;
            if result.is_ok() {
                METRICS.send_took(started.elapsed());
            }
            result
        }
        Request::GetSettings => {
            settings::get(state).await.map(|(roaming, settings)| Response::Settings { roaming, settings })
        }
        Request::SaveSettings { settings } => settings::save(state, settings).await.map(done),
        Request::Pop3List => pop3::list(state).await,
        Request::Pop3Fetch { uidls } => pop3::fetch(state, &uidls).await,
        Request::Pop3Delete { uidls } => pop3::delete(state, &uidls).await,
        Request::ListSieveScripts => sieve::list(state).await.map(Response::SieveScripts),
        Request::GetSieveScript { name } => sieve::get(state, &name).await.map(|text| Response::SieveScript { text }),
        Request::PutSieveScript { name, text, activate } => {
            sieve::put(state, &name, &text, activate).await.map(|warnings| Response::SieveStored { warnings })
        }
        Request::CheckSieveScript { text } => {
            sieve::check(state, &text).await.map(|warnings| Response::SieveStored { warnings })
        }
        Request::ActivateSieveScript { name } => sieve::activate(state, &name).await.map(done),
        Request::DeleteSieveScript { name } => sieve::delete(state, &name).await.map(done),
        Request::RenameSieveScript { name, to } => sieve::rename(state, &name, &to).await.map(done),
        Request::ListAddressBooks => contacts::list_books(state).await.map(Response::AddressBooks),
        Request::CreateAddressBook { name } => contacts::create_book(state, name).await.map(Response::AddressBooks),
        Request::SyncAddressBook { book, token } => {
            contacts::sync(state, book, token).await.map(Response::ContactChanges)
        }
        Request::GetContacts { book, hrefs } => contacts::get(state, book, hrefs).await.map(Response::Contacts),
        Request::SaveContact { book, href, etag, contact, vcard } => {
            contacts::save(state, book, href, etag, *contact, vcard).await.map(Response::Contacts)
        }
        Request::DeleteContact { book, href, etag } => contacts::delete(state, book, href, etag).await.map(done),
        Request::ImportContacts { book, cards } => contacts::import(state, book, cards).await.map(Response::Imported),
        Request::LookupKey { query } => public_keys::lookup(gateway.keyserver.as_ref(), state, &query)
            .await
            .map(|armored| Response::PublicKey { armored }),
    }
}
