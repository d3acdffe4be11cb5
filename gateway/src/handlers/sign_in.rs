//! Signing in, testing an account before adding it, and what the throttle counts: only the
//! operator's servers, by id (the gateway is not an open proxy).

use std::sync::Arc;

use lettre::message::Mailbox;
use tracing::info;
use yubin_protocol::{
    AccountTest, ApiError, ErrorKind, Event, IncomingProtocol, OAuthGrant, Response, Secret, ServerFrame,
    Session as SessionInfo,
};

use crate::account::{Account, AccountSession};
use crate::compose::parse_mailbox;
use crate::gateway::Gateway;
use crate::limits::Outcome;
use crate::mail_servers::ServerRuntime;
use crate::sealed::{SealedGrant, GRANT};
use crate::upstream::credential::{Credential, OnRenewed, TokenKeeper};
use crate::upstream::imap::ImapConnection;
use crate::upstream::pop3::Pop3Connection;
use crate::upstream::sasl::Proof;

/// The account a sign-in is for, as the throttle counts it: the server and the login name.
pub fn throttle_key(gateway: &Gateway, server_id: &str, typed_username: &str) -> String {
    let login = gateway
        .config
        .server(server_id)
        .map_or_else(|| typed_username.to_owned(), |s| s.login_name(typed_username.trim()));
    format!("{server_id}:{login}")
}

/// What a sign-in's result tells the throttle: only a refused password is a guess; an
/// unreachable server is not.
pub fn outcome(result: &Result<Response, ApiError>) -> Outcome {
    match result {
        Ok(Response::AccountTest(test)) => {
            let tried = [&test.incoming, &test.outgoing];
            if tried.iter().any(|r| matches!(r, Err(e) if e.kind == ErrorKind::AuthFailed)) {
                Outcome::WrongPassword
            } else if tried.iter().any(|r| r.is_ok()) {
                Outcome::Succeeded
            } else {
                Outcome::NotTried
            }
        }
        Ok(_) => Outcome::Succeeded,
        Err(e) if e.kind == ErrorKind::AuthFailed => Outcome::WrongPassword,
        Err(_) => Outcome::NotTried,
    }
}

fn server(gateway: &Gateway, server_id: &str) -> Result<Arc<ServerRuntime>, ApiError> {
    // Only the operator's servers, by id: the gateway is not an open proxy.
    gateway
        .servers
        .get(server_id)
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("unknown server {server_id:?}")))
}

/// The allowed server `server_id`, its incoming protocol, and the login name for what the user
/// typed (with the server's domain added where configured).
fn resolve(
    gateway: &Gateway,
    server_id: &str,
    typed_username: &str,
) -> Result<(Arc<ServerRuntime>, IncomingProtocol, String), ApiError> {
    let server = server(gateway, server_id)?;
    let protocol = server.config.incoming().0;
    let username = server.config.login_name(typed_username.trim());
    Ok((server, protocol, username))
}

/// Signs in to the incoming server and out again, and to the submission server, and reports
/// each; nothing is kept.
pub async fn test_account(
    gateway: &Gateway,
    server_id: &str,
    typed_username: &str,
    password: Secret,
) -> Result<Response, ApiError> {
    let (server, protocol, username) = resolve(gateway, server_id, typed_username)?;
    let proof = Proof::Password(password);
    let incoming = async {
        match protocol {
            IncomingProtocol::Imap => {
                ImapConnection::login(&server.incoming, &username, &proof).await?.logout().await;
            }
            IncomingProtocol::Pop3 => {
                Pop3Connection::login(&server.incoming, &username, &proof).await?.quit().await?;
            }
        }
        Ok(())
    };
    let outgoing = async { server.smtp.features(&username, &proof).await.map(|_| ()) };
    let (incoming, outgoing) = tokio::join!(incoming, outgoing);
    info!(server = server_id, incoming = incoming.is_ok(), outgoing = outgoing.is_ok(), "account tested");
    Ok(Response::AccountTest(AccountTest { incoming_protocol: protocol, incoming, outgoing }))
}

