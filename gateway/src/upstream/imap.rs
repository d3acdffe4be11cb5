//! IMAP (RFC 3501) through async-imap: connect with TLS or STARTTLS, log in, list folders,
//! list a window of messages, fetch one message.
//!
//! async-imap quotes the strings it is given for LOGIN/SELECT and rejects CR/LF in them; the
//! only strings this module puts into commands itself are numbers and fixed item lists.

use async_imap::imap_proto::{self, MessageSection, NameAttribute, SectionPath};
use async_imap::types::{Fetch, Flag, Mailbox, Name};
use async_imap::{Client, Session};
use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use yubin_protocol::{
    ApiError, ErrorKind, FlagName, Flags, Folder, FolderRole, FoundMessage, FoundPage, ImportReport, MessagePage,
    MessageSummary, MessageView, Quota, QuotaUse, RoleChoice, SearchQuery, SortKey, SortOrder, ThreadInfo, Uid,
    MAX_FOUND_PER_FOLDER,
};

use super::net::{BoxedStream, Upstream};
use super::sasl::{bearer_error, BearerMechanism, Proof};
use super::{folder_roles, imap_search};
use crate::config::Security;
use crate::{mime, threading};

/// The name of the folder templates are kept in.
const TEMPLATES: &str = "Templates";

/// The item list that makes a message-list row. Header fields rather than ENVELOPE, so that raw
/// 8-bit and RFC 2047/2231 headers are decoded by the same MIME code as whole messages.
const SUMMARY_ITEMS: &str =
    "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT CONTENT-TYPE)])";

pub struct ImapConnection {
    session: Session<BoxedStream>,
    selected: Option<String>,
    /// The selected folder's size, kept current from the server's untagged updates so that
    /// listing it again needs no new SELECT; `None` when only a SELECT can say.
    known: Option<KnownFolder>,
    capabilities: ServerCapabilities,
    /// The last server-side sort, reused while the folder is unchanged: scrolling a sorted
    /// list then costs one FETCH per window, not a SORT of the whole folder.
    sorted: Option<SortedFolder>,
    /// The last threading of a folder, reused the same way.
    threaded: Option<ThreadedFolder>,
    /// The user's own choice of folder for some roles (see [`Self::choose_roles`]).
    chosen_roles: Vec<RoleChoice>,
}

/// What async-imap queues of untagged updates (its channel is bounded): a queue this full may
/// have dropped some.
const UNSOLICITED_CAPACITY: usize = 100;

/// A selected folder's state as the server last told it.
pub(super) struct KnownFolder {
    folder: String,
    exists: u32,
    uid_validity: Option<u32>,
    /// HIGHESTMODSEQ (RFC 7162) from the SELECT or a later NOOP: every change after it is
    /// still to be told. A lower bound; never ahead of what the gateway has seen.
    highest_modseq: Option<u64>,
}

/// Most messages of one thread sent with its row.
const MAX_THREAD_ROWS: usize = 50;

/// A folder's conversations, valid for one state of the folder.
struct ThreadedFolder {
    folder: String,
    uid_validity: Option<u32>,
    exists: u32,
    threads: Vec<Vec<Uid>>,
}

/// UIDs of a folder in a sort order, valid for one state of the folder.
struct SortedFolder {
    folder: String,
    order: SortOrder,
    uid_validity: Option<u32>,
    exists: u32,
    uids: Vec<Uid>,
}

/// The extensions this client makes use of when the server has them.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ServerCapabilities {
    /// RFC 6851: atomic UID MOVE.
    move_command: bool,
    /// RFC 4315: UID EXPUNGE, so only the chosen messages are expunged.
    uidplus: bool,
    /// RFC 7888: non-synchronizing literals, for non-ASCII search text.
    literal_plus: bool,
    /// RFC 5256: server-side SORT.
    sort: bool,
    /// RFC 5464: server annotations, where the browser's settings roam.
    metadata: bool,
    /// RFC 7162: per-message modification sequences (`CHANGEDSINCE`).
    pub(super) condstore: bool,
    /// RFC 7162: expunges reported by UID (`VANISHED`), including earlier ones.
    pub(super) qresync: bool,
    /// RFC 5819 with RFC 5258: folder counts in the LIST reply itself.
    list_status: bool,
    /// RFC 6154: folder roles, which an extended LIST returns only when asked.
    special_use: bool,
    /// RFC 9208 (2087): quota roots and their use.
    quota: bool,
}

impl ImapConnection {
    /// Connects, secures the connection as configured and logs in.
    ///
    /// With STARTTLS the password is sent only after the TLS handshake succeeded; if the server
    /// does not offer STARTTLS the login is refused. Whatever the server sent before the
    /// handshake is dropped with the plain-text client, so it cannot be mistaken for a reply
    /// inside TLS (STARTTLS response injection).
    pub async fn login(upstream: &Upstream, username: &str, proof: &Proof) -> Result<Self, ApiError> {
        let tcp = upstream.connect_tcp().await?;
        let stream: BoxedStream = match upstream.endpoint.security {
            Security::Tls => Box::new(upstream.handshake(tcp).await?),
            Security::Plain => Box::new(tcp),
            Security::Starttls => {
                let mut plain = Client::new(tcp);
                read_greeting(&mut plain, upstream).await?;
                plain.run_command_and_check_ok("STARTTLS", None).await.map_err(|e| {
                    ApiError::new(
                        ErrorKind::Tls,
                        format!("{} refused STARTTLS ({e}); not sending the password in clear", upstream.label()),
                    )
                })?;
                Box::new(upstream.handshake(plain.into_inner()).await?)
            }
        };
        let mut client = Client::new(stream);
        if upstream.endpoint.security != Security::Starttls {
            read_greeting(&mut client, upstream).await?;
        }
        let mut session = match proof {
            Proof::Password(password) => client.login(username, password.expose()).await.map_err(|(e, _)| match e {
                async_imap::error::Error::No(text) => ApiError::new(ErrorKind::AuthFailed, server_words(&text)),
                other => imap_error(other),
            })?,
            Proof::Bearer(token) => bearer_login(client, upstream, username, token.expose()).await?,
        };
        let caps = session.capabilities().await.map_err(imap_error)?;
        let capabilities = ServerCapabilities {
            move_command: caps.has_str("MOVE"),
            uidplus: caps.has_str("UIDPLUS"),
            literal_plus: caps.has_str("LITERAL+"),
            sort: caps.has_str("SORT"),
            metadata: caps.has_str("METADATA") || caps.has_str("METADATA-SERVER"),
            condstore: caps.has_str("CONDSTORE") || caps.has_str("QRESYNC"),
            qresync: caps.has_str("QRESYNC"),
            list_status: caps.has_str("LIST-STATUS") && caps.has_str("LIST-EXTENDED"),
            special_use: caps.has_str("SPECIAL-USE"),
            quota: caps.has_str("QUOTA"),
        };
        // From here on the server reports expunges as VANISHED (UIDs) and the folder's
        // HIGHESTMODSEQ, which incremental resync (imap_sync) builds on.
        if capabilities.qresync {
            session.run_command_and_check_ok("ENABLE QRESYNC").await.map_err(imap_error)?;
        } else if capabilities.condstore {
            session.run_command_and_check_ok("ENABLE CONDSTORE").await.map_err(imap_error)?;
        }
        Ok(Self {
            session,
            selected: None,
            known: None,
            capabilities,
            sorted: None,
            threaded: None,
            chosen_roles: Vec::new(),
        })
    }

    /// Whether the server keeps server annotations (METADATA), for roaming settings.
    pub fn has_metadata(&self) -> bool {
        self.capabilities.metadata
    }

    /// The session itself, for the few commands kept in modules of their own.
    pub(super) fn session(&mut self) -> &mut Session<BoxedStream> {
        &mut self.session
    }

    /// Every folder the server has (`LIST "" "*"`).
    async fn list_all(&mut self) -> Result<Vec<Name>, ApiError> {
        self.session.list(Some(""), Some("*")).await.map_err(imap_error)?.try_collect().await.map_err(imap_error)
    }

    /// The folder tree with each folder's role, subscription and counts: one command where
    /// the server has LIST-STATUS, else LIST, LSUB and a STATUS per folder.
    pub async fn list_folders(&mut self) -> Result<Vec<Folder>, ApiError> {
        let mut folders = if self.capabilities.list_status {
            self.list_with_status().await?
        } else {
            self.list_then_status().await?
        };
        folder_roles::assign(&mut folders, &self.chosen_roles);
        // INBOX first, then the other special folders in a familiar order, then the rest by name.
        folders.sort_by_key(|f| (f.role.map_or(u8::MAX, role_rank), f.name.to_lowercase()));
        Ok(folders)
    }

