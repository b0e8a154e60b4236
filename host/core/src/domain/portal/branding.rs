//! The portal's look and where its links lead: `displayName`, `primaryColor`,
//! `backgroundColor`, `logoUrl` (the built-in pages show them) and `pagesUrl` (a tenant's own
//! front end, which then receives the links of the tenant's notifications).
//!
//! Every value ends up in a page, a stylesheet or a mail, so each is checked to the one shape it
//! may take: a colour is `#rrggbb` (nothing a stylesheet could read as more), a logo is an
//! `https` URL (the pages' Content-Security-Policy admits images from https only), and the
//! front end's URL has no query or fragment for a token to be appended after.

use url::Url;

use super::PortalSettings;
use crate::domain::error::{DomainError, DomainResult};
use crate::emails::invisible_or_bidi;

/// Longest display name, in characters: a heading, not a paragraph.
pub const MAX_DISPLAY_NAME_LEN: usize = 100;
/// Longest `logoUrl` or `pagesUrl`, in characters (what browsers and mail clients handle).
pub const MAX_BRANDING_URL_LEN: usize = 2000;

/// The branding part of a settings patch: each field absent (kept), `null` (unset) or a value.
#[derive(Debug, Default)]
pub(crate) struct BrandingPatch {
    pub display_name: Option<Option<String>>,
    pub primary_color: Option<Option<String>>,
    pub background_color: Option<Option<String>>,
    pub logo_url: Option<Option<String>>,
    pub pages_url: Option<Option<String>>,
}

fn invalid(message: String) -> DomainError {
    DomainError::bad_request("invalid_setting", message)
}

/// Applies `check` to a set value, passing absent and `null` through.
fn checked(
    value: Option<Option<String>>,
    check: impl Fn(&str) -> DomainResult<String>,
) -> DomainResult<Option<Option<String>>> {
    value.map(|v| v.map(|s| check(&s)).transpose()).transpose()
}

impl BrandingPatch {
    /// Checks every value given, then applies them; a refused value leaves `s` as it was.
    pub(crate) fn apply(self, s: &mut PortalSettings) -> DomainResult<()> {
        let name = checked(self.display_name, validate_display_name)?;
        let primary = checked(self.primary_color, |c| validate_color("primaryColor", c))?;
        let background = checked(self.background_color, |c| {
            validate_color("backgroundColor", c)
        })?;
        let logo = checked(self.logo_url, validate_logo_url)?;
        let pages = checked(self.pages_url, validate_pages_url)?;
        let set = |field: &mut Option<String>, value: Option<Option<String>>| {
            if let Some(value) = value {
                *field = value;
            }
        };
        set(&mut s.display_name, name);
        set(&mut s.primary_color, primary);
        set(&mut s.background_color, background);
        set(&mut s.logo_url, logo);
        set(&mut s.pages_url, pages);
        Ok(())
    }
}

/// A display name: 1 to `MAX_DISPLAY_NAME_LEN` printable characters on one line.
pub fn validate_display_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    let printable = !name.chars().any(|c| c.is_control() || invisible_or_bidi(c));
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME_LEN || !printable {
        return Err(invalid(format!(
            "displayName must be 1 to {MAX_DISPLAY_NAME_LEN} printable characters on one line"
        )));
    }
    Ok(name.to_string())
}

/// A colour `#rrggbb` (`#rgb` is widened), stored lowercase.
pub fn validate_color(key: &str, color: &str) -> DomainResult<String> {
    let hex = color.strip_prefix('#').unwrap_or("");
    let hex_ok = hex.bytes().all(|b| b.is_ascii_hexdigit());
    let widened = match hex.len() {
        6 if hex_ok => hex.to_string(),
        3 if hex_ok => hex.chars().flat_map(|c| [c, c]).collect(),
        _ => {
            return Err(invalid(format!(
                "{key} must be a colour like '#1a73e8' ('#' and 6 hex digits)"
            )))
        }
    };
    Ok(format!("#{}", widened.to_ascii_lowercase()))
}

/// An absolute `http(s)` URL of at most `MAX_BRANDING_URL_LEN` characters, with a host and no
/// credentials, as `url` parses it.
fn parse_web_url(key: &str, raw: &str, https_only: bool) -> DomainResult<Url> {
    let schemes = if https_only { "https" } else { "http or https" };
    let refuse = || {
        invalid(format!(
            "{key} must be an absolute {schemes} URL of at most {MAX_BRANDING_URL_LEN} characters"
        ))
    };
    if raw.chars().count() > MAX_BRANDING_URL_LEN {
        return Err(refuse());
    }
    let url = Url::parse(raw).map_err(|_| refuse())?;
    let scheme_ok = url.scheme() == "https" || (!https_only && url.scheme() == "http");
    if !scheme_ok || url.host_str().is_none_or(str::is_empty) {
        return Err(refuse());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(format!("{key} must not carry credentials")));
    }
    Ok(url)
}

/// The logo: an `https` URL (the pages admit images from https only).
pub fn validate_logo_url(raw: &str) -> DomainResult<String> {
    Ok(parse_web_url("logoUrl", raw, true)?.to_string())
}

/// The front end's base URL: `http(s)`, no query or fragment; kept without a trailing `/` so
/// that links append `/signup?token=...`.
pub fn validate_pages_url(raw: &str) -> DomainResult<String> {
    let url = parse_web_url("pagesUrl", raw, false)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "pagesUrl must not have a query or a fragment: links append their own".into(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_take_one_shape() {
        assert_eq!(validate_color("c", "#1A73E8").unwrap(), "#1a73e8");
        assert_eq!(validate_color("c", "#fa0").unwrap(), "#ffaa00");
        for bad in ["1a73e8", "#1a73e", "#12345g", "red", "#fff;}body{", ""] {
            assert!(validate_color("c", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(validate_logo_url("https://cdn.example.com/logo.png").is_ok());
        assert!(validate_logo_url("http://cdn.example.com/logo.png").is_err());
        assert!(validate_logo_url("javascript:alert(1)").is_err());
        assert!(validate_logo_url("https://u:p@example.com/l.png").is_err());
        let long = format!("https://example.com/{}", "a".repeat(MAX_BRANDING_URL_LEN));
        assert!(validate_logo_url(&long).is_err());
        assert_eq!(
            validate_pages_url("https://app.example.com/portal/").unwrap(),
            "https://app.example.com/portal"
        );
        assert!(validate_pages_url("https://app.example.com/?a=1").is_err());
        assert!(validate_pages_url("https://app.example.com/#x").is_err());
        assert!(validate_pages_url("ftp://app.example.com").is_err());
    }

    #[test]
    fn display_names_are_one_printable_line() {
        assert_eq!(validate_display_name(" Acme ").unwrap(), "Acme");
        assert!(validate_display_name("a\nb").is_err());
        assert!(validate_display_name("").is_err());
        assert!(validate_display_name(&"x".repeat(MAX_DISPLAY_NAME_LEN + 1)).is_err());
        assert!(validate_display_name("ab\u{202e}c").is_err());
    }
}
