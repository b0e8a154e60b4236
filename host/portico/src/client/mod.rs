//! The operator's commands against a running server (`portico tenants`, `api-keys`,
//! `app-tokens`, `operator-token`, `plugin-limits`, `backup`) and the offline `portico
//! restore`: the connection options they share, the HTTP client, their output (tables for
//! people, the API's JSON with `--json`) and their exit codes (`EXIT_CODES`).

pub mod app_tokens;
pub mod backup;
pub mod operator_token;
pub mod output;
pub mod plugin_limits;
pub mod tenants;

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Value};

pub use output::Output;

/// What every client command's exit code means (shown by `portico --help`).
pub const EXIT_CODES: &str = "\
Exit codes of the commands that talk to a server (and of `portico restore`):
  0  done
  1  refused: the server answered an error (its status, code and message are printed), or
     `portico restore` refused the backup or the data directory
  2  usage: a wrong option or argument, or no token to send
  3  the server cannot be reached (or the connection broke off mid-answer)
  4  a local file could not be read or written, or a downloaded backup did not verify";

/// The server a command talks to and the credentials it sends.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// The server's base URL.
    #[arg(
        long,
        global = true,
        env = "PORTICO_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    pub server: String,
    /// A file holding the operator token (default: the `PORTICO_OPERATOR_TOKEN` environment
    /// variable).
    #[arg(long, global = true, value_name = "FILE")]
    pub operator_token_file: Option<PathBuf>,
    /// A file holding the tenant's API key, for the commands a tenant's key authorizes
    /// (`app-tokens`, `plugin-limits --tenant`; default: the `PORTICO_API_KEY` environment
    /// variable).
    #[arg(long, global = true, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,
    /// Print the API's JSON instead of text for people.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Why a command failed; each kind has its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The server answered an error: its status and body (`{"error": {...}}` or its text).
    Refused {
        /// The answer's status.
        status: StatusCode,
        /// The answer's body.
        body: Value,
    },
    /// The command refused to go on (a backup or a data directory `restore` refuses, a file it
    /// would overwrite); exit 1.
    Declined(String),
    /// The command line cannot work; exit 2.
    Usage(String),
    /// The server cannot be reached; exit 3.
    Unreachable(String),
    /// A local file or a download failed; exit 4.
    Local(String),
}

impl Failure {
    /// The process's exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Refused { .. } | Failure::Declined(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Unreachable(_) => 3,
            Failure::Local(_) => 4,
        }
    }

    /// The failure as the API writes errors (`{"error": {"code", "message"}}`).
    fn json(&self) -> Value {
        let (code, message) = match self {
            Failure::Refused { body, .. } if body.get("error").is_some() => return body.clone(),
            Failure::Refused { status, body } => ("refused", format!("{status}: {body}")),
            Failure::Declined(m) => ("declined", m.clone()),
            Failure::Usage(m) => ("usage", m.clone()),
            Failure::Unreachable(m) => ("unreachable", m.clone()),
            Failure::Local(m) => ("local_error", m.clone()),
        };
        json!({ "error": { "code": code, "message": message } })
    }

    /// The failure in words, for stderr.
    fn text(&self) -> String {
        match self {
            Failure::Refused { status, body } => {
                let error = &body["error"];
                match (error["code"].as_str(), error["message"].as_str()) {
                    (Some(code), Some(message)) => {
                        format!("the server refused ({status}, {code}): {message}")
                    }
                    _ => format!("the server answered {status}: {body}"),
                }
            }
            Failure::Declined(m) => format!("refused: {m}"),
            Failure::Usage(m) => m.clone(),
            Failure::Unreachable(m) => format!("cannot reach the server: {m}"),
            Failure::Local(m) => m.clone(),
        }
    }
}

/// Ends a client command: prints its failure (JSON on stdout with `--json`, words on stderr
/// otherwise) and exits with its code.
pub fn finish(json: bool, result: Result<(), Failure>) -> anyhow::Result<()> {
    let Err(failure) = result else {
        return Ok(());
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&failure.json())?);
    } else {
        eprintln!("portico: {}", failure.text());
    }
    std::process::exit(failure.exit_code());
}

