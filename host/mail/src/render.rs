//! Rendering a message from its kind's templates: the built-in ones, or a tenant's override.

use std::sync::OnceLock;

use minijinja::value::{Serde, Value as MjValue, ValueKind};
use minijinja::{escape_formatter, AutoEscape, Environment, State, UndefinedBehavior};
use minijinja::{Error as MjError, ErrorKind, Output};
use serde_json::{json, Map, Value};

use crate::kinds::{Kind, Lang};
use crate::template_error::{explain, Part, TemplateError};

/// The largest override template (each of the three) a tenant may save.
pub const MAX_OVERRIDE_BYTES: usize = 64 * 1024;

/// The work one template may do (minijinja's fuel: about one unit per instruction), so that an
/// override cannot loop for long or build a huge message.
const FUEL: u64 = 200_000;

/// Who the message comes from, as the templates show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// The tenant's display name (`brand.name` in the templates).
    pub tenant_name: String,
    /// The tenant's sender name, signed under the message (`brand.signature`); the tenant's
    /// display name when `None`.
    pub sender_name: Option<String>,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The language it was rendered in (`en_US` when the one asked for has no templates).
    pub lang: Lang,
    /// The subject: one line, whitespace collapsed.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, every value escaped.
    pub html: String,
}

/// A tenant's own templates for one kind and language, as saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverrideSources<'a> {
    /// The subject template.
    pub subject: &'a str,
    /// The plain-text template.
    pub text: &'a str,
    /// The HTML template (values escaped; it may extend `en_US/layout.html` or
    /// `tr_TR/layout.html`).
    pub html: &'a str,
}

/// Renders the built-in templates of `template` (an outbox message's template name) in `lang`
/// (`en_US` when there are none in it) with the message's `data` (a JSON object; `null` values
/// count as missing) and the tenant's `branding`. A value a template needs and `data` lacks is
/// an error naming it, never an empty string.
pub fn render(
    template: &str,
    lang: &str,
    data: &Value,
    branding: &Branding,
) -> Result<Rendered, TemplateError> {
    let kind =
        Kind::from_name(template).ok_or_else(|| TemplateError::UnknownTemplate(template.into()))?;
    let lang = Lang::resolve(lang);
    let names = built_in_names(kind, lang);
    render_names(built_in(), &names, lang, data, branding)
}

/// Renders a tenant's override of `kind` in `lang` with the message's `data` and `branding`,
/// under the same rules as [`render`].
pub fn render_override(
    kind: Kind,
    lang: &str,
    sources: &OverrideSources<'_>,
    data: &Value,
    branding: &Branding,
) -> Result<Rendered, TemplateError> {
    let (env, names) = override_env(kind, sources)?;
    render_names(&env, &names, Lang::resolve(lang), data, branding)
}

/// Checks a tenant's override of `kind` in `lang` before it is saved: each template must parse
/// and render against sample data of the kind (every shape Portico queues for it, so a template
/// that needs an optional value without testing for it is refused). The error says which
/// template failed, why, and on which line.
pub fn check_override(
    kind: Kind,
    lang: &str,
    subject_src: &str,
    text_src: &str,
    html_src: &str,
) -> Result<(), TemplateError> {
    let sources = OverrideSources {
        subject: subject_src,
        text: text_src,
        html: html_src,
    };
    let (env, names) = override_env(kind, &sources)?;
    let branding = Branding {
        tenant_name: "Acme".into(),
        sender_name: None,
    };
    for data in sample_variants(kind) {
        render_names(&env, &names, Lang::resolve(lang), &data, &branding)?;
    }
    Ok(())
}

/// The sample data of `kind`, and, for a kind with optional values, the same without them.
fn sample_variants(kind: Kind) -> Vec<Value> {
    let full = kind.sample_data();
    let mut variants = vec![full.clone()];
    if kind == Kind::Welcome {
        let mut without = full;
        if let Some(map) = without.as_object_mut() {
            map.remove("setPasswordLink");
            map.remove("expiresAt");
        }
        variants.push(without);
    }
    variants
}

/// The names of one message's three templates in an environment.
struct Names {
    subject: String,
    text: String,
    html: String,
}

impl Names {
    fn of(prefix: &str) -> Names {
        Names {
            subject: format!("{prefix}.{}", Part::Subject.suffix()),
            text: format!("{prefix}.{}", Part::Text.suffix()),
            html: format!("{prefix}.{}", Part::Html.suffix()),
        }
    }
}

/// The built-in templates of `kind` in `lang`, as they are written: where a tenant's own
/// templates can start from (saved unchanged, they pass [`check_override`]).
pub fn built_in_sources(kind: Kind, lang: Lang) -> OverrideSources<'static> {
    let names = built_in_names(kind, lang);
    let source = |name: &str| {
        crate::templates::BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, source)| *source)
            .unwrap_or_else(|| panic!("no built-in template {name}"))
    };
    OverrideSources {
        subject: source(&names.subject),
        text: source(&names.text),
        html: source(&names.html),
    }
}

