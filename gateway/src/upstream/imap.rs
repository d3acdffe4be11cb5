//! IMAP (RFC 3501) through async-imap: connect with TLS or STARTTLS, log in, list folders,
//! list a window of messages, fetch one message.
//!
//! async-imap quotes the strings it is given for LOGIN/SELECT and rejects CR/LF in them; the
//! only strings this module puts into commands itself are numbers and fixed item lists.

use async_imap::imap_proto::{self, NameAttribute};
use async_imap::types::{Fetch, Flag};
use async_imap::{Client, Session};
use futures::TryStreamExt;
use yubin_protocol::{ApiError, ErrorKind, Flags, Folder, FolderRole, MessagePage, MessageView, Uid};

use super::net::{BoxedStream, Upstream};
use crate::config::Security;
use crate::mime;

/// The header fields the message list needs; fetched instead of ENVELOPE so that raw 8-bit and
/// RFC 2047/2231 encoded headers are decoded by the same MIME code as whole messages.
const LIST_HEADERS: &str = "DATE FROM SUBJECT CONTENT-TYPE";

pub struct ImapConnection {
    session: Session<BoxedStream>,
    selected: Option<String>,
}

impl ImapConnection {
    /// Connects, secures the connection as configured and logs in.
    ///
    /// With STARTTLS the password is sent only after the TLS handshake succeeded; if the server
    /// does not offer STARTTLS the login is refused. Whatever the server sent before the
    /// handshake is dropped with the plain-text client, so it cannot be mistaken for a reply
    /// inside TLS (STARTTLS response injection).
    pub async fn login(upstream: &Upstream, username: &str, password: &str) -> Result<Self, ApiError> {
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
        let session = client.login(username, password).await.map_err(|(e, _)| match e {
            async_imap::error::Error::No(text) => ApiError::new(ErrorKind::AuthFailed, text),
            other => imap_error(other),
        })?;
        Ok(Self {
            session,
            selected: None,
        })
    }

    pub async fn list_folders(&mut self) -> Result<Vec<Folder>, ApiError> {
        let names: Vec<_> = self
            .session
            .list(Some(""), Some("*"))
            .await
            .map_err(imap_error)?
            .try_collect()
            .await
            .map_err(imap_error)?;
        let mut folders: Vec<Folder> = names
            .iter()
            .map(|name| {
                let id = name.name().to_owned();
                let role = folder_role(&id, name.attributes());
                Folder {
                    name: utf7_imap::decode_utf7_imap(id.clone()),
                    delimiter: name.delimiter().map(str::to_owned),
                    selectable: !name.attributes().contains(&NameAttribute::NoSelect),
                    role,
                    id,
                }
            })
            .collect();
        // INBOX first, then the other special folders in a familiar order, then the rest by name.
        folders.sort_by_key(|f| (f.role.map_or(u8::MAX, role_rank), f.name.to_lowercase()));
        Ok(folders)
    }

    /// The newest messages of `folder`, newest first, skipping `offset`.
    pub async fn list_messages(&mut self, folder: &str, offset: u32, limit: u32) -> Result<MessagePage, ApiError> {
        let mailbox = self.session.select(folder).await.map_err(imap_error)?;
        self.selected = Some(folder.to_owned());
        let total = mailbox.exists;
        let mut page = MessagePage {
            folder: folder.to_owned(),
            total,
            uid_validity: mailbox.uid_validity,
            offset,
            messages: Vec::new(),
        };
        let Some(newest) = total.checked_sub(offset).filter(|n| *n > 0) else {
            return Ok(page);
        };
        let oldest = newest.saturating_sub(limit.max(1) - 1).max(1);
        let query = format!("(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS ({LIST_HEADERS})])");
        let fetches: Vec<Fetch> = self
            .session
            .fetch(format!("{oldest}:{newest}"), query)
            .await
            .map_err(imap_error)?
            .try_collect()
            .await
            .map_err(imap_error)?;
        let mut rows: Vec<_> = fetches
            .iter()
            .filter_map(|f| {
                let uid = f.uid?;
                let arrival = f.internal_date().map(|d| d.timestamp());
                let summary = mime::summary(uid, f.header().unwrap_or_default(), flags_of(f), f.size.unwrap_or(0), arrival);
                Some((f.message, summary))
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0));
        page.messages = rows.into_iter().map(|(_, s)| s).collect();
        Ok(page)
    }

    /// Fetches and parses one message; fetching `BODY[]` marks it \Seen, as opening it should.
    pub async fn get_message(&mut self, folder: &str, uid: Uid) -> Result<MessageView, ApiError> {
        if self.selected.as_deref() != Some(folder) {
            self.session.select(folder).await.map_err(imap_error)?;
            self.selected = Some(folder.to_owned());
        }
        let fetches: Vec<Fetch> = self
            .session
            .uid_fetch(uid.to_string(), "(UID FLAGS BODY[])")
            .await
            .map_err(imap_error)?
            .try_collect()
            .await
            .map_err(imap_error)?;
        let fetch = fetches
            .iter()
            .find(|f| f.uid == Some(uid) && f.body().is_some())
            .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("no message with UID {uid} in {folder}")))?;
        let mut flags = flags_of(fetch);
        flags.seen = true;
        mime::view(folder, uid, flags, fetch.body().unwrap_or_default())
    }

    pub async fn logout(mut self) {
        let _ = self.session.logout().await;
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
    let mut flags = Flags::default();
    for flag in fetch.flags() {
        match flag {
            Flag::Seen => flags.seen = true,
            Flag::Answered => flags.answered = true,
            Flag::Flagged => flags.flagged = true,
            Flag::Draft => flags.draft = true,
            Flag::Deleted => flags.deleted = true,
            _ => {}
        }
    }
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

/// Maps an async-imap error to what the user should read.
fn imap_error(e: async_imap::error::Error) -> ApiError {
    use async_imap::error::Error;
    match e {
        Error::No(text) => ApiError::new(ErrorKind::Refused, text),
        Error::Bad(text) => ApiError::new(ErrorKind::Protocol, format!("server rejected the command: {text}")),
        Error::Io(e) => ApiError::new(ErrorKind::ConnectionLost, format!("connection to the IMAP server failed: {e}")),
        Error::ConnectionLost => ApiError::new(ErrorKind::ConnectionLost, "the IMAP server closed the connection"),
        Error::Validate(e) => ApiError::new(ErrorKind::BadRequest, e.to_string()),
        other => ApiError::new(ErrorKind::Protocol, format!("unexpected IMAP reply: {other}")),
    }
}
