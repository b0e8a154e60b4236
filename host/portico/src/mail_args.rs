//! `portico serve`'s mail flags: the SMTP server that mails the outbox (`[mail]` in the
//! configuration file). Without an SMTP host nothing is mailed and integrators poll the outbox
//! as before.

use clap::Args;
use figment::value::Value;

#[derive(Args, Debug)]
pub struct MailArgs {
    /// The SMTP server that mails the outbox's messages; without it nothing is mailed (the
    /// outbox is polled through the API instead).
    #[arg(long)]
    smtp_host: Option<String>,
    /// Its port (default: 25 with `--smtp-tls none`, 587 with `starttls`, 465 with `tls`).
    #[arg(long)]
    smtp_port: Option<u64>,
    /// How the connection is secured: `none`, `starttls` (upgraded; refused if the server
    /// cannot) or `tls` (implicit) [default: starttls].
    #[arg(long)]
    smtp_tls: Option<String>,
    /// The user name for SMTP authentication; the password comes from `PORTICO_SMTP_PASSWORD`
    /// or the configuration file (never a flag: it would show in the process list).
    #[arg(long)]
    smtp_username: Option<String>,
    /// Seconds one SMTP conversation may take [default: 30].
    #[arg(long)]
    smtp_timeout_secs: Option<u64>,
    /// The default sender's address (`From`); required with `--smtp-host`.
    #[arg(long)]
    mail_from: Option<String>,
    /// The default sender's name.
    #[arg(long)]
    mail_from_name: Option<String>,
    /// Threads mailing the outbox [default: 2].
    #[arg(long)]
    mail_workers: Option<u64>,
    /// Messages one tenant may send per minute from this host; more wait for the next minute
    /// [default: 60].
    #[arg(long)]
    mail_per_tenant_per_minute: Option<u64>,
}

impl MailArgs {
    /// The flags given, by their key in the configuration file.
    pub fn given(&self, given: &mut Vec<(&'static str, Value)>) {
        let text = |v: &Option<String>| v.clone().map(Value::from);
        let number = |v: &Option<u64>| v.map(Value::from);
        for (key, value) in [
            ("mail.smtp_host", text(&self.smtp_host)),
            ("mail.smtp_port", number(&self.smtp_port)),
            ("mail.smtp_tls", text(&self.smtp_tls)),
            ("mail.smtp_username", text(&self.smtp_username)),
            ("mail.smtp_timeout_secs", number(&self.smtp_timeout_secs)),
            ("mail.from", text(&self.mail_from)),
            ("mail.from_name", text(&self.mail_from_name)),
            ("mail.workers", number(&self.mail_workers)),
            (
                "mail.per_tenant_per_minute",
                number(&self.mail_per_tenant_per_minute),
            ),
        ] {
            if let Some(value) = value {
                given.push((key, value));
            }
        }
    }
}
