//! Test harness: runs the real `portico` binary on 127.0.0.1 with a temporary data directory and
//! talks to it over HTTP. The store is the run's (`store`): the redb file in the data directory,
//! or a database of its own on the PostgreSQL server `PORTICO_TEST_POSTGRES` names.

#![allow(dead_code)]

pub mod cli;
pub mod cluster;
pub mod guests;
pub mod node;
pub mod smtp;
pub mod store;

pub use store::{skip_on_postgres, store, stored_bytes, StoreKind};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

/// The built-in ceiling of a plugin call's fuel.
pub const CEILING_FUEL: u64 = 10_000_000_000;

/// The operator raises the maximum fuel and deadline to the built-in ceiling (until it does,
/// a tenant may not go above 1 G fuel and 1 s).
pub async fn raise_operator_maximum(server: &Server) {
    let (status, body) = server
        .operator()
        .put(
            "/v1/plugin-limits",
            json!({"fuel": CEILING_FUEL, "deadlineMs": 5_000}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The operator token every test server starts with.
pub const OPERATOR_TOKEN: &str = "test-operator-token-0123456789";

/// A running `portico serve`. Killed when dropped; `stop` shuts it down gracefully.
pub struct Server {
    child: Option<Child>,
    pub base_url: String,
    pub data_dir: PathBuf,
    /// Lines the server printed on stdout before it was ready (banner, generated token).
    pub startup_output: Vec<String>,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts a server on a fresh temporary data directory.
    pub fn start() -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut server = Server::start_in(temp.path(), Some(OPERATOR_TOKEN));
        server._temp = Some(temp);
        server
    }

    /// Starts a server on a fresh temporary data directory with extra `portico serve` arguments.
    pub fn start_args(extra_args: &[&str]) -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut server = Server::start_with(temp.path(), Some(OPERATOR_TOKEN), extra_args);
        server._temp = Some(temp);
        server
    }

    /// Starts a server on `data_dir` (kept after the server stops).
    pub fn start_in(data_dir: &Path, operator_token: Option<&str>) -> Server {
        Server::start_with(data_dir, operator_token, &[])
    }

    /// Starts a server on `data_dir` with extra `portico serve` arguments.
    pub fn start_with(
        data_dir: &Path,
        operator_token: Option<&str>,
        extra_args: &[&str],
    ) -> Server {
        let mut args = store::serve_args(data_dir);
        args.extend(extra_args.iter().map(|a| a.to_string()));
        Server::spawn(data_dir, operator_token, &args)
    }

    /// Starts a server on `data_dir` and the PostgreSQL database at `url` (whatever this run's
    /// store is).
    pub fn start_on_database(data_dir: &Path, url: &str) -> Server {
        Server::start_on_database_with(data_dir, url, &[])
    }

    /// `start_on_database` with extra `portico serve` arguments.
    pub fn start_on_database_with(data_dir: &Path, url: &str, extra_args: &[&str]) -> Server {
        let mut args = vec!["--database".to_string(), url.to_string()];
        args.extend(extra_args.iter().map(|a| a.to_string()));
        Server::spawn(data_dir, Some(OPERATOR_TOKEN), &args)
    }

    /// Runs `portico serve` on `data_dir` with `args` and waits until it listens.
    fn spawn(data_dir: &Path, operator_token: Option<&str>, args: &[String]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data_dir)
            .args(args)
            .env("PORTICO_LOG", "warn")
            .env_remove("PORTICO_OPERATOR_TOKEN")
            .env_remove("PORTICO_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(token) = operator_token {
            cmd.env("PORTICO_OPERATOR_TOKEN", token);
        }
        Server::start_command(cmd, data_dir)
    }

    /// Runs `cmd`, a `portico serve` whose arguments and environment the caller set (on
    /// `data_dir`), and waits until it listens.
    pub fn start_command(mut cmd: Command, data_dir: &Path) -> Server {
        cmd.stdout(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn portico");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut startup_output = Vec::new();
        let base_url = loop {
            let line = lines
                .next()
                .expect("portico exited before it was ready")
                .expect("read stdout");
            if let Some(url) = line.strip_prefix("portico listening on ") {
                break url.trim().to_string();
            }
            startup_output.push(line);
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child: Some(child),
            base_url,
            data_dir: data_dir.to_path_buf(),
            startup_output,
            _temp: None,
        }
    }

    /// Sends SIGTERM and waits for a clean exit; answers the exit status.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("server already stopped");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        child.wait().expect("wait for portico")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// Resets the server's peak resident memory (`VmHWM`) to what it uses now and answers that,
    /// in KiB: the start of a `peak_growth_kib` measurement.
    pub fn reset_peak_rss_kib(&self) -> u64 {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5")
            .expect("reset the peak resident memory");
        self.status_kib("VmRSS")
    }

    /// The server's peak resident memory (`VmHWM`) in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM")
    }

    /// A `kB` line of the server's `/proc/<pid>/status`.
    fn status_kib(&self, key: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("read the server's status");
        status
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key} in the server's status"))
    }

    /// Kills the process at once (SIGKILL): a crash, with no chance to flush or commit.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("server already stopped");
        child.kill().expect("kill portico");
        child.wait().expect("wait for portico");
    }

    /// This server's client for a tenant created on an earlier server on the same data dir.
    pub fn tenant_again(&self, t: &TenantApi) -> TenantApi {
        TenantApi {
            api: Api::new(&self.base_url, Some(&t.key))
                .scoped(&format!("/v1/tenants/{}", t.namespace)),
            namespace: t.namespace.clone(),
            key: t.key.clone(),
        }
    }

    /// A client acting as the operator.
    pub fn operator(&self) -> Api {
        Api::new(&self.base_url, Some(OPERATOR_TOKEN))
    }

    /// Waits until what the server's shared gates hold (`/v1/plugin-runtime`'s `admission`)
    /// satisfies `ready`: how a test knows concurrent work has taken its slots, instead of
    /// sleeping for a head start (the probe's own operation is not counted). Panics with the
    /// last view after 30 s.
    pub async fn wait_for_admission(&self, what: &str, ready: impl Fn(&Value) -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let (status, view) = self.operator().get("/v1/plugin-runtime").await;
            assert_eq!(status, reqwest::StatusCode::OK, "{view}");
            // The view is taken on an operation thread: not counting the probe itself.
            let mut admission = view["admission"].clone();
            let running = admission["operationsRunning"].as_u64().unwrap();
            admission["operationsRunning"] = json!(running - 1);
            if ready(&admission) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still not {what}: {view}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Api {
        Api::new(&self.base_url, None)
    }

    /// Creates a tenant and an API key for it; answers a client authenticated with that key.
    pub async fn tenant(&self, namespace: &str) -> TenantApi {
        let op = self.operator();
        let (status, body) = op
            .post("/v1/tenants", json!({ "namespace": namespace }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "create tenant: {body}");
        let (status, key) = op
            .post(
                &format!("/v1/tenants/{namespace}/api-keys"),
                json!({ "name": "test" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "create key: {key}");
        let key = key["key"].as_str().expect("key").to_string();
        TenantApi {
            api: Api::new(&self.base_url, Some(&key)).scoped(&format!("/v1/tenants/{namespace}")),
            namespace: namespace.to_string(),
            key,
        }
    }
}

/// Runs `portico serve` with `args` (on a temporary data dir), which must refuse to start;
/// answers what it printed on stderr.
pub fn serve_refuses(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    serve_refuses_in(dir.path(), args)
}

/// Runs `portico serve` on `data_dir` with `args`, which must refuse to start; answers what it
/// printed on stderr.
pub fn serve_refuses_in(data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data_dir)
        .args(args)
        .env_remove("PORTICO_DATABASE_URL")
        .output()
        .expect("run portico");
    assert!(!output.status.success(), "portico serve {args:?} started");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A tenant's client: paths are relative to `/v1/tenants/{namespace}`.
pub struct TenantApi {
    pub api: Api,
    pub namespace: String,
    pub key: String,
}

impl std::ops::Deref for TenantApi {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// A small JSON-over-HTTP client. Every call answers `(status, body as JSON)`; a non-JSON body
/// comes back as a JSON string so tests can still print it.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(base_url: &str, token: Option<&str>) -> Api {
        Api {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            base: base_url.to_string(),
            token: token.map(str::to_string),
        }
    }

    /// The same client with `prefix` added to the base URL.
    pub fn scoped(&self, prefix: &str) -> Api {
        Api {
            base: format!("{}{prefix}", self.base),
            ..self.clone()
        }
    }

    /// The same client with another bearer token.
    pub fn with_token(&self, token: &str) -> Api {
        Api {
            token: Some(token.to_string()),
            ..self.clone()
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.client.request(method, self.url(path));
        if let Some(token) = &self.token {
            rb = rb.bearer_auth(token);
        }
        rb
    }

    /// Sends a request and answers its status and JSON body. A server that refuses a body early
    /// (413) answers and closes before a large body is written; the client then fails writing
    /// it, without reading the answer. Such a request is sent again (a few times) until the
    /// answer is read: a server that is down fails differently and still fails the test.
    pub async fn send(rb: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let mut attempts = 0;
        let response = loop {
            let attempt = rb.try_clone().expect("test requests have in-memory bodies");
            match attempt.send().await {
                Ok(response) => break response,
                Err(e) if attempts < 5 && closed_while_writing(&e) => attempts += 1,
                Err(e) => panic!("request failed: {e:?}"),
            }
        };
        let status = response.status();
        let text = response.text().await.expect("read body");
        let mut body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        // Every error names its request (`requestId`, tested on its own): left out here so
        // that tests can compare two answers whole.
        if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
            error.remove("requestId");
        }
        // The OneEntry layer's errors carry it at the top, beside `statusCode`.
        if let Some(error) = body
            .as_object_mut()
            .filter(|b| b.contains_key("statusCode"))
        {
            error.remove("requestId");
        }
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        Api::send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        Api::send(self.request(reqwest::Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        Api::send(self.request(reqwest::Method::POST, path).json(&body)).await
    }

    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        Api::send(self.request(reqwest::Method::POST, path)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        Api::send(self.request(reqwest::Method::PUT, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        Api::send(self.request(reqwest::Method::PATCH, path).json(&body)).await
    }

    /// Sends `raw` bytes as the body with the given content type.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        raw: Vec<u8>,
    ) -> (StatusCode, Value) {
        Api::send(
            self.request(method, path)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(raw),
        )
        .await
    }
}

/// Whether a request failed because the server closed the connection while the body was being
/// written (a broken pipe or a reset), as it does after refusing an oversized body.
fn closed_while_writing(e: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            );
        }
        source = err.source();
    }
    false
}

/// Creates an internal user without a welcome email and answers it.
pub async fn create_user(t: &TenantApi, email: &str) -> Value {
    let (status, user) = t
        .post("/users", json!({"firstName": "First", "lastName": "Last", "email": email, "sendWelcomeEmail": false}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user
}

/// Asserts an API error: the status and the error code.
#[track_caller]
pub fn assert_error(actual: (StatusCode, Value), status: StatusCode, code: &str) {
    let (got, body) = actual;
    assert_eq!(got, status, "unexpected status; body: {body}");
    assert_eq!(
        body["error"]["code"], code,
        "unexpected error code; body: {body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error without message: {body}"
    );
}
