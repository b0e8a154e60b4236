//! The configuration of `portico serve`, in layers, each overriding the ones before it key by
//! key: the built-in defaults, then the file `portico.toml` (named by `--config FILE` or
//! `PORTICO_CONFIG`; no file is read unless named), then the environment variables
//! `PORTICO_*` (`config_keys::KEYS` names each), then the flags given on the command line.
//!
//! An unknown key, a value of the wrong type or out of its range, and settings that cannot work
//! together are refused before anything starts, each named with where it came from (the file
//! and the key, the environment variable, the flag); the command then exits with status 2, as
//! for a mistyped flag. Secrets (the operator token, the SMTP password, the database URL's
//! password) never appear in those messages.

use std::fmt;
use std::path::Path;

use figment::error::Kind as ErrorKind;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use crate::config_keys::{key_at, Key, Kind, Secret, KEYS};
use crate::settings::Settings;

/// The name of the environment variables' layer.
const ENVIRONMENT: &str = "environment variable";
/// The name of the command line's layer.
const COMMAND_LINE: &str = "command-line flag";

/// A configuration that cannot be used; the command exits with status 2.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// Prints the error and exits with status 2 (a usage error, as clap's).
    pub fn exit(self) -> ! {
        eprintln!("error: {self}");
        std::process::exit(2)
    }
}

/// The settings in effect and the layers they came from.
pub struct Loaded {
    /// The settings, every value checked.
    pub settings: Settings,
    /// The layers, to tell where each value came from.
    pub figment: Figment,
}

/// Every layer: the defaults, the file (when named), the environment, the flags given.
pub fn load(file: Option<&Path>, flags: Vec<(&'static str, Value)>) -> Result<Loaded, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    if let Some(file) = file {
        figment = figment.merge(file_layer(file)?);
    }
    let flags = flags
        .into_iter()
        .map(|(path, value)| (key_at(path).expect("every flag has its key"), value))
        .collect();
    figment = figment.merge(environment()).merge(Layer {
        name: COMMAND_LINE,
        entries: flags,
    });
    let settings = extract(&figment)?;
    Ok(Loaded { settings, figment })
}

/// The file alone over the defaults (`portico config check`): every key known, every value of
/// its type and in its range. Answers how many keys it sets.
pub fn check_file(file: &Path) -> Result<usize, ConfigError> {
    let layer = file_layer(file)?;
    let figment = Figment::from(Serialized::defaults(Settings::default())).merge(layer);
    extract(&figment)?;
    let set = KEYS
        .iter()
        .filter(|key| {
            figment
                .find_metadata(key.path)
                .is_some_and(|md| md.source.as_ref().and_then(|s| s.file_path()).is_some())
        })
        .count();
    Ok(set)
}

/// The file's layer, once it is known to be readable.
fn file_layer(file: &Path) -> Result<figment::providers::Data<Toml>, ConfigError> {
    std::fs::read(file).map_err(|e| {
        ConfigError(format!(
            "cannot read the configuration file {}: {e}",
            file.display()
        ))
    })?;
    Ok(Toml::file_exact(file))
}

/// The settings of `figment`, each value checked, or every problem found.
fn extract(figment: &Figment) -> Result<Settings, ConfigError> {
    let settings: Settings = figment.extract().map_err(|e| describe(e, figment))?;
    let mut problems = Vec::new();
    for key in KEYS {
        if let Kind::Number { min, max } = key.kind {
            if let Ok(value) = figment.find_value(key.path) {
                if let Value::Empty(..) = value {
                    continue;
                }
                match whole(&value) {
                    Some(n) if (i128::from(min)..=i128::from(max)).contains(&n) => {}
                    _ => problems.push(format!(
                        "{}: must be a whole number from {min} to {max}, not {}",
                        origin(figment, key),
                        shown(key, &value)
                    )),
                }
            }
        }
    }
    if settings.listen.parse::<std::net::SocketAddr>().is_err() {
        let key = key_at("listen").expect("a key");
        problems.push(format!(
            "{}: not an address and port (`127.0.0.1:8080`, `[::]:8080`): `{}`",
            origin(figment, key),
            settings.listen
        ));
    }
    if let Err(e) = settings.mail.smtp_tls.parse::<portico_mail::TlsMode>() {
        let key = key_at("mail.smtp_tls").expect("a key");
        problems.push(format!("{}: {e}", origin(figment, key)));
    }
    if let Some(url) = &settings.database.url {
        let pg = portico_store_postgres::PgConfig::new(url.clone());
        if pg.check().is_err() {
            let key = key_at("database.url").expect("a key");
            problems.push(format!(
                "{}: not a PostgreSQL database URL (`postgres://user:password@host:port/database`)",
                origin(figment, key)
            ));
        }
    }
    match problems.is_empty() {
        true => Ok(settings),
        false => Err(ConfigError(problems.join("\n"))),
    }
}

