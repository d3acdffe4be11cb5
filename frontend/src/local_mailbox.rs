//! A POP3 account's mailbox, kept in the browser (IndexedDB): the gateway holds no mail, and a
//! POP3 server has no folders or flags, so folders, read/unread, stars and deletions live here.
//!
//! It answers the same requests the gateway answers for IMAP accounts ([`LocalMailbox::handle`]),
//! so the rest of the app does not care where a folder lives. Messages are stored under their
//! POP3 UIDL: storing one twice (a sync interrupted and repeated) replaces it, never duplicates
//! it. A message counts as kept only once its IndexedDB transaction has completed, which is what
//! [`LocalMailbox::store`] waits for before it returns.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use yubin_protocol::{
    ApiError, ErrorKind, Folder, FolderRole, LocalMessage, LocalPart, MessagePage, MessageSummary, MessageView,
    Request, Response, SortKey, SortOrder, Uid,
};

/// The folders every local mailbox has, with their roles.
const STANDARD: [(&str, FolderRole); 6] = [
    ("INBOX", FolderRole::Inbox),
    ("Drafts", FolderRole::Drafts),
    ("Sent", FolderRole::Sent),
    ("Archive", FolderRole::Archive),
    ("Junk", FolderRole::Junk),
    ("Trash", FolderRole::Trash),
];

/// One stored message, as the list needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: String,
    uid: Uid,
    folder: String,
    summary: MessageSummary,
    /// When it was downloaded (ms since the epoch), for "delete from the server after N days".
    downloaded: f64,
}

/// What is not per message: folder names, the next UID, and POP3 messages deleted here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    next_uid: Uid,
    folders: Vec<String>,
    /// UIDLs of POP3 messages deleted in the browser: never downloaded again, and deleted from
    /// the server when the account says so.
    deleted: Vec<String>,
}

struct Inner {
    entries: BTreeMap<Uid, Entry>,
    state: State,
}

/// A cheap handle; clones share the mailbox. The in-memory list is never borrowed across an
/// `await`: another request may run meanwhile.
#[derive(Clone)]
pub struct LocalMailbox {
    db: Rc<Rexie>,
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for LocalMailbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Internal, format!("browser storage: {e}"))
}

impl LocalMailbox {
    /// Opens (or creates) the mailbox of `account` and loads its list into memory.
    pub async fn open(account: &str) -> Result<Self, ApiError> {
        let db = Rexie::builder(&format!("yubin-mail-{account}"))
            .version(1)
            .add_object_store(ObjectStore::new("entries").key_path("key"))
            .add_object_store(ObjectStore::new("bodies").key_path("key"))
            .add_object_store(ObjectStore::new("state").key_path("name"))
            .build()
            .await
            .map_err(storage_error)?;
        let (entries, state) = {
            let tx = db.transaction(&["entries", "state"], TransactionMode::ReadOnly).map_err(storage_error)?;
            let rows = tx.store("entries").map_err(storage_error)?.get_all(None, None).await.map_err(storage_error)?;
            let state = tx
                .store("state")
                .map_err(storage_error)?
                .get(JsValue::from_str("state"))
                .await
                .map_err(storage_error)?;
            let entries: BTreeMap<Uid, Entry> = rows
                .iter()
                .filter_map(|row| serde_json::from_str::<Entry>(&get(row, "json").as_string()?).ok())
                .map(|e| (e.uid, e))
                .collect();
            let state: State =
                state.and_then(|s| serde_json::from_str(&get(&s, "json").as_string()?).ok()).unwrap_or_default();
            (entries, state)
        };
        let mut state = state;
        state.next_uid = state.next_uid.max(entries.keys().next_back().map_or(1, |u| u + 1));
        Ok(Self { db: Rc::new(db), inner: Rc::new(RefCell::new(Inner { entries, state })) })
    }

    /// The keys the mailbox has, for a sync to compare with the server's listing.
    pub fn known_keys(&self) -> HashSet<String> {
        let inner = self.inner.borrow();
        inner.entries.values().map(|e| e.key.clone()).chain(inner.state.deleted.iter().cloned()).collect()
    }

