//! The app's page (`index.html`) as the gateway serves it: with the configured servers written
//! in, so the sign-in form in the page offers them before the app and its WebSocket are there
//! (on a slow network the app takes seconds; the form is usable at once).
//!
//! Built once at start. It is served with `Cache-Control: no-cache` and an ETag: a second visit
//! revalidates the page (a new build names new files) and downloads nothing else.

use std::path::Path;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use yubin_protocol::ServerInfo;

/// Where the servers go: the page's data element, empty in the built file.
const SERVERS_SLOT: &str = r#"<script type="application/json" id="yubin-servers">[]</script>"#;

pub struct AppPage {
    /// `None`: the app is not built (a gateway run for its protocol alone).
    page: Option<(String, HeaderValue)>,
}

impl AppPage {
    pub fn for_static_dir(dir: &Path, servers: &[ServerInfo]) -> Self {
        let page = std::fs::read_to_string(dir.join("index.html")).ok().map(|index| {
            let page = with_servers(&index, servers);
            let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&Sha256::digest(page.as_bytes())[..16]));
            (page, HeaderValue::from_str(&etag).expect("hex is a valid header"))
        });
        Self { page }
    }

    /// The answer to `GET /` with these request headers (a revalidation, or the page).
    pub fn response(&self, request: &HeaderMap) -> Response {
        let Some((page, etag)) = &self.page else {
            return (StatusCode::NOT_FOUND, "the app is not built (scripts/build.sh app)").into_response();
        };
        let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if request.get(header::IF_NONE_MATCH).is_some_and(|tags| tags.as_bytes() == etag.as_bytes()) {
            return (StatusCode::NOT_MODIFIED, [cache, (header::ETAG, etag.clone())]).into_response();
        }
        let html = (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        ([html, cache, (header::ETAG, etag.clone())], page.clone()).into_response()
    }
}

/// `index` with `servers` in its data element, as JSON that cannot end the element early.
pub fn with_servers(index: &str, servers: &[ServerInfo]) -> String {
    let json = serde_json::to_string(servers).expect("servers serialize");
    // Inside <script> only "</" could end the element; escaping every '<' and '>' (and '&',
    // for good measure) keeps any name an administrator configured inert.
    let json = json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    index.replacen(SERVERS_SLOT, &SERVERS_SLOT.replacen("[]", &json, 1), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::IncomingProtocol;

    fn server(id: &str, name: &str) -> ServerInfo {
        ServerInfo { id: id.into(), name: name.into(), incoming: IncomingProtocol::Imap, domain: None, oauth: None }
    }

    #[test]
    fn the_servers_are_written_into_the_page_and_cannot_leave_their_element() {
        let index = format!("<body>{SERVERS_SLOT}<script>start()</script></body>");
        let page = with_servers(&index, &[server("demo", "Demo </script><script>alert(1)</script> & Co")]);
        let (_, rest) = page.split_once(r#"id="yubin-servers">"#).expect("the slot");
        let (json, after) = rest.split_once("</script>").expect("the element ends");
        assert_eq!(after, "<script>start()</script></body>", "only the slot changed");
        let servers: Vec<ServerInfo> = serde_json::from_str(json).expect("JSON");
        assert_eq!(servers[0].name, "Demo </script><script>alert(1)</script> & Co");
    }

    #[test]
    fn a_page_without_the_slot_is_served_as_it_is() {
        assert_eq!(with_servers("<body></body>", &[server("demo", "Demo")]), "<body></body>");
    }
}
