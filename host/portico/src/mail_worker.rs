//! The background workers that mail the outbox (issue 20): each leases the messages due now
//! (`Notifications::lease_due_messages`, fair across tenants, exclusive across every host
//! sharing the store), renders each in its language (the one its data names in `langCode`,
//! else the tenant's `mailLanguage`) from the tenant's own templates for its kind and language
//! where the tenant saved some (else the built-in ones, `portico-mail`), sends it from the
//! tenant's own sender where its settings name one (else the operator's) through the
//! operator's SMTP server, and records the outcome: sent, retried later after a temporary
//! failure, or failed for good with the server's answer (visible in the tenant's outbox).
//! Delivery is at least once: a worker that dies between the SMTP server's acceptance and the
//! record leaves the message to be sent again when its lease expires; its `Message-ID` (the
//! message's id) lets the receiver drop the copy.
//!
//! Each tenant sends at most `MailConfig::per_tenant_per_minute` messages a minute from this
//! host: a message past that is handed back unattempted, due when the tenant's window has
//! room, so one tenant's burst never holds the workers from the others. The SMTP conversation
//! blocks, so the workers are threads of their own; each stops between two messages when
//! asked and hands back what it leased and did not send.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portico_mail::{
    build_mail, render, render_override, Addressing, Branding, Kind, Lang, Mailer, OverrideSources,
    Sender, SmtpSettings, TemplateError, TenantSender,
};

use crate::domain::delivery::LeasedMessage;
use crate::domain::Domain;

/// How often an idle worker looks for due messages.
pub const MAIL_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How long a worker waits after a look at the outbox failed (the store out of reach).
pub const MAIL_FAILED_LOOK_PAUSE: Duration = Duration::from_secs(2);
/// Messages leased per look.
pub const MAIL_BATCH: usize = 16;
/// Messages of one tenant leased per look, so a backlog leaves room for the other tenants.
pub const MAILS_PER_TENANT_PER_LOOK: usize = 4;
/// Mail workers by default.
pub const DEFAULT_MAIL_WORKERS: usize = 2;
/// Most mail workers an operator may configure.
pub const MAX_MAIL_WORKERS: usize = 32;
/// Messages one tenant may send per minute from one host by default.
pub const DEFAULT_MAILS_PER_TENANT_PER_MINUTE: usize = 60;
/// The window of the per-tenant rate.
const RATE_WINDOW: Duration = Duration::from_secs(60);

/// What the operator configured for mail.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// The SMTP server.
    pub smtp: SmtpSettings,
    /// The default sender (`From`).
    pub sender: Sender,
    /// Worker threads.
    pub workers: usize,
    /// Messages one tenant may send per minute from this host.
    pub per_tenant_per_minute: usize,
}