    /// POP3 messages downloaded before `before` (ms since the epoch), still in the mailbox.
    pub fn downloaded_before(&self, before: f64) -> Vec<String> {
        let inner = self.inner.borrow();
        inner
            .entries
            .values()
            .filter(|e| e.downloaded < before && !e.key.starts_with("sent:"))
            .map(|e| e.key.clone())
            .collect()
    }

    /// UIDLs of messages deleted here.
    pub fn deleted_here(&self) -> Vec<String> {
        self.inner.borrow().state.deleted.clone()
    }

    /// Forgets deletions the server no longer has a message for.
    pub async fn forget_deleted(&self, still_on_server: &HashSet<String>) -> Result<(), ApiError> {
        self.inner.borrow_mut().state.deleted.retain(|d| still_on_server.contains(d));
        self.save_state().await
    }

    /// Stores `messages` in `folder` and returns once the browser has them durably. A key
    /// stored before keeps its UID, folder and flags; only its content is written again.
    pub async fn store(&self, messages: Vec<LocalMessage>, folder: &str) -> Result<(), ApiError> {
        let now = js_sys::Date::now();
        let (db_entries, bodies) = {
            let mut inner = self.inner.borrow_mut();
            let mut entries = Vec::new();
            let mut bodies = Vec::new();
            // One pass over what is kept, not one per message (10k messages meant 50M compares).
            let keys: HashSet<&str> = messages.iter().map(|m| m.key.as_str()).collect();
            let mut kept: HashMap<String, Entry> = inner
                .entries
                .values()
                .filter(|e| keys.contains(e.key.as_str()))
                .map(|e| (e.key.clone(), e.clone()))
                .collect();
            for message in messages {
                let existing = kept.remove(&message.key);
                let entry = match existing {
                    Some(entry) => entry,
                    None => {
                        let uid = inner.state.next_uid;
                        inner.state.next_uid += 1;
                        Entry {
                            key: message.key.clone(),
                            uid,
                            folder: folder.to_owned(),
                            summary: MessageSummary { uid, ..message.summary.clone() },
                            downloaded: now,
                        }
                    }
                };
                bodies.push(body_record(&message)?);
                entries.push(entry);
            }
            (entries, bodies)
        };
        let state = self.inner.borrow().state.clone();
        {
            let tx = self
                .db
                .transaction(&["entries", "bodies", "state"], TransactionMode::ReadWrite)
                .map_err(storage_error)?;
            // All writes are asked for at once (`put_all`): one after the other, each waited
            // for its own round trip to the browser's storage. A failed one fails the
            // transaction, which `done` reports.
            let records = db_entries.iter().map(entry_record).collect::<Result<Vec<_>, _>>()?;
            let entry_store = tx.store("entries").map_err(storage_error)?;
            entry_store.put_all(records.into_iter().map(|r| (r, None))).await.map_err(storage_error)?;
            let body_store = tx.store("bodies").map_err(storage_error)?;
            body_store.put_all(bodies.into_iter().map(|b| (b, None))).await.map_err(storage_error)?;
            tx.store("state").map_err(storage_error)?.put(&state_record(&state)?, None).await.map_err(storage_error)?;
            // Only a completed transaction is durable: the caller may delete from the server now.
            tx.done().await.map_err(storage_error)?;
        }
        let mut inner = self.inner.borrow_mut();
        for entry in db_entries {
            inner.entries.insert(entry.uid, entry);
        }
        Ok(())
    }

