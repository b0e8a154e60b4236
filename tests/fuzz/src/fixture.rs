//! The rules on a real embedded store, opened once per process: two tenants, each with a few
//! groups and forms, for the targets that look things up by path parameters and page through
//! lists with cursors.

use std::sync::{Arc, OnceLock};

use portico_core::domain::forms::FormBody;
use portico_core::domain::{Domain, NewGroup, Tenant};
use portico_store_redb::Store;
use serde_json::json;

/// The domain and its two tenants.
pub struct Fixture {
    /// The rules over the store.
    pub domain: Domain,
    /// The tenant the targets read (`acme`).
    pub acme: Tenant,
    /// Another tenant, whose records must never show in `acme`'s answers (`bolt`).
    pub bolt: Tenant,
}

/// Groups and forms per tenant.
const RECORDS: usize = 5;

/// The fixture, made on first use.
pub fn get() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(make)
}

fn make() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(Store::open(dir.path()).expect("the store opens"));
    // The open database file outlives its directory entry: nothing is left behind.
    drop(dir);
    let domain = Domain::new(store, "http://localhost".into());
    let acme = tenant(&domain, "acme");
    let bolt = tenant(&domain, "bolt");
    Fixture { domain, acme, bolt }
}

fn tenant(domain: &Domain, namespace: &str) -> Tenant {
    let tenant = domain
        .tenants
        .create_tenant(namespace, None)
        .expect("a tenant");
    for i in 0..RECORDS {
        let group = NewGroup {
            name: format!("{namespace}-g{i}"),
            label: Some(format!("Label {}", i % 2)),
        };
        domain.users.create_group(&tenant, group).expect("a group");
        let body: FormBody = serde_json::from_value(json!({
            "identifier": format!("{namespace}_f{i}"),
            "fields": [{"marker": "m", "type": "string"}],
        }))
        .expect("a form body");
        domain.forms.create_form(&tenant, body).expect("a form");
    }
    tenant
}
