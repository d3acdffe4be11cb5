//! OpenPGP public keys from the one keyserver the operator allows, through VKS (the interface
//! of keys.openpgp.org's Hagrid): asked only by e-mail address, fingerprint or key ID, on the
//! paths VKS defines, so a browser cannot make the gateway fetch anything else from it, nor
//! reach any other host. What it answers is passed on as text: the browser checks the key.

use std::path::PathBuf;
use std::time::Duration;

use super::https::{self, HttpsError};
use crate::config::{ConfigError, OpenPgpConfig};

/// The longest a keyserver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(15);
/// The most a reply may hold: keys.openpgp.org strips third-party signatures, so a key is a
/// few KiB; a key with a photo or many subkeys stays far below this.
const MAX_REPLY: usize = 512 * 1024;

/// What a key is looked up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyQuery {
    Email(String),
    /// Upper-case hex, 40 digits (v4) or 64 (v6).
    Fingerprint(String),
    /// Upper-case hex, 16 digits.
    KeyId(String),
}

impl KeyQuery {
    /// `query` as an address or a (spaced, `0x`-prefixed) fingerprint or key ID; `None` if it
    /// is neither.
    pub fn parse(query: &str) -> Option<Self> {
        let query = query.trim();
        if query.contains('@') {
            return is_address(query).then(|| Self::Email(query.to_owned()));
        }
        let hex: String = query.trim_start_matches("0x").chars().filter(|c| !c.is_whitespace()).collect();
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        match hex.len() {
            40 | 64 => Some(Self::Fingerprint(hex.to_ascii_uppercase())),
            16 => Some(Self::KeyId(hex.to_ascii_uppercase())),
            _ => None,
        }
    }

    /// The VKS path segments that ask for it.
    fn segments(&self) -> [&str; 4] {
        match self {
            Self::Email(address) => ["vks", "v1", "by-email", address],
            Self::Fingerprint(hex) => ["vks", "v1", "by-fingerprint", hex],
            Self::KeyId(hex) => ["vks", "v1", "by-keyid", hex],
        }
    }
}

/// One address (`local@domain`): no spaces, no control characters, no path characters, at
/// most 254 bytes (RFC 5321's limit).
fn is_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else { return false };
    let clean = |part: &str| {
        !part.is_empty() && !part.chars().any(|c| c.is_whitespace() || c.is_control() || "/\\?#%@<>\"".contains(c))
    };
    text.len() <= 254 && clean(local) && clean(domain) && domain.contains('.')
}

/// The configured keyserver.
#[derive(Debug, Clone)]
pub struct Keyserver {
    base: url::Url,
    ca_file: Option<PathBuf>,
}

impl Keyserver {
    /// The keyserver `config` names, if any.
    pub fn new(config: &OpenPgpConfig) -> Result<Option<Self>, ConfigError> {
        Ok(config.keyserver_url()?.map(|base| Self { base, ca_file: config.ca_file.clone() }))
    }

    /// Its name as users know it: the host, and the port if not 443.
    pub fn name(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// Where `query` is asked.
    fn url_of(&self, query: &KeyQuery) -> url::Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(query.segments());
        }
        url
    }

    /// The armored key the keyserver has for `query`, or `None` if it has none.
    pub async fn lookup(&self, query: &KeyQuery) -> Result<Option<String>, HttpsError> {
        let url = self.url_of(query);
        let request = http::Request::get(url.as_str())
            .header(http::header::ACCEPT, "application/pgp-keys")
            .header(http::header::USER_AGENT, concat!("Yubin/", env!("CARGO_PKG_VERSION")))
            .body(Vec::new())
            .map_err(|e| HttpsError(e.to_string()))?;
        let reply = https::send_within(request, self.ca_file.as_deref(), "keyserver", TIMEOUT, MAX_REPLY).await?;
        read_reply(reply.status(), reply.body())
    }
}

