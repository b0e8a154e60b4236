//! Browser origins: the tenant setting `allowedOrigins` (the pages whose scripts may call the
//! tenant's public app routes), each an exact origin as a browser's `Origin` header names it:
//! `http` or `https`, a host, an optional port; no path, no trailing slash, no wildcard.

use super::error::{DomainError, DomainResult};
use super::Tenants;
use crate::tenants::TenantSettings;

/// Most origins a tenant may allow: an app's production, staging and local origins fit many
/// times over, and every browser request of the tenant's apps is checked against the list.
pub const MAX_ALLOWED_ORIGINS: usize = 32;
/// Longest origin accepted, in characters: a host name (at most 253) with its scheme and port.
pub const MAX_ORIGIN_LEN: usize = 300;
/// Longest label of a host name (between dots).
const MAX_HOST_LABEL_LEN: usize = 63;

/// `origin` as a browser serialises it (scheme and host lowercased, the scheme's default port
/// left out), or `None` when it is not `http(s)://host[:port]`.
pub fn normalize_origin(origin: &str) -> Option<String> {
    if origin.len() > MAX_ORIGIN_LEN {
        return None;
    }
    let (scheme, authority) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (host, port) = split_host_port(authority)?;
    let host = host.to_ascii_lowercase();
    match port {
        Some(port) if port != default_port => Some(format!("{scheme}://{host}:{port}")),
        _ => Some(format!("{scheme}://{host}")),
    }
}

/// Splits `host[:port]` (an IPv6 host in brackets), each part checked.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        let (host, rest) = authority.split_at(end);
        let inner = &host[1..host.len() - 1];
        let ok = !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        (ok.then_some(host)?, rest)
    } else {
        let end = authority.find(':').unwrap_or(authority.len());
        let (host, rest) = authority.split_at(end);
        (valid_host_name(host).then_some(host)?, rest)
    };
    if port.is_empty() {
        return Some((host, None));
    }
    let digits = port.strip_prefix(':')?;
    let ok = (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    let port: u16 = ok.then(|| digits.parse().ok()).flatten()?;
    (port != 0).then_some((host, Some(port)))
}

/// A host name or IPv4 address: dot-separated labels of ASCII letters, digits and `-` (not at a
/// label's ends), none empty (so no trailing dot). International names go in their `xn--` form,
/// as browsers send them.
fn valid_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            (1..=MAX_HOST_LABEL_LEN).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Checks a new `allowedOrigins` list: each an exact origin (normalised as a browser sends it),
/// at most `MAX_ALLOWED_ORIGINS`; a repeated origin is kept once.
pub(crate) fn validate_allowed_origins(origins: Vec<String>) -> DomainResult<Vec<String>> {
    if origins.len() > MAX_ALLOWED_ORIGINS {
        return Err(DomainError::bad_request(
            "invalid_setting",
            format!(
                "allowedOrigins holds at most {MAX_ALLOWED_ORIGINS} origins \
                 (MAX_ALLOWED_ORIGINS); {} given",
                origins.len()
            ),
        ));
    }
    let mut allowed: Vec<String> = Vec::with_capacity(origins.len());
    for (i, origin) in origins.iter().enumerate() {
        let normal = normalize_origin(origin).ok_or_else(|| {
            DomainError::bad_request(
                "invalid_setting",
                format!(
                    "allowedOrigins[{i}] must be an exact origin such as \
                     'https://app.example.com' (http or https, a host, an optional port; no \
                     path, trailing slash or wildcard; at most {MAX_ORIGIN_LEN} characters)"
                ),
            )
        })?;
        if !allowed.contains(&normal) {
            allowed.push(normal);
        }
    }
    Ok(allowed)
}

impl TenantSettings {
    /// Whether a browser's `Origin` header value is one of `allowed_origins` (compared as a
    /// browser serialises origins; `null` and anything else that is not an origin never is).
    pub fn allows_origin(&self, origin: &str) -> bool {
        normalize_origin(origin).is_some_and(|origin| self.allowed_origins.contains(&origin))
    }
}

impl Tenants {
    /// Whether the tenant named `namespace` allows a browser `Origin` header value (its
    /// `allowedOrigins` setting, cached until the configuration changes). A namespace no tenant
    /// has allows nothing, answered as a refused origin so it reveals nothing.
    pub fn origin_allowed(&self, namespace: &str, origin: &str) -> DomainResult<bool> {
        if normalize_origin(origin).is_none() {
            return Ok(false);
        }
        let tenant = match self.get_tenant(namespace) {
            Err(DomainError::NotFound { .. }) => return Ok(false),
            other => other?,
        };
        Ok(self.tenant_settings(&tenant)?.allows_origin(origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_as_browsers_send_them() {
        for (given, normal) in [
            ("https://app.example.com", "https://app.example.com"),
            ("HTTPS://App.Example.COM", "https://app.example.com"),
            ("https://app.example.com:443", "https://app.example.com"),
            ("http://localhost:80", "http://localhost"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("https://app.example.com:80", "https://app.example.com:80"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:5173", "http://[::1]:5173"),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
            ),
        ] {
            assert_eq!(normalize_origin(given).as_deref(), Some(normal), "{given}");
        }
    }

    #[test]
    fn what_is_not_an_exact_origin_is_refused() {
        let long = format!("https://{}.example.com", vec!["a".repeat(60); 5].join("."));
        for bad in [
            "*",
            "null",
            "",
            "app.example.com",
            "https://",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com?q=1",
            "https://app.example.com#x",
            "https://user@app.example.com",
            "https://*.example.com",
            "ftp://app.example.com",
            "https://app.example.com:",
            "https://app.example.com:0",
            "https://app.example.com:65536",
            "https://app.example.com:+80",
            "https://app..example.com",
            "https://app.example.com.",
            "https://-app.example.com",
            "https://app example.com",
            "https://bücher.example",
            "http://[]:80",
            "http://[::1",
            "http://[::1]x",
            long.as_str(),
        ] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_list_is_bounded_and_kept_once_each() {
        let at_limit: Vec<String> = (0..MAX_ALLOWED_ORIGINS)
            .map(|i| format!("https://app{i}.example.com"))
            .collect();
        assert_eq!(
            validate_allowed_origins(at_limit.clone()).unwrap().len(),
            MAX_ALLOWED_ORIGINS
        );
        let mut past = at_limit;
        past.push("https://one-more.example.com".into());
        let err = validate_allowed_origins(past).unwrap_err().to_string();
        assert!(err.contains("MAX_ALLOWED_ORIGINS"), "{err}");
        let repeated = vec![
            "https://a.example".to_string(),
            "HTTPS://A.example:443".to_string(),
        ];
        assert_eq!(
            validate_allowed_origins(repeated).unwrap(),
            ["https://a.example"]
        );
        let err = validate_allowed_origins(vec!["https://ok.example".into(), "*".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("allowedOrigins[1]"), "{err}");
    }

    #[test]
    fn an_origin_is_allowed_only_when_listed() {
        let settings = TenantSettings {
            allowed_origins: vec!["https://app.example.com".into()],
            ..TenantSettings::default()
        };
        assert!(settings.allows_origin("https://app.example.com"));
        assert!(settings.allows_origin("https://app.example.com:443"));
        assert!(!settings.allows_origin("http://app.example.com"));
        assert!(!settings.allows_origin("https://evil.example.com"));
        assert!(!settings.allows_origin("https://app.example.com.evil.example"));
        assert!(!settings.allows_origin("null"));
        assert!(!TenantSettings::default().allows_origin("https://app.example.com"));
    }
}
