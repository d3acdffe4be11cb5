//! What an account proves itself with to its mail servers — a password, or an OAuth 2.0 access
//! token — and the two SASL mechanisms that carry a token: OAUTHBEARER (RFC 7628, the
//! standard) and XOAUTH2 (Google's and Microsoft's older one). IMAP, POP3 and SMTP all use
//! these; each protocol module frames them its own way.

use base64::Engine as _;
use yubin_protocol::Secret;

/// How an account signs in to its servers.
#[derive(Debug, Clone)]
pub enum Proof {
    Password(Secret),
    /// An OAuth 2.0 bearer access token, valid for a while.
    Bearer(Secret),
}

/// A SASL mechanism that carries a bearer token (defined with the config, which may name one).
pub use crate::config::BearerMechanism;

impl BearerMechanism {
    pub fn name(self) -> &'static str {
        match self {
            Self::OAuthBearer => "OAUTHBEARER",
            Self::XOAuth2 => "XOAUTH2",
        }
    }

    /// What the server offers (its mechanism names, any case), OAUTHBEARER first — or only
    /// `required`, when the operator named one.
    pub fn choose(offered: &[String], required: Option<Self>) -> Option<Self> {
        let candidates = match required {
            Some(required) => vec![required],
            None => vec![Self::OAuthBearer, Self::XOAuth2],
        };
        candidates.into_iter().find(|m| offered.iter().any(|o| o.eq_ignore_ascii_case(m.name())))
    }

    /// The client's first (and only) message, before base64.
    pub fn initial_response(self, user: &str, token: &str, host: &str, port: u16) -> String {
        match self {
            // RFC 7628 §3.1: a GS2 header naming the user (RFC 5801 escaping), then key=value
            // pairs separated by ^A.
            Self::OAuthBearer => {
                let user = user.replace('=', "=3D").replace(',', "=2C");
                format!("n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01")
            }
            Self::XOAuth2 => format!("user={user}\x01auth=Bearer {token}\x01\x01"),
        }
    }

    /// The client's answer to an error challenge, after which the server says NO: RFC 7628
    /// §3.2.3 wants a single ^A; XOAUTH2 an empty response.
    pub fn after_error(self) -> &'static str {
        match self {
            Self::OAuthBearer => "\x01",
            Self::XOAuth2 => "",
        }
    }
}

/// The same, base64-encoded, as IMAP, POP3 and SMTP send it.
pub fn encoded(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// What a refused token is, in words (servers say it in many ways).
pub const TOKEN_ENDED: &str = "the sign-in has expired or was revoked";

/// The server's error challenge in words: RFC 7628 §3.2.2 sends JSON with an HTTP-like
/// `status` (and the `scope` the token lacks). `None` when it is not such a challenge.
pub fn bearer_error(challenge: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Status {
        status: String,
        #[serde(default)]
        scope: Option<String>,
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(challenge.trim_ascii()).ok();
    let json = decoded.as_deref().unwrap_or(challenge);
    let status: Status = serde_json::from_slice(json).ok()?;
    let words = match status.status.as_str() {
        "401" | "invalid_token" => TOKEN_ENDED.to_owned(),
        "403" | "insufficient_scope" => match status.scope {
            Some(scope) => format!("the sign-in does not allow mail access (it needs the scope {scope})"),
            None => "the sign-in does not allow mail access".to_owned(),
        },
        "400" | "invalid_request" => "the server did not accept how the token was sent".to_owned(),
        other => format!("the server refused the token ({other})"),
    };
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauthbearer_names_the_user_escaped_and_the_server() {
        let text = BearerMechanism::OAuthBearer.initial_response("a,b=c@example.test", "tok", "imap.example", 993);
        assert_eq!(text, "n,a=a=2Cb=3Dc@example.test,\x01host=imap.example\x01port=993\x01auth=Bearer tok\x01\x01");
        let text = BearerMechanism::XOAuth2.initial_response("me@example.test", "tok", "imap.example", 993);
        assert_eq!(text, "user=me@example.test\x01auth=Bearer tok\x01\x01");
    }

    #[test]
    fn the_standard_mechanism_is_preferred() {
        let offered = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let both = offered(&["xoauth2", "OAUTHBEARER"]);
        assert_eq!(BearerMechanism::choose(&both, None), Some(BearerMechanism::OAuthBearer));
        assert_eq!(BearerMechanism::choose(&both, Some(BearerMechanism::XOAuth2)), Some(BearerMechanism::XOAuth2));
        assert_eq!(BearerMechanism::choose(&offered(&["XOAUTH2"]), None), Some(BearerMechanism::XOAuth2));
        assert_eq!(BearerMechanism::choose(&offered(&["PLAIN"]), None), None);
        assert_eq!(BearerMechanism::choose(&offered(&["PLAIN"]), Some(BearerMechanism::XOAuth2)), None);
    }

    #[test]
    fn error_challenges_are_told_in_words() {
        let google = encoded(r#"{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}"#);
        assert_eq!(bearer_error(google.as_bytes()).as_deref(), Some("the sign-in has expired or was revoked"));
        let scope = r#"{"status":"insufficient_scope","scope":"mail"}"#;
        assert!(bearer_error(scope.as_bytes()).unwrap().contains("needs the scope mail"));
        assert_eq!(bearer_error(b""), None);
        assert_eq!(bearer_error(b"not json"), None);
    }
}
