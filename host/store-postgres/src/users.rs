//! The users aggregate on PostgreSQL: `users`, whose email and confusable skeleton are each
//! unique in the tenant (`users_email_unique`, `users_email_skeleton_unique`, both conflict code
//! `email_taken`), with each user's memberships in `user_group_memberships` and links in
//! `user_identity_links`, written with the user and read back in their order (`ordinal`).
//!
//! The email index is the two columns of the user's own row: `insert_user` writes both from
//! its `EmailKey`, `move_user_email` moves both, `update_user` leaves the skeleton alone, and
//! deleting the row removes the user's entries only (a skeleton another user holds, from
//! lookalikes stored before the skeleton rule, is that user's column).

use std::borrow::Cow;

use portico_core::storage::{
    EmailKey, EmailTaken, StorageError, StorageResult, UserReads, UserWrites,
};
use portico_core::users::{Membership, ProviderLink, UserKind, UserRecord, UserStatus};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::transaction::PgTx;

/// The columns of a user read back, with its memberships and links as arrays in their order
/// (`u` is the `users` row).
const USER_COLUMNS: &str = "u.id, u.number, u.kind, u.first_name, u.last_name, u.email, u.status, \
    u.oauth_provider_id, u.password_hash, u.password_expired, u.reset_code_digest, \
    u.notification_data, u.state, u.created_at, u.updated_at, \
    ARRAY(SELECT m.group_id FROM user_group_memberships m \
          WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id ORDER BY m.ordinal) AS group_ids, \
    ARRAY(SELECT m.is_primary FROM user_group_memberships m \
          WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id ORDER BY m.ordinal) AS primaries, \
    ARRAY(SELECT l.provider_id FROM user_identity_links l \
          WHERE l.tenant_id = u.tenant_id AND l.user_id = u.id ORDER BY l.ordinal) AS provider_ids, \
    ARRAY(SELECT l.external_id FROM user_identity_links l \
          WHERE l.tenant_id = u.tenant_id AND l.user_id = u.id ORDER BY l.ordinal) AS external_ids";

/// The columns a user write sets, in the order of `UserRow::params`.
const WRITE_COLUMNS: &str = "tenant_id, id, kind, first_name, last_name, email, status, \
    oauth_provider_id, password_hash, password_expired, reset_code_digest, notification_data, \
    state, created_at, updated_at, email_skeleton, number";

/// `SET` of every written column but the key, the skeleton and the number (which never
/// changes), from the proposed row.
const UPDATE_FROM_EXCLUDED: &str = "kind = EXCLUDED.kind, first_name = EXCLUDED.first_name, \
    last_name = EXCLUDED.last_name, email = EXCLUDED.email, status = EXCLUDED.status, \
    oauth_provider_id = EXCLUDED.oauth_provider_id, password_hash = EXCLUDED.password_hash, \
    password_expired = EXCLUDED.password_expired, \
    reset_code_digest = EXCLUDED.reset_code_digest, \
    notification_data = EXCLUDED.notification_data, state = EXCLUDED.state, \
    created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at";

/// Updates every written column but the skeleton and the number (`$1`..`$15` of
/// `UserRow::params`).
const UPDATE_USER: &str = "UPDATE users SET kind = $3, first_name = $4, last_name = $5, \
    email = $6, status = $7, oauth_provider_id = $8, password_hash = $9, \
    password_expired = $10, reset_code_digest = $11, notification_data = $12, state = $13, \
    created_at = $14, updated_at = $15 WHERE tenant_id = $1 AND id = $2";

const VALUES: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17";

fn kind_name(kind: UserKind) -> &'static str {
    match kind {
        UserKind::Internal => "internal",
        UserKind::Portal => "portal",
    }
}

fn status_name(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "active",
        UserStatus::Inactive => "inactive",
        UserStatus::Blocked => "blocked",
        UserStatus::Invited => "invited",
    }
}

