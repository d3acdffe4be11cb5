//! The gateway's configuration file (TOML).
//!
//! The operator lists every mail server the gateway may talk to. The browser picks one by `id`;
//! it can never name a host itself, so the gateway cannot be used to reach arbitrary machines.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! static_dir = "dist"
//! allowed_origins = ["https://mail.example.org"]   # default: the gateway's own origin
//! trusted_proxies = ["127.0.0.1"]   # take the client's address from these proxies' X-Forwarded-For
//!
//! [[server]]
//! id = "example"
//! name = "Example Mail"
//! domain = "example.org"            # optional: "alice" logs in as "alice@example.org"
//! imap = { host = "imap.example.org", port = 993, security = "tls" }   # or pop3 = { ... }
//! smtp = { host = "smtp.example.org", port = 587, security = "starttls" }
//! # ca_file = "/etc/ssl/private-ca.pem"   # per endpoint; default: the system's roots
//! # smtp_saves_sent = true                 # the server files sent mail itself
//! # managesieve = { host = "imap.example.org", port = 4190, security = "starttls" }   # filters
//! # carddav = { url = "https://dav.example.org/" }   # contacts; the host alone is enough (RFC 6764)
//! # oauth = { preset = "google", client_id = "…", client_secret = "…" }   # see README
//!
//! [openpgp]                      # optional: where users may look up others' public keys
//! keyserver = "https://keys.openpgp.org"   # asked only by address or fingerprint (VKS)
//! # ca_file = "/etc/ssl/private-ca.pem"
//!
//! [tls]                          # optional: serve HTTPS/WSS directly
//! cert_file = "/etc/yubin/fullchain.pem"
//! key_file = "/etc/yubin/privkey.pem"
//!
//! [limits]                       # all optional; the defaults are shown
//! max_upload_bytes = 52428800   # attachments one session may hold in memory
//! max_frame_bytes = 4194304     # largest WebSocket frame or message from a browser
//! max_bytes_before_signin = 65536   # all a socket may send before an account signs in
//! max_sessions = 2048           # WebSocket sessions open at once
//! max_unsigned_per_client = 8   # sessions not signed in yet, per client address
//! max_requests_in_flight = 32   # per WebSocket; more wait (the socket is not read meanwhile)
//! max_downloads_per_session = 16    # download links not yet used, per WebSocket
//! max_accounts = 10             # accounts signed in on one WebSocket
//! free_failed_logins = 5        # per account and client address, before each try must wait
//! free_failed_logins_per_client = 20   # per client address, all accounts together
//! login_timeout_secs = 60       # to sign in after connecting
//! ping_interval_secs = 30       # a browser silent for three pings is gone
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use yubin_protocol::{IncomingProtocol, ServerInfo};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Where the built browser app lives (Trunk's `dist/`).
    #[serde(default = "default_static_dir")]
    pub static_dir: PathBuf,
    /// Origins allowed to open the WebSocket. Empty: only the gateway's own origin (the `Host`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For`/`Forwarded` and
    /// `X-Forwarded-Proto` the gateway believes. Anyone else's are ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    #[serde(default, rename = "server")]
    pub servers: Vec<ServerConfig>,
    #[serde(default)]
    pub limits: Limits,
    /// Serve HTTPS/WSS with this certificate; without it the gateway speaks plain HTTP and
    /// belongs behind a TLS-terminating reverse proxy.
    #[serde(default)]
    pub tls: Option<ServerTls>,
    /// A file holding the key (32 bytes, or 64 hex digits) that seals OAuth flows and grants.
    /// Gateways behind one balancer share it, so each completes the others' sign-ins. Without
    /// it each gateway makes its own at start.
    #[serde(default)]
    pub oauth_key_file: Option<PathBuf>,
    #[serde(default)]
    pub openpgp: OpenPgpConfig,
}

