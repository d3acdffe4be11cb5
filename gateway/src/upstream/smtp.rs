//! Sending through the account's SMTP submission server with lettre.
//!
//! One connection per message: submission servers are cheap to reach and a pooled connection
//! would outlive the WebSocket that holds the credentials.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MessageBuilder};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use yubin_protocol::{ApiError, ErrorKind, OutgoingMessage, SentReceipt};

use super::net::Upstream;
use crate::config::{ConfigError, Security};

/// Long enough for a large message on a slow link, short enough that a dead server is reported.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// A submission server, with its TLS parameters prepared once.
#[derive(Clone)]
pub struct SmtpUpstream {
    upstream: Upstream,
    tls: TlsParameters,
}

impl SmtpUpstream {
    pub fn new(upstream: Upstream) -> Result<Self, ConfigError> {
        let name = upstream.endpoint.tls_name.clone().unwrap_or_else(|| upstream.endpoint.host.clone());
        let mut builder = TlsParameters::builder(name);
        if upstream.endpoint.ca_file.is_some() {
            builder = builder.certificate_store(CertificateStore::None);
            for der in upstream.roots.iter() {
                let cert = Certificate::from_der(der.to_vec())
                    .map_err(|e| ConfigError::Invalid(format!("{}: CA certificate: {e}", upstream.label())))?;
                builder = builder.add_root_certificate(cert);
            }
        }
        let tls = builder
            .build_rustls()
            .map_err(|e| ConfigError::Invalid(format!("{}: TLS setup: {e}", upstream.label())))?;
        Ok(Self { upstream, tls })
    }

    /// Sends `outgoing` from `from`, authenticating as `username`.
    ///
    /// A refusal comes back with the server's own reply (`550 5.1.1 <x@y>: Recipient address
    /// rejected: ...`), so the user can see which recipient and why.
    pub async fn send(
        &self,
        username: &str,
        password: &str,
        from: &Mailbox,
        outgoing: &OutgoingMessage,
    ) -> Result<SentReceipt, ApiError> {
        let (message, message_id) = build_message(from, outgoing)?;
        let endpoint = &self.upstream.endpoint;
        let tls = match endpoint.security {
            Security::Tls => Tls::Wrapper(self.tls.clone()),
            Security::Starttls => Tls::Required(self.tls.clone()),
            Security::Plain => Tls::None,
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&endpoint.host)
            .port(endpoint.port)
            .tls(tls)
            .credentials(Credentials::new(username.to_owned(), password.to_owned()))
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        transport.send(message).await.map_err(|e| smtp_error(&self.upstream, e))?;
        Ok(SentReceipt { message_id })
    }
}

/// Builds the MIME message; lettre encodes non-ASCII headers (RFC 2047) and the UTF-8 body.
fn build_message(from: &Mailbox, outgoing: &OutgoingMessage) -> Result<(lettre::Message, String), ApiError> {
    reject_line_breaks("Subject", &outgoing.subject)?;
    let mut builder = MessageBuilder::new().from(from.clone()).subject(outgoing.subject.clone());
    let mut recipients = 0;
    for (field, list) in [("To", &outgoing.to), ("Cc", &outgoing.cc), ("Bcc", &outgoing.bcc)] {
        for text in list.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let mailbox = parse_mailbox(field, text)?;
            recipients += 1;
            builder = match field {
                "To" => builder.to(mailbox),
                "Cc" => builder.cc(mailbox),
                _ => builder.bcc(mailbox),
            };
        }
    }
    if recipients == 0 {
        return Err(ApiError::new(ErrorKind::BadRequest, "add at least one recipient"));
    }
    let domain = from.email.domain();
    let message_id = format!("<{}@{domain}>", uuid::Uuid::new_v4());
    let message = builder
        .message_id(Some(message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        .body(outgoing.text.clone())
        .map_err(|e| ApiError::new(ErrorKind::BadRequest, format!("cannot build the message: {e}")))?;
    Ok((message, message_id))
}

/// Parses `Name <a@b>` or `a@b`, refusing anything that could smuggle a header line.
pub fn parse_mailbox(field: &str, text: &str) -> Result<Mailbox, ApiError> {
    reject_line_breaks(field, text)?;
    text.parse::<Mailbox>()
        .map_err(|_| ApiError::new(ErrorKind::BadRequest, format!("{field}: not a valid address: {text}")))
}

fn reject_line_breaks(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains(['\r', '\n']) {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("{field} must not contain line breaks")));
    }
    Ok(())
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
    } else if e.is_tls() {
        ErrorKind::Tls
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
    use super::*;

    fn alice() -> Mailbox {
        "Alice <alice@example.test>".parse().unwrap()
    }

    #[test]
    fn header_injection_is_refused() {
        let mut msg = OutgoingMessage {
            to: vec!["bob@example.test".into()],
            subject: "hi\r\nBcc: victim@example.org".into(),
            ..Default::default()
        };
        assert_eq!(build_message(&alice(), &msg).unwrap_err().kind, ErrorKind::BadRequest);
        msg.subject = "ok".into();
        msg.to = vec!["bob@example.test\nBcc: x@y.z".into()];
        assert_eq!(build_message(&alice(), &msg).unwrap_err().kind, ErrorKind::BadRequest);
    }

    #[test]
    fn bad_or_missing_recipients_are_named() {
        let msg = OutgoingMessage { to: vec!["not an address".into()], ..Default::default() };
        let err = build_message(&alice(), &msg).unwrap_err();
        assert!(err.message.contains("not an address"), "{err}");
        let none = OutgoingMessage::default();
        assert!(build_message(&alice(), &none).unwrap_err().message.contains("recipient"));
    }

    #[test]
    fn japanese_subject_is_encoded_and_bcc_hidden() {
        let msg = OutgoingMessage {
            to: vec!["山田 <yamada@example.jp>".into()],
            bcc: vec!["secret@example.test".into()],
            subject: "会議の件".into(),
            text: "よろしくお願いします".into(),
            ..Default::default()
        };
        let (message, id) = build_message(&alice(), &msg).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Subject: =?utf-8?b?"), "{raw}");
        assert!(!raw.contains("secret@example.test"), "Bcc must not appear in the headers");
        assert!(raw.contains(&format!("Message-ID: {id}")));
        assert!(id.ends_with("@example.test>"));
    }
}
