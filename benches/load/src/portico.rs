//! Portico as a benchmark target: build, start (release, 127.0.0.1, fresh data dir), seed through
//! the HTTP API, and the request scripts of each scenario.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::fixtures::{update_values, Tenant, FORM, OPERATOR_TOKEN, PASSWORD, POOL};
use crate::gen::Step;
use crate::http::{parallel, Http};
use crate::seed::{seed, Bound};

fn update_body(invalid: bool) -> String {
    let data: Vec<Value> = update_values(invalid)
        .into_iter()
        .map(|(m, t, v)| json!({"marker": m, "type": t, "value": v}))
        .collect();
    json!({"formIdentifier": FORM, "langCode": "en_US", "formData": data}).to_string()
}

/// Builds the plugins if missing and Portico in release; answers the binary.
/// Builds what a run needs (the example plugins; the release binary unless `no_build`) and
/// answers the portico binary: `portico_bin`, else this workspace's release build.
pub fn prepare(root: &Path, no_build: bool, portico_bin: Option<&Path>) -> Result<PathBuf> {
    let wasm = root.join("plugins/target/wasm32-wasip2/release");
    let needed = [
        "example_field_validator",
        "example_signup_policy",
        "example_lifecycle_hooks",
        "hostile_infinite_loop",
    ];
    if needed
        .iter()
        .any(|n| !wasm.join(format!("{n}.wasm")).exists())
    {
        eprintln!("building the example plugins (wasm32-wasip2, release)...");
        let ok = Command::new("cargo")
            .current_dir(root)
            .env_remove("CARGO_TARGET_DIR")
            .args([
                "build",
                "--manifest-path",
                "plugins/Cargo.toml",
                "--target",
                "wasm32-wasip2",
                "--release",
            ])
            .status()?
            .success();
        anyhow::ensure!(ok, "building the plugins failed");
    }
    let bin = portico_bin.map(Path::to_path_buf).unwrap_or_else(|| {
        // Where `cargo build` below puts it.
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("release/portico")
    });
    if !no_build {
        eprintln!("building portico (release)...");
        let ok = Command::new("cargo")
            .current_dir(root)
            .args(["build", "--release", "-p", "portico", "--bin", "portico"])
            .status()?
            .success();
        anyhow::ensure!(ok, "building portico failed");
    }
    anyhow::ensure!(bin.exists(), "no portico binary at {}", bin.display());
    Ok(bin)
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub struct Portico {
    child: Child,
    http: Http,
    bin: PathBuf,
    data: PathBuf,
    extra_args: Vec<String>,
    /// Environment variables set for the server besides the operator token.
    env: Vec<(String, String)>,
    log: PathBuf,
    port: u16,
    main: Tenant,
    /// The same form with no plugin bound: the plugin-overhead baseline.
    plain: Tenant,
    /// The checks and the lifecycle hooks bound: blocks, and updates with their hooks.
    hooked: Tenant,
}

impl Portico {
    /// Starts `portico serve` on a fresh data dir `work/<label>-data` with `extra_args`, and
    /// seeds the `bench` tenants.
    pub async fn start(
        bin: &Path,
        work: &Path,
        label: &str,
        extra_args: &[&str],
        users: usize,
    ) -> Result<Self> {
        Portico::start_with_env(bin, work, label, extra_args, &[], users).await
    }

    /// `start`, with the environment variables `env` set for the server.
    pub async fn start_with_env(
        bin: &Path,
        work: &Path,
        label: &str,
        extra_args: &[&str],
        env: &[(&str, &str)],
        users: usize,
    ) -> Result<Self> {
        let mut p = Portico::launch(bin, work, label, extra_args, env).await?;
        p.seed_bench(label, users).await?;
        Ok(p)
    }

    /// Seeds `bench` (`users` portal users, the validator and the signup policy bound),
    /// `bench_plain` (no plugin) and `bench_hooks` (the lifecycle hooks bound as well).
    pub async fn seed_bench(&mut self, label: &str, users: usize) -> Result<()> {
        let (http, base) = (self.http.clone(), self.base());
        let t0 = std::time::Instant::now();
        self.main = seed(&http, &base, "bench", Bound::Checks, users).await?;
        self.plain = seed(&http, &base, "bench_plain", Bound::Nothing, POOL).await?;
        self.hooked = seed(&http, &base, "bench_hooks", Bound::ChecksAndHooks, POOL).await?;
        eprintln!(
            "{label} seeded in {:.1} s (pid {})",
            t0.elapsed().as_secs_f64(),
            self.pid()
        );
        Ok(())
    }

    /// Seeds `namespace` as `bench` is seeded (the checks bound, `users` portal users) and makes
    /// it the tenant whose requests `scripts` answers.
    pub async fn seed_main(&mut self, namespace: &str, users: usize) -> Result<()> {
        let (http, base) = (self.http.clone(), self.base());
        self.main = seed(&http, &base, namespace, Bound::Checks, users).await?;
        Ok(())
    }

    /// Starts `portico serve` on a fresh data dir `work/<label>-data` with `extra_args`,
    /// unseeded.
    pub async fn start_empty(
        bin: &Path,
        work: &Path,
        label: &str,
        extra_args: &[&str],
    ) -> Result<Self> {
        Portico::launch(bin, work, label, extra_args, &[]).await
    }

    async fn launch(
        bin: &Path,
        work: &Path,
        label: &str,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Self> {
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let data = work.join(format!("{label}-data"));
        let log = work.join(format!("{label}.log"));
        let extra_args: Vec<String> = extra_args.iter().map(|a| a.to_string()).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let child = spawn_server(bin, &data, &extra_args, &env, port, &log)?;
        let http = Http::new();
        let p = Portico {
            child,
            http: http.clone(),
            bin: bin.to_path_buf(),
            data,
            extra_args,
            env,
            log,
            port,
            main: Tenant::default(),
            plain: Tenant::default(),
            hooked: Tenant::default(),
        };
        http.wait_ready(&format!("{base}/v1/health"), "portico")
            .await?;
        Ok(p)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its data directory (where its server key lives).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The store's commit counters (`GET /v1/storage`): (durable commits, writes).
    pub async fn commit_counters(&self) -> Result<(u64, u64)> {
        let op = vec![(
            "authorization".to_string(),
            format!("Bearer {OPERATOR_TOKEN}"),
        )];
        let answer = self
            .http
            .json(
                Method::GET,
                &format!("http://127.0.0.1:{}/v1/storage", self.port),
                &op,
                None,
                StatusCode::OK,
            )
            .await?;
        let count = |k: &str| answer.body[k].as_u64().context("storage counter");
        Ok((count("commits")?, count("writes")?))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    /// The base URL and API-key header of the tenant with plugins (`bench`) or without.
    pub fn tenant(&self, plugins: bool) -> (String, Vec<(String, String)>) {
        let t = if plugins { &self.main } else { &self.plain };
        (t.base.clone(), t.auth())
    }

    /// Stops the server (SIGTERM, waits for it) and starts it again on the same data dir and
    /// port, without waiting for it to be ready: the caller times that.
    pub fn restart(&mut self) -> Result<()> {
        self.stop();
        self.child = spawn_server(
            &self.bin,
            &self.data,
            &self.extra_args,
            &self.env,
            self.port,
            &self.log,
        )?;
        Ok(())
    }

    pub fn stop(&mut self) {
        // SIGTERM: Portico shuts down gracefully.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }

    /// Fresh sessions for the first `n` users of a tenant; answers their access tokens.
    async fn sessions(&self, t: &Tenant, n: usize) -> Result<Vec<String>> {
        let emails: Vec<String> = (0..n).map(|i| t.users[i % t.users.len()].clone()).collect();
        let url = format!("{}/portal/sessions", t.base);
        let http = self.http.clone();
        parallel(n, 4, move |i| {
            let (http, url, email) = (http.clone(), url.clone(), emails[i].clone());
            async move {
                let a = http
                    .json(
                        Method::POST,
                        &url,
                        &[],
                        Some(&json!({"email": email, "password": PASSWORD})),
                        StatusCode::OK,
                    )
                    .await?;
                Ok(a.body["accessToken"]
                    .as_str()
                    .context("accessToken")?
                    .to_string())
            }
        })
        .await
    }

    /// The scripts of `scenario` at concurrency `c`, or None when Portico has no such scenario.
    pub async fn scripts(&mut self, scenario: &str, c: usize) -> Result<Option<Vec<Vec<Step>>>> {
        let json_step = |method: &str,
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
        let t = &self.main;
        let scripts = match scenario {
            "sign_in" => (0..c)
                .map(|w| {
                    // Worker w signs in users w, w+c, w+2c...: no two workers share a user.
                    (w..t.users.len())
                        .step_by(c)
                        .map(|i| {
                            let body =
                                json!({"email": t.users[i], "password": PASSWORD}).to_string();
                            json_step(
                                "POST",
                                format!("{}/portal/sessions", t.base),
                                vec![],
                                Some(body),
                                vec![200],
                            )
                        })
                        .collect()
                })
                .collect(),
            "session_read"
            | "update_valid"
            | "update_invalid"
            | "update_valid_no_plugins"
            | "update_valid_hooks" => {
                let tenant = match scenario {
                    "update_valid_no_plugins" => &self.plain,
                    "update_valid_hooks" => &self.hooked,
                    _ => &self.main,
                };
                let tokens = self.sessions(tenant, c).await?;
                tokens
                    .into_iter()
                    .map(|tok| {
                        let auth = vec![("authorization".to_string(), format!("Bearer {tok}"))];
                        let url = format!("{}/portal/me", tenant.base);
                        vec![match scenario {
                            "session_read" => json_step("GET", url, auth, None, vec![200]),
                            "update_invalid" => {
                                json_step("PUT", url, auth, Some(update_body(true)), vec![422])
                            }
                            _ => json_step("PUT", url, auth, Some(update_body(false)), vec![200]),
                        }]
                    })
                    .collect()
            }
            "signup_url" => t
                .link_profiles
                .iter()
                .map(|p| {
                    // `refresh`: a fresh invitation replaces the earlier ones (a profile may
                    // hold at most 50 live links; 20 s of load would pass that).
                    let body =
                        json!({"profileId": p, "withSign": true, "refresh": true}).to_string();
                    vec![json_step(
                        "POST",
                        format!("{}/portal/signup-urls", t.base),
                        t.auth(),
                        Some(body),
                        vec![200],
                    )]
                })
                .collect(),
            "block_unblock" => self
                .hooked
                .block_profiles
                .iter()
                .map(|p| {
                    vec![
                        json_step(
                            "POST",
                            format!("{}/profiles/{p}/block", self.hooked.base),
                            self.hooked.auth(),
                            None,
                            vec![200],
                        ),
                        json_step(
                            "POST",
                            format!("{}/profiles/{p}/unblock", self.hooked.base),
                            self.hooked.auth(),
                            None,
                            vec![200],
                        ),
                    ]
                })
                .collect(),
            "list_users" => vec![vec![json_step(
                "GET",
                format!("{}/users?limit=50", t.base),
                t.auth(),
                None,
                vec![200],
            )]],
            _ => return Ok(None),
        };
        Ok(Some(scripts))
    }
}

/// Starts `portico serve` on 127.0.0.1:`port` with `data` as its data dir and `extra_args`,
/// appending its output to `log`.
fn spawn_server(
    bin: &Path,
    data: &Path,
    extra_args: &[String],
    env: &[(String, String)],
    port: u16,
    log: &Path,
) -> Result<Child> {
    let base = format!("http://127.0.0.1:{port}");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    Command::new(bin)
        .args(["serve", "--data"])
        .arg(data)
        .args(extra_args)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &base,
        ])
        .env("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("start portico")
}

impl Drop for Portico {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
