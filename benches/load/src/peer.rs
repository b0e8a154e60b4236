//! The peer as a benchmark target: better-auth (benches/peer/server.mjs) on SQLite (or
//! PostgreSQL with `--store postgres`), installed
//! with npm when needed, started on 127.0.0.1 with a fresh database, seeded through its API.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::fixtures::{update_values, DOMAIN};
use crate::gen::Step;
use crate::http::{parallel, Http};
use crate::portico::free_port;

const PASSWORD: &str = "bench-password-1";
const ADMIN_EMAIL: &str = "admin@bench.example";
const ADMIN_PASSWORD: &str = "bench-admin-password-1";
const POOL: usize = 64;

pub struct Peer {
    child: Child,
    http: Http,
    base: String,
    origin: String,
    users: Vec<String>,
    /// Ids of the users that are banned and unbanned.
    block_ids: Vec<String>,
    admin_cookie: String,
}

fn update_body(invalid: bool) -> String {
    let map: serde_json::Map<String, Value> = update_values(invalid)
        .into_iter()
        .map(|(m, _, v)| (m, v))
        .collect();
    Value::Object(map).to_string()
}

/// The session cookie (`name=value`) a sign-in or sign-up set.
fn session_cookie(headers: &reqwest::header::HeaderMap) -> Result<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("better-auth.session_token="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .context("no session cookie")
}

