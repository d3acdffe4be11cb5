//! CardDAV (RFC 6352) to the account's address books: libdav builds the WebDAV requests and
//! reads the replies; this module is the HTTP client it calls. That client reaches only the
//! operator's configured host and port (a redirect elsewhere is refused, not followed), over
//! the same verified TLS as every mail server, with the account's credentials, a time limit and
//! a cap on what a reply may hold. One connection is kept for the requests of one operation.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{AUTHORIZATION, USER_AGENT};
use http::{HeaderValue, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use libdav::carddav::{CreateAddressBook, FindAddressBookHomeSet, FindAddressBooks, GetAddressBookResources};
use libdav::dav::{
    Delete, FindPropertyHrefs, ListResources, PutResource, RequestError, SyncCollection, WebDavClient, WebDavError,
};
use libdav::{names, CardDavClient};
use tokio::sync::Mutex;
use yubin_protocol::{ApiError, ErrorKind};

use super::net::{BoxedStream, Upstream};
use super::sasl::Proof;
use crate::config::{CardDavConfig, ConfigError, Security};

/// The longest one request may take, reply included.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The most one reply may hold: a sync listing of 10,000 cards is ~2 MB, a multiget of 100
/// cards with photos a few MB.
const MAX_REPLY: usize = 32 << 20;

/// A configured CardDAV server, prepared for connecting.
pub struct CardDavUpstream {
    upstream: Arc<Upstream>,
    /// What the operator wrote: the host, and the path to start from.
    url: url::Url,
}

/// A CardDAV client for one account and operation, with the requests Yubin makes.
pub struct Client {
    dav: CardDavClient<DavHttp>,
    upstream: Arc<Upstream>,
    label: String,
}

/// A card's path and version.
pub struct Listed {
    pub href: String,
    pub etag: String,
}

/// What a sync found.
pub struct Synced {
    pub token: Option<String>,
    pub changed: Vec<Listed>,
    pub removed: Vec<String>,
    pub complete: bool,
}

impl CardDavUpstream {
    pub fn new(config: &CardDavConfig) -> Result<Self, ConfigError> {
        let (url, endpoint) = config.endpoint()?;
        Ok(Self { upstream: Arc::new(Upstream::new(&endpoint, "carddav")?), url })
    }

    /// The path the operator gave: the root when it names only the host.
    pub fn start_path(&self) -> &str {
        self.url.path()
    }

    /// A client signed in as `username` with `proof`, based at the configured URL.
    pub fn client(&self, username: &str, proof: &Proof) -> Result<Client, ApiError> {
        let authorization = match proof {
            Proof::Password(password) => {
                use base64::Engine as _;
                let pair = format!("{username}:{}", password.expose());
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
            }
            Proof::Bearer(token) => format!("Bearer {}", token.expose()),
        };
        let mut authorization = HeaderValue::from_str(&authorization)
            .map_err(|_| ApiError::new(ErrorKind::BadRequest, "the user name cannot be sent to the contacts server"))?;
        authorization.set_sensitive(true);
        let base: Uri = self
            .url
            .as_str()
            .parse()
            .map_err(|e| ApiError::new(ErrorKind::Internal, format!("contacts server URL: {e}")))?;
        let http = DavHttp {
            upstream: self.upstream.clone(),
            scheme: self.url.scheme().to_owned(),
            authorization,
            connection: Arc::new(Mutex::new(None)),
        };
        Ok(Client {
            dav: CardDavClient::new(WebDavClient::new(base, http)),
            upstream: self.upstream.clone(),
            label: self.label(),
        })
    }

    pub fn label(&self) -> String {
        self.upstream.label()
    }
}

/// The error of one HTTP exchange, as the user will read it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DavHttpError(pub ApiError);

/// libdav's HTTP client: to the one allowed server, with the account's authorization.
#[derive(Clone)]
pub struct DavHttp {
    upstream: Arc<Upstream>,
    scheme: String,
    authorization: HeaderValue,
    connection: Arc<Mutex<Option<SendRequest<Full<Bytes>>>>>,
}

type Reply = http::Response<Full<Bytes>>;

impl tower_service::Service<http::Request<String>> for DavHttp {
    type Response = Reply;
    type Error = DavHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Reply, DavHttpError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), DavHttpError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<String>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let label = this.upstream.label();
            tokio::time::timeout(TIMEOUT, this.send(request))
                .await
                .unwrap_or_else(|_| Err(ApiError::new(ErrorKind::Unreachable, format!("{label} did not answer"))))
                .map_err(DavHttpError)
        })
    }
}

