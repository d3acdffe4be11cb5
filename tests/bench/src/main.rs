//! `scripts/bench.sh`: Yubin measured against the raw protocols on the real Dovecot, each
//! figure next to its baseline from the same run. Prints a table and writes it, with the
//! machine's description, to `target/bench/results.md` (copied into `BENCHMARKS.md` by hand).
//!
//! Every figure is a median of several runs unless it says otherwise. Times are wall-clock on
//! loopback: they include TLS, Dovecot and (for the browser rows) Chromium's rendering.

mod browser;
mod contacts;
mod openpgp;
mod raw;
mod resync;
mod sessions;
mod signin;
mod slow_link;
mod transfer;

use std::time::{Duration, Instant};

use yubin_protocol::{Request, Response};
use yubin_test_support::{MailStack, TestGateway, WsClient};

/// Runs per measured figure; the median is reported.
const RUNS: usize = 5;

/// One line of the results table.
pub struct Row {
    pub what: String,
    pub yubin: String,
    pub baseline: String,
    pub target: String,
    /// Whether the target is met, for rows that have one to check.
    pub met: Option<bool>,
    /// The same measure of Roundcube, where it has one.
    pub roundcube: String,
}

impl Row {
    fn new(what: impl Into<String>, yubin: String, baseline: String, target: &str) -> Self {
        Self { what: what.into(), yubin, baseline, target: target.into(), met: None, roundcube: String::new() }
    }

    fn roundcube(mut self, figure: String) -> Self {
        self.roundcube = figure;
        self
    }

    fn met(mut self, met: bool) -> Self {
        self.met = Some(met);
        self
    }
}

pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

pub fn ms(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{:.1} s", value / 1000.0)
    } else {
        format!("{value:.0} ms")
    }
}

pub async fn timed<T>(work: impl std::future::Future<Output = T>) -> (f64, T) {
    let start = Instant::now();
    let out = work.await;
    (start.elapsed().as_secs_f64() * 1000.0, out)
}

/// Fills `user`'s INBOX up to `count` messages.
fn seed(stack: &MailStack, user: &str, count: u32) {
    let have = stack.message_count(user, "INBOX");
    if have < count {
        eprintln!("seeding {} messages for {user}…", count - have);
        stack.seed(count - have, user);
    }
}

#[tokio::main]
async fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let stack = MailStack::ensure();
    let mut rows = Vec::new();
    // `key: value` lines under the table, for scripts.
    let mut lines = Vec::new();

    if wanted("size") {
        let (row, gzip_kb) = transfer::first_load();
        rows.push(row);
        lines.push(format!("first-load-gzip-kb: {gzip_kb:.0}"));
        for (name, gzip) in transfer::modules() {
            let kb = gzip as f64 / 1024.0;
            rows.push(Row::new(
                format!("Loaded on first use: the {name} module"),
                format!("{kb:.0} KB gzip"),
                "not in the first load".into(),
                "",
            ));
            lines.push(format!("module-{name}-gzip-kb: {kb:.0}"));
        }
    }
    if wanted("list") || wanted("scroll") || wanted("open") {
        seed(stack, "bench10k", 10_000);
        seed(stack, "bench100k", 100_000);
    }
    if wanted("list") {
        let roundcube = Roundcube::start(stack);
        for (user, label) in [("bench10k", "10k"), ("bench100k", "100k")] {
            let (signin_rows, ratio) = signin::sign_in_rows(stack, user, label, roundcube.port).await;
            rows.extend(signin_rows);
            lines.push(format!("signin-vs-roundcube-{}: {:.2}", ratio.label, ratio.cold));
        }
    }
    if only.iter().any(|o| o == "trace") {
        seed(stack, "bench100k", 100_000);
        signin::trace_gateway(stack, "bench100k").await;
        signin::trace("bench100k").await;
    }
    if wanted("slow") {
        seed(stack, "bench10k", 10_000);
        rows.extend(signin::slow_network_rows("bench10k").await);
    }
    if wanted("scroll") {
        rows.extend(browser::scroll(stack, "bench100k").await);
    }
    if wanted("sync") {
        seed(stack, "bench100k", 100_000);
        rows.push(header_sync(stack, "bench100k").await);
    }
    if wanted("resync") {
        seed(stack, "bench100k", 100_000);
        rows.extend(resync::refresh_after_change(stack, "bench100k").await);
    }
    if wanted("resync") || wanted("folders") {
        rows.push(resync::folder_list(stack, "benchfolders", 60).await);
    }
    if wanted("open") {
        rows.extend(browser::big_messages(stack, "bench10k").await);
    }
    if wanted("pop3") {
        seed(stack, "benchpop", 10_000);
        rows.extend(browser::pop3_first_sync(stack, "benchpop").await);
    }
    if wanted("contacts") {
        rows.extend(contacts::ten_thousand(stack, "benchcontacts").await);
    }
    if wanted("openpgp") {
        rows.extend(openpgp::decrypt_one_megabyte(stack, "benchpgp").await);
    }
    if wanted("sessions") {
        rows.extend(sessions::memory_per_session(stack).await);
    }
    report(&rows, &lines);
}

