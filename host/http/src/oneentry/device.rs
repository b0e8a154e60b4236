//! `x-device-metadata`: the SDK describes the device on every POST as JSON,
//! `{"fingerprint": ..., "deviceInfo": {"os", "browser", "location"}}`. A session keeps the
//! `deviceInfo` and lists it to its user; the fingerprint is not kept.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::error::ApiError;
use portico_core::domain::DeviceInfo;

/// The header.
pub const DEVICE_METADATA_HEADER: &str = "x-device-metadata";
/// Longest header value accepted.
pub const MAX_DEVICE_METADATA_BYTES: usize = 4096;
/// Longest `os`, `browser` or `location` kept, in characters.
pub const MAX_DEVICE_FIELD_CHARS: usize = 200;

/// The device the request describes, when it does.
pub struct Device(pub Option<DeviceInfo>);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    device_info: Option<Described>,
}

#[derive(Deserialize)]
struct Described {
    #[serde(default)]
    os: String,
    #[serde(default)]
    browser: String,
    #[serde(default)]
    location: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(DEVICE_METADATA_HEADER) else {
            return Ok(Device(None));
        };
        if value.len() > MAX_DEVICE_METADATA_BYTES {
            return Err(invalid(format!(
                "longer than {MAX_DEVICE_METADATA_BYTES} bytes (MAX_DEVICE_METADATA_BYTES)"
            )));
        }
        let text = value
            .to_str()
            .map_err(|_| invalid("not visible ASCII".into()))?;
        if text.is_empty() {
            return Ok(Device(None));
        }
        let metadata: Metadata =
            serde_json::from_str(text).map_err(|e| invalid(format!("not the SDK's JSON: {e}")))?;
        metadata.device_info.map(checked).transpose().map(Device)
    }
}

fn checked(d: Described) -> Result<DeviceInfo, ApiError> {
    for (name, value) in [
        ("os", &d.os),
        ("browser", &d.browser),
        ("location", &d.location),
    ] {
        if value.chars().count() > MAX_DEVICE_FIELD_CHARS {
            return Err(invalid(format!(
                "deviceInfo.{name} is longer than {MAX_DEVICE_FIELD_CHARS} characters (MAX_DEVICE_FIELD_CHARS)"
            )));
        }
    }
    Ok(DeviceInfo {
        os: d.os,
        browser: d.browser,
        location: d.location,
    })
}

fn invalid(why: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_device_metadata",
        format!("the {DEVICE_METADATA_HEADER} header is {why}"),
    )
}
