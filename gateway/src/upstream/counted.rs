//! The TCP connection to a mail server, counted for the metrics: open connections and bytes
//! each way, by protocol. Everything above it (TLS, IMAP, POP3, SMTP) sees a plain stream.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::metrics::METRICS;

#[derive(Debug)]
pub struct CountedTcp {
    inner: TcpStream,
    protocol: &'static str,
}

impl CountedTcp {
    pub fn new(inner: TcpStream, protocol: &'static str) -> Self {
        METRICS.upstream_opened(protocol);
        Self { inner, protocol }
    }

    pub fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}

impl Drop for CountedTcp {
    fn drop(&mut self) {
        METRICS.upstream_closed(self.protocol);
    }
}

impl AsyncRead for CountedTcp {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        METRICS.upstream_bytes(self.protocol, buf.filled().len() - before, 0);
        result
    }
}

impl AsyncWrite for CountedTcp {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            METRICS.upstream_bytes(self.protocol, 0, n);
        }
        result
    }

    forward_writes!();
}
