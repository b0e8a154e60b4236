//! The scope a write transaction locks first (`Storage::write`), as advisory locks held until
//! the transaction ends: a tenant's exclusively; one record's exclusively with its tenant's
//! shared; or the installation's.

use portico_core::storage::WriteScope;
use tokio_postgres::types::ToSql;

/// Takes a tenant's lock for the transaction: the tenant's writes run one at a time on every
/// host. Advisory locks (held in memory until the transaction ends) rather than row locks: a
/// record's write holds its tenant's lock shared, and many shared row locks on one hot row
/// would each write a new multixact.
const LOCK_TENANT: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
/// Takes a record's lock, and its tenant's shared: writes to other records of the tenant run
/// at once, a whole-tenant write waits for them.
const LOCK_RECORD: &str = "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0)), \
     pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 1))";
/// Locks the installation-wide writes (tenants being created, operator settings).
const LOCK_INSTALLATION: &str = "SELECT pg_advisory_xact_lock(8101820098972708610)";

/// A write transaction's scope, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScopeLock {
    Tenant(String),
    Record(String, String),
    Installation,
}

impl ScopeLock {
    pub(crate) fn of(scope: WriteScope<'_>) -> ScopeLock {
        match scope {
            WriteScope::Tenant(tenant) => ScopeLock::Tenant(tenant.to_string()),
            WriteScope::Record { tenant, key } => {
                ScopeLock::Record(tenant.to_string(), key.to_string())
            }
            WriteScope::Installation => ScopeLock::Installation,
        }
    }

    pub(crate) fn sql(&self) -> &'static str {
        match self {
            ScopeLock::Tenant(_) => LOCK_TENANT,
            ScopeLock::Record(..) => LOCK_RECORD,
            ScopeLock::Installation => LOCK_INSTALLATION,
        }
    }

    pub(crate) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        match self {
            ScopeLock::Tenant(tenant) => vec![tenant],
            ScopeLock::Record(tenant, key) => vec![tenant, key],
            ScopeLock::Installation => Vec::new(),
        }
    }
}
