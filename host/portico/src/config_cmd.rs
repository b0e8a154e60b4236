//! `portico config`: checks a configuration file, or shows the configuration `portico serve`
//! would run with and where each value comes from, secrets hidden. Neither starts anything.

use std::path::PathBuf;

use clap::Subcommand;
use figment::value::Value;

use crate::config::{self, source, ConfigError};
use crate::config_keys::{Secret, KEYS};
use crate::serve_args::ServeArgs;

/// `portico config`'s subcommands.
#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file on its own, without starting anything.
    ///
    /// Every key must be known, every value of its type and in its range: prints one line and
    /// exits 0 when it can be used, else prints each problem and exits 2. Settings that the
    /// environment may complete (an SMTP user name whose password is in
    /// `PORTICO_SMTP_PASSWORD`) are checked at start, and by `show`.
    Check {
        /// The file (TOML).
        file: PathBuf,
    },
    /// Print the configuration `portico serve` would run with, secrets hidden.
    ///
    /// Given the same file, environment and flags as `serve`: each setting, and where its
    /// value comes from. Secrets (the operator token, the SMTP password, the database URL's
    /// password) are never printed.
    Show(Box<ServeArgs>),
}

/// Runs the subcommand; a configuration that cannot be used exits with status 2.
pub fn run(command: ConfigCommand) {
    let result = match command {
        ConfigCommand::Check { file } => config::check_file(&file).map(|set| {
            println!(
                "OK: {} is a valid Portico configuration ({set} settings set)",
                file.display()
            );
        }),
        ConfigCommand::Show(args) => show(&args),
    };
    if let Err(error) = result {
        error.exit();
    }
}

/// Prints every setting in effect as a configuration file would hold it, each with its origin.
fn show(args: &ServeArgs) -> Result<(), ConfigError> {
    let loaded = args.load()?;
    // Settings that cannot work together are refused as `serve` would refuse them.
    loaded.settings.serve_config()?;
    let mut table = "";
    println!("# The configuration `portico serve` would run with; after each value, where it comes from.");
    for key in KEYS {
        let (section, name) = key.path.split_once('.').unwrap_or(("", key.path));
        if section != table {
            table = section;
            println!("\n[{section}]");
        }
        let from = source(&loaded.figment, key);
        match loaded
            .figment
            .find_value(key.path)
            .ok()
            .and_then(|v| render(key.secret, &v))
        {
            Some(value) => println!("{name} = {value}  # {from}"),
            None => println!("# {name}: not set"),
        }
    }
    Ok(())
}

/// `value` as TOML, a secret hidden; `None` when not set.
fn render(secret: Secret, value: &Value) -> Option<String> {
    if let Value::Empty(..) = value {
        return None;
    }
    let text = match value {
        Value::String(_, s) => Some(s.as_str()),
        _ => None,
    };
    Some(match (secret, text) {
        (Secret::Whole, _) => "\"(hidden)\"".into(),
        (Secret::Password, Some(url)) => quoted(&hide_password(url)),
        (_, Some(text)) => quoted(text),
        (_, None) => config::whole(value)
            .map(|n| n.to_string())
            .or_else(|| value.to_bool().map(|b| b.to_string()))
            .unwrap_or_else(|| "\"(a value of another type)\"".into()),
    })
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A connection URL or key-value string with its password replaced by `(hidden)`:
/// `postgres://user:secret@host/db` and `host=h password=secret` alike.
pub fn hide_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let tail = hide_parameter(tail);
        return match authority.rsplit_once('@') {
            Some((user_info, host)) => match user_info.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:(hidden)@{host}{tail}"),
                None => format!("{scheme}://{user_info}@{host}{tail}"),
            },
            None => format!("{scheme}://{authority}{tail}"),
        };
    }
    hide_parameter(url)
}

/// `password=...` (a query parameter or a key-value pair) replaced by `password=(hidden)`.
fn hide_parameter(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let Some(start) = lower.find("password=") else {
        return text.to_string();
    };
    let value_start = start + "password=".len();
    let value_end = text[value_start..]
        .find(['&', ' '])
        .map_or(text.len(), |end| value_start + end);
    format!(
        "{}(hidden){}",
        &text[..value_start],
        hide_parameter(&text[value_end..])
    )
}

#[cfg(test)]
mod tests {
    use super::hide_password;

    #[test]
    fn a_database_password_is_hidden_in_every_spelling() {
        assert_eq!(
            hide_password("postgres://portico:s3cret@db:5432/portico"),
            "postgres://portico:(hidden)@db:5432/portico"
        );
        assert_eq!(
            hide_password("postgres://portico@db/portico?password=s3cret&sslmode=disable"),
            "postgres://portico@db/portico?password=(hidden)&sslmode=disable"
        );
        assert_eq!(
            hide_password("host=db user=portico password=s3cret dbname=portico"),
            "host=db user=portico password=(hidden) dbname=portico"
        );
        assert_eq!(
            hide_password("postgres://db/portico"),
            "postgres://db/portico"
        );
        assert_eq!(
            hide_password("postgres://a:b:c@d@host/db"),
            "postgres://a:(hidden)@host/db"
        );
    }
}
