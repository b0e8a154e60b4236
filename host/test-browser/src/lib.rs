//! A real headless Chromium for Portico's page tests, driven over WebDriver: the crate starts
//! Debian's `chromedriver` on a free 127.0.0.1 port, opens one session with a fresh profile, and
//! ends both when the [`Browser`] is dropped. Pages are tested as a person uses them (typing,
//! clicking, pressing Tab) and screenshots are kept as artifacts of the run.
//!
//! The programs: `PORTICO_CHROMEDRIVER`, else `chromedriver` on `PATH`, else
//! `/usr/bin/chromedriver`; `PORTICO_CHROMIUM`, else `/usr/bin/chromium` (Debian's `chromium`
//! and `chromium-driver` packages, which the test command installs when missing).
//!
//! Screenshots ([`Browser::screenshot`]) are saved as
//! `<root>/screenshots/<test name>/<NN>-<name>.png`, numbered in the order taken; the root is
//! `PORTICO_TEST_ARTIFACTS`, else `test-artifacts` in the workspace's target directory
//! (`CARGO_TARGET_DIR` or `target/`), so they are never committed. A test's folder is emptied
//! when its browser starts.
//!
//! The page helpers ([`Browser::goto`], [`Browser::fill`], …) panic with the page's URL and a
//! screenshot's path when something is not as expected: they are for tests, and a test reads
//! better as a list of steps than as a chain of `?`.

mod artifacts;
mod cdp;
mod driver;
mod page;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

use artifacts::Screenshots;
use driver::Driver;

/// How long Chromium may take to open the session (a cold start on a loaded 2-core machine can
/// take several seconds; chromedriver gives up by itself after a minute).
const SESSION_START_TIMEOUT: Duration = Duration::from_secs(60);

/// The window's size: a laptop screen, so layouts are tested as most people see them.
const WINDOW_SIZE: &str = "--window-size=1280,900";

/// How the browser is started; `Options::default()` is what [`Browser::start`] uses.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The browser's language preference, sent as the `Accept-Language` header (Chromium's
    /// `intl.accept_languages` setting), e.g. `"tr-TR,tr"`. Unset: Chromium's default for
    /// `--lang=en-US`.
    pub accept_language: Option<String>,
    /// The chromedriver program, instead of the one found as described in the crate's docs.
    pub chromedriver: Option<PathBuf>,
    /// The Chromium program, instead of `PORTICO_CHROMIUM` or `/usr/bin/chromium`.
    pub chromium: Option<PathBuf>,
}

/// A cookie of the current page, as the browser holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cookie {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Whether page scripts cannot read it (`HttpOnly`).
    pub http_only: bool,
    /// Whether it is sent over HTTPS only (`Secure`).
    pub secure: bool,
    /// Its `SameSite` policy (`"Strict"`, `"Lax"` or `"None"`) when the browser reports one.
    pub same_site: Option<String>,
}

/// One headless Chromium with one WebDriver session. Dropping it ends the session, which closes
/// Chromium, then kills chromedriver's whole process group: no process outlives the browser.
pub struct Browser {
    // Dropped in this order after `Drop::drop` ended the session: the client, then chromedriver
    // (and anything left of Chromium), then the profile directory nothing writes to any more.
    client: Client,
    session: Option<String>,
    driver: Driver,
    _profile: TempDir,
    screenshots: Screenshots,
}

impl Browser {
    /// Starts a browser for the test called `test` (its screenshots' folder name).
    pub async fn start(test: &str) -> Result<Browser, String> {
        Browser::start_with(test, Options::default()).await
    }

    /// Starts a browser for the test called `test`, as `options` say.
    pub async fn start_with(test: &str, options: Options) -> Result<Browser, String> {
        let chromedriver = driver::chromedriver(options.chromedriver.as_deref())?;
        let chromium = driver::chromium(options.chromium.as_deref())?;
        let profile = tempfile::Builder::new()
            .prefix("portico-browser-")
            .tempdir()
            .map_err(|e| format!("no temporary directory for the browser profile: {e}"))?;
        let dir = profile.path().to_path_buf();
        let driver = tokio::task::spawn_blocking(move || Driver::start(&chromedriver, &dir))
            .await
            .map_err(|e| format!("starting chromedriver failed: {e}"))??;
        let capabilities = capabilities(&chromium, &profile, &options);
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let url = format!("http://127.0.0.1:{}", driver.port);
        let client = match tokio::time::timeout(SESSION_START_TIMEOUT, builder.connect(&url)).await
        {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return Err(session_error(&e.to_string(), &driver)),
            Err(_) => {
                let waited = format!("no session within {SESSION_START_TIMEOUT:?}");
                return Err(session_error(&waited, &driver));
            }
        };
        // The session is ended in `Drop` (synchronously, so also when the test's runtime is
        // already gone), not by fantoccini when its last handle goes.
        let _ = client.persist().await;
        let session = client.session_id().await.ok().flatten();
        // A headless window gets the system's focus late or not at all, and a page without it
        // spends the first Tab on focusing itself: the page is made to behave as a focused one,
        // like the window a person types in.
        let focus = cdp::Cdp {
            cmd: "Emulation.setFocusEmulationEnabled",
            params: json!({ "enabled": true }),
        };
        if let Err(e) = client.issue_cmd(focus).await {
            return Err(session_error(&format!("focus emulation: {e}"), &driver));
        }
        Ok(Browser {
            client,
            session,
            driver,
            _profile: profile,
            screenshots: Screenshots::for_test(test),
        })
    }

    /// The WebDriver client, for what the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session) = &self.session {
            self.driver.end_session(session);
        }
    }
}

/// The session's capabilities: headless Chromium with a fresh profile in `profile`.
fn capabilities(
    chromium: &std::path::Path,
    profile: &TempDir,
    options: &Options,
) -> serde_json::Map<String, serde_json::Value> {
    let args = [
        "--headless=new".to_string(),
        // Tests run as root, where Chromium's sandbox refuses to start.
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        // Containers often have a small /dev/shm; Chromium then crashes on larger pages.
        "--disable-dev-shm-usage".to_string(),
        WINDOW_SIZE.to_string(),
        "--lang=en-US".to_string(),
        format!(
            "--user-data-dir={}",
            profile.path().join("chromium").display()
        ),
    ];
    let mut chrome = json!({ "binary": chromium, "args": args });
    if let Some(languages) = &options.accept_language {
        chrome["prefs"] = json!({ "intl.accept_languages": languages });
    }
    match json!({ "browserName": "chrome", "goog:chromeOptions": chrome }) {
        serde_json::Value::Object(capabilities) => capabilities,
        _ => unreachable!("a JSON object literal"),
    }
}

fn session_error(what: &str, driver: &Driver) -> String {
    format!(
        "Chromium did not start a WebDriver session: {what}\nchromedriver's log ends:\n{}",
        driver.log_tail()
    )
}