    /// Answers a folder or message request as the gateway would for an IMAP account.
    pub async fn handle(&self, request: Request) -> Result<Response, ApiError> {
        match request {
            Request::ListFolders => Ok(Response::Folders(self.folders())),
            Request::ListMessages { folder, offset, limit, sort } => {
                Ok(Response::Messages(self.page(&folder, offset, limit, sort, |_| true)))
            }
            Request::Search { folder, query, limit } => {
                let needle = [&query.text, &query.from, &query.subject, &query.to]
                    .into_iter()
                    .flatten()
                    .map(|t| t.to_lowercase())
                    .collect::<Vec<_>>();
                let message_id = query.message_id.clone();
                let mut page = self.page(&folder, 0, limit, SortOrder::default(), |e| {
                    let haystack = format!(
                        "{} {} {}",
                        e.summary.subject,
                        e.summary.from.as_ref().map(|a| a.email.as_str()).unwrap_or_default(),
                        e.summary.from.as_ref().and_then(|a| a.name.as_deref()).unwrap_or_default()
                    )
                    .to_lowercase();
                    needle.iter().all(|n| haystack.contains(n.as_str()))
                        && (!query.unread || !e.summary.flags.seen)
                        && (!query.flagged || e.summary.flags.flagged)
                        && (!query.has_attachment || e.summary.has_attachments)
                        && query.larger.is_none_or(|bytes| u64::from(e.summary.size) > bytes)
                        && message_id.as_ref().is_none_or(|id| e.key == format!("sent:{id}"))
                });
                page.total = page.messages.len() as u32;
                Ok(Response::Messages(page))
            }
            Request::GetMessage { uid, .. } => {
                let mut view = self.view(uid).await?;
                view.flags.seen = true;
                self.change(&[uid], |e| e.summary.flags.seen = true).await?;
                Ok(Response::Message(Box::new(view)))
            }
            Request::GetSource { uid, .. } => {
                let body = self.body(uid).await?;
                Ok(Response::Source { text: get(&body, "source").as_string().unwrap_or_default(), truncated: false })
            }
            Request::SetFlag { uids, flag, value, .. } => {
                self.change(&uids, |e| *e.summary.flags.get_mut(flag) = value).await.map(|()| Response::Done)
            }
            Request::MarkFolderRead { folder } => {
                let uids = self.uids_in(&folder);
                self.change(&uids, |e| e.summary.flags.seen = true).await.map(|()| Response::Done)
            }
            Request::Move { uids, to, .. } => {
                self.change(&uids, |e| e.folder = to.clone()).await.map(|()| Response::Done)
            }
            Request::Expunge { uids, .. } => self.remove(&uids).await.map(|()| Response::Done),
            Request::EmptyFolder { folder } => {
                let uids = self.uids_in(&folder);
                self.remove(&uids).await.map(|()| Response::Done)
            }
            Request::CreateFolder { name } => {
                let name = name.trim().to_owned();
                if name.is_empty() || self.folders().iter().any(|f| f.id == name) {
                    return Err(ApiError::new(ErrorKind::BadRequest, format!("cannot create folder “{name}”")));
                }
                self.inner.borrow_mut().state.folders.push(name);
                self.save_state().await.map(|()| Response::Done)
            }
            Request::RenameFolder { folder, to } => {
                if STANDARD.iter().any(|(id, _)| *id == folder) {
                    return Err(ApiError::new(ErrorKind::BadRequest, "standard folders cannot be renamed"));
                }
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.state.folders.iter_mut().filter(|f| **f == folder).for_each(|f| *f = to.clone());
                }
                let uids = self.uids_in(&folder);
                self.change(&uids, |e| e.folder = to.clone()).await?;
                self.save_state().await.map(|()| Response::Done)
            }
            Request::DeleteFolder { folder } => {
                if STANDARD.iter().any(|(id, _)| *id == folder) {
                    return Err(ApiError::new(ErrorKind::BadRequest, "standard folders cannot be deleted"));
                }
                let uids = self.uids_in(&folder);
                self.remove(&uids).await?;
                self.inner.borrow_mut().state.folders.retain(|f| *f != folder);
                self.save_state().await.map(|()| Response::Done)
            }
            Request::Subscribe { .. } => Ok(Response::Done),
            Request::PrepareDownload { uid, section, .. } => {
                let body = self.body(uid).await?;
                let blob = part_blob(&body, &section)
                    .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, "no such attachment"))?;
                let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| storage_error("no URL"))?;
                Ok(Response::Download { url })
            }
            Request::PreparePreview { uid, section, .. } => {
                let view = self.view(uid).await?;
                let shown = view
                    .attachments
                    .iter()
                    .find(|a| a.section == section)
                    .and_then(|a| yubin_protocol::preview::preview(&a.content_type, a.filename.as_deref()));
                let Some(shown) = shown else {
                    return Err(ApiError::new(ErrorKind::BadRequest, "this attachment cannot be shown here"));
                };
                let body = self.body(uid).await?;
                let bytes = part_blob(&body, &section)
                    .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, "no such attachment"))?;
                // The same harmless types the gateway serves; a text part was kept decoded to
                // UTF-8 (as mail-parser reads text), which is what the gateway serves too.
                let options = web_sys::BlobPropertyBag::new();
                options.set_type(shown.served_as);
                let blob = web_sys::Blob::new_with_blob_sequence_and_options(&js_sys::Array::of1(&bytes), &options)
                    .map_err(|_| storage_error("no blob"))?;
                let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| storage_error("no URL"))?;
                Ok(Response::Download { url })
            }
            _ => Err(ApiError::new(ErrorKind::BadRequest, "not a request for a local mailbox")),
        }
    }

    fn folders(&self) -> Vec<Folder> {
        let inner = self.inner.borrow();
        let count = |id: &str| {
            let in_folder = inner.entries.values().filter(|e| e.folder == id);
            let (total, unread) = in_folder.fold((0, 0), |(t, u), e| (t + 1, u + u32::from(!e.summary.flags.seen)));
            (Some(total), Some(unread))
        };
        let standard = STANDARD.iter().map(|(id, role)| (id.to_string(), Some(*role)));
        let custom = inner.state.folders.iter().map(|id| (id.clone(), None));
        standard
            .chain(custom)
            .map(|(id, role)| {
                let (total, unread) = count(&id);
                Folder {
                    name: if id == "INBOX" { "Inbox".into() } else { id.clone() },
                    id,
                    delimiter: Some("/".into()),
                    role,
                    selectable: true,
                    total,
                    unread,
                    subscribed: true,
                }
            })
            .collect()
    }

    fn page(
        &self,
        folder: &str,
        offset: u32,
        limit: u32,
        sort: SortOrder,
        keep: impl Fn(&Entry) -> bool,
    ) -> MessagePage {
        let inner = self.inner.borrow();
        let mut rows: Vec<&Entry> = inner.entries.values().filter(|e| e.folder == folder && keep(e)).collect();
        // One key per row, computed once (not per comparison), and one sort for every order.
        rows.sort_by_cached_key(|e| sort_value(sort.key, &e.summary));
        if !sort.ascending {
            rows.reverse();
        }
        let total = rows.len() as u32;
        let messages = rows.into_iter().skip(offset as usize).take(limit as usize).map(|e| e.summary.clone()).collect();
        MessagePage { folder: folder.to_owned(), total, uid_validity: Some(1), offset, messages, modseq: None }
    }

    fn uids_in(&self, folder: &str) -> Vec<Uid> {
        self.inner.borrow().entries.values().filter(|e| e.folder == folder).map(|e| e.uid).collect()
    }

    async fn body(&self, uid: Uid) -> Result<JsValue, ApiError> {
        let key = self
            .inner
            .borrow()
            .entries
            .get(&uid)
            .map(|e| e.key.clone())
            .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("no message {uid} here")))?;
        let tx = self.db.transaction(&["bodies"], TransactionMode::ReadOnly).map_err(storage_error)?;
        let body =
            tx.store("bodies").map_err(storage_error)?.get(JsValue::from_str(&key)).await.map_err(storage_error)?;
        body.ok_or_else(|| ApiError::new(ErrorKind::Internal, "the message's content is missing from this browser"))
    }

    async fn view(&self, uid: Uid) -> Result<MessageView, ApiError> {
        let body = self.body(uid).await?;
        let mut view: MessageView = get(&body, "view")
            .as_string()
            .and_then(|json| serde_json::from_str(&json).ok())
            .ok_or_else(|| storage_error("unreadable message"))?;
        let inner = self.inner.borrow();
        let entry =
            inner.entries.get(&uid).ok_or_else(|| ApiError::new(ErrorKind::BadRequest, "the message was removed"))?;
        view.uid = uid;
        view.folder = entry.folder.clone();
        view.flags = entry.summary.flags;
        Ok(view)
    }

    /// Applies `edit` to messages and stores them.
    async fn change(&self, uids: &[Uid], edit: impl Fn(&mut Entry)) -> Result<(), ApiError> {
        let changed: Vec<Entry> = {
            let mut inner = self.inner.borrow_mut();
            uids.iter()
                .filter_map(|uid| {
                    let entry = inner.entries.get_mut(uid)?;
                    edit(entry);
                    Some(entry.clone())
                })
                .collect()
        };
        let tx = self.db.transaction(&["entries"], TransactionMode::ReadWrite).map_err(storage_error)?;
        let store = tx.store("entries").map_err(storage_error)?;
        for entry in &changed {
            store.put(&entry_record(entry)?, None).await.map_err(storage_error)?;
        }
        tx.done().await.map_err(storage_error)?;
        Ok(())
    }

    /// Deletes messages for good; POP3 ones are remembered so they are not downloaded again.
    async fn remove(&self, uids: &[Uid]) -> Result<(), ApiError> {
        let removed: Vec<Entry> = {
            let mut inner = self.inner.borrow_mut();
            let removed: Vec<Entry> = uids.iter().filter_map(|uid| inner.entries.remove(uid)).collect();
            let keys = removed.iter().filter(|e| !e.key.starts_with("sent:")).map(|e| e.key.clone());
            inner.state.deleted.extend(keys);
            removed
        };
        let state = self.inner.borrow().state.clone();
        let tx =
            self.db.transaction(&["entries", "bodies", "state"], TransactionMode::ReadWrite).map_err(storage_error)?;
        let (entries, bodies) =
            (tx.store("entries").map_err(storage_error)?, tx.store("bodies").map_err(storage_error)?);
        for entry in &removed {
            entries.delete(JsValue::from_str(&entry.key)).await.map_err(storage_error)?;
            bodies.delete(JsValue::from_str(&entry.key)).await.map_err(storage_error)?;
        }
        tx.store("state").map_err(storage_error)?.put(&state_record(&state)?, None).await.map_err(storage_error)?;
        tx.done().await.map_err(storage_error)?;
        Ok(())
    }

    async fn save_state(&self) -> Result<(), ApiError> {
        let state = self.inner.borrow().state.clone();
        let tx = self.db.transaction(&["state"], TransactionMode::ReadWrite).map_err(storage_error)?;
        tx.store("state").map_err(storage_error)?.put(&state_record(&state)?, None).await.map_err(storage_error)?;
        tx.done().await.map_err(storage_error)?;
        Ok(())
    }
}