/// Where `key`'s value in `figment` came from: the file and the key, the environment
/// variable, the flag, or the default.
pub fn origin(figment: &Figment, key: &Key) -> String {
    let metadata = figment.find_metadata(key.path);
    from_layer(metadata, key.path)
}

/// The layer `key`'s value in `figment` came from: `the default`, the file, the environment
/// variable or the flag.
pub fn source(figment: &Figment, key: &Key) -> String {
    match figment.find_metadata(key.path) {
        Some(md) if md.name == ENVIRONMENT => key.env.to_string(),
        Some(md) if md.name == COMMAND_LINE => key.flag.unwrap_or(key.path).to_string(),
        Some(md) => match md.source.as_ref().and_then(|s| s.file_path()) {
            Some(file) => file.display().to_string(),
            None => "the default".into(),
        },
        None => "the default".into(),
    }
}

/// Names `path` as the layer described by `metadata` spells it.
fn from_layer(metadata: Option<&Metadata>, path: &str) -> String {
    let key = key_at(path);
    match metadata {
        Some(md) if md.name == ENVIRONMENT => key.map_or(path.to_string(), |k| k.env.to_string()),
        Some(md) if md.name == COMMAND_LINE => key
            .and_then(|k| k.flag)
            .map_or(path.to_string(), str::to_string),
        Some(md) => match md.source.as_ref().and_then(|s| s.file_path()) {
            Some(file) => format!("{}: `{path}`", file.display()),
            None => format!("`{path}` (the default)"),
        },
        None => format!("`{path}`"),
    }
}

/// One message per problem in `error`, each naming the key and where its value came from.
fn describe(error: figment::Error, figment: &Figment) -> ConfigError {
    let mut messages = Vec::new();
    for e in error {
        let mut path = e.path.join(".");
        let message = match &e.kind {
            ErrorKind::UnknownField(field, expected) => {
                // The path names the unknown key itself, or only its table.
                if e.path.last() != Some(field) {
                    path = match path.is_empty() {
                        true => field.clone(),
                        false => format!("{path}.{field}"),
                    };
                }
                format!("unknown key; expected one of: {}", expected.join(", "))
            }
            kind if key_at(&path).is_some_and(|k| k.secret != Secret::No) => {
                let _ = kind;
                "must be text (the value is not shown: it is a secret)".to_string()
            }
            ErrorKind::InvalidType(actual, expected) => {
                format!(
                    "invalid type: found {actual}, expected {}",
                    expected_type(&path, expected)
                )
            }
            ErrorKind::InvalidValue(actual, expected) => {
                format!(
                    "invalid value: found {actual}, expected {}",
                    expected_type(&path, expected)
                )
            }
            kind => kind.to_string(),
        };
        // Only the file can hold a key no setting has.
        let metadata = match &e.kind {
            ErrorKind::UnknownField(..) => file_metadata(figment),
            _ => e.metadata.as_ref(),
        };
        if path.is_empty() {
            let source = metadata
                .and_then(|md| md.source.as_ref())
                .map_or(String::new(), |s| format!("{s}: "));
            messages.push(format!("{source}{message}"));
        } else {
            messages.push(format!("{}: {message}", from_layer(metadata, &path)));
        }
    }
    ConfigError(messages.join("\n"))
}

/// What a key takes, in the file's words rather than Rust's (`u64` is a whole number).
fn expected_type(path: &str, expected: &str) -> String {
    match key_at(path).map(|key| key.kind) {
        Some(Kind::Number { min, max }) => format!("a whole number from {min} to {max}"),
        Some(Kind::Switch) => "true or false".into(),
        Some(Kind::Text) => "text".into(),
        None if expected.starts_with("struct ") => "a table".into(),
        None => expected.to_string(),
    }
}