fn built_in_names(kind: Kind, lang: Lang) -> Names {
    Names::of(&format!("{}/{}", lang.code(), kind.name()))
}

fn render_names(
    env: &Environment<'_>,
    names: &Names,
    lang: Lang,
    data: &Value,
    branding: &Branding,
) -> Result<Rendered, TemplateError> {
    let mut context = context(lang, data, branding)?;
    let subject = render_one(env, &names.subject, Part::Subject, &context)?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if subject.is_empty() {
        return Err(TemplateError::EmptySubject);
    }
    context.insert("subject".into(), subject.clone().into());
    let text = render_one(env, &names.text, Part::Text, &context)?;
    let html = render_one(env, &names.html, Part::Html, &context)?;
    let text = match text.ends_with('\n') {
        true => text,
        false => text + "\n",
    };
    Ok(Rendered {
        lang,
        subject,
        text,
        html,
    })
}

fn render_one(
    env: &Environment<'_>,
    name: &str,
    part: Part,
    context: &Map<String, Value>,
) -> Result<String, TemplateError> {
    let rendered = env
        .get_template(name)
        .and_then(|template| template.render(minijinja::Value::from(Serde(context))));
    rendered.map_err(|e| explain(env, part, &e))
}

/// What the templates see: the data's values (without its `null`s), `brand.name`,
/// `brand.signature` and `lang`; the text and HTML parts also see the rendered `subject`.
fn context(
    lang: Lang,
    data: &Value,
    branding: &Branding,
) -> Result<Map<String, Value>, TemplateError> {
    let Value::Object(data) = data else {
        return Err(TemplateError::DataNotObject);
    };
    let mut context: Map<String, Value> = data
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let signature = branding
        .sender_name
        .as_ref()
        .unwrap_or(&branding.tenant_name);
    let brand = json!({ "name": branding.tenant_name, "signature": signature });
    context.insert("brand".into(), brand);
    context.insert("lang".into(), lang.code().into());
    Ok(context)
}

/// The built-in templates, parsed once.
fn built_in() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = base_env();
        for (name, source) in crate::templates::BUILT_IN {
            // The built-in templates are part of the crate: the tests render every one.
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("built-in template {name}: {e}"));
        }
        env
    })
}

/// The built-in templates and a tenant's override of `kind` (under `override/{kind}.*`).
fn override_env(
    kind: Kind,
    sources: &OverrideSources<'_>,
) -> Result<(Environment<'static>, Names), TemplateError> {
    let mut env = built_in().clone();
    let names = Names::of(&format!("override/{}", kind.name()));
    let parts = [
        (Part::Subject, &names.subject, sources.subject),
        (Part::Text, &names.text, sources.text),
        (Part::Html, &names.html, sources.html),
    ];
    for (part, name, source) in parts {
        if source.len() > MAX_OVERRIDE_BYTES {
            return Err(TemplateError::TooLarge {
                part,
                max: MAX_OVERRIDE_BYTES,
            });
        }
        env.add_template_owned(name.clone(), source.to_string())
            .map_err(|e| explain(&env, part, &e))?;
    }
    Ok((env, names))
}

/// Strict undefined values, block tags on lines of their own, HTML escaping in `.html`
/// templates, the `datetime` filter, and a bound on each render's work.
fn base_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|name| match name.ends_with(".html") {
        true => AutoEscape::Html,
        false => AutoEscape::None,
    });
    env.set_formatter(escape_html);
    env.set_fuel(Some(FUEL));
    env.add_filter("datetime", datetime);
    env
}

/// Escapes strings in `.html` templates as minijinja does but leaves `/` as it is, so that links
/// read as written (`href="https://..."`); every other value is formatted as by default.
fn escape_html(out: &mut Output, state: &mut State, value: &MjValue) -> Result<(), MjError> {
    let plain = *state.auto_escape() == AutoEscape::Html
        && value.kind() == ValueKind::String
        && !value.is_safe();
    let Some(text) = value.as_str().filter(|_| plain) else {
        return escape_formatter(out, state, value);
    };
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            _ => escaped.push(c),
        }
    }
    out.write_str(&escaped)
        .map_err(|e| MjError::new(ErrorKind::WriteFailure, e.to_string()))
}

