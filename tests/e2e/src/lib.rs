//! Driving the real app in headless Chromium (Debian's `chromium` + `chromedriver`).
//!
//! The tests in `tests/` need the built app in `dist/` (`scripts/build.sh`, which the test
//! command runs first) and start everything else themselves: the mail stack, a gateway serving
//! `dist/`, and a chromedriver.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};
use yubin_test_support::{repo_root, MailStack, TestGateway};

/// How long the UI may take to show something before a test fails.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// A browser session on a gateway that serves the built app; everything stops when dropped.
pub struct Browser {
    pub client: Client,
    pub gateway: TestGateway,
    /// Where this browser saves downloads.
    pub downloads: PathBuf,
    /// Its own profile directory, removed with it.
    profile: PathBuf,
    _driver: Child,
}

impl Browser {
    pub async fn start() -> Self {
        let dist = repo_root().join("dist");
        assert!(dist.join("index.html").exists(), "no built app in {}: run scripts/build.sh first", dist.display());
        let stack = MailStack::ensure();
        let gateway = TestGateway::start(stack.gateway_config(&dist)).await;

        let port = yubin_test_support::free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");

        let profile = std::env::temp_dir().join(format!("yubin-chromium-{port}"));
        // A fresh profile each time: a port used before must not bring back its storage
        // (remembered sign-ins, settings, POP3 mail).
        let _ = std::fs::remove_dir_all(&profile);
        let downloads = profile.join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                    "--lang=en-US", format!("--user-data-dir={}", profile.display()),
                    // The OpenID provider's pages are served with the mail stack's certificate:
                    // trusted by its key alone, as a user's browser trusts a real provider.
                    format!("--ignore-certificate-errors-spki-list={}", stack_key_pin(stack)),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + UI_TIMEOUT;
        let client = loop {
            match ClientBuilder::native().capabilities(caps.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let browser = Self { client, gateway, downloads, profile, _driver: driver };
        // A sent message goes at once unless a test asks for the time to undo it (the app's
        // default, 10 s, would make every test that sends wait for it).
        let no_undo =
            "if (localStorage.getItem('yubin.undo-send') === null) localStorage.setItem('yubin.undo-send', '0');";
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": no_undo })).await;
        browser
    }

    /// The address bar's URL.
    pub async fn url(&self) -> String {
        self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    pub async fn open_app(&self) {
        self.client.goto(&self.gateway.url()).await.expect("open the app");
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("clear");
        // A field the page keeps in step with its state (Yew) hears of the clearing only from
        // an input event, which WebDriver's clear does not send: without it, what is typed next
        // lands after the old text.
        let cleared = "arguments[0].dispatchEvent(new Event('input', { bubbles: true }))";
        let reference = serde_json::to_value(&element).expect("element reference");
        self.client.execute(cleared, vec![reference]).await.expect("announce the clearing");
        element.send_keys(text).await.expect("type");
    }

    /// Sets a form field's value as the page's own input would (for fields that take no typing
    /// in a locale-independent way, like dates, or text too long to type key by key).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        let script = "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
                      el.dispatchEvent(new Event('input', { bubbles: true }));";
        self.client.execute(script, vec![css.into(), value.into()]).await.expect("set the value");
    }

    /// The bytes of the file `name` this browser downloaded, once Chromium has finished writing
    /// it (it writes to a temporary name and renames when done).
    pub async fn downloaded(&self, name: &str) -> Vec<u8> {
        let path = self.downloads.join(name);
        let deadline = Instant::now() + UI_TIMEOUT;
        while !path.exists() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::fs::read(&path).unwrap_or_else(|e| panic!("{name} was not saved: {e}"))
    }

    /// Clicks `css`. A click that lands on another element because the layout moved under it
    /// (a notice appearing above, a list re-rendering) is tried again until the page settles,
    /// as a person would click again; any other failure fails the test.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline && is_moved_or_covered(&e) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    /// Waits until some element matching `css` has text containing `needle`; returns it.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Element {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            for element in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                if element.text().await.is_ok_and(|t| t.contains(needle)) {
                    return element;
                }
            }
            assert!(Instant::now() < deadline, "no {css} with text {needle:?} appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the form field `css` holds a value containing `needle` (a field filled by
    /// the app after a round trip: a template, a reopened draft); returns the whole value.
    pub async fn wait_for_value(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let value = self.find(css).await.prop("value").await.ok().flatten().unwrap_or_default();
            if value.contains(needle) {
                return value;
            }
            assert!(Instant::now() < deadline, "{css} never held {needle:?} (it holds {value:?})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new browser with the app open, signed in as the stack's `user` (password
    /// `<user>-pass`), its folders on screen.
    pub async fn signed_in(user: &str) -> Self {
        let browser = Self::start().await;
        browser.open_app().await;
        browser.sign_in(user, &format!("{user}-pass")).await;
        browser.find(".folder.current").await;
        browser
    }

    pub async fn sign_in(&self, user: &str, password: &str) {
        self.sign_in_to("demo", user, password).await;
    }

    /// Signs in to the configured server `server` (`demo` is IMAP, `demo-pop3` POP3).
    pub async fn sign_in_to(&self, server: &str, user: &str, password: &str) {
        self.find("#login-button:not([disabled])").await;
        self.find("#server").await.select_by_value(server).await.expect("choose the server");
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click("#login-button").await;
    }

    /// Saves a PNG of the page under `target/screenshots/`, for the README and for looking.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = repo_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Runs a Chrome DevTools Protocol command (`Page.addScriptToEvaluateOnNewDocument`,
    /// `Network.emulateNetworkConditions`…) through chromedriver; returns its result.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        let command = Cdp { cmd: cmd.to_owned(), params };
        self.client.issue_cmd(command).await.unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Drop for Browser {
    /// The browser and its profile go with it. A test that fails never reaches `close`, and
    /// killing chromedriver leaves the Chromium it started running (~190 MB each: a day of
    /// failed runs had left a hundred). The profile is each browser's own, so its processes
    /// are the ones named with it. (Profiles are ~20 MB; runs must not fill the disk.)
    fn drop(&mut self) {
        // The whole argument, so that `…-4460` does not also match `…-44605`.
        let profile = self.profile.display().to_string();
        let escaped: String =
            profile.chars().flat_map(|c| [(!c.is_alphanumeric()).then_some('\\'), Some(c)]).flatten().collect();
        let _ = std::process::Command::new("pkill")
            .args(["-KILL", "-f", "--", &format!("--user-data-dir={escaped}( |$)")])
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A stand-in for a remote server (a tracker, an image host): counts the connections it gets,
/// so a test can prove that nothing was fetched.
pub async fn counting_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            use tokio::io::AsyncWriteExt;
            let _ = socket.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await;
        }
    });
    (port, hits)
}

/// Whether a click failed only because the page moved: another element was at the click point
/// or the element was re-rendered between finding and clicking it.
fn is_moved_or_covered(error: &fantoccini::error::CmdError) -> bool {
    use fantoccini::error::{CmdError, ErrorStatus};
    matches!(error, CmdError::Standard(e)
        if matches!(e.error, ErrorStatus::ElementClickIntercepted | ErrorStatus::StaleElementReference))
}

/// The SHA-256 pin (base64) of the mail stack's TLS key, as Chromium takes it.
fn stack_key_pin(stack: &MailStack) -> String {
    static PIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PIN.get_or_init(|| {
        let cert = stack.ca_file.with_file_name("cert.pem");
        let script = format!(
            "openssl x509 -in {cert:?} -pubkey -noout | openssl pkey -pubin -outform der | \\
             openssl dgst -sha256 -binary | base64"
        );
        let out = std::process::Command::new("bash").arg("-c").arg(script).output().expect("openssl");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    })
    .clone()
}
