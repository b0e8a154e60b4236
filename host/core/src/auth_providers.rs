//! Auth providers as stored: how a tenant's portal users sign up and sign in (OneEntry's auth
//! providers). A provider names the form whose login and password markers hold the credentials,
//! the group sign-ups join, and whether sign-up is open and needs an activation code.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kinds of provider. Only `email` is supported: the login is an email, the secret a
/// password, both fields of the provider's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AuthProviderType {
    /// Sign-in by email and password.
    Email,
}

impl AuthProviderType {
    /// The type's name as the API shows it.
    pub fn name(self) -> &'static str {
        match self {
            AuthProviderType::Email => "email",
        }
    }

    /// The type named `name`, if it is supported.
    pub fn from_name(name: &str) -> Option<AuthProviderType> {
        match name {
            "email" => Some(AuthProviderType::Email),
            _ => None,
        }
    }
}

/// Texts of a provider per language code: `{"en_US": {"title": "Email"}}`.
pub type LocalizeInfos = BTreeMap<String, Map<String, Value>>;

/// An auth provider as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthProvider {
    /// The provider's marker, unique in the tenant (`email`).
    pub identifier: String,
    /// Its number in the tenant (`NumberSequence::AuthProviders`), OneEntry's numeric `id`.
    pub number: u64,
    /// Its type.
    #[serde(rename = "type")]
    pub provider_type: AuthProviderType,
    /// The form whose login and password markers hold the credentials.
    pub form_identifier: String,
    /// The group (by name) that users who sign up through the provider join, if any.
    pub user_group_identifier: Option<String>,
    /// Whether users may sign in and up through it.
    pub is_active: bool,
    /// Whether a sign-up must be activated with a code sent to the user.
    pub is_check_code: bool,
    /// Whether users may sign up by themselves.
    pub self_signup: bool,
    /// Texts per language code (`title`, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub localize_infos: LocalizeInfos,
    /// Free settings (a JSON object).
    pub config: Map<String, Value>,
    /// 1 when created, one more on every update.
    pub version: u64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}
