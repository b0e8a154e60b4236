//! A real PostgreSQL for Portico's tests: `initdb` into a temporary directory and `pg_ctl` on a
//! free 127.0.0.1 port, stopped when dropped. The server binaries are PostgreSQL's own (Debian's
//! `postgresql` package; the test command installs it when missing). As root, the server runs as
//! the `postgres` user (PostgreSQL refuses to run as root). Used by the engine's tests and by the
//! black-box suite (which can also be pointed at a server the test command started).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// One PostgreSQL server of a test.
pub struct Postgres {
    dir: TempDir,
    bin: PathBuf,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    as_postgres: bool,
}

impl Postgres {
    /// Starts a fresh server; `settings` are extra `-c name=value` server settings.
    pub fn start(settings: &[&str]) -> Postgres {
        let server = Postgres::init();
        server.pg_ctl_start(settings);
        server
    }

    /// A fresh data directory, its server not started.
    fn init() -> Postgres {
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
        server
    }

    /// Stops the server (its data stays): clients see the database unreachable.
    pub fn stop(&self) {
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-m", "fast", "stop"]));
    }

    /// Starts the stopped server again on the same port, with the same data.
    pub fn restart(&self) {
        self.pg_ctl_start(&[]);
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` from a plain thread; answers its URL.
    pub fn create_database_blocking(&self, name: &str) -> String {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(self.create_database(name))
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
