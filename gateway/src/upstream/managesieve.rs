//! ManageSieve (RFC 5804): the user's filter scripts, kept on their mail server.
//!
//! A small client of our own: no maintained Rust crate speaks ManageSieve (the `sieve-rs`
//! crate is a Sieve interpreter, not a client of the protocol). The protocol is IMAP-like
//! lines of atoms, quoted strings and literals, ending in `OK`, `NO` or `BYE`.
//!
//! As for POP3 and IMAP: STARTTLS is required unless the endpoint is TLS from the first byte
//! (the password is never sent in clear), nothing the server sends ahead of the TLS handshake
//! is accepted (response injection), and every server line and literal is bounded. A refusal
//! carries the server's own words, which for a script are its line and error.

use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use yubin_protocol::{ApiError, ErrorKind, SieveScriptInfo};

use super::counted::CountedTcp;
use super::net::{BoxedStream, Upstream};
use super::plaintext::{self, lost, sign_in_refusal};
use super::sasl::{bearer_error, encoded, BearerMechanism, Proof};
use crate::config::Security;

/// Longest line accepted (literals are counted apart).
const MAX_LINE: u64 = 8192;
/// Largest string accepted in one literal: a script (Dovecot's default limit is 1 MB).
const MAX_LITERAL: usize = 4 << 20;
/// Most lines in one reply (scripts listed, capabilities).
const MAX_LINES: usize = 10_000;
const TIMEOUT: Duration = Duration::from_secs(60);

/// What the server says it can do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    pub implementation: String,
    /// The Sieve extensions its scripts may use (`fileinto`, `vacation`, `regex`, …).
    pub extensions: Vec<String>,
    pub sasl: Vec<String>,
    pub starttls: bool,
    pub max_redirects: Option<u32>,
}

/// One item of a server line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Atom(String),
    /// A quoted string or a literal.
    Text(String),
    /// A response code, `(…)`, as written.
    Code(String),
}

/// The line that ends a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Done {
    status: Status,
    code: Option<String>,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    No,
    Bye,
}

pub struct SieveConnection {
    stream: BufReader<BoxedStream>,
    label: String,
    pub capabilities: Capabilities,
}

impl SieveConnection {
    pub async fn login(upstream: &Upstream, username: &str, proof: &Proof) -> Result<Self, ApiError> {
        let label = upstream.label();
        let tcp = upstream.connect_tcp().await?;
        let stream: BoxedStream = match upstream.endpoint.security {
            Security::Tls => Box::new(upstream.handshake(tcp).await?),
            Security::Starttls => Box::new(upstream.handshake(starttls_preamble(tcp, &label).await?).await?),
            Security::Plain => Box::new(tcp),
        };
        let mut connection =
            Self { stream: BufReader::new(stream), label: label.clone(), capabilities: Capabilities::default() };
        let login = async {
            // The greeting is the capability list; after STARTTLS the server sends it again.
            connection.capabilities = connection.read_capabilities().await?;
            match proof {
                Proof::Password(password) => connection.authenticate_plain(username, password.expose()).await,
                Proof::Bearer(token) => connection.authenticate_bearer(upstream, username, token.expose()).await,
            }
        };
        tokio::time::timeout(TIMEOUT, login)
            .await
            .map_err(|_| ApiError::new(ErrorKind::Unreachable, format!("{label} did not answer")))??;
        Ok(connection)
    }

    async fn authenticate_plain(&mut self, username: &str, password: &str) -> Result<(), ApiError> {
        if !self.capabilities.sasl.iter().any(|m| m.eq_ignore_ascii_case("PLAIN")) {
            return Err(ApiError::new(ErrorKind::AuthFailed, format!("{} does not offer PLAIN sign-in", self.label)));
        }
        let initial = encoded(&format!("\0{username}\0{password}"));
        self.send(&format!("AUTHENTICATE \"PLAIN\" {}", quoted(&initial)?)).await?;
        let (_, done) = self.reply().await?;
        self.accepted(done).map(drop).map_err(sign_in_refusal)
    }

