//! A tenant's own mail templates: for a notification kind and a language, the subject,
//! plain-text and HTML templates its mails are rendered from instead of the built-in ones; and
//! the language of its mails (the tenant setting `mailLanguage`).
//!
//! Whether a template renders is the template engine's to say, and the core names no template
//! engine: saving takes the check as an argument (`save_mail_template`'s `check`), which the
//! HTTP layer gives as the mail renderer's own (`portico_mail::check_override`). The
//! dependencies stay one way (`portico-http` -> `portico-mail`, a leaf, and `portico-core`),
//! the check runs before anything is written, and no caller can save without passing one. The
//! rules check the rest themselves: the kind and language (so a tenant holds at most one
//! template set per kind and language) and each template's size.

use serde::Deserialize;

use super::error::{DomainError, DomainResult};
use super::Tenants;
pub use crate::mail_templates::{
    MailTemplate, DEFAULT_MAIL_LANGUAGE, MAIL_LANGUAGES, MAIL_TEMPLATE_KINDS,
    MAX_MAIL_TEMPLATE_BYTES,
};
use crate::tenants::Tenant;

/// The error code of a template that does not parse or render (the check's refusal).
pub const INVALID_MAIL_TEMPLATE: &str = "invalid_mail_template";

/// Longest piece of a refused value shown back in an error, in characters.
const SHOWN_CHARS: usize = 64;

/// The three templates of a kind in a language, as a tenant sends them (all three required).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailTemplateSources {
    /// The subject template (one line once rendered).
    pub subject: String,
    /// The plain-text template.
    pub text: String,
    /// The HTML template.
    pub html: String,
}

/// `value` as an error shows it: quoted, cut at `SHOWN_CHARS` characters.
fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{:?}...", &value[..end]),
        None => format!("{value:?}"),
    }
}

