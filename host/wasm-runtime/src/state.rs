//! What a plugin's `Store` holds for one request: an empty WASI context (no preopens, no
//! environment, no network; stdout and stderr go to a capped log), the memory limiter, the
//! binding's settings, and the tenant-scoped look-ups behind the `host` imports.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime::component::ResourceTable;
use wasmtime::ResourceLimiter;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{host, types};
use portico_core::plugins::{human_bytes, HostLookups};

/// Captured log text with a byte cap; bytes beyond it are counted, not kept.
#[derive(Debug, Default)]
pub struct LogBuffer {
    pub text: Vec<u8>,
    pub dropped: u64,
    cap: usize,
}

impl LogBuffer {
    fn push(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.text.len());
        let kept = bytes.len().min(room);
        self.text.extend_from_slice(&bytes[..kept]);
        self.dropped += (bytes.len() - kept) as u64;
    }

    /// The kept text, with a note of how much was dropped.
    pub fn render(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.text).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!(
                "\n[log limit of {} reached: {} more bytes dropped]",
                human_bytes(self.cap as u64),
                self.dropped
            ));
        }
        text
    }
}

/// A log shared by the `host.log` import and the guest's stdout and stderr.
#[derive(Debug, Clone)]
pub struct SharedLog(Arc<Mutex<LogBuffer>>);

impl SharedLog {
    pub fn new(cap: u64) -> SharedLog {
        SharedLog(Arc::new(Mutex::new(LogBuffer {
            cap: cap as usize,
            ..Default::default()
        })))
    }

    pub fn push(&self, bytes: &[u8]) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(bytes);
    }

    pub fn render(&self) -> String {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).render()
    }
}

/// stdout/stderr of a guest: always writable, never blocks, keeps up to the log cap and drops
/// the rest silently (so chatty guests do not fail because of their output).
#[derive(Clone)]
struct LogStream {
    log: SharedLog,
    prefix: &'static str,
}

impl IsTerminal for LogStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogStream {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl LogStream {
    fn write_bytes(&self, bytes: &[u8]) {
        let mut line = Vec::with_capacity(bytes.len() + self.prefix.len());
        line.extend_from_slice(self.prefix.as_bytes());
        line.extend_from_slice(bytes);
        self.log.push(&line);
    }
}

impl OutputStream for LogStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_bytes(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LogStream {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for LogStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.write_bytes(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Caps the linear memory of one call: the bytes of every memory in the call's `Store`
/// together (each core instance, nested components' included, adds its memories to the same
/// store), and the elements of all its tables together. Records that the memory cap was hit,
/// so the outcome is `memory` whatever error the guest turns the failed growth into.
pub struct MemoryLimiter {
    cap: u64,
    /// Bytes of all the store's memories so far (wasmtime reports each new memory as a growth
    /// from 0 to its initial size, then every `memory.grow`).
    memory_bytes: u64,
    /// Elements of all the store's tables so far.
    table_elements: u64,
    pub hit: Option<u64>,
}

/// Most table elements one call may have, all tables together (function tables of real guests
/// hold a few thousand).
pub const MAX_TABLE_ELEMENTS: u64 = 100_000;

impl MemoryLimiter {
    pub fn new(cap: u64) -> MemoryLimiter {
        MemoryLimiter {
            cap,
            memory_bytes: 0,
            table_elements: 0,
            hit: None,
        }
    }

    /// The bytes of all memories together so far.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_bytes
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let growth = desired.saturating_sub(current) as u64;
        let total = self.memory_bytes.saturating_add(growth);
        if total > self.cap {
            self.hit = Some(total);
            return Err(wasmtime::format_err!(
                "memory limit of {} exceeded: the plugin tried to grow its memory to {total} bytes",
                human_bytes(self.cap)
            ));
        }
        self.memory_bytes = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self
            .table_elements
            .saturating_add(desired.saturating_sub(current) as u64);
        if total > MAX_TABLE_ELEMENTS {
            return Ok(false);
        }
        self.table_elements = total;
        Ok(true)
    }
}

/// The data of one request's `Store`.
pub struct PluginState {
    /// Built on the guest's first WASI call: most calls make none, and building one (its
    /// random generators are seeded from the OS) costs about as much as the export look-up.
    wasi: Option<WasiCtx>,
    table: ResourceTable,
    pub limiter: MemoryLimiter,
    pub log: SharedLog,
    settings: String,
    lookups: Arc<dyn HostLookups>,
}

impl PluginState {
    pub fn new(
        settings: String,
        memory_cap: u64,
        log_cap: u64,
        lookups: Arc<dyn HostLookups>,
    ) -> PluginState {
        PluginState {
            wasi: None,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_cap),
            log: SharedLog::new(log_cap),
            settings,
            lookups,
        }
    }
}

/// The WASI context of every call: no preopened directories, no environment, no arguments, no
/// network; only the capped log for stdout and stderr (stdin is empty by default).
fn wasi_context(log: &SharedLog) -> WasiCtx {
    wasmtime_wasi::WasiCtxBuilder::new()
        .stdout(LogStream {
            log: log.clone(),
            prefix: "",
        })
        .stderr(LogStream {
            log: log.clone(),
            prefix: "",
        })
        .build()
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let log = &self.log;
        WasiCtxView {
            ctx: self.wasi.get_or_insert_with(|| wasi_context(log)),
            table: &mut self.table,
        }
    }
}

impl types::Host for PluginState {}

/// The `host` import of components built against 0.1.0: the same functions, on that
/// version's types.
mod v0_1 {
    use super::super::bindings::types as newest;
    use super::super::bindings::v0_1::portico::plugin::{host, types};
    use super::PluginState;

