//! Clients for the user's mail servers. Everything that speaks a mail protocol lives here.

pub mod carddav;
pub mod counted;
pub mod credential;
pub mod folder_roles;
pub mod https;
pub mod idle;
pub mod imap;
pub mod imap_schedule;
pub mod imap_search;
pub mod imap_settings;
pub mod imap_sync;
pub mod keyserver;
pub mod managesieve;
pub mod mutf7;
pub mod net;
pub mod oauth;
pub mod plaintext;
pub mod pop3;
pub mod sasl;
pub mod smtp;

/// A scripted server for the cases a real one will not produce (STARTTLS downgrades and
/// injections).
#[cfg(test)]
pub(crate) mod fake_server {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::net::Upstream;
    use crate::config::{Endpoint, Security};

    /// Listens once; answers with `script`, one reply per line the client sends, and returns
    /// what the client said. The upstream uses STARTTLS/STLS.
    pub async fn start(script: &'static [&'static str]) -> (Upstream, tokio::task::JoinHandle<String>) {
        start_with(Security::Starttls, script).await
    }

    /// As [`start`], over a connection secured as `security` says (plain text allowed).
    pub async fn start_with(
        security: Security,
        script: &'static [&'static str],
    ) -> (Upstream, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut heard = String::new();
            for reply in script {
                socket.write_all(reply.as_bytes()).await.unwrap();
                let mut buf = [0u8; 1024];
                match tokio::time::timeout(Duration::from_millis(500), socket.read(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => heard.push_str(&String::from_utf8_lossy(&buf[..n])),
                    _ => break,
                }
            }
            heard
        });
        let endpoint = Endpoint {
            host: "127.0.0.1".into(),
            port,
            security,
            ca_file: None,
            tls_name: Some("mail.example.test".into()),
            allow_plaintext_password: security == Security::Plain,
            oauth_mechanism: None,
        };
        (Upstream::new(&endpoint, "imap").unwrap(), task)
    }
}