    /// `LIST … RETURN (SUBSCRIBED STATUS …)` (RFC 5258, 5819): the whole tree and its counts in
    /// one round trip. async-imap has no command for it; the replies are parsed by imap-proto.
    async fn list_with_status(&mut self) -> Result<Vec<Folder>, ApiError> {
        let mut folders = Vec::new();
        let mut counts: HashMap<String, (Option<u32>, Option<u32>)> = HashMap::new();
        let roles = if self.capabilities.special_use { "SPECIAL-USE " } else { "" };
        let command = format!(r#"LIST "" "*" RETURN (SUBSCRIBED {roles}STATUS (MESSAGES UNSEEN))"#);
        self.raw_command(&command, |response| match response {
            imap_proto::Response::MailboxData(imap_proto::MailboxDatum::List(data)) => {
                let subscribed = data
                    .name_attributes
                    .iter()
                    .any(|a| matches!(a, NameAttribute::Extension(name) if name.eq_ignore_ascii_case("\\Subscribed")));
                folders.push(folder_entry(&data.name, data.delimiter.as_deref(), &data.name_attributes, subscribed));
            }
            imap_proto::Response::MailboxData(imap_proto::MailboxDatum::Status { mailbox, status }) => {
                let count = counts.entry(mailbox.to_string()).or_default();
                for attribute in status {
                    match attribute {
                        imap_proto::StatusAttribute::Messages(n) => count.0 = Some(*n),
                        imap_proto::StatusAttribute::Unseen(n) => count.1 = Some(*n),
                        _ => {}
                    }
                }
            }
            _ => {}
        })
        .await?;
        for folder in &mut folders {
            if let Some((total, unread)) = counts.remove(&folder.id) {
                (folder.total, folder.unread) = (total, unread);
            }
        }
        Ok(folders)
    }

    /// The same from plain RFC 3501 commands. One STATUS per folder is cheap where the server's
    /// index answers it, but costs a round trip each.
    async fn list_then_status(&mut self) -> Result<Vec<Folder>, ApiError> {
        let names = self.list_all().await?;
        let subscribed: std::collections::HashSet<String> = self
            .session
            .lsub(Some(""), Some("*"))
            .await
            .map_err(imap_error)?
            .map_ok(|name| name.name().to_owned())
            .try_collect()
            .await
            .map_err(imap_error)?;
        let mut folders: Vec<Folder> = names
            .iter()
            .map(|name| {
                folder_entry(name.name(), name.delimiter(), name.attributes(), subscribed.contains(name.name()))
            })
            .collect();
        for folder in folders.iter_mut().filter(|f| f.selectable) {
            let status = self.session.status(&folder.id, "(MESSAGES UNSEEN)").await.map_err(imap_error)?;
            folder.total = Some(status.exists);
            folder.unread = status.unseen;
        }
        Ok(folders)
    }

    /// Sends `command` — fixed text and numbers only — and hands each untagged reply to `each`
    /// until the tagged answer, for commands async-imap has no method for. Folder updates
    /// among the replies (EXISTS, EXPUNGE, VANISHED) are applied as well. Returns the
    /// HIGHESTMODSEQ the tagged answer carries, if any.
    pub(super) async fn raw_command(
        &mut self,
        command: &str,
        each: impl FnMut(&imap_proto::Response<'_>),
    ) -> Result<Option<u64>, ApiError> {
        Ok(self.raw_command_told(command, each).await?.0)
    }

    /// [`Self::raw_command`], also returning the tagged answer's text: response codes
    /// imap-proto does not know (`[MODIFIED 7]`, RFC 7162) stay at its start.
    pub(super) async fn raw_command_told(
        &mut self,
        command: &str,
        mut each: impl FnMut(&imap_proto::Response<'_>),
    ) -> Result<(Option<u64>, String), ApiError> {
        let tag = self.session.run_command(command).await.map_err(imap_error)?;
        loop {
            let response = self
                .session
                .read_response()
                .await
                .map_err(|e| imap_error(e.into()))?
                .ok_or_else(|| imap_error(async_imap::error::Error::ConnectionLost))?;
            match response.parsed() {
                imap_proto::Response::Done { tag: done, status, outcome, .. } if *done == tag => {
                    let verb = command.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                    let information = outcome.information.as_deref().unwrap_or("");
                    return match status {
                        imap_proto::Status::Ok => Ok((
                            match outcome.code {
                                Some(imap_proto::ResponseCode::HighestModSeq(modseq)) => Some(modseq),
                                _ => None,
                            },
                            information.to_owned(),
                        )),
                        imap_proto::Status::No => {
                            Err(ApiError::new(ErrorKind::Refused, format!("{verb} failed: {information}")))
                        }
                        _ => Err(ApiError::new(
                            ErrorKind::Protocol,
                            format!("server rejected the command {verb}: {information}"),
                        )),
                    };
                }
                other => {
                    apply_update(&mut self.known, other);
                    each(other);
                }
            }
        }
    }

    /// A window of `folder` in `order`, skipping `offset`.
    pub async fn list_messages(
        &mut self,
        folder: &str,
        offset: u32,
        limit: u32,
        order: SortOrder,
    ) -> Result<MessagePage, ApiError> {
        if order.key == SortKey::Thread {
            return self.list_threads(folder, offset, limit).await;
        }
        if order != SortOrder::default() {
            return self.list_sorted(folder, offset, limit, order).await;
        }
        let (total, uid_validity) = self.current(folder).await?;
        let modseq = self.known_modseq();
        let mut page =
            MessagePage { folder: folder.to_owned(), total, uid_validity, offset, messages: Vec::new(), modseq };
        let Some(newest) = total.checked_sub(offset).filter(|n| *n > 0) else {
            return Ok(page);
        };
        let oldest = newest.saturating_sub(limit.max(1) - 1).max(1);
        page.messages = self.summaries(&format!("{oldest}:{newest}"), false).await?;
        Ok(page)
    }

    async fn list_sorted(
        &mut self,
        folder: &str,
        offset: u32,
        limit: u32,
        order: SortOrder,
    ) -> Result<MessagePage, ApiError> {
        if !self.capabilities.sort {
            return Err(ApiError::new(ErrorKind::Refused, "this server cannot sort; only newest-first is available"));
        }
        let (exists, uid_validity) = self.current(folder).await?;
        let fresh = self.sorted.as_ref().is_some_and(|s| {
            s.folder == folder && s.order == order && s.uid_validity == uid_validity && s.exists == exists
        });
        if !fresh {
            let uids = self.uid_sort(order).await?;
            self.sorted = Some(SortedFolder { folder: folder.to_owned(), order, uid_validity, exists, uids });
        }
        let sorted = self.sorted.as_ref().expect("sorted above");
        let window: Vec<Uid> = sorted.uids.iter().skip(offset as usize).take(limit as usize).copied().collect();
        let mut messages =
            if window.is_empty() { Vec::new() } else { self.summaries(&uid_set(&window)?, true).await? };
        // FETCH answers in its own order; put the rows back in the sorted one.
        messages.sort_by_key(|m| window.iter().position(|uid| *uid == m.uid));
        Ok(MessagePage { folder: folder.to_owned(), total: exists, uid_validity, offset, messages, modseq: None })
    }

    /// One row per conversation, the newest first. The threads come from every message's
    /// threading headers (one FETCH for the folder, kept while the folder is unchanged); the
    /// rows of the window come with their threads' other messages.
    async fn list_threads(&mut self, folder: &str, offset: u32, limit: u32) -> Result<MessagePage, ApiError> {
        let (exists, uid_validity) = self.current(folder).await?;
        let fresh = self
            .threaded
            .as_ref()
            .is_some_and(|t| t.folder == folder && t.uid_validity == uid_validity && t.exists == exists);
        if !fresh {
            let threads = if exists == 0 { Vec::new() } else { self.thread_folder().await? };
            self.threaded = Some(ThreadedFolder { folder: folder.to_owned(), uid_validity, exists, threads });
        }
        let threaded = self.threaded.as_ref().expect("threaded above");
        let total = threaded.threads.len() as u32;
        // Each thread's size, and its newest messages, at most MAX_THREAD_ROWS of them.
        let window: Vec<(usize, Vec<Uid>)> = threaded
            .threads
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|t| (t.len(), t[t.len().saturating_sub(MAX_THREAD_ROWS)..].to_vec()))
            .collect();
        let all: Vec<Uid> = window.iter().flat_map(|(_, uids)| uids).copied().collect();
        let mut rows: HashMap<Uid, MessageSummary> = if all.is_empty() {
            HashMap::new()
        } else {
            self.summaries(&uid_set(&all)?, true).await?.into_iter().map(|m| (m.uid, m)).collect()
        };
        let messages = window
            .into_iter()
            .filter_map(|(count, uids)| {
                let members: Vec<MessageSummary> = uids.iter().filter_map(|uid| rows.remove(uid)).collect();
                let mut newest = members.last()?.clone();
                if count > 1 {
                    let unread = members.iter().filter(|m| !m.flags.seen).count() as u32;
                    newest.thread = Some(Box::new(ThreadInfo { count: count as u32, unread, messages: members }));
                }
                Some(newest)
            })
            .collect();
        Ok(MessagePage { folder: folder.to_owned(), total, uid_validity, offset, messages, modseq: None })
    }

    /// Fetches every message's threading headers in the selected folder and groups them.
    async fn thread_folder(&mut self) -> Result<Vec<Vec<Uid>>, ApiError> {
        let fetches: Vec<Fetch> =
            self.uid_fetch_all("1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES)])").await?;
        let links: Vec<threading::Links> = fetches
            .iter()
            .filter(|f| f.header().is_some())
            .filter_map(|f| {
                let uid = f.uid?;
                let headers = mime::parse_headers(f.header().unwrap_or_default());
                let (message_id, refers_to) = match &headers {
                    Some(h) => {
                        let mut refers_to = mime::references(h);
                        refers_to.extend(h.in_reply_to().as_text().map(mime::angle_id));
                        (h.message_id().map(mime::angle_id), refers_to)
                    }
                    None => (None, Vec::new()),
                };
                Some(threading::Links { uid, message_id, refers_to })
            })
            .collect();
        Ok(threading::threads(&links))
    }

    /// `UID SORT`: async-imap has no command for it, so it is sent raw.
    async fn uid_sort(&mut self, order: SortOrder) -> Result<Vec<Uid>, ApiError> {
        let key = match order.key {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Subject => "SUBJECT",
            SortKey::Size => "SIZE",
            SortKey::Thread => unreachable!("threads are listed by list_threads"),
        };
        // SORT is ascending unless reversed.
        let reverse = if order.ascending { "" } else { "REVERSE " };
        let mut uids = Vec::new();
        self.raw_command(&format!("UID SORT ({reverse}{key}) UTF-8 ALL"), |response| {
            if let imap_proto::Response::MailboxData(imap_proto::MailboxDatum::Sort(ids)) = response {
                uids.extend_from_slice(ids);
            }
        })
        .await?;
        Ok(uids)
    }

    /// Messages of `folder` matching `query`, newest first.
    pub async fn search(&mut self, folder: &str, query: &SearchQuery, limit: u32) -> Result<MessagePage, ApiError> {
        let criteria = imap_search::criteria(query, self.capabilities.literal_plus)?;
        let (_, uid_validity) = self.current(folder).await?;
        let mut uids: Vec<Uid> = self.session.uid_search(&criteria).await.map_err(imap_error)?.into_iter().collect();
        uids.sort_unstable_by(|a, b| b.cmp(a));
        let total = uids.len() as u32;
        uids.truncate(limit as usize);
        let messages = if uids.is_empty() { Vec::new() } else { self.summaries(&uid_set(&uids)?, true).await? };
        Ok(MessagePage { folder: folder.to_owned(), total, uid_validity, offset: 0, messages, modseq: None })
    }

    /// Stores whole `messages` in `folder`, each unless the folder holds its Message-ID
    /// already (or it came earlier in the batch): an import started again adds nothing twice.
    pub async fn import_messages(&mut self, folder: &str, messages: &[Vec<u8>]) -> Result<ImportReport, ApiError> {
        let ids: Vec<Option<String>> = messages.iter().map(|raw| mime::message_id_of(raw)).collect();
        let mut present = self.message_ids_in(folder, ids.iter().flatten()).await?;
        let mut report = ImportReport::default();
        for (raw, id) in messages.iter().zip(&ids) {
            if id.as_ref().is_some_and(|id| !present.insert(id.clone())) {
                report.present += 1;
                continue;
            }
            let Some(facts) = mime::import_facts(raw) else {
                report.refused.push("not a mail message (no header)".to_owned());
                continue;
            };
            let flags = if facts.seen { "(\\Seen)" } else { "()" };
            match self.append_at(folder, flags, facts.date.as_deref(), &facts.crlf).await {
                Ok(()) => report.added += 1,
                // A full mailbox takes nothing more: the import stops there, in words.
                Err(e) if e.kind == ErrorKind::OverQuota => return Err(e),
                Err(e) => report.refused.push(format!("{}: {}", facts.subject, e.message)),
            }
        }
        Ok(report)
    }

    /// Which of `ids` (`<id>` form) messages in `folder` carry as their Message-ID.
    async fn message_ids_in<'i>(
        &mut self,
        folder: &str,
        ids: impl Iterator<Item = &'i String>,
    ) -> Result<HashSet<String>, ApiError> {
        let ids: Vec<&String> = ids.collect();
        let mut found = HashSet::new();
        self.ensure_selected(folder).await?;
        for chunk in ids.chunks(25) {
            // HEADER searches are substring matches: the fetched headers say which is exact.
            let mut criteria = "OR ".repeat(chunk.len() - 1);
            for id in chunk {
                let bare = id.trim_start_matches('<').trim_end_matches('>');
                criteria.push_str(&format!(
                    "HEADER Message-ID {} ",
                    imap_search::astring(bare, self.capabilities.literal_plus)?
                ));
            }
            let uids: Vec<Uid> =
                self.session.uid_search(criteria.trim_end()).await.map_err(imap_error)?.into_iter().collect();
            if uids.is_empty() {
                continue;
            }
            let fetches: Vec<Fetch> =
                self.uid_fetch_all(uid_set(&uids)?, "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])").await?;
            found.extend(fetches.iter().filter_map(|f| mime::message_id_of(f.header()?)));
        }
        Ok(found)
    }

    /// Every UID of `folder`, oldest first (selecting it).
    pub async fn all_uids(&mut self, folder: &str) -> Result<Vec<Uid>, ApiError> {
        self.ensure_selected(folder).await?;
        let mut uids: Vec<Uid> = self.session.uid_search("ALL").await.map_err(imap_error)?.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// When each of `uids` (in the selected folder) arrived, in seconds since 1970; a message
    /// gone meanwhile is missing.
    pub async fn arrivals(&mut self, uids: &[Uid]) -> Result<HashMap<Uid, i64>, ApiError> {
        let fetches: Vec<Fetch> = self.uid_fetch_all(uid_set(uids)?, "(UID INTERNALDATE)").await?;
        let asked: HashSet<Uid> = uids.iter().copied().collect();
        Ok(fetches
            .iter()
            .filter_map(|f| Some((f.uid.filter(|uid| asked.contains(uid))?, f.internal_date()?.timestamp())))
            .collect())
    }

    /// Messages matching `query` in every folder that holds mail, newest first (by arrival),
    /// `limit` of them from `offset`: one SEARCH per folder, then the rows of the page only.
    pub async fn search_everywhere(
        &mut self,
        query: &SearchQuery,
        offset: u32,
        limit: u32,
    ) -> Result<FoundPage, ApiError> {
        let criteria = imap_search::criteria(query, self.capabilities.literal_plus)?;
        let folders: Vec<String> = self.tree().await?.into_iter().filter(|f| f.selectable).map(|f| f.id).collect();
        let mut hits: Vec<(i64, usize, Uid)> = Vec::new();
        for (index, folder) in folders.iter().enumerate() {
            self.current(folder).await?;
            let mut uids: Vec<Uid> =
                self.session.uid_search(&criteria).await.map_err(imap_error)?.into_iter().collect();
            uids.sort_unstable_by(|a, b| b.cmp(a));
            uids.truncate(MAX_FOUND_PER_FOLDER);
            if uids.is_empty() {
                continue;
            }
            let arrivals = self.arrivals(&uids).await?;
            hits.extend(arrivals.into_iter().map(|(uid, when)| (when, index, uid)));
        }
        hits.sort_unstable_by(|a, b| b.cmp(a));
        let total = hits.len() as u32;
        let page: Vec<(usize, Uid)> =
            hits.into_iter().skip(offset as usize).take(limit as usize).map(|(_, folder, uid)| (folder, uid)).collect();
        // The page's rows, a folder at a time, then in the page's order.
        let mut rows: HashMap<(usize, Uid), MessageSummary> = HashMap::new();
        let mut in_page: Vec<usize> = page.iter().map(|(folder, _)| *folder).collect();
        in_page.sort_unstable();
        in_page.dedup();
        for folder in in_page {
            let uids: Vec<Uid> = page.iter().filter(|(f, _)| *f == folder).map(|(_, uid)| *uid).collect();
            self.current(&folders[folder]).await?;
            for row in self.summaries(&uid_set(&uids)?, true).await? {
                rows.insert((folder, row.uid), row);
            }
        }
        let hits = page
            .into_iter()
            .filter_map(|key| Some(FoundMessage { folder: folders[key.0].clone(), message: rows.remove(&key)? }))
            .collect();
        Ok(FoundPage { hits, total, folders: folders.len() as u32 })
    }

    /// UIDs in `folder` of the messages whose `Message-ID:` is `message_id`, oldest first.
    pub async fn find_message_id(&mut self, folder: &str, message_id: &str) -> Result<Vec<Uid>, ApiError> {
        let query = SearchQuery { message_id: Some(message_id.to_owned()), ..SearchQuery::default() };
        let criteria = imap_search::criteria(&query, self.capabilities.literal_plus)?;
        self.ensure_selected(folder).await?;
        let mut uids: Vec<Uid> = self.session.uid_search(&criteria).await.map_err(imap_error)?.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The copies in `folder` with this Message-ID, each with whether it carries `keyword`.
    pub async fn copies_with_keyword(
        &mut self,
        folder: &str,
        message_id: &str,
        keyword: &str,
    ) -> Result<Vec<(Uid, bool)>, ApiError> {
        let uids = self.find_message_id(folder, message_id).await?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let fetches: Vec<Fetch> = self.uid_fetch_all(uid_set(&uids)?, "(UID FLAGS)").await?;
        // Another client's flag change may arrive among the replies, for these messages or
        // others: only the asked-for UIDs count, each with its latest flags.
        let mut marks = std::collections::BTreeMap::new();
        for fetch in fetches.iter().filter(|f| f.uid.is_some_and(|uid| uids.contains(&uid))) {
            let marked =
                fetch.flags().any(|flag| matches!(&flag, Flag::Custom(name) if name.eq_ignore_ascii_case(keyword)));
            marks.insert(fetch.uid.unwrap_or_default(), marked);
        }
        Ok(marks.into_iter().collect())
    }

    /// Sets or clears a keyword on messages of `folder`.
    pub async fn set_keyword(
        &mut self,
        folder: &str,
        uids: &[Uid],
        keyword: &str,
        value: bool,
    ) -> Result<(), ApiError> {
        self.ensure_selected(folder).await?;
        let sign = if value { '+' } else { '-' };
        self.store(uids, &format!("{sign}FLAGS.SILENT ({keyword})")).await
    }

    /// Folders the user chose for roles, ahead of what the server marks and of names.
    pub fn choose_roles(&mut self, chosen: &[RoleChoice]) {
        if self.chosen_roles != chosen {
            self.chosen_roles = chosen.to_vec();
        }
    }

    /// The folder with `role`: the user's choice, else the one the server marks (RFC 6154 SPECIAL-USE), else one of a
    /// well-known name ([`folder_roles`]).
    pub async fn special_folder(&mut self, role: FolderRole) -> Result<Option<String>, ApiError> {
        Ok(self.special_folders().await?.remove(&role))
    }

    /// Every folder with a role (the first listed, where two claim one), from one LIST.
    pub async fn special_folders(&mut self) -> Result<HashMap<FolderRole, String>, ApiError> {
        let folders = self.tree().await?;
        let mut roles = HashMap::new();
        for folder in folders {
            if let Some(role) = folder.role {
                roles.entry(role).or_insert(folder.id);
            }
        }
        Ok(roles)
    }

    /// The folder of message templates: one named `Templates` (as Thunderbird names it; no
    /// SPECIAL-USE attribute exists for it), the shallowest first; created when `create` and
    /// there is none.
    pub async fn templates_folder(&mut self, create: bool) -> Result<Option<String>, ApiError> {
        let folders = self.tree().await?;
        let leaf =
            |f: &Folder| f.name.rsplit(f.delimiter.as_deref().unwrap_or("/")).next().unwrap_or_default().to_owned();
        let found = folders
            .iter()
            .filter(|f| f.selectable && leaf(f).eq_ignore_ascii_case(TEMPLATES))
            .min_by_key(|f| f.name.len())
            .map(|f| f.id.clone());
        match found {
            Some(id) => Ok(Some(id)),
            None if create => self.create_folder(TEMPLATES).await.map(Some),
            None => Ok(None),
        }
    }

    /// The folder tree without counts, roles assigned.
    async fn tree(&mut self) -> Result<Vec<Folder>, ApiError> {
        let mut folders: Vec<Folder> = self
            .list_all()
            .await?
            .iter()
            .map(|name| folder_entry(name.name(), name.delimiter(), name.attributes(), false))
            .collect();
        folder_roles::assign(&mut folders, &self.chosen_roles);
        Ok(folders)
    }

    /// The use of the inbox's quota root (where new mail and the Sent copies count), if the
    /// server has quotas and one applies.
    pub async fn quota(&mut self) -> Result<Option<Quota>, ApiError> {
        if !self.capabilities.quota {
            return Ok(None);
        }
        let (_, quotas) = self.session.get_quota_root("INBOX").await.map_err(imap_error)?;
        Ok(quotas.iter().map(quota_of).find(|q| q.storage.is_some() || q.messages.is_some()))
    }

    /// Stores `message` in `folder` with `flags` (an IMAP flag list such as `(\\Seen)`).
    pub async fn append(&mut self, folder: &str, flags: &str, message: &[u8]) -> Result<(), ApiError> {
        self.append_at(folder, flags, None, message).await
    }

    /// As [`Self::append`], arrived at `date` (an IMAP date-time) rather than now.
    async fn append_at(
        &mut self,
        folder: &str,
        flags: &str,
        date: Option<&str>,
        message: &[u8],
    ) -> Result<(), ApiError> {
        self.forget_state();
        match self.session.append(folder, Some(flags), date, message).await {
            Ok(()) => Ok(()),
            // A refusal that comes instead of the invitation to send the message keeps no words
            // in async-imap: that is how Dovecot refuses what its quota has no room for, so the
            // quota is asked.
            Err(async_imap::error::Error::Append) => Err(self.append_refusal(folder, message.len()).await),
            Err(e) => Err(imap_error(e)),
        }
    }

    /// Why the server would not take `size` bytes into `folder`: a full mailbox, if its quota
    /// says so.
    async fn append_refusal(&mut self, folder: &str, size: usize) -> ApiError {
        let needed = (size as u64).div_ceil(1024);
        if let Ok(Some(quota)) = self.quota().await {
            if let Some(storage) = quota.storage.filter(|s| s.used + needed > s.limit) {
                let (used, limit) = (storage.used, storage.limit);
                let words = format!("Quota exceeded: {used} of {limit} KB used, and this message needs {needed} KB");
                return ApiError::new(ErrorKind::OverQuota, words);
            }
            if quota.messages.is_some_and(|m| m.used >= m.limit) {
                return ApiError::new(
                    ErrorKind::OverQuota,
                    "Quota exceeded: the mailbox holds all the messages it may",
                );
            }
        }
        ApiError::new(ErrorKind::Refused, format!("the server would not store the message in {folder}"))
    }

    /// One part of a message, transfer-decoded (or the whole message for section `""`), at
    /// most `limit` bytes: what forwarding attaches again.
    pub async fn fetch_part(&mut self, folder: &str, uid: Uid, section: &str, limit: u64) -> Result<Vec<u8>, ApiError> {
        self.ensure_selected(folder).await?;
        let (item, path) = if section.is_empty() {
            ("BODY.PEEK[]".to_owned(), SectionPath::Full(MessageSection::Text))
        } else {
            (format!("BODY.PEEK[{section}]"), SectionPath::Part(section_numbers(section)?, None))
        };
        let fetch = self.fetch_one(uid, &format!("(UID RFC822.SIZE {item})"), |f| f.size.is_some()).await?;
        if fetch.size.is_some_and(|size| u64::from(size) > limit) {
            return Err(ApiError::new(ErrorKind::BadRequest, "the attachment is bigger than the size limit"));
        }
        let raw = if section.is_empty() { fetch.body() } else { fetch.section(&path) }.unwrap_or_default();
        if section.is_empty() {
            return Ok(raw.to_vec());
        }
        let encoding = self.section_encoding(folder, uid, section).await?;
        Ok(crate::transfer_decoding::decode_all(&encoding, raw))
    }

    /// Message-list rows for a sequence range (`by_uid` false) or a UID set, newest first.
    pub(super) async fn summaries(&mut self, set: &str, by_uid: bool) -> Result<Vec<MessageSummary>, ApiError> {
        let fetches: Vec<Fetch> = if by_uid {
            self.uid_fetch_all(set, SUMMARY_ITEMS).await?
        } else {
            let stream = self.session.fetch(set, SUMMARY_ITEMS).await.map_err(imap_error)?;
            stream.try_collect().await.map_err(imap_error)?
        };
        // A FETCH without the header fields is not an answer but news of a flag change made by
        // another client (RFC 3501 7.4.2): it would be a row without sender or subject.
        let mut rows: Vec<MessageSummary> = fetches
            .iter()
            .filter(|f| f.header().is_some())
            .filter_map(|f| {
                let arrival = f.internal_date().map(|d| d.timestamp());
                Some(mime::summary(f.uid?, f.header().unwrap_or_default(), flags_of(f), f.size.unwrap_or(0), arrival))
            })
            .collect();
        rows.sort_by_key(|row| std::cmp::Reverse(row.uid));
        Ok(rows)
    }

    pub async fn set_flag(&mut self, folder: &str, uids: &[Uid], flag: FlagName, value: bool) -> Result<(), ApiError> {
        self.ensure_selected(folder).await?;
        let flag = match flag {
            FlagName::Seen => "\\Seen",
            FlagName::Flagged => "\\Flagged",
            FlagName::Answered => "\\Answered",
        };
        let sign = if value { '+' } else { '-' };
        self.store(uids, &format!("{sign}FLAGS.SILENT ({flag})")).await
    }

    /// Moves messages, atomically with MOVE, else by COPY, then \Deleted and expunge.
    pub async fn move_messages(&mut self, folder: &str, uids: &[Uid], to: &str) -> Result<(), ApiError> {
        self.ensure_selected(folder).await?;
        self.forget_state();
        let set = uid_set(uids)?;
        if self.capabilities.move_command {
            return self.session.uid_mv(&set, to).await.map_err(imap_error);
        }
        self.session.uid_copy(&set, to).await.map_err(imap_error)?;
        self.expunge_selected(uids).await
    }

    /// Deletes messages for good.
    pub async fn expunge(&mut self, folder: &str, uids: &[Uid]) -> Result<(), ApiError> {
        self.ensure_selected(folder).await?;
        self.expunge_selected(uids).await
    }

    async fn expunge_selected(&mut self, uids: &[Uid]) -> Result<(), ApiError> {
        self.forget_state();
        self.store(uids, "+FLAGS.SILENT (\\Deleted)").await?;
        if self.capabilities.uidplus {
            let _: Vec<Uid> = self
                .session
                .uid_expunge(uid_set(uids)?)
                .await
                .map_err(imap_error)?
                .try_collect()
                .await
                .map_err(imap_error)?;
        } else {
            // Without UIDPLUS, EXPUNGE removes every message marked \Deleted, also those
            // another client marked and did not mean to remove yet. Shield them: unmark them
            // for the moment of the EXPUNGE, then mark them again (what careful clients do).
            let ours: std::collections::HashSet<Uid> = uids.iter().copied().collect();
            let mut others: Vec<Uid> = self
                .session
                .uid_search("DELETED")
                .await
                .map_err(imap_error)?
                .into_iter()
                .filter(|u| !ours.contains(u))
                .collect();
            others.sort_unstable();
            if !others.is_empty() {
                self.store(&others, "-FLAGS.SILENT (\\Deleted)").await?;
            }
            let expunged = self.expunge_all().await;
            if !others.is_empty() {
                self.store(&others, "+FLAGS.SILENT (\\Deleted)").await?;
            }
            expunged?;
        }
        Ok(())
    }

    /// Plain EXPUNGE of the selected folder (servers without UIDPLUS).
    async fn expunge_all(&mut self) -> Result<(), ApiError> {
        let _: Vec<u32> = self.session.expunge().await.map_err(imap_error)?.try_collect().await.map_err(imap_error)?;
        Ok(())
    }

    async fn store(&mut self, uids: &[Uid], item: &str) -> Result<(), ApiError> {
        self.store_range(&uid_set(uids)?, item).await
    }

    /// The selected folder's HIGHESTMODSEQ as last told, on CONDSTORE servers.
    pub(super) fn known_modseq(&self) -> Option<u64> {
        self.known.as_ref().and_then(|k| k.highest_modseq)
    }

    /// The extensions in use, for resync.
    pub(super) fn capabilities(&self) -> ServerCapabilities {
        self.capabilities
    }

    async fn store_range(&mut self, uid_set: &str, item: &str) -> Result<(), ApiError> {
        let _: Vec<Fetch> =
            self.session.uid_store(uid_set, item).await.map_err(imap_error)?.try_collect().await.map_err(imap_error)?;
        Ok(())
    }

    /// `folder`'s size and UIDVALIDITY now. A folder still selected is brought up to date with
    /// NOOP and the EXISTS/EXPUNGE updates it gathers (well under a millisecond) rather than a
    /// new SELECT, which costs Dovecot ~80 ms on a 100k folder — once per scrolled window.
    pub(super) async fn current(&mut self, folder: &str) -> Result<(u32, Option<u32>), ApiError> {
        if self.known.as_ref().is_some_and(|k| k.folder == folder) && self.selected.as_deref() == Some(folder) {
            // Updates queued during earlier commands first, then the NOOP's own.
            if self.absorb_updates().is_some() {
                let modseq = self.raw_command("NOOP", |_| {}).await?;
                if let Some(known) = self.known.as_mut() {
                    // The tagged OK may say where the folder's changes now stand (Dovecot does
                    // after expunges, which carry no MODSEQ of their own).
                    known.highest_modseq = known.highest_modseq.max(modseq);
                    return Ok((known.exists, known.uid_validity));
                }
            }
        }
        let mailbox = self.select(folder).await?;
        Ok((mailbox.exists, mailbox.uid_validity))
    }

    /// Applies the untagged updates queued since the last look to the known folder state.
    fn absorb_updates(&mut self) -> Option<(u32, Option<u32>)> {
        use async_imap::types::UnsolicitedResponse;
        let mut seen = 0;
        while let Ok(update) = self.session.unsolicited_responses.try_recv() {
            seen += 1;
            let Some(known) = self.known.as_mut() else { continue };
            match update {
                UnsolicitedResponse::Exists(n) => known.exists = n,
                UnsolicitedResponse::Expunge(_) => known.exists = known.exists.saturating_sub(1),
                UnsolicitedResponse::Other(response) => apply_update(&mut self.known, response.parsed()),
                _ => {}
            }
        }
        if seen >= UNSOLICITED_CAPACITY {
            self.known = None; // updates may have been dropped: only a SELECT can tell
        }
        self.known.as_ref().map(|k| (k.exists, k.uid_validity))
    }

    /// Forgets the known folder state after a change whose updates the gateway does not see
    /// (expunges answered inside their command's own response).
    fn forget_state(&mut self) {
        self.known = None;
    }

    /// SELECTs `folder` even if it is selected already: the answer carries its current size.
    async fn select(&mut self, folder: &str) -> Result<Mailbox, ApiError> {
        let mailbox = self.session.select(folder).await.map_err(imap_error)?;
        self.selected = Some(folder.to_owned());
        // Updates queued before this SELECT were about the folder as it was.
        while self.session.unsolicited_responses.try_recv().is_ok() {}
        self.known = Some(KnownFolder {
            folder: folder.to_owned(),
            exists: mailbox.exists,
            uid_validity: mailbox.uid_validity,
            highest_modseq: mailbox.highest_modseq,
        });
        Ok(mailbox)
    }

    /// SELECTs `folder` unless it is selected already.
    pub(super) async fn ensure_selected(&mut self, folder: &str) -> Result<(), ApiError> {
        if self.selected.as_deref() != Some(folder) {
            self.select(folder).await?;
        }
        Ok(())
    }

    /// Fetches and parses one message; fetching `BODY[]` marks it \Seen, as opening it should.
    pub async fn get_message(&mut self, folder: &str, uid: Uid) -> Result<MessageView, ApiError> {
        self.ensure_selected(folder).await?;
        let fetch = self.fetch_one(uid, "(UID FLAGS BODY[])", |f| f.body().is_some()).await?;
        let mut flags = flags_of(&fetch);
        flags.seen = true;
        mime::view(folder, uid, flags, fetch.body().unwrap_or_default())
    }

    /// The raw message, at most `limit` bytes of it.
    pub async fn get_source(&mut self, folder: &str, uid: Uid, limit: u32) -> Result<(Vec<u8>, bool), ApiError> {
        self.ensure_selected(folder).await?;
        let fetch =
            self.fetch_one(uid, &format!("(UID RFC822.SIZE BODY.PEEK[]<0.{limit}>)"), |f| f.body().is_some()).await?;
        let body = fetch.body().unwrap_or_default().to_vec();
        let truncated = fetch.size.is_some_and(|size| size > limit);
        Ok((body, truncated))
    }

    /// Creates and subscribes to a folder given by its display path, under the personal
    /// namespace's prefix (`INBOX.` on Courier) unless the path has it already. Returns the
    /// folder's server name.
    pub async fn create_folder(&mut self, name: &str) -> Result<String, ApiError> {
        let folders = self.tree().await?;
        let prefix = folder_roles::personal_prefix(&folders);
        let id = folder_id(&path_on_server(name, &folders))?;
        let id = match self.session.create(&id).await.map_err(imap_error) {
            Ok(()) => id,
            // A server whose every folder lives under the inbox, showing none yet (a fresh
            // Courier account): "Invalid mailbox name" at the top level. Try under the inbox.
            Err(e) if e.kind == ErrorKind::Refused && prefix.is_empty() => {
                let inbox = folders.iter().find(|f| f.id.eq_ignore_ascii_case("INBOX"));
                let Some(delimiter) = inbox.and_then(|f| f.delimiter.clone()).filter(|d| !d.is_empty()) else {
                    return Err(e);
                };
                let nested = folder_id(&format!("INBOX{delimiter}{}", path_on_server(name, &folders)))?;
                self.session.create(&nested).await.map_err(|_| e)?;
                nested
            }
            Err(e) => return Err(e),
        };
        self.session.subscribe(&id).await.map_err(imap_error)?;
        Ok(id)
    }

    pub async fn rename_folder(&mut self, folder: &str, to: &str) -> Result<(), ApiError> {
        let folders = self.tree().await?;
        let to = folder_id(&path_on_server(to, &folders))?;
        self.leave(folder).await?;
        self.session.rename(folder, &to).await.map_err(imap_error)?;
        // Subscriptions follow the name on some servers and not on others; make sure.
        let _ = self.session.unsubscribe(folder).await;
        self.session.subscribe(&to).await.map_err(imap_error)
    }

    pub async fn delete_folder(&mut self, folder: &str) -> Result<(), ApiError> {
        if folder.eq_ignore_ascii_case("INBOX") {
            return Err(ApiError::new(ErrorKind::BadRequest, "the inbox cannot be deleted"));
        }
        self.leave(folder).await?;
        let _ = self.session.unsubscribe(folder).await;
        self.session.delete(folder).await.map_err(imap_error)
    }

    pub async fn subscribe(&mut self, folder: &str, subscribed: bool) -> Result<(), ApiError> {
        if subscribed {
            self.session.subscribe(folder).await.map_err(imap_error)
        } else {
            self.session.unsubscribe(folder).await.map_err(imap_error)
        }
    }

    /// Closes `folder` if it is selected: servers refuse to rename or delete it otherwise.
    async fn leave(&mut self, folder: &str) -> Result<(), ApiError> {
        if self.selected.as_deref() == Some(folder) {
            self.session.close().await.map_err(imap_error)?;
            self.selected = None;
            self.known = None;
        }
        Ok(())
    }

    /// Marks everything in `folder` read.
    pub async fn mark_folder_read(&mut self, folder: &str) -> Result<(), ApiError> {
        self.ensure_selected(folder).await?;
        self.store_range("1:*", "+FLAGS.SILENT (\\Seen)").await
    }

    /// Deletes everything in `folder` for good.
    pub async fn empty_folder(&mut self, folder: &str) -> Result<(), ApiError> {
        let mailbox = self.select(folder).await?;
        if mailbox.exists == 0 {
            return Ok(());
        }
        self.forget_state();
        self.store_range("1:*", "+FLAGS.SILENT (\\Deleted)").await?;
        // The whole folder goes, so a plain EXPUNGE removes nothing the user did not choose.
        let _: Vec<u32> = self.session.expunge().await.map_err(imap_error)?.try_collect().await.map_err(imap_error)?;
        Ok(())
    }

    /// The Content-Transfer-Encoding of one part, from its MIME header.
    pub async fn section_encoding(&mut self, folder: &str, uid: Uid, section: &str) -> Result<String, ApiError> {
        if section.is_empty() {
            // The whole message (an .eml): its bytes as they are.
            self.ensure_selected(folder).await?;
            return Ok("binary".to_owned());
        }
        let header = self.section_mime(folder, uid, section).await?;
        let header = String::from_utf8_lossy(&header);
        Ok(header
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim().eq_ignore_ascii_case("content-transfer-encoding").then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "7bit".to_owned()))
    }

    /// The MIME header of part `section` (not empty) as the server has it.
    pub async fn section_mime(&mut self, folder: &str, uid: Uid, section: &str) -> Result<Vec<u8>, ApiError> {
        let numbers = section_numbers(section)?;
        self.ensure_selected(folder).await?;
        let path = SectionPath::Part(numbers, Some(MessageSection::Mime));
        self.fetch_section(uid, &format!("BODY.PEEK[{section}.MIME]"), &path).await
    }

    /// At most `limit` bytes of part `section`'s encoded body, from its start.
    pub async fn section_prefix(&mut self, uid: Uid, section: &str, limit: u32) -> Result<Vec<u8>, ApiError> {
        self.section_chunk(uid, section, 0, limit).await
    }

    /// `len` bytes of a part's encoded body (of the whole message for section `""`) from
    /// `offset`; fewer at its end.
    pub async fn section_chunk(&mut self, uid: Uid, section: &str, offset: u64, len: u32) -> Result<Vec<u8>, ApiError> {
        if section.is_empty() {
            let fetch = self.fetch_one(uid, &format!("BODY.PEEK[]<{offset}.{len}>"), |f| f.body().is_some()).await?;
            return Ok(fetch.body().unwrap_or_default().to_vec());
        }
        let path = SectionPath::Part(section_numbers(section)?, None);
        self.fetch_section(uid, &format!("BODY.PEEK[{section}]<{offset}.{len}>"), &path).await
    }

    async fn fetch_section(&mut self, uid: Uid, item: &str, path: &SectionPath) -> Result<Vec<u8>, ApiError> {
        let fetch = self.fetch_one(uid, item, |f| f.section(path).is_some()).await?;
        Ok(fetch.section(path).unwrap_or_default().to_vec())
    }

    /// `UID FETCH` of one message in the selected folder.
    /// `answers` tells the reply that carries what was asked for from news of a flag change
    /// (another client's, RFC 3501 7.4.2) about the same message, which may come first.
    async fn fetch_one(&mut self, uid: Uid, items: &str, answers: impl Fn(&Fetch) -> bool) -> Result<Fetch, ApiError> {
        let fetches: Vec<Fetch> = self.uid_fetch_all(uid.to_string(), items).await?;
        let selected = self.selected.as_deref().unwrap_or("the folder");
        fetches
            .into_iter()
            .find(|f| f.uid == Some(uid) && answers(f))
            .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("no message with UID {uid} in {selected}")))
    }