impl DavHttp {
    async fn send(&self, request: http::Request<String>) -> Result<Reply, ApiError> {
        let (mut parts, body) = request.into_parts();
        let endpoint = &self.upstream.endpoint;
        let same_server = parts.uri.scheme_str().is_none_or(|s| s == self.scheme)
            && parts.uri.host().is_none_or(|h| h.trim_matches(['[', ']']).eq_ignore_ascii_case(&endpoint.host))
            && parts.uri.port_u16().unwrap_or(endpoint.port) == endpoint.port;
        if !same_server {
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!("the contacts server sent the gateway to {}, which the operator has not allowed", parts.uri),
            ));
        }
        super::https::to_origin_form(&mut parts, &format!("{}:{}", endpoint.host, endpoint.port))
            .map_err(|e| self.failed(&e))?;
        parts.headers.insert(AUTHORIZATION, self.authorization.clone());
        parts.headers.insert(USER_AGENT, HeaderValue::from_static("Yubin"));
        // A kept connection the server closed meanwhile fails before anything is sent: such a
        // request goes again on a new one.
        let mut connection = self.connection.lock().await;
        let reused = connection.as_mut().is_some_and(|c| !c.is_closed());
        let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let retry = reused.then(|| clone_request(&request));
        let response = match (self.exchange(&mut connection, request).await, retry) {
            (Err(e), Some(again)) if e.kind == ErrorKind::ConnectionLost => {
                *connection = None;
                self.exchange(&mut connection, again).await?
            }
            (other, _) => other?,
        };
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_REPLY).collect().await.map_err(|e| self.failed(&*e))?.to_bytes();
        Ok(http::Response::from_parts(parts, Full::new(body)))
    }

    async fn exchange(
        &self,
        connection: &mut Option<SendRequest<Full<Bytes>>>,
        request: http::Request<Full<Bytes>>,
    ) -> Result<http::Response<hyper::body::Incoming>, ApiError> {
        if connection.as_ref().is_none_or(|c| c.is_closed()) {
            *connection = Some(self.connect().await?);
        }
        let sender = connection.as_mut().ok_or_else(|| self.failed(&"no connection"))?;
        sender.ready().await.map_err(|e| self.lost(&e))?;
        sender.send_request(request).await.map_err(|e| self.lost(&e))
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, ApiError> {
        let tcp = self.upstream.connect_tcp().await?;
        let stream: BoxedStream = match self.upstream.endpoint.security {
            Security::Plain => Box::new(tcp),
            Security::Tls | Security::Starttls => Box::new(self.upstream.handshake(tcp).await?),
        };
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| self.failed(&e))?;
        // Ends with the connection: when the sender is dropped, or the server closes it.
        tokio::spawn(connection);
        Ok(sender)
    }

    fn failed(&self, error: &dyn std::fmt::Display) -> ApiError {
        ApiError::new(ErrorKind::Protocol, format!("{}: {error}", self.upstream.label()))
    }

    fn lost(&self, error: &dyn std::fmt::Display) -> ApiError {
        ApiError::new(ErrorKind::ConnectionLost, format!("{}: {error}", self.upstream.label()))
    }
}

fn clone_request(request: &http::Request<Full<Bytes>>) -> http::Request<Full<Bytes>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

