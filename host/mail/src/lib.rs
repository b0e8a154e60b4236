//! Portico's mail: an outbox message rendered from its kind's templates, made into a mail and
//! handed to the operator's SMTP server.
//!
//! - [`render`] renders a message's built-in templates (every kind Portico queues, in `en_US`
//!   and `tr_TR`) into a subject, a plain-text part and an HTML part; [`render_override`]
//!   renders a tenant's own templates, which [`check_override`] checks when they are saved;
//!   [`built_in_sources`] shows the built-in ones a tenant can start from.
//! - [`build_mail`] makes the rendered message into a `multipart/alternative` mail whose
//!   Message-ID is derived from the outbox message's id.
//! - [`Mailer::send`] hands the mail to the SMTP server and says whether a failure is
//!   temporary (try again) or permanent ([`SendError`]). It blocks: call it on a thread of
//!   the delivery worker's own.
//!
//! The crate takes plain values: it knows no storage, web framework or other Portico crate.

mod kinds;
mod message;
mod render;
mod smtp;
mod template_error;
mod templates;

pub use kinds::{Kind, Lang};
pub use message::{build_mail, Addressing, BuildError, Mail, Sender, TenantSender};
pub use render::{
    built_in_sources, check_override, render, render_override, Branding, OverrideSources, Rendered,
    MAX_OVERRIDE_BYTES,
};
pub use smtp::{
    ConfigError, FailureKind, Mailer, SendError, SmtpCredentials, SmtpSettings, TlsMode,
    DEFAULT_TIMEOUT,
};
pub use template_error::{Part, TemplateError};
