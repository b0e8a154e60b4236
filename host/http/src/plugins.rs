//! `/v1/tenants/{tenant}/plugins...`: upload components, versions, activate and roll back,
//! bindings, dry runs, the invocation log, the tenant's plugin limits (tenant API key); and
//! the operator's `/v1/plugin-limits` (maximum for every tenant) and `/v1/plugin-runtime`
//! (process-wide counters).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

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

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES)))
        .routes(routes!(list))
        .routes(routes!(read, remove))
        .routes(routes!(versions))
        .routes(routes!(version))
        .routes(routes!(dry_run))
        .routes(routes!(activate))
        .routes(routes!(rollback))
        .routes(routes!(plugin_invocations))
        .routes(routes!(invocations))
        .routes(routes!(create_binding, list_bindings))
        .routes(routes!(read_binding, update_binding, delete_binding))
        .routes(routes!(invoke_binding))
        .routes(routes!(limits, set_limits))
}

/// Operator routes, outside any tenant.
pub fn operator_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(operator_limits, set_operator_limits))
        .routes(routes!(runtime_stats))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UploadParams {
    /// The plugin's name: 1 to 100 letters, digits, `_`, `-`, `.`.
    #[param(pattern = "^[A-Za-z0-9_.-]{1,100}$")]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ActivateBody {
    version: u32,
}

#[derive(Deserialize, ToSchema)]
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

/// Uploads a WebAssembly component (its raw bytes) as a new version of the named plugin; the first version is active.
#[utoipa::path(post, path = "/plugins", tag = "plugins", operation_id = "uploadPlugin",
    security(("tenantApiKey" = [])), params(UploadParams), request_body(description = "The component's raw bytes", content((String = "application/wasm"), (String = "application/octet-stream"))),
    responses((status = 201, body = UploadedVersion), (status = 400, description = "`invalid_plugin_name`, `not_a_component`, `forbidden_imports`, `no_portico_exports`, `signature_mismatch`, `invalid_component`"), (status = 409, description = "`too_many_plugin_versions`, `plugin_capacity`"), (status = 413, description = "`component_too_large`, `compiled_too_large`, `plugin_storage_full`"), (status = 503, description = "`compile_capacity`")))]
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

/// The tenant's plugins, each with its counters.
#[utoipa::path(get, path = "/plugins", tag = "plugins", operation_id = "listPlugins",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<PluginView>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PluginView>>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.list_plugins(&t, &p.into())).await?,
    ))
}

/// A plugin by name or id.
#[utoipa::path(get, path = "/plugins/{plugin}", tag = "plugins", operation_id = "getPlugin",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = PluginView), (status = 404, description = "`plugin_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_plugin(&t, &p.plugin)).await?,
    ))
}

/// Deletes a plugin: its versions, invocation log, counters and stored bytes.
#[utoipa::path(delete, path = "/plugins/{plugin}", tag = "plugins", operation_id = "deletePlugin",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`plugin_not_found`"), (status = 409, description = "`plugin_in_use`: a binding uses it")))]
async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.plugins.delete_plugin(&t, &p.plugin)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The plugin's versions.
#[utoipa::path(get, path = "/plugins/{plugin}/versions", tag = "plugins", operation_id = "listPluginVersions",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<VersionView>), (status = 400, description = "`invalid_limit`, `invalid_cursor`"), (status = 404, description = "`plugin_not_found`")))]
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

/// One version of a plugin.
#[utoipa::path(get, path = "/plugins/{plugin}/versions/{version}", tag = "plugins", operation_id = "getPluginVersion",
    security(("tenantApiKey" = [])), params(("version" = u32, Path, description = "The version number")),
    responses((status = 200, body = VersionView), (status = 404, description = "`plugin_not_found`, `plugin_version_not_found`")))]
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

/// Calls one version on a sample input: its result, logs, fuel and duration.
#[utoipa::path(post, path = "/plugins/{plugin}/versions/{version}/dry-run", tag = "plugins", operation_id = "dryRunPlugin",
    security(("tenantApiKey" = [])), params(("version" = u32, Path, description = "The version number")), request_body = DryRun,
    responses((status = 200, body = RunReport), (status = 400, description = "`invalid_input`, `invalid_settings`, `interface_not_exported`"), (status = 404, description = "`plugin_not_found`, `plugin_version_not_found`")))]
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

/// Makes a version the active one (from the next call on).
#[utoipa::path(post, path = "/plugins/{plugin}/activate", tag = "plugins", operation_id = "activatePlugin",
    security(("tenantApiKey" = [])), request_body = ActivateBody,
    responses((status = 200, body = PluginView), (status = 404, description = "`plugin_not_found`, `plugin_version_not_found`")))]
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

/// Back to the previously active version.
#[utoipa::path(post, path = "/plugins/{plugin}/rollback", tag = "plugins", operation_id = "rollbackPlugin",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = PluginView), (status = 404, description = "`plugin_not_found`"), (status = 409, description = "`nothing_to_roll_back`")))]
async fn rollback(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.rollback_plugin(&t, &p.plugin)).await?,
    ))
}