/// Which credential a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Credential {
    /// The operator token.
    Operator,
    /// The tenant's API key.
    ApiKey,
}

impl Connection {
    /// The credential `which`, from its file or its environment variable.
    fn credential(&self, which: Credential) -> Result<String, Failure> {
        let (file, variable, flag) = match which {
            Credential::Operator => (
                &self.operator_token_file,
                "PORTICO_OPERATOR_TOKEN",
                "--operator-token-file",
            ),
            Credential::ApiKey => (&self.api_key_file, "PORTICO_API_KEY", "--api-key-file"),
        };
        let token = match file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?,
            None => std::env::var(variable).unwrap_or_default(),
        };
        let token = token.trim().to_string();
        if token.is_empty() {
            return Err(Failure::Usage(format!(
                "no token to send: set {variable} or pass {flag} FILE"
            )));
        }
        Ok(token)
    }

    /// A client sending `which` credential to this connection's server, each request within
    /// `REQUEST_TIMEOUT`.
    pub fn client(&self, which: Credential) -> Result<Client, Failure> {
        self.client_with(which, Some(REQUEST_TIMEOUT))
    }

    /// A client sending `which` credential, each whole request within `timeout` if given.
    pub fn client_with(
        &self,
        which: Credential,
        timeout: Option<Duration>,
    ) -> Result<Client, Failure> {
        let token = self.credential(which)?;
        Client::new(&self.server, token, timeout)
    }
}

/// Longest one request of a command (but a backup's download) may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Longest a connection to the server may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of one server, sending one credential.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: String,
}

impl Client {
    /// A client of `server` sending `token`; `timeout` bounds each whole request.
    pub fn new(server: &str, token: String, timeout: Option<Duration>) -> Result<Client, Failure> {
        let base = Url::parse(server)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                Failure::Usage(format!("--server {server}: not an http:// or https:// URL"))
            })?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("portico/", env!("CARGO_PKG_VERSION")));
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let http = builder
            .build()
            .map_err(|e| Failure::Local(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client { http, base, token })
    }

    /// The URL of the API path made of `segments` (each escaped), under `/v1`.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.path_segments_mut()
            .expect("an http URL has a path")
            .pop_if_empty()
            .push("v1")
            .extend(segments);
        url
    }

    /// Sends a request and answers the response, whatever its status; a failure to get one
    /// is `Failure::Unreachable`.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<reqwest::Response, Failure> {
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.map_err(unreachable)
    }

    /// Sends a request; answers its JSON body (`Value::Null` when empty) when it succeeded,
    /// `Failure::Refused` otherwise.
    pub async fn call(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        let response = self.send(method, self.url(segments), body).await?;
        read_answer(response).await
    }

    /// Every item of a paginated list, following `nextCursor`.
    pub async fn list_all(&self, segments: &[&str]) -> Result<Vec<Value>, Failure> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = self.url(segments);
            url.query_pairs_mut().append_pair("limit", "500");
            if let Some(cursor) = &cursor {
                url.query_pairs_mut().append_pair("cursor", cursor);
            }
            let page = read_answer(self.send(Method::GET, url, None).await?).await?;
            if let Some(page_items) = page["items"].as_array() {
                items.extend(page_items.iter().cloned());
            }
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return Ok(items),
            }
        }
    }
}

/// A transport error as a failure to reach the server.
pub fn unreachable(e: reqwest::Error) -> Failure {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    Failure::Unreachable(message)
}

/// The JSON body of a successful answer, or the refusal.
pub async fn read_answer(response: reqwest::Response) -> Result<Value, Failure> {
    let status = response.status();
    let text = response.text().await.map_err(unreachable)?;
    let body = match text.trim() {
        "" => Value::Null,
        text => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
    };
    if status.is_success() {
        Ok(body)
    } else {
        Err(Failure::Refused { status, body })
    }
}
