//! An account's credential for as long as it is signed in: a password, or an OAuth grant whose
//! access token is refreshed shortly before it expires. Every new connection (a reconnect, an
//! IDLE watcher, a POP3 session, a send, a download) asks it for a current [`Proof`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use yubin_protocol::{ApiError, Secret};

use super::oauth::{Grant, OAuthProvider};
use super::sasl::Proof;

/// An access token this close to its end is refreshed before use.
const MARGIN: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub enum Credential {
    Password(Secret),
    OAuth(Arc<TokenKeeper>),
}

impl Credential {
    /// What to sign in with now.
    pub async fn proof(&self) -> Result<Proof, ApiError> {
        match self {
            Self::Password(password) => Ok(Proof::Password(password.clone())),
            Self::OAuth(keeper) => keeper.access_token().await.map(Proof::Bearer),
        }
    }
}

/// Called with each new refresh token the provider hands out (rotation), so the browser keeps
/// the one that works.
pub type OnRenewed = Box<dyn Fn(Secret) + Send + Sync>;

/// An OAuth grant in memory: the access token and when it ends, the refresh token.
pub struct TokenKeeper {
    provider: Arc<OAuthProvider>,
    held: tokio::sync::Mutex<Held>,
    on_renewed: OnRenewed,
}

struct Held {
    access_token: Secret,
    expires_at: Option<Instant>,
    refresh_token: Option<Secret>,
}

impl TokenKeeper {
    pub fn new(provider: Arc<OAuthProvider>, grant: &Grant, on_renewed: OnRenewed) -> Self {
        let held = Held {
            access_token: grant.access_token.clone(),
            expires_at: grant.expires_in.map(|d| Instant::now() + d),
            refresh_token: grant.refresh_token.clone(),
        };
        Self { provider, held: tokio::sync::Mutex::new(held), on_renewed }
    }

    /// A current access token: the one held, or a refreshed one when it is about to end. One
    /// refresh at a time: concurrent callers wait for it rather than spend the refresh token
    /// twice (with rotation the second use would fail).
    pub async fn access_token(&self) -> Result<Secret, ApiError> {
        let mut held = self.held.lock().await;
        let fresh = held.expires_at.is_none_or(|end| Instant::now() + MARGIN < end);
        let Some(refresh_token) = held.refresh_token.clone().filter(|_| !fresh) else {
            return Ok(held.access_token.clone());
        };
        let grant = self.provider.refresh(&refresh_token).await?;
        held.access_token = grant.access_token;
        held.expires_at = grant.expires_in.map(|d| Instant::now() + d);
        if let Some(rotated) = grant.refresh_token.filter(|new| *new != refresh_token) {
            held.refresh_token = Some(rotated.clone());
            (self.on_renewed)(rotated);
        }
        Ok(held.access_token.clone())
    }

    /// The refresh token held now (for the browser to keep).
    pub async fn refresh_token(&self) -> Option<Secret> {
        self.held.lock().await.refresh_token.clone()
    }
}
