//! The pages' languages: `en_US` and `tr_TR`, each with every text the pages show (the files
//! under `pages/strings/`, checked to hold the same keys). A visit's language is the one it
//! chose with `?langCode=` (remembered in a cookie), else the best match of the browser's
//! `Accept-Language`, else `en_US`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, the default.
    #[default]
    EnUs,
    /// Turkish.
    TrTr,
}

/// Texts by key.
pub type Strings = BTreeMap<String, String>;

impl Lang {
    /// Every language, in the order the language switch shows them.
    pub const ALL: [Lang; 2] = [Lang::EnUs, Lang::TrTr];

    /// The code, as `langCode` names it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::EnUs => "en_US",
            Lang::TrTr => "tr_TR",
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::EnUs => "English",
            Lang::TrTr => "Türkçe",
        }
    }

    /// The HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::EnUs => "en",
            Lang::TrTr => "tr",
        }
    }

    /// The language `code` names (`en_US`, `tr-TR`, `tr`...), if the pages have it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['_', '-']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::EnUs),
            "tr" => Some(Lang::TrTr),
            _ => None,
        }
    }

    /// The best language an `Accept-Language` header asks for (by its `q` weights, the first
    /// listed winning a tie), `en_US` when it names none the pages have.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_code(tag) {
                if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                    best = Some((weight, lang));
                }
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    /// Every text of the pages in this language.
    pub fn strings(self) -> &'static Strings {
        static EN: OnceLock<Strings> = OnceLock::new();
        static TR: OnceLock<Strings> = OnceLock::new();
        match self {
            Lang::EnUs => EN.get_or_init(|| parse(include_str!("../../pages/strings/en_US.json"))),
            Lang::TrTr => TR.get_or_init(|| parse(include_str!("../../pages/strings/tr_TR.json"))),
        }
    }

    /// The text under `key` (the key itself if missing, which the tests rule out).
    pub fn text(self, key: &str) -> String {
        self.strings()
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
}

fn parse(json: &str) -> Strings {
    serde_json::from_str(json).expect("the pages' strings are a JSON object of texts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_text() {
        let keys = |lang: Lang| lang.strings().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(Lang::EnUs), keys(Lang::TrTr));
        for lang in Lang::ALL {
            assert!(lang.strings().values().all(|t| !t.trim().is_empty()));
        }
    }

    #[test]
    fn picks_the_browsers_best_language() {
        assert_eq!(
            Lang::from_accept_language("tr-TR,tr;q=0.9,en;q=0.8"),
            Lang::TrTr
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,tr;q=0.5,en;q=0.7"),
            Lang::EnUs
        );
        assert_eq!(Lang::from_accept_language("de-DE,fr"), Lang::EnUs);
        assert_eq!(Lang::from_accept_language("tr;q=0"), Lang::EnUs);
        assert_eq!(Lang::from_code("tr_TR"), Some(Lang::TrTr));
        assert_eq!(Lang::from_code("xx"), None);
    }
}
