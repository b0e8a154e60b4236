//! `portico app-tokens create|list|revoke --tenant NS`: a tenant's app tokens (the credential of
//! its browser apps). The routes are the tenant's own: they take the tenant's API key
//! (`--api-key-file` or `PORTICO_API_KEY`), not the operator token.

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::json;

use super::output::cell;
use super::tenants::credential_rows;
use super::{Connection, Credential, Failure, Output};

/// `portico app-tokens`.
#[derive(Args, Debug)]
pub struct AppTokensArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: AppTokensCommand,
}

#[derive(Subcommand, Debug)]
enum AppTokensCommand {
    /// Create an app token; it is printed once (only its digest is stored).
    Create {
        /// The tenant's namespace.
        #[arg(long)]
        tenant: String,
        /// A name saying which app holds it.
        #[arg(long)]
        name: String,
    },
    /// List the tenant's app tokens (never their secrets).
    List {
        /// The tenant's namespace.
        #[arg(long)]
        tenant: String,
    },
    /// Revoke an app token: it is refused from the next request on.
    Revoke {
        /// The tenant's namespace.
        #[arg(long)]
        tenant: String,
        /// The token's id (`portico app-tokens list`).
        token_id: String,
    },
}

impl AppTokensArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.connection.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output {
            json: self.connection.json,
        };
        let client = self.connection.client(Credential::ApiKey)?;
        match self.command {
            AppTokensCommand::Create { tenant, name } => {
                let token = client
                    .call(
                        Method::POST,
                        &["tenants", &tenant, "app-tokens"],
                        Some(&json!({ "name": name })),
                    )
                    .await?;
                out.show(&token, |t| {
                    format!(
                        "app token {} ({}) of tenant {tenant}, shown once (only its digest is stored):\n{}",
                        cell(&t["id"]),
                        cell(&t["name"]),
                        cell(&t["token"])
                    )
                });
            }
            AppTokensCommand::List { tenant } => {
                let tokens = client
                    .call(Method::GET, &["tenants", &tenant, "app-tokens"], None)
                    .await?;
                out.show(&tokens, |t| match t["items"].as_array() {
                    Some(items) if !items.is_empty() => credential_rows(items),
                    _ => format!("tenant {tenant} has no app tokens"),
                });
            }
            AppTokensCommand::Revoke { tenant, token_id } => {
                client
                    .call(
                        Method::DELETE,
                        &["tenants", &tenant, "app-tokens", &token_id],
                        None,
                    )
                    .await?;
                out.show(&json!({ "revoked": token_id }), |_| {
                    format!("revoked app token {token_id} of tenant {tenant}")
                });
            }
        }
        Ok(())
    }
}
