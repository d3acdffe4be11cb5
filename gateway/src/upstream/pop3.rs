//! POP3 (RFC 1939): connect with TLS or STLS (RFC 2595), log in with SASL PLAIN (RFC 5034),
//! USER/PASS, or APOP on a plain connection, list by UIDL, fetch, delete.
//!
//! A small client of our own rather than async-pop: async-pop 1.1.3 hangs on the first short
//! reply after a long multi-line one (its decoder keeps the byte count the long reply needed,
//! so a UIDL listing followed by RETR waits forever; reproduced against Dovecot), and it has no
//! STLS. POP3 is a handful of line commands, so the client is short.
//!
//! For STLS the plain-text part (greeting, CAPA, STLS) is read one line at a time, refusing a
//! server that does not offer STLS (the password is never sent in clear) and anything sent
//! ahead of the TLS handshake (response injection). Each use is one short session that ends
//! with QUIT, because deletions take effect only then and the server locks the maildrop
//! meanwhile.

use super::counted::CountedTcp;
use base64::Engine;
use md5::{Digest, Md5};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use yubin_protocol::{ApiError, ErrorKind};

use super::net::{BoxedStream, Upstream};
use super::plaintext::{self, lost, sign_in_refusal};
use super::sasl::{bearer_error, encoded, BearerMechanism, Proof};
use crate::config::Security;

/// Longest line accepted.
const MAX_LINE: u64 = 8192;
/// Largest multi-line reply accepted (a whole message), so a hostile server cannot exhaust memory.
const MAX_REPLY: usize = 100 << 20;
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// One message on the server: its number in this session, its UIDL and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub number: usize,
    pub uidl: String,
    pub size: u64,
}

pub struct Pop3Connection {
    stream: BufReader<BoxedStream>,
    label: String,
}

impl Pop3Connection {
    pub async fn login(upstream: &Upstream, username: &str, proof: &Proof) -> Result<Self, ApiError> {
        let label = upstream.label();
        let tcp = upstream.connect_tcp().await?;
        let (stream, greeting): (BoxedStream, Option<String>) = match upstream.endpoint.security {
            Security::Tls => (Box::new(upstream.handshake(tcp).await?), None),
            Security::Starttls => {
                let tcp = stls_preamble(tcp, &label).await?;
                // No new greeting after STLS (RFC 2595 4).
                (Box::new(upstream.handshake(tcp).await?), Some(String::new()))
            }
            Security::Plain => (Box::new(tcp), None),
        };
        let mut connection = Self { stream: BufReader::new(stream), label: label.clone() };
        let login = async {
            let greeting = match greeting {
                Some(greeting) => greeting,
                None => connection.status().await?,
            };
            match proof {
                Proof::Password(password) => {
                    connection.authenticate(&greeting, upstream.endpoint.security, username, password.expose()).await
                }
                Proof::Bearer(token) => connection.bearer(upstream, username, token.expose()).await,
            }
        };
        tokio::time::timeout(TIMEOUT, login)
            .await
            .map_err(|_| ApiError::new(ErrorKind::Unreachable, format!("{label} did not answer")))??;
        Ok(connection)
    }

    async fn authenticate(
        &mut self,
        greeting: &str,
        security: Security,
        username: &str,
        password: &str,
    ) -> Result<(), ApiError> {
        let capabilities = self.capabilities().await;
        let refused = sign_in_refusal;
        if sasl_mechanisms(&capabilities).iter().any(|m| m.eq_ignore_ascii_case("PLAIN")) {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("\0{username}\0{password}"));
            return self.command(&format!("AUTH PLAIN {token}")).await.map(drop).map_err(refused);
        }
        // APOP keeps the password off a connection without TLS (RFC 1939 7); over TLS the
        // plain USER/PASS is as safe and works everywhere.
        let timestamp =
            greeting.find('<').and_then(|start| Some(&greeting[start..=start + greeting[start..].find('>')?]));
        if let (Security::Plain, Some(timestamp)) = (security, timestamp) {
            let digest = Md5::digest(format!("{timestamp}{password}").as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            return self.command(&format!("APOP {username} {hex}")).await.map(drop).map_err(refused);
        }
        self.command(&format!("USER {username}")).await.map_err(refused)?;
        self.command(&format!("PASS {password}")).await.map(drop).map_err(refused)
    }