/// Running workers; `stop` waits for each to finish its current message.
pub struct MailWorker {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// The per-tenant send times of the last `RATE_WINDOW`, shared by this host's workers.
struct TenantRate {
    limit: usize,
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl TenantRate {
    /// Takes a send for `tenant` now, or answers how long until its window has room.
    fn take(&self, tenant: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let times = sent.entry(tenant.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(RATE_WINDOW.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

/// What one worker thread holds.
struct Worker {
    domain: Arc<Domain>,
    mailer: Mailer,
    sender: Sender,
    rate: Arc<TenantRate>,
    id: String,
}

impl MailWorker {
    /// Checks the SMTP settings and starts the workers (at least 1, at most
    /// `MAX_MAIL_WORKERS`), named in their leases after `host_id` (unique among the hosts of
    /// one store).
    pub fn start(
        domain: Arc<Domain>,
        config: MailConfig,
        host_id: &str,
    ) -> anyhow::Result<MailWorker> {
        let mailer =
            Mailer::new(&config.smtp).map_err(|e| anyhow::anyhow!("SMTP settings: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let rate = Arc::new(TenantRate {
            limit: config.per_tenant_per_minute.max(1),
            sent: Mutex::default(),
        });
        let threads = (0..config.workers.clamp(1, MAX_MAIL_WORKERS))
            .map(|i| {
                let worker = Worker {
                    domain: domain.clone(),
                    mailer: mailer.clone(),
                    sender: config.sender.clone(),
                    rate: rate.clone(),
                    id: format!("{host_id}/mail-{i}"),
                };
                let stop = stop.clone();
                std::thread::Builder::new()
                    .name(format!("mail-delivery-{i}"))
                    .spawn(move || worker.run(&stop))
                    .expect("spawn a mail delivery thread")
            })
            .collect();
        Ok(MailWorker { stop, threads })
    }

    /// Stops the threads once their current message is done, and waits for them.
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

impl Worker {
    fn run(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let notifications = &self.domain.notifications;
            let leased = match notifications.lease_due_messages(
                &self.id,
                MAIL_BATCH,
                MAILS_PER_TENANT_PER_LOOK,
            ) {
                Ok(leased) => leased,
                Err(e) => {
                    tracing::error!(error = %e, "leasing due messages failed");
                    std::thread::sleep(MAIL_FAILED_LOOK_PAUSE);
                    continue;
                }
            };
            if leased.is_empty() {
                std::thread::sleep(MAIL_POLL_INTERVAL);
                continue;
            }
            for message in &leased {
                if stop.load(Ordering::SeqCst) {
                    self.hand_back(message, Duration::ZERO);
                } else {
                    self.deliver(message);
                }
            }
        }
    }

    /// Sends one message within its tenant's rate, and records the outcome.
    fn deliver(&self, leased: &LeasedMessage) {
        if let Err(wait) = self.rate.take(&leased.tenant_id) {
            self.hand_back(leased, wait);
            return;
        }
        let outcome = self.send(leased);
        let (n, id, tenant) = (
            &self.domain.notifications,
            leased.message.id.as_str(),
            leased.tenant_id.as_str(),
        );
        let recorded = match &outcome {
            Ok(()) => n.message_sent(&self.id, tenant, id),
            Err(Failure::Temporary(answer)) => {
                n.message_failed_temporarily(&self.id, tenant, id, answer)
            }
            Err(Failure::Permanent(answer)) => {
                n.message_failed_permanently(&self.id, tenant, id, answer)
            }
        };
        match (&outcome, recorded) {
            (_, Err(e)) => {
                tracing::error!(error = %e, tenant, notification = id, "recording a delivery failed")
            }
            (Err(failure), _) => {
                tracing::warn!(tenant, notification = id, error = %failure.answer(), "mail not delivered")
            }
            (Ok(()), _) => tracing::debug!(tenant, notification = id, "mail delivered"),
        }
    }

    /// Renders, builds and sends the message's mail.
    fn send(&self, leased: &LeasedMessage) -> Result<(), Failure> {
        let message = &leased.message;
        if message.channel != "email" {
            return Err(Failure::Permanent(format!(
                "no delivery for channel '{}'",
                message.channel
            )));
        }
        let tenant = self
            .domain
            .tenants
            .get_tenant_by_id(&leased.tenant_id)
            .map_err(|e| Failure::Temporary(e.to_string()))?;
        let settings = self
            .domain
            .tenants
            .tenant_settings(&tenant)
            .map_err(|e| Failure::Temporary(e.to_string()))?;
        // The tenant's own sender, each part unset falling back to the operator's; its name
        // also signs the mail.
        let tenant_sender = TenantSender {
            name: settings.mail_sender_name,
            address: settings.mail_sender_address,
            reply_to: settings.mail_reply_to,
        };
        // The language the message names, else the tenant's; the tenant's own templates for
        // the message's kind in that language, else the built-in ones.
        let lang = message.data["langCode"]
            .as_str()
            .and_then(Lang::recognize)
            .or_else(|| Lang::from_code(&settings.mail_language))
            .unwrap_or(Lang::EnUs);
        let own = match Kind::from_name(&message.template) {
            Some(kind) => self
                .domain
                .tenants
                .mail_template_for(&tenant, kind.name(), lang.code())
                .map_err(|e| Failure::Temporary(e.to_string()))?
                .map(|template| (kind, template)),
            None => None,
        };
        // The portal's display name (its pages' name) names the tenant in its mails too.
        let portal = self
            .domain
            .portal
            .portal_settings(&tenant)
            .map_err(|e| Failure::Temporary(e.to_string()))?;
        let branding = Branding {
            tenant_name: portal.settings.display_name.unwrap_or(tenant.name),
            sender_name: tenant_sender.name.clone(),
        };
        // A template that does not render (the tenant's own included: a value its data lacks),
        // or an address that does not parse, fails the same way on every attempt: permanent.
        let rendered = match &own {
            Some((kind, template)) => {
                let sources = OverrideSources {
                    subject: &template.subject,
                    text: &template.text,
                    html: &template.html,
                };
                render_override(*kind, lang.code(), &sources, &message.data, &branding)
                    .map_err(|e| own_templates_fail(&template.kind, &template.lang, e))?
            }
            None => render(&message.template, lang.code(), &message.data, &branding)
                .map_err(|e| Failure::Permanent(format!("the message does not render: {e}")))?,
        };
        let addressing = Addressing {
            message_id: &message.id,
            to: &message.recipient,
            sender: &self.sender,
            tenant: &tenant_sender,
        };
        let mail = build_mail(&addressing, &rendered)
            .map_err(|e| Failure::Permanent(format!("the mail cannot be built: {e}")))?;
        self.mailer.send(&mail).map_err(|e| {
            if e.is_permanent() {
                Failure::Permanent(e.to_string())
            } else {
                Failure::Temporary(e.to_string())
            }
        })
    }

    /// Hands a leased message back unattempted, due again after `wait`.
    fn hand_back(&self, leased: &LeasedMessage, wait: Duration) {
        let until = self.domain.clock().now()
            + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
        let notifications = &self.domain.notifications;
        let handed =
            notifications.message_deferred(&self.id, &leased.tenant_id, &leased.message.id, until);
        if let Err(e) = handed {
            tracing::error!(error = %e, "handing a message back failed; its lease will expire");
        }
    }
}

/// The failure of a message the tenant's own templates for `kind` in `lang` do not render.
fn own_templates_fail(kind: &str, lang: &str, error: TemplateError) -> Failure {
    Failure::Permanent(format!(
        "the message does not render with the tenant's own templates ({kind}, {lang}): {error}"
    ))
}

/// Why a message was not delivered, with the SMTP server's answer (or the local reason).
enum Failure {
    Temporary(String),
    Permanent(String),
}

impl Failure {
    fn answer(&self) -> &str {
        match self {
            Failure::Temporary(a) | Failure::Permanent(a) => a,
        }
    }
}
