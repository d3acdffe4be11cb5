//! Two gateway processes behind nginx (Debian's, with the repository's `deploy/nginx.conf`), in
//! real Chromium: the gateway serving a tab is killed in the middle of a POP3 download and of a
//! send; the tab reconnects through nginx to the other gateway and carries on. Nothing is lost,
//! nothing is sent twice. bea (POP3) and cal (IMAP) are this file's own users.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};
use yubin_e2e::Browser;
use yubin_protocol::{Request, Response, SearchQuery};
use yubin_test_support::{free_port, metric, repo_root, unique_subject, MailStack, Transport, WsClient};

/// Whether something accepts connections on `port` within 10 s.
async fn listening(port: u16) -> bool {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The gateway as its own process (the one `cargo test` built), so it can be killed outright.
struct GatewayProcess {
    child: Child,
    port: u16,
}

impl GatewayProcess {
    async fn start(stack: &MailStack, port: u16, dir: &Path) -> Self {
        let config = stack
            .gateway_config_text(&repo_root().join("dist"), Transport::Starttls)
            // nginx is the trusted proxy the shipped configuration documents.
            .replace(
                "listen = \"127.0.0.1:0\"",
                &format!("listen = \"127.0.0.1:{port}\"\ntrusted_proxies = [\"127.0.0.1\"]"),
            );
        let path = dir.join(format!("gateway-{port}.toml"));
        std::fs::write(&path, config).unwrap();
        let binary = repo_root().join("target/debug/yubin-gateway");
        assert!(binary.exists(), "{} (built with the gateway's tests)", binary.display());
        let log = std::fs::File::create(dir.join(format!("gateway-{port}.log"))).unwrap();
        let child = Command::new(binary)
            .arg("--config")
            .arg(&path)
            .env("RUST_LOG", "warn")
            // Not the test's own output: a child holding it open would keep `cargo test` waiting.
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("gateway process");
        assert!(listening(port).await, "gateway on {port} did not start");
        Self { child, port }
    }

    /// Sessions open on this gateway, from its metrics.
    async fn sessions(&self) -> u64 {
        metric(format!("127.0.0.1:{}", self.port).parse().unwrap(), "yubin_sessions").await.unwrap_or(0)
    }

    /// SIGKILL: no draining, as a crash or an OOM kill.
    async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

/// nginx with the repository's configuration, its ports and paths put in.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    async fn start(backends: &[u16], dir: &Path) -> Self {
        let port = free_port();
        let shipped = std::fs::read_to_string(repo_root().join("deploy/nginx.conf")).unwrap();
        let mut site = String::new();
        let mut servers_written = false;
        for line in shipped.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("server 127.0.0.1:") {
                if !servers_written {
                    for backend in backends {
                        site.push_str(&format!("    server 127.0.0.1:{backend} max_fails=1 fail_timeout=10s;\n"));
                    }
                    servers_written = true;
                }
            } else if trimmed.starts_with("listen ") {
                site.push_str(&format!("    listen 127.0.0.1:{port};\n"));
            } else if trimmed.starts_with("ssl_") || trimmed.starts_with("server_name") {
                continue;
            } else {
                site.push_str(line);
                site.push('\n');
            }
        }
        let dir = dir.display();
        let config = format!(
            "user root;\nworker_processes 1;\ndaemon off;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n\
             fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n\
             types {{ text/html html; application/javascript js; application/wasm wasm; text/css css; }}\n{site}}}\n"
        );
        let path = format!("{dir}/nginx.conf");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("/usr/sbin/nginx")
            .args(["-p", &dir.to_string(), "-c", &path])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (apt-get install nginx-light)");
        assert!(listening(port).await, "nginx did not start; see {dir}/nginx-error.log");
        Self { child, port }
    }
}

impl Drop for Nginx {
    /// SIGTERM, so that the master stops its worker too (SIGKILL would orphan it).
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
    }
}