    /// Every reply to `UID FETCH set items` (news of other clients' flag changes included:
    /// the caller keeps what answers it).
    pub(super) async fn uid_fetch_all(&mut self, set: impl AsRef<str>, items: &str) -> Result<Vec<Fetch>, ApiError> {
        self.session.uid_fetch(set, items).await.map_err(imap_error)?.try_collect().await.map_err(imap_error)
    }

    /// Hands over the raw session with `folder` selected, for IDLE (which consumes it), and
    /// how many messages the folder holds now.
    pub async fn into_session_on(mut self, folder: &str) -> Result<(Session<BoxedStream>, FolderMark), ApiError> {
        let mailbox = self.select(folder).await?;
        let mark = FolderMark { total: mailbox.exists, modseq: self.known_modseq() };
        Ok((self.session, mark))
    }

    /// Selects `folder` ahead of its listing (the inbox, right after sign-in, while the
    /// browser is still hearing that it signed in): the listing then finds it selected.
    pub async fn select_ahead(&mut self, folder: &str) {
        if let Err(e) = self.current(folder).await {
            tracing::debug!(folder, "selecting ahead failed: {}", e.message);
        }
    }

    /// Says goodbye politely, but never waits long for a server that is gone.
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.session.logout()).await;
    }
}

/// Where a folder stood when it was looked at: its size and, where the server keeps them, its
/// highest mod-sequence (any change to any message moves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderMark {
    pub total: u32,
    pub modseq: Option<u64>,
}

