//! The built-in templates, compiled into the crate: per language a text and an HTML layout, and
//! per kind a subject, a text and an HTML template (`templates/{lang}/{kind}.{subject,txt,html}`).

/// `(name, source)` pairs for `built_in!(lang: [kind, ...]; ...)`.
macro_rules! built_in {
    ($($lang:literal: [$($kind:literal),* $(,)?]);* $(;)?) => {
        &[$(
            (concat!($lang, "/layout.txt"), include_str!(concat!("../templates/", $lang, "/layout.txt"))),
            (concat!($lang, "/layout.html"), include_str!(concat!("../templates/", $lang, "/layout.html"))),
            $(
                (concat!($lang, "/", $kind, ".subject"), include_str!(concat!("../templates/", $lang, "/", $kind, ".subject"))),
                (concat!($lang, "/", $kind, ".txt"), include_str!(concat!("../templates/", $lang, "/", $kind, ".txt"))),
                (concat!($lang, "/", $kind, ".html"), include_str!(concat!("../templates/", $lang, "/", $kind, ".html"))),
            )*
        )*]
    };
}

/// Every built-in template by name (`en_US/welcome.txt`).
pub(crate) const BUILT_IN: &[(&str, &str)] = built_in! {
    "en_US": [
        "welcome", "portal_invitation", "signup_confirmation", "password_reset",
        "password_changed", "activation_code", "password_reset_code",
    ];
    "tr_TR": [
        "welcome", "portal_invitation", "signup_confirmation", "password_reset",
        "password_changed", "activation_code", "password_reset_code",
    ];
};
