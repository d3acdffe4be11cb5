//! Filters and the vacation reply: the account's Sieve scripts on its ManageSieve server.
//!
//! One short ManageSieve session per request, signed in with the account's credentials:
//! scripts change seldom, and the gateway keeps no connection it does not need.

use yubin_protocol::{ApiError, ErrorKind, SieveScripts};

use crate::account::{logged_in, AccountSession};
use crate::upstream::managesieve::SieveConnection;

/// Runs `op` in a ManageSieve session of the account, ended whatever `op` returns.
async fn with_sieve<T>(
    state: &AccountSession,
    op: impl AsyncFnOnce(&mut SieveConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let account = logged_in(state).await?;
    let upstream = account.server.managesieve.as_ref().ok_or_else(|| {
        ApiError::new(ErrorKind::BadRequest, "no filters for this account: its server has no ManageSieve configured")
    })?;
    let mut sieve = SieveConnection::login(upstream, &account.username, &account.credential.proof().await?).await?;
    let result = op(&mut sieve).await;
    sieve.logout().await;
    result
}

pub async fn list(state: &AccountSession) -> Result<SieveScripts, ApiError> {
    with_sieve(state, async |sieve| {
        let scripts = sieve.list_scripts().await?;
        let capabilities = &sieve.capabilities;
        Ok(SieveScripts {
            implementation: capabilities.implementation.clone(),
            extensions: capabilities.extensions.clone(),
            scripts,
        })
    })
    .await
}

pub async fn get(state: &AccountSession, name: &str) -> Result<String, ApiError> {
    with_sieve(state, async |sieve| sieve.get_script(name).await).await
}

/// Stores the script, then activates it if asked: a script with errors is never activated.
pub async fn put(state: &AccountSession, name: &str, text: &str, activate: bool) -> Result<Option<String>, ApiError> {
    with_sieve(state, async |sieve| {
        let warnings = sieve.put_script(name, text).await?;
        if activate {
            sieve.set_active(name).await?;
        }
        Ok(warnings)
    })
    .await
}

pub async fn check(state: &AccountSession, text: &str) -> Result<Option<String>, ApiError> {
    with_sieve(state, async |sieve| sieve.check_script(text).await).await
}

pub async fn activate(state: &AccountSession, name: &str) -> Result<(), ApiError> {
    with_sieve(state, async |sieve| sieve.set_active(name).await).await
}

pub async fn delete(state: &AccountSession, name: &str) -> Result<(), ApiError> {
    with_sieve(state, async |sieve| sieve.delete_script(name).await).await
}

pub async fn rename(state: &AccountSession, name: &str, to: &str) -> Result<(), ApiError> {
    with_sieve(state, async |sieve| sieve.rename_script(name, to).await).await
}
