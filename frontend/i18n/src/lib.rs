//! The UI's languages, English and Japanese, for the app and the modules it loads on first use.
//!
//! Texts are written in English in the code and looked up by that English text (gettext
//! style) in a catalog each crate keeps of its own words, so a view reads naturally and a
//! missing translation falls back to English rather than to a key. `{name}` placeholders are
//! filled by [`fill`]. [`untranslated`] finds the texts a crate's code passes to its `tr`/`trf`
//! that its catalog lacks, for a unit test in each crate.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// The BCP 47 tag, for `lang` attributes and date formatting.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }
}

/// English → Japanese.
pub type Catalog = &'static [(&'static str, &'static str)];

/// A crate's `tr(lang, en)` and `trf(lang, en, values)`, looking up its own `catalog`.
#[macro_export]
macro_rules! lookups {
    ($catalog:ident) => {
        /// `en` in `lang`.
        pub fn tr(lang: $crate::Lang, en: &'static str) -> &'static str {
            $crate::translate($catalog, lang, en)
        }

        /// `en` in `lang`, with each `{name}` replaced by its value.
        pub fn trf(lang: $crate::Lang, en: &'static str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
            $crate::fill(tr(lang, en), values)
        }
    };
}

/// A module crate's unit test that every text its code (`src/`) passes to its `tr`/`trf` has a
/// Japanese entry in `catalog`, with the same placeholders.
#[macro_export]
macro_rules! catalog_is_complete {
    ($catalog:ident) => {
        #[cfg(test)]
        #[test]
        fn every_text_in_the_code_has_a_japanese_entry_with_the_same_placeholders() {
            let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
            let missing = $crate::untranslated($catalog, &[src]);
            assert!(missing.is_empty(), "no Japanese for:\n{}", missing.join("\n"));
        }
    };
}

/// `en` in `lang`, from `catalog`.
pub fn translate(catalog: Catalog, lang: Lang, en: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ja => japanese(catalog, en).unwrap_or(en),
    }
}

/// `text` with each `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut text = text.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

pub fn japanese(catalog: Catalog, en: &str) -> Option<&'static str> {
    catalog.iter().find(|(e, _)| *e == en).map(|(_, ja)| *ja)
}

/// The texts the Rust files in `dirs` pass to `tr`/`trf` (as `tr(lang, "…"` and the like) that
/// `catalog` has no Japanese for, or whose Japanese lost a placeholder: `file: text` each.
pub fn untranslated(catalog: Catalog, dirs: &[std::path::PathBuf]) -> Vec<String> {
    let calls =
        ["tr(lang, \"", "trf(lang, \"", "tr(*lang, \"", "trf(*lang, \"", "tr(self.lang, \"", "trf(self.lang, \""];
    let mut wrong = Vec::new();
    for dir in dirs {
        let files = std::fs::read_dir(dir).map(|entries| entries.filter_map(Result::ok).map(|e| e.path()));
        for file in files.into_iter().flatten().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
            let code = std::fs::read_to_string(&file).unwrap_or_default();
            for piece in calls.iter().flat_map(|call| code.split(call).skip(1)) {
                let en = piece.split('"').next().unwrap_or_default();
                match japanese(catalog, en) {
                    None => wrong.push(format!("{}: {en}", file.display())),
                    Some(ja) => {
                        let lost = en
                            .split('{')
                            .skip(1)
                            .filter_map(|p| p.split('}').next())
                            .find(|placeholder| !ja.contains(&format!("{{{placeholder}}}")));
                        if let Some(placeholder) = lost {
                            wrong.push(format!("{}: {en} → {ja} lost {{{placeholder}}}", file.display()));
                        }
                    }
                }
            }
        }
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: Catalog = &[("{n} messages", "{n} 件のメッセージ"), ("{n} lost", "なくなった")];

    #[test]
    fn texts_are_looked_up_and_filled() {
        assert_eq!(fill(translate(CATALOG, Lang::Ja, "{n} messages"), &[("n", &3)]), "3 件のメッセージ");
        assert_eq!(fill(translate(CATALOG, Lang::En, "{n} messages"), &[("n", &3)]), "3 messages");
        assert_eq!(translate(CATALOG, Lang::Ja, "no such text"), "no such text");
    }

    #[test]
    fn texts_without_japanese_or_with_a_lost_placeholder_are_found() {
        let dir = std::env::temp_dir().join(format!("yubin-i18n-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let code = r#"trf(lang, "{n} messages", &[]); tr(self.lang, "Untranslated"); trf(lang, "{n} lost", &[]);"#;
        std::fs::write(dir.join("view.rs"), code).unwrap();
        let found = untranslated(CATALOG, std::slice::from_ref(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|f| f.ends_with("view.rs: Untranslated")), "{found:?}");
        assert!(found.iter().any(|f| f.ends_with("lost {n}")), "{found:?}");
    }
}
