//! Which storage engine this run's servers use. Without `PORTICO_TEST_POSTGRES`, the embedded
//! redb file in each data directory. With it (a server URL, `postgres://postgres@127.0.0.1:PORT`,
//! started once for the run by the test command), every server runs with `--database` on a
//! database of its own: one per data directory, named in a file inside it so a restart on the
//! same directory finds the same database again.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the PostgreSQL server of a PostgreSQL run.
pub const POSTGRES_VARIABLE: &str = "PORTICO_TEST_POSTGRES";

/// The file, in a data directory, that names the directory's database on a PostgreSQL run.
const DATABASE_NAME_FILE: &str = "test-database-name";

/// The storage engine of this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// The redb file in the data directory (the default).
    Embedded,
    /// A PostgreSQL database (`--database`).
    Postgres,
}

/// The storage engine the servers of this run use.
pub fn store() -> StoreKind {
    match postgres_server() {
        Some(_) => StoreKind::Postgres,
        None => StoreKind::Embedded,
    }
}

/// On a PostgreSQL run, says so with `reason` (what only the embedded engine has) and answers
/// true: the caller returns early.
pub fn skip_on_postgres(reason: &str) -> bool {
    if store() == StoreKind::Embedded {
        return false;
    }
    eprintln!("skipped on PostgreSQL: {reason}");
    true
}

/// The URL of the run's PostgreSQL server, when this is a PostgreSQL run.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_VARIABLE)
        .ok()
        .map(|url| url.trim_end_matches('/').to_string())
        .filter(|url| !url.is_empty())
}

/// The `portico serve` arguments that put `data_dir`'s server on this run's store: nothing for
/// the embedded engine, `--database <url>` for PostgreSQL.
pub fn serve_args(data_dir: &Path) -> Vec<String> {
    match postgres_server() {
        Some(server) => vec!["--database".into(), database_url(&server, data_dir)],
        None => Vec::new(),
    }
}

/// The URL of `data_dir`'s database on `server`, created on the directory's first start.
pub fn database_url(server: &str, data_dir: &Path) -> String {
    format!("{server}/{}", database_name(server, data_dir))
}

/// The name `data_dir` records; a new database (and the record) when it has none yet.
fn database_name(server: &str, data_dir: &Path) -> String {
    let record = data_dir.join(DATABASE_NAME_FILE);
    if let Ok(name) = std::fs::read_to_string(&record) {
        return name.trim().to_string();
    }
    let name = fresh_database_name();
    create_database(server, &name);
    std::fs::create_dir_all(data_dir).expect("create the data directory");
    std::fs::write(&record, &name).expect("record the data directory's database");
    name
}

/// A name no other database of the run (or of an earlier run on the same server) has.
fn fresh_database_name() -> String {
    static CREATED: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    let n = CREATED.fetch_add(1, Ordering::Relaxed);
    format!("portico_{}_{nanos}_{n}", std::process::id())
}

/// Creates database `name` on `server`. On a thread of its own: the callers may be inside a
/// tokio runtime, which cannot block on another.
fn create_database(server: &str, name: &str) {
    let admin = format!("{server}/postgres");
    let statement = format!("CREATE DATABASE {name}");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(async {
                let client = connect(&admin).await;
                client.batch_execute(&statement).await
            })
    })
    .join()
    .expect("the database creation thread")
    .expect("create the test database");
}

/// A plain client connection to the database at `url` (for the tests' own queries). Call it
/// inside a tokio runtime.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(connection);
    client
}

/// On a PostgreSQL run, a plain client connection to the database of `data_dir`'s server.
pub async fn connect_to_database_of(data_dir: &Path) -> Option<tokio_postgres::Client> {
    let server = postgres_server()?;
    Some(connect(&database_url(&server, data_dir)).await)
}

/// Everything the store of `data_dir`'s server holds, to search for a secret in clear: the redb
/// file's bytes (freed pages included), or on PostgreSQL every column of every row as text (a
/// `bytea` escaped, so its printable bytes appear as themselves).
pub async fn stored_bytes(data_dir: &Path) -> Vec<u8> {
    let Some(client) = connect_to_database_of(data_dir).await else {
        return std::fs::read(data_dir.join("portico.redb")).expect("read the database file");
    };
    let mut text = String::new();
    for select in row_text_queries(&client).await {
        for row in client.query(&select, &[]).await.expect("read a table") {
            text.push_str(row.get::<_, Option<&str>>(0).unwrap_or_default());
            text.push('\n');
        }
    }
    text.into_bytes()
}

/// One query per table of the schema, answering each row as one text.
async fn row_text_queries(client: &tokio_postgres::Client) -> Vec<String> {
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text \
             FROM information_schema.columns WHERE table_schema = 'public' \
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .await
        .expect("list the columns");
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for column in columns {
        let (table, name, kind): (String, String, String) =
            (column.get(0), column.get(1), column.get(2));
        let text = match kind.as_str() {
            "bytea" => format!("encode(\"{name}\", 'escape')"),
            _ => format!("\"{name}\"::text"),
        };
        match tables.last_mut() {
            Some((last, texts)) if *last == table => texts.push(text),
            _ => tables.push((table, vec![text])),
        }
    }
    tables
        .into_iter()
        .map(|(table, texts)| {
            format!(
                "SELECT concat_ws(' ', {}) FROM \"{table}\"",
                texts.join(", ")
            )
        })
        .collect()
}