impl Client {
    /// The account's address books: `(path, display name, syncs)`, found from `start` (the
    /// configured path): RFC 6764's well-known path where it is the root, then the user's
    /// principal (RFC 5397) and its address-book home set (RFC 6352 §7.1.1).
    pub async fn address_books(&self, start: &str) -> Result<Vec<(String, Option<String>, bool)>, ApiError> {
        let mut books = Vec::new();
        for home in self.homes(start).await? {
            let found = self.dav.request(FindAddressBooks::new(&home)).await.map_err(|e| self.error(e))?;
            for book in found.addressbooks {
                let name =
                    book.properties.iter().find(|(p, _)| **p == names::DISPLAY_NAME).and_then(|(_, v)| v.clone());
                if !books.iter().any(|(href, _, _)| *href == book.href) {
                    books.push((book.href, name.filter(|n| !n.trim().is_empty()), book.supports_sync));
                }
            }
        }
        Ok(books)
    }

    /// Where the user's address books are kept (the first is where a new one goes).
    pub async fn homes(&self, start: &str) -> Result<Vec<String>, ApiError> {
        let mut starts = vec![start.to_owned()];
        if start.is_empty() || start == "/" {
            let endpoint = &self.upstream.endpoint;
            let service = if endpoint.security == Security::Plain {
                libdav::sd::DiscoverableService::CardDav
            } else {
                libdav::sd::DiscoverableService::CardDavs
            };
            // A server without the well-known path serves CardDAV from the root; one whose
            // redirects end somewhere that is not DAV (Radicale's web page) too.
            if let Ok(Some(found)) = self.dav.find_context_path(service, &endpoint.host, endpoint.port).await {
                starts.insert(0, found.path().to_owned());
            }
        }
        let mut failure = None;
        for start in starts {
            match self.dav.request(FindPropertyHrefs::new(&start, &names::CURRENT_USER_PRINCIPAL)).await {
                Ok(found) => {
                    let principal = found.hrefs.first().map_or_else(|| start.clone(), |uri| uri.path().to_owned());
                    let homes =
                        self.dav.request(FindAddressBookHomeSet::new(&principal)).await.map_err(|e| self.error(e))?;
                    let homes: Vec<String> = homes.home_sets.iter().map(|uri| uri.path().to_owned()).collect();
                    return Ok(if homes.is_empty() { vec![start] } else { homes });
                }
                Err(e) => failure = Some(self.error(e)),
            }
        }
        Err(failure.unwrap_or_else(|| ApiError::new(ErrorKind::Protocol, format!("{}: no address books", self.label))))
    }

    /// Makes an address book at `path` named `name`.
    pub async fn create_book(&self, path: &str, name: &str) -> Result<(), ApiError> {
        self.dav.request(CreateAddressBook::new(path).with_display_name(name)).await.map_err(|e| self.error(e))?;
        Ok(())
    }

    /// What changed in `book` since `token`; every card's version when there is no token, the
    /// server no longer knows it, or the server has no sync-collection.
    pub async fn sync(&self, book: &str, token: Option<&str>) -> Result<Synced, ApiError> {
        let request = match token {
            Some(token) => SyncCollection::new(book).with_sync_token(token),
            None => SyncCollection::new(book),
        };
        let is_card = |href: &str| href != book && !href.ends_with('/');
        match self.dav.request(request).await {
            Ok(sync) => Ok(Synced {
                token: Some(sync.new_sync_token).filter(|t| !t.is_empty()),
                changed: sync.changed.into_iter().filter(|r| is_card(&r.href)).map(listed).collect(),
                removed: sync.deleted.into_iter().filter(|h| is_card(h)).collect(),
                complete: token.is_none(),
            }),
            Err(e) => {
                let error = self.error(e);
                if token.is_some()
                    && matches!(error.kind, ErrorKind::Conflict | ErrorKind::Refused | ErrorKind::BadRequest)
                {
                    // The token is no longer valid: start again.
                    return Box::pin(self.sync(book, None)).await;
                }
                if !matches!(error.kind, ErrorKind::Refused | ErrorKind::BadRequest) {
                    return Err(error);
                }
                let all = self.dav.request(ListResources::new(book)).await.map_err(|e| self.error(e))?;
                Ok(Synced {
                    token: None,
                    changed: all.resources.into_iter().filter(|r| is_card(&r.href)).map(listed).collect(),
                    removed: Vec::new(),
                    complete: true,
                })
            }
        }
    }