    /// Signs in with an OAuth access token (RFC 5034 AUTH with an initial response):
    /// OAUTHBEARER where offered, else XOAUTH2. A refusal comes as a challenge carrying the
    /// reason (RFC 7628), which the user is told in words.
    async fn bearer(&mut self, upstream: &Upstream, username: &str, token: &str) -> Result<(), ApiError> {
        let offered = sasl_mechanisms(&self.capabilities().await);
        let mechanism = BearerMechanism::choose(&offered, upstream.endpoint.oauth_mechanism).ok_or_else(|| {
            ApiError::new(ErrorKind::AuthFailed, format!("{} does not offer OAuth sign-in", self.label))
        })?;
        let endpoint = &upstream.endpoint;
        let initial = encoded(&mechanism.initial_response(username, token, &endpoint.host, endpoint.port));
        self.send(&format!("AUTH {} {initial}", mechanism.name())).await?;
        let line = read_line(&mut self.stream, &self.label).await?;
        if let Some(challenge) = line.strip_prefix('+').filter(|rest| !rest.starts_with("OK")) {
            let refusal = bearer_error(challenge.trim().as_bytes()).unwrap_or_else(|| "the token was refused".into());
            self.send(&encoded(mechanism.after_error())).await?;
            let _ = self.status().await; // the -ERR that ends the exchange
            return Err(ApiError::new(ErrorKind::AuthFailed, format!("{}: {refusal}", self.label)));
        }
        self.status_of(&line).map(drop).map_err(sign_in_refusal)
    }

    /// CAPA (RFC 2449); none when the server does not know the command.
    async fn capabilities(&mut self) -> Vec<String> {
        if self.command("CAPA").await.is_err() {
            return Vec::new();
        }
        self.multiline()
            .await
            .map(|body| String::from_utf8_lossy(&body).lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Every message with its UIDL and size (UIDL and LIST).
    pub async fn listing(&mut self) -> Result<Vec<Listed>, ApiError> {
        self.command("UIDL").await?;
        let uidls = self.multiline().await?;
        self.command("LIST").await?;
        let sizes = self.multiline().await?;
        let sizes: std::collections::HashMap<usize, u64> = String::from_utf8_lossy(&sizes)
            .lines()
            .filter_map(|line| {
                let (number, size) = line.split_once(' ')?;
                Some((number.parse().ok()?, size.trim().parse().ok()?))
            })
            .collect();
        let mut out = Vec::new();
        for line in String::from_utf8_lossy(&uidls).lines() {
            let (number, id) = line.split_once(' ').ok_or_else(|| self.protocol(format!("bad UIDL line {line:?}")))?;
            let number: usize = number.parse().map_err(|_| self.protocol(format!("bad UIDL line {line:?}")))?;
            let id = id.trim();
            // RFC 1939 7: 1 to 70 printable characters; anything else is not an id to key by.
            if id.is_empty() || id.len() > 70 || !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
                return Err(self.protocol(format!("unusable UIDL {id:?}")));
            }
            out.push(Listed { number, size: sizes.get(&number).copied().unwrap_or(0), uidl: id.to_owned() });
        }
        Ok(out)
    }

    /// The whole message `number`.
    pub async fn retrieve(&mut self, number: usize) -> Result<Vec<u8>, ApiError> {
        self.command(&format!("RETR {number}")).await?;
        self.multiline().await
    }

    /// Marks message `number` deleted; it goes when the session ends with [`Self::quit`].
    pub async fn delete(&mut self, number: usize) -> Result<(), ApiError> {
        self.command(&format!("DELE {number}")).await.map(drop)
    }

    /// Ends the session; the server carries out the deletions now (RFC 1939 UPDATE state).
    pub async fn quit(mut self) -> Result<(), ApiError> {
        let label = self.label.clone();
        tokio::time::timeout(TIMEOUT, self.command("QUIT"))
            .await
            .map_err(|_| ApiError::new(ErrorKind::ConnectionLost, format!("{label} did not answer QUIT")))?
            .map(drop)
    }

    /// Sends one command line and reads its status line: the text after `+OK`, or the
    /// server's `-ERR` words as a refusal. Commands come from this module only, and none
    /// carries a CR or LF (user names and passwords are checked).
    async fn command(&mut self, line: &str) -> Result<String, ApiError> {
        self.send(line).await?;
        self.status().await
    }

    /// Sends one line (a command, or a SASL response).
    async fn send(&mut self, line: &str) -> Result<(), ApiError> {
        if line.contains(['\r', '\n']) {
            return Err(ApiError::new(ErrorKind::BadRequest, "line breaks are not allowed in POP3 commands"));
        }
        let label = self.label.clone();
        self.stream.get_mut().write_all(format!("{line}\r\n").as_bytes()).await.map_err(|e| lost(&label, e))?;
        self.stream.get_mut().flush().await.map_err(|e| lost(&label, e))
    }

    async fn status(&mut self) -> Result<String, ApiError> {
        let line = read_line(&mut self.stream, &self.label).await?;
        self.status_of(&line)
    }

    /// A status line: the text after `+OK`, or the server's `-ERR` words as a refusal.
    fn status_of(&self, line: &str) -> Result<String, ApiError> {
        if let Some(rest) = line.strip_prefix("+OK") {
            Ok(rest.trim().to_owned())
        } else {
            let text = line.strip_prefix("-ERR").unwrap_or(line).trim();
            Err(ApiError::new(ErrorKind::Refused, format!("{}: {text}", self.label)))
        }
    }

    /// The body of a multi-line reply up to the `.` line, dot-unstuffed, lines ending in CRLF.
    async fn multiline(&mut self) -> Result<Vec<u8>, ApiError> {
        let mut body = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = (&mut self.stream)
                .take(MAX_LINE * 128)
                .read_until(b'\n', &mut line)
                .await
                .map_err(|e| lost(&self.label, e))?;
            if n == 0 {
                return Err(plaintext::closed(&self.label));
            }
            let content = line.strip_suffix(b"\n").unwrap_or(&line);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if content == b"." {
                return Ok(body);
            }
            // Byte-stuffing (RFC 1939 3): a line that begins with "." was sent with one more.
            body.extend_from_slice(content.strip_prefix(b".").unwrap_or(content));
            body.extend_from_slice(b"\r\n");
            if body.len() > MAX_REPLY {
                return Err(self.protocol("reply too large".into()));
            }
        }
    }

