//! The headers every response carries that depend on the built app: the Content Security
//! Policy, which admits the app's own inline start-up script by hash and nothing else inline.

use std::path::Path;

use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Headers computed once from the built app.
pub struct SecurityHeaders {
    pub content_security_policy: HeaderValue,
}

impl SecurityHeaders {
    /// Trunk puts a small inline `<script type="module">` into index.html that starts the wasm
    /// app. Rather than allow inline scripts, the CSP allows exactly those scripts by hash.
    pub fn for_static_dir(dir: &Path) -> Self {
        let index = std::fs::read_to_string(dir.join("index.html")).unwrap_or_default();
        let hashes: String = inline_scripts(&index)
            .map(|body| {
                let digest = Sha256::digest(body.as_bytes());
                format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
            })
            .collect();
        // The message frame (srcdoc) inherits this policy on top of its own, so this one must
        // admit what the frame may use: inline styles of mail, and remote images once the
        // user allowed them. The app itself renders no markup from mail outside that frame.
        // `blob:`: a POP3 account's attachments previewed from the browser's own copy (made by
        // the app, only as image, audio, video, PDF or plain-text types).
        let csp = format!(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; font-src 'self' data:; \
             media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        );
        Self { content_security_policy: HeaderValue::from_str(&csp).expect("CSP is ASCII") }
    }
}

/// The bodies of `<script>` elements without `src` in `html`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        // Data (the page's server list) is not run, and changes with the configuration.
        if attributes.contains("src=") || attributes.contains("application/json") {
            return None;
        }
        after.split_once("</script>").map(|(body, _)| body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_inline_scripts() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), vec!["init()"]);
    }
}