    /// The cards at `hrefs`: `(href, etag, text)`; a card gone meanwhile is left out.
    pub async fn fetch(&self, book: &str, hrefs: &[String]) -> Result<Vec<(String, String, String)>, ApiError> {
        let fetched =
            self.dav.request(GetAddressBookResources::new(book).with_hrefs(hrefs)).await.map_err(|e| self.error(e))?;
        Ok(fetched
            .resources
            .into_iter()
            .filter_map(|r| r.content.ok().map(|content| (r.href, content.etag, content.data)))
            .collect())
    }

    /// Stores `text` at `href`: only if nothing is there (`etag` `None`), else only over version
    /// `etag`. The new version, if the server said it.
    pub async fn put(&self, href: &str, text: String, etag: Option<&str>) -> Result<Option<String>, ApiError> {
        const VCARD: &str = "text/vcard; charset=utf-8";
        let stored = match etag {
            None => self.dav.request(PutResource::new(href).create(text, VCARD)).await,
            Some(etag) => self.dav.request(PutResource::new(href).update(text, VCARD, etag)).await,
        };
        Ok(stored.map_err(|e| self.error(e))?.etag)
    }

    /// Deletes the card at `href` if it is still at version `etag`; one already gone is fine.
    pub async fn delete(&self, href: &str, etag: &str) -> Result<(), ApiError> {
        match self.dav.request(Delete::new(href).with_etag(etag)).await {
            Ok(_) | Err(WebDavError::BadStatusCode(http::StatusCode::NOT_FOUND | http::StatusCode::GONE)) => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// A WebDAV failure in the user's terms.
    fn error(&self, error: WebDavError<DavHttpError>) -> ApiError {
        let label = &self.label;
        match error {
            WebDavError::Request(RequestError::Client(DavHttpError(error))) => error,
            WebDavError::BadStatusCode(status) => status_error(label, status),
            WebDavError::PreconditionFailed(_) => status_error(label, http::StatusCode::PRECONDITION_FAILED),
            other => ApiError::new(ErrorKind::Protocol, format!("{label}: {other}")),
        }
    }
}

fn listed(resource: libdav::dav::ListedResource) -> Listed {
    Listed { href: resource.href, etag: resource.etag.unwrap_or_default() }
}

/// An HTTP status of the contacts server in the user's terms.
fn status_error(label: &str, status: http::StatusCode) -> ApiError {
    use http::StatusCode as S;
    let (kind, what) = match status {
        S::UNAUTHORIZED => (ErrorKind::AuthFailed, "refused the user name or password".to_owned()),
        S::FORBIDDEN => (ErrorKind::Refused, "does not allow this".to_owned()),
        S::NOT_FOUND | S::GONE => (ErrorKind::BadRequest, "has no such address book or contact".to_owned()),
        S::CONFLICT | S::PRECONDITION_FAILED => {
            (ErrorKind::Conflict, "has a newer version: it was changed elsewhere meanwhile".to_owned())
        }
        S::INSUFFICIENT_STORAGE => (ErrorKind::OverQuota, "is full".to_owned()),
        S::BAD_REQUEST | S::NOT_IMPLEMENTED | S::METHOD_NOT_ALLOWED | S::UNSUPPORTED_MEDIA_TYPE => {
            (ErrorKind::BadRequest, format!("refused the request ({status})"))
        }
        _ => (ErrorKind::Refused, format!("answered {status}")),
    };
    ApiError::new(kind, format!("the contacts server {label} {what}"))
}