/// The key in a keyserver's reply: VKS answers 404 for a key it does not have.
fn read_reply(status: http::StatusCode, body: &[u8]) -> Result<Option<String>, HttpsError> {
    match status {
        http::StatusCode::NOT_FOUND => Ok(None),
        http::StatusCode::OK => {
            let text = std::str::from_utf8(body).map_err(|_| HttpsError("the keyserver sent no key".into()))?;
            let start = text.find("-----BEGIN PGP PUBLIC KEY BLOCK-----");
            let end = text.find("-----END PGP PUBLIC KEY BLOCK-----");
            match (start, end) {
                (Some(start), Some(end)) if start < end => {
                    Ok(Some(text[start..end + "-----END PGP PUBLIC KEY BLOCK-----".len()].to_owned() + "\n"))
                }
                _ => Err(HttpsError("the keyserver sent no key".into())),
            }
        }
        other => Err(HttpsError(format!("the keyserver answered {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyserver(url: &str) -> Keyserver {
        let config = OpenPgpConfig { keyserver: Some(url.into()), ca_file: None };
        Keyserver::new(&config).unwrap().unwrap()
    }

    #[test]
    fn queries_are_addresses_fingerprints_or_key_ids_and_nothing_else() {
        assert_eq!(KeyQuery::parse(" bob@example.org "), Some(KeyQuery::Email("bob@example.org".into())));
        assert_eq!(KeyQuery::parse("たろう@例え.jp"), Some(KeyQuery::Email("たろう@例え.jp".into())));
        let spaced = "0x5286 C32E 7C71 E14C 4C82  F9AE 0B20 7108 9256 6E1E";
        let fingerprint = Some(KeyQuery::Fingerprint("5286C32E7C71E14C4C82F9AE0B20710892566E1E".into()));
        assert_eq!(KeyQuery::parse(spaced), fingerprint);
        assert_eq!(KeyQuery::parse("5286c32e7c71e14c4c82f9ae0b20710892566e1e"), fingerprint);
        assert_eq!(KeyQuery::parse("0B20710892566E1E"), Some(KeyQuery::KeyId("0B20710892566E1E".into())));
        for refused in [
            "",
            "bob",
            "bob@localhost",
            "bob@example.org/../../admin",
            "a@b@example.org",
            "bob@example.org?x=1",
            "bob example@example.org",
            "bob@exa\r\nmple.org",
            "../../etc/passwd",
            "0B20710892566E1",
            "ZZ20710892566E1E",
            &format!("{}@example.org", "a".repeat(250)),
        ] {
            assert_eq!(KeyQuery::parse(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn each_query_goes_to_its_vks_path_on_the_configured_host_only() {
        let server = keyserver("https://keys.example.org");
        let email = KeyQuery::parse("bob@example.org").unwrap();
        assert_eq!(server.url_of(&email).as_str(), "https://keys.example.org/vks/v1/by-email/bob@example.org");
        let fingerprint = KeyQuery::parse("5286C32E7C71E14C4C82F9AE0B20710892566E1E").unwrap();
        assert_eq!(
            server.url_of(&fingerprint).as_str(),
            "https://keys.example.org/vks/v1/by-fingerprint/5286C32E7C71E14C4C82F9AE0B20710892566E1E"
        );
        let japanese = KeyQuery::parse("たろう@例え.jp").unwrap();
        let url = keyserver("https://keys.example.org:8443/base/").url_of(&japanese);
        assert_eq!(url.host_str(), Some("keys.example.org"));
        assert!(url.path().starts_with("/base/vks/v1/by-email/%E3%81%9F"), "{url}");
        assert_eq!(keyserver("https://keys.example.org:8443").name(), "keys.example.org:8443");
        assert_eq!(keyserver("https://keys.openpgp.org").name(), "keys.openpgp.org");
    }

    #[test]
    fn only_an_https_keyserver_is_configured() {
        for wrong in
            ["http://keys.example.org", "https://keys.example.org/?q=1", "https://u:p@keys.example.org", "keys"]
        {
            let config = OpenPgpConfig { keyserver: Some(wrong.into()), ca_file: None };
            assert!(Keyserver::new(&config).is_err(), "{wrong}");
        }
        assert!(Keyserver::new(&OpenPgpConfig::default()).unwrap().is_none());
    }

    #[test]
    fn a_reply_is_a_key_none_or_an_error() {
        let key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----";
        let reply = read_reply(http::StatusCode::OK, format!("junk\n{key}\ntrailing").as_bytes()).unwrap();
        assert_eq!(reply.as_deref(), Some(format!("{key}\n").as_str()));
        assert_eq!(read_reply(http::StatusCode::NOT_FOUND, b"not found").unwrap(), None);
        assert!(read_reply(http::StatusCode::OK, b"<html>hello</html>").is_err());
        let secret = b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n-----END PGP PRIVATE KEY BLOCK-----";
        assert!(read_reply(http::StatusCode::OK, secret).is_err(), "never a secret key");
        assert!(read_reply(http::StatusCode::INTERNAL_SERVER_ERROR, b"").is_err());
    }
}
