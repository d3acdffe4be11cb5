//! Sign-in → ten message rows, Yubin beside Roundcube on the same Dovecot, timed by the same
//! code from the same kind of click.
//!
//! A script installed in every new document (DevTools `Page.addScriptToEvaluateOnNewDocument`)
//! stamps, on the animation frame that has them, when the sign-in form became usable and when
//! ten message rows are in the DOM. The click is stamped on the same clock
//! (`performance.timeOrigin + performance.now()`), so the figure holds across Roundcube's page
//! navigation after its login form as well as across Yubin's single page.
//!
//! - **cold**: a fresh browser profile each run (nothing cached: a newcomer, a new device);
//! - **warm**: one browser signing in again and again (its HTTP cache; Yubin's list cache);
//! - **slow network**: cold, with Chromium's network emulation (1.6 Mbit/s, 150 ms RTT) from
//!   the navigation on: how soon the form is usable, and the inbox after the click.

use std::time::{Duration, Instant};

use serde_json::json;
use yubin_e2e::Browser;
use yubin_test_support::MailStack;

use crate::{median, ms, raw, timed, Row, RUNS};

/// The two web mails measured.
#[derive(Clone, Copy, PartialEq)]
pub enum Webmail {
    Yubin,
    /// Debian's Roundcube 1.6 served by `mailstack.sh roundcube` on this port.
    Roundcube(u16),
}

impl Webmail {
    fn login_url(self, browser: &Browser) -> String {
        match self {
            Self::Yubin => browser.gateway.url(),
            Self::Roundcube(port) => format!("http://127.0.0.1:{port}/"),
        }
    }

    /// What shows that the sign-in form can be used.
    fn form_ready(self) -> &'static str {
        match self {
            Self::Yubin => "#login-button:not([disabled])",
            Self::Roundcube(_) => "#rcmloginsubmit",
        }
    }

    fn submit(self) -> &'static str {
        match self {
            Self::Yubin => "#login-button",
            Self::Roundcube(_) => "#rcmloginsubmit",
        }
    }

    /// A message row of the list, as each one draws it.
    fn row(self) -> &'static str {
        match self {
            Self::Yubin => ".message-row[data-uid]",
            Self::Roundcube(_) => "#messagelist tbody tr.message",
        }
    }

    async fn fill(self, browser: &Browser, user: &str) {
        let password = format!("{user}-pass");
        match self {
            Self::Yubin => {
                browser.find("#server").await.select_by_value("demo").await.expect("choose the server");
                browser.type_into("#username", user).await;
                browser.type_into("#password", &password).await;
            }
            Self::Roundcube(_) => {
                browser.type_into("#rcmloginuser", user).await;
                browser.type_into("#rcmloginpwd", &password).await;
            }
        }
    }
}

/// Installed in every new document: stamps `__formAt` (ms since the navigation began) and
/// `__rowsAt` (epoch ms, high resolution) on the frames that first have them.
fn stamps_script(webmail: Webmail) -> String {
    format!(
        r#"(() => {{
            const watch = () => {{
                if (window.__formAt === undefined && document.querySelector({form:?})) window.__formAt = performance.now();
                if (document.querySelectorAll({row:?}).length >= 10) {{
                    window.__rowsAt = performance.timeOrigin + performance.now();
                    return;
                }}
                requestAnimationFrame(watch);
            }};
            requestAnimationFrame(watch);
        }})();"#,
        form = webmail.form_ready(),
        row = webmail.row()
    )
}

