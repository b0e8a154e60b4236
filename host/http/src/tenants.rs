//! Operator routes (tenants and their API keys) and a tenant's own settings and outbox.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::{Operator, TenantAuth};
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, OptionalJson, PageParams};
use portico_core::domain::{
    ApiKey, CreatedApiKey, Notification, Page, Tenant, TenantSettings, TenantSettingsPatch,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants", post(create_tenant).get(list_tenants))
        .route(
            "/v1/tenants/{tenant}",
            get(get_tenant).delete(delete_tenant),
        )
        .route(
            "/v1/tenants/{tenant}/api-keys",
            post(create_api_key).get(list_api_keys),
        )
        .route(
            "/v1/tenants/{tenant}/api-keys/{key_id}",
            delete(revoke_api_key),
        )
}

pub fn tenant_scoped_routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(get_settings).patch(update_settings))
        .route("/notifications", get(list_notifications))
        .route(
            "/notifications/{notification}",
            delete(acknowledge_notification),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    namespace: String,
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewApiKey {
    name: Option<String>,
}

#[derive(serde::Serialize)]
struct Items<T> {
    items: Vec<T>,
}

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

async fn list_tenants(
    _: Operator,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Tenant>>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.list_tenants(&p.into())).await?,
    ))
}

async fn get_tenant(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
) -> ApiResult<Json<Tenant>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.get_tenant(&p.tenant)).await?,
    ))
}

async fn delete_tenant(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.tenants.delete_tenant(&p.tenant)).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

async fn list_api_keys(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
) -> ApiResult<Json<Items<ApiKey>>> {
    let items = blocking(&s, move |d| d.tenants.list_api_keys(&p.tenant)).await?;
    Ok(Json(Items { items }))
}

async fn revoke_api_key(
    _: Operator,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<KeyPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.tenants.revoke_api_key(&p.tenant, &p.key_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<TenantSettings>> {
    Ok(Json(
        blocking(&s, move |d| d.tenants.tenant_settings(&t)).await?,
    ))
}

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
