//! The domain's time rules, driven by a `ManualClock`: each test moves the clock instead of
//! sleeping and checks both sides of every boundary (just before: still valid; at or just
//! after: expired), with the error codes the API answers.

mod codes;
mod credentials;
mod delivery;
mod hooks;
mod outbox;
mod sessions;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tempfile::TempDir;

use portico_core::domain::plugins::PluginRuntime;
use portico_core::domain::{
    Domain, DomainError, ManualClock, PortalSettingsPatch, ProfileInput, Registration,
    SignupUrlOptions, Tenant,
};
use portico_store_redb::Store;

/// A domain over a fresh store, its clock, and one tenant.
struct Fixture {
    domain: Domain,
    clock: ManualClock,
    tenant: Tenant,
    /// Holds the store's files for the test's duration.
    _dir: TempDir,
}

/// Where every test's clock starts: a whole second, so boundaries are exact.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn fixture() -> Fixture {
    fixture_with(|domain| domain)
}

/// A fixture whose domain runs plugins on `runtime`.
fn fixture_with_runtime(runtime: Arc<dyn PluginRuntime>) -> Fixture {
    fixture_with(|domain| domain.with_plugin_runtime(runtime))
}

fn fixture_with(build: impl FnOnce(Domain) -> Domain) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let clock = ManualClock::new(start());
    let domain =
        build(Domain::new(store, "http://portico.test".into())).with_clock(Arc::new(clock.clone()));
    let tenant = domain.tenants.create_tenant("acme", None).unwrap();
    Fixture {
        domain,
        clock,
        tenant,
        _dir: dir,
    }
}

impl Fixture {
    /// Moves the clock to `start() + offset`.
    fn at(&self, offset: Duration) {
        self.clock.set(start() + offset);
    }

    fn patch_portal(&self, patch: serde_json::Value) {
        let patch: PortalSettingsPatch = serde_json::from_value(patch).unwrap();
        self.domain
            .portal
            .update_portal_settings(&self.tenant, patch)
            .unwrap();
    }

    fn profile(&self, email: &str) -> String {
        let input: ProfileInput = serde_json::from_value(json!({ "email": email })).unwrap();
        self.domain
            .profiles
            .create_profile(&self.tenant, input)
            .unwrap()
            .id
    }

    /// A new signed signup link of `profile_id`: its token and how many live links it has now.
    fn signup_link(&self, profile_id: &str) -> (String, u32) {
        let options = SignupUrlOptions {
            with_sign: true,
            refresh: false,
        };
        let url = self
            .domain
            .portal
            .signup_url(&self.tenant, profile_id, &options)
            .unwrap();
        (token_in(&url.url, "token="), url.live_links)
    }

    fn register(&self, token: &str, password: &str) -> Result<String, DomainError> {
        let registration = Registration {
            token: token.into(),
            password: password.into(),
            confirmation_code: None,
        };
        let user = self
            .domain
            .portal
            .register_portal_user(&self.tenant, registration)?;
        Ok(user.id)
    }

    /// A registered, active portal user of a published portal; answers the user's id.
    fn portal_user(&self, email: &str, password: &str) -> String {
        self.patch_portal(json!({ "published": true }));
        let profile = self.profile(email);
        let (token, _) = self.signup_link(&profile);
        self.register(&token, password).unwrap()
    }
}

/// The value of `key` (e.g. `token=`) in a link.
fn token_in(url: &str, key: &str) -> String {
    url.split(key).nth(1).unwrap().to_string()
}

/// The HTTP status an error is answered with and its machine-readable code, as the API shows
/// them (`http::error`).
fn refusal(error: &DomainError) -> (u16, &'static str) {
    match error {
        DomainError::BadRequest { code, .. } => (400, code),
        DomainError::Unauthenticated { code, .. } => (401, code),
        DomainError::Unauthorized(_) => (401, "unauthorized"),
        DomainError::Refused { code, .. } => (403, code),
        DomainError::Forbidden(_) => (403, "forbidden"),
        DomainError::NotFound { .. } => (404, "not_found"),
        DomainError::Conflict { code, .. } => (409, code),
        DomainError::PreconditionFailed { code, .. } => (412, code),
        DomainError::Validation(_) => (422, "validation_failed"),
        DomainError::TooManyRequests { code, .. } => (429, code),
        DomainError::Internal(_) => (500, "internal"),
        DomainError::Unavailable { code, .. } => (503, code),
    }
}

/// The status and code of a result that must be an error.
fn refused<T: std::fmt::Debug>(result: Result<T, DomainError>) -> (u16, &'static str) {
    refusal(&result.expect_err("the operation is refused"))
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

fn ms(n: i64) -> Duration {
    Duration::milliseconds(n)
}
