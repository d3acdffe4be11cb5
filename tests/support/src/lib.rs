//! What Yubin's integration and end-to-end tests share: the real Dovecot + Postfix stack
//! (`tests/mailstack/mailstack.sh`), a gateway running in-process against it, and a small client
//! for the wire protocol.
//!
//! The stack is started on first use and left running (starting is idempotent and takes about a
//! second), so test binaries can share it. `tests/run` stops it at the end.

pub mod gnupg;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yubin_gateway::{Config, Gateway};
use yubin_protocol::{ApiError, ClientFrame, Event, Request, Response, ServerFrame, Session, Welcome};

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// Endpoints of the running mail stack, as printed by `mailstack.sh env`.
#[derive(Debug, Clone)]
pub struct MailStack {
    pub script: PathBuf,
    /// Where the stack keeps its state and logs.
    pub dir: PathBuf,
    pub domain: String,
    pub ca_file: PathBuf,
    pub imap: u16,
    pub imaps: u16,
    pub pop3: u16,
    pub pop3s: u16,
    pub smtp: u16,
    pub submission: u16,
    pub submissions: u16,
    /// ManageSieve (Pigeonhole), STARTTLS.
    pub sieve: u16,
    /// Radicale (CardDAV): the users' contacts.
    pub carddav: u16,
    /// The OpenID provider (tests/oidc): its issuer URL, its token-minting admin address, and
    /// the gateway's client secret there.
    pub oidc_issuer: String,
    pub oidc_admin: String,
    pub oidc_client_secret: String,
    /// The keyserver (VKS lookups from files): its URL, and the directory of its files.
    pub keyserver: String,
    pub keyserver_dir: PathBuf,
}

/// A key file written for a test; removed when dropped.
pub struct KeyFile(pub PathBuf);

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const PROPFIND_TYPES: &str = r#"<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>"#;

/// The `<href>`s of a WebDAV multistatus reply, in order.
pub fn hrefs_of(body: &str) -> Vec<String> {
    body.split("<href>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</href>").map(|(href, _)| href.to_owned()))
        .collect()
}

/// What Radicale answered to [`MailStack::dav`].
#[derive(Debug, Clone)]
pub struct DavReply {
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
}

/// Tokens the provider minted for a user (see [`MailStack::mint_tokens`]).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MintedTokens {
    pub access_token: String,
    pub refresh_token: String,
}

