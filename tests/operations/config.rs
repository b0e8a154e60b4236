//! The configuration of `portico serve`: the file `portico.toml` under the environment under
//! the flags; unknown keys and bad values refused naming them (exit status 2); `portico config
//! check` and `portico config show`; secrets never printed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{create_user, store, Server, OPERATOR_TOKEN};

/// The example file the documentation ships.
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/portico.example.toml"
);

/// `portico` with none of the environment's `PORTICO_*` variables (the test's own choice of
/// them added by the caller), logging at `warn`.
fn portico() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PORTICO_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("PORTICO_LOG", "warn");
    cmd
}

/// Writes `text` as `portico.toml` in `dir`; answers its path.
fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("portico.toml");
    std::fs::write(&path, text).expect("write the configuration file");
    path
}

/// A port free on 127.0.0.1 a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// `portico serve` on `data` (the run's store there) as `setup` sets it up, once it listens.
fn serve(data: &Path, setup: impl FnOnce(&mut Command)) -> Server {
    let mut cmd = portico();
    cmd.arg("serve").args(store::serve_args(data));
    setup(&mut cmd);
    cmd.stderr(Stdio::inherit());
    Server::start_command(cmd, data)
}

/// Runs `cmd`, which must exit with status 2; answers what it printed on stderr.
fn refused(cmd: &mut Command) -> String {
    let output = cmd.output().expect("run portico");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    stderr
}

/// `portico serve --config <file with text>`, which must refuse to start with status 2;
/// answers the file's path and stderr.
fn serve_refuses_file(text: &str) -> (PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = write_config(dir.path(), text);
    let stderr = refused(
        portico()
            .args(["serve", "--data"])
            .arg(dir.path().join("data"))
            .arg("--config")
            .arg(&file),
    );
    assert!(
        !dir.path().join("data").exists(),
        "nothing written before the settings were checked"
    );
    (file, stderr)
}

