//! domain/app_tokens.rs: app tokens created, listed, revoked and verified per tenant, stored
//! only as the digest of their secret, bounded per tenant.

use std::sync::Arc;

use portico_core::domain::app_tokens::{APP_TOKEN_PREFIX, MAX_APP_TOKENS_PER_TENANT};
use portico_core::domain::secrets::token_digest;
use portico_core::domain::{AppTokenId, Domain, DomainError, Tenant};
use portico_core::storage::prelude::*;
use portico_store_redb::Store;
use tempfile::TempDir;

struct Fixture {
    domain: Domain,
    store: Arc<Store>,
    acme: Tenant,
    beta: Tenant,
    _dir: TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let domain = Domain::new(store.clone(), "http://portico.test".into());
    let acme = domain.tenants.create_tenant("acme", None).unwrap();
    let beta = domain.tenants.create_tenant("beta", None).unwrap();
    Fixture {
        domain,
        store,
        acme,
        beta,
        _dir: dir,
    }
}

fn code(error: DomainError) -> String {
    match error {
        DomainError::BadRequest { code, .. }
        | DomainError::Conflict { code, .. }
        | DomainError::Refused { code, .. } => code.to_string(),
        DomainError::NotFound { what, .. } => format!("{what} not found"),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_created_token_verifies_for_its_tenant_only_and_is_stored_as_a_digest() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let created = tenants.create_app_token(&f.acme, "  web app ").unwrap();
    assert!(
        created.token.starts_with(APP_TOKEN_PREFIX),
        "{}",
        created.token
    );
    assert_eq!(created.meta.name, "web app");
    assert_eq!(
        tenants.verify_app_token(&f.acme, &created.token).unwrap(),
        AppTokenId(created.meta.id.clone())
    );
    let (tenant, id) = tenants
        .authenticate_app_token("acme", &created.token)
        .unwrap();
    assert_eq!(
        (tenant.id, id.0),
        (f.acme.id.clone(), created.meta.id.clone())
    );
    // Another tenant's token is not this tenant's.
    let refused = tenants
        .verify_app_token(&f.beta, &created.token)
        .unwrap_err();
    assert_eq!(code(refused), "invalid_app_token");
    // Stored under the digest of the secret; the record holds no secret.
    let read = f.store.read().unwrap();
    let stored = read
        .app_token(&f.acme.id, &token_digest(&created.token))
        .unwrap()
        .unwrap();
    assert_eq!(stored, created.meta);
    assert!(read
        .app_token(&f.acme.id, &created.token)
        .unwrap()
        .is_none());
}

#[test]
fn malformed_unknown_and_revoked_tokens_are_refused_and_missing_tenants_alike() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let created = tenants.create_app_token(&f.acme, "web").unwrap();
    let unknown = format!("{APP_TOKEN_PREFIX}{}", "A".repeat(43));
    let api_key = tenants.create_api_key("acme", None).unwrap().key;
    for bad in ["", "pta_", "garbage", unknown.as_str(), api_key.as_str()] {
        let refused = tenants.verify_app_token(&f.acme, bad).unwrap_err();
        assert_eq!(code(refused), "invalid_app_token", "{bad}");
    }
    let missing = tenants
        .authenticate_app_token("nobody", &created.token)
        .unwrap_err();
    assert_eq!(code(missing), "invalid_app_token");

    tenants.revoke_app_token(&f.acme, &created.meta.id).unwrap();
    let revoked = tenants
        .verify_app_token(&f.acme, &created.token)
        .unwrap_err();
    assert_eq!(code(revoked), "invalid_app_token");
    let again = tenants
        .revoke_app_token(&f.acme, &created.meta.id)
        .unwrap_err();
    assert_eq!(code(again), "app token not found");
}

#[test]
fn a_tenant_lists_and_revokes_only_its_own_tokens() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let first = tenants.create_app_token(&f.acme, "web").unwrap();
    let second = tenants.create_app_token(&f.acme, "mobile").unwrap();
    let theirs = tenants.create_app_token(&f.beta, "web").unwrap();
    let listed = tenants.list_app_tokens(&f.acme).unwrap();
    assert_eq!(listed, [first.meta.clone(), second.meta.clone()]);
    let not_ours = tenants
        .revoke_app_token(&f.acme, &theirs.meta.id)
        .unwrap_err();
    assert_eq!(code(not_ours), "app token not found");
    assert!(tenants.verify_app_token(&f.beta, &theirs.token).is_ok());
}

#[test]
fn names_are_required_printable_and_bounded() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let longest = "n".repeat(portico_core::domain::app_tokens::MAX_NAME_LEN);
    assert!(tenants.create_app_token(&f.acme, &longest).is_ok());
    for bad in [
        String::new(),
        "   ".into(),
        "a\nb".into(),
        format!("{longest}n"),
    ] {
        let refused = tenants.create_app_token(&f.acme, &bad).unwrap_err();
        assert_eq!(code(refused), "invalid_name", "{bad:?}");
    }
}

#[test]
fn a_tenant_holds_at_most_max_app_tokens_per_tenant() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let made: Vec<_> = (0..MAX_APP_TOKENS_PER_TENANT)
        .map(|i| {
            tenants
                .create_app_token(&f.acme, &format!("app {i}"))
                .unwrap()
        })
        .collect();
    let past = tenants.create_app_token(&f.acme, "one more").unwrap_err();
    assert!(
        past.to_string().contains("MAX_APP_TOKENS_PER_TENANT"),
        "{past}"
    );
    assert_eq!(code(past), "too_many_app_tokens");
    // Another tenant has its own allowance; revoking one makes room.
    assert!(tenants.create_app_token(&f.beta, "web").is_ok());
    tenants.revoke_app_token(&f.acme, &made[0].meta.id).unwrap();
    assert!(tenants.create_app_token(&f.acme, "replacement").is_ok());
}
