//! Sending through the account's SMTP submission server with lettre's SMTP client.
//!
//! One connection per message: submission servers are cheap to reach and a pooled connection
//! would outlive the WebSocket that holds the credentials.
//!
//! The TLS side is the same rustls setup as IMAP (system roots or the configured CA). For
//! STARTTLS the plain-text part of the conversation (greeting, EHLO, STARTTLS) is done here,
//! so that anything a server or an attacker sends ahead of the TLS handshake is detected and
//! refused rather than read later as if it came through TLS (STARTTLS response injection);
//! lettre then speaks SMTP over the finished TLS stream. Each recipient is tried on its own,
//! so every refusal is reported with the server's reply, not only the first.

use std::time::Duration;

use super::counted::CountedTcp;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio_rustls::client::TlsStream;
use yubin_protocol::{ApiError, ErrorKind};

use super::net::{Replay, Upstream};
use super::plaintext::{self, lost};
use super::sasl::{Proof, TOKEN_ENDED};
use crate::config::Security;

/// Long enough for a large message on a slow link, short enough that a dead server is reported.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest line accepted during the plain-text preamble.
const MAX_LINE: usize = 4096;

/// A submission server.
#[derive(Clone)]
pub struct SmtpUpstream {
    upstream: Upstream,
}

/// What the server said about itself after login.
pub struct SmtpFeatures {
    /// `SIZE` (RFC 1870): the largest message accepted, if announced.
    pub max_size: Option<u64>,
}

impl SmtpUpstream {
    pub fn new(upstream: Upstream) -> Self {
        Self { upstream }
    }

    /// Logs in and reports the server's limits; a quick way to check the account works.
    pub async fn features(&self, username: &str, proof: &Proof) -> Result<SmtpFeatures, ApiError> {
        let (mut connection, features) = self.connect(username, proof).await?;
        let _ = connection.quit().await;
        Ok(features)
    }

