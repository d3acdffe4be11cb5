//! Others' OpenPGP public keys, looked up on the keyserver the operator allows. Only a
//! signed-in account may ask (the gateway is no free proxy to the keyserver either), and only
//! by address, fingerprint or key ID ([`KeyQuery`]).

use yubin_protocol::{ApiError, ErrorKind};

use crate::account::{logged_in, AccountSession};
use crate::upstream::keyserver::{KeyQuery, Keyserver};

/// The armored key `keyserver` has for `query`, if any.
pub async fn lookup(
    keyserver: Option<&Keyserver>,
    state: &AccountSession,
    query: &str,
) -> Result<Option<String>, ApiError> {
    logged_in(state).await?;
    let keyserver = keyserver
        .ok_or_else(|| ApiError::new(ErrorKind::Refused, "this gateway looks up no keys: it has no keyserver"))?;
    let query = KeyQuery::parse(query)
        .ok_or_else(|| ApiError::new(ErrorKind::BadRequest, "look keys up by an address, a fingerprint or a key ID"))?;
    keyserver.lookup(&query).await.map_err(|e| {
        tracing::info!(keyserver = %keyserver.name(), error = %e.0, "key lookup failed");
        ApiError::new(ErrorKind::Unreachable, format!("{}: {}", keyserver.name(), e.0))
    })
}