    /// OAUTHBEARER where offered, else XOAUTH2 (as for IMAP and POP3). A refusal comes as a
    /// challenge carrying the reason, answered with the dummy response that ends the exchange.
    async fn authenticate_bearer(&mut self, upstream: &Upstream, username: &str, token: &str) -> Result<(), ApiError> {
        let mechanism = BearerMechanism::choose(&self.capabilities.sasl, upstream.endpoint.oauth_mechanism)
            .ok_or_else(|| {
                ApiError::new(ErrorKind::AuthFailed, format!("{} does not offer OAuth sign-in", self.label))
            })?;
        let endpoint = &upstream.endpoint;
        let initial = encoded(&mechanism.initial_response(username, token, &endpoint.host, endpoint.port));
        self.send(&format!("AUTHENTICATE \"{}\" {}", mechanism.name(), quoted(&initial)?)).await?;
        let items = self.read_items().await?;
        if let [Item::Text(challenge)] = &items[..] {
            let refusal = bearer_error(challenge.trim().as_bytes()).unwrap_or_else(|| "the token was refused".into());
            self.send(&quoted(&encoded(mechanism.after_error()))?).await?;
            let _ = self.reply().await; // the NO that ends the exchange
            return Err(ApiError::new(ErrorKind::AuthFailed, format!("{}: {refusal}", self.label)));
        }
        let done = self.done_of(items)?;
        self.accepted(done).map(drop).map_err(sign_in_refusal)
    }

    /// The scripts on the server (LISTSCRIPTS).
    pub async fn list_scripts(&mut self) -> Result<Vec<SieveScriptInfo>, ApiError> {
        self.send("LISTSCRIPTS").await?;
        let (lines, done) = self.reply().await?;
        self.accepted(done)?;
        lines
            .into_iter()
            .map(|line| match &line[..] {
                [Item::Text(name)] => Ok(SieveScriptInfo { name: name.clone(), active: false }),
                [Item::Text(name), Item::Atom(active)] if active.eq_ignore_ascii_case("ACTIVE") => {
                    Ok(SieveScriptInfo { name: name.clone(), active: true })
                }
                other => Err(self.protocol(format!("unexpected LISTSCRIPTS line {other:?}"))),
            })
            .collect()
    }

    /// A script's text (GETSCRIPT).
    pub async fn get_script(&mut self, name: &str) -> Result<String, ApiError> {
        self.send(&format!("GETSCRIPT {}", quoted(name)?)).await?;
        let (lines, done) = self.reply().await?;
        self.accepted(done)?;
        match &lines[..] {
            [line] => match &line[..] {
                [Item::Text(script)] => Ok(script.clone()),
                other => Err(self.protocol(format!("unexpected GETSCRIPT reply {other:?}"))),
            },
            _ => Err(self.protocol("GETSCRIPT did not return one script".into())),
        }
    }

    /// Stores a script under `name` (PUTSCRIPT); the server checks it first and refuses one with
    /// errors, in its own words. Warnings the server had are returned.
    pub async fn put_script(&mut self, name: &str, script: &str) -> Result<Option<String>, ApiError> {
        self.send_with_literal(&format!("PUTSCRIPT {} ", quoted(name)?), script).await?;
        self.script_verdict().await
    }

    /// Checks a script without storing it (CHECKSCRIPT, ManageSieve version 1.0 servers).
    pub async fn check_script(&mut self, script: &str) -> Result<Option<String>, ApiError> {
        self.send_with_literal("CHECKSCRIPT ", script).await?;
        self.script_verdict().await
    }

    /// Makes `name` the script that runs; an empty name makes none run (SETACTIVE).
    pub async fn set_active(&mut self, name: &str) -> Result<(), ApiError> {
        self.simple(&format!("SETACTIVE {}", quoted(name)?)).await
    }

    pub async fn delete_script(&mut self, name: &str) -> Result<(), ApiError> {
        self.simple(&format!("DELETESCRIPT {}", quoted(name)?)).await
    }

    pub async fn rename_script(&mut self, from: &str, to: &str) -> Result<(), ApiError> {
        self.simple(&format!("RENAMESCRIPT {} {}", quoted(from)?, quoted(to)?)).await
    }

