//! `GET /v1/backup` (operator): a backup of the whole store, taken while the server serves,
//! streamed to the caller. The engine writes it to a file of its own first (one read
//! transaction: everything committed before the request, nothing after; see
//! `Storage::backup`), then the file is sent in chunks, so memory stays bounded whatever its
//! size. One backup at a time: another request meanwhile answers 409 `backup_in_progress`.

use std::io::Read;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::sync::mpsc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Operator;
use super::{ApiError, ApiResult, AppState};
use portico_core::domain::DomainError;

/// Bytes read from the backup file per chunk sent.
const CHUNK_BYTES: usize = 256 * 1024;

/// Chunks read ahead of the connection: what a slow client makes the server hold.
const CHUNKS_AHEAD: usize = 4;

/// The header naming the backup's schema version.
pub const SCHEMA_VERSION_HEADER: &str = "x-portico-schema-version";

/// The operator's backup route.
pub fn operator_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(backup))
}

/// Whether a backup is being taken or sent, shared by the server's requests.
#[derive(Default)]
pub(crate) struct BackupGate(AtomicBool);

/// A backup's turn: the next one may start once it is dropped.
struct BackupTurn(Arc<BackupGate>);

impl Drop for BackupTurn {
    fn drop(&mut self) {
        (self.0).0.store(false, Ordering::Release);
    }
}

impl BackupGate {
    fn try_start(self: &Arc<Self>) -> Option<BackupTurn> {
        self.0
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| BackupTurn(self.clone()))
    }
}

/// A consistent backup of the whole embedded store, taken while the server serves: a tar holding
/// the database file and the key file (`portico restore` puts it in place).
#[utoipa::path(get, path = "/v1/backup", tag = "host", operation_id = "backup",
    security(("operatorToken" = [])),
    responses((status = 200, description = "A tar of the database and key files; `x-portico-schema-version` names its schema", content_type = "application/x-tar", body = Vec<u8>),
        (status = 409, description = "`backup_in_progress`; `backup_unsupported` on PostgreSQL (use pg_dump)")))]
async fn backup(_op: Operator, State(s): State<AppState>) -> ApiResult<Response> {
    let turn = s.backups.try_start().ok_or_else(|| {
        ApiError::from(DomainError::conflict(
            "backup_in_progress",
            "another backup is being taken; retry once it is done",
        ))
    })?;
    // Not an operation thread: a large backup takes a while and is no tenant's operation. The
    // turn stays with the copy even if the caller leaves while it is made.
    let domain = s.domain.clone();
    let (turn, backup) = tokio::task::spawn_blocking(move || (turn, domain.store().backup()))
        .await
        .map_err(|_| ApiError::internal("the backup failed"))?;
    let backup = backup.map_err(|e| ApiError::from(DomainError::from(e)))?;
    tracing::info!(
        bytes = backup.bytes,
        schema_version = backup.schema_version,
        "backup taken; sending it"
    );
    let name = format!(
        "attachment; filename=\"portico-backup-{}.tar\"",
        backup.taken_at.format("%Y%m%dT%H%M%SZ")
    );
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    let body = FileBody {
        chunks: rx,
        remaining: backup.bytes,
    };
    let mut file = backup.file;
    tokio::task::spawn_blocking(move || {
        // The turn ends, and the unnamed file goes, once it is sent or the caller left.
        let _turn = turn;
        loop {
            let mut chunk = vec![0u8; CHUNK_BYTES];
            let read = match file.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the backup failed");
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            chunk.truncate(read);
            if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                tracing::warn!("the backup's caller left before it was sent");
                return;
            }
        }
    });
    let mut response = (StatusCode::OK, Body::new(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(backup.media_type));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    headers.insert(SCHEMA_VERSION_HEADER, backup.schema_version.into());
    Ok(response)
}

/// The backup file's chunks as a response body of known length.
struct FileBody {
    chunks: mpsc::Receiver<std::io::Result<Bytes>>,
    remaining: u64,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.chunks.poll_recv(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) if self.remaining > 0 => {
                Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into())))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