impl MailStack {
    /// Starts the stack if it is not running, once per process.
    pub fn ensure() -> &'static MailStack {
        static STACK: OnceLock<MailStack> = OnceLock::new();
        STACK.get_or_init(|| {
            let script = repo_root().join("tests/mailstack/mailstack.sh");
            run(Command::new("bash").arg(&script).arg("start"));
            let env = StackEnv::of(&script);
            MailStack {
                dir: PathBuf::from(env.get("MAILSTACK_DIR")),
                domain: env.get("MAILSTACK_DOMAIN"),
                ca_file: PathBuf::from(env.get("MAILSTACK_CA")),
                imap: env.port("MAILSTACK_IMAP"),
                imaps: env.port("MAILSTACK_IMAPS"),
                pop3: env.port("MAILSTACK_POP3"),
                pop3s: env.port("MAILSTACK_POP3S"),
                smtp: env.port("MAILSTACK_SMTP"),
                submission: env.port("MAILSTACK_SUBMISSION"),
                submissions: env.port("MAILSTACK_SUBMISSIONS"),
                sieve: env.port("MAILSTACK_SIEVE"),
                carddav: env.port("MAILSTACK_CARDDAV"),
                oidc_issuer: env.get("MAILSTACK_OIDC_ISSUER"),
                oidc_admin: env.get("MAILSTACK_OIDC_ADMIN"),
                oidc_client_secret: env.get("MAILSTACK_OIDC_CLIENT_SECRET"),
                keyserver: env.get("MAILSTACK_KEYSERVER"),
                keyserver_dir: PathBuf::from(env.get("MAILSTACK_KEYSERVER_DIR")),
                script,
            }
        })
    }

    /// Writes `count` generated messages into `user`'s INBOX (appended after what is there).
    pub fn seed(&self, count: u32, user: &str) {
        run(Command::new("bash").arg(&self.script).args(["seed", &count.to_string(), user]));
    }

    /// Moves `user`'s inbox messages whose subject contains `subject` to `mailbox`, with
    /// Dovecot's own tool (as another client would).
    pub fn move_by_subject(&self, user: &str, subject: &str, mailbox: &str) {
        self.doveadm(&["move", "-u", &self.address(user), mailbox, "mailbox", "INBOX", "subject", subject]);
    }

    /// How many messages `user` has in `mailbox`, asked of Dovecot directly.
    pub fn message_count(&self, user: &str, mailbox: &str) -> u32 {
        let out = self.doveadm(&["mailbox", "status", "-u", &self.address(user), "messages", mailbox]);
        // "INBOX messages=N"
        out.split_whitespace()
            .find_map(|field| field.strip_prefix("messages="))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("doveadm said {out:?}"))
    }

    /// Drops every IMAP/POP3 connection of `user` on the server side, as a server restart or a
    /// network failure would.
    pub fn kick(&self, user: &str) {
        self.doveadm(&["kick", &self.address(user)]);
    }

    /// How many IMAP and POP3 connections `user` has open at Dovecot now.
    pub fn connections(&self, user: &str) -> usize {
        // "user@domain   3 imap  (pids) (ips)": the second column counts them.
        let address = self.address(user);
        self.doveadm(&["who", "-1", &address])
            .lines()
            .filter(|line| line.split_whitespace().next() == Some(address.as_str()))
            .count()
    }

    /// Creates (and subscribes to) `mailbox` for `user` unless it exists, as another client would.
    pub fn create_mailbox(&self, user: &str, mailbox: &str) {
        let address = self.address(user);
        let list = self.doveadm(&["mailbox", "list", "-u", &address]);
        if !list.lines().any(|line| line == mailbox) {
            self.doveadm(&["mailbox", "create", "-s", "-u", &address, mailbox]);
        }
    }

    /// The lines Dovecot logged about `user`'s sessions so far.
    pub fn dovecot_log_of(&self, user: &str) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.join("logs/dovecot.log")).unwrap_or_default();
        let (session, login) = (format!("({})", self.address(user)), format!("<{}>", self.address(user)));
        log.lines().filter(|line| line.contains(&session) || line.contains(&login)).map(str::to_owned).collect()
    }

    /// Deletes `mailbox` of `user` with its messages, if it exists, as another client would.
    pub fn delete_mailbox(&self, user: &str, mailbox: &str) {
        let address = self.address(user);
        let list = self.doveadm(&["mailbox", "list", "-u", &address]);
        if list.lines().any(|line| line == mailbox) {
            self.empty_mailbox(user, mailbox);
            self.doveadm(&["mailbox", "delete", "-u", &address, mailbox]);
        }
    }

    /// Waits (up to 20 s: delivery through Postfix, Dovecot and Sieve) until `user`'s `mailbox`
    /// holds exactly `count` messages.
    pub async fn wait_for_count(&self, user: &str, mailbox: &str, count: u32) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let now = self.message_count(user, mailbox);
            if now == count {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{user}'s {mailbox} has {now} messages, not {count}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// Whether `user`'s `mailbox` holds a message whose subject contains `subject`.
    pub fn has_subject(&self, user: &str, mailbox: &str, subject: &str) -> bool {
        let found = self.doveadm(&["search", "-u", &self.address(user), "mailbox", mailbox, "subject", subject]);
        !found.trim().is_empty()
    }

    /// The source of the message of `user`'s `mailbox` whose subject contains `subject`, as
    /// Dovecot stores it (empty when there is none).
    pub fn source_by_subject(&self, user: &str, mailbox: &str, subject: &str) -> String {
        let out = self.doveadm(&[
            "-f",
            "flow",
            "fetch",
            "-u",
            &self.address(user),
            "text",
            "mailbox",
            mailbox,
            "subject",
            subject,
        ]);
        // `-f flow` prints `text=` and the message after it.
        out.split_once("text=").map(|(_, text)| text.to_owned()).unwrap_or_default()
    }

    /// Removes every message of `user`'s `mailbox` for good.
    pub fn empty_mailbox(&self, user: &str, mailbox: &str) {
        self.doveadm(&["expunge", "-u", &self.address(user), "mailbox", mailbox, "all"]);
    }

    /// Removes a message of `user`'s INBOX for good, as another mail client would.
    pub fn expunge(&self, user: &str, uid: u32) {
        self.doveadm(&["expunge", "-u", &self.address(user), "mailbox", "INBOX", "uid", &uid.to_string()]);
    }

    /// Adds an IMAP flag (`\\Flagged`) to a message of `user`'s INBOX, as another client would.
    pub fn add_flag(&self, user: &str, flag: &str, uid: u32) {
        self.change_flag("add", user, flag, uid);
    }

    /// Clears an IMAP flag of a message of `user`'s INBOX, as another client would.
    pub fn remove_flag(&self, user: &str, flag: &str, uid: u32) {
        self.change_flag("remove", user, flag, uid);
    }

    fn change_flag(&self, how: &str, user: &str, flag: &str, uid: u32) {
        let uid = uid.to_string();
        self.doveadm(&["flags", how, "-u", &self.address(user), flag, "mailbox", "INBOX", "uid", &uid]);
    }

    fn doveadm(&self, args: &[&str]) -> String {
        run(Command::new("bash").arg(&self.script).arg("doveadm").args(args))
    }

    pub fn address(&self, user: &str) -> String {
        format!("{user}@{}", self.domain)
    }

    /// Delivers raw RFC 5322 bytes to `user` through Postfix's inbound (port-25 style) service,
    /// the way mail from the outside world arrives.
    pub async fn deliver(&self, user: &str, raw: &[u8]) {
        smtp_deliver(self.smtp, "sender@example.org", &self.address(user), raw).await;
    }

    /// Delivers as [`MailStack::deliver`] does, from another user of the stack (the envelope
    /// sender, where replies such as a vacation notice go).
    pub async fn deliver_from(&self, sender: &str, user: &str, raw: &[u8]) {
        smtp_deliver(self.smtp, &self.address(sender), &self.address(user), raw).await;
    }

    /// The flags of every message in `user`'s `mailbox`, one string per message (`\Seen \Flagged`).
    pub fn flags_of(&self, user: &str, mailbox: &str) -> Vec<String> {
        let out = self.doveadm(&["fetch", "-u", &self.address(user), "flags", "mailbox", mailbox]);
        // \Recent is Dovecot's, not the message's.
        let flags = |f: &str| f.split_whitespace().filter(|f| *f != "\\Recent").collect::<Vec<_>>().join(" ");
        out.lines().filter_map(|line| line.strip_prefix("flags:")).map(flags).collect()
    }

    /// `user`'s Sieve scripts, each with whether it is the active one.
    pub fn sieve_scripts(&self, user: &str) -> Vec<(String, bool)> {
        // "name" or "name ACTIVE", one per line.
        let out = self.doveadm(&["sieve", "list", "-u", &self.address(user)]);
        out.lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                Some((words.next()?.to_owned(), words.next() == Some("ACTIVE")))
            })
            .collect()
    }

    /// The text of `user`'s Sieve script `name`.
    pub fn sieve_script(&self, user: &str, name: &str) -> String {
        let out = self.doveadm(&["sieve", "get", "-u", &self.address(user), name]);
        // doveadm's formatter puts the field's name before it.
        out.strip_prefix("sieve script:\n").map(str::to_owned).unwrap_or(out)
    }

    /// Removes every Sieve script of `user`, and what Sieve remembers of replies it sent (a
    /// vacation reply answers a sender once per period), as if they never had filters.
    pub fn remove_sieve_scripts(&self, user: &str) {
        let address = self.address(user);
        self.doveadm(&["sieve", "deactivate", "-u", &address]);
        for (name, _) in self.sieve_scripts(user) {
            self.doveadm(&["sieve", "delete", "-u", &address, &name]);
        }
        let home = self.dir.join("mail").join(&self.domain).join(user.to_lowercase());
        let _ = std::fs::remove_file(home.join(".dovecot.lda-dupes"));
    }

    /// Stores `raw` in `user`'s `mailbox`, as another client would (e.g. a copy in Sent).
    pub fn save(&self, user: &str, mailbox: &str, raw: &[u8]) {
        self.doveadm_with_input(&["save", "-u", &self.address(user), "-m", mailbox], raw);
    }

    /// Stores a Sieve script for `user` (and makes it the active one), as another client would.
    pub fn put_sieve_script(&self, user: &str, name: &str, text: &str) {
        self.doveadm_with_input(&["sieve", "put", "-a", "-u", &self.address(user), name], text.as_bytes());
    }

    /// Runs doveadm with `input` on its standard input.
    fn doveadm_with_input(&self, args: &[&str], input: &[u8]) {
        use std::io::Write;
        let mut child = Command::new("bash")
            .arg(&self.script)
            .arg("doveadm")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("doveadm");
        child.stdin.take().unwrap().write_all(input).unwrap();
        assert!(child.wait().unwrap().success(), "doveadm {args:?}");
    }

    /// A gateway config with one server, `demo`: IMAP over STARTTLS and submission over
    /// STARTTLS, both verified against the stack's CA.
    pub fn gateway_config(&self, static_dir: &Path) -> Config {
        self.gateway_config_using(static_dir, Transport::Starttls)
    }

    pub fn gateway_config_using(&self, static_dir: &Path, transport: Transport) -> Config {
        let config: Config = toml::from_str(&self.gateway_config_text(static_dir, transport)).expect("test config");
        config.validate().expect("valid test config");
        config
    }

    /// [`Self::gateway_config`] with an OAuth sealing key file holding 32 bytes of `byte`, as
    /// gateways behind one balancer share it; the file goes when the returned guard does.
    pub fn gateway_config_with_key(&self, static_dir: &Path, byte: u8) -> (Config, KeyFile) {
        let path = std::env::temp_dir().join(format!("yubin-oauth-key-{}-{byte:02x}", std::process::id()));
        std::fs::write(&path, [byte; 32]).expect("key file");
        let mut config = self.gateway_config(static_dir);
        config.oauth_key_file = Some(path.clone());
        (config, KeyFile(path))
    }

    /// The gateway configuration for this stack as TOML, for a gateway run as its own process.
    pub fn gateway_config_text(&self, static_dir: &Path, transport: Transport) -> String {
        let (security, imap, pop3, smtp) = match transport {
            Transport::Starttls => ("starttls", self.imap, self.pop3, self.submission),
            Transport::ImplicitTls => ("tls", self.imaps, self.pop3s, self.submissions),
        };
        let ports = (imap, pop3, smtp);
        let ca = &self.ca_file;
        let extras = format!(
            "managesieve = {{ host = \"127.0.0.1\", port = {}, security = \"starttls\", ca_file = {ca:?} }}\n\
             carddav = {{ url = \"https://127.0.0.1:{}/\", ca_file = {ca:?} }}\n",
            self.sieve, self.carddav
        );
        let servers = server_pair_toml("demo", "Demo mail", &self.domain, ca, security, ports, &extras);
        let oauth = format!(
            "oauth = {{ issuer = {:?}, client_id = \"yubin\", client_secret = {:?}, ca_file = {:?}, \
             button = \"Sign in with Example ID\" }}",
            self.oidc_issuer, self.oidc_client_secret, self.ca_file
        );
        let oauth_servers = server_pair_toml("oidc", "Example ID", &self.domain, ca, security, ports, &extras)
            .replace("\nsmtp = ", &format!("\n{oauth}\nsmtp = "));
        let openpgp = format!("[openpgp]\nkeyserver = {:?}\nca_file = {ca:?}\n", self.keyserver);
        format!("listen = \"127.0.0.1:0\"\nstatic_dir = {static_dir:?}\n{openpgp}\n{servers}\n{oauth_servers}")
    }

    /// Puts `armored` on the keyserver for `address` and for the key's fingerprint (upper-case
    /// hex), as keys.openpgp.org has a key whose address its owner confirmed.
    pub fn publish_key(&self, address: &str, fingerprint: &str, armored: &str) {
        for (kind, name) in [("by-email", address.to_lowercase()), ("by-fingerprint", fingerprint.to_uppercase())] {
            std::fs::write(self.keyserver_dir.join(kind).join(name), armored).expect("keyserver file");
        }
    }

    /// The paths the keyserver was asked for, in order, since it started.
    pub fn keyserver_requests(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.join("logs/keyserver.log")).unwrap_or_default();
        log.lines().filter_map(|line| line.strip_prefix("GET ")).map(str::to_owned).collect()
    }

    /// One plain WebDAV request to Radicale as `user` (password `<user>-pass`), as another
    /// contacts app would make it: the status, the ETag if any, and the body.
    pub async fn dav(&self, user: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> DavReply {
        use base64::Engine as _;
        let credentials = format!("{}:{user}-pass", self.address(user));
        let mut request =
            http::Request::builder().method(method).uri(format!("https://127.0.0.1:{}{path}", self.carddav)).header(
                "Authorization",
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials)),
            );
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(body.as_bytes().to_vec()).expect("a request");
        // Radicale reads a big book slowly the first time (10,000 cards: ~30 s), then from its cache.
        let within = std::time::Duration::from_secs(180);
        let reply =
            yubin_gateway::upstream::https::send_within(request, Some(&self.ca_file), "carddav", within, 64 << 20)
                .await
                .expect("Radicale answers");
        DavReply {
            status: reply.status().as_u16(),
            etag: reply.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned),
            body: String::from_utf8_lossy(reply.body()).into_owned(),
        }
    }

    /// `user`'s address books on Radicale (their paths), as another contacts app finds them.
    pub async fn address_books(&self, user: &str) -> Vec<String> {
        let home = format!("/{}/", self.address(user).replace('@', "%40"));
        let listing = self.dav(user, "PROPFIND", &home, &[("Depth", "1")], PROPFIND_TYPES).await;
        hrefs_of(&listing.body).into_iter().filter(|h| *h != home && h.ends_with('/')).collect()
    }

    /// Every card of `user` on Radicale: its path and text.
    pub async fn vcards(&self, user: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for book in self.address_books(user).await {
            let listing = self.dav(user, "PROPFIND", &book, &[("Depth", "1")], PROPFIND_TYPES).await;
            for href in hrefs_of(&listing.body).into_iter().filter(|h| !h.ends_with('/')) {
                out.push((href.clone(), self.dav(user, "GET", &href, &[], "").await.body));
            }
        }
        out
    }

    /// Deletes all of `user`'s address books on Radicale: a test starts from none.
    pub async fn reset_contacts(&self, user: &str) {
        for book in self.address_books(user).await {
            let reply = self.dav(user, "DELETE", &book, &[], "").await;
            assert!(reply.status < 300, "deleting {book}: {reply:?}");
        }
    }

    /// A grant for `user` with an access and a refresh token, minted by the OpenID provider
    /// through its own models (its test-only admin port), as its consent page would give.
    pub async fn mint_tokens(&self, user: &str) -> MintedTokens {
        self.mint_tokens_lasting(user, None).await
    }

    /// The same, with an access token that lasts `ttl_secs` (default: the provider's).
    pub async fn mint_tokens_lasting(&self, user: &str, ttl_secs: Option<u64>) -> MintedTokens {
        let ttl = ttl_secs.map(|t| format!("&ttl={t}")).unwrap_or_default();
        self.mint(&format!("user={user}{ttl}")).await
    }

    /// Tokens for the provider's client `client` (`yubin-static` never rotates refresh tokens).
    pub async fn mint_tokens_for_client(&self, user: &str, client: &str) -> MintedTokens {
        self.mint(&format!("user={user}&client={client}")).await
    }

    async fn mint(&self, query: &str) -> MintedTokens {
        let body = self.provider_admin(&format!("/mint?{query}")).await;
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("minting tokens ({query}): {e}: {body}"))
    }

    /// Withdraws every grant `user` gave at the provider (as in a provider's account settings):
    /// its access and refresh tokens stop working at once.
    pub async fn revoke_grants(&self, user: &str) {
        let body = self.provider_admin(&format!("/revoke?user={user}")).await;
        assert!(body.contains("revoked"), "revoking {user}'s grants: {body}");
    }

    /// POSTs to the provider's test-only admin port; the reply's body.
    async fn provider_admin(&self, path: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.oidc_admin).await.expect("the provider's admin port");
        let host = &self.oidc_admin;
        let request = format!("POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).await.unwrap();
        reply.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
    }
}