/// OpenPGP in the browser needs nothing of the gateway but, if its operator allows one, a
/// keyserver to look up the public keys of people one writes to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenPgpConfig {
    /// `https://host[:port]` of a keyserver speaking VKS (as keys.openpgp.org does). The
    /// gateway asks it for keys by address, fingerprint or key ID, on VKS's paths and nowhere
    /// else. None: no lookups.
    #[serde(default)]
    pub keyserver: Option<String>,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl OpenPgpConfig {
    /// The keyserver's base URL, checked: https, a host, no query; `None` when there is none.
    pub fn keyserver_url(&self) -> Result<Option<url::Url>, ConfigError> {
        let Some(keyserver) = &self.keyserver else { return Ok(None) };
        let invalid = |why: &str| ConfigError::Invalid(format!("openpgp keyserver {keyserver:?}: {why}"));
        let url = url::Url::parse(keyserver).map_err(|e| invalid(&e.to_string()))?;
        if url.scheme() != "https" {
            return Err(invalid("only https is allowed"));
        }
        if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(invalid("give https://host[:port], without a query or a user"));
        }
        Ok(Some(url))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerTls {
    /// PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// Bounds on what one browser session may make the gateway hold or do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most attachment bytes one session may hold in memory before sending (default 50 MiB).
    pub max_upload_bytes: u64,
    /// Largest WebSocket frame, and message, accepted from a browser (default 4 MiB; uploads
    /// come in 256 KiB chunks).
    pub max_frame_bytes: usize,
    /// All that a WebSocket may send before one of its accounts has signed in (default
    /// 64 KiB): an anonymous client cannot make the gateway buffer more.
    pub max_bytes_before_signin: u64,
    /// Most WebSocket sessions open at once (default 2048); more are refused with 503.
    pub max_sessions: usize,
    /// Most sessions not signed in yet from one client address (default 8), so one client
    /// cannot take every session's place.
    pub max_unsigned_per_client: usize,
    /// Most requests one WebSocket may have under way (default 32). Further frames wait
    /// unread in the socket: backpressure, not a queue in memory.
    pub max_requests_in_flight: usize,
    /// Most download links one WebSocket may hold unused (default 16).
    pub max_downloads_per_session: usize,
    /// Most accounts signed in on one WebSocket (default 10): each may hold IMAP connections.
    pub max_accounts: usize,
    /// Failed sign-ins to one account from one address before each further one must wait
    /// (default 5).
    pub free_failed_logins: u32,
    /// Failed sign-ins from one address, to any accounts, before each further one must wait
    /// (default 20).
    pub free_failed_logins_per_client: u32,
    /// Seconds a new session may take to sign in before it is closed (default 60).
    pub login_timeout_secs: u64,
    /// Seconds between the gateway's WebSocket pings (default 30). A browser that answers
    /// nothing for three of them is gone, and its session and upstream connections are closed.
    pub ping_interval_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_upload_bytes: 50 << 20,
            max_frame_bytes: 4 << 20,
            max_bytes_before_signin: 64 << 10,
            max_sessions: 2048,
            max_unsigned_per_client: 8,
            max_requests_in_flight: 32,
            max_downloads_per_session: 16,
            max_accounts: 10,
            free_failed_logins: 5,
            free_failed_logins_per_client: 20,
            login_timeout_secs: 60,
            ping_interval_secs: 30,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub domain: Option<String>,
    /// Exactly one of `imap` and `pop3`: how this account fetches mail.
    #[serde(default)]
    pub imap: Option<Endpoint>,
    #[serde(default)]
    pub pop3: Option<Endpoint>,
    pub smtp: Endpoint,
    /// The submission server files a copy of each sent message itself (as Gmail does), so the
    /// gateway must not add another to Sent.
    #[serde(default)]
    pub smtp_saves_sent: bool,
    /// Sign in with OAuth 2.0 (an identity provider's consent) instead of a password.
    #[serde(default)]
    pub oauth: Option<OAuthConfig>,
    /// ManageSieve (RFC 5804, usually port 4190): the account's filters and vacation reply,
    /// kept on the server as Sieve scripts. Same credentials as the account.
    #[serde(default)]
    pub managesieve: Option<Endpoint>,
    /// CardDAV (RFC 6352): the account's contacts. Same credentials as the account.
    #[serde(default)]
    pub carddav: Option<CardDavConfig>,
}

/// Where a server's accounts keep their contacts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardDavConfig {
    /// `https://host[:port][/path]`: the address-book home or any path on the server; with no
    /// path, the gateway finds the books (`/.well-known/carddav`, the user's principal). The
    /// gateway never leaves this host and port, whatever the server redirects to.
    pub url: String,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub tls_name: Option<String>,
    /// Must be true for an `http://` URL: passwords then cross the network in clear.
    #[serde(default)]
    pub allow_plaintext_password: bool,
}