impl FolderMark {
    /// Whether the folder changed between `self` and `now`.
    pub fn changed_by(self, now: FolderMark) -> bool {
        self.total != now.total || matches!((self.modseq, now.modseq), (Some(a), Some(b)) if a != b)
    }
}

/// Keeps the selected folder's size current from an untagged update.
fn apply_update(known: &mut Option<KnownFolder>, response: &imap_proto::Response<'_>) {
    let Some(known) = known.as_mut() else { return };
    match response {
        imap_proto::Response::MailboxData(imap_proto::MailboxDatum::Exists(n)) => known.exists = *n,
        imap_proto::Response::Expunge(_) => known.exists = known.exists.saturating_sub(1),
        // With QRESYNC enabled expunges come as VANISHED; `(EARLIER)` ones answer a FETCH and
        // were counted already.
        imap_proto::Response::Vanished { earlier: false, uids } => {
            known.exists = known.exists.saturating_sub(uid_count(uids));
        }
        // With CONDSTORE on, every FETCH reply carries its message's MODSEQ (RFC 7162 3.1.4):
        // the server has told everything up to the highest one seen.
        imap_proto::Response::Fetch(_, attributes) => {
            for attribute in attributes {
                if let imap_proto::AttributeValue::ModSeq(modseq) = attribute {
                    known.highest_modseq = known.highest_modseq.max(Some(*modseq));
                }
            }
        }
        _ => {}
    }
}