/// The KEY=VALUE lines a stack script prints with `env`.
struct StackEnv(String);

impl StackEnv {
    fn of(script: &Path) -> Self {
        Self(run(Command::new("bash").arg(script).arg("env")))
    }

    fn get(&self, key: &str) -> String {
        self.0
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} missing from the stack's env"))
            .to_owned()
    }

    /// The port of a `host:port` value.
    fn port(&self, key: &str) -> u16 {
        self.get(key).rsplit(':').next().and_then(|p| p.parse().ok()).expect("host:port")
    }
}

/// The second server family (Cyrus IMAP/POP3 3.6 and OpenSMTPD 7.4, `others.sh`), for the
/// tests that run the same cases against every kind of server.
#[derive(Debug, Clone)]
pub struct OtherStack {
    pub domain: String,
    pub ca_file: PathBuf,
    pub imap: u16,
    pub pop3: u16,
    pub smtp: u16,
    pub submission: u16,
}

impl OtherStack {
    /// Starts Cyrus and OpenSMTPD (and the main stack they lean on) once per process.
    pub fn ensure() -> &'static OtherStack {
        static STACK: OnceLock<OtherStack> = OnceLock::new();
        STACK.get_or_init(|| {
            MailStack::ensure();
            let script = repo_root().join("tests/mailstack/others.sh");
            run(Command::new("bash").arg(&script).arg("start"));
            let env = StackEnv::of(&script);
            OtherStack {
                domain: env.get("OTHERSTACK_DOMAIN"),
                ca_file: PathBuf::from(env.get("OTHERSTACK_CA")),
                imap: env.port("OTHERSTACK_IMAP"),
                pop3: env.port("OTHERSTACK_POP3"),
                smtp: env.port("OTHERSTACK_SMTP"),
                submission: env.port("OTHERSTACK_SUBMISSION"),
            }
        })
    }

    /// Gateway `[[server]]` entries: `cyrus` (IMAP) and `cyrus-pop3` (POP3), both sending
    /// through OpenSMTPD's submission port, all over verified STARTTLS.
    pub fn gateway_servers_text(&self) -> String {
        let ports = (self.imap, self.pop3, self.submission);
        server_pair_toml("cyrus", "Cyrus + OpenSMTPD", &self.domain, &self.ca_file, "starttls", ports, "")
    }

    /// Delivers raw RFC 5322 bytes to `user` through OpenSMTPD's inbound service.
    pub async fn deliver(&self, user: &str, raw: &[u8]) {
        smtp_deliver(self.smtp, "sender@example.org", &format!("{user}@{}", self.domain), raw).await;
    }
}

