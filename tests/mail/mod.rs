//! Issue 20, mail: the outbox mailed through a real SMTP server on 127.0.0.1 (aiosmtpd): the
//! messages arrive with their recipient, sender, subject, language and Message-ID; a refusal is
//! retried or fails the message with the server's answer, visible in the outbox; a restart
//! sends nothing twice; each tenant's rate is bounded; the settings that cannot work are
//! refused at start; a tenant's own templates and mail language.

mod delivery;
mod kinds;
mod templates;
