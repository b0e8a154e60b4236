//! `/v1/tenants/{tenant}/plugins...`: upload components, versions, activate and roll back,
//! bindings, dry runs, the invocation log, the tenant's plugin limits (tenant API key); and
//! the operator's `/v1/plugin-limits` (maximum for every tenant) and `/v1/plugin-runtime`
//! (process-wide counters).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::auth::{Operator, TenantAuth};
use super::{blocking, ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::plugins::{
    Binding, BindingPatch, BindingRun, DryRun, InvocationRecord, NewBinding, OperatorLimitsView,
    PluginLimitsView, PluginRuntimeView, PluginView, RunReport, UploadedVersion, VersionView,
};
use portico_core::domain::Page;
use portico_core::plugins::limits::{LimitOverrides, OPERATOR_MAX_COMPONENT_BYTES};

/// Largest upload body accepted by the route: above the operator's maximum component size, so
/// a component over the tenant's limit gets the domain's message naming that limit.
pub const MAX_UPLOAD_BODY_BYTES: usize = OPERATOR_MAX_COMPONENT_BYTES as usize + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/plugins",
            post(upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES))
                .get(list),
        )
        .route("/plugins/{plugin}", get(read).delete(remove))
        .route("/plugins/{plugin}/versions", get(versions))
        .route("/plugins/{plugin}/versions/{version}", get(version))
        .route(
            "/plugins/{plugin}/versions/{version}/dry-run",
            post(dry_run),
        )
        .route("/plugins/{plugin}/activate", post(activate))
        .route("/plugins/{plugin}/rollback", post(rollback))
        .route("/plugins/{plugin}/invocations", get(plugin_invocations))
        .route("/plugin-invocations", get(invocations))
        .route("/plugin-bindings", post(create_binding).get(list_bindings))
        .route(
            "/plugin-bindings/{binding}",
            get(read_binding)
                .patch(update_binding)
                .delete(delete_binding),
        )
        .route("/plugin-bindings/{binding}/invoke", post(invoke_binding))
        .route("/plugin-limits", get(limits).put(set_limits))
}

/// Operator routes, outside any tenant.
pub fn operator_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/plugin-limits",
            get(operator_limits).put(set_operator_limits),
        )
        .route("/v1/plugin-runtime", get(runtime_stats))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadParams {
    name: String,
}

#[derive(Deserialize)]
struct PluginPath {
    plugin: String,
}

#[derive(Deserialize)]
struct VersionPath {
    plugin: String,
    version: u32,
}

#[derive(Deserialize)]
struct BindingPath {
    binding: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivateBody {
    version: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvokeBody {
    input: Value,
}

/// The raw component bytes, with the API's 413 when the body is beyond any allowed size.
struct ComponentBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for ComponentBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state).await.map(ComponentBody).map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "component_too_large",
                    format!("the component exceeds the largest size any tenant may allow ({OPERATOR_MAX_COMPONENT_BYTES} bytes)"),
                )
            } else {
                super::body_read_error(e)
            }
        })
    }
}

async fn upload(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<UploadParams>,
    ComponentBody(bytes): ComponentBody,
) -> ApiResult<(StatusCode, Json<UploadedVersion>)> {
    let uploaded = blocking(&s, move |d| d.plugins.upload_plugin(&t, &p.name, &bytes))
        .await
        .map_err(|mut e| {
            if [
                "component_too_large",
                "compiled_too_large",
                "plugin_storage_full",
            ]
            .contains(&e.code.as_str())
            {
                e.status = StatusCode::PAYLOAD_TOO_LARGE;
            }
            e
        })?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PluginView>>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.list_plugins(&t, &p.into())).await?,
    ))
}

async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_plugin(&t, &p.plugin)).await?,
    ))
}

async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.plugins.delete_plugin(&t, &p.plugin)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn versions(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<VersionView>>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins.list_plugin_versions(&t, &p.plugin, &q.into())
        })
        .await?,
    ))
}

async fn version(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<VersionPath>,
) -> ApiResult<Json<VersionView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins.get_plugin_version(&t, &p.plugin, p.version)
        })
        .await?,
    ))
}

