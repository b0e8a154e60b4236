//! `portico backup` of a running server and `portico restore` into a data directory: a backup
//! taken under write load holds every write acknowledged before it began; a newer schema, a
//! directory a server runs on, and a database already there are refused; only the operator
//! may take one; a server on PostgreSQL says to use pg_dump.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_test_postgres::Postgres;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::cli::{nothing_listening, operator_cli, portico, secret_file};
use crate::support::{assert_error, create_user, skip_on_postgres, Api, Server, OPERATOR_TOKEN};

/// Longest the writers of the load test write (they stop earlier once the backup is done).
const LOAD_AT_MOST: Duration = Duration::from_secs(60);

/// Writers at once in the load test.
const WRITERS: usize = 4;

/// Users written before the backup of the load test starts.
const USERS_BEFORE: usize = 300;

/// `portico restore --from backup --data dir` and extra arguments.
async fn restore(backup: &Path, dir: &Path, extra: &[&str]) -> crate::support::cli::Run {
    let mut args = vec![
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--data",
        dir.to_str().unwrap(),
    ];
    args.extend(extra);
    portico(&args, &[]).await
}

/// A backup of `server` in `dir` (`backup.tar`), checked by the command.
async fn backup_of(server: &Server, dir: &Path) -> std::path::PathBuf {
    let file = dir.join("backup.tar");
    let run = operator_cli(
        server,
        &["backup", "--out", file.to_str().unwrap(), "--json"],
    )
    .await;
    run.assert_code(0);
    assert_eq!(run.json()["schemaVersion"], portico::store::SCHEMA_VERSION);
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_holds_every_write_acknowledged_before_it_began() {
    if skip_on_postgres("backups of the embedded store") {
        return;
    }
    let server = Server::start();
    let t = server.tenant("acme").await;
    let work = tempfile::tempdir().unwrap();

    // Writers add users without pause, recording when each was acknowledged.
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (api, stop) = (t.api.clone(), stop.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let mut acknowledged = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && started.elapsed() < LOAD_AT_MOST {
                    n += 1;
                    let email = format!("writer{w}-user{n}@example.com");
                    let (status, user) = api
                        .post(
                            "/users",
                            json!({"firstName": "F", "lastName": "L", "email": email, "sendWelcomeEmail": false}),
                        )
                        .await;
                    assert_eq!(status, StatusCode::CREATED, "{user}");
                    acknowledged.push((user["id"].as_str().unwrap().to_string(), Instant::now()));
                }
                acknowledged
            })
        })
        .collect();
    // Well under way before the backup starts.
    while t.get("/users?limit=500").await.1["items"]
        .as_array()
        .unwrap()
        .len()
        < USERS_BEFORE
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let began = Instant::now();
    let file = backup_of(&server, work.path()).await;
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    let before: Vec<&String> = acknowledged
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(id, _)| id)
        .collect();
    let during = acknowledged
        .iter()
        .filter(|(_, at)| *at >= began && *at < ended)
        .count();
    eprintln!(
        "{} writes acknowledged before the backup, {during} while it was taken, {} in all",
        before.len(),
        acknowledged.len()
    );
    assert!(acknowledged.len() > before.len(), "the load ran on");

    // Restored into a new directory, a server opens it and every earlier write is there.
    let restored_dir = work.path().join("restored");
    restore(&file, &restored_dir, &[]).await.assert_code(0);
    let restored = Server::start_in(&restored_dir, Some(OPERATOR_TOKEN));
    let health = restored.anonymous().get("/v1/health").await;
    assert_eq!(health.0, StatusCode::OK, "{}", health.1);
    let t2 = restored.tenant_again(&t);
    for id in &before {
        let (status, user) = t2.get(&format!("/users/{id}")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "user {id} acknowledged before the backup: {user}"
        );
    }
    // Nothing but what the writer wrote, and the restored server takes writes.
    let mut restored_users = 0;
    let mut cursor = String::new();
    loop {
        let (_, page) = t2.get(&format!("/users?limit=500{cursor}")).await;
        restored_users += page["items"].as_array().unwrap().len();
        match page["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert!(
        restored_users >= before.len() && restored_users <= acknowledged.len(),
        "{restored_users} users restored"
    );
    create_user(&t2, "after-restore@example.com").await;
}