impl Peer {
    /// Starts the peer on SQLite in `work`, or on PostgreSQL when `database_url` is given.
    pub async fn start(
        root: &Path,
        work: &Path,
        users: usize,
        database_url: Option<&str>,
    ) -> Result<Self> {
        let dir = root.join("benches/peer");
        if !dir.join("node_modules").exists() {
            eprintln!("installing the peer (npm install in benches/peer)...");
            let ok = Command::new("npm")
                .current_dir(&dir)
                .args(["install", "--no-audit", "--no-fund"])
                .status()?
                .success();
            anyhow::ensure!(ok, "npm install failed in {}", dir.display());
        }
        let port = free_port()?;
        let origin = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(work.join("peer.log"))?;
        let mut node = Command::new("node");
        if let Some(url) = database_url {
            node.env("PEER_DATABASE_URL", url);
        }
        let child = node
            .current_dir(&dir)
            .arg("server.mjs")
            .env("PORT", port.to_string())
            .env("PEER_DB", work.join("peer.db"))
            .env("PEER_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("PEER_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("NODE_ENV", "production")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("start node (the peer)")?;
        let http = Http::new();
        let mut peer = Peer {
            child,
            http: http.clone(),
            base: format!("{origin}/api/auth"),
            origin,
            users: vec![],
            block_ids: vec![],
            admin_cookie: String::new(),
        };
        http.wait_ready(&format!("{}/health", peer.origin), "the peer")
            .await?;
        let t0 = std::time::Instant::now();
        peer.seed(users).await?;
        eprintln!(
            "peer seeded in {:.1} s (pid {})",
            t0.elapsed().as_secs_f64(),
            peer.pid()
        );
        Ok(peer)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }

    fn origin_header(&self) -> (String, String) {
        ("origin".into(), self.origin.clone())
    }

    async fn seed(&mut self, users: usize) -> Result<()> {
        let a = self
            .http
            .json(
                Method::POST,
                &format!("{}/sign-in/email", self.base),
                &[self.origin_header()],
                Some(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
                StatusCode::OK,
            )
            .await?;
        self.admin_cookie = session_cookie(&a.headers)?;
        let emails: Vec<String> = (0..users).map(|i| format!("user{i}@{DOMAIN}")).collect();
        let blocks: Vec<String> = (0..POOL).map(|i| format!("block{i}@{DOMAIN}")).collect();
        let (http, base, origin) = (self.http.clone(), self.base.clone(), self.origin_header());
        let sign_up = move |email: String| {
            let (http, base, origin) = (http.clone(), base.clone(), origin.clone());
            async move {
                let a = http
                    .json(
                        Method::POST,
                        &format!("{base}/sign-up/email"),
                        &[origin],
                        Some(&json!({"email": email, "password": PASSWORD, "name": "Pat"})),
                        StatusCode::OK,
                    )
                    .await?;
                Ok(a.body["user"]["id"]
                    .as_str()
                    .context("user id")?
                    .to_string())
            }
        };
        let su = sign_up.clone();
        let e2 = emails.clone();
        parallel(users, 4, move |i| su(e2[i].clone())).await?;
        self.users = emails;
        let su = sign_up.clone();
        self.block_ids = parallel(POOL, 4, move |i| su(blocks[i].clone())).await?;
        Ok(())
    }

    /// Fresh session cookies for the first `n` users.
    async fn sessions(&self, n: usize) -> Result<Vec<String>> {
        let emails: Vec<String> = (0..n)
            .map(|i| self.users[i % self.users.len()].clone())
            .collect();
        let (http, url, origin) = (
            self.http.clone(),
            format!("{}/sign-in/email", self.base),
            self.origin_header(),
        );
        parallel(n, 4, move |i| {
            let (http, url, origin, email) =
                (http.clone(), url.clone(), origin.clone(), emails[i].clone());
            async move {
                let a = http
                    .json(
                        Method::POST,
                        &url,
                        &[origin],
                        Some(&json!({"email": email, "password": PASSWORD})),
                        StatusCode::OK,
                    )
                    .await?;
                session_cookie(&a.headers)
            }
        })
        .await
    }

    /// The scripts of `scenario` at concurrency `c`, or None when the peer has no equivalent.
    pub async fn scripts(&mut self, scenario: &str, c: usize) -> Result<Option<Vec<Vec<Step>>>> {
        let step = |method: &str,
                    url: String,
                    headers: Vec<(String, String)>,
                    body: Option<String>,
                    expect: Vec<u16>| Step {
            method: method.into(),
            url,
            headers,
            body,
            expect,
        };
        let origin = self.origin_header();
        let scripts = match scenario {
            "sign_in" => (0..c)
                .map(|w| {
                    (w..self.users.len())
                        .step_by(c)
                        .map(|i| {
                            let body =
                                json!({"email": self.users[i], "password": PASSWORD}).to_string();
                            step(
                                "POST",
                                format!("{}/sign-in/email", self.base),
                                vec![origin.clone()],
                                Some(body),
                                vec![200],
                            )
                        })
                        .collect()
                })
                .collect(),
            "session_read" | "update_valid" | "update_invalid" => {
                let cookies = self.sessions(c).await?;
                cookies
                    .into_iter()
                    .map(|cookie| {
                        let h = vec![("cookie".to_string(), cookie), origin.clone()];
                        vec![match scenario {
                            "session_read" => step(
                                "GET",
                                format!("{}/get-session", self.base),
                                h,
                                None,
                                vec![200],
                            ),
                            "update_invalid" => step(
                                "POST",
                                format!("{}/update-user", self.base),
                                h,
                                Some(update_body(true)),
                                vec![422],
                            ),
                            _ => step(
                                "POST",
                                format!("{}/update-user", self.base),
                                h,
                                Some(update_body(false)),
                                vec![200],
                            ),
                        }]
                    })
                    .collect()
            }
            "block_unblock" => {
                let h = vec![
                    ("cookie".to_string(), self.admin_cookie.clone()),
                    origin.clone(),
                ];
                self.block_ids
                    .iter()
                    .map(|id| {
                        let body = json!({"userId": id}).to_string();
                        vec![
                            step(
                                "POST",
                                format!("{}/admin/ban-user", self.base),
                                h.clone(),
                                Some(body.clone()),
                                vec![200],
                            ),
                            step(
                                "POST",
                                format!("{}/admin/unban-user", self.base),
                                h.clone(),
                                Some(body),
                                vec![200],
                            ),
                        ]
                    })
                    .collect()
            }
            "list_users" => {
                let h = vec![("cookie".to_string(), self.admin_cookie.clone())];
                vec![vec![step(
                    "GET",
                    format!("{}/admin/list-users?limit=50", self.base),
                    h,
                    None,
                    vec![200],
                )]]
            }
            // signupUrl has no equivalent in better-auth; the no-plugin baseline and the update
            // with lifecycle hooks are Portico's own.
            _ => return Ok(None),
        };
        Ok(Some(scripts))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
