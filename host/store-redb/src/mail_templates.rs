//! The mail templates port on redb: a tenant's own templates in `Table::MailTemplates` under
//! `kind \u{1f} lang` (a tenant holds at most one per kind and language, so a listing scans the
//! tenant's range).

use portico_core::mail_templates::MailTemplate;
use portico_core::storage::{MailTemplateReads, MailTemplateWrites, StorageResult};

use super::{composite_key, ReadTx, Reader, Table, WriteTx};

macro_rules! mail_template_reads {
    ($($t:ty),*) => {$(
        impl MailTemplateReads for $t {
            fn mail_template(
                &self,
                tenant: &str,
                kind: &str,
                lang: &str,
            ) -> StorageResult<Option<MailTemplate>> {
                Ok(self.get(Table::MailTemplates, tenant, &composite_key(kind, lang))?)
            }
            fn mail_templates(&self, tenant: &str) -> StorageResult<Vec<MailTemplate>> {
                let rows: Vec<(String, MailTemplate)> =
                    self.scan(Table::MailTemplates, tenant, "", None, usize::MAX)?;
                Ok(rows.into_iter().map(|(_, t)| t).collect())
            }
        }
    )*};
}
mail_template_reads!(ReadTx, WriteTx<'_>);

impl MailTemplateWrites for WriteTx<'_> {
    fn put_mail_template(&mut self, tenant: &str, template: &MailTemplate) -> StorageResult<()> {
        let key = composite_key(&template.kind, &template.lang);
        Ok(self.put(Table::MailTemplates, tenant, &key, template)?)
    }

    fn delete_mail_template(
        &mut self,
        tenant: &str,
        kind: &str,
        lang: &str,
    ) -> StorageResult<bool> {
        Ok(self.delete(Table::MailTemplates, tenant, &composite_key(kind, lang))?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::mail_templates::MailTemplate;
    use portico_core::storage::{MailTemplateReads, MailTemplateWrites, TenantWrites};
    use portico_core::tenants::Tenant;

    use crate::{composite_key, RawReader, Store, Table};

    fn template(kind: &str, lang: &str, subject: &str) -> MailTemplate {
        MailTemplate {
            kind: kind.into(),
            lang: lang.into(),
            subject: subject.into(),
            text: "Hello {{ firstName }}".into(),
            html: "<p>Hello {{ firstName }}</p>".into(),
            updated_at: Utc::now(),
        }
    }

    fn tenant(id: &str) -> Tenant {
        Tenant {
            id: id.into(),
            namespace: format!("ns_{id}"),
            name: id.into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn templates_are_kept_per_tenant_kind_and_language_replaced_deleted_and_gone_with_the_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_tenant(&tenant("t1")).unwrap();
        tx.insert_tenant(&tenant("t2")).unwrap();
        tx.put_mail_template("t1", &template("welcome", "en_US", "Hi"))
            .unwrap();
        tx.put_mail_template("t1", &template("welcome", "tr_TR", "Merhaba"))
            .unwrap();
        tx.put_mail_template("t2", &template("welcome", "en_US", "Other"))
            .unwrap();
        // Replaced, not added.
        tx.put_mail_template("t1", &template("welcome", "en_US", "Hello"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let found = read
            .mail_template("t1", "welcome", "en_US")
            .unwrap()
            .unwrap();
        assert_eq!(found.subject, "Hello");
        assert_eq!(
            read.mail_template("t1", "welcome", "tr_TR")
                .unwrap()
                .unwrap()
                .subject,
            "Merhaba"
        );
        assert_eq!(
            read.mail_template("t1", "password_reset", "en_US").unwrap(),
            None
        );
        assert_eq!(read.mail_templates("t1").unwrap().len(), 2);
        assert_eq!(read.mail_templates("t2").unwrap().len(), 1);
        // The layout on disk: under `kind \u{1f} lang`.
        assert!(read
            .get_raw(
                Table::MailTemplates,
                "t1",
                &composite_key("welcome", "tr_TR")
            )
            .unwrap()
            .is_some());
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_mail_template("t1", "welcome", "tr_TR").unwrap());
        assert!(!tx.delete_mail_template("t1", "welcome", "tr_TR").unwrap());
        assert_eq!(tx.mail_template("t1", "welcome", "tr_TR").unwrap(), None);
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert!(tx.delete_tenant("t1").unwrap());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert!(read.mail_templates("t1").unwrap().is_empty());
        assert_eq!(read.mail_templates("t2").unwrap().len(), 1);
    }
}