/// Two `[[server]]` entries for one mail host: `id` reading by IMAP and `id-pop3` by POP3,
/// both sending through the same submission port, all TLS verified against `ca`.
/// `extras` are further lines of the IMAP entry (ManageSieve, CardDAV).
fn server_pair_toml(
    id: &str,
    name: &str,
    domain: &str,
    ca: &Path,
    security: &str,
    ports: (u16, u16, u16),
    extras: &str,
) -> String {
    let (imap, pop3, smtp) = ports;
    let endpoint =
        |port: u16| format!(r#"{{ host = "127.0.0.1", port = {port}, security = "{security}", ca_file = {ca:?} }}"#);
    format!(
        "[[server]]\nid = \"{id}\"\nname = \"{name}\"\ndomain = \"{domain}\"\nimap = {}\nsmtp = {}\n{}\n\
         [[server]]\nid = \"{id}-pop3\"\nname = \"{name} (POP3)\"\ndomain = \"{domain}\"\npop3 = {}\nsmtp = {}\n",
        endpoint(imap),
        endpoint(smtp),
        extras,
        endpoint(pop3),
        endpoint(smtp),
    )
}

/// Hands `raw` to the SMTP server on 127.0.0.1:`port` for `to`, as mail from outside arrives.
async fn smtp_deliver(port: u16, from: &str, to: &str, raw: &[u8]) {
    use lettre::address::Envelope;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let envelope = Envelope::new(Some(from.parse().unwrap()), vec![to.parse().unwrap()]).unwrap();
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .build()
        .send_raw(&envelope, raw)
        .await
        .expect("inbound SMTP delivery");
}

/// How the test gateway reaches the stack's IMAP and submission services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// IMAP 143-style and submission 587-style, upgraded with STARTTLS.
    Starttls,
    /// IMAPS 993-style and submissions 465-style, TLS from the first byte.
    ImplicitTls,
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// A gateway serving on an ephemeral loopback port; stops when dropped.
pub struct TestGateway {
    pub addr: SocketAddr,
    config: Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestGateway {
    pub async fn start(config: Config) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), config).await
    }

    async fn start_on(addr: SocketAddr, config: Config) -> Self {
        yubin_gateway::install_crypto_provider();
        let gateway = Arc::new(Gateway::new(config.clone()).expect("gateway from config"));
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind the gateway's address");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(yubin_gateway::serve(listener, gateway, async {
            let _ = stopped.await;
        }));
        Self { addr, config, stop: Some(stop), task: Some(task) }
    }

    /// Stops this gateway (closing its sessions, as a real restart does) and starts a fresh one
    /// on the same address, sharing nothing with the old one.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start_again().await;
    }

    /// Stops serving, as a crash or a deploy would; [`Self::start_again`] brings it back.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub async fn start_again(&mut self) {
        *self = Self::start_on(self.addr, self.config.clone()).await;
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A wire-protocol client, as the browser app would be.
pub struct WsClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u32,
    pub welcome: Welcome,
    /// Pushed events that arrived while waiting for a reply.
    events: std::collections::VecDeque<Event>,
}

