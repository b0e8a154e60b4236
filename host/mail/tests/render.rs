//! Every built-in kind renders in both languages with its values, and fails clearly without them.

use portico_mail::{render, Branding, Kind, Lang, Part, TemplateError};
use serde_json::{json, Value};

fn branding() -> Branding {
    Branding {
        tenant_name: "Acme & Co".into(),
        sender_name: None,
    }
}

/// The values of `data` a reader must find in the mail (ids are not shown).
fn shown_values(kind: Kind, data: &Value) -> Vec<String> {
    let keys: &[&str] = match kind {
        Kind::Welcome => &["firstName", "setPasswordLink"],
        Kind::PortalInvitation => &["signupLink"],
        Kind::SignupConfirmation => &["confirmationCode"],
        Kind::PasswordReset => &["firstName", "link"],
        Kind::PasswordChanged => &["firstName"],
        Kind::ActivationCode | Kind::PasswordResetCode => &["firstName", "code"],
    };
    keys.iter()
        .map(|k| data[k].as_str().unwrap().to_string())
        .collect()
}

/// The data's links, which the HTML part must carry as `<a href>` links.
fn links(data: &Value) -> Vec<String> {
    ["setPasswordLink", "signupLink", "link"]
        .iter()
        .filter_map(|k| data.get(*k).and_then(Value::as_str).map(str::to_string))
        .collect()
}

#[test]
fn every_kind_renders_in_both_languages_with_its_values() {
    for kind in Kind::ALL {
        let data = kind.sample_data();
        for lang in Lang::ALL {
            let mail = render(kind.name(), lang.code(), &data, &branding()).unwrap();
            let context = format!("{} {}", kind.name(), lang.code());
            assert_eq!(mail.lang, lang, "{context}");
            assert!(!mail.subject.is_empty() && !mail.subject.contains('\n'));
            for value in shown_values(kind, &data) {
                assert!(mail.text.contains(&value), "{context}: text lacks {value}");
                assert!(mail.html.contains(&value), "{context}: html lacks {value}");
            }
            for link in links(&data) {
                assert!(
                    mail.html.contains(&format!("<a href=\"{link}\"")),
                    "{context}"
                );
            }
            let html_lang = format!("<html lang=\"{}\">", lang.html());
            assert!(mail.html.contains(&html_lang), "{context}");
            assert!(
                mail.html.contains("Acme &amp; Co"),
                "{context}: brand escaped"
            );
            assert!(mail.text.contains("Acme & Co"), "{context}: brand in text");
            assert!(!mail.html.contains("http://") && !mail.html.contains("src="));
        }
    }
}

#[test]
fn the_languages_differ_and_unknown_ones_fall_back_to_english() {
    let data = Kind::PasswordReset.sample_data();
    let en = render("password_reset", "en_US", &data, &branding()).unwrap();
    let tr = render("password_reset", "tr_TR", &data, &branding()).unwrap();
    let de = render("password_reset", "de_DE", &data, &branding()).unwrap();
    assert_eq!(en.subject, "Reset your password");
    assert_eq!(tr.subject, "Parolanızı sıfırlayın");
    assert!(tr.text.contains("Merhaba Ada,") && tr.text.contains("31.01.2030 12:00 UTC"));
    assert!(en.text.contains("Hello Ada,") && en.text.contains("2030-01-31 12:00 UTC"));
    assert_eq!(de, en);
}

#[test]
fn values_are_escaped_in_html_and_kept_in_text() {
    let mut data = Kind::PasswordChanged.sample_data();
    data["firstName"] = json!("<script>alert(1)</script>");
    let mail = render("password_changed", "en_US", &data, &branding()).unwrap();
    assert!(!mail.html.contains("<script>"));
    assert!(mail.html.contains("&lt;script&gt;"));
    assert!(mail.text.contains("Hello <script>alert(1)</script>,"));
}

#[test]
fn welcome_without_a_password_link_says_nothing_of_one() {
    let data = json!({ "userId": "u1", "firstName": "", "lastName": "" });
    let mail = render("welcome", "tr_TR", &data, &branding()).unwrap();
    assert_eq!(mail.subject, "Acme & Co hesabınız hazır");
    assert!(mail.text.starts_with("Merhaba,\n"), "{}", mail.text);
    assert!(!mail.html.contains("<a "));
}

#[test]
fn the_sender_name_signs_the_message() {
    let signed = Branding {
        tenant_name: "Acme".into(),
        sender_name: Some("Acme Support".into()),
    };
    let data = Kind::ActivationCode.sample_data();
    let mail = render("activation_code", "en_US", &data, &signed).unwrap();
    assert!(
        mail.text.ends_with("-- \nAcme Support\n"),
        "{:?}",
        mail.text
    );
}

#[test]
fn a_missing_value_is_an_error_naming_it() {
    for kind in Kind::ALL {
        let full = kind.sample_data();
        for key in shown_values_keys(kind) {
            let mut data = full.clone();
            data.as_object_mut().unwrap().remove(key);
            for lang in Lang::ALL {
                let err = render(kind.name(), lang.code(), &data, &branding()).unwrap_err();
                let TemplateError::MissingValue { message, .. } = &err else {
                    panic!("{} {key}: {err}", kind.name());
                };
                assert!(message.contains(&format!("`{key}` is undefined")), "{err}");
            }
        }
    }
    let mut data = Kind::PortalInvitation.sample_data();
    data["signupLink"] = Value::Null;
    let err = render("portal_invitation", "en_US", &data, &branding()).unwrap_err();
    assert!(
        matches!(
            &err,
            TemplateError::MissingValue {
                part: Part::Text,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("`signupLink` is undefined"),
        "{err}"
    );
}

/// The keys whose absence must fail the render (the welcome's password link is optional).
fn shown_values_keys(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Welcome => vec!["firstName"],
        Kind::PortalInvitation => vec!["signupLink", "expiresAt"],
        Kind::SignupConfirmation => vec!["confirmationCode"],
        Kind::PasswordReset => vec!["firstName", "link", "expiresAt"],
        Kind::PasswordChanged => vec!["firstName"],
        Kind::ActivationCode | Kind::PasswordResetCode => vec!["firstName", "code", "expiresAt"],
    }
}

#[test]
fn unknown_templates_and_bad_data_are_refused() {
    let err = render("newsletter", "en_US", &json!({}), &branding()).unwrap_err();
    assert_eq!(err, TemplateError::UnknownTemplate("newsletter".into()));
    let err = render("welcome", "en_US", &json!([1]), &branding()).unwrap_err();
    assert_eq!(err, TemplateError::DataNotObject);
}
