//! Targets: path parameters and cursors. `path_params` sends requests with arbitrary path
//! segments and query strings through axum's router and the API's extractors (`ApiPath`,
//! `ApiQuery<PageParams>`), then through the lookups and checks handlers run on them
//! (namespaces, ids, group names or labels, form identifiers, language codes). `list_cursors`
//! pages through the real store's lists with arbitrary cursors and limits.
//!
//! Properties: no panic, never a server error (5xx) for a bad parameter, and a page from any
//! cursor holds only the tenant's own records, each after the cursor, in order, at most the
//! limit.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use portico_core::domain::forms::validate_lang_code;
use portico_core::domain::ids::looks_like_id;
use portico_core::domain::{PageRequest, UserFilter};
use portico_http::{ApiError, ApiPath, ApiQuery, PageParams};
use tower::ServiceExt;

use crate::fixture::{self, Fixture};

/// The router of the path target: one route per kind of parameter.
fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        Router::new()
            .route("/t/{namespace}/groups/{group}", get(group))
            .route("/t/{namespace}/forms/{form}/{lang}", get(form))
    })
}

/// `/t/{namespace}/groups/{group}?limit=&cursor=`: the tenant, the group, the user list
/// filtered by that group, and the group list from the cursor.
async fn group(
    ApiPath((namespace, group)): ApiPath<(String, String)>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<StatusCode, ApiError> {
    let f = fixture::get();
    let tenant = f.domain.tenants.get_tenant(&namespace)?;
    let _ = looks_like_id(&group);
    f.domain.users.get_group(&tenant, &group)?;
    let filter = UserFilter {
        group: Some(group),
        ..UserFilter::default()
    };
    let page = PageRequest::from(page);
    f.domain.users.list_users(&tenant, &filter, &page)?;
    assert_groups_page(f, &page);
    Ok(StatusCode::OK)
}

/// `/t/{namespace}/forms/{form}/{lang}`: the tenant, the form, the language code.
async fn form(
    ApiPath((namespace, form, lang)): ApiPath<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let f = fixture::get();
    let tenant = f.domain.tenants.get_tenant(&namespace)?;
    f.domain.forms.get_form(&tenant, &form)?;
    validate_lang_code(&lang)?;
    Ok(StatusCode::OK)
}

/// One request, its path and query made of the input: `segment / segment / segment ? query`.
pub fn check_path(bytes: &[u8]) {
    let mut parts = bytes.splitn(4, |b| *b == b'/');
    let (a, b, c) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let query = parts.next().unwrap_or_default();
    let (a, b, c, q) = (encode(a), encode(b), encode(c), encode(query));
    let uri = match a.len() % 2 {
        0 => format!("/t/{a}/groups/{b}?{q}"),
        _ => format!("/t/{a}/forms/{b}/{c}?{q}"),
    };
    let Ok(request) = Request::builder().uri(uri).body(Body::empty()) else {
        return;
    };
    let response = runtime().block_on(router().clone().oneshot(request));
    let status = response.expect("the router answers").status();
    assert!(!status.is_server_error(), "{status}");
}

/// Bytes in a URI: unreserved characters and a few delimiters as they are (a stray `%` too, so
/// that bad escapes reach the decoder), everything else percent-encoded.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~%=&+!$'()*,;:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

/// Pages through `acme`'s groups and forms from the input's cursor and limit.
pub fn check_cursor(bytes: &[u8]) {
    let Some((&limit, cursor)) = bytes.split_first() else {
        return;
    };
    let page = PageRequest {
        limit: (limit != 0xff).then_some(usize::from(limit) * 3),
        cursor: (limit != 0xfe).then(|| String::from_utf8_lossy(cursor).into_owned()),
    };
    let f = fixture::get();
    assert_groups_page(f, &page);
    if let Ok(forms) = f.domain.forms.list_forms(&f.acme, &page) {
        let keys: Vec<String> = forms.items.iter().map(|x| x.identifier.clone()).collect();
        assert_page(&keys, &page, forms.next_cursor.as_deref());
        assert!(keys.iter().all(|k| k.starts_with("acme_")), "{keys:?}");
    }
    if let Ok(tenants) = f.domain.tenants.list_tenants(&page) {
        assert!(tenants.items.len() <= 2);
    }
}

/// A page of `acme`'s groups holds only its groups, after the cursor, in order.
fn assert_groups_page(f: &Fixture, page: &PageRequest) {
    let Ok(groups) = f.domain.users.list_groups(&f.acme, page) else {
        return;
    };
    let ids: Vec<String> = groups.items.iter().map(|g| g.id.clone()).collect();
    assert_page(&ids, page, groups.next_cursor.as_deref());
    assert!(groups.items.iter().all(|g| g.name.starts_with("acme-")));
    let bolt = f
        .domain
        .users
        .list_groups(&f.bolt, &PageRequest::default())
        .expect("bolt's groups");
    assert!(bolt.items.iter().all(|g| !ids.contains(&g.id)));
}

/// Keys in order, each after the cursor, at most the page size; the next cursor is the last.
fn assert_page(keys: &[String], page: &PageRequest, next: Option<&str>) {
    let size = page
        .size()
        .expect("a page was answered, so its size is valid");
    assert!(keys.len() <= size);
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    if let Some(cursor) = &page.cursor {
        assert!(
            keys.iter().all(|k| k.as_str() > cursor.as_str()),
            "{cursor:?}: {keys:?}"
        );
    }
    if let Some(next) = next {
        assert_eq!(Some(next), keys.last().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn the_fixture_answers_pages() {
        let f = super::fixture::get();
        let page = super::PageRequest::default();
        assert_eq!(
            f.domain
                .users
                .list_groups(&f.acme, &page)
                .unwrap()
                .items
                .len(),
            5
        );
        assert_eq!(
            f.domain
                .forms
                .list_forms(&f.acme, &page)
                .unwrap()
                .items
                .len(),
            5
        );
        super::check_path(b"acme/acme-g1/x/limit=2");
    }

    #[test]
    fn path_params() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check_path(bytes));
    }

    #[test]
    fn list_cursors() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check_cursor(bytes));
    }
}
