//! The mail templates port: a tenant's own templates by notification kind and language. A
//! tenant holds at most one per kind and language (`MAIL_TEMPLATE_KINDS` x `MAIL_LANGUAGES`),
//! so a listing reads them all.

use super::StorageResult;
use crate::mail_templates::MailTemplate;

/// Reading a tenant's mail templates.
pub trait MailTemplateReads {
    /// The tenant's templates for `kind` in `lang`.
    fn mail_template(
        &self,
        tenant: &str,
        kind: &str,
        lang: &str,
    ) -> StorageResult<Option<MailTemplate>>;
    /// Every template of the tenant (in no particular order).
    fn mail_templates(&self, tenant: &str) -> StorageResult<Vec<MailTemplate>>;
}

/// Writing a tenant's mail templates.
pub trait MailTemplateWrites: MailTemplateReads {
    /// Stores the tenant's templates for `template.kind` in `template.lang`, replacing any.
    fn put_mail_template(&mut self, tenant: &str, template: &MailTemplate) -> StorageResult<()>;
    /// Deletes the tenant's templates for `kind` in `lang`; answers whether there were some.
    fn delete_mail_template(&mut self, tenant: &str, kind: &str, lang: &str)
        -> StorageResult<bool>;
}