/// How many UIDs a VANISHED set names.
fn uid_count(ranges: &[std::ops::RangeInclusive<u32>]) -> u32 {
    ranges.iter().map(|r| r.end().saturating_sub(*r.start()) + 1).sum()
}

/// A folder as LIST tells it, counts still to come.
fn folder_entry(id: &str, delimiter: Option<&str>, attributes: &[NameAttribute<'_>], subscribed: bool) -> Folder {
    let role = folder_role(id, attributes);
    Folder {
        total: None,
        unread: None,
        // A folder with a role is shown whether subscribed or not (Cyrus creates them unsubscribed).
        subscribed: subscribed || role.is_some(),
        name: super::mutf7::decode(id),
        delimiter: delimiter.map(str::to_owned),
        selectable: !attributes.contains(&NameAttribute::NoSelect),
        role,
        id: id.to_owned(),
    }
}

/// The server's path for a folder path the user typed ("Parent/Name"): `/` stands for the
/// server's hierarchy delimiter, and a path outside the personal namespace goes under its prefix
/// (`INBOX.` on Courier-style servers, which refuse top-level names).
fn path_on_server(typed: &str, folders: &[Folder]) -> String {
    let typed = typed.trim();
    let delimiter = folders
        .iter()
        .find(|f| f.id.eq_ignore_ascii_case("INBOX"))
        .or(folders.first())
        .and_then(|f| f.delimiter.as_deref())
        .filter(|d| !d.is_empty())
        .unwrap_or("/");
    let path = typed.split('/').filter(|part| !part.is_empty()).collect::<Vec<_>>().join(delimiter);
    let prefix = super::mutf7::decode(&folder_roles::personal_prefix(folders));
    // `get`: a name whose first bytes end inside a character (non-ASCII) is simply not inside.
    let inside = |p: &str| p.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(&prefix));
    if prefix.is_empty() || inside(&path) || path.eq_ignore_ascii_case("INBOX") {
        path
    } else {
        format!("{prefix}{path}")
    }
}