/// How long a test waits for any one reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

impl WsClient {
    /// Connects as a page served by the gateway itself would.
    pub async fn connect(gateway: &TestGateway) -> Self {
        Self::connect_with_origin(gateway, Some(&gateway.url())).await.expect("WebSocket connect")
    }

    /// Connects to a gateway at `addr` (one running as its own process), as its own page would.
    pub async fn connect_to(addr: SocketAddr) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{addr}/ws").into_client_request()?;
        request.headers_mut().insert("Origin", format!("http://{addr}").parse().unwrap());
        Self::handshake(request).await
    }

    pub async fn connect_with_origin(
        gateway: &TestGateway,
        origin: Option<&str>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{}/ws", gateway.addr).into_client_request()?;
        if let Some(origin) = origin {
            request.headers_mut().insert("Origin", origin.parse().unwrap());
        }
        Self::handshake(request).await
    }

    /// Connects to `gateway` with these request headers (`Origin`, `Host`, `X-Forwarded-For`…)
    /// in place of a browser's.
    pub async fn connect_with_headers(
        gateway: &TestGateway,
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{}/ws", gateway.addr).into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        Self::handshake(request).await
    }

    async fn handshake(
        request: tokio_tungstenite::tungstenite::handshake::client::Request,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
        let welcome = match next_frame(&mut ws).await {
            ServerFrame::Welcome(w) => w,
            other => panic!("expected Welcome, got {other:?}"),
        };
        Ok(Self { ws, next_id: 1, welcome, events: Default::default() })
    }

    pub async fn request(&mut self, request: Request) -> Result<Response, ApiError> {
        self.request_as(0, request).await
    }

    /// Sends a typed call and reads its reply (a reply of another shape fails the test).
    pub async fn call<C: yubin_protocol::calls::Call + std::fmt::Debug + Clone>(
        &mut self,
        call: C,
    ) -> Result<C::Reply, ApiError> {
        let response = self.request(call.clone().into()).await?;
        Ok(C::reply(response).unwrap_or_else(|| panic!("{call:?} answered with another shape")))
    }

    /// Sends `request` for the socket's account `account` (see [`ClientFrame::account`]).
    pub async fn request_as(&mut self, account: u32, request: Request) -> Result<Response, ApiError> {
        let id = self.send_request(account, request).await;
        self.reply_to(id).await
    }

    /// Sends `request` without waiting; returns its id for [`Self::reply_to`].
    pub async fn send_request(&mut self, account: u32, request: Request) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let json = serde_json::to_string(&ClientFrame { id, account, request }).unwrap();
        self.ws.send(Message::Text(json.into())).await.expect("send frame");
        id
    }

    /// Waits for the reply to request `id`, keeping events that come first.
    pub async fn reply_to(&mut self, id: u32) -> Result<Response, ApiError> {
        loop {
            match next_frame(&mut self.ws).await {
                ServerFrame::Reply { id: got, result } if got == id => return result,
                ServerFrame::Event(event) => self.events.push_back(event),
                _ => continue,
            }
        }
    }

    /// The close code the gateway ends the connection with, waiting up to `within`.
    pub async fn close_code(&mut self, within: Duration) -> Option<u16> {
        tokio::time::timeout(within, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                    None | Some(Err(_)) => return None,
                    Some(Ok(_)) => continue,
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Closes the socket from this side.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Sends a text frame as is (for tests of what the gateway does with bad input).
    pub async fn send_raw(&mut self, text: String) {
        let _ = self.ws.send(Message::Text(text.into())).await;
    }

    /// Whether the gateway closes the connection within `within` (frames before the close are
    /// skipped).
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        tokio::time::timeout(within, async {
            loop {
                match self.ws.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => continue,
                }
            }
        })
        .await
        .is_ok()
    }

    /// The next pushed event, waiting up to `within` for one.
    pub async fn next_event(&mut self, within: Duration) -> Option<Event> {
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        tokio::time::timeout(within, async {
            loop {
                if let ServerFrame::Event(event) = next_frame(&mut self.ws).await {
                    return event;
                }
            }
        })
        .await
        .ok()
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Result<Session, ApiError> {
        self.login_to("demo", username, password).await
    }

    /// Logs in to the configured server `server` (`demo` is IMAP, `demo-pop3` POP3).
    pub async fn login_to(&mut self, server: &str, username: &str, password: &str) -> Result<Session, ApiError> {
        let response = self
            .request(Request::Login { server: server.into(), username: username.into(), password: password.into() })
            .await?;
        match response {
            Response::LoggedIn(session) => Ok(session),
            other => panic!("expected LoggedIn, got {other:?}"),
        }
    }
}