/// The file's layer, if one was read.
fn file_metadata(figment: &Figment) -> Option<&Metadata> {
    figment
        .metadata()
        .find(|md| md.source.as_ref().and_then(|s| s.file_path()).is_some())
}

/// `value` as a message may show it: hidden for a secret.
pub fn shown(key: &Key, value: &Value) -> String {
    match key.secret {
        Secret::No => match value {
            Value::String(_, s) => format!("`{s}`"),
            other => whole(other)
                .map(|n| n.to_string())
                .or_else(|| other.to_bool().map(|b| b.to_string()))
                .unwrap_or_else(|| "a value of another type".into()),
        },
        _ => "(hidden)".into(),
    }
}

/// A whole number's value, signed (as TOML's) or not (as the defaults' and the flags').
pub fn whole(value: &Value) -> Option<i128> {
    let n = value.to_num()?;
    n.to_u128()
        .and_then(|n| i128::try_from(n).ok())
        .or_else(|| n.to_i128())
}

/// The environment's layer: each key's variable, when set and not empty.
fn environment() -> Layer {
    let names: Vec<&str> = KEYS.iter().map(|key| key.env).collect();
    let entries = Env::raw()
        .only(&names)
        .iter()
        .filter(|(_, raw)| !raw.is_empty())
        .filter_map(|(name, raw)| {
            let key = KEYS
                .iter()
                .find(|key| name.as_str().eq_ignore_ascii_case(key.env))?;
            Some((key, typed(key, raw)))
        })
        .collect();
    Layer {
        name: ENVIRONMENT,
        entries,
    }
}

/// An environment variable's value as its key's type: text as it is (`12345` stays a user
/// name), a number or a switch parsed (left as text, and refused as such, when it is not one).
fn typed(key: &Key, raw: String) -> Value {
    match key.kind {
        Kind::Text => Value::from(raw),
        Kind::Number { .. } => raw
            .trim()
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(raw)),
        Kind::Switch => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Value::from(true),
            "false" | "0" | "no" | "off" => Value::from(false),
            _ => Value::from(raw),
        },
    }
}

/// A layer of values by key: the environment's or the command line's.
struct Layer {
    name: &'static str,
    entries: Vec<(&'static Key, Value)>,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (key, value) in &self.entries {
            insert(&mut dict, key.path, value.clone());
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// Puts `value` at `path` (`mail.smtp_host`) in `dict`, making its table when missing.
fn insert(dict: &mut Dict, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            dict.insert(path.to_string(), value);
        }
        Some((table, rest)) => {
            let entry = dict
                .entry(table.to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use figment::providers::{Format, Serialized, Toml};
    use figment::value::Value;
    use figment::Figment;

    use super::{whole, Settings, KEYS};

    fn docs(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(name)
    }

    fn plain(value: &Value) -> String {
        match value {
            Value::String(_, s) => s.clone(),
            other => whole(other)
                .map(|n| n.to_string())
                .or_else(|| other.to_bool().map(|b| b.to_string()))
                .unwrap_or_default(),
        }
    }

    /// A value the example file sets is the default, as the file says.
    #[test]
    fn the_example_file_holds_the_defaults() {
        let example = Figment::from(Toml::file_exact(docs("portico.example.toml")));
        let defaults = Figment::from(Serialized::defaults(Settings::default()));
        let mut set = 0;
        for key in KEYS {
            if let Ok(value) = example.find_value(key.path) {
                let default = defaults.find_value(key.path).unwrap();
                assert_eq!(plain(&value), plain(&default), "{}", key.path);
                set += 1;
            }
        }
        assert!(set > 10, "{set}");
    }

    /// The operations guide's table names every key with its flag and environment variable.
    #[test]
    fn the_operations_guide_lists_every_key() {
        let guide = std::fs::read_to_string(docs("operations.md")).unwrap();
        for key in KEYS {
            let row = guide
                .lines()
                .find(|line| line.starts_with(&format!("| `{}` |", key.path)))
                .unwrap_or_else(|| panic!("no row for {}", key.path));
            assert!(row.contains(&format!("`{}`", key.env)), "{row}");
            if let Some(flag) = key.flag {
                assert!(row.contains(&format!("`{flag}`")), "{row}");
            }
        }
    }
}