/// The server's name (modified UTF-7, RFC 3501 5.1.3) for a folder path as the user typed it.
fn folder_id(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.contains(['\r', '\n', '\0', '*', '%']) {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("not a usable folder name: {name:?}")));
    }
    Ok(super::mutf7::encode(name))
}

/// `1.2` → `[1, 2]`; refuses anything else, so only numbers reach the command.
pub(crate) fn section_numbers(section: &str) -> Result<Vec<u32>, ApiError> {
    section
        .split('.')
        .map(|n| n.parse::<u32>().ok().filter(|n| *n > 0))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("not a message part: {section:?}")))
}

/// `1:3,7,9:10` for UIDs 1, 2, 3, 7, 9, 10 — numbers only, so nothing else can reach the
/// command, and short enough for thousands of them.
pub(super) fn uid_set(uids: &[Uid]) -> Result<String, ApiError> {
    if uids.is_empty() {
        return Err(ApiError::new(ErrorKind::BadRequest, "no messages chosen"));
    }
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<String> = Vec::new();
    let mut iter = sorted.into_iter().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end = iter.next().expect("peeked");
        }
        ranges.push(if start == end { start.to_string() } else { format!("{start}:{end}") });
    }
    Ok(ranges.join(","))
}

/// Signs in with an OAuth access token: OAUTHBEARER where the server offers it, else XOAUTH2.
/// A refusal is told in words from the server's RFC 7628 error challenge.
async fn bearer_login<T>(
    mut client: Client<T>,
    upstream: &Upstream,
    username: &str,
    token: &str,
) -> Result<Session<T>, ApiError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let offered = offered_mechanisms(&mut client).await?;
    let mechanism = BearerMechanism::choose(&offered, upstream.endpoint.oauth_mechanism).ok_or_else(|| {
        ApiError::new(ErrorKind::AuthFailed, format!("{} does not offer OAuth sign-in", upstream.label()))
    })?;
    let endpoint = &upstream.endpoint;
    let initial = mechanism.initial_response(username, token, &endpoint.host, endpoint.port);
    let mut exchange = BearerExchange { mechanism, initial: Some(initial), refusal: None };
    match client.authenticate(mechanism.name(), &mut exchange).await {
        Ok(session) => Ok(session),
        Err((async_imap::error::Error::No(text), _)) => {
            let words = exchange.refusal.unwrap_or_else(|| server_words(&text));
            Err(ApiError::new(ErrorKind::AuthFailed, format!("{}: {words}", upstream.label())))
        }
        Err((other, _)) => Err(imap_error(other)),
    }
}