fn entry_record(entry: &Entry) -> Result<JsValue, ApiError> {
    let record = js_sys::Object::new();
    set(&record, "key", &JsValue::from_str(&entry.key))?;
    set(&record, "json", &JsValue::from_str(&serde_json::to_string(entry).map_err(storage_error)?))?;
    Ok(record.into())
}

fn state_record(state: &State) -> Result<JsValue, ApiError> {
    let record = js_sys::Object::new();
    set(&record, "name", &JsValue::from_str("state"))?;
    set(&record, "json", &JsValue::from_str(&serde_json::to_string(state).map_err(storage_error)?))?;
    Ok(record.into())
}

/// The message's content: its parsed view, its source, and its attachments: each its bytes, or
/// where they are in the source ([`LocalPart::in_source`]), made into a Blob only when opened.
///
/// (A Blob per attachment at store time cost more than the rest of a POP3 sync's storing:
/// Chromium registers each with its browser process and writes each to a file of its own.)
fn body_record(message: &LocalMessage) -> Result<JsValue, ApiError> {
    let record = js_sys::Object::new();
    set(&record, "key", &JsValue::from_str(&message.key))?;
    set(&record, "view", &JsValue::from_str(message.view.as_json()))?;
    set(&record, "source", &JsValue::from_str(&message.source))?;
    let parts = js_sys::Object::new();
    for part in &message.parts {
        let stored: JsValue = match part.in_source {
            Some((start, end)) => js_sys::Array::of2(&start.into(), &end.into()).into(),
            None => {
                let bytes = part.bytes("").ok_or_else(|| storage_error("an attachment is not base64"))?;
                js_sys::Uint8Array::from(bytes.as_slice()).into()
            }
        };
        set(&parts, &part.section, &stored)?;
    }
    set(&record, "parts", &parts)?;
    Ok(record.into())
}

