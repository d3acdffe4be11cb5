//! A slow link between the browser and the gateway: a TCP proxy on 127.0.0.1 that delays every
//! chunk by half the round trip and lets through no more than the link's bandwidth (shared by
//! all connections, each way). Unlike Chromium's network emulation it slows the WebSocket too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};
use tokio::time::Instant;

/// One direction of the link: when it is next free to carry a byte.
type Direction = Arc<Mutex<Instant>>;

#[derive(Clone, Copy)]
pub struct Link {
    pub round_trip: Duration,
    pub bytes_per_second: f64,
}

/// Starts the proxy to `target`; returns its address. It runs until the process ends.
pub async fn start(target: SocketAddr, link: Link) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the slow link");
    let addr = listener.local_addr().unwrap();
    let free = || Arc::new(Mutex::new(Instant::now()));
    let (down, up): (Direction, Direction) = (free(), free());
    tokio::spawn(async move {
        while let Ok((browser, _)) = listener.accept().await {
            let Ok(gateway) = TcpStream::connect(target).await else { continue };
            let _ = (browser.set_nodelay(true), gateway.set_nodelay(true));
            let (from_browser, to_browser) = browser.into_split();
            let (from_gateway, to_gateway) = gateway.into_split();
            tokio::spawn(carry(from_browser, to_gateway, up.clone(), link));
            tokio::spawn(carry(from_gateway, to_browser, down.clone(), link));
        }
    });
    addr
}

/// Reads as it comes; each chunk leaves half a round trip later, and after the chunks before
/// it (on any connection) have had their share of the bandwidth.
async fn carry(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, direction: Direction, link: Link) {
    let (chunks, mut arrived) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        let mut buffer = vec![0; 16 * 1024];
        while let Ok(n) = from.read(&mut buffer).await {
            if n == 0 || chunks.send((Instant::now(), buffer[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    while let Some((at, chunk)) = arrived.recv().await {
        let leaves = {
            let mut free = direction.lock().await;
            let start = (*free).max(Instant::now());
            *free = start + Duration::from_secs_f64(chunk.len() as f64 / link.bytes_per_second);
            (*free).max(at + link.round_trip / 2)
        };
        tokio::time::sleep_until(leaves).await;
        if to.write_all(&chunk).await.is_err() {
            break;
        }
    }
}
