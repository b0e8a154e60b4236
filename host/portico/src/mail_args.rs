//! `portico serve`'s mail options: the SMTP server that mails the outbox. Without
//! `--smtp-host` nothing is mailed and integrators poll the outbox as before.

use std::time::Duration;

use clap::Args;
use portico::mail_worker::{
    MailConfig, DEFAULT_MAILS_PER_TENANT_PER_MINUTE, DEFAULT_MAIL_WORKERS, MAX_MAIL_WORKERS,
};
use portico_mail::{Sender, SmtpCredentials, SmtpSettings, TlsMode};

/// Most mails per tenant and minute an operator may allow.
const MAX_MAILS_PER_TENANT_PER_MINUTE: u64 = 100_000;
/// Longest SMTP timeout an operator may set, in seconds.
const MAX_SMTP_TIMEOUT_SECS: u64 = 600;

#[derive(Args, Debug)]
pub struct MailArgs {
    /// The SMTP server that mails the outbox's messages; without it nothing is mailed (the
    /// outbox is polled through the API instead).
    #[arg(long, env = "PORTICO_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Its port (default: 25 with `--smtp-tls none`, 587 with `starttls`, 465 with `tls`).
    #[arg(long, env = "PORTICO_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// How the connection is secured: `none`, `starttls` (upgraded; refused if the server
    /// cannot) or `tls` (implicit).
    #[arg(long, env = "PORTICO_SMTP_TLS", default_value = "starttls")]
    smtp_tls: TlsMode,
    /// The user name for SMTP authentication; the password comes from `PORTICO_SMTP_PASSWORD`
    /// (never a flag: it would show in the process list).
    #[arg(long, env = "PORTICO_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// Seconds one SMTP conversation may take.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=MAX_SMTP_TIMEOUT_SECS))]
    smtp_timeout_secs: u64,
    /// The default sender's address (`From`); required with `--smtp-host`.
    #[arg(long, env = "PORTICO_MAIL_FROM")]
    mail_from: Option<String>,
    /// The default sender's name.
    #[arg(long, env = "PORTICO_MAIL_FROM_NAME")]
    mail_from_name: Option<String>,
    /// Threads mailing the outbox.
    #[arg(long, default_value_t = DEFAULT_MAIL_WORKERS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_MAIL_WORKERS as u64))]
    mail_workers: usize,
    /// Messages one tenant may send per minute from this host; more wait for the next minute.
    #[arg(long, default_value_t = DEFAULT_MAILS_PER_TENANT_PER_MINUTE, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_MAILS_PER_TENANT_PER_MINUTE))]
    mail_per_tenant_per_minute: usize,
}

impl MailArgs {
    /// The mail configuration, `None` without `--smtp-host`; settings that cannot work are
    /// refused with a message naming them.
    pub fn config(&self) -> anyhow::Result<Option<MailConfig>> {
        let Some(host) = self.smtp_host.clone() else {
            anyhow::ensure!(
                self.mail_from.is_none() && self.smtp_username.is_none(),
                "--mail-from and --smtp-username need --smtp-host (the SMTP server to mail through)"
            );
            return Ok(None);
        };
        let address = self.mail_from.clone().ok_or_else(|| {
            anyhow::anyhow!("--smtp-host needs --mail-from (the sender's address)")
        })?;
        let credentials = match &self.smtp_username {
            Some(username) => Some(SmtpCredentials {
                username: username.clone(),
                password: std::env::var("PORTICO_SMTP_PASSWORD").map_err(|_| {
                    anyhow::anyhow!("--smtp-username needs the password in PORTICO_SMTP_PASSWORD")
                })?,
            }),
            None => None,
        };
        let mut smtp = SmtpSettings::new(host, self.smtp_tls);
        if let Some(port) = self.smtp_port {
            smtp.port = port;
        }
        smtp.credentials = credentials;
        smtp.timeout = Duration::from_secs(self.smtp_timeout_secs);
        Ok(Some(MailConfig {
            smtp,
            sender: Sender {
                name: self.mail_from_name.clone(),
                address,
            },
            workers: self.mail_workers,
            per_tenant_per_minute: self.mail_per_tenant_per_minute,
        }))
    }
}
