//! What a page test does with the browser: go to a page, type, click, submit, read, press Tab,
//! take screenshots. Elements are found by CSS selector.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::Value;

use crate::{Browser, Cookie};

/// How long an element may take to appear before a helper gives up on it: pages render at once,
/// so this only bounds the wait for one that never comes (a failing test).
const FIND_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a submitted form may take to bring its answer page (the server's work included).
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(15);

/// How often the page is looked at while waiting for an element or a navigation.
const POLL: Duration = Duration::from_millis(50);

/// Set on the page before a form is submitted: a new document does not have it, so its absence
/// tells that the answer page replaced the form's page.
const SUBMIT_MARKER: &str = "__porticoSubmitting";

impl Browser {
    /// Goes to `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) {
        if let Err(e) = self.client.goto(url).await {
            self.fail(&format!("going to {url} failed: {e}")).await;
        }
    }

    /// The current page's URL.
    pub async fn current_url(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => self.fail(&format!("no current URL: {e}")).await,
        }
    }

    /// Types `text` into the field `css`, after clearing what it held. chromedriver cannot type
    /// characters beyond the Basic Multilingual Plane (emoji): a text with any is set as the
    /// field's value by script instead, with the `input` and `change` events typing would fire.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.element(css).await;
        if let Err(e) = field.clear().await {
            self.fail(&format!("clearing `{css}` failed: {e}")).await;
        }
        let typed = if text.chars().all(|c| c <= '\u{ffff}') {
            field.send_keys(text).await
        } else {
            let set = "const [field, text] = arguments; field.value = text; \
                       field.dispatchEvent(new Event('input', { bubbles: true })); \
                       field.dispatchEvent(new Event('change', { bubbles: true }));";
            let field = serde_json::to_value(&field).expect("an element reference is JSON");
            let arguments = vec![field, Value::from(text)];
            self.client.execute(set, arguments).await.map(drop)
        };
        if let Err(e) = typed {
            self.fail(&format!("typing into `{css}` failed: {e}")).await;
        }
    }

    /// Clicks the element `css`.
    pub async fn click(&self, css: &str) {
        if let Err(e) = self.element(css).await.click().await {
            self.fail(&format!("clicking `{css}` failed: {e}")).await;
        }
    }

    /// Clicks the form's button `button_css` and waits until the answer page has replaced the
    /// form's page and loaded. Fails when the page stays (the browser refused the form, or a
    /// script kept it), which a plain click would not tell.
    pub async fn submit_form(&self, button_css: &str) {
        let button = self.element(button_css).await;
        self.execute(&format!("window.{SUBMIT_MARKER} = true;"))
            .await;
        if let Err(e) = button.click().await {
            self.fail(&format!("clicking `{button_css}` failed: {e}"))
                .await;
        }
        let answered = format!(
            "return window.{SUBMIT_MARKER} === undefined && document.readyState === 'complete';"
        );
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        // While the new document loads, scripts may fail to run: that is "not yet".
        while self.client.execute(&answered, vec![]).await.ok() != Some(Value::Bool(true)) {
            if Instant::now() >= deadline {
                let what = format!(
                    "submitting with `{button_css}` brought no new page within \
                     {NAVIGATION_TIMEOUT:?}"
                );
                self.fail(&what).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The visible text of the element `css`.
    pub async fn text(&self, css: &str) -> String {
        match self.element(css).await.text().await {
            Ok(text) => text,
            Err(e) => self.fail(&format!("no text of `{css}`: {e}")).await,
        }
    }

    /// The current page's HTML, as the browser has it now.
    pub async fn page_source(&self) -> String {
        match self.client.source().await {
            Ok(source) => source,
            Err(e) => self.fail(&format!("no page source: {e}")).await,
        }
    }

    /// The visible text of every element `css`, in page order; empty when there is none (this
    /// one does not wait: it is also how a test sees that something is absent).
    pub async fn find_all_text(&self, css: &str) -> Vec<String> {
        let elements = match self.client.find_all(Locator::Css(css)).await {
            Ok(elements) => elements,
            Err(e) => self.fail(&format!("finding `{css}` failed: {e}")).await,
        };
        let mut texts = Vec::with_capacity(elements.len());
        for element in elements {
            match element.text().await {
                Ok(text) => texts.push(text),
                Err(e) => self.fail(&format!("no text of a `{css}`: {e}")).await,
            }
        }
        texts
    }

    /// Waits until an element `css` is on the page, at most `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) {
        self.element_within(css, timeout).await;
    }

    /// The attribute `name` of the element `css`; `None` when the element lacks it.
    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        match self.element(css).await.attr(name).await {
            Ok(value) => value,
            Err(e) => {
                self.fail(&format!("no attribute {name} of `{css}`: {e}"))
                    .await
            }
        }
    }

    /// The cookies the browser holds for the current page, `HttpOnly` ones included.
    pub async fn cookies(&self) -> Vec<Cookie> {
        let cookies = match self.client.get_all_cookies().await {
            Ok(cookies) => cookies,
            Err(e) => self.fail(&format!("no cookies: {e}")).await,
        };
        let cookie = |c: fantoccini::cookies::Cookie<'static>| Cookie {
            name: c.name().to_string(),
            value: c.value().to_string(),
            http_only: c.http_only().unwrap_or(false),
            secure: c.secure().unwrap_or(false),
            same_site: c.same_site().map(|s| s.to_string()),
        };
        cookies.into_iter().map(cookie).collect()
    }

    /// How many entries the tab's history has (`history.length`): a redirect after a form
    /// should not add one that Back returns to.
    pub async fn history_length(&self) -> u64 {
        match self.execute("return history.length;").await.as_u64() {
            Some(length) => length,
            None => self.fail("history.length is not a number").await,
        }
    }

    /// Runs `script` in the page (a function body: `return` gives its value) and answers what
    /// it returned.
    pub async fn execute(&self, script: &str) -> Value {
        match self.client.execute(script, vec![]).await {
            Ok(value) => value,
            Err(e) => {
                self.fail(&format!("the script {script:?} failed: {e}"))
                    .await
            }
        }
    }

    /// Presses Tab `presses` times as a keyboard user would; answers, after each press, the
    /// focused element's `id`, else its `name`, else its tag name (`""` when nothing has focus).
    pub async fn focus_order(&self, presses: usize) -> Vec<String> {
        let focused = "const e = document.activeElement; \
                       if (!e || e === document.body) return ''; \
                       return e.id || e.getAttribute('name') || e.tagName.toLowerCase();";
        let mut order = Vec::with_capacity(presses);
        for _ in 0..presses {
            let tab = KeyActions::new("keyboard".to_string())
                .then(KeyAction::Down {
                    value: Key::Tab.into(),
                })
                .then(KeyAction::Up {
                    value: Key::Tab.into(),
                });
            if let Err(e) = self.client.perform_actions(tab).await {
                self.fail(&format!("pressing Tab failed: {e}")).await;
            }
            let name = self.execute(focused).await;
            order.push(name.as_str().unwrap_or_default().to_string());
        }
        order
    }

    /// Saves a screenshot of the window as `<NN>-<name>.png` in the test's screenshots folder
    /// (see the crate's docs); answers its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        match self.save_screenshot(name).await {
            Ok(path) => path,
            Err(e) => self.fail(&format!("screenshot {name:?}: {e}")).await,
        }
    }

    async fn save_screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = self.client.screenshot().await.map_err(|e| e.to_string())?;
        let path = self.screenshots.next(name)?;
        std::fs::write(&path, png).map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(path)
    }

    async fn element(&self, css: &str) -> Element {
        self.element_within(css, FIND_TIMEOUT).await
    }

    async fn element_within(&self, css: &str, timeout: Duration) -> Element {
        let wait = self.client.wait().at_most(timeout).every(POLL);
        match wait.for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                let what = format!("no element `{css}` within {timeout:?}: {e}");
                self.fail(&what).await
            }
        }
    }

    /// Panics with `what`, the page's URL and a screenshot of the moment, so that a failing
    /// page test shows what the browser showed.
    async fn fail(&self, what: &str) -> ! {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => format!("unknown ({e})"),
        };
        let screenshot = match self.save_screenshot("failure").await {
            Ok(path) => path.display().to_string(),
            Err(e) => format!("none ({e})"),
        };
        panic!("{what}\n  page: {url}\n  screenshot: {screenshot}");
    }
}
