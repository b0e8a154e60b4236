//! The operator's commands against a real server: each command's success (text and `--json`)
//! and its failures with their exit codes (1 refused, 2 usage, 3 server unreachable).

use reqwest::StatusCode;

use crate::support::cli::{nothing_listening, operator_cli, portico, secret_file};
use crate::support::{Api, Server, OPERATOR_TOKEN};

#[tokio::test]
async fn tenants_are_created_listed_shown_and_deleted() {
    let server = Server::start();
    let run = operator_cli(
        &server,
        &["tenants", "create", "acme", "--name", "Acme Corp"],
    )
    .await;
    run.assert_code(0);
    assert!(
        run.stdout.contains("created tenant acme (Acme Corp)"),
        "{run:?}"
    );
    let created = operator_cli(&server, &["tenants", "create", "beta", "--json"]).await;
    assert_eq!(created.assert_code(0).json()["namespace"], "beta");

    // A namespace taken, or not one: the server's code and message, exit 1.
    let run = operator_cli(&server, &["tenants", "create", "acme"]).await;
    run.assert_code(1);
    assert!(
        run.stderr.contains("409") && run.stderr.contains("namespace_taken"),
        "{run:?}"
    );
    let run = operator_cli(&server, &["tenants", "create", "Not-Valid", "--json"]).await;
    run.assert_code(1);
    assert_eq!(run.json()["error"]["code"], "invalid_namespace");

    let run = operator_cli(&server, &["tenants", "list"]).await;
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("NAMESPACE") && lines.len() == 3,
        "{run:?}"
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("acme ") && l.contains("Acme Corp")));
    let listed = operator_cli(&server, &["tenants", "list", "--json"])
        .await
        .json();
    let namespaces: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(namespaces.len(), 2);
    assert!(namespaces.contains(&"acme") && namespaces.contains(&"beta"));

    let shown = operator_cli(&server, &["tenants", "show", "beta", "--json"]).await;
    assert_eq!(shown.assert_code(0).json()["id"], created.json()["id"]);
    let run = operator_cli(&server, &["tenants", "show", "nobody"]).await;
    run.assert_code(1);
    assert!(run.stderr.contains("tenant_not_found"), "{run:?}");

    // Deleting needs --yes (usage, exit 2), then the tenant is gone.
    operator_cli(&server, &["tenants", "delete", "beta"])
        .await
        .assert_code(2);
    operator_cli(&server, &["tenants", "delete", "beta", "--yes"])
        .await
        .assert_code(0);
    operator_cli(&server, &["tenants", "show", "beta"])
        .await
        .assert_code(1);
    operator_cli(&server, &["tenants", "delete", "beta", "--yes"])
        .await
        .assert_code(1);
}

#[tokio::test]
async fn api_keys_are_created_listed_and_revoked() {
    let server = Server::start();
    operator_cli(&server, &["tenants", "create", "acme"])
        .await
        .assert_code(0);
    let created = operator_cli(
        &server,
        &[
            "api-keys", "create", "--tenant", "acme", "--name", "backend", "--json",
        ],
    )
    .await;
    let created = created.assert_code(0).json();
    let key = created["key"].as_str().unwrap();
    let id = created["id"].as_str().unwrap();
    let tenant = Api::new(&server.base_url, Some(key)).scoped("/v1/tenants/acme");
    assert_eq!(tenant.get("/settings").await.0, StatusCode::OK);

    let text = operator_cli(&server, &["api-keys", "create", "--tenant", "acme"]).await;
    text.assert_code(0);
    assert!(
        text.stdout.contains("shown once") && text.stdout.contains("ptk_"),
        "{text:?}"
    );

    let run = operator_cli(&server, &["api-keys", "list", "--tenant", "acme"]).await;
    run.assert_code(0);
    assert!(
        run.stdout.starts_with("ID") && run.stdout.contains(id),
        "{run:?}"
    );
    assert!(!run.stdout.contains(key), "the secret is never listed");
    let listed = operator_cli(&server, &["api-keys", "list", "--tenant", "acme", "--json"]).await;
    assert_eq!(listed.json()["items"].as_array().unwrap().len(), 2);

    operator_cli(&server, &["api-keys", "revoke", "--tenant", "acme", id])
        .await
        .assert_code(0);
    assert_eq!(tenant.get("/settings").await.0, StatusCode::UNAUTHORIZED);
    let run = operator_cli(&server, &["api-keys", "revoke", "--tenant", "acme", id]).await;
    run.assert_code(1);
    assert!(run.stderr.contains("404"), "{run:?}");
    let run = operator_cli(
        &server,
        &["api-keys", "list", "--tenant", "nobody", "--json"],
    )
    .await;
    run.assert_code(1);
    assert_eq!(run.json()["error"]["code"], "tenant_not_found");
    // The tenant option is required: a usage error.
    operator_cli(&server, &["api-keys", "list"])
        .await
        .assert_code(2);
}

