//! Signing in, testing an account before adding it, and what the throttle counts: only the
//! operator's servers, by id (the gateway is not an open proxy).

use std::sync::Arc;

use lettre::message::Mailbox;
use tracing::info;
use yubin_protocol::{AccountTest, ApiError, ErrorKind, IncomingProtocol, Response, Secret, Session as SessionInfo};

use crate::account::{Account, AccountSession};
use crate::compose::parse_mailbox;
use crate::gateway::Gateway;
use crate::limits::Outcome;
use crate::mail_servers::ServerRuntime;
use crate::upstream::imap::ImapConnection;
use crate::upstream::pop3::Pop3Connection;

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
    let incoming = async {
        match protocol {
            IncomingProtocol::Imap => {
                ImapConnection::login(&server.incoming, &username, password.expose()).await?.logout().await;
            }
            IncomingProtocol::Pop3 => {
                Pop3Connection::login(&server.incoming, &username, password.expose()).await?.quit().await?;
            }
        }
        Ok(())
    };
    let outgoing = async { server.smtp.features(&username, password.expose()).await.map(|_| ()) };
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
    let (server, protocol, username) = resolve(gateway, server_id, typed_username)?;
    // IMAP keeps its connection for the session; POP3 only proves the password here, since
    // each POP3 use is a short session of its own.
    let imap = match protocol {
        IncomingProtocol::Imap => Some(ImapConnection::login(&server.incoming, &username, password.expose()).await?),
        IncomingProtocol::Pop3 => {
            Pop3Connection::login(&server.incoming, &username, password.expose()).await?.quit().await?;
            None
        }
    };
    info!(server = server_id, ?protocol, account = state.id, "logged in");
    let from = parse_mailbox("From", &username)
        .unwrap_or_else(|_| Mailbox::new(None, "invalid@invalid".parse().expect("valid")));
    let info = SessionInfo { username: username.clone(), email: from.email.to_string(), incoming: protocol };
    let account = Arc::new(Account { server, protocol, username, password, from, smtp_max_size: Default::default() });
    state.begin(account, imap).await;
    Ok(Response::LoggedIn(info))
}