/// A stored attachment of `body` as a Blob: from its bytes, from its range of the source, or
/// the Blob itself as records before 2026-12 kept it.
fn part_blob(body: &JsValue, section: &str) -> Option<web_sys::Blob> {
    if section.is_empty() {
        // The whole message, as an .eml.
        let source = js_sys::Uint8Array::from(get(body, "source").as_string()?.as_bytes());
        return web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&source)).ok();
    }
    let stored = get(&get(body, "parts"), section);
    if stored.is_instance_of::<web_sys::Blob>() {
        return stored.dyn_into().ok();
    }
    let bytes = match stored.dyn_into::<js_sys::Uint8Array>() {
        Ok(bytes) => bytes,
        Err(range) => {
            let range = range.dyn_into::<js_sys::Array>().ok()?;
            let in_source = Some((range.get(0).as_f64()? as u32, range.get(1).as_f64()? as u32));
            let part = LocalPart { section: section.to_owned(), data: String::new(), in_source };
            js_sys::Uint8Array::from(part.bytes(&get(body, "source").as_string()?)?.as_slice())
        }
    };
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &options).ok()
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), ApiError> {
    js_sys::Reflect::set(object, &JsValue::from_str(key), value).map(|_| ()).map_err(|_| storage_error("record"))
}

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// What a POP3 folder's rows are ordered by. Rows come in arrival order (by UID) and the sort
/// is stable, so ties keep it: a page never shifts against the next.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Number(Option<i64>),
    Text(Option<String>),
}