    fn protocol(&self, what: String) -> ApiError {
        ApiError::new(ErrorKind::Protocol, format!("{}: {what}", self.label))
    }
}

/// Greeting, CAPA and STLS in plain text; see the module docs.
async fn stls_preamble(tcp: CountedTcp, label: &str) -> Result<CountedTcp, ApiError> {
    plaintext::before_tls(tcp, label, TIMEOUT, async |reader| {
        expect_ok(reader, label).await?;
        reader.get_mut().write_all(b"CAPA\r\n").await.map_err(|e| lost(label, e))?;
        expect_ok(reader, label).await?;
        let mut stls = false;
        loop {
            let line = read_line(reader, label).await?;
            if line == "." {
                break;
            }
            stls |= line.eq_ignore_ascii_case("STLS");
        }
        if !stls {
            return Err(plaintext::no_upgrade_offered(label, "STLS"));
        }
        reader.get_mut().write_all(b"STLS\r\n").await.map_err(|e| lost(label, e))?;
        expect_ok(reader, label).await
    })
    .await
}

async fn expect_ok<S: tokio::io::AsyncRead + Unpin>(reader: &mut BufReader<S>, label: &str) -> Result<(), ApiError> {
    let line = read_line(reader, label).await?;
    if line.starts_with("+OK") {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::Refused, format!("{label}: {line}")))
    }
}

/// The SASL mechanisms the CAPA lines offer.
fn sasl_mechanisms(capabilities: &[String]) -> Vec<String> {
    let sasl = capabilities.iter().find_map(|c| {
        let mut words = c.split_ascii_whitespace();
        words.next().filter(|w| w.eq_ignore_ascii_case("SASL")).map(|_| words.map(str::to_owned).collect())
    });
    sasl.unwrap_or_default()
}

async fn read_line<S: tokio::io::AsyncRead + Unpin>(
    reader: &mut BufReader<S>,
    label: &str,
) -> Result<String, ApiError> {
    let mut line = String::new();
    let n = (&mut *reader).take(MAX_LINE).read_line(&mut line).await.map_err(|e| lost(label, e))?;
    if n == 0 {
        return Err(plaintext::closed(label));
    }
    Ok(line.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::fake_server;

    #[tokio::test]
    async fn no_stls_offered_means_no_password_sent() {
        let (upstream, server) = fake_server::start(&["+OK fake\r\n", "+OK\r\nUSER\r\nUIDL\r\n.\r\n"]).await;
        let err = Pop3Connection::login(&upstream, "alice", &Proof::Password("secret-password".into()))
            .await
            .err()
            .expect("refused");
        assert_eq!(err.kind, ErrorKind::Tls);
        assert!(err.message.contains("does not offer STLS"), "{err:?}");
        let heard = server.await.unwrap();
        assert!(!heard.contains("PASS") && !heard.contains("USER"), "the client said: {heard}");
    }

    #[tokio::test]
    async fn replies_injected_before_the_handshake_are_refused() {
        let (upstream, _server) =
            fake_server::start(&["+OK fake\r\n", "+OK\r\nSTLS\r\n.\r\n", "+OK begin TLS\r\n+OK injected\r\n"]).await;
        let err = Pop3Connection::login(&upstream, "alice", &Proof::Password("secret-password".into()))
            .await
            .err()
            .expect("refused");
        assert_eq!(err.kind, ErrorKind::Tls);
        assert!(err.message.contains("before the TLS handshake"), "{err:?}");
    }
}