/// Checks a template's key: `kind` one of `MAIL_TEMPLATE_KINDS` (else 400
/// `unknown_mail_template_kind` naming them), `lang` one of `MAIL_LANGUAGES` (else 400
/// `unsupported_mail_language` naming them).
pub fn validate_mail_template_key(kind: &str, lang: &str) -> DomainResult<()> {
    if !MAIL_TEMPLATE_KINDS.contains(&kind) {
        return Err(DomainError::bad_request(
            "unknown_mail_template_kind",
            format!(
                "there is no notification kind {}; the kinds are {}",
                shown(kind),
                MAIL_TEMPLATE_KINDS.join(", ")
            ),
        ));
    }
    if !MAIL_LANGUAGES.contains(&lang) {
        return Err(DomainError::bad_request(
            "unsupported_mail_language",
            format!(
                "mail is not written in {}; the languages are {}",
                shown(lang),
                MAIL_LANGUAGES.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Checks the `mailLanguage` setting: one of `MAIL_LANGUAGES`, exactly (else 400
/// `invalid_setting` naming them).
pub fn validate_mail_language(lang: &str) -> DomainResult<String> {
    if MAIL_LANGUAGES.contains(&lang) {
        return Ok(lang.to_string());
    }
    Err(DomainError::bad_request(
        "invalid_setting",
        format!(
            "mailLanguage must be one of {} (not {})",
            MAIL_LANGUAGES.join(", "),
            shown(lang)
        ),
    ))
}

/// Checks each template's size: at most `MAX_MAIL_TEMPLATE_BYTES` (else 400
/// `mail_template_too_large` naming the template and the limit).
fn validate_sizes(sources: &MailTemplateSources) -> DomainResult<()> {
    let parts = [
        ("subject", &sources.subject),
        ("text", &sources.text),
        ("html", &sources.html),
    ];
    for (part, source) in parts {
        if source.len() > MAX_MAIL_TEMPLATE_BYTES {
            return Err(DomainError::bad_request(
                "mail_template_too_large",
                format!(
                    "the {part} template has {} bytes; each template may have at most \
                     {MAX_MAIL_TEMPLATE_BYTES} bytes (MAX_MAIL_TEMPLATE_BYTES)",
                    source.len()
                ),
            ));
        }
    }
    Ok(())
}

impl Tenants {
    /// Saves the tenant's own templates for `kind` in `lang`, replacing any, and answers them.
    /// Refused, before anything is written: an unknown kind or language
    /// (`validate_mail_template_key`), a template over `MAX_MAIL_TEMPLATE_BYTES`, then a
    /// template that `check` (the template engine's check: parses, renders against the kind's
    /// data) refuses, as 400 `invalid_mail_template` with the check's words.
    pub fn save_mail_template(
        &self,
        tenant: &Tenant,
        kind: &str,
        lang: &str,
        sources: MailTemplateSources,
        check: impl FnOnce(&MailTemplateSources) -> Result<(), String>,
    ) -> DomainResult<MailTemplate> {
        validate_mail_template_key(kind, lang)?;
        validate_sizes(&sources)?;
        check(&sources)
            .map_err(|message| DomainError::bad_request(INVALID_MAIL_TEMPLATE, message))?;
        let template = MailTemplate {
            kind: kind.to_string(),
            lang: lang.to_string(),
            subject: sources.subject,
            text: sources.text,
            html: sources.html,
            updated_at: self.ctx.now(),
        };
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        tx.put_mail_template(&tenant.id, &template)?;
        tx.commit()?;
        Ok(template)
    }

    /// The tenant's own templates for `kind` in `lang`: 404 `mail_template_not_found` when it
    /// has none (the built-in ones are used).
    pub fn get_mail_template(
        &self,
        tenant: &Tenant,
        kind: &str,
        lang: &str,
    ) -> DomainResult<MailTemplate> {
        validate_mail_template_key(kind, lang)?;
        self.mail_template_for(tenant, kind, lang)?
            .ok_or_else(|| DomainError::not_found("mail template", format!("{kind}/{lang}")))
    }

    /// Every template the tenant saved, by kind then language.
    pub fn list_mail_templates(&self, tenant: &Tenant) -> DomainResult<Vec<MailTemplate>> {
        let mut templates = self.ctx.store.read()?.mail_templates(&tenant.id)?;
        templates.sort_by(|a, b| (&a.kind, &a.lang).cmp(&(&b.kind, &b.lang)));
        Ok(templates)
    }

    /// Deletes the tenant's own templates for `kind` in `lang`: its mails of that kind and
    /// language use the built-in ones again. 404 `mail_template_not_found` when it had none.
    pub fn delete_mail_template(
        &self,
        tenant: &Tenant,
        kind: &str,
        lang: &str,
    ) -> DomainResult<()> {
        validate_mail_template_key(kind, lang)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_mail_template(&tenant.id, kind, lang)? {
            return Err(DomainError::not_found(
                "mail template",
                format!("{kind}/{lang}"),
            ));
        }
        tx.commit()?;
        Ok(())
    }

    /// The tenant's own templates for `kind` in `lang`, if it saved some: what a delivery
    /// worker renders a message with (the built-in ones otherwise).
    pub fn mail_template_for(
        &self,
        tenant: &Tenant,
        kind: &str,
        lang: &str,
    ) -> DomainResult<Option<MailTemplate>> {
        Ok(self
            .ctx
            .store
            .read()?
            .mail_template(&tenant.id, kind, lang)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(result: DomainResult<T>) -> &'static str {
        match result {
            Err(DomainError::BadRequest { code, .. }) => code,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn keys_are_a_known_kind_and_a_language_mail_is_written_in() {
        for kind in MAIL_TEMPLATE_KINDS {
            for lang in MAIL_LANGUAGES {
                validate_mail_template_key(kind, lang).unwrap();
            }
        }
        assert_eq!(
            code(validate_mail_template_key("newsletter", "en_US")),
            "unknown_mail_template_kind"
        );
        assert_eq!(
            code(validate_mail_template_key("welcome", "de_DE")),
            "unsupported_mail_language"
        );
        assert_eq!(
            code(validate_mail_template_key("welcome", "en_us")),
            "unsupported_mail_language"
        );
        let Err(DomainError::BadRequest { message, .. }) =
            validate_mail_template_key("welcome", &"x".repeat(10_000))
        else {
            panic!("not refused");
        };
        assert!(message.len() < 200, "{message}");
        assert!(message.contains("en_US, tr_TR"), "{message}");
    }

    #[test]
    fn the_mail_language_is_one_of_the_languages() {
        assert_eq!(validate_mail_language("tr_TR").unwrap(), "tr_TR");
        assert_eq!(code(validate_mail_language("tr")), "invalid_setting");
        assert_eq!(code(validate_mail_language("")), "invalid_setting");
    }

    #[test]
    fn each_template_is_bounded() {
        let at_bound = MailTemplateSources {
            subject: "s".into(),
            text: "t".repeat(MAX_MAIL_TEMPLATE_BYTES),
            html: "h".into(),
        };
        validate_sizes(&at_bound).unwrap();
        let past = MailTemplateSources {
            html: "h".repeat(MAX_MAIL_TEMPLATE_BYTES + 1),
            ..at_bound
        };
        assert_eq!(code(validate_sizes(&past)), "mail_template_too_large");
    }
}