    /// Ends the session (LOGOUT); a server that just closes is as good.
    pub async fn logout(mut self) {
        if self.send("LOGOUT").await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.reply()).await;
        }
    }

    async fn simple(&mut self, command: &str) -> Result<(), ApiError> {
        self.send(command).await?;
        let (_, done) = self.reply().await?;
        self.accepted(done).map(drop)
    }

    /// The end of PUTSCRIPT or CHECKSCRIPT: accepted (with the server's warnings, if any) or
    /// refused with its error, which names the line.
    async fn script_verdict(&mut self) -> Result<Option<String>, ApiError> {
        let (_, done) = self.reply().await?;
        let warned = done.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("WARNINGS"));
        let text = done.text.clone();
        self.accepted(done)?;
        Ok(warned.then_some(text))
    }

    /// The capability lines up to the OK that ends them.
    async fn read_capabilities(&mut self) -> Result<Capabilities, ApiError> {
        let (lines, done) = self.reply().await?;
        self.accepted(done)?;
        Ok(capabilities_of(&lines))
    }

    /// `done` when it is OK; the server's refusal otherwise.
    fn accepted(&self, done: Done) -> Result<Done, ApiError> {
        let text = if done.text.is_empty() { done.code.clone().unwrap_or_default() } else { done.text.clone() };
        match done.status {
            Status::Ok => Ok(done),
            Status::No => Err(ApiError::new(ErrorKind::Refused, format!("{}: {text}", self.label))),
            Status::Bye => {
                Err(ApiError::new(ErrorKind::ConnectionLost, format!("{} closed the session: {text}", self.label)))
            }
        }
    }

    async fn reply(&mut self) -> Result<(Vec<Vec<Item>>, Done), ApiError> {
        read_reply(&mut self.stream, &self.label).await
    }

    fn done_of(&self, items: Vec<Item>) -> Result<Done, ApiError> {
        done_line(&items).ok_or_else(|| self.protocol(format!("unexpected reply {items:?}")))
    }

    async fn read_items(&mut self) -> Result<Vec<Item>, ApiError> {
        read_items(&mut self.stream, &self.label).await
    }

    /// Sends one command line. Commands come from this module; strings in them are quoted by
    /// [`quoted`], which refuses line breaks.
    async fn send(&mut self, line: &str) -> Result<(), ApiError> {
        self.write(format!("{line}\r\n").as_bytes()).await
    }

    /// Sends `head` followed by `text` as a non-synchronizing literal (`{n+}`, which every
    /// ManageSieve server takes: RFC 5804 §1.2).
    async fn send_with_literal(&mut self, head: &str, text: &str) -> Result<(), ApiError> {
        let mut bytes = format!("{head}{{{}+}}\r\n", text.len()).into_bytes();
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.write(&bytes).await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        let label = self.label.clone();
        self.stream.get_mut().write_all(bytes).await.map_err(|e| lost(&label, e))?;
        self.stream.get_mut().flush().await.map_err(|e| lost(&label, e))
    }

    fn protocol(&self, what: String) -> ApiError {
        ApiError::new(ErrorKind::Protocol, format!("{}: {what}", self.label))
    }
}

/// Capabilities, STARTTLS and its OK in plain text, refusing a server without STARTTLS.
async fn starttls_preamble(tcp: CountedTcp, label: &str) -> Result<CountedTcp, ApiError> {
    plaintext::before_tls(tcp, label, TIMEOUT, async |reader| {
        let (lines, done) = read_reply(reader, label).await?;
        if done.status != Status::Ok {
            return Err(ApiError::new(ErrorKind::Refused, format!("{label}: {}", done.text)));
        }
        if !capabilities_of(&lines).starttls {
            return Err(plaintext::no_upgrade_offered(label, "STARTTLS"));
        }
        reader.get_mut().write_all(b"STARTTLS\r\n").await.map_err(|e| lost(label, e))?;
        let items = read_items(reader, label).await?;
        match done_line(&items) {
            Some(Done { status: Status::Ok, .. }) => Ok(()),
            _ => Err(plaintext::tls_refusal(label, &format!("refused STARTTLS: {items:?}"))),
        }
    })
    .await
}

/// The data lines of a reply and the line that ends it: in the session, and in plain text
/// before STARTTLS.
async fn read_reply<S: AsyncBufRead + Unpin>(reader: &mut S, label: &str) -> Result<(Vec<Vec<Item>>, Done), ApiError> {
    let mut lines = Vec::new();
    loop {
        let items = read_items(reader, label).await?;
        if let Some(done) = done_line(&items) {
            return Ok((lines, done));
        }
        if lines.len() >= MAX_LINES {
            return Err(ApiError::new(ErrorKind::Protocol, format!("{label}: reply too long")));
        }
        lines.push(items);
    }
}

