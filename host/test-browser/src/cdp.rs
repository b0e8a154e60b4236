//! A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute` endpoint,
//! for the few things WebDriver has no command for.

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

/// DevTools command `cmd` with `params`, for the session's current tab.
#[derive(Debug)]
pub(crate) struct Cdp {
    pub(crate) cmd: &'static str,
    pub(crate) params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