async fn dry_run(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<VersionPath>,
    ApiJson(body): ApiJson<DryRun>,
) -> ApiResult<Json<RunReport>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins.dry_run_plugin(&t, &p.plugin, p.version, body)
        })
        .await?,
    ))
}

async fn activate(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
    ApiJson(body): ApiJson<ActivateBody>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins
                .activate_plugin_version(&t, &p.plugin, body.version)
        })
        .await?,
    ))
}

async fn rollback(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.rollback_plugin(&t, &p.plugin)).await?,
    ))
}

async fn plugin_invocations(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<InvocationRecord>>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins
                .list_plugin_invocations(&t, Some(&p.plugin), &q.into())
        })
        .await?,
    ))
}

async fn invocations(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<InvocationRecord>>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins.list_plugin_invocations(&t, None, &q.into())
        })
        .await?,
    ))
}

async fn create_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewBinding>,
) -> ApiResult<(StatusCode, Json<Binding>)> {
    let binding = blocking(&s, move |d| d.plugins.create_plugin_binding(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(binding)))
}

async fn list_bindings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Binding>>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.list_plugin_bindings(&t, &q.into())).await?,
    ))
}

async fn read_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<BindingPath>,
) -> ApiResult<Json<Binding>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_plugin_binding(&t, &p.binding)).await?,
    ))
}

async fn update_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<BindingPath>,
    ApiJson(body): ApiJson<BindingPatch>,
) -> ApiResult<Json<Binding>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins.update_plugin_binding(&t, &p.binding, body)
        })
        .await?,
    ))
}

async fn delete_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<BindingPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.plugins.delete_plugin_binding(&t, &p.binding)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn invoke_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<BindingPath>,
    ApiJson(body): ApiJson<InvokeBody>,
) -> ApiResult<Json<BindingRun>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.plugins.invoke_plugin_binding(&t, &p.binding, body.input)
        })
        .await?,
    ))
}

async fn limits(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<PluginLimitsView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_plugin_limits(&t)).await?,
    ))
}

/// Body of the two `PUT .../plugin-limits` routes: each limit to set (absent or `null`: the
/// default). The API's own shape, converted to the core's overrides.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitsBody {
    fuel: Option<u64>,
    deadline_ms: Option<u64>,
    memory_bytes: Option<u64>,
    component_bytes: Option<u64>,
    output_bytes: Option<u64>,
    log_bytes: Option<u64>,
    compiled_bytes: Option<u64>,
    stored_bytes: Option<u64>,
    versions: Option<u64>,
}

impl From<LimitsBody> for LimitOverrides {
    fn from(b: LimitsBody) -> Self {
        LimitOverrides {
            fuel: b.fuel,
            deadline_ms: b.deadline_ms,
            memory_bytes: b.memory_bytes,
            component_bytes: b.component_bytes,
            output_bytes: b.output_bytes,
            log_bytes: b.log_bytes,
            compiled_bytes: b.compiled_bytes,
            stored_bytes: b.stored_bytes,
            versions: b.versions,
        }
    }
}

async fn set_limits(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<LimitsBody>,
) -> ApiResult<Json<PluginLimitsView>> {
    let overrides = LimitOverrides::from(body);
    Ok(Json(
        blocking(&s, move |d| d.plugins.set_plugin_limits(&t, overrides)).await?,
    ))
}

async fn operator_limits(
    _op: Operator,
    State(s): State<AppState>,
) -> ApiResult<Json<OperatorLimitsView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_operator_plugin_limits()).await?,
    ))
}

async fn set_operator_limits(
    _op: Operator,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<LimitsBody>,
) -> ApiResult<Json<OperatorLimitsView>> {
    let overrides = LimitOverrides::from(body);
    Ok(Json(
        blocking(&s, move |d| d.plugins.set_operator_plugin_limits(overrides)).await?,
    ))
}

/// Process-wide compile/deserialize counters (how a restart loaded the stored artifacts).
/// Operator only: they count every tenant's plugins.
async fn runtime_stats(
    _op: Operator,
    State(s): State<AppState>,
) -> ApiResult<Json<PluginRuntimeView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.plugin_runtime_view()).await?,
    ))
}