impl CardDavConfig {
    /// The URL and the endpoint (host, port, TLS) it names.
    pub fn endpoint(&self) -> Result<(url::Url, Endpoint), ConfigError> {
        let invalid = |why: &str| ConfigError::Invalid(format!("carddav url {:?}: {why}", self.url));
        let url = url::Url::parse(&self.url).map_err(|e| invalid(&e.to_string()))?;
        let security = match url.scheme() {
            "https" => Security::Tls,
            "http" if self.allow_plaintext_password => Security::Plain,
            "http" => {
                return Err(invalid("http sends passwords in clear; use https or set allow_plaintext_password = true"))
            }
            _ => return Err(invalid("only https (or http) is allowed")),
        };
        let host = url.host_str().ok_or_else(|| invalid("no host"))?;
        let endpoint = Endpoint {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: url.port_or_known_default().ok_or_else(|| invalid("no port"))?,
            security,
            ca_file: self.ca_file.clone(),
            tls_name: self.tls_name.clone(),
            allow_plaintext_password: self.allow_plaintext_password,
            oauth_mechanism: None,
        };
        Ok((url, endpoint))
    }
}

/// How a server's accounts sign in with OAuth 2.0: the identity provider (by preset, OpenID
/// discovery from `issuer`, or explicit endpoints) and this gateway's client registration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// `google` or `microsoft`: their endpoints, scopes and parameters, filled in. Without a
    /// preset the scopes default to `openid email offline_access`.
    #[serde(default)]
    pub preset: Option<OAuthPreset>,
    /// The OpenID issuer, for discovery (`/.well-known/openid-configuration`).
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint: Option<String>,
    pub client_id: String,
    /// None for a public client (PKCE alone).
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// More parameters for the authorization request (Google: `access_type = "offline"`).
    #[serde(default)]
    pub extra_params: std::collections::BTreeMap<String, String>,
    /// The ID-token claim that is the mail login name (default `email`).
    #[serde(default)]
    pub username_claim: Option<String>,
    /// PEM CA certificates to trust for the provider instead of the system's roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Where the provider sends the browser back; registered with the provider. Default: this
    /// gateway's own `/oauth/callback` as the browser reached it.
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// The sign-in button's words (default "Sign in with <server name>").
    #[serde(default)]
    pub button: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthPreset {
    Google,
    Microsoft,
}

/// What a preset fills in.
struct Preset {
    auth: &'static str,
    token: &'static str,
    scopes: &'static [&'static str],
    params: &'static [(&'static str, &'static str)],
    claim: &'static str,
}

impl Preset {
    fn of(preset: OAuthPreset) -> Self {
        match preset {
            // Google: full mail access, and a refresh token only with offline access and a
            // fresh consent.
            OAuthPreset::Google => Preset {
                auth: "https://accounts.google.com/o/oauth2/v2/auth",
                token: "https://oauth2.googleapis.com/token",
                scopes: &["https://mail.google.com/", "openid", "email"],
                params: &[("access_type", "offline"), ("prompt", "consent")],
                claim: "email",
            },
            // Microsoft 365 and Outlook.com (the "common" tenant); offline_access gives the
            // refresh token.
            OAuthPreset::Microsoft => Preset {
                auth: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
                token: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                scopes: &[
                    "https://outlook.office.com/IMAP.AccessAsUser.All",
                    "https://outlook.office.com/POP.AccessAsUser.All",
                    "https://outlook.office.com/SMTP.Send",
                    "offline_access",
                    "openid",
                    "email",
                ],
                params: &[],
                claim: "preferred_username",
            },
        }
    }
}

impl OAuthConfig {
    /// The settings with the preset's filled in where the operator gave none.
    pub fn resolved(&self) -> OAuthConfig {
        let mut c = self.clone();
        let Some(preset) = self.preset.map(Preset::of) else {
            // Any OpenID provider: who the user is (their address), and a refresh token.
            if c.scopes.is_empty() {
                c.scopes = ["openid", "email", "offline_access"].map(str::to_owned).to_vec();
            }
            return c;
        };
        let Preset { auth, token, scopes, params, claim } = preset;
        c.authorization_endpoint.get_or_insert_with(|| auth.to_owned());
        c.token_endpoint.get_or_insert_with(|| token.to_owned());
        if c.scopes.is_empty() {
            c.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        }
        for (name, value) in params {
            c.extra_params.entry((*name).to_owned()).or_insert_with(|| (*value).to_owned());
        }
        c.username_claim.get_or_insert_with(|| claim.to_owned());
        c
    }
}

/// One upstream server address and how to secure the connection to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// PEM file of CA certificates to trust instead of the system's roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The name to verify in the server's certificate, if not `host` (e.g. host is an IP).
    #[serde(default)]
    pub tls_name: Option<String>,
    /// Must be true for `security = "plain"`: passwords then cross the network in clear.
    #[serde(default)]
    pub allow_plaintext_password: bool,
    /// For OAuth accounts: the SASL mechanism to use, for a server that offers one it does not
    /// implement well (default: OAUTHBEARER where offered, else XOAUTH2).
    #[serde(default)]
    pub oauth_mechanism: Option<BearerMechanism>,
}

