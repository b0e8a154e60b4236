//! The tenant's portal as stored: its settings (one record per tenant) and its pages.

use serde::{Deserialize, Serialize};

/// Default number of portal users a tenant's licence allows.
pub const DEFAULT_MAX_PORTAL_USERS: u64 = 100;
/// Default lifetime of a signup link: 7 days.
pub const DEFAULT_SIGNUP_LINK_TTL_SECS: u64 = 7 * 24 * 3600;
/// Failed sign-ins in a row that lock an account by default.
pub const DEFAULT_MAX_FAILED_SIGN_INS: u32 = 5;
/// How long a lock lasts by default: 15 minutes.
pub const DEFAULT_LOCKOUT_SECS: u64 = 15 * 60;
/// The login page's title while `loginTitle` is unset (seed 002 types it optional).
pub const DEFAULT_LOGIN_TITLE: &str = "Sign in";

/// Portal settings (`getSettings`); a tenant that never changed them has the defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct PortalSettings {
    /// The title on the portal's login page; `None` (unset) shows `DEFAULT_LOGIN_TITLE`.
    pub login_title: Option<String>,
    /// Only a published portal lets external users sign in.
    pub published: bool,
    /// Portal licences: the most portal users the tenant may have.
    pub max_portal_users: u64,
    /// Lifetime of a new signup link, in seconds.
    pub signup_link_ttl_seconds: u64,
    /// Failed sign-ins in a row that lock an email.
    pub max_failed_sign_ins: u32,
    /// How long a lock lasts, in seconds.
    pub lockout_seconds: u64,
    /// The portal's name on its pages; the tenant's name when unset.
    pub display_name: Option<String>,
    /// The pages' main colour (buttons, links, focus rings), `#rrggbb`; Portico's when unset.
    pub primary_color: Option<String>,
    /// The pages' background colour, `#rrggbb`; Portico's when unset.
    pub background_color: Option<String>,
    /// An `https` URL of the logo the pages show above their title.
    pub logo_url: Option<String>,
    /// The base URL of the tenant's own front end: when set, the links in the tenant's
    /// notifications lead there (`{pagesUrl}/signup?token=...`, `{pagesUrl}/reset?code=...`,
    /// `{pagesUrl}/?authToken=...`) instead of to Portico's pages.
    pub pages_url: Option<String>,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings {
            login_title: Some(DEFAULT_LOGIN_TITLE.into()),
            published: false,
            max_portal_users: DEFAULT_MAX_PORTAL_USERS,
            signup_link_ttl_seconds: DEFAULT_SIGNUP_LINK_TTL_SECS,
            max_failed_sign_ins: DEFAULT_MAX_FAILED_SIGN_INS,
            lockout_seconds: DEFAULT_LOCKOUT_SECS,
            display_name: None,
            primary_color: None,
            background_color: None,
            logo_url: None,
            pages_url: None,
        }
    }
}

impl PortalSettings {
    /// The title the login page shows.
    pub fn shown_login_title(&self) -> &str {
        self.login_title.as_deref().unwrap_or(DEFAULT_LOGIN_TITLE)
    }
}

/// A portal page (`getPages`), unique by code in its tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalPage {
    /// The page's code: its key in the tenant.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub code: String,
    /// The page's title.
    pub title: String,
    /// The page's path, starting with `/`.
    pub path: String,
    /// Whether the page is shown.
    pub visible: bool,
}