async fn next_frame(ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>) -> ServerFrame {
    loop {
        let message = tokio::time::timeout(REPLY_TIMEOUT, ws.next())
            .await
            .expect("reply within the timeout")
            .expect("socket open")
            .expect("frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("valid ServerFrame"),
            Message::Binary(bytes) => return serde_json::from_slice(&bytes).expect("valid ServerFrame"),
            _ => {}
        }
    }
}

/// A subject no other test run uses, to find one's own message in a shared mailbox.
pub fn unique_subject(what: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{what} {nanos:x}")
}

/// A plain HTTP/1.1 GET, enough for tests: status, headers (lower-case names) and the body
/// (de-chunked).
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    http_get_with(addr, path, &[]).await
}

/// The same, with more request headers (`("Cookie", "a=b")`).
pub async fn http_get_with(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let extra: String = headers.iter().map(|(name, value)| format!("{name}: {value}\r\n")).collect();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = input.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size_text = String::from_utf8_lossy(&input[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).expect("chunk size");
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&input[start..start + size]);
        input = &input[start + size + 2..];
    }
}

/// A loopback port free right now, for a server a test starts itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The value of the metric line `name` (with its labels, e.g. `yubin_sessions` or
/// `yubin_upstream_connections{protocol="imap"}`) on the gateway at `addr`'s `/metrics`.
pub async fn metric(addr: SocketAddr, name: &str) -> Option<u64> {
    let (_, _, body) = http_get(addr, "/metrics").await;
    let prefix = format!("{name} ");
    String::from_utf8_lossy(&body).lines().find_map(|l| l.strip_prefix(&prefix)?.parse().ok())
}

/// `unix` seconds as an RFC 5322 `Date:` value in UTC (`Tue, 05 Jan 2100 10:00:00 +0000`).
pub fn mail_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (days, seconds) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn mail_dates() {
        assert_eq!(super::mail_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(super::mail_date(4_102_480_800), "Fri, 01 Jan 2100 10:00:00 +0000");
        assert_eq!(super::mail_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }
}
