//! Checks of how routes are documented and what `finish` adds.

use std::path::Path;

fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the sources") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// A JSON route is added only with utoipa-axum's `routes!` (which documents it as it
/// routes it): no plain axum registration outside the portal pages (HTML, not part of the
/// contract) and the OneEntry layer's catch-all (its own 404). The black-box suite checks the
/// other half: every documented operation is routed.
#[test]
fn every_route_is_registered_documented() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut undocumented = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if relative.starts_with("pages/")
            || relative.ends_with("_tests.rs")
            || relative.ends_with("/tests.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // A module's own tests may build routers of their own.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let plain_router =
                line.contains("Router::new()") && !line.contains("OpenApiRouter::new()");
            let registers = [".route(", ".route_service(", ".nest_service("]
                .iter()
                .any(|r| line.contains(r));
            let catch_all = relative == "oneentry/mod.rs" && line.contains("\"/{*rest}\"");
            if (registers || plain_router) && !catch_all && !line.trim_start().starts_with("//") {
                undocumented.push(format!("{relative}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "routes registered without their OpenAPI description:\n{}",
        undocumented.join("\n")
    );
}

#[test]
fn finishing_adds_path_parameters_errors_and_links() {
    let mut doc = super::base();
    doc.paths.paths.insert(
        "/v1/tenants/{tenant}/users".into(),
        serde_json::from_value(serde_json::json!({"post": {
            "operationId": "createUser",
            "security": [{"tenantApiKey": []}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"201": {"description": "created"}}
        }}))
        .unwrap(),
    );
    let doc = super::finish(doc);
    let op = &doc["paths"]["/v1/tenants/{tenant}/users"]["post"];
    assert_eq!(op["parameters"][0]["name"], "tenant");
    for status in ["400", "401", "403", "413", "415", "500", "503"] {
        assert_eq!(
            op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{status}"
        );
    }
    assert!(op["responses"].get("404").is_none());
}