/// Debian's Roundcube on the same stack (`mailstack.sh roundcube`), stopped when dropped.
struct Roundcube {
    port: u16,
}

impl Roundcube {
    fn start(stack: &MailStack) -> Self {
        let status = std::process::Command::new("bash")
            .arg(&stack.script)
            .args(["roundcube", "start"])
            .status()
            .expect("mailstack.sh");
        assert!(status.success(), "Roundcube did not start (scripts/setup.sh installs it with YUBIN_SETUP_BENCH=1)");
        let port = std::env::var("MAILSTACK_WEBMAIL_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(18080);
        Self { port }
    }
}

impl Drop for Roundcube {
    fn drop(&mut self) {
        let script = yubin_test_support::repo_root().join("tests/mailstack/mailstack.sh");
        let _ = std::process::Command::new("bash").arg(script).args(["roundcube", "stop"]).status();
    }
}

/// Every row header of a 100k folder through the gateway, in the largest windows the protocol
/// allows, against one raw `UID FETCH 1:*`.
async fn header_sync(stack: &MailStack, user: &str) -> Row {
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut yubin = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..3 {
        let (took, rows) = timed(async {
            let mut client = WsClient::connect(&gateway).await;
            client.login(user, &format!("{user}-pass")).await.expect("login");
            let (mut offset, mut total, mut rows) = (0, u32::MAX, 0usize);
            while offset < total {
                let list =
                    Request::ListMessages { folder: "INBOX".into(), offset, limit: 500, sort: Default::default() };
                let Ok(Response::Messages(page)) = client.request(list).await else { panic!("list failed") };
                total = page.total;
                offset += page.messages.len() as u32;
                rows += page.messages.len();
            }
            rows
        })
        .await;
        yubin.push(took);
        let (took, _) = timed(async {
            let mut imap = raw::Imap::login(stack, user).await;
            imap.select("INBOX").await;
            imap.command("UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE)").await;
            imap.logout().await;
        })
        .await;
        raw.push(took);
        eprintln!("header sync: {rows} rows");
    }
    let (yubin, raw) = (median(yubin), median(raw));
    Row::new(
        "Header sync, 100k messages (gateway WebSocket, 500-row windows)",
        format!("{} ({:.1}× raw)", ms(yubin), yubin / raw),
        format!("{} raw `UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE)`", ms(raw)),
        "≤ 1.5× raw",
    )
}

fn report(rows: &[Row], lines: &[String]) {
    let machine = machine_description();
    let date = std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let mut table = String::from(
        "| Measure | Yubin | Roundcube (same run) | Baseline (same run) | Target | Met |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        let (what, yubin, roundcube, baseline, target) =
            (&row.what, &row.yubin, &row.roundcube, &row.baseline, &row.target);
        table.push_str(&format!("| {what} | {yubin} | {roundcube} | {baseline} | {target} | {met} |\n"));
    }
    table.push('\n');
    for line in lines {
        table.push_str(&format!("{line}\n"));
    }
    let machine = format!("Run of {date}. {machine}");
    println!("\n{machine}\n\n{table}");
    let dir = yubin_test_support::repo_root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("results.md"), format!("{machine}\n\n{table}")).unwrap();
    eprintln!("written to {}", dir.join("results.md").display());
}

fn machine_description() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo").lines().find_map(|l| l.strip_prefix("model name\t: ")).unwrap_or("?").to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|kb| kb.trim().trim_end_matches(" kB").parse::<u64>().ok())
        .map_or("?".into(), |kb| format!("{} GiB", kb / 1024 / 1024));
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .unwrap_or("?")
        .trim_matches('"')
        .to_owned();
    let dovecot = std::process::Command::new("dovecot")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("Machine: {cpu}, {cores} cores, {memory}, {os}; Dovecot {dovecot}; all on 127.0.0.1.")
}

/// Waits with a deadline, for the steps that poll.
pub async fn within<T>(limit: Duration, work: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(limit, work).await.expect("benchmark step timed out")
}