/// A SASL mechanism that carries an OAuth bearer token: OAUTHBEARER (RFC 7628) or XOAUTH2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BearerMechanism {
    OAuthBearer,
    XOAuth2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, POP3S 995, SMTPS 465).
    Tls,
    /// Plain connection upgraded with STARTTLS/STLS; refused if the server does not offer it.
    Starttls,
    /// No TLS at all. Only with `allow_plaintext_password = true`.
    Plain,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: Box<toml::de::Error> },
    #[error("{0}")]
    Invalid(String),
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_static_dir() -> PathBuf {
    PathBuf::from("dist")
}

impl Config {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let config: Config = toml::from_str(&text)
            .map_err(|source| ConfigError::Parse { path: path.to_owned(), source: Box::new(source) })?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses configurations that would be unsafe or ambiguous at run time.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for proxy in &self.trusted_proxies {
            crate::client_address::IpRange::parse(proxy).ok_or_else(|| {
                ConfigError::Invalid(format!("trusted_proxies: {proxy:?} is no address or CIDR range"))
            })?;
        }
        for origin in &self.allowed_origins {
            if crate::origin::Origin::parse(origin).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "allowed_origins: {origin:?} is not an origin like \"https://mail.example.org\""
                )));
            }
        }
        self.openpgp.keyserver_url()?;
        let mut seen = std::collections::HashSet::new();
        for server in &self.servers {
            if !seen.insert(server.id.as_str()) {
                return Err(ConfigError::Invalid(format!("server id {:?} is used twice", server.id)));
            }
            if server.imap.is_some() == server.pop3.is_some() {
                return Err(ConfigError::Invalid(format!(
                    "server {:?}: give exactly one of `imap` and `pop3`",
                    server.id
                )));
            }
            if let Some(oauth) = server.oauth.as_ref().map(OAuthConfig::resolved) {
                let explicit = oauth.authorization_endpoint.is_some() && oauth.token_endpoint.is_some();
                if oauth.issuer.is_none() && !explicit {
                    return Err(ConfigError::Invalid(format!(
                        "server {:?} oauth: give a preset, an issuer, or authorization_endpoint and token_endpoint",
                        server.id
                    )));
                }
            }
            if let Some(carddav) = &server.carddav {
                carddav.endpoint().map_err(|e| ConfigError::Invalid(format!("server {:?} {e}", server.id)))?;
            }
            let (_, incoming) = server.incoming();
            let endpoints = [
                ("incoming", Some(incoming)),
                ("smtp", Some(&server.smtp)),
                ("managesieve", server.managesieve.as_ref()),
            ];
            for (role, endpoint) in endpoints.into_iter().filter_map(|(role, e)| Some((role, e?))) {
                if endpoint.security == Security::Plain && !endpoint.allow_plaintext_password {
                    return Err(ConfigError::Invalid(format!(
                        "server {:?} {role}: security = \"plain\" sends passwords in clear; \
                         set allow_plaintext_password = true if that is really intended",
                        server.id
                    )));
                }
            }
        }
        Ok(())
    }

    pub fn server(&self, id: &str) -> Option<&ServerConfig> {
        self.servers.iter().find(|s| s.id == id)
    }

    /// What the browser may know about the configured servers (no hosts, no ports).
    pub fn server_infos(&self) -> Vec<ServerInfo> {
        self.servers
            .iter()
            .map(|s| ServerInfo {
                id: s.id.clone(),
                name: s.name.clone(),
                incoming: s.incoming().0,
                domain: s.domain.clone(),
                oauth: s.oauth.as_ref().map(|o| o.button.clone().unwrap_or_else(|| format!("Sign in with {}", s.name))),
            })
            .collect()
    }
}

impl ServerConfig {
    /// The protocol and endpoint this account fetches mail with. Valid after [`Config::validate`].
    pub fn incoming(&self) -> (IncomingProtocol, &Endpoint) {
        match (&self.imap, &self.pop3) {
            (Some(imap), _) => (IncomingProtocol::Imap, imap),
            (None, Some(pop3)) => (IncomingProtocol::Pop3, pop3),
            (None, None) => unreachable!("validated: every server has imap or pop3"),
        }
    }