/// One plugin's invocation log, oldest first.
#[utoipa::path(get, path = "/plugins/{plugin}/invocations", tag = "plugins", operation_id = "listPluginInvocations",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<InvocationRecord>), (status = 400, description = "`invalid_limit`, `invalid_cursor`"), (status = 404, description = "`plugin_not_found`")))]
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

/// Every plugin's invocations, in time order.
#[utoipa::path(get, path = "/plugin-invocations", tag = "plugins", operation_id = "listInvocations",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<InvocationRecord>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
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

/// Binds a plugin to an interface and a target, with settings and a failure policy.
#[utoipa::path(post, path = "/plugin-bindings", tag = "plugins", operation_id = "createPluginBinding",
    security(("tenantApiKey" = [])), request_body = NewBinding,
    responses((status = 201, body = Binding), (status = 400, description = "`invalid_target`, `invalid_settings`, `interface_not_exported`, `no_active_version`"), (status = 404, description = "`plugin_not_found`, `plugin_version_not_found`")))]
async fn create_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewBinding>,
) -> ApiResult<(StatusCode, Json<Binding>)> {
    let binding = blocking(&s, move |d| d.plugins.create_plugin_binding(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(binding)))
}

/// The tenant's bindings.
#[utoipa::path(get, path = "/plugin-bindings", tag = "plugins", operation_id = "listPluginBindings",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<Binding>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list_bindings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Binding>>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.list_plugin_bindings(&t, &q.into())).await?,
    ))
}

/// One binding.
#[utoipa::path(get, path = "/plugin-bindings/{binding}", tag = "plugins", operation_id = "getPluginBinding",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Binding), (status = 404, description = "`plugin_binding_not_found`")))]
async fn read_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<BindingPath>,
) -> ApiResult<Json<Binding>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_plugin_binding(&t, &p.binding)).await?,
    ))
}

/// Changes a binding (`version: null` follows the active version).
#[utoipa::path(patch, path = "/plugin-bindings/{binding}", tag = "plugins", operation_id = "updatePluginBinding",
    security(("tenantApiKey" = [])), request_body = BindingPatch,
    responses((status = 200, body = Binding), (status = 400, description = "`invalid_settings`, `interface_not_exported`"), (status = 404, description = "`plugin_binding_not_found`, `plugin_version_not_found`")))]
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

/// Deletes a binding.
#[utoipa::path(delete, path = "/plugin-bindings/{binding}", tag = "plugins", operation_id = "deletePluginBinding",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`plugin_binding_not_found`")))]
async fn delete_binding(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<BindingPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.plugins.delete_plugin_binding(&t, &p.binding)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs a binding on an input, as a request would.
#[utoipa::path(post, path = "/plugin-bindings/{binding}/invoke", tag = "plugins", operation_id = "invokePluginBinding",
    security(("tenantApiKey" = [])), request_body = InvokeBody,
    responses((status = 200, body = BindingRun), (status = 400, description = "`invalid_input`, `no_active_version`"), (status = 404, description = "`plugin_binding_not_found`")))]
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

/// The tenant's plugin limits (its own, the operator's maximum and what is in force).
#[utoipa::path(get, path = "/plugin-limits", tag = "plugins", operation_id = "getPluginLimits",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = PluginLimitsView)))]
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
#[derive(Debug, Deserialize, ToSchema)]
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

/// Sets the tenant's plugin limits (absent or `null`: the default).
#[utoipa::path(put, path = "/plugin-limits", tag = "plugins", operation_id = "setPluginLimits",
    security(("tenantApiKey" = [])), request_body = LimitsBody,
    responses((status = 200, body = PluginLimitsView), (status = 400, description = "`limit_out_of_range`")))]
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

/// The operator's maximum plugin limits for every tenant.
#[utoipa::path(get, path = "/v1/plugin-limits", tag = "plugins", operation_id = "getOperatorPluginLimits",
    security(("operatorToken" = [])),
    responses((status = 200, body = OperatorLimitsView)))]
async fn operator_limits(
    _op: Operator,
    State(s): State<AppState>,
) -> ApiResult<Json<OperatorLimitsView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.get_operator_plugin_limits()).await?,
    ))
}

/// Sets the operator's maximum plugin limits.
#[utoipa::path(put, path = "/v1/plugin-limits", tag = "plugins", operation_id = "setOperatorPluginLimits",
    security(("operatorToken" = [])), request_body = LimitsBody,
    responses((status = 200, body = OperatorLimitsView), (status = 400, description = "`limit_out_of_range`")))]
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
#[utoipa::path(get, path = "/v1/plugin-runtime", tag = "plugins", operation_id = "pluginRuntime",
    security(("operatorToken" = [])),
    responses((status = 200, body = PluginRuntimeView)))]
async fn runtime_stats(
    _op: Operator,
    State(s): State<AppState>,
) -> ApiResult<Json<PluginRuntimeView>> {
    Ok(Json(
        blocking(&s, move |d| d.plugins.plugin_runtime_view()).await?,
    ))
}