fn capabilities_of(lines: &[Vec<Item>]) -> Capabilities {
    let mut capabilities = Capabilities::default();
    for line in lines {
        let (Some(Item::Text(name)), value) = (line.first(), line.get(1)) else { continue };
        let value = match value {
            Some(Item::Text(value)) => value.as_str(),
            _ => "",
        };
        match name.to_ascii_uppercase().as_str() {
            "IMPLEMENTATION" => capabilities.implementation = value.to_owned(),
            "SIEVE" => capabilities.extensions = value.split_ascii_whitespace().map(str::to_owned).collect(),
            "SASL" => capabilities.sasl = value.split_ascii_whitespace().map(str::to_owned).collect(),
            "STARTTLS" => capabilities.starttls = true,
            "MAXREDIRECTS" => capabilities.max_redirects = value.trim().parse().ok(),
            _ => {}
        }
    }
    capabilities
}

/// `OK`, `NO` or `BYE`, an optional response code and an optional text: the end of a reply.
fn done_line(items: &[Item]) -> Option<Done> {
    let Some(Item::Atom(word)) = items.first() else { return None };
    let status = match word.to_ascii_uppercase().as_str() {
        "OK" => Status::Ok,
        "NO" => Status::No,
        "BYE" => Status::Bye,
        _ => return None,
    };
    let mut code = None;
    let mut text = String::new();
    for item in &items[1..] {
        match item {
            Item::Code(c) => code = Some(c.clone()),
            Item::Text(t) => text = t.clone(),
            Item::Atom(_) => {}
        }
    }
    Some(Done { status, code, text })
}

/// One server line as items; a literal's text is read whole, and the line goes on after it.
async fn read_items<S: AsyncBufRead + Unpin>(reader: &mut S, label: &str) -> Result<Vec<Item>, ApiError> {
    let protocol = |what: &str| ApiError::new(ErrorKind::Protocol, format!("{label}: {what}"));
    let mut items = Vec::new();
    let mut line = read_line(reader, label).await?;
    let mut rest = line.as_str();
    loop {
        rest = rest.trim_start_matches(' ');
        let Some(first) = rest.chars().next() else { return Ok(items) };
        match first {
            '"' => {
                let (text, after) = unquote(rest).ok_or_else(|| protocol("an unterminated string"))?;
                items.push(Item::Text(text));
                rest = after;
            }
            '(' => {
                let end = code_end(rest).ok_or_else(|| protocol("an unterminated response code"))?;
                items.push(Item::Code(rest[1..end].to_owned()));
                rest = &rest[end + 1..];
            }
            '{' => {
                let length = literal_length(rest).ok_or_else(|| protocol("a malformed literal"))?;
                if length > MAX_LITERAL {
                    return Err(protocol("a string too long"));
                }
                let mut bytes = vec![0; length];
                reader.read_exact(&mut bytes).await.map_err(|e| lost(label, e))?;
                let text = String::from_utf8(bytes).map_err(|_| protocol("a string that is not UTF-8"))?;
                items.push(Item::Text(text));
                line = read_line(reader, label).await?;
                rest = line.as_str();
            }
            _ => {
                let end = rest.find(' ').unwrap_or(rest.len());
                items.push(Item::Atom(rest[..end].to_owned()));
                rest = &rest[end..];
            }
        }
    }
}

/// `"…"` at the start of `text`, unescaped, and what follows it.
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[i + 1..])),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