/// Reads a stamp from the page, waiting for it (across a navigation, when the page is gone
/// for a moment).
async fn stamp(browser: &Browser, name: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(value) = browser.client.execute(&format!("return window.{name} ?? null"), vec![]).await {
            if let Some(value) = value.as_f64() {
                return value;
            }
        }
        assert!(Instant::now() < deadline, "{name} never came");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// When the benchmark clicks "Sign in".
#[derive(Clone, Copy, PartialEq)]
enum Click {
    /// Once the app is there and has the gateway's hello, as for someone who takes a few
    /// seconds to type: click → rows is the sign-in itself.
    AppReady,
    /// As soon as the form is filled in, even before the app has arrived (Yubin's page has
    /// its own form): a user whose browser fills the form in.
    AtOnce,
}

/// One sign-in on `browser`: opens the sign-in page, fills it, clicks; returns (form usable
/// after navigation, click → ten rows) in ms.
async fn sign_in_once(browser: &Browser, webmail: Webmail, user: &str) -> (f64, f64) {
    sign_in_profiled(browser, webmail, &webmail.login_url(browser), user, Click::AppReady, false).await.0
}

/// Waits until Yubin's app has the gateway's hello (its User Timing mark).
pub async fn app_ready(browser: &Browser) {
    let ready = "return performance.getEntriesByName('yubin:gateway-ready').length > 0";
    let deadline = Instant::now() + Duration::from_secs(120);
    while browser.client.execute(ready, vec![]).await.ok() != Some(json!(true)) {
        assert!(Instant::now() < deadline, "the app never got the gateway's hello");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// [`sign_in_once`], with a CPU profile of the click → rows part if `profile`.
async fn sign_in_profiled(
    browser: &Browser,
    webmail: Webmail,
    url: &str,
    user: &str,
    click: Click,
    profile: bool,
) -> ((f64, f64), serde_json::Value) {
    browser.client.delete_all_cookies().await.expect("cookies");
    if click == Click::AtOnce {
        // Not `goto`, which waits for the page's load event: on a slow network that comes
        // seconds after the form. (A fresh browser: no earlier page's stamps to mistake.)
        browser.client.execute("location.assign(arguments[0])", vec![url.into()]).await.expect("open the sign-in page");
    } else {
        browser.client.goto(url).await.expect("open the sign-in page");
    }
    let form = stamp(browser, "__formAt").await;
    if click == Click::AppReady && webmail == Webmail::Yubin {
        app_ready(browser).await;
    }
    webmail.fill(browser, user).await;
    if profile {
        browser.cdp("Profiler.enable", json!({})).await;
        browser.cdp("Profiler.setSamplingInterval", json!({ "interval": 100 })).await;
        browser.cdp("Profiler.start", json!({})).await;
    }
    let click = format!(
        "const at = performance.timeOrigin + performance.now(); document.querySelector({:?}).click(); return at;",
        webmail.submit()
    );
    let clicked = browser.client.execute(&click, vec![]).await.expect("click").as_f64().expect("a time");
    let rows = stamp(browser, "__rowsAt").await;
    let profile = if profile { browser.cdp("Profiler.stop", json!({})).await } else { serde_json::Value::Null };
    ((form, rows - clicked), profile)
}

async fn fresh_browser(webmail: Webmail) -> Browser {
    let browser = Browser::start().await;
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": stamps_script(webmail) })).await;
    browser
}

/// Installed before the app: logs each WebSocket frame sent and received with its time, so a
/// sign-in's timeline can be read ([`trace`]).
const FRAME_LOG: &str = r#"(() => {
    window.__frames = [];
    const text = (data) => data instanceof ArrayBuffer ? new TextDecoder().decode(new Uint8Array(data, 0, Math.min(60, data.byteLength))) : String(data);
    const log = (dir, data) => window.__frames.push([performance.now().toFixed(1), dir, text(data).slice(0, 60)]);
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) { log('→', data); return send.call(this, data); };
    const Native = window.WebSocket;
    window.WebSocket = function (...args) {
        const socket = new Native(...args);
        log('open', args[0]);
        socket.addEventListener('open', () => log('opened', ''));
        socket.addEventListener('message', (e) => log('←', e.data));
        return socket;
    };
    window.WebSocket.prototype = Native.prototype;
    Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();"#;

/// One cold sign-in with its WebSocket frames and the click and rows on one timeline (ms since
/// navigation), printed: where the time goes.
pub async fn trace(user: &str) {
    let browser = fresh_browser(Webmail::Yubin).await;
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": FRAME_LOG })).await;
    let url = Webmail::Yubin.login_url(&browser);
    let ((_, took), profile) = sign_in_profiled(&browser, Webmail::Yubin, &url, user, Click::AppReady, true).await;
    print_profile(&profile["profile"]);
    let timeline = browser
        .client
        .execute("return [window.__frames.concat(performance.getEntriesByType('mark').map(m => [m.startTime.toFixed(1), m.name, ''])).sort((a, b) => a[0] - b[0]), performance.timeOrigin, window.__rowsAt]", vec![])
        .await
        .expect("timeline");
    let origin = timeline[1].as_f64().unwrap_or_default();
    eprintln!("click → ten rows: {took:.1} ms (rows at {:.1})", timeline[2].as_f64().unwrap_or_default() - origin);
    for frame in timeline[0].as_array().into_iter().flatten() {
        eprintln!("{frame}");
    }
    browser.close().await;
}

/// Click → ten rows in a fresh profile each run (cold), then in one browser (warm); medians.
async fn measure(webmail: Webmail, user: &str) -> (f64, f64) {
    let mut cold = Vec::new();
    for _ in 0..RUNS {
        let browser = fresh_browser(webmail).await;
        cold.push(sign_in_once(&browser, webmail, user).await.1);
        browser.close().await;
    }
    let browser = fresh_browser(webmail).await;
    sign_in_once(&browser, webmail, user).await; // fills the caches
    let mut warm = Vec::new();
    for _ in 0..RUNS {
        warm.push(sign_in_once(&browser, webmail, user).await.1);
    }
    browser.close().await;
    (median(cold), median(warm))
}

/// The raw IMAP path of the same screen: LOGIN + SELECT + FETCH of 50 envelopes.
async fn raw_path(stack: &MailStack, user: &str) -> f64 {
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let (took, _) = timed(async {
            let mut imap = raw::Imap::login(stack, user).await;
            let exists = imap.select("INBOX").await;
            imap.command(&format!(
                "FETCH {}:{exists} (UID FLAGS ENVELOPE RFC822.SIZE)",
                exists.saturating_sub(49).max(1)
            ))
            .await;
            imap.logout().await;
        })
        .await;
        samples.push(took);
    }
    median(samples)
}

/// What the benchmark's machine-readable lines report, per folder size.
pub struct Ratio {
    pub label: &'static str,
    pub cold: f64,
}

/// Sign-in → ten rows at one folder size: Yubin and Roundcube, cold and warm, beside the raw
/// IMAP path.
pub async fn sign_in_rows(stack: &MailStack, user: &str, label: &'static str, roundcube: u16) -> (Vec<Row>, Ratio) {
    let raw = raw_path(stack, user).await;
    let (yubin_cold, yubin_warm) = measure(Webmail::Yubin, user).await;
    let (rc_cold, rc_warm) = measure(Webmail::Roundcube(roundcube), user).await;
    let ratio = yubin_cold / rc_cold;
    let rows = vec![
        Row::new(
            format!("Sign-in → ten rows, {label} INBOX, fresh profile (cold)"),
            format!("{} ({ratio:.2}× Roundcube; raw + {})", ms(yubin_cold), ms(yubin_cold - raw)),
            format!("{} raw LOGIN + SELECT + FETCH 50 envelopes", ms(raw)),
            "≤ 0.25× Roundcube, ≤ raw + 100 ms",
        )
        .roundcube(ms(rc_cold))
        .met(ratio <= 0.25 && yubin_cold <= raw + 100.0),
        Row::new(
            format!("Sign-in → ten rows, {label} INBOX, same browser again (warm)"),
            format!("{} ({:.2}× Roundcube)", ms(yubin_warm), yubin_warm / rc_warm),
            format!("{} raw", ms(raw)),
            "—",
        )
        .roundcube(ms(rc_warm)),
    ];
    (rows, Ratio { label, cold: ratio })
}

/// The slow network (1.6 Mbit/s, 150 ms round trips, page and WebSocket alike): navigation →
/// sign-in form usable, click → inbox, each in a fresh profile.
pub async fn slow_network_rows(user: &str) -> Vec<Row> {
    let link = crate::slow_link::Link { round_trip: Duration::from_millis(150), bytes_per_second: 1_600_000.0 / 8.0 };
    let (mut form, mut inbox, mut at_once) = (Vec::new(), Vec::new(), Vec::new());
    for click in [Click::AppReady, Click::AtOnce] {
        for _ in 0..RUNS {
            let browser = fresh_browser(Webmail::Yubin).await;
            let slow = crate::slow_link::start(browser.gateway.addr, link).await;
            let url = format!("http://{slow}/");
            let ((form_at, rows), _) = sign_in_profiled(&browser, Webmail::Yubin, &url, user, click, false).await;
            if click == Click::AppReady {
                form.push(form_at);
                inbox.push(rows);
            } else {
                let since_navigation = "return window.__rowsAt - performance.timeOrigin";
                at_once.push(browser.client.execute(since_navigation, vec![]).await.unwrap().as_f64().unwrap());
            }
            browser.close().await;
        }
    }
    let (form, inbox, at_once) = (median(form), median(inbox), median(at_once));
    vec![
        Row::new(
            "Slow network (1.6 Mbit/s, 150 ms RTT, through a delaying proxy), fresh profile: navigation → sign-in form usable",
            ms(form),
            "1.6 Mbit/s moves 150 KB in 750 ms".into(),
            "≤ 1.5 s",
        )
        .met(form <= 1500.0),
        Row::new(
            "Slow network, fresh profile: click on Sign in (the app arrived meanwhile) → ten rows",
            ms(inbox),
            "—".into(),
            "≤ 1 s",
        )
        .met(inbox <= 1000.0),
        Row::new(
            "Slow network, fresh profile, the form sent as soon as it is usable (autofilled): navigation → ten rows",
            ms(at_once),
            "—".into(),
            "—",
        ),
    ]
}

/// The gateway's part of the same sign-in, request by request (login, then the list, the
/// folders and the settings the app asks for), over one WebSocket: where the server time goes.
pub async fn trace_gateway(stack: &MailStack, user: &str) {
    use yubin_protocol::Request;
    let gateway =
        yubin_test_support::TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    for _ in 0..3 {
        let mut client = yubin_test_support::WsClient::connect(&gateway).await;
        let (login, _) = timed(client.login(user, &format!("{user}-pass"))).await;
        let list = Request::ListMessages { folder: "INBOX".into(), offset: 0, limit: 50, sort: Default::default() };
        let (list, _) = timed(client.request(list)).await;
        let (folders, _) = timed(client.request(Request::ListFolders)).await;
        let (settings, _) = timed(client.request(Request::GetSettings)).await;
        eprintln!("login {login:.1} ms, list {list:.1} ms, folders {folders:.1} ms, settings {settings:.1} ms");
    }
}

/// The functions that took the most samples (self time) in a DevTools CPU profile.
pub fn print_profile(profile: &serde_json::Value) {
    use std::collections::HashMap;
    let nodes = profile["nodes"].as_array().cloned().unwrap_or_default();
    let names: HashMap<u64, String> = nodes
        .iter()
        .map(|n| {
            let frame = &n["callFrame"];
            let name = format!(
                "{} {}:{}",
                frame["functionName"].as_str().unwrap_or("?"),
                frame["url"].as_str().unwrap_or("").rsplit('/').next().unwrap_or(""),
                frame["lineNumber"]
            );
            (n["id"].as_u64().unwrap_or(0), name)
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    for sample in &samples {
        if let Some(name) = sample.as_u64().and_then(|id| names.get(&id)) {
            *counts.entry(name.as_str()).or_default() += 1;
        }
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    eprintln!("profile: {} samples", samples.len());
    for (name, count) in counts.iter().take(30) {
        eprintln!("{count:6} {name}");
    }
}