    /// Sends `message` to the envelope's recipients.
    ///
    /// Every recipient is offered with its own RCPT; if the server refuses any, nothing is sent
    /// and the error lists each refusal in the server's words (`550 5.1.1 <x@y>: Recipient
    /// address rejected: ...`), so the user can fix them and send once to everyone.
    pub async fn submit(
        &self,
        username: &str,
        proof: &Proof,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), ApiError> {
        let (mut connection, features) = self.connect(username, proof).await?;
        if let Some(max) = features.max_size.filter(|max| message.len() as u64 > *max) {
            let _ = connection.quit().await;
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!(
                    "the message is {} but the server accepts at most {}",
                    crate::uploads::human_size(message.len() as u64),
                    crate::uploads::human_size(max)
                ),
            ));
        }
        let mut parameters = Vec::new();
        if features.max_size.is_some() {
            parameters.push(MailParameter::Size(message.len()));
        }
        if !message.is_ascii() && connection.server_info().supports_feature(Extension::EightBitMime) {
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        if let Err(e) = connection.command(Mail::new(envelope.from().cloned(), parameters)).await {
            connection.abort().await;
            return Err(smtp_error(&self.upstream, e));
        }
        let mut refused = Vec::new();
        for recipient in envelope.to() {
            if let Err(e) = connection.command(Rcpt::new(recipient.clone(), Vec::new())).await {
                if !(e.is_permanent() || e.is_transient()) {
                    connection.abort().await;
                    return Err(smtp_error(&self.upstream, e));
                }
                refused.push(smtp_error(&self.upstream, e).message);
            }
        }
        if !refused.is_empty() {
            connection.abort().await;
            let summary = match refused.len() {
                1 => refused[0].clone(),
                n => format!("the server refused {n} recipients; nothing was sent"),
            };
            return Err(ApiError::new(ErrorKind::Refused, summary).with_details(refused));
        }
        let sent = async {
            connection.command(Data).await?;
            connection.message(message).await
        }
        .await;
        match sent {
            Ok(_) => {
                let _ = connection.quit().await;
                Ok(())
            }
            Err(e) => {
                connection.abort().await;
                Err(smtp_error(&self.upstream, e))
            }
        }
    }

    /// Connects, secures the connection as configured, and logs in.
    async fn connect(&self, username: &str, proof: &Proof) -> Result<(AsyncSmtpConnection, SmtpFeatures), ApiError> {
        let hello = ClientId::default();
        let tcp = self.upstream.connect_tcp().await?;
        let stream: Box<dyn AsyncTokioStream> = match self.upstream.endpoint.security {
            Security::Tls => Box::new(Replay::new(self.upstream.handshake(tcp).await?, b"")),
            Security::Starttls => {
                let tcp = self.starttls_preamble(tcp, &hello).await?;
                // lettre reads a greeting first; after STARTTLS the server sends none (RFC 3207),
                // so the stream replays the one the server gave before the upgrade.
                Box::new(Replay::new(self.upstream.handshake(tcp).await?, b"220 ready after STARTTLS\r\n"))
            }
            Security::Plain => Box::new(tcp),
        };
        // lettre parses its EHLO reply but keeps no SIZE from it, and a second EHLO on the same
        // connection is refused by some servers (OpenSMTPD: "503 5.5.1 Already identified"): the
        // stream keeps a transcript of what lettre reads while it greets, and SIZE comes from it.
        let (stream, transcript) = Transcribed::new(stream);
        let timeout = tokio::time::timeout(SMTP_TIMEOUT, async {
            let connection = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello).await?;
            Ok::<_, lettre::transport::smtp::Error>((connection, max_size(&transcript.finish())))
        });
        let (mut connection, max_size) = timeout
            .await
            .map_err(|_| ApiError::new(ErrorKind::Unreachable, format!("{} did not answer", self.upstream.label())))?
            .map_err(|e| smtp_error(&self.upstream, e))?;
        // lettre speaks XOAUTH2 but not OAUTHBEARER; every submission server that takes
        // tokens (Gmail, Microsoft 365, Dovecot-backed Postfix) offers XOAUTH2.
        let (offered, secret, what): (&[Mechanism], _, _) = match proof {
            Proof::Password(password) => (&[Mechanism::Plain, Mechanism::Login], password, "password login"),
            Proof::Bearer(token) => (&[Mechanism::Xoauth2], token, "OAuth sign-in (XOAUTH2)"),
        };
        let mechanism = connection
            .server_info()
            .get_auth_mechanism(offered)
            .ok_or_else(|| ApiError::new(ErrorKind::Refused, format!("{} offers no {what}", self.upstream.label())))?;
        let credentials = Credentials::new(username.to_owned(), secret.expose().to_owned());
        if let Err(e) = connection.auth(&[mechanism], &credentials).await {
            connection.abort().await;
            // A refused token comes back as a challenge carrying the reason (RFC 7628), which
            // lettre's XOAUTH2 does not read: it gives up "expecting no challenge". Said in words.
            if matches!(proof, Proof::Bearer(_)) && e.is_client() {
                return Err(ApiError::new(ErrorKind::AuthFailed, format!("{}: {TOKEN_ENDED}", self.upstream.label())));
            }
            return Err(smtp_error(&self.upstream, e));
        }
        Ok((connection, SmtpFeatures { max_size }))
    }

    /// Greeting, EHLO and STARTTLS in plain text, one line at a time. Refuses when the server
    /// does not offer STARTTLS (the password is never sent in clear) and when anything follows
    /// the STARTTLS go-ahead before the handshake (an injected response).
    async fn starttls_preamble(&self, tcp: CountedTcp, hello: &ClientId) -> Result<CountedTcp, ApiError> {
        let label = self.upstream.label();
        plaintext::before_tls(tcp, &label, SMTP_TIMEOUT, async |reader| {
            read_reply(reader, &label, "220").await?;
            reader.get_mut().write_all(format!("EHLO {hello}\r\n").as_bytes()).await.map_err(|e| lost(&label, e))?;
            let features = read_reply(reader, &label, "250").await?;
            if !features.iter().any(|line| line.eq_ignore_ascii_case("STARTTLS")) {
                return Err(plaintext::no_upgrade_offered(&label, "STARTTLS"));
            }
            reader.get_mut().write_all(b"STARTTLS\r\n").await.map_err(|e| lost(&label, e))?;
            read_reply(reader, &label, "220").await.map(drop)
        })
        .await
    }
}

/// Reads one (possibly multi-line) reply and checks its code; returns the text of its lines.
async fn read_reply(reader: &mut BufReader<CountedTcp>, label: &str, expected: &str) -> Result<Vec<String>, ApiError> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = (&mut *reader).take(MAX_LINE as u64).read_line(&mut line).await.map_err(|e| lost(label, e))?;
        if n == 0 {
            return Err(plaintext::closed(label));
        }
        let line = line.trim_end();
        let (code, rest) = line.split_at(line.len().min(3));
        if code != expected {
            return Err(ApiError::new(ErrorKind::Refused, format!("{label}: {line}")));
        }
        lines.push(rest.get(1..).unwrap_or_default().to_owned());
        if !rest.starts_with('-') {
            return Ok(lines);
        }
    }
}

/// The `SIZE` an EHLO reply announces (`250-SIZE 10240000`); none for 0 (no fixed limit).
fn max_size(transcript: &[u8]) -> Option<u64> {
    String::from_utf8_lossy(transcript).lines().find_map(|line| {
        let keyword = line.get(4..)?;
        let (name, value) = keyword.split_once(' ').unwrap_or((keyword, ""));
        (line.starts_with("250") && name.eq_ignore_ascii_case("SIZE"))
            .then(|| value.trim().parse::<u64>().ok().filter(|size| *size > 0))
            .flatten()
    })
}

/// A stream that keeps a copy of what is read from it until [`Transcript::finish`].
#[derive(Debug)]
struct Transcribed {
    inner: Box<dyn AsyncTokioStream>,
    transcript: Transcript,
}

/// What a [`Transcribed`] stream read so far (at most 64 KiB: a greeting and an EHLO reply).
#[derive(Debug, Clone, Default)]
struct Transcript(std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>>);

