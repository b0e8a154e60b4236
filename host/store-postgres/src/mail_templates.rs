//! The mail templates aggregate on PostgreSQL: `mail_templates`, a row per tenant, kind and
//! language (the key).

use portico_core::mail_templates::MailTemplate;
use portico_core::storage::{MailTemplateReads, MailTemplateWrites, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const COLUMNS: &str = "kind, lang, subject, text_body, html_body, updated_at";

fn mail_template(row: &Row) -> MailTemplate {
    MailTemplate {
        kind: row.get("kind"),
        lang: row.get("lang"),
        subject: row.get("subject"),
        text: row.get("text_body"),
        html: row.get("html_body"),
        updated_at: row.get("updated_at"),
    }
}

impl MailTemplateReads for PgTx {
    fn mail_template(
        &self,
        tenant: &str,
        kind: &str,
        lang: &str,
    ) -> StorageResult<Option<MailTemplate>> {
        let row = self.query_opt(
            &format!(
                "SELECT {COLUMNS} FROM mail_templates \
                 WHERE tenant_id = $1 AND kind = $2 AND lang = $3"
            ),
            &[&tenant, &kind, &lang],
        )?;
        Ok(row.as_ref().map(mail_template))
    }

    fn mail_templates(&self, tenant: &str) -> StorageResult<Vec<MailTemplate>> {
        let rows = self.query(
            &format!("SELECT {COLUMNS} FROM mail_templates WHERE tenant_id = $1"),
            &[&tenant],
        )?;
        Ok(rows.iter().map(mail_template).collect())
    }
}

impl MailTemplateWrites for PgTx {
    fn put_mail_template(&mut self, tenant: &str, template: &MailTemplate) -> StorageResult<()> {
        self.execute(
            "INSERT INTO mail_templates \
             (tenant_id, kind, lang, subject, text_body, html_body, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, kind, lang) DO UPDATE \
             SET subject = $4, text_body = $5, html_body = $6, updated_at = $7",
            &[
                &tenant,
                &template.kind,
                &template.lang,
                &template.subject,
                &template.text,
                &template.html,
                &template.updated_at,
            ],
        )?;
        Ok(())
    }

    fn delete_mail_template(
        &mut self,
        tenant: &str,
        kind: &str,
        lang: &str,
    ) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM mail_templates WHERE tenant_id = $1 AND kind = $2 AND lang = $3",
            &[&tenant, &kind, &lang],
        )?;
        Ok(deleted > 0)
    }
}