fn corrupt(id: &str, message: String) -> StorageError {
    StorageError::Corrupt {
        what: "user",
        key: id.to_string(),
        message,
    }
}

fn kind_of(id: &str, name: &str) -> StorageResult<UserKind> {
    match name {
        "internal" => Ok(UserKind::Internal),
        "portal" => Ok(UserKind::Portal),
        other => Err(corrupt(id, format!("unknown kind '{other}'"))),
    }
}

fn status_of(id: &str, name: &str) -> StorageResult<UserStatus> {
    match name {
        "active" => Ok(UserStatus::Active),
        "inactive" => Ok(UserStatus::Inactive),
        "blocked" => Ok(UserStatus::Blocked),
        "invited" => Ok(UserStatus::Invited),
        other => Err(corrupt(id, format!("unknown status '{other}'"))),
    }
}

fn user(row: &Row) -> StorageResult<UserRecord> {
    let id: String = row.get("id");
    let group_ids: Vec<String> = row.get("group_ids");
    let primaries: Vec<bool> = row.get("primaries");
    let provider_ids: Vec<String> = row.get("provider_ids");
    let external_ids: Vec<Option<String>> = row.get("external_ids");
    Ok(UserRecord {
        number: u64::try_from(row.get::<_, i64>("number")).unwrap_or(0),
        kind: kind_of(&id, row.get("kind"))?,
        status: status_of(&id, row.get("status"))?,
        first_name: row.get("first_name"),
        last_name: row.get("last_name"),
        email: row.get("email"),
        groups: group_ids
            .into_iter()
            .zip(primaries)
            .map(|(group_id, primary)| Membership { group_id, primary })
            .collect(),
        identity_providers: provider_ids
            .into_iter()
            .zip(external_ids)
            .map(|(provider_id, external_id)| ProviderLink {
                provider_id,
                external_id,
            })
            .collect(),
        oauth_provider_id: row.get("oauth_provider_id"),
        password_hash: row.get("password_hash"),
        password_expired: row.get("password_expired"),
        reset_code_digest: row.get("reset_code_digest"),
        notification_data: row.get("notification_data"),
        state: row.get("state"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        id,
    })
}

fn users(rows: &[Row]) -> StorageResult<Vec<UserRecord>> {
    rows.iter().map(user).collect()
}

/// `text` as PostgreSQL can store it: the character U+0000, which neither `text` nor `jsonb`
/// can hold, replaced with U+FFFD.
pub(crate) fn storable_text(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A JSON document as `jsonb` can store it: U+0000 replaced in every string and key.
pub(crate) fn storable_json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(storable_text(s).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(storable_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (storable_text(k).into_owned(), storable_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An optional document as stored: `Some(null)` is stored as SQL NULL and read back as `None`,
/// as the embedded engine's JSON records read it back.
fn optional_json(value: &Option<serde_json::Value>) -> Option<serde_json::Value> {
    value.as_ref().filter(|v| !v.is_null()).map(storable_json)
}

/// A user's row as written: the record's values converted to what the columns hold.
struct UserRow<'a> {
    tenant: &'a str,
    user: &'a UserRecord,
    kind: &'static str,
    status: &'static str,
    first_name: Cow<'a, str>,
    last_name: Cow<'a, str>,
    notification_data: Option<serde_json::Value>,
    state: Option<serde_json::Value>,
    skeleton: Option<&'a str>,
    number: i64,
}

impl<'a> UserRow<'a> {
    fn new(tenant: &'a str, user: &'a UserRecord, skeleton: Option<&'a str>) -> UserRow<'a> {
        UserRow {
            tenant,
            user,
            kind: kind_name(user.kind),
            status: status_name(user.status),
            first_name: storable_text(&user.first_name),
            last_name: storable_text(&user.last_name),
            notification_data: optional_json(&user.notification_data),
            state: optional_json(&user.state),
            skeleton,
            number: i64::try_from(user.number).unwrap_or(i64::MAX),
        }
    }

    /// The values of `WRITE_COLUMNS`, in order.
    fn params(&self) -> [&(dyn ToSql + Sync); 17] {
        let u = self.user;
        [
            &self.tenant,
            &u.id,
            &self.kind,
            &self.first_name,
            &self.last_name,
            &u.email,
            &self.status,
            &u.oauth_provider_id,
            &u.password_hash,
            &u.password_expired,
            &u.reset_code_digest,
            &self.notification_data,
            &self.state,
            &u.created_at,
            &u.updated_at,
            &self.skeleton,
            &self.number,
        ]
    }
}

/// Makes the user's rows of `user_group_memberships` and `user_identity_links` match its
/// record (`ordinal`: the position in the record's list). A (provider, external id) pair
/// another user holds breaks `user_identity_links_external_id_unique`: `external_id_taken`.
fn write_memberships_and_links(tx: &PgTx, tenant: &str, user: &UserRecord) -> StorageResult<()> {
    let id = user.id.as_str();
    let group_ids: Vec<&str> = user.groups.iter().map(|m| m.group_id.as_str()).collect();
    let primaries: Vec<bool> = user.groups.iter().map(|m| m.primary).collect();
    let links = &user.identity_providers;
    let provider_ids: Vec<&str> = links.iter().map(|l| l.provider_id.as_str()).collect();
    let external_ids: Vec<Option<&str>> = links.iter().map(|l| l.external_id.as_deref()).collect();
    // Four statements, one round trip; the inserts of an empty list insert nothing.
    tx.execute_pipelined(&[
        (
            "DELETE FROM user_group_memberships WHERE tenant_id = $1 AND user_id = $2",
            &[&tenant, &id],
        ),
        (
            "INSERT INTO user_group_memberships (tenant_id, user_id, group_id, ordinal, is_primary) \
             SELECT $1, $2, m.group_id, (m.position - 1)::integer, m.is_primary \
             FROM unnest($3::text[], $4::boolean[]) WITH ORDINALITY AS m(group_id, is_primary, position)",
            &[&tenant, &id, &group_ids, &primaries],
        ),
        (
            "DELETE FROM user_identity_links WHERE tenant_id = $1 AND user_id = $2",
            &[&tenant, &id],
        ),
        (
            "INSERT INTO user_identity_links (tenant_id, user_id, provider_id, external_id, ordinal) \
             SELECT $1, $2, l.provider_id, l.external_id, (l.position - 1)::integer \
             FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS l(provider_id, external_id, position)",
            &[&tenant, &id, &provider_ids, &external_ids],
        ),
    ])
}

impl UserReads for PgTx {
    fn user(&self, tenant: &str, id: &str) -> StorageResult<Option<UserRecord>> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2");
        self.query_opt(&sql, &[&tenant, &id])?
            .as_ref()
            .map(user)
            .transpose()
    }

    fn user_exists(&self, tenant: &str, id: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(row.is_some())
    }

    fn user_id_by_email(&self, tenant: &str, email: &str) -> StorageResult<Option<String>> {
        let row = self.query_opt(
            "SELECT id FROM users WHERE tenant_id = $1 AND email = $2",
            &[&tenant, &email],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    /// The exact holder first, as the embedded engine answers: a user with the email, else one
    /// whose email has the same skeleton.
    fn email_taken(&self, tenant: &str, key: EmailKey<'_>) -> StorageResult<Option<EmailTaken>> {
        let row = self.query_opt(
            "SELECT id, email = $2 AS exact FROM users \
             WHERE tenant_id = $1 AND (email = $2 OR email_skeleton = $3) \
             ORDER BY email = $2 DESC LIMIT 1",
            &[&tenant, &key.email, &key.skeleton],
        )?;
        Ok(row.map(|r| match r.get::<_, bool>("exact") {
            true => EmailTaken::Exact(r.get("id")),
            false => EmailTaken::Lookalike(r.get("id")),
        }))
    }

    fn users_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u \
             WHERE u.tenant_id = $1 AND ($2::text IS NULL OR u.id > $2) ORDER BY u.id LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        users(&self.query(&sql, &[&tenant, &after, &limit])?)
    }

    /// In id order, as the embedded engine's scan answers them.
    fn users_in_group(&self, tenant: &str, group_id: &str) -> StorageResult<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id IN \
             (SELECT user_id FROM user_group_memberships WHERE tenant_id = $1 AND group_id = $2) \
             ORDER BY u.id"
        );
        users(&self.query(&sql, &[&tenant, &group_id])?)
    }

    /// In id order, as the embedded engine's scan answers them; links with or without an
    /// external id.
    fn users_linked_to(&self, tenant: &str, provider_id: &str) -> StorageResult<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id IN \
             (SELECT user_id FROM user_identity_links WHERE tenant_id = $1 AND provider_id = $2) \
             ORDER BY u.id"
        );
        users(&self.query(&sql, &[&tenant, &provider_id])?)
    }

    fn count_users(&self, tenant: &str, kind: UserKind) -> StorageResult<u64> {
        let row = self.query_opt(
            "SELECT count(*) FROM users WHERE tenant_id = $1 AND kind = $2",
            &[&tenant, &kind_name(kind)],
        )?;
        let count: i64 = row.map(|r| r.get(0)).unwrap_or(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

impl UserWrites for PgTx {
    /// Stores the user with `key` as its email and skeleton (replacing a user with the same
    /// id, as the embedded engine's put does), then its memberships and links. A key another
    /// user holds breaks `users_email_unique` or `users_email_skeleton_unique`:
    /// `StorageError::Conflict` (`email_taken`), which also aborts the transaction.
    fn insert_user(
        &mut self,
        tenant: &str,
        user: &UserRecord,
        key: EmailKey<'_>,
    ) -> StorageResult<()> {
        let row = UserRow::new(tenant, user, Some(key.skeleton));
        let sql = format!(
            "INSERT INTO users ({WRITE_COLUMNS}) VALUES ({VALUES}) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET {UPDATE_FROM_EXCLUDED}, \
             email_skeleton = EXCLUDED.email_skeleton"
        );
        self.execute(&sql, &row.params())?;
        write_memberships_and_links(self, tenant, user)
    }

    /// Updates the user's row (its skeleton stays as `insert_user` or `move_user_email` wrote
    /// it) and its memberships and links. A user this transaction does not see is stored
    /// without a skeleton, as the embedded engine's put stores a record without index entries;
    /// one deleted by a concurrent transaction fails the update (serialization failure) rather
    /// than coming back.
    fn update_user(&mut self, tenant: &str, user: &UserRecord) -> StorageResult<()> {
        let row = UserRow::new(tenant, user, None);
        let updated = self.execute(UPDATE_USER, &row.params()[..15])?;
        if updated == 0 {
            let sql = format!("INSERT INTO users ({WRITE_COLUMNS}) VALUES ({VALUES})");
            self.execute(&sql, &row.params())?;
        }
        write_memberships_and_links(self, tenant, user)
    }

    /// Sets the user's email and skeleton to `new` (`old` is what the row holds). A `new` key
    /// another user holds breaks a unique constraint: `StorageError::Conflict` (`email_taken`).
    /// A user this transaction does not see is left alone (there is no row to hold the key).
    fn move_user_email(
        &mut self,
        tenant: &str,
        id: &str,
        _old: EmailKey<'_>,
        new: EmailKey<'_>,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE users SET email = $3, email_skeleton = $4 WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id, &new.email, &new.skeleton],
        )?;
        Ok(())
    }

    /// Deletes the user's row, which holds its email and skeleton; its memberships, links,
    /// endpoint configurations and session tokens go with it (`ON DELETE CASCADE`).
    fn delete_user(&mut self, tenant: &str, id: &str, _key: EmailKey<'_>) -> StorageResult<()> {
        self.execute(
            "DELETE FROM users WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(())
    }
}
