//! HTTP: the browser app's static files, the WebSocket endpoint, a health check, and the
//! security headers on every response.

use std::sync::Arc;

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::warn;

use crate::downloads;
use crate::gateway::Gateway;
use crate::oauth_flow;
use crate::server::Peer;
use crate::session;

/// Each WebSocket's read buffer. tungstenite's default is 128 KiB, and it zero-fills the whole
/// buffer before each read, so every socket — signed in or not — kept 128 KiB resident: more
/// than half of an idle session's memory. Bigger frames still arrive whole: the buffer grows to
/// the frame being read (up to `max_frame_bytes`) and reads take 16 KiB at a time.
const WS_READ_BUFFER: usize = 16 * 1024;

/// The biggest WebSocket message a browser may send (a request with its attachments).
pub fn router(gateway: Arc<Gateway>) -> Router {
    let headers = &gateway.headers;
    // scripts/build.sh writes .br and .gz beside each file; ServeDir picks one the browser
    // accepts, and compresses on the fly only what has no such file. Downloads are left as they
    // are: attachments are mostly compressed already.
    let static_files = ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .service(ServeDir::new(&gateway.config.static_dir).precompressed_br().precompressed_gzip());
    Router::new()
        .route("/", get(app_page).layer(CompressionLayer::new()))
        .route("/index.html", get(app_page).layer(CompressionLayer::new()))
        .route("/ws", get(websocket))
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .route("/download/{token}", get(downloads::serve))
        .route("/oauth/start", get(oauth_flow::start))
        .route("/oauth/callback", get(oauth_flow::callback))
        .fallback_service(static_files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            headers.content_security_policy.clone(),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        // DENY unless the response says otherwise (a preview: SAMEORIGIN, for the app's frame).
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .with_state(gateway)
}

/// The app's page, with the servers written in (see [`crate::app_page`]).
async fn app_page(State(gateway): State<Arc<Gateway>>, request: HeaderMap) -> Response {
    gateway.page.response(&request)
}

/// 200 while serving; 503 once stopping, so a balancer sends new browsers elsewhere while this
/// gateway drains.
async fn health(State(gateway): State<Arc<Gateway>>) -> Response {
    if *gateway.stopping.borrow() {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping").into_response()
    } else {
        "ok".into_response()
    }
}

/// The Prometheus text format; see [`crate::metrics`].
async fn metrics() -> Response {
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], crate::metrics::METRICS.render()).into_response()
}

async fn websocket(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let client = gateway.proxies.client_address(peer.addr.ip(), &headers);
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let https_proxy = gateway.proxies.forwarded_https(peer.addr.ip(), &headers);
    if let Err(why) = gateway.origins.check(header(header::ORIGIN), header(header::HOST), https_proxy) {
        warn!(%client, origin = ?header(header::ORIGIN), host = ?header(header::HOST), "WebSocket refused: {why}");
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    let limits = &gateway.config.limits;
    let Some(slot) = gateway.sessions.try_open(limits.max_sessions) else {
        warn!(%client, "WebSocket refused: {} sessions open", limits.max_sessions);
        return (StatusCode::SERVICE_UNAVAILABLE, "too many sessions").into_response();
    };
    let Some(unsigned) = gateway.unsigned.try_open(client, limits.max_unsigned_per_client) else {
        warn!(%client, "WebSocket refused: {} sessions from this address not signed in", limits.max_unsigned_per_client);
        return (StatusCode::TOO_MANY_REQUESTS, "too many connections from your address that have not signed in")
            .into_response();
    };
    let places = session::Places { session: slot, unsigned, budget: peer.budget };
    upgrade
        .read_buffer_size(WS_READ_BUFFER)
        .max_message_size(limits.max_frame_bytes)
        .max_frame_size(limits.max_frame_bytes)
        .on_upgrade(move |socket| session::run(socket, gateway, client, places))
}