#[tokio::test]
async fn app_tokens_are_managed_with_the_tenants_api_key() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let work = tempfile::tempdir().unwrap();
    let key_file = secret_file(work.path(), "key", &t.key);
    let base = server.base_url.as_str();
    let with_file = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--server", base, "--api-key-file", &key_file]);
        all.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let run = |args: Vec<String>, env: Vec<(&'static str, String)>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        portico(&args, &env).await
    };

    let created = run(
        with_file(&[
            "app-tokens",
            "create",
            "--tenant",
            "acme",
            "--name",
            "storefront",
            "--json",
        ]),
        vec![],
    )
    .await;
    let created = created.assert_code(0).json();
    assert!(
        created["token"].as_str().unwrap().starts_with("pta_"),
        "{created}"
    );
    let id = created["id"].as_str().unwrap().to_string();

    // The key from PORTICO_API_KEY works as well as from a file.
    let listed = run(
        vec![
            "app-tokens".into(),
            "list".into(),
            "--tenant".into(),
            "acme".into(),
            "--server".into(),
            base.into(),
        ],
        vec![("PORTICO_API_KEY", t.key.clone())],
    )
    .await;
    listed.assert_code(0);
    assert!(
        listed.stdout.contains(&id) && listed.stdout.contains("storefront"),
        "{listed:?}"
    );

    // The operator token is not the tenant's key; no key at all is a usage error.
    let as_operator = run(
        vec![
            "app-tokens".into(),
            "list".into(),
            "--tenant".into(),
            "acme".into(),
            "--server".into(),
            base.into(),
        ],
        vec![("PORTICO_API_KEY", OPERATOR_TOKEN.to_string())],
    )
    .await;
    as_operator.assert_code(1);
    assert!(as_operator.stderr.contains("401"), "{as_operator:?}");
    let no_key = run(
        vec![
            "app-tokens".into(),
            "list".into(),
            "--tenant".into(),
            "acme".into(),
            "--server".into(),
            base.into(),
        ],
        vec![("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN.to_string())],
    )
    .await;
    no_key.assert_code(2);
    assert!(no_key.stderr.contains("PORTICO_API_KEY"), "{no_key:?}");
    // A missing name is a usage error.
    run(
        with_file(&["app-tokens", "create", "--tenant", "acme"]),
        vec![],
    )
    .await
    .assert_code(2);

    run(
        with_file(&["app-tokens", "revoke", "--tenant", "acme", &id]),
        vec![],
    )
    .await
    .assert_code(0);
    let again = run(
        with_file(&["app-tokens", "revoke", "--tenant", "acme", &id, "--json"]),
        vec![],
    )
    .await;
    again.assert_code(1);
    assert_eq!(again.json()["error"]["code"], "app_token_not_found");
    let listed = run(
        with_file(&["app-tokens", "list", "--tenant", "acme", "--json"]),
        vec![],
    )
    .await;
    assert!(listed.assert_code(0).json()["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_rotated_operator_token_replaces_the_old_one_at_once() {
    let server = Server::start();
    let work = tempfile::tempdir().unwrap();
    let token_file = secret_file(work.path(), "operator-token", OPERATOR_TOKEN);
    let base = server.base_url.as_str();

    // Rotated in place: the file now holds the new token, readable by its owner only.
    let run = portico(
        &[
            "operator-token",
            "rotate",
            "--server",
            base,
            "--operator-token-file",
            &token_file,
            "--out",
            &token_file,
        ],
        &[],
    )
    .await;
    run.assert_code(0);
    assert!(
        run.stdout.contains("the old one no longer works"),
        "{run:?}"
    );
    let new_token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    assert!(new_token.starts_with("pop_") && !run.stdout.contains(&new_token));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        server.operator().get("/v1/tenants").await.0,
        StatusCode::UNAUTHORIZED
    );
    let op = Api::new(base, Some(&new_token));
    assert_eq!(op.get("/v1/tenants").await.0, StatusCode::OK);

    // Printed once with --json; the one before stops working.
    let run = portico(
        &["operator-token", "rotate", "--server", base, "--json"],
        &[("PORTICO_OPERATOR_TOKEN", &new_token)],
    )
    .await;
    let newest = run.assert_code(0).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(op.get("/v1/tenants").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        Api::new(base, Some(&newest)).get("/v1/tenants").await.0,
        StatusCode::OK
    );
    // The old token cannot rotate it again.
    let run = portico(
        &["operator-token", "rotate", "--server", base],
        &[("PORTICO_OPERATOR_TOKEN", &new_token)],
    )
    .await;
    run.assert_code(1);
    assert!(run.stderr.contains("401"), "{run:?}");
}

#[tokio::test]
async fn plugin_limits_are_shown_and_changed_keeping_the_others() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let work = tempfile::tempdir().unwrap();
    let key_file = secret_file(work.path(), "key", &t.key);
    let base = server.base_url.as_str();

    // The operator's maximum.
    let run = operator_cli(&server, &["plugin-limits", "get"]).await;
    run.assert_code(0);
    assert!(
        run.stdout.contains("MAXIMUM") && run.stdout.contains("deadlineMs"),
        "{run:?}"
    );
    let set = operator_cli(
        &server,
        &["plugin-limits", "set", "--fuel", "500000000", "--json"],
    )
    .await;
    assert_eq!(set.assert_code(0).json()["settings"]["fuel"], 500_000_000);
    let set = operator_cli(
        &server,
        &["plugin-limits", "set", "--deadline-ms", "800", "--json"],
    )
    .await;
    let view = set.assert_code(0).json();
    assert_eq!(view["settings"]["fuel"], 500_000_000, "kept: {view}");
    assert_eq!(view["maximum"]["deadlineMs"], 800);
    let run = operator_cli(&server, &["plugin-limits", "set", "--fuel", "0", "--json"]).await;
    run.assert_code(1);
    assert_eq!(run.json()["error"]["code"], "limit_out_of_range");
    operator_cli(&server, &["plugin-limits", "set", "--fuel", "lots"])
        .await
        .assert_code(2);

    // A tenant's own, with its key: within the maximum, `default` drops one.
    let tenant = |extra: &[&str]| {
        let mut args = vec!["plugin-limits"];
        args.extend(extra);
        args.extend([
            "--tenant",
            "acme",
            "--server",
            base,
            "--api-key-file",
            key_file.as_str(),
        ]);
        args.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let run_tenant = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        portico(&args, &[]).await
    };
    let view = run_tenant(tenant(&[
        "set",
        "--fuel",
        "2000000",
        "--log-bytes",
        "8192",
        "--json",
    ]))
    .await;
    let view = view.assert_code(0).json();
    assert_eq!(view["effective"]["fuel"], 2_000_000);
    assert_eq!(view["overrides"]["logBytes"], 8192);
    let view = run_tenant(tenant(&["set", "--fuel", "default", "--json"]))
        .await
        .json();
    assert_eq!(view["overrides"]["fuel"], serde_json::Value::Null);
    assert_eq!(view["overrides"]["logBytes"], 8192, "kept: {view}");
    let run = run_tenant(tenant(&["set", "--deadline-ms", "900"])).await;
    run.assert_code(1);
    assert!(run.stderr.contains("limit_out_of_range"), "{run:?}");
    let run = run_tenant(tenant(&["get"])).await;
    run.assert_code(0);
    assert!(
        run.stdout.contains("EFFECTIVE") && run.stdout.contains("8192"),
        "{run:?}"
    );
    let view = run_tenant(tenant(&["set", "--reset", "--json"]))
        .await
        .json();
    assert_eq!(
        view["overrides"]["logBytes"],
        serde_json::Value::Null,
        "{view}"
    );
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_a_server_that_is_not_there_is_exit_3() {
    let server = Server::start();
    let base = server.base_url.as_str();
    let run = portico(
        &["tenants", "list", "--server", base, "--json"],
        &[("PORTICO_OPERATOR_TOKEN", "not-the-operator-token")],
    )
    .await;
    run.assert_code(1);
    assert_eq!(run.json()["error"]["code"], "unauthorized");
    // No token: usage.
    portico(&["tenants", "list", "--server", base], &[])
        .await
        .assert_code(2);
    portico(
        &["tenants", "list", "--server", "not a url"],
        &[("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN)],
    )
    .await
    .assert_code(2);

    let down = nothing_listening();
    let token = [
        ("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN),
        ("PORTICO_API_KEY", "ptk_x"),
    ];
    for args in [
        vec!["tenants", "list"],
        vec!["tenants", "create", "acme"],
        vec!["api-keys", "list", "--tenant", "acme"],
        vec!["app-tokens", "list", "--tenant", "acme"],
        vec!["operator-token", "rotate"],
        vec!["plugin-limits", "get"],
    ] {
        let mut args = args.clone();
        args.extend(["--server", &down]);
        let run = portico(&args, &token).await;
        run.assert_code(3);
        assert!(run.stderr.contains("cannot reach the server"), "{run:?}");
    }
    // PORTICO_SERVER names the server as --server does.
    let run = portico(
        &["tenants", "list", "--json"],
        &[
            ("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN),
            ("PORTICO_SERVER", &down),
        ],
    )
    .await;
    run.assert_code(3);
    assert_eq!(run.json()["error"]["code"], "unreachable");
}
