//! Which tenant's share of the operation threads a request uses (`blocking`): the namespace in
//! its path, remembered by a middleware, turned into the tenant's id.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use portico_admission::HOST_KEY;
use portico_core::domain::Domain;

/// The admission key of requests to namespaces that name no tenant (or none known yet).
const UNKNOWN_TENANT_KEY: &str = "?unknown";

/// Most namespaces `TenantIdsByNamespace` remembers; past it the map starts over.
const REMEMBERED_NAMESPACES: usize = 16_384;

tokio::task_local! {
    /// The namespace a request names in its path (`/v1/tenants/{namespace}/...` or a portal page's
    /// `/portal/{namespace}/...`), if any.
    static REQUEST_NAMESPACE: Option<String>;
}

/// Middleware: remembers the namespace in the request's path for `blocking`.
pub(crate) async fn scope_by_namespace(request: Request, next: Next) -> Response {
    let namespace = request
        .uri()
        .path()
        .strip_prefix("/v1/tenants/")
        .or_else(|| request.uri().path().strip_prefix("/portal/"))
        .and_then(|rest| rest.split('/').next())
        .filter(|segment| !segment.is_empty())
        .map(str::to_string);
    REQUEST_NAMESPACE.scope(namespace, next.run(request)).await
}

/// The namespace of the request being served, if its path names one.
pub(crate) fn request_namespace() -> Option<String> {
    REQUEST_NAMESPACE.try_with(Clone::clone).ok().flatten()
}

/// Tenant ids by namespace, as this host's operations found them: the admission key of a
/// request on a store whose reads wait for the network, known without a read on the async
/// worker.
#[derive(Default)]
pub(crate) struct TenantIdsByNamespace {
    ids: RwLock<HashMap<String, String>>,
}

impl TenantIdsByNamespace {
    fn get(&self, namespace: &str) -> Option<String> {
        let ids = self.ids.read().unwrap_or_else(|e| e.into_inner());
        ids.get(namespace).cloned()
    }

    fn remember(&self, namespace: String, id: String) {
        let mut ids = self.ids.write().unwrap_or_else(|e| e.into_inner());
        if ids.len() >= REMEMBERED_NAMESPACES {
            ids.clear();
        }
        ids.insert(namespace, id);
    }
}

/// Key of the tenant whose share of the operation threads a request uses: the tenant named in
/// its path, one shared key for namespaces that name no tenant (so made-up namespaces do not
/// each get a share), and the host's key for routes outside any tenant.
pub(crate) struct AdmissionKey {
    /// The key the request queues under.
    pub(crate) key: String,
    /// A namespace whose tenant id the operation thread should look up afterwards.
    pub(crate) to_learn: Option<String>,
}

/// The request's `AdmissionKey`.
///
/// When reads wait for the network, the look-up would block an async worker for a round trip,
/// so the key comes from `known` instead: a namespace not in it yet shares the unknown key for
/// this request, and its operation thread looks the id up afterwards (`learn_tenant_id`). A
/// stale entry (a deleted tenant) only keeps a key of its own, which is harmless: the key
/// decides fairness, never access.
pub(crate) fn admission_key(domain: &Domain, known: &TenantIdsByNamespace) -> AdmissionKey {
    let Some(namespace) = request_namespace() else {
        return AdmissionKey::known(HOST_KEY.to_string());
    };
    if !domain.store().reads_wait_for_network() {
        let id = domain.tenants.tenant_id_of(&namespace).ok().flatten();
        return AdmissionKey::known(id.unwrap_or_else(|| UNKNOWN_TENANT_KEY.to_string()));
    }
    match known.get(&namespace) {
        Some(id) => AdmissionKey::known(id),
        None => AdmissionKey {
            key: UNKNOWN_TENANT_KEY.to_string(),
            to_learn: Some(namespace),
        },
    }
}

impl AdmissionKey {
    fn known(key: String) -> AdmissionKey {
        AdmissionKey {
            key,
            to_learn: None,
        }
    }
}

/// On an operation thread, after an operation of `namespace` succeeded under the unknown key:
/// looks the tenant's id up so the namespace's next requests take their tenant's turn. Only
/// after a success, so requests to made-up namespaces (which fail) cost no extra read.
pub(crate) fn learn_tenant_id(domain: &Domain, known: &TenantIdsByNamespace, namespace: String) {
    if let Ok(Some(id)) = domain.tenants.tenant_id_of(&namespace) {
        known.remember(namespace, id);
    }
}
