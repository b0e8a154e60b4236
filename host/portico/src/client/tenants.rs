//! `portico tenants create|list|show|delete` and `portico api-keys create|list|revoke`: the
//! operator's routes for tenants and their API keys (`/v1/tenants...`, operator token).

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{json, Value};

use super::output::{cell, table};
use super::{Connection, Credential, Failure, Output};

/// `portico tenants`.
#[derive(Args, Debug)]
pub struct TenantsArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: TenantsCommand,
}

#[derive(Subcommand, Debug)]
enum TenantsCommand {
    /// Create a tenant.
    Create {
        /// Its namespace: 2 to 64 lowercase letters, digits and `_`.
        namespace: String,
        /// Its display name (default: the namespace).
        #[arg(long)]
        name: Option<String>,
    },
    /// List every tenant.
    List,
    /// Show one tenant.
    Show {
        /// Its namespace.
        namespace: String,
    },
    /// Delete a tenant and every record it owns (users, profiles, plugins, keys...).
    Delete {
        /// Its namespace.
        namespace: String,
        /// Confirm: the tenant's data cannot be brought back (but from a backup).
        #[arg(long)]
        yes: bool,
    },
}

fn tenant_rows(tenants: &[Value]) -> String {
    let rows: Vec<Vec<String>> = tenants
        .iter()
        .map(|t| {
            ["namespace", "name", "id", "createdAt"]
                .iter()
                .map(|f| cell(&t[*f]))
                .collect()
        })
        .collect();
    table(&["NAMESPACE", "NAME", "ID", "CREATED"], &rows)
}

impl TenantsArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.connection.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output {
            json: self.connection.json,
        };
        let client = self.connection.client(Credential::Operator)?;
        match self.command {
            TenantsCommand::Create { namespace, name } => {
                let mut body = json!({ "namespace": namespace });
                if let Some(name) = name {
                    body["name"] = json!(name);
                }
                let tenant = client.call(Method::POST, &["tenants"], Some(&body)).await?;
                out.show(&tenant, |t| {
                    format!(
                        "created tenant {} ({}), id {}",
                        cell(&t["namespace"]),
                        cell(&t["name"]),
                        cell(&t["id"])
                    )
                });
            }
            TenantsCommand::List => {
                let items = client.list_all(&["tenants"]).await?;
                let page = json!({ "items": items, "nextCursor": null });
                out.show(&page, |p| match p["items"].as_array() {
                    Some(items) if !items.is_empty() => tenant_rows(items),
                    _ => "no tenants".into(),
                });
            }
            TenantsCommand::Show { namespace } => {
                let tenant = client
                    .call(Method::GET, &["tenants", &namespace], None)
                    .await?;
                out.show(&tenant, |t| tenant_rows(std::slice::from_ref(t)));
            }
            TenantsCommand::Delete { namespace, yes } => {
                if !yes {
                    return Err(Failure::Usage(format!(
                        "deleting tenant {namespace} deletes every record it owns: pass --yes to confirm"
                    )));
                }
                client
                    .call(Method::DELETE, &["tenants", &namespace], None)
                    .await?;
                out.show(&json!({ "deleted": namespace }), |_| {
                    format!("deleted tenant {namespace} and every record it owned")
                });
            }
        }
        Ok(())
    }
}

/// `portico api-keys`.
#[derive(Args, Debug)]
pub struct ApiKeysArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: ApiKeysCommand,
}

#[derive(Subcommand, Debug)]
enum ApiKeysCommand {
    /// Create an API key for a tenant; the key is printed once (only its digest is stored).
    Create {
        /// The tenant's namespace.
        #[arg(long)]
        tenant: String,
        /// A name saying who holds the key.
        #[arg(long)]
        name: Option<String>,
    },
    /// List a tenant's API keys (never their secrets).
    List {
        /// The tenant's namespace.
        #[arg(long)]
        tenant: String,
    },
    /// Revoke one of a tenant's API keys: it is refused from the next request on.
    Revoke {
        /// The tenant's namespace.
        #[arg(long)]
        tenant: String,
        /// The key's id (`portico api-keys list`).
        key_id: String,
    },
}

/// The rows of a list of keys or tokens (`id`, `name`, `createdAt`).
pub(super) fn credential_rows(items: &[Value]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|k| {
            ["id", "name", "createdAt"]
                .iter()
                .map(|f| cell(&k[*f]))
                .collect()
        })
        .collect();
    table(&["ID", "NAME", "CREATED"], &rows)
}

impl ApiKeysArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.connection.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output {
            json: self.connection.json,
        };
        let client = self.connection.client(Credential::Operator)?;
        match self.command {
            ApiKeysCommand::Create { tenant, name } => {
                let body = match name {
                    Some(name) => json!({ "name": name }),
                    None => json!({}),
                };
                let key = client
                    .call(Method::POST, &["tenants", &tenant, "api-keys"], Some(&body))
                    .await?;
                out.show(&key, |k| {
                    format!(
                        "API key {} ({}) of tenant {tenant}, shown once (only its digest is stored):\n{}",
                        cell(&k["id"]),
                        cell(&k["name"]),
                        cell(&k["key"])
                    )
                });
            }
            ApiKeysCommand::List { tenant } => {
                let keys = client
                    .call(Method::GET, &["tenants", &tenant, "api-keys"], None)
                    .await?;
                out.show(&keys, |k| match k["items"].as_array() {
                    Some(items) if !items.is_empty() => credential_rows(items),
                    _ => format!("tenant {tenant} has no API keys"),
                });
            }
            ApiKeysCommand::Revoke { tenant, key_id } => {
                client
                    .call(
                        Method::DELETE,
                        &["tenants", &tenant, "api-keys", &key_id],
                        None,
                    )
                    .await?;
                out.show(&json!({ "revoked": key_id }), |_| {
                    format!("revoked API key {key_id} of tenant {tenant}")
                });
            }
        }
        Ok(())
    }
}
