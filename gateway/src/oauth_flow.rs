//! The browser's trip to an identity provider and back (authorization code with PKCE):
//!
//! 1. `GET /oauth/start?server=<id>`: a fresh `state` and PKCE verifier, sealed into a cookie
//!    (HttpOnly, SameSite=Lax, ten minutes), and a redirect to the provider's consent page.
//! 2. `GET /oauth/callback?code=…&state=…`: the cookie is opened, `state` must match, the code
//!    is exchanged (with the verifier) for tokens, and the browser is sent back to the app with
//!    the grant sealed in the URL fragment (`/#oauth=…&server=…`, two minutes), which the app presents
//!    over its WebSocket ([`yubin_protocol::Request::LoginOAuth`]).
//!
//! Nothing stays in this process: any gateway sharing the sealing key completes a flow another
//! started. A wrong or replayed `state`, a missing cookie, an expired flow, or a code used
//! twice (the provider refuses it) ends on a page that says so, with a way back.

use std::sync::Arc;
use std::time::Duration;

use crate::gateway::Gateway;
use crate::sealed::{SealedGrant, FLOW, GRANT};
use crate::server::Peer;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use oauth2::PkceCodeChallenge;
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

const COOKIE: &str = "yubin_oauth_flow";
const FLOW_LIFETIME: Duration = Duration::from_secs(600);
const GRANT_LIFETIME: Duration = Duration::from_secs(120);

/// A flow under way, sealed in the browser's cookie.
#[derive(Serialize, Deserialize)]
struct Flow {
    server: String,
    state: String,
    verifier: String,
    redirect: String,
}

#[derive(Deserialize)]
pub struct StartQuery {
    server: String,
}

pub async fn start(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(provider) = gateway.servers.get(&query.server).and_then(|s| s.oauth.clone()) else {
        return page(StatusCode::NOT_FOUND, "This server does not sign in with OAuth.");
    };
    let configured = gateway.config.server(&query.server).and_then(|s| s.oauth.as_ref()?.redirect_url.clone());
    let Some(redirect) = configured.or_else(|| own_callback(&gateway, &peer, &headers)) else {
        return page(StatusCode::BAD_REQUEST, "The request did not say which site it was for.");
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = gateway.sealer.random_token();
    let url = match provider.authorization_url(&redirect, &state, challenge).await {
        Ok(url) => url,
        Err(e) => {
            warn!(server = %query.server, "OAuth start failed: {}", e.message);
            return page(StatusCode::BAD_GATEWAY, &format!("The sign-in page could not be reached: {}", e.message));
        }
    };
    let flow = Flow { server: query.server, state, verifier: verifier.secret().clone(), redirect };
    let sealed = gateway.sealer.seal(FLOW, &flow, FLOW_LIFETIME);
    let secure =
        if gateway.config.tls.is_some() || forwarded_https(&gateway, &peer, &headers) { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE}={sealed}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age={}{secure}", FLOW_LIFETIME.as_secs());
    redirect_to(url.as_str(), Some(cookie))
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

pub async fn callback(
    State(gateway): State<Arc<Gateway>>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let flow: Option<Flow> = cookie(&headers, COOKIE).and_then(|sealed| gateway.sealer.open(FLOW, sealed));
    let Some(flow) = flow else {
        return page(
            StatusCode::BAD_REQUEST,
            "This sign-in was not started here, or took too long. Please start again.",
        );
    };
    if let Some(error) = query.error {
        let words = query.error_description.map(|d| format!("{error}: {d}")).unwrap_or(error);
        return page(StatusCode::FORBIDDEN, &format!("The identity provider did not sign you in ({words})."));
    }
    let (Some(code), Some(state)) = (query.code, query.state) else {
        return page(StatusCode::BAD_REQUEST, "The identity provider's answer was incomplete.");
    };
    if !constant_time_eq(state.as_bytes(), flow.state.as_bytes()) {
        warn!(server = %flow.server, "OAuth callback refused: state does not match");
        return page(StatusCode::BAD_REQUEST, "This answer does not belong to your sign-in. Please start again.");
    }
    let Some(provider) = gateway.servers.get(&flow.server).and_then(|s| s.oauth.clone()) else {
        return page(StatusCode::NOT_FOUND, "This server does not sign in with OAuth.");
    };
    let grant = match provider.exchange_code(&flow.redirect, &code, flow.verifier).await {
        Ok(grant) => grant,
        Err(e) => {
            warn!(server = %flow.server, "OAuth code exchange failed: {}", e.message);
            return page(StatusCode::BAD_GATEWAY, &format!("Signing in did not complete: {}", e.message));
        }
    };
    info!(server = %flow.server, "OAuth consent received");
    let sealed = SealedGrant { server: flow.server, grant };
    let server: String = url::form_urlencoded::byte_serialize(sealed.server.as_bytes()).collect();
    let fragment = gateway.sealer.seal(GRANT, &sealed, GRANT_LIFETIME);
    let clear = format!("{COOKIE}=; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=0");
    redirect_to(&format!("/#oauth={fragment}&server={server}"), Some(clear))
}

/// This gateway's own callback URL, as the browser reached it.
fn own_callback(gateway: &Gateway, peer: &Peer, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if host.is_empty() || host.contains(['/', '\\', '@', ' ']) {
        return None;
    }
    let https = gateway.config.tls.is_some() || forwarded_https(gateway, peer, headers);
    Some(format!("{}://{host}/oauth/callback", if https { "https" } else { "http" }))
}

fn forwarded_https(gateway: &Gateway, peer: &Peer, headers: &HeaderMap) -> bool {
    gateway.proxies.forwarded_https(peer.addr.ip(), headers)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn redirect_to(location: &str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A small page in words, with a way back to the app (unstyled: the CSP admits no inline
/// style, and nothing here needs the app's).
fn page(status: StatusCode, text: &str) -> Response {
    // Text content only, so three characters are all there is to escape (ammonia's
    // `clean_text` would escape every space too, for attributes).
    let text = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Yubin sign-in</title>\
         <main><h1>Sign-in</h1>\
         <p id=\"oauth-error\">{text}</p><p><a href=\"/\">Back to Yubin</a></p></main>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; yubin_oauth_flow=sealed; b=2"));
        assert_eq!(cookie(&headers, COOKIE), Some("sealed"));
        assert_eq!(cookie(&headers, "yubin"), None);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
