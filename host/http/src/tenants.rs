//! Operator routes (tenants and their API keys) and a tenant's own settings and outbox.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Operator, TenantAuth};
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, OptionalJson, PageParams};
use portico_core::domain::{
    ApiKey, CreatedApiKey, Notification, Page, Tenant, TenantSettings, TenantSettingsPatch,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_tenant, list_tenants))
        .routes(routes!(get_tenant, delete_tenant))
        .routes(routes!(create_api_key, list_api_keys))
        .routes(routes!(revoke_api_key))
}

pub fn tenant_scoped_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, update_settings))
        .routes(routes!(list_notifications))
        .routes(routes!(acknowledge_notification))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    /// 2 to 64 lowercase letters, digits and `_`, unique.
    #[schema(pattern = "^[a-z0-9_]{2,64}$")]
    namespace: String,
    /// The display name (the namespace when absent).
    #[schema(
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        max_length = 200
    )]
    name: Option<String>,
}

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
}

#[derive(Deserialize)]
struct KeyPath {
    tenant: String,
    key_id: String,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewApiKey {
    /// What the key is for (`default` when absent).
    #[schema(
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        max_length = 200
    )]
    name: Option<String>,
}

#[derive(serde::Serialize, ToSchema)]
struct Items<T> {
    items: Vec<T>,
}

/// Creates a tenant.
#[utoipa::path(post, path = "/v1/tenants", tag = "tenants", operation_id = "createTenant",
    security(("operatorToken" = [])), request_body = NewTenant,
    responses((status = 201, body = Tenant),
        (status = 400, description = "`invalid_namespace`, `invalid_name`"),
        (status = 409, description = "`namespace_taken`")))]
async fn create_tenant(
    _: Operator,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewTenant>,
) -> ApiResult<(StatusCode, Json<Tenant>)> {
    let tenant = blocking(&s, move |d| {
        d.tenants
            .create_tenant(&body.namespace, body.name.as_deref())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(tenant)))
}

/// Lists the tenants.
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", operation_id = "listTenants",
    security(("operatorToken" = [])), params(PageParams),
    responses((status = 200, body = Page<Tenant>),
        (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list_tenants(
    _: Operator,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Tenant>>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.list_tenants(&p.into())).await?,
    ))
}

/// Reads a tenant.
#[utoipa::path(get, path = "/v1/tenants/{tenant}", tag = "tenants", operation_id = "getTenant",
    security(("operatorToken" = [])),
    responses((status = 200, body = Tenant), (status = 404, description = "`tenant_not_found`")))]
async fn get_tenant(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
) -> ApiResult<Json<Tenant>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.get_tenant(&p.tenant)).await?,
    ))
}

/// Deletes a tenant and all its data.
#[utoipa::path(delete, path = "/v1/tenants/{tenant}", tag = "tenants", operation_id = "deleteTenant",
    security(("operatorToken" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`tenant_not_found`")))]
async fn delete_tenant(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.tenants.delete_tenant(&p.tenant)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates an API key for the tenant: shown once, stored as a digest.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/api-keys", tag = "tenants", operation_id = "createApiKey",
    security(("operatorToken" = [])), request_body(content = Option<NewApiKey>, description = "Optional"),
    responses((status = 201, body = CreatedApiKey),
        (status = 400, description = "`invalid_name`"), (status = 404, description = "`tenant_not_found`")))]
async fn create_api_key(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    OptionalJson(body): OptionalJson<NewApiKey>,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    let name = body.name;
    let key = blocking(&s, move |d| {
        d.tenants.create_api_key(&p.tenant, name.as_deref())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// Lists the tenant's API keys (metadata only).
#[utoipa::path(get, path = "/v1/tenants/{tenant}/api-keys", tag = "tenants", operation_id = "listApiKeys",
    security(("operatorToken" = [])),
    responses((status = 200, body = Items<ApiKey>), (status = 404, description = "`tenant_not_found`")))]
async fn list_api_keys(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
) -> ApiResult<Json<Items<ApiKey>>> {
    let items = blocking(&s, move |d| d.tenants.list_api_keys(&p.tenant)).await?;
    Ok(Json(Items { items }))
}

/// Revokes one of the tenant's API keys.
#[utoipa::path(delete, path = "/v1/tenants/{tenant}/api-keys/{key_id}", tag = "tenants", operation_id = "revokeApiKey",
    security(("operatorToken" = [])),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "`tenant_not_found`, `api_key_not_found`")))]
async fn revoke_api_key(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<KeyPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.tenants.revoke_api_key(&p.tenant, &p.key_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant's settings.
#[utoipa::path(get, path = "/settings", tag = "settings", operation_id = "getSettings",
    security(("tenantApiKey" = [])), responses((status = 200, body = TenantSettings)))]
async fn get_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<TenantSettings>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.tenant_settings(&t)).await?,
    ))
}

/// Changes the settings the patch names; nothing is kept when one is refused.
#[utoipa::path(patch, path = "/settings", tag = "settings", operation_id = "updateSettings",
    security(("tenantApiKey" = [])), request_body = TenantSettingsPatch,
    responses((status = 200, body = TenantSettings),
        (status = 400, description = "`invalid_setting`, `invalid_mail_sender`")))]
async fn update_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(patch): ApiJson<TenantSettingsPatch>,
) -> ApiResult<Json<TenantSettings>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.update_tenant_settings(&t, patch)).await?,
    ))
}

#[derive(Deserialize)]
struct NotificationPath {
    notification: String,
}

/// A delivery worker acknowledges a message it delivered: it leaves the outbox.
#[utoipa::path(delete, path = "/notifications/{notification}", tag = "notifications", operation_id = "acknowledgeNotification",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Acknowledged"), (status = 404, description = "`notification_not_found`")))]
async fn acknowledge_notification(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<NotificationPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| {
        d.notifications
            .acknowledge_notification(&t, &p.notification)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant's outbox, oldest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", operation_id = "listNotifications",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<Notification>),
        (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list_notifications(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Notification>>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.notifications.list_notifications(&t, &p.into())
        })
        .await?,
    ))
}