/// Messages in cal's inbox with `subject`.
async fn copies(checker: &mut WsClient, subject: &str) -> usize {
    let query = SearchQuery { subject: Some(subject.to_owned()), ..Default::default() };
    let search = Request::Search { folder: "INBOX".into(), query, limit: 10 };
    let Ok(Response::Messages(page)) = checker.request(search).await else { panic!("search") };
    page.messages.len()
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yubin-balanced-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Kills whichever of `gateways` serves a session now; returns the survivor.
async fn kill_the_busy_one(gateways: Vec<GatewayProcess>) -> GatewayProcess {
    let mut busy = None;
    for (i, gateway) in gateways.iter().enumerate() {
        if gateway.sessions().await > 0 {
            busy = Some(i);
        }
    }
    let busy = busy.expect("a gateway serving the tab");
    let mut gateways = gateways;
    let victim = gateways.remove(busy);
    victim.kill().await;
    gateways.pop().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tabs_survive_losing_their_gateway_behind_nginx() {
    let stack = MailStack::ensure();
    let have = stack.message_count("bea", "INBOX");
    if have < 600 {
        stack.seed(600 - have, "bea");
    }
    let on_server = stack.message_count("bea", "INBOX");
    let dir = scratch();
    let ports = [free_port(), free_port()];
    let gateways =
        vec![GatewayProcess::start(stack, ports[0], &dir).await, GatewayProcess::start(stack, ports[1], &dir).await];
    let nginx = Nginx::start(&ports, &dir).await;
    let url = format!("http://127.0.0.1:{}/", nginx.port);

    // A POP3 download, and the gateway doing it killed half-way.
    let browser = Browser::start().await;
    browser.client.goto(&url).await.unwrap();
    browser.sign_in_to("demo-pop3", "bea", "bea-pass").await;
    browser.wait_for_text("#sync-status", "Downloading").await;
    let survivor = kill_the_busy_one(gateways).await;
    // Through nginx to the survivor, signed in again; the sync finishes, every message once.
    browser.wait_for_text("#sync-status", "hecked").await;
    browser.wait_for_text(".list-count", &format!("{on_server} messages")).await;
    assert_eq!(stack.message_count("bea", "INBOX"), on_server, "nothing deleted on the server");
    assert!(survivor.sessions().await >= 1, "the tab is on the surviving gateway");

    // A second gateway again, and a send whose gateway is killed as the button is pressed.
    let restarted = GatewayProcess::start(stack, ports.into_iter().find(|p| *p != survivor.port).unwrap(), &dir).await;
    let gateways = vec![survivor, restarted];
    let subject = unique_subject("sent through nginx");
    browser.client.goto(&url).await.unwrap(); // a new tab session (bea's mail stays in the browser)
    browser.find("#login-button:not([disabled])").await;
    browser.sign_in_to("demo", "cal", "cal-pass").await;
    browser.find(".message-row, .placeholder").await;
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "cal@example.test").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.click("#send-button").await;
    let _survivor = kill_the_busy_one(gateways).await;

    // Sent now, or from the outbox after the reconnect through nginx: never twice. If the kill
    // came in the middle of the SMTP transaction, the app says it may not have gone out.
    let checker_gateway = yubin_test_support::TestGateway::start(stack.gateway_config(Path::new("/nonexistent"))).await;
    let mut checker = WsClient::connect(&checker_gateway).await;
    checker.login("cal", "cal-pass").await.unwrap();
    let told_uncertain = || async {
        let notices = browser.client.find_all(fantoccini::Locator::Css(".notice")).await.unwrap_or_default();
        for notice in notices {
            if notice.text().await.unwrap_or_default().contains("may not have gone out") {
                return true;
            }
        }
        false
    };
    let mut outcome = (0, false);
    for _ in 0..300 {
        outcome = (copies(&mut checker, &subject).await, told_uncertain().await);
        if outcome.0 > 0 || outcome.1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await; // time for a duplicate to show, if any
    let delivered = copies(&mut checker, &subject).await;
    assert!(delivered <= 1, "sent {delivered} times");
    assert!(delivered == 1 || outcome.1, "neither delivered nor reported as uncertain");
    browser.close().await;
    drop(nginx);
}
