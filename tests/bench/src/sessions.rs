//! The gateway's memory per idle signed-in session (figure 5): the release gateway as its own
//! process, sessions that each sign in to IMAP (STARTTLS) and list the inbox, so each holds a
//! WebSocket, an IMAP connection and an IDLE connection. The gateway's resident memory is read
//! from `/proc`, its upstream connections from its own metrics.

use std::time::Duration;

use tokio::process::{Child, Command};
use yubin_protocol::Request;
use yubin_test_support::{repo_root, MailStack, Transport, WsClient};

use crate::{within, Row};

/// Session counts measured, cumulatively.
const STEPS: [usize; 3] = [100, 1000, 5000];
/// Sign-ins in flight at once.
const CONCURRENCY: usize = 50;
/// The load users (`load001`…), as `scripts/bench.sh` creates them.
pub const LOAD_USERS: usize = 50;

/// Below this much free memory the load stops: Dovecot runs one process per IMAP connection.
const MIN_AVAILABLE_KB: u64 = 3 * 1024 * 1024;

fn available_kb() -> u64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(u64::MAX)
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

async fn start_gateway(stack: &MailStack) -> (Child, std::net::SocketAddr) {
    let port = yubin_test_support::free_port();
    let text = stack
        .gateway_config_text(std::path::Path::new("/nonexistent"), Transport::Starttls)
        .replace("listen = \"127.0.0.1:0\"", &format!("listen = \"127.0.0.1:{port}\""))
        + "\n[limits]\nmax_sessions = 10000\nmax_unsigned_per_client = 10000\nfree_failed_logins = 1000\nfree_failed_logins_per_client = 100000\n";
    let config = std::env::temp_dir().join(format!("yubin-bench-{port}.toml"));
    std::fs::write(&config, text).unwrap();
    let binary = repo_root().join("target/release/yubin-gateway");
    assert!(binary.exists(), "{} (scripts/bench.sh builds it)", binary.display());
    let child = Command::new(binary)
        .arg("--config")
        .arg(&config)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("gateway");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    within(Duration::from_secs(20), async {
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    (child, addr)
}

/// IMAP connections the gateway holds now (command and IDLE), from its metrics.
async fn imap_connections(addr: std::net::SocketAddr) -> u64 {
    yubin_test_support::metric(addr, "yubin_upstream_connections{protocol=\"imap\"}").await.unwrap_or(0)
}

/// Opens one idle session: signed in, inbox listed (so it is watched with IDLE).
async fn open_session(addr: std::net::SocketAddr, n: usize) -> Result<WsClient, String> {
    let mut client = WsClient::connect_to(addr).await.map_err(|e| format!("connect: {e}"))?;
    let user = format!("load{:03}", n % LOAD_USERS + 1);
    client.login(&user, &format!("{user}-pass")).await.map_err(|e| format!("sign-in: {}", e.message))?;
    let list = Request::ListMessages { folder: "INBOX".into(), offset: 0, limit: 50, sort: Default::default() };
    client.request(list).await.map_err(|e| format!("list: {}", e.message))?;
    Ok(client)
}

pub async fn memory_per_session(stack: &MailStack) -> Vec<Row> {
    let (gateway, addr) = start_gateway(stack).await;
    let pid = gateway.id().expect("gateway pid");
    // One session first, so that what every session shares (TLS config, buffers) is in place.
    let warm = open_session(addr, 0).await.expect("a first session");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kb(pid);
    let mut sessions = vec![warm];
    let mut rows = Vec::new();
    for step in STEPS {
        let started = std::time::Instant::now();
        let mut failed = 0;
        while sessions.len() < step + 1 {
            let wanted = (step + 1 - sessions.len()).min(CONCURRENCY);
            let base = sessions.len();
            let batch = futures::future::join_all((0..wanted).map(|i| open_session(addr, base + i))).await;
            for client in batch {
                match client {
                    Ok(client) => sessions.push(client),
                    Err(e) => {
                        if failed < 3 {
                            eprintln!("a session failed to open: {e}");
                        }
                        failed += 1;
                    }
                }
            }
            if failed > step / 10 + 10 || started.elapsed() > Duration::from_secs(600) {
                break;
            }
            if available_kb() < MIN_AVAILABLE_KB {
                eprintln!("stopping at {} sessions: the machine is low on memory", sessions.len() - 1);
                break;
            }
        }
        // Let IDLE settle and the allocator return what the sign-ins used.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let open = sessions.len() - 1;
        let imap = imap_connections(addr).await;
        let now = rss_kb(pid);
        let per_session = now.saturating_sub(before) as f64 / open.max(1) as f64;
        eprintln!(
            "{open} sessions ({failed} failed to open, {imap} IMAP connections): gateway RSS {now} kB, {per_session:.0} kB each"
        );
        rows.push(Row::new(
            format!("Gateway memory per idle session, {step} sessions (WebSocket + IMAP + IDLE, TLS)"),
            if open < step {
                format!("{per_session:.0} KB — only {open} of {step} opened ({failed} refused)")
            } else {
                format!("{per_session:.0} KB ({} MB in all; {imap} IMAP connections open)", now / 1024)
            },
            format!("gateway with 1 session: {} MB", before / 1024),
            "≤ 200 KB",
        ));
        if open < step {
            break;
        }
    }
    drop(sessions);
    drop(gateway);
    rows
}