#[tokio::test]
async fn restore_refuses_a_newer_schema_naming_both_versions() {
    if skip_on_postgres("backups of the embedded store") {
        return;
    }
    let server = Server::start();
    server.tenant("acme").await;
    let work = tempfile::tempdir().unwrap();
    let file = backup_of(&server, work.path()).await;
    let newer = portico::store::SCHEMA_VERSION + 1;
    portico::store::backup::forge_schema_version(&file, newer).unwrap();

    let target = work.path().join("target");
    let run = restore(&file, &target, &[]).await;
    run.assert_code(1);
    let ours = portico::store::SCHEMA_VERSION;
    assert!(
        run.stderr.contains(&format!("schema version {newer}"))
            && run.stderr.contains(&format!("up to schema version {ours}")),
        "{run:?}"
    );
    assert!(!target.join("portico.redb").exists());
    // --json: the refusal as the API writes errors.
    let run = restore(&file, &target, &["--json"]).await;
    run.assert_code(1);
    assert_eq!(run.json()["error"]["code"], "declined");
}

#[tokio::test]
async fn restore_refuses_while_a_server_runs_on_the_directory_and_keeps_what_it_replaces() {
    if skip_on_postgres("backups of the embedded store") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = server.tenant("acme").await;
    let kept_user = create_user(&t, "kept@example.com").await;
    let file = backup_of(&server, work.path()).await;
    let later_user = create_user(&t, "later@example.com").await;

    let run = restore(&file, dir.path(), &["--force"]).await;
    run.assert_code(1);
    assert!(run.stderr.contains("a server is running on"), "{run:?}");
    assert_eq!(server.anonymous().get("/v1/health").await.0, StatusCode::OK);
    assert!(server.stop().success());

    let run = restore(&file, dir.path(), &[]).await;
    run.assert_code(1);
    assert!(run.stderr.contains("--force"), "{run:?}");
    let run = restore(&file, dir.path(), &["--force", "--json"]).await;
    run.assert_code(0);
    let report = run.json();
    assert_eq!(report["schemaVersion"], portico::store::SCHEMA_VERSION);
    assert_eq!(report["kept"].as_array().unwrap().len(), 2, "{report}");
    assert!(dir.path().join("portico.redb.before-restore").exists());

    let server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = server.tenant_again(&t);
    let id = |u: &serde_json::Value| u["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.get(&format!("/users/{}", id(&kept_user))).await.0,
        StatusCode::OK
    );
    assert_error(
        t.get(&format!("/users/{}", id(&later_user))).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
}

#[tokio::test]
async fn only_the_operator_takes_a_backup() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("b.tar");
    let out = out.to_str().unwrap();

    // A tenant's key is no operator token, over the API and through the command.
    assert_error(
        Api::new(&server.base_url, Some(&t.key))
            .get("/v1/backup")
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        server.anonymous().get("/v1/backup").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let key_file = secret_file(work.path(), "key", &t.key);
    let run = portico(
        &[
            "backup",
            "--out",
            out,
            "--server",
            &server.base_url,
            "--operator-token-file",
            &key_file,
        ],
        &[],
    )
    .await;
    run.assert_code(1);
    assert!(run.stderr.contains("401"), "{run:?}");
    assert!(!Path::new(out).exists());
    // No token at all is a usage error; a server that is not there, exit 3.
    let run = portico(&["backup", "--out", out, "--server", &server.base_url], &[]).await;
    run.assert_code(2);
    let run = portico(
        &["backup", "--out", out, "--server", &nothing_listening()],
        &[("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN)],
    )
    .await;
    run.assert_code(3);
    assert!(!Path::new(out).exists());
}

#[tokio::test]
async fn a_server_on_postgresql_says_to_use_pg_dump() {
    let postgres = Postgres::start(&[]);
    let url = postgres.create_database("portico").await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_database(dir.path(), &url);
    let (status, body) = server.operator().get("/v1/backup").await;
    assert_error(
        (status, body.clone()),
        StatusCode::CONFLICT,
        "backup_unsupported",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pg_dump"),
        "{body}"
    );

    let out = dir.path().join("b.tar");
    let run = operator_cli(&server, &["backup", "--out", out.to_str().unwrap()]).await;
    run.assert_code(1);
    assert!(run.stderr.contains("pg_dump"), "{run:?}");
    assert!(!out.exists());
}
