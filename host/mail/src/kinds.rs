//! The notification kinds Portico queues and the languages their built-in templates exist in.

use serde_json::{json, Value};

/// A notification kind: the outbox message's `template` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `welcome`: a user was created; `setPasswordLink` and `expiresAt` when the user has no
    /// password yet.
    Welcome,
    /// `portal_invitation`: a portal user was invited; the signup link, the portal's login title.
    PortalInvitation,
    /// `signup_confirmation`: the confirmation code of a signup link not made `withSign`.
    SignupConfirmation,
    /// `password_reset`: a password reset link.
    PasswordReset,
    /// `password_changed`: the user's password was changed.
    PasswordChanged,
    /// `activation_code`: a one-time code that activates an invited portal user.
    ActivationCode,
    /// `password_reset_code`: a one-time code that resets an active portal user's password.
    PasswordResetCode,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 7] = [
        Kind::Welcome,
        Kind::PortalInvitation,
        Kind::SignupConfirmation,
        Kind::PasswordReset,
        Kind::PasswordChanged,
        Kind::ActivationCode,
        Kind::PasswordResetCode,
    ];

    /// The kind an outbox message's template name names, if it is a built-in one.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The template name, as the outbox stores it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Welcome => "welcome",
            Kind::PortalInvitation => "portal_invitation",
            Kind::SignupConfirmation => "signup_confirmation",
            Kind::PasswordReset => "password_reset",
            Kind::PasswordChanged => "password_changed",
            Kind::ActivationCode => "activation_code",
            Kind::PasswordResetCode => "password_reset_code",
        }
    }

    /// Data of the shape Portico queues for this kind, with every optional value present: what
    /// an override is checked against when it is saved.
    pub fn sample_data(self) -> Value {
        let expires = "2030-01-31T12:00:00+00:00";
        match self {
            Kind::Welcome => json!({
                "userId": "0190c8a0-0000-7000-8000-000000000001",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "setPasswordLink": "https://portico.example.com/portal/acme/reset?code=sample",
                "expiresAt": expires,
            }),
            Kind::PortalInvitation => json!({
                "userId": "0190c8a0-0000-7000-8000-000000000001",
                "profileId": "0190c8a0-0000-7000-8000-000000000002",
                "loginTitle": "Acme customer portal",
                "signupLink": "https://portico.example.com/portal/acme/signup?token=sample",
                "expiresAt": expires,
            }),
            Kind::SignupConfirmation => json!({
                "profileId": "0190c8a0-0000-7000-8000-000000000002",
                "confirmationCode": "482913",
            }),
            Kind::PasswordReset => json!({
                "userId": "0190c8a0-0000-7000-8000-000000000001",
                "firstName": "Ada",
                "link": "https://portico.example.com/portal/acme/reset?code=sample",
                "expiresAt": expires,
            }),
            Kind::PasswordChanged => json!({
                "userId": "0190c8a0-0000-7000-8000-000000000001",
                "firstName": "Ada",
            }),
            Kind::ActivationCode | Kind::PasswordResetCode => json!({
                "userId": "0190c8a0-0000-7000-8000-000000000001",
                "firstName": "Ada",
                "event": self.code_event(),
                "code": "482913",
                "expiresAt": expires,
            }),
        }
    }

    /// The `event` value of a code kind's data.
    fn code_event(self) -> &'static str {
        match self {
            Kind::PasswordResetCode => "password_reset",
            _ => "activation",
        }
    }
}

/// A language the built-in templates are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// `en_US`, the fallback for every other language.
    EnUs,
    /// `tr_TR`.
    TrTr,
}

impl Lang {
    /// Every language, the fallback first.
    pub const ALL: [Lang; 2] = [Lang::EnUs, Lang::TrTr];

    /// The language with exactly this code (`en_US`, `tr_TR`): how a tenant names one in its
    /// settings and its templates' paths.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language a message's language code names by its primary subtag (`tr_TR`, `tr-TR`,
    /// `tr`, `en_GB`, any case), if it is one of these.
    pub fn recognize(code: &str) -> Option<Lang> {
        let primary = code.split(['_', '-']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|lang| primary.eq_ignore_ascii_case(lang.html()))
    }

    /// The language a code names (`tr_TR`, `tr-TR`, `tr`, any case), `en_US` for any other.
    pub fn resolve(code: &str) -> Lang {
        Lang::recognize(code).unwrap_or(Lang::EnUs)
    }

    /// The language's code as Portico names languages (`en_US`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::EnUs => "en_US",
            Lang::TrTr => "tr_TR",
        }
    }

    /// The language as an HTML `lang` attribute (`en`, `tr`).
    pub fn html(self) -> &'static str {
        match self {
            Lang::EnUs => "en",
            Lang::TrTr => "tr",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_name("newsletter"), None);
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        assert_eq!(Lang::resolve("tr_TR"), Lang::TrTr);
        assert_eq!(Lang::resolve("tr-tr"), Lang::TrTr);
        assert_eq!(Lang::resolve("TR"), Lang::TrTr);
        assert_eq!(Lang::resolve("de_DE"), Lang::EnUs);
        assert_eq!(Lang::resolve(""), Lang::EnUs);
    }

    #[test]
    fn codes_are_exact_and_recognition_reads_the_primary_subtag() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("tr"), None);
        assert_eq!(Lang::from_code("en_us"), None);
        assert_eq!(Lang::recognize("tr-TR"), Some(Lang::TrTr));
        assert_eq!(Lang::recognize("EN_gb"), Some(Lang::EnUs));
        assert_eq!(Lang::recognize("de_DE"), None);
        assert_eq!(Lang::recognize(""), None);
    }
}
