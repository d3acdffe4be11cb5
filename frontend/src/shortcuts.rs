//! Keyboard shortcuts in the style people know from Gmail.
//!
//! One listener on the window turns key presses into [`Shortcut`]s, except while the user types
//! into a field or holds a modifier (so Ctrl+C still copies).

use wasm_bindgen::JsCast;
use yew::Callback;

use crate::window_events::WindowListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// j: the next (older) message.
    Next,
    /// k: the previous (newer) message.
    Previous,
    /// u: back to the list.
    Back,
    /// c
    Compose,
    /// r
    Reply,
    /// a
    ReplyAll,
    /// f
    Forward,
    /// e
    Archive,
    /// #
    Delete,
    /// /: to the search box.
    Search,
    /// s
    Star,
    /// x: tick the open message.
    Select,
    /// ?: this list.
    Help,
    /// Escape: close what is open over the mailbox.
    Escape,
    /// Ctrl/Cmd+P: print the open message rather than the app.
    Print,
}

/// Every shortcut with its key and what it does (English, for [`crate::i18n::tr`]).
pub const ALL: &[(&str, &str)] = &[
    ("j / k", "Next / previous message"),
    ("u", "Back to the list"),
    ("c", "Compose"),
    ("r", "Reply"),
    ("a", "Reply all"),
    ("f", "Forward"),
    ("e", "Archive"),
    ("#", "Delete"),
    ("s", "Star or unstar"),
    ("x", "Select the open message"),
    ("/", "Search"),
    ("?", "Keyboard shortcuts"),
    ("Ctrl+P", "Print the open message"),
];

pub fn from_key(key: &str) -> Option<Shortcut> {
    Some(match key {
        "j" => Shortcut::Next,
        "k" => Shortcut::Previous,
        "u" => Shortcut::Back,
        "c" => Shortcut::Compose,
        "r" => Shortcut::Reply,
        "a" => Shortcut::ReplyAll,
        "f" => Shortcut::Forward,
        "e" => Shortcut::Archive,
        "#" => Shortcut::Delete,
        "/" => Shortcut::Search,
        "s" => Shortcut::Star,
        "x" => Shortcut::Select,
        "?" => Shortcut::Help,
        "Escape" => Shortcut::Escape,
        _ => return None,
    })
}

/// Listens for shortcuts until the returned guard is dropped.
pub type Listener = WindowListener<web_sys::KeyboardEvent>;

pub fn listen(on_shortcut: Callback<Shortcut>) -> Option<Listener> {
    WindowListener::add("keydown", move |e: web_sys::KeyboardEvent| {
        if (e.ctrl_key() || e.meta_key()) && !e.alt_key() && e.key().eq_ignore_ascii_case("p") {
            e.prevent_default();
            on_shortcut.emit(Shortcut::Print);
            return;
        }
        if e.ctrl_key() || e.meta_key() || e.alt_key() || e.is_composing() {
            return;
        }
        let typing = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
        });
        if typing && e.key() != "Escape" {
            return;
        }
        if let Some(shortcut) = from_key(&e.key()) {
            e.prevent_default();
            on_shortcut.emit(shortcut);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_keys() {
        assert_eq!(from_key("j"), Some(Shortcut::Next));
        assert_eq!(from_key("#"), Some(Shortcut::Delete));
        assert_eq!(from_key("J"), None, "capitals are not shortcuts (Shift+j)");
        assert_eq!(ALL.len(), 13);
    }
}