    impl types::Host for PluginState {}

    impl host::Host for PluginState {
        fn log(&mut self, level: types::LogLevel, message: String) {
            let level = match level {
                types::LogLevel::Trace => newest::LogLevel::Trace,
                types::LogLevel::Debug => newest::LogLevel::Debug,
                types::LogLevel::Info => newest::LogLevel::Info,
                types::LogLevel::Warn => newest::LogLevel::Warn,
                types::LogLevel::Error => newest::LogLevel::Error,
            };
            <Self as super::host::Host>::log(self, level, message)
        }

        fn settings(&mut self) -> String {
            <Self as super::host::Host>::settings(self)
        }

        fn setting(&mut self, key: String) -> Option<String> {
            <Self as super::host::Host>::setting(self, key)
        }

        fn now_ms(&mut self) -> u64 {
            <Self as super::host::Host>::now_ms(self)
        }

        fn find_user_by_email(&mut self, email: String) -> Option<types::UserView> {
            <Self as super::host::Host>::find_user_by_email(self, email).map(|u| types::UserView {
                id: u.id,
                email: u.email,
                status: u.status,
                groups: u.groups,
                data: u.data,
            })
        }

        fn user_groups(&mut self, user_id: String) -> Vec<String> {
            <Self as super::host::Host>::user_groups(self, user_id)
        }
    }
}

impl host::Host for PluginState {
    fn log(&mut self, level: types::LogLevel, message: String) {
        let level = match level {
            types::LogLevel::Trace => "TRACE",
            types::LogLevel::Debug => "DEBUG",
            types::LogLevel::Info => "INFO",
            types::LogLevel::Warn => "WARN",
            types::LogLevel::Error => "ERROR",
        };
        self.log.push(format!("{level} {message}\n").as_bytes());
    }

    fn settings(&mut self) -> String {
        self.settings.clone()
    }

    fn setting(&mut self, key: String) -> Option<String> {
        let settings: serde_json::Value = serde_json::from_str(&self.settings).ok()?;
        match settings.get(&key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    fn now_ms(&mut self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }

    fn find_user_by_email(&mut self, email: String) -> Option<types::UserView> {
        self.lookups
            .find_user_by_email(&email)
            .map(|u| types::UserView {
                id: u.id,
                email: u.email,
                status: u.status,
                groups: u.groups,
                data: u.data,
            })
    }

    fn user_groups(&mut self, user_id: String) -> Vec<String> {
        self.lookups.user_groups(&user_id)
    }
}
