//! Log lines into Portico's invocation log (captured up to the tenant's cap).

use crate::host;
use crate::types::LogLevel;

/// Logs `message` at `level`.
pub fn log(level: LogLevel, message: impl AsRef<str>) {
    host::log(level, message.as_ref());
}

/// Logs at debug level.
pub fn debug(message: impl AsRef<str>) {
    log(LogLevel::Debug, message);
}

/// Logs at info level.
pub fn info(message: impl AsRef<str>) {
    log(LogLevel::Info, message);
}

/// Logs at warn level.
pub fn warn(message: impl AsRef<str>) {
    log(LogLevel::Warn, message);
}

/// Logs at error level.
pub fn error(message: impl AsRef<str>) {
    log(LogLevel::Error, message);
}
