//! The layer's answers and bodies as the OpenAPI document describes them. The handlers build
//! their answers as JSON in `shapes` (the shapes the SDK's validation schemas expect) and read
//! some bodies as free JSON objects; these types only describe those shapes to the document, and
//! the contract tests hold the two together.

#![allow(dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

/// `AuthEntitySchema`: what `auth` and `refresh` answer.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct AuthEntity {
    /// The user's email.
    user_identifier: String,
    /// The provider signed in through.
    auth_provider_identifier: String,
    /// The access token (a bearer token).
    access_token: String,
    /// The refresh token.
    refresh_token: String,
    /// Seconds the access token lives.
    expires_in: u64,
}

/// `notificationData` of a signed-up account.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct SignedUpContacts {
    /// The contact email.
    email: Value,
    /// Phone numbers for push messages.
    phone_push: Value,
    /// The phone number for SMS, when set.
    #[schema(rename = "phoneSMS", required = false)]
    phone_sms: Option<Value>,
}

/// `SignUpResponseSchema`: the account a sign-up created, with its form data in the language.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct SignedUpEntity {
    /// The user's number in the tenant.
    id: u64,
    /// The user's email.
    identifier: String,
    /// Whether the account is active (false while it waits for its activation code).
    is_active: bool,
    /// The form data written, in the language.
    form_data: Vec<Value>,
    /// The contact channels.
    notification_data: SignedUpContacts,
    /// The language.
    locale: String,
    /// When the account was created.
    created_date: chrono::DateTime<chrono::Utc>,
    /// When the account last changed.
    updated_date: chrono::DateTime<chrono::Utc>,
    /// Always 0.
    version: u32,
    /// Always `{}`.
    state: Value,
}

/// `UserEntitySchema`: the signed-in user with their data of their provider's form.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct UserEntity {
    /// The user's number in the tenant.
    id: u64,
    /// The user's email.
    identifier: String,
    /// The provider the session came through (empty when none).
    auth_provider_identifier: String,
    /// The provider's form (empty when none).
    form_identifier: String,
    /// The user's data of that form in the language.
    form_data: Vec<Value>,
    /// The contact channels, or `null`.
    notification_data: Option<Value>,
    /// The names of the user's groups.
    groups: Vec<String>,
    /// Free JSON kept by `updateUser` (an object).
    state: Value,
    /// Always `"1"`.
    total: String,
    /// Always `[]`.
    module_form_configs: Vec<Value>,
}

/// The title of a form, a field or a provider in the language asked for.
#[derive(ToSchema)]
pub struct OneEntryTitle {
    /// The text.
    title: String,
}

/// A field of a form (`attributes`).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct FormAttribute {
    /// The field's marker.
    marker: String,
    /// The field's marker, again.
    identifier: String,
    /// The field's type (`string`, `integer`, ...).
    #[schema(rename = "type")]
    field_type: String,
    /// Whether a value is required.
    is_required: bool,
    /// Always true.
    is_visible: bool,
    /// Whether it is the form's login marker.
    is_login: bool,
    /// Its place in the form, from 0.
    position: u32,
    /// Its label in the language.
    localize_infos: OneEntryTitle,
    /// The field's settings.
    settings: Value,
}

/// `FormEntitySchema`: a form and its fields in one language.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct FormEntity {
    /// The form's number in the tenant.
    id: u64,
    /// The form's identifier.
    identifier: String,
    /// Its title in the language.
    localize_infos: OneEntryTitle,
    /// Always 0.
    version: u32,
    /// The form's number, again.
    position: u64,
    /// Always `db`.
    processing_type: String,
    /// Always `null`.
    #[schema(rename = "type")]
    form_type: Option<String>,
    /// Always `null`.
    attribute_set_id: Option<u64>,
    /// Always `null`.
    template_id: Option<u64>,
    /// The fields.
    attributes: Vec<FormAttribute>,
    /// Always `[]`.
    module_form_configs: Vec<Value>,
}

/// `getAllForms`: the forms in number order.
#[derive(ToSchema)]
pub struct FormList {
    /// How many forms the tenant has.
    total: u64,
    /// The forms of this page.
    items: Vec<FormEntity>,
}

/// `AuthProviderEntitySchema`: a provider in one language.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct AuthProviderEntity {
    /// The provider's number in the tenant.
    id: u64,
    /// The provider's identifier (its marker).
    identifier: String,
    /// `email`.
    #[schema(rename = "type")]
    provider_type: String,
    /// The form of its credentials.
    form_identifier: String,
    /// The group sign-ups join (empty when none).
    user_group_identifier: String,
    /// Whether it is active.
    is_active: bool,
    /// Whether sign-ups wait for an activation code.
    is_check_code: bool,
    /// Whether self sign-up is open.
    self_signup: bool,
    /// Its version.
    version: u64,
    /// Its texts in the language (`title`, ...).
    localize_infos: Value,
    /// Its configuration.
    config: Value,
}

/// The device a session came from (`x-device-metadata`).
#[derive(ToSchema)]
pub struct OneEntryDeviceInfo {
    /// The operating system (empty when not told).
    os: String,
    /// The browser (empty when not told).
    browser: String,
    /// The location (empty when not told).
    location: String,
}

/// `ActiveSessionSchema`: one live session of the signed-in user.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OneEntryActiveSession {
    /// The device it came from.
    device_info: OneEntryDeviceInfo,
    /// The provider it came through, when any.
    auth_provider_identifier: Option<String>,
    /// When it started.
    started_at: chrono::DateTime<chrono::Utc>,
    /// When its refresh token expires.
    expires_at: chrono::DateTime<chrono::Utc>,
    /// Whether it is the session asking.
    current: bool,
}

/// `{"success": true}`.
#[derive(ToSchema)]
pub struct OneEntrySuccess {
    /// Always true.
    success: bool,
}

/// One `{marker, value}` of `authData`.
#[derive(ToSchema)]
pub struct OneEntryAuthDatum {
    /// The form's marker.
    marker: String,
    /// Its value.
    value: Value,
}

/// `signUp`'s body: the credentials (`authData`), the form data and the contacts.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OneEntrySignUpBody {
    /// The provider form's login and password markers with their values.
    auth_data: Vec<OneEntryAuthDatum>,
    /// The form data: one `{marker, type, value}`, a list, or a map keyed by language.
    #[schema(required = false)]
    form_data: Option<Value>,
    /// The contact channels (`email`, `phonePush`, `phoneSMS`).
    #[schema(required = false)]
    notification_data: Option<Value>,
    /// The language of the form data.
    #[schema(required = false)]
    lang_code: Option<String>,
}

/// `updateUser`'s body as the SDK sends it (numbers may come as strings).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OneEntryUpdateUserBody {
    /// The form whose data `formData` holds.
    #[schema(required = false)]
    form_identifier: Option<String>,
    /// A new password or login email, by the form's markers.
    #[schema(required = false)]
    auth_data: Option<Vec<OneEntryAuthDatum>>,
    /// The form data: one `{marker, type, value}`, a list, or a map keyed by language.
    #[schema(required = false)]
    form_data: Option<Value>,
    /// The contact channels.
    #[schema(required = false)]
    notification_data: Option<Value>,
    /// Free JSON kept for the user.
    #[schema(required = false)]
    state: Option<Value>,
    /// The language of the form data (wins over the query's).
    #[schema(required = false)]
    lang_code: Option<String>,
}

/// The events one-time codes are for.
#[derive(ToSchema)]
#[allow(non_camel_case_types)]
pub enum OneEntryCodeEvent {
    /// Activates a signed-up account.
    activation,
    /// Sets a new password.
    password_reset,
}