/// `{{ expiresAt | datetime }}`: an RFC 3339 time shown in UTC, in the message's language's
/// usual order (`2030-01-31 12:00 UTC`, `31.01.2030 12:00 UTC`); any other value as it is.
fn datetime(state: &State, value: String) -> String {
    let Ok(time) = chrono::DateTime::parse_from_rfc3339(&value) else {
        return value;
    };
    let time = time.with_timezone(&chrono::Utc);
    let lang = state.lookup("lang");
    let format = match lang.as_ref().and_then(|l| l.as_str()) {
        Some("tr_TR") => "%d.%m.%Y %H:%M UTC",
        _ => "%Y-%m-%d %H:%M UTC",
    };
    time.format(format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Hi {{ firstName }}, open {{ link }} before {{ expiresAt | datetime }}.";
    const HTML: &str = r#"{% extends "en_US/layout.html" %}
{% block body %}<p><a href="{{ link }}">Reset</a></p>{% endblock %}"#;

    #[test]
    fn a_good_override_passes_and_renders() {
        let subject = "{{ brand.name }}: new password";
        check_override(Kind::PasswordReset, "en_US", subject, TEXT, HTML).unwrap();
        let sources = OverrideSources {
            subject,
            text: TEXT,
            html: HTML,
        };
        let branding = Branding {
            tenant_name: "Acme".into(),
            sender_name: None,
        };
        let data = Kind::PasswordReset.sample_data();
        let mail = render_override(Kind::PasswordReset, "en_US", &sources, &data, &branding);
        let mail = mail.unwrap();
        assert_eq!(mail.subject, "Acme: new password");
        assert!(
            mail.text.starts_with("Hi Ada, open https://"),
            "{}",
            mail.text
        );
        assert!(mail.html.contains("<title>Acme: new password</title>"));
    }

    #[test]
    fn an_override_that_does_not_parse_is_refused_with_the_line() {
        let html = "<p>\n{% if link %}<a href=\"{{ link }}\">x</a>\n";
        let err = check_override(Kind::PasswordReset, "tr_TR", "Subject", TEXT, html);
        let err = err.unwrap_err();
        let TemplateError::Syntax { part, message } = &err else {
            panic!("{err}");
        };
        assert_eq!(*part, Part::Html);
        assert!(message.contains("line"), "{err}");
        let err = check_override(Kind::Welcome, "en_US", "{{ brand.name ", "x", "x");
        assert!(
            matches!(
                err,
                Err(TemplateError::Syntax {
                    part: Part::Subject,
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn an_override_using_an_unknown_value_is_refused_naming_it() {
        let text = "Hi {{ firstName }},\nyour code is {{ resetCode }}.";
        let err = check_override(Kind::PasswordResetCode, "en_US", "Code", text, "x");
        let err = err.unwrap_err();
        assert_eq!(
            err.to_string(),
            "the text part template needs a value the data lacks: `resetCode` is undefined; \
             line 2 of password_reset_code.txt: your code is {{ resetCode }}."
        );
    }

    #[test]
    fn an_override_must_allow_for_optional_values() {
        let text = "Set your password: {{ setPasswordLink }}";
        let err = check_override(Kind::Welcome, "en_US", "Welcome", text, "x").unwrap_err();
        assert!(
            err.to_string().contains("`setPasswordLink` is undefined"),
            "{err}"
        );
        let text = "{% if setPasswordLink is defined %}{{ setPasswordLink }}{% endif %}";
        check_override(Kind::Welcome, "en_US", "Welcome", text, "x").unwrap();
    }

    #[test]
    fn an_override_that_works_too_hard_or_is_too_big_is_refused() {
        let text =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        let err = check_override(Kind::PasswordChanged, "en_US", "S", text, "x").unwrap_err();
        assert!(
            matches!(
                err,
                TemplateError::Render {
                    part: Part::Text,
                    ..
                }
            ),
            "{err}"
        );
        let big = "x".repeat(MAX_OVERRIDE_BYTES + 1);
        let err = check_override(Kind::PasswordChanged, "en_US", "S", "x", &big).unwrap_err();
        assert_eq!(
            err,
            TemplateError::TooLarge {
                part: Part::Html,
                max: MAX_OVERRIDE_BYTES
            }
        );
    }

    #[test]
    fn every_built_in_template_is_shown_and_passes_as_an_override() {
        for kind in Kind::ALL {
            for lang in Lang::ALL {
                let sources = built_in_sources(kind, lang);
                assert!(!sources.subject.trim().is_empty(), "{kind:?} {lang:?}");
                check_override(
                    kind,
                    lang.code(),
                    sources.subject,
                    sources.text,
                    sources.html,
                )
                .unwrap_or_else(|e| panic!("{kind:?} {lang:?}: {e}"));
                let data = kind.sample_data();
                let branding = Branding {
                    tenant_name: "Acme".into(),
                    sender_name: None,
                };
                let as_override = render_override(kind, lang.code(), &sources, &data, &branding);
                let built_in = render(kind.name(), lang.code(), &data, &branding);
                assert_eq!(as_override.unwrap(), built_in.unwrap(), "{kind:?} {lang:?}");
            }
        }
    }

    #[test]
    fn an_empty_subject_is_refused() {
        let err = check_override(Kind::PasswordChanged, "en_US", " \n ", "x", "x");
        assert_eq!(err, Err(TemplateError::EmptySubject));
    }
}