/// The SASL mechanisms a server offers before sign-in (`AUTH=` capabilities).
async fn offered_mechanisms<T>(client: &mut Client<T>) -> Result<Vec<String>, ApiError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let (sender, receiver) = async_channel::bounded(16);
    client.run_command_and_check_ok("CAPABILITY", Some(sender)).await.map_err(imap_error)?;
    let mut offered = Vec::new();
    while let Ok(async_imap::types::UnsolicitedResponse::Other(data)) = receiver.try_recv() {
        if let imap_proto::Response::Capabilities(capabilities) = data.parsed() {
            offered.extend(capabilities.iter().filter_map(|c| match c {
                imap_proto::Capability::Auth(name) => Some(name.to_string()),
                _ => None,
            }));
        }
    }
    Ok(offered)
}

/// One bearer-token SASL exchange: the initial response, then (only on failure) the server's
/// error challenge, kept to tell the user why.
struct BearerExchange {
    mechanism: BearerMechanism,
    initial: Option<String>,
    refusal: Option<String>,
}

impl async_imap::Authenticator for &mut BearerExchange {
    type Response = String;

    fn process(&mut self, challenge: &[u8]) -> String {
        match self.initial.take() {
            Some(initial) => initial,
            None => {
                self.refusal = bearer_error(challenge);
                self.mechanism.after_error().to_owned()
            }
        }
    }
}

async fn read_greeting<T>(client: &mut Client<T>, upstream: &Upstream) -> Result<(), ApiError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let greeting = client
        .read_response()
        .await
        .map_err(|e| ApiError::new(ErrorKind::Unreachable, format!("{}: {e}", upstream.label())))?
        .ok_or_else(|| ApiError::new(ErrorKind::Unreachable, format!("{} closed the connection", upstream.label())))?;
    match greeting.parsed() {
        imap_proto::Response::Data { status: imap_proto::Status::Ok, .. } => Ok(()),
        other => Err(ApiError::new(
            ErrorKind::Refused,
            format!("{} did not greet as an IMAP server: {other:?}", upstream.label()),
        )),
    }
}

fn flags_of(fetch: &Fetch) -> Flags {
    flags_from(fetch.flags())
}

/// The flags the browser shows, from IMAP's.
pub(super) fn flags_from<'a>(imap_flags: impl Iterator<Item = Flag<'a>>) -> Flags {
    let mut flags = Flags::default();
    let mut keywords = Vec::new();
    for flag in imap_flags {
        match flag {
            Flag::Seen => flags.seen = true,
            Flag::Answered => flags.answered = true,
            Flag::Flagged => flags.flagged = true,
            Flag::Draft => flags.draft = true,
            Flag::Deleted => flags.deleted = true,
            Flag::Custom(keyword) => keywords.push(keyword.into_owned()),
            _ => {}
        }
    }
    flags.send_at = super::imap_schedule::send_at_in(&keywords);
    flags
}

