//! A text field's value while the user edits it.
//!
//! Yew keeps a field's `value` in step with the view on every render: a field bound to a value
//! the user's typing does not update is set back to it whenever anything re-renders the view
//! (a list arriving, sync progress), and what was typed is lost. [`use_edited`] holds the text
//! as typed and gives it back on each render; it starts from `source` and starts again from it
//! only when `source` itself changes.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The field's text and the `oninput` that keeps it, for an `<input>` or a `<textarea>`.
#[hook]
pub fn use_edited(source: String) -> (String, Callback<InputEvent>) {
    // (the source it started from, the text now)
    let state = use_state(|| (source.clone(), source.clone()));
    let text = if state.0 == source {
        state.1.clone()
    } else {
        state.set((source.clone(), source.clone()));
        source
    };
    let oninput = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let Some(target) = e.target() else { return };
            let value = match target.dyn_into::<HtmlInputElement>() {
                Ok(input) => input.value(),
                Err(other) => other.dyn_into::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default(),
            };
            state.set((state.0.clone(), value));
        })
    };
    (text, oninput)
}
