//! A cluster of Portico hosts for the black-box tests: one real PostgreSQL, three `portico
//! serve --database` hosts on it (each with its own data dir holding the same server key), and
//! Debian's haproxy in front of them, balancing each request round-robin. Everything runs as
//! child processes killed when the cluster is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portico_test_postgres::Postgres;
use tempfile::TempDir;

use super::{Api, Server, TenantApi, OPERATOR_TOKEN};

/// Hosts in every cluster.
pub const HOSTS: usize = 3;

/// The name of the key file every host of one database must share.
const KEY_FILE: &str = "portico.key";

/// Three hosts on one PostgreSQL database behind a load balancer. Fields drop in order: the
/// balancer, then the hosts, then the database they use.
pub struct Cluster {
    balancer: Balancer,
    /// The hosts; a killed host is `None`.
    hosts: Vec<Option<Server>>,
    host_urls: Vec<String>,
    pub postgres: Postgres,
    /// The database the hosts share.
    pub database: String,
    _data_dirs: Vec<TempDir>,
}

impl Cluster {
    /// Starts PostgreSQL, one database, three hosts on it and the balancer over them.
    pub async fn start() -> Cluster {
        Cluster::start_with(&[]).await
    }

    /// As `start`, each host with extra `portico serve` arguments.
    pub async fn start_with(extra_args: &[&str]) -> Cluster {
        let postgres = Postgres::start(&[]);
        let database = "portico".to_string();
        let url = postgres.create_database(&database).await;
        let data_dirs: Vec<TempDir> = (0..HOSTS).map(|_| tempfile::tempdir().unwrap()).collect();
        // The first host creates the server key; the others start with a copy of it.
        let first = Server::start_on_database_with(data_dirs[0].path(), &url, extra_args);
        let mut hosts = vec![first];
        for dir in &data_dirs[1..] {
            copy_key(data_dirs[0].path(), dir.path());
            hosts.push(Server::start_on_database_with(dir.path(), &url, extra_args));
        }
        let host_urls: Vec<String> = hosts.iter().map(|h| h.base_url.clone()).collect();
        let balancer = Balancer::start(&host_urls);
        Cluster {
            balancer,
            hosts: hosts.into_iter().map(Some).collect(),
            host_urls,
            postgres,
            database,
            _data_dirs: data_dirs,
        }
    }

    /// The balancer's base URL (`http://127.0.0.1:port`).
    pub fn balancer_url(&self) -> &str {
        &self.balancer.url
    }

    /// Host `i`'s own base URL.
    pub fn host_url(&self, i: usize) -> &str {
        &self.host_urls[i]
    }

    /// Host `i` (panics once it was killed or stopped).
    pub fn host(&self, i: usize) -> &Server {
        self.hosts[i].as_ref().expect("host killed")
    }

    /// Kills host `i` at once (SIGKILL): a crash in the middle of whatever it was doing.
    pub fn kill(&mut self, i: usize) {
        self.hosts[i].take().expect("host already killed").kill();
    }

    /// Stops host `i` as an operator does (SIGTERM) and waits for its clean exit.
    pub fn stop(&mut self, i: usize) {
        let status = self.hosts[i].take().expect("host already stopped").stop();
        assert!(status.success(), "host {i} exited with {status}");
    }

    /// The operator's client through the balancer.
    pub fn operator(&self) -> Api {
        Api::new(self.balancer_url(), Some(OPERATOR_TOKEN))
    }

    /// A client without credentials through the balancer.
    pub fn anonymous(&self) -> Api {
        Api::new(self.balancer_url(), None)
    }

    /// Creates a tenant and an API key (through the first host); answers its client on the
    /// balancer.
    pub async fn tenant(&self, namespace: &str) -> TenantApi {
        let t = self.host(0).tenant(namespace).await;
        tenant_at(self.balancer_url(), &t)
    }

    /// The tenant's client on host `i` alone.
    pub fn tenant_on(&self, i: usize, t: &TenantApi) -> TenantApi {
        tenant_at(self.host_url(i), t)
    }

    /// Runs one SQL statement on the hosts' database, beneath the API; answers the rows it
    /// changed.
    pub async fn sql_execute(&self, statement: &str) -> u64 {
        let client = self.postgres.connect(&self.database).await;
        client.execute(statement, &[]).await.expect(statement)
    }

    /// The text column of each row `query` answers, from the hosts' database.
    pub async fn sql_texts(&self, query: &str) -> Vec<String> {
        let client = self.postgres.connect(&self.database).await;
        let rows = client.query(query, &[]).await.expect(query);
        rows.iter().map(|row| row.get::<_, String>(0)).collect()
    }
}

/// `t`'s client on the server at `base_url`.
pub fn tenant_at(base_url: &str, t: &TenantApi) -> TenantApi {
    TenantApi {
        api: Api::new(base_url, Some(&t.key)).scoped(&format!("/v1/tenants/{}", t.namespace)),
        namespace: t.namespace.clone(),
        key: t.key.clone(),
    }
}

fn copy_key(from: &Path, to: &Path) {
    std::fs::copy(from.join(KEY_FILE), to.join(KEY_FILE)).expect("copy the server key");
}

/// haproxy in the foreground on a free 127.0.0.1 port, its configuration in a temp dir.
struct Balancer {
    child: Child,
    url: String,
    _dir: TempDir,
}

impl Balancer {
    fn start(host_urls: &[String]) -> Balancer {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let config = dir.path().join("haproxy.cfg");
        std::fs::write(&config, haproxy_config(port, host_urls)).expect("write haproxy.cfg");
        // Its notices (hosts going up and down) go to a file beside the configuration.
        let log = std::fs::File::create(dir.path().join("haproxy.log")).expect("haproxy.log");
        let child = Command::new(haproxy_binary())
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn haproxy (Debian's haproxy package)");
        wait_for_port(port);
        Balancer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Round-robin per request over the hosts. Health checks take a dead host out within about a
/// second (a busy host has two seconds to answer one); a request that could not connect is
/// sent to another host (it never reached one).
fn haproxy_config(port: u16, host_urls: &[String]) -> String {
    let mut config = format!(
        "global\n    maxconn 1024\n\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 60s\n    \
         timeout server 60s\n    timeout check 2s\n    retries 3\n    option redispatch\n    retry-on conn-failure\n\
         frontend portico\n    bind 127.0.0.1:{port}\n    default_backend hosts\n\
         backend hosts\n    balance roundrobin\n    option httpchk GET /v1/health\n"
    );
    for (i, url) in host_urls.iter().enumerate() {
        let address = url.trim_start_matches("http://");
        config.push_str(&format!(
            "    server host{i} {address} check inter 500ms fall 2 rise 1\n"
        ));
    }
    config
}

fn haproxy_binary() -> &'static str {
    if Path::new("/usr/sbin/haproxy").exists() {
        "/usr/sbin/haproxy"
    } else {
        "haproxy"
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "haproxy did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
