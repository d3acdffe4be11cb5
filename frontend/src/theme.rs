//! Light, dark, or as the system says; the choice is kept in the browser.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

const STORAGE_KEY: &str = "yubin.theme";

impl Theme {
    pub fn load() -> Self {
        Self::from_value(crate::prefs::get(STORAGE_KEY).as_deref().unwrap_or_default())
    }

    pub fn from_value(value: &str) -> Self {
        match value {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }

    pub fn value(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// Stores the choice and applies it to the page (`<html data-theme>`, read by the CSS).
    pub fn apply(self) {
        crate::prefs::set(STORAGE_KEY, self.value());
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = match self {
                Self::System => root.remove_attribute("data-theme"),
                other => root.set_attribute("data-theme", other.value()),
            };
        }
    }
}