fn sort_value(key: SortKey, summary: &MessageSummary) -> SortValue {
    match key {
        // POP3 mail has no server to thread it; arrival order it is.
        SortKey::Arrival | SortKey::Thread => SortValue::Number(Some(i64::from(summary.uid))),
        SortKey::Date => SortValue::Number(summary.date),
        SortKey::Size => SortValue::Number(Some(i64::from(summary.size))),
        SortKey::From => {
            SortValue::Text(summary.from.as_ref().map(|a| a.name.as_deref().unwrap_or(&a.email).to_lowercase()))
        }
        SortKey::Subject => SortValue::Text(Some(summary.subject.to_lowercase())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::Address;

    #[test]
    fn pop3_rows_sort_by_name_or_address_case_folded_and_missing_dates_first() {
        let row = |uid: Uid, name: Option<&str>, email: &str, date: Option<i64>| MessageSummary {
            uid,
            from: Some(Address { name: name.map(String::from), email: email.into() }),
            date,
            ..MessageSummary::default()
        };
        let rows =
            [row(1, Some("bob"), "z@x", Some(5)), row(2, None, "Alice@x", None), row(3, Some("Carol"), "a@x", Some(1))];
        let order = |key| {
            let mut sorted: Vec<&MessageSummary> = rows.iter().collect();
            sorted.sort_by_cached_key(|s| sort_value(key, s));
            sorted.iter().map(|s| s.uid).collect::<Vec<_>>()
        };
        assert_eq!(order(SortKey::From), [2, 1, 3]);
        assert_eq!(order(SortKey::Date), [2, 3, 1]);
        assert_eq!(order(SortKey::Arrival), [1, 2, 3]);
    }
}