    /// The login name: `alice` becomes `alice@domain` when the server has a domain.
    pub fn login_name(&self, typed: &str) -> String {
        match &self.domain {
            Some(domain) if !typed.contains('@') => format!("{typed}@{domain}"),
            _ => typed.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
        [[server]]
        id = "demo"
        name = "Demo"
        domain = "example.test"
        imap = { host = "127.0.0.1", port = 10143, security = "starttls" }
        smtp = { host = "127.0.0.1", port = 10587, security = "starttls", ca_file = "/tmp/ca.pem" }
    "#;

    #[test]
    fn parses_sample_with_defaults() {
        let config: Config = toml::from_str(SAMPLE).unwrap();
        config.validate().unwrap();
        assert_eq!(config.listen, default_listen());
        let server = config.server("demo").unwrap();
        assert_eq!(server.incoming().0, IncomingProtocol::Imap);
        assert_eq!(server.smtp.ca_file.as_deref(), Some(Path::new("/tmp/ca.pem")));
        assert_eq!(server.login_name("alice"), "alice@example.test");
        assert_eq!(server.login_name("bob@other.test"), "bob@other.test");
    }

    #[test]
    fn plaintext_needs_explicit_consent() {
        let text = SAMPLE.replace(r#"port = 10143, security = "starttls""#, r#"port = 10143, security = "plain""#);
        let config: Config = toml::from_str(&text).unwrap();
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("allow_plaintext_password"), "{err}");

        let text = text.replace(r#"security = "plain""#, r#"security = "plain", allow_plaintext_password = true"#);
        let config: Config = toml::from_str(&text).unwrap();
        config.validate().unwrap();

        // The same for ManageSieve: it carries the account's password too.
        let sieve = SAMPLE.replace(
            "smtp = {",
            "managesieve = { host = \"127.0.0.1\", port = 4190, security = \"plain\" }\n        smtp = {",
        );
        let config: Config = toml::from_str(&sieve).unwrap();
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("managesieve") && err.contains("allow_plaintext_password"), "{err}");
        let config: Config = toml::from_str(&sieve.replace("\"plain\" }", "\"starttls\" }")).unwrap();
        assert_eq!(
            config.validate().map(|()| config.server("demo").unwrap().managesieve.as_ref().unwrap().port).unwrap(),
            4190
        );
    }

    #[test]
    fn needs_exactly_one_incoming_server() {
        let both =
            SAMPLE.replace("smtp = {", "pop3 = { host = \"h\", port = 995, security = \"tls\" }\n        smtp = {");
        let config: Config = toml::from_str(&both).unwrap();
        assert!(config.validate().unwrap_err().to_string().contains("exactly one"));
    }

    #[test]
    fn rejects_unknown_keys_and_duplicate_ids() {
        assert!(toml::from_str::<Config>("listn = \"127.0.0.1:1\"").is_err());
        let twice = format!("{SAMPLE}\n{}", SAMPLE.replace("name = \"Demo\"", "name = \"Again\""));
        let config: Config = toml::from_str(&twice).unwrap();
        assert!(config.validate().is_err());
    }

    #[test]
    fn oauth_presets_fill_in_the_provider_and_an_incomplete_provider_is_refused() {
        let google = SAMPLE.replace(
            "smtp = {",
            "oauth = { preset = \"google\", client_id = \"id\", client_secret = \"s\" }\n        smtp = {",
        );
        let config: Config = toml::from_str(&google).unwrap();
        config.validate().unwrap();
        let oauth = config.server("demo").unwrap().oauth.as_ref().unwrap().resolved();
        assert_eq!(oauth.token_endpoint.as_deref(), Some("https://oauth2.googleapis.com/token"));
        assert!(oauth.scopes.contains(&"https://mail.google.com/".to_owned()));
        assert_eq!(oauth.extra_params.get("access_type").map(String::as_str), Some("offline"));
        assert_eq!(config.server_infos()[0].oauth.as_deref(), Some("Sign in with Demo"));

        let bare = SAMPLE.replace("smtp = {", "oauth = { client_id = \"id\" }\n        smtp = {");
        let config: Config = toml::from_str(&bare).unwrap();
        assert!(config.validate().unwrap_err().to_string().contains("preset, an issuer"));
    }

    #[test]
    fn browser_sees_no_hosts() {
        let config: Config = toml::from_str(SAMPLE).unwrap();
        let infos = config.server_infos();
        assert_eq!(infos.len(), 1);
        assert_eq!(infos[0].domain.as_deref(), Some("example.test"));
    }
}
