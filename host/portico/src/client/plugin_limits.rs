//! `portico plugin-limits get|set`: the operator's maximum for every tenant (`/v1/plugin-limits`,
//! operator token), or with `--tenant NS` that tenant's own limits (its
//! `/v1/tenants/{ns}/plugin-limits`, which its API key authorizes: a tenant sets its limits
//! within the operator's maximum). `set` changes the limits named and keeps the others (the
//! API replaces the whole set: the command reads it first); `--reset` starts from none.

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Map, Value};

use super::output::{cell, table};
use super::{Client, Connection, Credential, Failure, Output};

/// Every limit's JSON field, in the order of the flags.
const LIMITS: [&str; 9] = [
    "fuel",
    "deadlineMs",
    "memoryBytes",
    "componentBytes",
    "outputBytes",
    "logBytes",
    "compiledBytes",
    "storedBytes",
    "versions",
];

/// `portico plugin-limits`.
#[derive(Args, Debug)]
pub struct PluginLimitsArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: PluginLimitsCommand,
}

#[derive(Subcommand, Debug)]
enum PluginLimitsCommand {
    /// Show the limits: the operator's maximum, or with --tenant that tenant's.
    Get {
        /// The tenant whose limits to show (with its API key).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Change limits: each given as a number, or `default` to drop the setting.
    Set(SetArgs),
}

/// A limit's new value.
#[derive(Debug, Clone, Copy)]
enum Setting {
    Value(u64),
    Default,
}

fn setting(text: &str) -> Result<Setting, String> {
    match text {
        "default" => Ok(Setting::Default),
        n => n
            .replace('_', "")
            .parse()
            .map(Setting::Value)
            .map_err(|_| format!("{n:?}: a whole number or `default`")),
    }
}

#[derive(Args, Debug)]
struct SetArgs {
    /// The tenant whose limits to change (with its API key).
    #[arg(long)]
    tenant: Option<String>,
    /// Start from no settings: every limit not given goes back to its default.
    #[arg(long)]
    reset: bool,
    /// Instructions per call.
    #[arg(long, value_parser = setting)]
    fuel: Option<Setting>,
    /// Wall-clock deadline of a call, in milliseconds.
    #[arg(long, value_parser = setting)]
    deadline_ms: Option<Setting>,
    /// Linear memory of a call, in bytes.
    #[arg(long, value_parser = setting)]
    memory_bytes: Option<Setting>,
    /// Largest uploaded component, in bytes.
    #[arg(long, value_parser = setting)]
    component_bytes: Option<Setting>,
    /// Largest output of a call, in bytes.
    #[arg(long, value_parser = setting)]
    output_bytes: Option<Setting>,
    /// Captured logs per call, in bytes.
    #[arg(long, value_parser = setting)]
    log_bytes: Option<Setting>,
    /// Largest compiled artifact of an upload, in bytes.
    #[arg(long, value_parser = setting)]
    compiled_bytes: Option<Setting>,
    /// Stored plugin bytes per tenant.
    #[arg(long, value_parser = setting)]
    stored_bytes: Option<Setting>,
    /// Plugin versions per tenant.
    #[arg(long, value_parser = setting)]
    versions: Option<Setting>,
}

impl SetArgs {
    /// The settings given, by JSON field, in `LIMITS` order.
    fn given(&self) -> [Option<Setting>; 9] {
        [
            self.fuel,
            self.deadline_ms,
            self.memory_bytes,
            self.component_bytes,
            self.output_bytes,
            self.log_bytes,
            self.compiled_bytes,
            self.stored_bytes,
            self.versions,
        ]
    }
}

/// The client and path of the limits of `tenant`, or of the operator's maximum.
fn target(
    connection: &Connection,
    tenant: &Option<String>,
) -> Result<(Client, Vec<String>), Failure> {
    Ok(match tenant {
        Some(ns) => (
            connection.client(Credential::ApiKey)?,
            vec!["tenants".into(), ns.clone(), "plugin-limits".into()],
        ),
        None => (
            connection.client(Credential::Operator)?,
            vec!["plugin-limits".into()],
        ),
    })
}

/// The view as a table: a row per limit, a column per part of the view.
fn limits_table(view: &Value, tenant: bool) -> String {
    let columns: &[(&str, &str)] = if tenant {
        &[
            ("EFFECTIVE", "effective"),
            ("SET", "overrides"),
            ("DEFAULT", "defaults"),
            ("MAXIMUM", "operatorMaximum"),
        ]
    } else {
        &[
            ("MAXIMUM", "maximum"),
            ("SET", "settings"),
            ("CEILING", "ceiling"),
            ("DEFAULT", "defaults"),
        ]
    };
    let mut headers = vec!["LIMIT"];
    headers.extend(columns.iter().map(|(h, _)| *h));
    let rows: Vec<Vec<String>> = LIMITS
        .iter()
        .map(|field| {
            let mut row = vec![field.to_string()];
            row.extend(columns.iter().map(|(_, part)| cell(&view[part][field])));
            row
        })
        .collect();
    table(&headers, &rows)
}

impl PluginLimitsArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.connection.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output {
            json: self.connection.json,
        };
        let (tenant, view) = match &self.command {
            PluginLimitsCommand::Get { tenant } => {
                let (client, path) = target(&self.connection, tenant)?;
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                (tenant, client.call(Method::GET, &path, None).await?)
            }
            PluginLimitsCommand::Set(set) => {
                let (client, path) = target(&self.connection, &set.tenant)?;
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                let mut body = Map::new();
                if !set.reset {
                    let current = client.call(Method::GET, &path, None).await?;
                    let part = if set.tenant.is_some() {
                        "overrides"
                    } else {
                        "settings"
                    };
                    if let Some(settings) = current[part].as_object() {
                        for (field, value) in settings {
                            if !value.is_null() {
                                body.insert(field.clone(), value.clone());
                            }
                        }
                    }
                }
                for (field, given) in LIMITS.iter().zip(set.given()) {
                    match given {
                        Some(Setting::Value(n)) => {
                            body.insert(field.to_string(), n.into());
                        }
                        Some(Setting::Default) => {
                            body.remove(*field);
                        }
                        None => {}
                    }
                }
                let body = Value::Object(body);
                (
                    &set.tenant,
                    client.call(Method::PUT, &path, Some(&body)).await?,
                )
            }
        };
        out.show(&view, |v| {
            let whose = match tenant {
                Some(ns) => format!("plugin limits of tenant {ns}"),
                None => "the operator's maximum plugin limits for every tenant".into(),
            };
            format!("{whose}:\n{}", limits_table(v, tenant.is_some()))
        });
        Ok(())
    }
}
