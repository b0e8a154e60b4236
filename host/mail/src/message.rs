//! A rendered outbox message made into a mail: sender, recipient, headers and both parts.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use crate::render::Rendered;

/// The operator's sender: used for every tenant that has no address of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The display name (`Portico`), if any.
    pub name: Option<String>,
    /// The address (`no-reply@portico.example.com`).
    pub address: String,
}

/// A tenant's own sender settings, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantSender {
    /// The name shown as the sender; the operator's name when `None`.
    pub name: Option<String>,
    /// The address mail is sent from; the operator's address when `None`.
    pub address: Option<String>,
    /// Where replies go; no `Reply-To` header when `None`.
    pub reply_to: Option<String>,
}

/// Who one outbox message goes to and from.
#[derive(Debug, Clone, Copy)]
pub struct Addressing<'a> {
    /// The outbox message's id: the Message-ID is `<{id}@{domain of From}>`, the same on every
    /// attempt, so that a receiver can drop a second delivery of the same message.
    pub message_id: &'a str,
    /// The recipient's address.
    pub to: &'a str,
    /// The operator's sender.
    pub sender: &'a Sender,
    /// The tenant's sender settings.
    pub tenant: &'a TenantSender,
}

/// A mail ready to hand to the SMTP server.
#[derive(Debug, Clone)]
pub struct Mail {
    message: Message,
    message_id: String,
}

impl Mail {
    /// The Message-ID header's value (`<id@domain>`).
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// The whole mail as it goes on the wire (headers and body, CRLF line ends).
    pub fn formatted(&self) -> Vec<u8> {
        self.message.formatted()
    }

    pub(crate) fn message(&self) -> &Message {
        &self.message
    }
}

/// Why a message cannot be made into a mail. It would fail the same way on every attempt: the
/// delivery is failed for good (or the operator's or tenant's settings are fixed first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// An address (the recipient's, a sender's or the reply-to) does not parse.
    #[error("the {field} address `{value}` is not a valid email address: {reason}")]
    Address {
        /// `to`, `from` or `reply-to`.
        field: &'static str,
        /// The address as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The outbox message's id cannot be the left part of a Message-ID.
    #[error("the message id `{0}` may hold only letters, digits, `-`, `_` and inner dots")]
    MessageId(String),
    /// lettre refused the mail.
    #[error("the mail cannot be built: {0}")]
    Build(String),
}

/// Builds the mail of one outbox message: From (the tenant's name and address, each falling back
/// to the operator's), Reply-To (the tenant's, if set), To, Subject, a `multipart/alternative`
/// body (the text part, then the HTML part), Content-Language, `Auto-Submitted:
/// auto-generated`, and the Message-ID derived from the message's id.
pub fn build_mail(addressing: &Addressing<'_>, rendered: &Rendered) -> Result<Mail, BuildError> {
    let from = from_mailbox(addressing)?;
    let to = Mailbox::new(None, parse("to", addressing.to)?);
    let message_id = message_id(addressing.message_id, from.email.domain())?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(message_id.clone()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            rendered.lang.code().replace('_', "-"),
        ));
    if let Some(reply_to) = &addressing.tenant.reply_to {
        builder = builder.reply_to(Mailbox::new(None, parse("reply-to", reply_to)?));
    }
    let body = MultiPart::alternative_plain_html(rendered.text.clone(), rendered.html.clone());
    let message = builder
        .multipart(body)
        .map_err(|e| BuildError::Build(e.to_string()))?;
    Ok(Mail {
        message,
        message_id,
    })
}

fn from_mailbox(addressing: &Addressing<'_>) -> Result<Mailbox, BuildError> {
    let (sender, tenant) = (addressing.sender, addressing.tenant);
    let address = tenant.address.as_deref().unwrap_or(&sender.address);
    let name = tenant.name.clone().or_else(|| sender.name.clone());
    let name = name.filter(|n| !n.trim().is_empty());
    Ok(Mailbox::new(name, parse("from", address)?))
}

fn parse(field: &'static str, value: &str) -> Result<Address, BuildError> {
    value
        .trim()
        .parse()
        .map_err(|e: lettre::address::AddressError| BuildError::Address {
            field,
            value: value.into(),
            reason: e.to_string(),
        })
}

/// `<{id}@{domain}>`, when `id` is a dot-atom of letters, digits, `-` and `_`.
fn message_id(id: &str, domain: &str) -> Result<String, BuildError> {
    let atom = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let valid = !id.is_empty()
        && id
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(atom));
    match valid {
        true => Ok(format!("<{id}@{domain}>")),
        false => Err(BuildError::MessageId(id.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Lang;

    fn rendered() -> Rendered {
        Rendered {
            lang: Lang::TrTr,
            subject: "Parolanız değiştirildi".into(),
            text: "Merhaba".into(),
            html: "<p>Merhaba</p>".into(),
        }
    }

    fn sender() -> Sender {
        Sender {
            name: Some("Portico".into()),
            address: "no-reply@mail.example.com".into(),
        }
    }

    #[test]
    fn message_id_is_the_outbox_id_at_the_senders_domain() {
        let tenant = TenantSender {
            name: Some("Acme".into()),
            address: Some("hello@acme.example".into()),
            reply_to: Some("support@acme.example".into()),
        };
        let addressing = Addressing {
            message_id: "0190c8a0-0000-7000-8000-000000000001",
            to: "ada@example.org",
            sender: &sender(),
            tenant: &tenant,
        };
        let mail = build_mail(&addressing, &rendered()).unwrap();
        assert_eq!(
            mail.message_id(),
            "<0190c8a0-0000-7000-8000-000000000001@acme.example>"
        );
        let wire = String::from_utf8(mail.formatted()).unwrap();
        assert!(
            wire.contains("Auto-Submitted: auto-generated\r\n"),
            "{wire}"
        );
        assert!(wire.contains("Content-Language: tr-TR\r\n"), "{wire}");
        assert!(wire.contains("multipart/alternative"), "{wire}");
    }

    #[test]
    fn bad_addresses_and_ids_are_refused() {
        let tenant = TenantSender::default();
        let mut addressing = Addressing {
            message_id: "id",
            to: "not an address",
            sender: &sender(),
            tenant: &tenant,
        };
        let err = build_mail(&addressing, &rendered()).unwrap_err();
        assert!(
            matches!(err, BuildError::Address { field: "to", .. }),
            "{err}"
        );
        addressing.to = "ada@example.org";
        for id in ["", "a b", "a..b", "<x>", "a@b"] {
            addressing.message_id = id;
            let err = build_mail(&addressing, &rendered()).unwrap_err();
            assert_eq!(err, BuildError::MessageId(id.into()));
        }
    }
}
