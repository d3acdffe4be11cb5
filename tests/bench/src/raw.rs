//! The baselines: IMAP and POP3 spoken directly over TLS, with nothing in between — what any
//! client must at least spend to get the same data from the same server.

use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use yubin_test_support::MailStack;

type Stream = BufReader<TlsStream<TcpStream>>;

async fn tls(stack: &MailStack, port: u16) -> Stream {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(&stack.ca_file).expect("CA file");
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.expect("CA certificate")).expect("CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.expect("TLS");
    BufReader::new(stream)
}

/// IMAP over implicit TLS: tagged commands, responses read through (literals included).
pub struct Imap {
    stream: Stream,
    tag: u32,
}

impl Imap {
    /// Connects and logs in.
    pub async fn login(stack: &MailStack, user: &str) -> Self {
        let mut imap = Self { stream: tls(stack, stack.imaps).await, tag: 0 };
        imap.line().await; // greeting
        imap.command(&format!("LOGIN {user}@{} {user}-pass", stack.domain)).await;
        imap
    }

    async fn line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        self.stream.read_until(b'\n', &mut line).await.expect("read");
        assert!(!line.is_empty(), "server closed the connection");
        line
    }

    /// Runs `command`; returns the response's lines (literals left out) and its size in bytes.
    /// Panics on NO/BAD.
    pub async fn command(&mut self, command: &str) -> (Vec<String>, usize) {
        self.tag += 1;
        let tag = format!("a{} ", self.tag);
        self.stream.get_mut().write_all(format!("{tag}{command}\r\n").as_bytes()).await.expect("write");
        let (mut lines, mut bytes) = (Vec::new(), 0);
        loop {
            let line = self.line().await;
            bytes += line.len();
            if let Some(size) = literal_size(&line) {
                let mut literal = vec![0; size];
                self.stream.read_exact(&mut literal).await.expect("literal");
                bytes += size;
                continue;
            }
            if line.starts_with(tag.as_bytes()) {
                let status = String::from_utf8_lossy(&line[tag.len()..]);
                assert!(status.starts_with("OK"), "{command}: {status}");
                return (lines, bytes);
            }
            lines.push(String::from_utf8_lossy(&line).into_owned());
        }
    }

    /// SELECTs `mailbox`; returns its EXISTS count.
    pub async fn select(&mut self, mailbox: &str) -> u32 {
        let (lines, _) = self.command(&format!("SELECT {mailbox}")).await;
        lines
            .iter()
            .find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS\r\n")?.parse().ok())
            .expect("EXISTS in the SELECT response")
    }

    /// Stores `message` in `mailbox` (a synchronizing literal).
    pub async fn append(&mut self, mailbox: &str, message: &[u8]) {
        self.tag += 1;
        let tag = format!("a{} ", self.tag);
        let head = format!("{tag}APPEND {mailbox} {{{}}}\r\n", message.len());
        self.stream.get_mut().write_all(head.as_bytes()).await.expect("write");
        let go = self.line().await;
        assert!(go.starts_with(b"+"), "APPEND: {}", String::from_utf8_lossy(&go));
        self.stream.get_mut().write_all(message).await.expect("write");
        self.stream.get_mut().write_all(b"\r\n").await.expect("write");
        loop {
            let line = self.line().await;
            if line.starts_with(tag.as_bytes()) {
                assert!(line[tag.len()..].starts_with(b"OK"), "APPEND: {}", String::from_utf8_lossy(&line));
                return;
            }
        }
    }

    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT").await;
    }
}

/// `{123}\r\n` at the end of a line announces a literal of 123 bytes.
fn literal_size(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r\n")?.strip_suffix(b"}")?;
    let open = line.iter().rposition(|b| *b == b'{')?;
    std::str::from_utf8(&line[open + 1..]).ok()?.trim_end_matches('+').parse().ok()
}

/// POP3 over implicit TLS.
pub struct Pop3 {
    stream: Stream,
}

impl Pop3 {
    pub async fn login(stack: &MailStack, user: &str) -> Self {
        let mut pop = Self { stream: tls(stack, stack.pop3s).await };
        pop.status().await;
        pop.single(&format!("USER {user}@{}", stack.domain)).await;
        pop.single(&format!("PASS {user}-pass")).await;
        pop
    }

    async fn status(&mut self) -> String {
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("read");
        assert!(line.starts_with("+OK"), "POP3: {line}");
        line
    }

    async fn single(&mut self, command: &str) -> String {
        self.stream.get_mut().write_all(format!("{command}\r\n").as_bytes()).await.expect("write");
        self.status().await
    }

    /// A multi-line reply's lines (dot-stuffing left as is: only sizes and counts matter here).
    pub async fn multi(&mut self, command: &str) -> Vec<String> {
        self.single(command).await;
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let mut raw = Vec::new();
            self.stream.read_until(b'\n', &mut raw).await.expect("read");
            line.push_str(&String::from_utf8_lossy(&raw));
            if line == ".\r\n" {
                return lines;
            }
            lines.push(line);
        }
    }

    pub async fn quit(mut self) {
        let _ = self.single("QUIT").await;
    }
}