/// The link of a password reset on `server` (its links are built on the public URL).
async fn reset_link(server: &Server) -> String {
    let t = server.tenant("acme").await;
    let user = create_user(&t, "a@example.com").await;
    let id = user["id"].as_str().unwrap();
    let (status, reset) = t
        .post(&format!("/users/{id}/reset-password"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    reset["link"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_file_sets_the_listen_address_and_the_public_url_and_the_server_uses_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let file = write_config(
        dir.path(),
        &format!(
            "data = \"{}\"\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"https://file.portico.test\"\n\
             operator_token = \"{OPERATOR_TOKEN}\"\n\n[http]\nshutdown_drain_secs = 5\n",
            data.display()
        ),
    );
    let server = serve(&data, |cmd| {
        cmd.arg("--config").arg(&file);
    });
    assert_eq!(server.base_url, format!("http://127.0.0.1:{port}"));
    assert!(data.join("portico.key").exists() || data.join("portico.redb").exists());
    let link = reset_link(&server).await;
    assert!(
        link.starts_with("https://file.portico.test/portal/acme/"),
        "{link}"
    );
}

#[tokio::test]
async fn the_environment_beats_the_file_and_a_flag_beats_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file_port = free_port();
    let file = write_config(
        dir.path(),
        &format!(
            "listen = \"127.0.0.1:{file_port}\"\npublic_url = \"https://file.portico.test\"\n"
        ),
    );
    // The file named by PORTICO_CONFIG; the environment's listen address and URL win.
    let data = dir.path().join("env");
    let server = serve(&data, |cmd| {
        cmd.env("PORTICO_CONFIG", &file)
            .env("PORTICO_LISTEN", "127.0.0.1:0")
            .env("PORTICO_PUBLIC_URL", "https://env.portico.test")
            .env("PORTICO_DATA", &data)
            .env("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN);
    });
    assert_ne!(server.base_url, format!("http://127.0.0.1:{file_port}"));
    let link = reset_link(&server).await;
    assert!(link.starts_with("https://env.portico.test/"), "{link}");
    drop(server);

    // The flags win over both.
    let data = dir.path().join("flags");
    let flag_port = free_port();
    let listen = format!("127.0.0.1:{flag_port}");
    let server = serve(&data, |cmd| {
        cmd.args([
            "--listen",
            &listen,
            "--public-url",
            "https://flag.portico.test",
        ])
        .arg("--data")
        .arg(&data)
        .env("PORTICO_CONFIG", &file)
        .env("PORTICO_LISTEN", "127.0.0.1:0")
        .env("PORTICO_PUBLIC_URL", "https://env.portico.test")
        .env("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN);
    });
    assert_eq!(server.base_url, format!("http://{listen}"));
    let link = reset_link(&server).await;
    assert!(link.starts_with("https://flag.portico.test/"), "{link}");
}

#[test]
fn unknown_keys_are_refused_naming_them_and_the_file() {
    let (file, stderr) = serve_refuses_file("lisen = \"127.0.0.1:0\"\n");
    assert!(stderr.contains("`lisen`"), "{stderr}");
    assert!(stderr.contains("unknown key"), "{stderr}");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");

    let (_, stderr) = serve_refuses_file("[mail]\nsmtp_hots = \"smtp.example.com\"\n");
    assert!(stderr.contains("`mail.smtp_hots`"), "{stderr}");
    assert!(stderr.contains("smtp_host"), "the keys it may be: {stderr}");

    let (_, stderr) = serve_refuses_file("[mial]\nsmtp_host = \"smtp.example.com\"\n");
    assert!(stderr.contains("`mial`"), "{stderr}");
}

#[test]
fn bad_values_are_refused_naming_the_key_and_where_it_came_from() {
    for (text, key, says) in [
        (
            "[http]\nmax_connections = \"many\"\n",
            "`http.max_connections`",
            "whole number",
        ),
        (
            "[http]\nmax_connections = 0\n",
            "`http.max_connections`",
            "from 1 to",
        ),
        (
            "[mail]\nsmtp_port = 70000\n",
            "`mail.smtp_port`",
            "from 1 to 65535",
        ),
        ("listen = \"nowhere\"\n", "`listen`", "address"),
        (
            "[mail]\nsmtp_tls = \"ssl3\"\n",
            "`mail.smtp_tls`",
            "TLS mode",
        ),
        (
            "[plugins]\npause_hook_delivery = \"yes\"\n",
            "`plugins.pause_hook_delivery`",
            "true or false",
        ),
        ("mail = 3\n", "`mail`", "table"),
    ] {
        let (file, stderr) = serve_refuses_file(text);
        assert!(stderr.contains(key), "{text}: {stderr}");
        assert!(stderr.contains(says), "{text}: {stderr}");
        assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    }
    // Not TOML at all: the file and the line.
    let (file, stderr) = serve_refuses_file("listen = \n");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(stderr.contains("line 1"), "{stderr}");

    // From the environment and from a flag, named as such.
    let dir = tempfile::tempdir().unwrap();
    for value in ["0", "lots"] {
        let stderr = refused(
            portico()
                .args(["serve", "--data"])
                .arg(dir.path())
                .env("PORTICO_MAX_CONNECTIONS", value),
        );
        assert!(stderr.contains("PORTICO_MAX_CONNECTIONS"), "{stderr}");
    }
    let stderr = refused(
        portico()
            .args(["serve", "--max-connections", "0", "--data"])
            .arg(dir.path()),
    );
    assert!(stderr.contains("--max-connections"), "{stderr}");
    // A file that is not there.
    let stderr = refused(portico().args(["serve", "--config", "/nonexistent/portico.toml"]));
    assert!(stderr.contains("/nonexistent/portico.toml"), "{stderr}");
}

#[test]
fn config_check_accepts_the_example_file_and_refuses_a_bad_one_naming_the_key() {
    let output = portico()
        .args(["config", "check", EXAMPLE])
        // The check is of the file alone.
        .env("PORTICO_MAX_CONNECTIONS", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("OK: "), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let file = write_config(
        dir.path(),
        "[commit]\nbatch_max = 0\n[mail]\nsmtp_hots = 1\n",
    );
    let stderr = refused(portico().args(["config", "check"]).arg(&file));
    assert!(stderr.contains("`mail.smtp_hots`"), "{stderr}");
    let file = write_config(dir.path(), "[commit]\nbatch_max = 0\n");
    let stderr = refused(portico().args(["config", "check"]).arg(&file));
    assert!(stderr.contains("`commit.batch_max`"), "{stderr}");
}

/// The secrets the next test sets, none of which may be printed.
const SECRETS: [&str; 3] = [
    "operator-token-from-the-file-0123",
    "smtp-password-from-the-file",
    "database-password-in-the-url",
];

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

#[tokio::test]
async fn secrets_are_never_in_config_show_nor_in_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let closed_port = free_port();
    let settings = format!(
        "operator_token = \"{}\"\n\n[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {closed_port}\n\
         smtp_tls = \"none\"\nsmtp_username = \"portico\"\nsmtp_password = \"{}\"\n\
         from = \"no-reply@portico.test\"\n",
        SECRETS[0], SECRETS[1]
    );
    let file = write_config(
        dir.path(),
        &format!(
            "{settings}\n[database]\nurl = \"postgres://portico:{}@db.portico.test/portico\"\n",
            SECRETS[2]
        ),
    );
    let output: Output = portico()
        .args(["config", "show", "--config"])
        .arg(&file)
        .args(["--mail-workers", "3"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{shown}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_secret("config show", &shown);
    assert!(shown.contains("(hidden)"), "{shown}");
    assert!(shown.contains("smtp_username = \"portico\""), "{shown}");
    assert!(shown.contains("workers = 3  # --mail-workers"), "{shown}");
    assert!(
        shown.contains("url = \"postgres://portico:(hidden)@db.portico.test/portico\""),
        "{shown}"
    );
    // A secret of the wrong type is refused without its value.
    let bad = write_config(dir.path(), "operator_token = 1234567890987654321\n");
    let stderr = refused(portico().args(["config", "check"]).arg(&bad));
    assert!(stderr.contains("`operator_token`"), "{stderr}");
    assert!(!stderr.contains("1234567890987654321"), "{stderr}");

    // A server on the file (less the database), logging everything, mailing a reset link
    // through an SMTP server that is not there.
    let file = write_config(dir.path(), &settings);
    let log = dir.path().join("portico.log");
    let data = dir.path().join("data");
    let mut cmd = portico();
    cmd.arg("serve")
        .args(store::serve_args(&data))
        .arg("--data")
        .arg(&data)
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&file)
        .env("PORTICO_LOG", "debug")
        .stderr(std::fs::File::create(&log).unwrap());
    let mut server = Server::start_command(cmd, &data);
    let op = server.operator().with_token(SECRETS[0]);
    let (status, body) = op.post("/v1/tenants", json!({"namespace": "acme"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, key) = op
        .post("/v1/tenants/acme/api-keys", json!({"name": "test"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let t =
        crate::support::Api::new(&server.base_url, key["key"].as_str()).scoped("/v1/tenants/acme");
    let (status, user) = t
        .post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "a@example.com", "sendWelcomeEmail": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap();
    let (status, _) = t
        .post(
            &format!("/users/{id}/reset-password"),
            json!({"notifyUser": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Its delivery attempt fails (nothing listens there) and is recorded.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, outbox) = t.get("/notifications").await;
        let attempts = outbox["items"][0]["attempts"].as_u64().unwrap_or(0);
        if attempts > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no attempt: {outbox}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(server.stop().success());
    assert_no_secret("the start's output", &server.startup_output.join("\n"));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("DEBUG"), "logged at debug: {logged}");
    assert_no_secret("the log", &logged);
}