fn folder_role(id: &str, attributes: &[NameAttribute<'_>]) -> Option<FolderRole> {
    if id.eq_ignore_ascii_case("INBOX") {
        return Some(FolderRole::Inbox);
    }
    attributes.iter().find_map(|a| match a {
        NameAttribute::Drafts => Some(FolderRole::Drafts),
        NameAttribute::Sent => Some(FolderRole::Sent),
        NameAttribute::Trash => Some(FolderRole::Trash),
        NameAttribute::Junk => Some(FolderRole::Junk),
        NameAttribute::Archive => Some(FolderRole::Archive),
        NameAttribute::All => Some(FolderRole::All),
        NameAttribute::Flagged => Some(FolderRole::Flagged),
        _ => None,
    })
}

fn role_rank(role: FolderRole) -> u8 {
    match role {
        FolderRole::Inbox => 0,
        FolderRole::Drafts => 1,
        FolderRole::Sent => 2,
        FolderRole::Archive => 3,
        FolderRole::Junk => 4,
        FolderRole::Trash => 5,
        FolderRole::Flagged => 6,
        FolderRole::All => 7,
    }
}

/// A quota root's limits as the protocol has them (storage and messages; other resources are
/// the server's own business).
fn quota_of(quota: &async_imap::types::Quota) -> Quota {
    use async_imap::types::QuotaResourceName;
    let find = |wanted: QuotaResourceName| {
        quota
            .resources
            .iter()
            .find(|r| r.name == wanted && r.limit > 0)
            .map(|r| QuotaUse { used: r.usage, limit: r.limit })
    };
    Quota { storage: find(QuotaResourceName::Storage), messages: find(QuotaResourceName::Message) }
}

/// Maps an async-imap error to what the user should read.
pub(crate) fn imap_error(e: async_imap::error::Error) -> ApiError {
    use async_imap::error::Error;
    match e {
        // RFC 9208's response code: the mailbox is full, not the command wrong.
        Error::No(text) if text.contains("OVERQUOTA") => ApiError::new(ErrorKind::OverQuota, server_words(&text)),
        Error::No(text) => ApiError::new(ErrorKind::Refused, server_words(&text)),
        Error::Bad(text) => {
            ApiError::new(ErrorKind::Protocol, format!("server rejected the command: {}", server_words(&text)))
        }
        Error::Io(e) => ApiError::new(ErrorKind::ConnectionLost, format!("connection to the IMAP server failed: {e}")),
        Error::ConnectionLost => ApiError::new(ErrorKind::ConnectionLost, "the IMAP server closed the connection"),
        Error::Validate(e) => ApiError::new(ErrorKind::BadRequest, e.to_string()),
        other => ApiError::new(ErrorKind::Protocol, format!("unexpected IMAP reply: {other}")),
    }
}

/// The server's own words from an async-imap NO/BAD error, which holds them in Rust debug
/// format (`code: None, info: Some("Login failed.")`, or a whole debugged response): the
/// `info`/`information` text, unescaped; else the response code's name; else the text as is.
pub(crate) fn server_words(text: &str) -> String {
    for key in ["info: Some(\"", "information: Some(\""] {
        if let Some(start) = text.find(key) {
            if let Some(words) = debug_string(&text[start + key.len()..]) {
                return words;
            }
        }
    }
    // `code: Some(Other("OVERQUOTA", None))`, `code: Some(Alert)`
    if let Some(code) = text.strip_prefix("code: Some(").and_then(|rest| rest.split([',', ')']).next()) {
        let code = code.trim_start_matches("Other(").trim_matches('"');
        if !code.is_empty() {
            return format!("[{}]", code.to_ascii_uppercase());
        }
    }
    text.to_owned()
}

/// The string a Rust debug-formatted literal starts at `rest` (after its opening quote).
fn debug_string(rest: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '0' => out.push('\0'),
                'u' => {
                    let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                    out.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::fake_server;

    #[test]
    fn a_folder_shows_its_decoded_name_and_keeps_the_servers_for_requests() {
        let japanese = folder_entry("INBOX.&ZeVnLIqe-", Some("."), &[], true);
        assert_eq!((japanese.id.as_str(), japanese.name.as_str()), ("INBOX.&ZeVnLIqe-", "INBOX.日本語"));
        // Not valid modified UTF-7 (a server that did not encode `&`): listed as sent.
        let sloppy = folder_entry("AT&T-Bills", Some("/"), &[], true);
        assert_eq!(sloppy.name, "AT&T-Bills");
        assert_eq!(folder_id("日本語/Q&A").unwrap(), "&ZeVnLIqe-/Q&-A");
    }

    #[test]
    fn typed_paths_use_the_servers_delimiter_and_prefix() {
        let folder = |id: &str, delimiter: &str| Folder {
            id: id.into(),
            name: id.into(),
            delimiter: Some(delimiter.into()),
            role: None,
            subscribed: true,
            selectable: true,
            total: None,
            unread: None,
        };
        let courier = [folder("INBOX", "."), folder("INBOX.Sent", ".")];
        assert_eq!(path_on_server("Projects/2026", &courier), "INBOX.Projects.2026");
        assert_eq!(path_on_server("INBOX.Projects", &courier), "INBOX.Projects");
        assert_eq!(path_on_server("inbox.Projects", &courier), "inbox.Projects");
        let dovecot = [folder("INBOX", "/"), folder("Sent", "/")];
        assert_eq!(path_on_server(" Projects//2026/ ", &dovecot), "Projects/2026");
        let dotted = [folder("INBOX", "."), folder("Sent", ".")];
        assert_eq!(path_on_server("a/b", &dotted), "a.b");
        // Non-ASCII names whose bytes do not end on a character where the prefix does.
        assert_eq!(path_on_server("abcdeé", &courier), "INBOX.abcdeé");
        assert_eq!(path_on_server("受信箱/仕事", &courier), "INBOX.受信箱.仕事");
    }

    #[test]
    fn the_servers_words_not_rust_debug_output() {
        assert_eq!(server_words(r#"code: None, info: Some("Login failed.")"#), "Login failed.");
        assert_eq!(
            server_words(
                r#"code: Some(Other("AUTHENTICATIONFAILED", None)), info: Some("Authentication \"failed\".")"#
            ),
            "Authentication \"failed\"."
        );
        assert_eq!(server_words(r#"code: Some(Other("OVERQUOTA", None)), info: None"#), "[OVERQUOTA]");
        assert_eq!(
            server_words(r#"code: None, info: Some("メールボックスがありません\u{1f4ec}")"#),
            "メールボックスがありません📬"
        );
        assert_eq!(
            server_words(
                r#"outcome: Done { tag: RequestId("A3"), status: No, code: None, information: Some("Mailbox doesn't exist: x") }"#
            ),
            "Mailbox doesn't exist: x"
        );
        assert_eq!(server_words("plain words"), "plain words");
    }

    #[tokio::test]
    async fn a_server_refusing_starttls_gets_no_password() {
        let (upstream, server) =
            fake_server::start(&["* OK fake IMAP\r\n", "a1 BAD STARTTLS not supported here\r\n"]).await;
        let err = ImapConnection::login(&upstream, "alice", &Proof::Password("secret-password".into()))
            .await
            .err()
            .expect("refused");
        assert_eq!(err.kind, ErrorKind::Tls);
        assert!(err.message.contains("not sending the password in clear"), "{err:?}");
        let heard = server.await.unwrap();
        assert!(!heard.contains("LOGIN") && !heard.contains("secret"), "the client said: {heard}");
    }

    #[tokio::test]
    async fn replies_injected_before_the_handshake_never_count() {
        // The go-ahead and a forged "logged in" in one packet; the forgery is dropped with the
        // plain-text client, and the handshake with this non-TLS server fails.
        let (upstream, server) =
            fake_server::start(&["* OK fake IMAP\r\n", "a1 OK begin TLS\r\na2 OK LOGIN completed\r\n"]).await;
        let err = ImapConnection::login(&upstream, "alice", &Proof::Password("secret-password".into()))
            .await
            .err()
            .expect("refused");
        assert!(matches!(err.kind, ErrorKind::Tls | ErrorKind::ConnectionLost | ErrorKind::Unreachable), "{err:?}");
        let heard = server.await.unwrap();
        assert!(!heard.contains("secret"), "the client said: {heard}");
    }

    /// What another client's flag changes look like in the middle of our FETCH: a reply with
    /// flags alone, for another message or for the same one, ahead of the real answer.
    const FLAG_NEWS_SCRIPT: &[&str] = &[
        "* OK fake IMAP\r\n",
        "A0001 OK LOGIN completed\r\n",
        "* CAPABILITY IMAP4rev1\r\nA0002 OK done\r\n",
        "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA0003 OK [READ-WRITE] SELECT done\r\n",
        "* SEARCH 2\r\nA0004 OK done\r\n",
        "* 3 FETCH (UID 9 FLAGS (\\Seen))\r\n\
         * 2 FETCH (UID 2 FLAGS () RFC822.SIZE 40 INTERNALDATE \"03-Dec-2026 10:00:00 +0000\" \
         BODY[HEADER.FIELDS (DATE FROM SUBJECT CONTENT-TYPE)] {18}\r\nSubject: asked\r\n\r\n)\r\nA0005 OK done\r\n",
        "* 2 FETCH (UID 2 FLAGS (\\Flagged))\r\n\
         * 2 FETCH (UID 2 FLAGS (\\Seen \\Flagged) BODY[] {28}\r\nSubject: asked\r\n\r\nthe text\r\n)\r\nA0006 OK done\r\n",
        "* BYE\r\nA0007 OK done\r\n",
    ];

    #[tokio::test]
    async fn another_clients_flag_changes_are_not_taken_for_answers() {
        let (upstream, server) = fake_server::start_with(Security::Plain, FLAG_NEWS_SCRIPT).await;
        let mut imap = match ImapConnection::login(&upstream, "alice", &Proof::Password("pw".into())).await {
            Ok(imap) => imap,
            Err(e) => panic!("{e:?}; the client said {}", server.await.unwrap()),
        };
        let query = SearchQuery { subject: Some("asked".into()), ..SearchQuery::default() };
        let page = match imap.search("INBOX", &query, 5).await {
            Ok(page) => page,
            Err(e) => panic!("{e:?}; the client said {}", server.await.unwrap()),
        };
        let rows: Vec<(Uid, &str)> = page.messages.iter().map(|m| (m.uid, m.subject.as_str())).collect();
        assert_eq!(rows, [(2, "asked")]);
        let view = imap.get_message("INBOX", 2).await.unwrap();
        assert_eq!(view.subject, "asked");
        assert_eq!(view.text.trim(), "the text");
        drop(imap);
        let heard = server.await.unwrap();
        assert!(heard.contains("UID FETCH 2 (UID FLAGS BODY[])"), "{heard}");
    }
}