/// Where the response code that starts `text` ends (its `)`), strings in it skipped.
fn code_end(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ')' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// `{n}` or `{n+}` ending the line: n.
fn literal_length(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    inner.strip_suffix('+').unwrap_or(inner).parse().ok()
}

/// A line without its CRLF, bounded.
async fn read_line<S: AsyncBufRead + Unpin>(reader: &mut S, label: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    let n = (&mut *reader).take(MAX_LINE).read_until(b'\n', &mut bytes).await.map_err(|e| lost(label, e))?;
    if n == 0 {
        return Err(plaintext::closed(label));
    }
    if !bytes.ends_with(b"\n") {
        return Err(ApiError::new(ErrorKind::Protocol, format!("{label}: a line too long")));
    }
    let line =
        String::from_utf8(bytes).map_err(|_| ApiError::new(ErrorKind::Protocol, format!("{label}: not UTF-8")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `text` as a quoted string; names and SASL data never hold line breaks (refused).
fn quoted(text: &str) -> Result<String, ApiError> {
    if text.contains(['\r', '\n', '\0']) {
        return Err(ApiError::new(ErrorKind::BadRequest, "a script name cannot hold a line break"));
    }
    Ok(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::fake_server;

    async fn items_of(wire: &str) -> Result<Vec<Item>, ApiError> {
        read_items(&mut BufReader::new(wire.as_bytes()), "test").await
    }

    fn text(t: &str) -> Item {
        Item::Text(t.into())
    }

    #[tokio::test]
    async fn lines_hold_atoms_quoted_strings_literals_and_codes() {
        assert_eq!(
            items_of("\"SIEVE\" \"fileinto vacation\"\r\n").await.unwrap(),
            [text("SIEVE"), text("fileinto vacation")]
        );
        assert_eq!(
            items_of("\"a \\\"b\\\" \\\\c\" ACTIVE\r\n").await.unwrap(),
            [text("a \"b\" \\c"), Item::Atom("ACTIVE".into())]
        );
        // A literal holds line breaks, and the line goes on after it.
        let script = "require \"fileinto\";\r\nfileinto \"日本\";\r\n";
        let wire = format!("{{{}}}\r\n{script} TAIL\r\n", script.len());
        assert_eq!(items_of(&wire).await.unwrap(), [text(script), Item::Atom("TAIL".into())]);
        let wire = format!("{{{}+}}\r\n{script}\r\n", script.len());
        assert_eq!(items_of(&wire).await.unwrap(), [text(script)]);
        let done = done_line(&items_of("NO (QUOTA/MAXSIZE \"x)y\") \"too big\"\r\n").await.unwrap()).unwrap();
        assert_eq!(
            done,
            Done { status: Status::No, code: Some("QUOTA/MAXSIZE \"x)y\"".into()), text: "too big".into() }
        );
    }

    #[tokio::test]
    async fn hostile_lines_are_refused_not_believed() {
        assert!(items_of("\"never closed\r\n").await.is_err());
        assert!(items_of(&format!("{{{}}}\r\n", MAX_LITERAL + 1)).await.is_err(), "a literal over the limit");
        assert!(items_of("{5}\r\nab").await.is_err(), "a literal cut short");
        assert!(items_of(&"x".repeat(MAX_LINE as usize + 10)).await.is_err(), "a line over the limit");
        assert!(items_of("(WARNINGS \"a\"\r\n").await.is_err());
        assert_eq!(quoted("a\r\nPUTSCRIPT").unwrap_err().kind, ErrorKind::BadRequest);
    }

    #[test]
    fn capabilities_are_read_from_the_greeting() {
        let lines = vec![
            vec![text("IMPLEMENTATION"), text("Dovecot Pigeonhole")],
            vec![text("SIEVE"), text("fileinto reject vacation imap4flags")],
            vec![text("SASL"), text("PLAIN OAUTHBEARER")],
            vec![text("STARTTLS")],
            vec![text("MAXREDIRECTS"), text("4")],
        ];
        let capabilities = capabilities_of(&lines);
        assert_eq!(capabilities.implementation, "Dovecot Pigeonhole");
        assert!(capabilities.extensions.contains(&"vacation".to_owned()) && capabilities.starttls);
        assert_eq!((capabilities.sasl.len(), capabilities.max_redirects), (2, Some(4)));
    }

    #[tokio::test]
    async fn a_server_without_starttls_never_gets_the_password() {
        let (upstream, server) =
            fake_server::start(&["\"IMPLEMENTATION\" \"fake\"\r\n\"SASL\" \"PLAIN\"\r\nOK \"ready\"\r\n"]).await;
        let proof = Proof::Password("secret".into());
        let error = SieveConnection::login(&upstream, "user", &proof).await.err().expect("refused");
        assert_eq!(error.kind, ErrorKind::Tls, "{error:?}");
        assert!(!server.await.unwrap().contains("AUTHENTICATE"));
    }

    #[tokio::test]
    async fn replies_injected_before_the_handshake_are_refused() {
        let (upstream, _server) = fake_server::start(&[
            "\"SASL\" \"PLAIN\"\r\n\"STARTTLS\"\r\nOK \"ready\"\r\n",
            "OK \"begin TLS\"\r\nOK \"injected\"\r\n",
        ])
        .await;
        let proof = Proof::Password("secret".into());
        let error = SieveConnection::login(&upstream, "user", &proof).await.err().expect("refused");
        assert_eq!(error.kind, ErrorKind::Tls, "{error:?}");
        assert!(error.message.contains("injection"), "{error:?}");
    }
}
