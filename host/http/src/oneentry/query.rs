//! The query parameters the SDK sends: `langCode`, and `offset`/`limit` on lists. Parameters
//! it does not send are ignored (other SDK versions add some), unlike the `/v1` API.

use serde::Deserialize;

use crate::error::ApiError;
use portico_core::domain::forms::validate_lang_code;

/// The language when the SDK sends none (its own default).
pub const DEFAULT_LANG: &str = "en_US";
/// Items of a list when `limit` is absent (the SDK's default).
pub const DEFAULT_LIMIT: usize = 30;
/// Most items one list answer holds.
pub const MAX_LIMIT: usize = 100;

/// `?langCode=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// A language code (`en_US` by default).
    lang_code: Option<String>,
}

impl LangQuery {
    /// The language asked for, checked; `DEFAULT_LANG` when absent.
    pub fn lang(&self) -> Result<String, ApiError> {
        checked_lang(self.lang_code.as_deref())
    }
}

/// `?langCode=&offset=&limit=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A language code (`en_US` by default).
    lang_code: Option<String>,
    /// Items skipped (0 by default).
    offset: Option<usize>,
    /// Most items answered: 1 to 100 (30 by default).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// A checked list request.
pub struct ListRequest {
    /// The language of the answer.
    pub lang: String,
    /// Items skipped.
    pub offset: usize,
    /// Most items answered (1 to `MAX_LIMIT`).
    pub limit: usize,
}

impl ListQuery {
    /// The request, checked: a limit of 0 or past `MAX_LIMIT` answers 400 naming the bound.
    pub fn request(&self) -> Result<ListRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_limit",
                format!("limit is 1 to {MAX_LIMIT} (MAX_LIMIT)"),
            ));
        }
        Ok(ListRequest {
            lang: checked_lang(self.lang_code.as_deref())?,
            offset: self.offset.unwrap_or(0),
            limit,
        })
    }
}

fn checked_lang(lang: Option<&str>) -> Result<String, ApiError> {
    let lang = lang.unwrap_or(DEFAULT_LANG);
    validate_lang_code(lang)?;
    Ok(lang.to_string())
}
