"""The host's functions (`portico:plugin/host`); they only work inside a built plugin."""

from wit_world.imports import host
from wit_world.imports.types import LogLevel

from .settings import parse_settings


def log(level: LogLevel, message) -> None:
    host.log(level, str(message))


def debug(message) -> None:
    log(LogLevel.DEBUG, message)


def info(message) -> None:
    log(LogLevel.INFO, message)


def warn(message) -> None:
    log(LogLevel.WARN, message)


def error(message) -> None:
    log(LogLevel.ERROR, message)


def settings_text() -> str:
    """The binding's settings as JSON text (`{}` when it has none)."""
    return host.settings()


def binding_settings(schema=None):
    """The binding's settings, parsed (and checked against `schema`, see `parse_settings`)."""
    return parse_settings(host.settings(), "binding settings", schema)


def setting(key: str) -> str | None:
    """One top-level key of the binding's settings (strings without quotes), or None."""
    return host.setting(key)


def now_ms() -> int:
    """The current time in milliseconds since the Unix epoch (UTC)."""
    return host.now_ms()


def find_user_by_email(email: str):
    """The calling tenant's portal user with this email, or None."""
    return host.find_user_by_email(email)


def user_groups(user_id: str) -> list[str]:
    """The group names of the calling tenant's user with this id."""
    return host.user_groups(user_id)
