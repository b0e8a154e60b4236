//! Cursor pagination shared by every list.

use serde::Serialize;

use super::error::{DomainError, DomainResult};

/// Page size when the caller gives none.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Largest page a caller may ask for; bounds the work and the response size of one list call.
pub const MAX_PAGE_SIZE: usize = 500;

/// Which page to read: at most `limit` items after the opaque `cursor` of the previous page.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Most items on the page: 1 to `MAX_PAGE_SIZE`, `DEFAULT_PAGE_SIZE` when absent.
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`; absent for the first page.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The effective page size, validated.
    pub fn size(&self) -> DomainResult<usize> {
        match self.limit {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(0) => Err(DomainError::bad_request(
                "invalid_limit",
                "limit must be at least 1",
            )),
            Some(n) if n > MAX_PAGE_SIZE => Err(DomainError::bad_request(
                "invalid_limit",
                format!("limit must be at most {MAX_PAGE_SIZE}"),
            )),
            Some(n) => Ok(n),
        }
    }
}

/// One page of a list and the cursor of the next one (`None` on the last page).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The page's items, in the list's order.
    pub items: Vec<T>,
    /// The key of the last item, to ask for the page after it; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `size + 1` fetched `(key, item)` pairs: the extra one only tells
    /// whether another page exists.
    pub fn from_fetched(mut fetched: Vec<(String, T)>, size: usize) -> Page<T> {
        let more = fetched.len() > size;
        fetched.truncate(size);
        let next_cursor = if more {
            fetched.last().map(|(k, _)| k.clone())
        } else {
            None
        };
        Page {
            items: fetched.into_iter().map(|(_, v)| v).collect(),
            next_cursor,
        }
    }
}
