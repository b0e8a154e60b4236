//! The rules on the real embedded store (`portico-store-redb` in a temporary directory): what
//! needs stored state to check, from the time rules driven by a `ManualClock` to records sealed
//! at rest.

mod app_tokens;
mod clock;
mod codes;
mod form_crud;
mod form_data;
mod invocations;
mod lockout;
mod mail_templates;
mod notifications;
mod origins;
mod sessions;
mod signup;
