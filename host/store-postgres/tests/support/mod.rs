//! A real PostgreSQL for the tests: `initdb` into a temporary directory and `pg_ctl` on a free
//! 127.0.0.1 port, stopped when dropped. The server binaries are PostgreSQL's own (Debian's
//! `postgresql` package; the test command installs it when missing). As root, the server runs
//! as the `postgres` user (PostgreSQL refuses to run as root).
//!
//! Beside the server, the fixtures the aggregates' tests share: a migrated database with its
//! store, a way to run the store's calls as the rules do, and the records they store.

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::Utc;
use portico_core::storage::TenantWrites;
use portico_core::tenants::Tenant;
use portico_core::users::{UserKind, UserRecord, UserStatus};
use portico_store_postgres::{KeyFile, PgConfig, PgStore};
use std::sync::OnceLock;
use tempfile::TempDir;

/// A fresh server with database `portico` migrated and tenants `tenants` stored (see
/// [`tenant`]), and the store on it.
pub async fn database(tenants: &[&str]) -> (Postgres, Arc<PgStore>) {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let store = Arc::new(PgStore::connect(&PgConfig::new(&url), keys()).await.unwrap());
    if !tenants.is_empty() {
        let ids: Vec<String> = tenants.iter().map(|id| id.to_string()).collect();
        on_a_plain_thread(&store, move |store| {
            let mut tx = store.write().unwrap();
            for id in &ids {
                tx.insert_tenant(&tenant(id)).unwrap();
            }
            tx.commit().unwrap();
        })
        .await;
    }
    (server, store)
}

/// The server key every store of this test process uses (one key file, as the hosts of a
/// cluster share one).
pub fn keys() -> KeyFile {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    KeyFile::load_or_create(dir.path()).expect("the test key file")
}

/// A server key of its own (another host's, misconfigured).
pub fn other_keys() -> (TempDir, KeyFile) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let keys = KeyFile::load_or_create(dir.path()).expect("a key file");
    (dir, keys)
}

/// Runs `check` on a plain thread, as the rules run (the engine blocks on its connections).
pub async fn on_a_plain_thread(
    store: &Arc<PgStore>,
    check: impl FnOnce(&PgStore) + Send + 'static,
) {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || check(&store))
        .await
        .unwrap();
}

/// Runs `check` on a plain thread, as the rules run, over a fresh [`database`] holding
/// tenants `tenants`.
pub async fn on_a_rules_thread(tenants: &[&str], check: impl FnOnce(&PgStore) + Send + 'static) {
    let (server, store) = database(tenants).await;
    on_a_plain_thread(&store, check).await;
    drop(server);
}

/// A digest as the rules store one (64 hex digits).
pub fn digest(c: char) -> String {
    c.to_string().repeat(64)
}

/// Tenant `id`, its namespace and name `id` too.
pub fn tenant(id: &str) -> Tenant {
    Tenant {
        id: id.into(),
        namespace: id.into(),
        name: id.into(),
        created_at: Utc::now(),
    }
}

/// An active portal user with this id and email, in no group and linked to no provider.
pub fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        kind: UserKind::Portal,
        first_name: "A".into(),
        last_name: "B".into(),
        email: email.into(),
        status: UserStatus::Active,
        groups: Vec::new(),
        identity_providers: Vec::new(),
        oauth_provider_id: None,
        password_hash: None,
        password_expired: false,
        reset_code_digest: None,
        notification_data: None,
        state: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

/// One PostgreSQL server of a test.
pub struct Postgres {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl Postgres {
    /// Starts a fresh server; `settings` are extra `-c name=value` server settings.
    pub fn start(settings: &[&str]) -> Postgres {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let as_postgres = running_as_root();
        if as_postgres {
            run(Command::new("chown").args(["postgres"]).arg(dir.path()));
        }
        let bin = server_binaries();
        let server = Postgres {
            port: free_port(),
            dir,
            bin,
            as_postgres,
        };
        server.initdb();
        server.pg_ctl_start(settings);
        server
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name`; answers its URL.
    pub async fn create_database(&self, name: &str) -> String {
        let admin = self.connect("postgres").await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the database");
        self.url(name)
    }

    /// A plain connection to database `name` (for the tests' own queries).
    pub async fn connect(&self, name: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url(name), tokio_postgres::NoTls)
            .await
            .expect("connect to the test server");
        tokio::spawn(connection);
        client
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn initdb(&self) {
        run(self.command("initdb").arg("-D").arg(self.data()).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
    }

    fn pg_ctl_start(&self, settings: &[&str]) {
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        for s in settings {
            options.push_str(&format!(" -c {s}"));
        }
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-l"])
            .arg(self.dir.path().join("server.log"))
            .args(["-o", &options, "start"]));
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn run(command: &mut Command) {
    let out = command.output().expect("run a PostgreSQL command");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn running_as_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// The directory of `initdb` and `pg_ctl`: `PORTICO_PG_BIN`, else the one on `PATH`, else the
/// newest of Debian's `/usr/lib/postgresql/*/bin`.
fn server_binaries() -> PathBuf {
    if let Some(dir) = std::env::var_os("PORTICO_PG_BIN") {
        return PathBuf::from(dir);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file());
    if let Some(dir) = on_path {
        return dir;
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir(Path::new("/usr/lib/postgresql"))
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    debian.retain(|d| d.join("initdb").is_file());
    debian.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    debian.pop().expect(
        "PostgreSQL's server is not installed (Debian: apt-get install -y postgresql; the test \
         command installs it)",
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