pub async fn login(
    gateway: &Gateway,
    state: &AccountSession,
    server_id: &str,
    typed_username: &str,
    password: Secret,
) -> Result<Response, ApiError> {
    let (server, _, username) = resolve(gateway, server_id, typed_username)?;
    if server.oauth.is_some() {
        return Err(ApiError::new(ErrorKind::BadRequest, "this server signs in with OAuth, not a password"));
    }
    begin(state, server, username, Credential::Password(password), None).await
}

/// Signs in to a server that uses OAuth, with a grant fresh from the provider (sealed by
/// `/oauth/callback`) or the browser's refresh token. The reply carries the refresh token
/// for the browser to keep; later rotations reach it as [`Event::TokenRenewed`].
pub async fn login_oauth(
    gateway: &Gateway,
    state: &AccountSession,
    server_id: &str,
    username: Option<&str>,
    grant: OAuthGrant,
) -> Result<Response, ApiError> {
    let server = server(gateway, server_id)?;
    let provider = server
        .oauth
        .clone()
        .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, format!("server {server_id:?} does not use OAuth")))?;
    let (grant, known_username) = match grant {
        OAuthGrant::Sealed(sealed) => {
            let opened: SealedGrant = gateway.sealer.open(GRANT, &sealed).ok_or_else(|| {
                ApiError::new(ErrorKind::AuthFailed, "this sign-in has expired; please sign in again")
            })?;
            if opened.server != server_id {
                return Err(ApiError::new(ErrorKind::BadRequest, "this sign-in is for another server"));
            }
            (opened.grant, None)
        }
        OAuthGrant::Refresh(token) => {
            let mut grant = provider.refresh(&token).await?;
            // A provider that does not rotate (Google) sends no new refresh token: the one
            // presented stays good, and is kept for the next renewal.
            grant.refresh_token.get_or_insert(token);
            (grant, username.map(str::to_owned))
        }
    };
    let typed = grant.username.clone().or(known_username).ok_or_else(|| {
        ApiError::new(ErrorKind::AuthFailed, "the identity provider did not say which mail account this is")
    })?;
    let username = server.config.login_name(typed.trim());
    let events = state.event_sender();
    let id = state.id;
    let on_renewed: OnRenewed = Box::new(move |refresh_token| {
        let _ = events.try_send(ServerFrame::Event(Event::TokenRenewed { account: id, refresh_token }));
    });
    let keeper = Arc::new(TokenKeeper::new(provider, &grant, on_renewed));
    let name = grant.name.clone().filter(|n| !n.trim().is_empty());
    let mut reply = begin(state, server, username, Credential::OAuth(keeper.clone()), name).await?;
    if let Response::LoggedIn(session) = &mut reply {
        session.refresh_token = keeper.refresh_token().await;
    }
    Ok(reply)
}

/// Proves the credential to the incoming server and makes the account the session's.
async fn begin(
    state: &AccountSession,
    server: Arc<ServerRuntime>,
    username: String,
    credential: Credential,
    display_name: Option<String>,
) -> Result<Response, ApiError> {
    let protocol = server.config.incoming().0;
    let proof = credential.proof().await?;
    // IMAP keeps its connection for the session; POP3 only proves the credential here, since
    // each POP3 use is a short session of its own.
    let imap = match protocol {
        IncomingProtocol::Imap => Some(ImapConnection::login(&server.incoming, &username, &proof).await?),
        IncomingProtocol::Pop3 => {
            Pop3Connection::login(&server.incoming, &username, &proof).await?.quit().await?;
            None
        }
    };
    info!(server = %server.config.id, ?protocol, account = state.id, "logged in");
    let from = parse_mailbox("From", &username)
        .unwrap_or_else(|_| Mailbox::new(None, "invalid@invalid".parse().expect("valid")));
    let info = SessionInfo {
        username: username.clone(),
        email: from.email.to_string(),
        incoming: protocol,
        refresh_token: None,
        filters: server.managesieve.is_some(),
        contacts: server.carddav.is_some(),
    };
    let account = Arc::new(Account {
        server,
        protocol,
        username,
        credential,
        from,
        display_name,
        smtp_max_size: Default::default(),
    });
    state.begin(account, imap).await;
    Ok(Response::LoggedIn(info))
}