impl Transcript {
    /// The bytes read so far; nothing more is kept from now on.
    fn finish(&self) -> Vec<u8> {
        crate::lock(&self.0).take().unwrap_or_default()
    }
}

impl Transcribed {
    fn new(inner: Box<dyn AsyncTokioStream>) -> (Self, Transcript) {
        let transcript = Transcript(std::sync::Arc::new(std::sync::Mutex::new(Some(Vec::new()))));
        (Self { inner, transcript: transcript.clone() }, transcript)
    }
}

impl tokio::io::AsyncRead for Transcribed {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Some(kept) = crate::lock(&self.transcript.0).as_mut() {
            if kept.len() < 64 << 10 {
                kept.extend_from_slice(&buf.filled()[before..]);
            }
        }
        poll
    }
}

impl tokio::io::AsyncWrite for Transcribed {
    forward_writes!(all);
}

impl AsyncTokioStream for Transcribed {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}

/// lettre takes over a TLS stream through its own stream trait.
impl AsyncTokioStream for Replay<TlsStream<CountedTcp>> {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.get_ref().get_ref().0.peer_addr()
    }
}

/// And a plain one, where the configuration allows it.
impl AsyncTokioStream for CountedTcp {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        CountedTcp::peer_addr(self)
    }
}

fn smtp_error(upstream: &Upstream, e: lettre::transport::smtp::Error) -> ApiError {
    // lettre keeps the server's reply text as the error's source; show it with the code, the
    // way the server wrote it.
    let server_text = std::error::Error::source(&e).map(|s| s.to_string());
    let kind = if e.is_permanent() || e.is_transient() {
        match e.status().map(|c| c.to_string()) {
            Some(code) if code == "535" || code == "534" || code == "530" => ErrorKind::AuthFailed,
            _ => ErrorKind::Refused,
        }
    } else if e.is_timeout() {
        ErrorKind::Unreachable
    } else {
        ErrorKind::ConnectionLost
    };
    let message = match (e.status(), server_text) {
        (Some(code), Some(text)) => format!("{code} {text}"),
        (None, Some(text)) => format!("{}: {e} ({text})", upstream.label()),
        _ => format!("{}: {e}", upstream.label()),
    };
    ApiError::new(kind, message)
}

#[cfg(test)]
mod tests {
    //! Hostile servers a real one will not imitate: the STARTTLS downgrade and injection cases.

    use super::*;

    async fn fake_server(script: &'static [&'static str]) -> (SmtpUpstream, tokio::task::JoinHandle<String>) {
        let (upstream, task) = crate::upstream::fake_server::start(script).await;
        (SmtpUpstream::new(upstream), task)
    }

    #[test]
    fn size_comes_from_the_one_ehlo_reply() {
        let transcript =
            b"220 mail ESMTP\r\n250-mail.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 AUTH PLAIN\r\n";
        assert_eq!(max_size(transcript), Some(10_240_000));
        assert_eq!(max_size(b"220 x\r\n250-x\r\n250 size 0\r\n"), None, "0: no fixed limit");
        assert_eq!(max_size(b"220 x\r\n250-x\r\n250 SIZE\r\n"), None);
        assert_eq!(max_size(b"220 SIZE 5\r\n250 x\r\n"), None, "only an EHLO keyword counts");
    }

    #[tokio::test]
    async fn no_starttls_offered_means_no_password_sent() {
        let (smtp, server) = fake_server(&["220 fake ESMTP\r\n", "250-fake\r\n250 AUTH PLAIN LOGIN\r\n"]).await;
        let err = smtp.features("alice", &Proof::Password("secret-password".into())).await.err().expect("refused");
        assert_eq!(err.kind, ErrorKind::Tls);
        assert!(err.message.contains("does not offer STARTTLS"), "{err:?}");
        let heard = server.await.unwrap();
        assert!(!heard.contains("AUTH") && !heard.contains("c2VjcmV0"), "the client said: {heard}");
    }

    #[tokio::test]
    async fn replies_injected_before_the_handshake_are_refused() {
        let (smtp, server) = fake_server(&[
            "220 fake ESMTP\r\n",
            "250-fake\r\n250 STARTTLS\r\n",
            // The go-ahead and a forged reply in one packet: a man in the middle's trick.
            "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n",
        ])
        .await;
        let err = smtp.features("alice", &Proof::Password("secret-password".into())).await.err().expect("refused");
        assert_eq!(err.kind, ErrorKind::Tls);
        assert!(err.message.contains("before the TLS handshake"), "{err:?}");
        drop(server);
    }

    #[tokio::test]
    async fn a_server_that_refuses_starttls_gets_no_password() {
        let (smtp, server) =
            fake_server(&["220 fake ESMTP\r\n", "250-fake\r\n250 STARTTLS\r\n", "454 4.7.0 TLS not available\r\n"])
                .await;
        let err = smtp.features("alice", &Proof::Password("secret-password".into())).await.err().expect("refused");
        assert!(err.message.contains("454"), "{err:?}");
        let heard = server.await.unwrap();
        assert!(!heard.contains("AUTH"), "the client said: {heard}");
    }
}
