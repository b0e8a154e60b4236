//! domain/mail_templates.rs: a tenant's own mail templates saved per kind and language only
//! after the kind, the language, each template's size and the caller's render check pass (in
//! that order, nothing written on a refusal), read, listed, replaced and deleted per tenant; the
//! `mailLanguage` setting checked.

use std::cell::Cell;
use std::sync::Arc;

use portico_core::domain::mail_templates::{
    MailTemplateSources, INVALID_MAIL_TEMPLATE, MAX_MAIL_TEMPLATE_BYTES,
};
use portico_core::domain::{Domain, DomainError, Tenant, TenantSettingsPatch};
use portico_store_redb::Store;
use tempfile::TempDir;

struct Fixture {
    domain: Domain,
    acme: Tenant,
    beta: Tenant,
    _dir: TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let domain = Domain::new(store, "http://portico.test".into());
    let acme = domain.tenants.create_tenant("acme", None).unwrap();
    let beta = domain.tenants.create_tenant("beta", None).unwrap();
    Fixture {
        domain,
        acme,
        beta,
        _dir: dir,
    }
}

fn sources(subject: &str) -> MailTemplateSources {
    MailTemplateSources {
        subject: subject.into(),
        text: "Hello {{ firstName }}".into(),
        html: "<p>Hello {{ firstName }}</p>".into(),
    }
}

fn code(error: DomainError) -> String {
    match error {
        DomainError::BadRequest { code, .. } => code.to_string(),
        DomainError::NotFound { what, .. } => format!("{what} not found"),
        other => format!("{other:?}"),
    }
}

fn passes(_: &MailTemplateSources) -> Result<(), String> {
    Ok(())
}

#[test]
fn templates_are_saved_read_listed_replaced_and_deleted_per_tenant() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let saved = tenants
        .save_mail_template(&f.acme, "welcome", "tr_TR", sources("Merhaba"), passes)
        .unwrap();
    assert_eq!(
        (saved.kind.as_str(), saved.lang.as_str()),
        ("welcome", "tr_TR")
    );
    tenants
        .save_mail_template(&f.acme, "password_reset", "en_US", sources("Reset"), passes)
        .unwrap();
    tenants
        .save_mail_template(&f.acme, "welcome", "en_US", sources("Hi"), passes)
        .unwrap();
    let replaced = tenants
        .save_mail_template(&f.acme, "welcome", "en_US", sources("Hello"), passes)
        .unwrap();
    assert_eq!(
        tenants
            .get_mail_template(&f.acme, "welcome", "en_US")
            .unwrap(),
        replaced
    );
    let keys: Vec<(String, String)> = tenants
        .list_mail_templates(&f.acme)
        .unwrap()
        .into_iter()
        .map(|t| (t.kind, t.lang))
        .collect();
    let key = |k: &str, l: &str| (k.to_string(), l.to_string());
    assert_eq!(
        keys,
        [
            key("password_reset", "en_US"),
            key("welcome", "en_US"),
            key("welcome", "tr_TR")
        ]
    );
    // Another tenant sees none of them.
    assert!(tenants.list_mail_templates(&f.beta).unwrap().is_empty());
    assert_eq!(
        tenants
            .mail_template_for(&f.beta, "welcome", "en_US")
            .unwrap(),
        None
    );
    assert_eq!(
        code(
            tenants
                .delete_mail_template(&f.beta, "welcome", "en_US")
                .unwrap_err()
        ),
        "mail template not found"
    );

    tenants
        .delete_mail_template(&f.acme, "welcome", "en_US")
        .unwrap();
    assert_eq!(
        code(
            tenants
                .get_mail_template(&f.acme, "welcome", "en_US")
                .unwrap_err()
        ),
        "mail template not found"
    );
    assert_eq!(tenants.list_mail_templates(&f.acme).unwrap().len(), 2);
}

#[test]
fn the_check_runs_after_the_key_and_sizes_and_a_refusal_writes_nothing() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    let checked = Cell::new(0);
    let counting = |_: &MailTemplateSources| {
        checked.set(checked.get() + 1);
        Ok(())
    };
    let refused =
        tenants.save_mail_template(&f.acme, "newsletter", "en_US", sources("S"), counting);
    assert_eq!(code(refused.unwrap_err()), "unknown_mail_template_kind");
    let refused = tenants.save_mail_template(&f.acme, "welcome", "de_DE", sources("S"), counting);
    assert_eq!(code(refused.unwrap_err()), "unsupported_mail_language");
    let big = MailTemplateSources {
        html: "x".repeat(MAX_MAIL_TEMPLATE_BYTES + 1),
        ..sources("S")
    };
    let refused = tenants.save_mail_template(&f.acme, "welcome", "en_US", big, counting);
    assert_eq!(code(refused.unwrap_err()), "mail_template_too_large");
    assert_eq!(
        checked.get(),
        0,
        "the check is not run for a refused key or size"
    );

    let refused = tenants.save_mail_template(&f.acme, "welcome", "en_US", sources("S"), |_| {
        Err("the subject template does not parse: line 1".to_string())
    });
    let Err(DomainError::BadRequest { code, message }) = refused else {
        panic!("not refused: {refused:?}");
    };
    assert_eq!(code, INVALID_MAIL_TEMPLATE);
    assert_eq!(message, "the subject template does not parse: line 1");
    assert!(tenants.list_mail_templates(&f.acme).unwrap().is_empty());
}

#[test]
fn the_mail_language_is_a_language_mail_is_written_in() {
    let f = fixture();
    let tenants = &f.domain.tenants;
    assert_eq!(
        tenants.tenant_settings(&f.acme).unwrap().mail_language,
        "en_US"
    );
    let patch = |lang: &str| TenantSettingsPatch {
        mail_language: Some(lang.into()),
        ..TenantSettingsPatch::default()
    };
    let settings = tenants
        .update_tenant_settings(&f.acme, patch("tr_TR"))
        .unwrap();
    assert_eq!(settings.mail_language, "tr_TR");
    for bad in ["de_DE", "tr", "TR_tr", ""] {
        let refused = tenants.update_tenant_settings(&f.acme, patch(bad));
        assert_eq!(code(refused.unwrap_err()), "invalid_setting", "{bad}");
    }
    assert_eq!(
        tenants.tenant_settings(&f.acme).unwrap().mail_language,
        "tr_TR"
    );
    assert_eq!(
        tenants.tenant_settings(&f.beta).unwrap().mail_language,
        "en_US"
    );
}
