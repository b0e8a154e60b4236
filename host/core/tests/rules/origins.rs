//! domain/origins.rs: the `allowedOrigins` setting, validated when set and read through the
//! configuration cache, so a change applies from the next check.

use std::sync::Arc;

use portico_core::domain::origins::MAX_ALLOWED_ORIGINS;
use portico_core::domain::{Domain, DomainError, TenantSettingsPatch};
use portico_store_redb::Store;

fn origins_patch(origins: &[&str]) -> TenantSettingsPatch {
    TenantSettingsPatch {
        allowed_origins: Some(origins.iter().map(|o| o.to_string()).collect()),
        ..TenantSettingsPatch::default()
    }
}

#[test]
fn a_change_to_allowed_origins_applies_from_the_next_check() {
    let dir = tempfile::tempdir().unwrap();
    let domain = Domain::new(
        Arc::new(Store::open(dir.path()).unwrap()),
        "http://portico.test".into(),
    );
    let tenants = &domain.tenants;
    let acme = tenants.create_tenant("acme", None).unwrap();
    let origin = "https://app.example.com";
    assert!(!tenants.origin_allowed("acme", origin).unwrap());
    let settings = tenants
        .update_tenant_settings(&acme, origins_patch(&["HTTPS://App.Example.com:443"]))
        .unwrap();
    assert_eq!(settings.allowed_origins, [origin]);
    assert!(tenants.origin_allowed("acme", origin).unwrap());
    assert!(!tenants.origin_allowed("nobody", origin).unwrap());
    // Other settings keep the list; an empty list allows none.
    let patch = TenantSettingsPatch {
        password_min_length: Some(12),
        ..TenantSettingsPatch::default()
    };
    tenants.update_tenant_settings(&acme, patch).unwrap();
    assert!(tenants.origin_allowed("acme", origin).unwrap());
    tenants
        .update_tenant_settings(&acme, origins_patch(&[]))
        .unwrap();
    assert!(!tenants.origin_allowed("acme", origin).unwrap());
}

#[test]
fn a_refused_list_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let domain = Domain::new(
        Arc::new(Store::open(dir.path()).unwrap()),
        "http://portico.test".into(),
    );
    let tenants = &domain.tenants;
    let acme = tenants.create_tenant("acme", None).unwrap();
    tenants
        .update_tenant_settings(&acme, origins_patch(&["https://a.example"]))
        .unwrap();
    let too_many: Vec<String> = (0..=MAX_ALLOWED_ORIGINS)
        .map(|i| format!("https://app{i}.example"))
        .collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    for bad in [vec!["*"], vec!["https://b.example/"], too_many] {
        let refused = tenants
            .update_tenant_settings(&acme, origins_patch(&bad))
            .unwrap_err();
        assert!(
            matches!(
                refused,
                DomainError::BadRequest {
                    code: "invalid_setting",
                    ..
                }
            ),
            "{refused:?}"
        );
    }
    let kept = tenants.tenant_settings(&acme).unwrap().allowed_origins;
    assert_eq!(kept, ["https://a.example"]);
}
