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
        let stored = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        Self::from_value(stored.as_deref().unwrap_or_default())
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
        let Some(window) = web_sys::window() else { return };
        if let Some(storage) = window.local_storage().ok().flatten() {
            let _ = storage.set_item(STORAGE_KEY, self.value());
        }
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = match self {
                Self::System => root.remove_attribute("data-theme"),
                other => root.set_attribute("data-theme", other.value()),
            };
        }
    }
}
