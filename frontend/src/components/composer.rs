//! Writing a new message. What the user typed stays here until it is sent or discarded, so a
//! refused recipient or a dropped connection loses nothing.

use web_sys::HtmlInputElement;
use yew::prelude::*;
use yubin_protocol::{ApiError, OutgoingMessage};

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    pub from: String,
    pub sending: bool,
    pub error: Option<ApiError>,
    pub on_send: Callback<OutgoingMessage>,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn Composer(props: &ComposerProps) -> Html {
    let draft = use_state(OutgoingMessage::default);
    let to_text = use_state(String::new);

    let on_to = {
        let to_text = to_text.clone();
        Callback::from(move |e: InputEvent| to_text.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_subject = edit(&draft, |d, value| d.subject = value);
    let on_text = edit(&draft, |d, value| d.text = value);
    let onsubmit = {
        let (draft, to_text, on_send) = (draft.clone(), to_text.clone(), props.on_send.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut message = (*draft).clone();
            message.to = split_recipients(&to_text);
            on_send.emit(message);
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());

    html! {
        <div class="composer-backdrop">
            <form id="composer" class="composer" onsubmit={onsubmit} aria-label="New message">
                <header>
                    <h2>{ "New message" }</h2>
                    <button type="button" class="dismiss" aria-label="Close" onclick={close}>{ "×" }</button>
                </header>
                <label>{ "From" }<input type="text" value={props.from.clone()} disabled=true /></label>
                <label for="compose-to">{ "To" }</label>
                <input id="compose-to" type="text" value={(*to_text).clone()} oninput={on_to}
                    placeholder="name@example.org, …" required=true />
                <label for="compose-subject">{ "Subject" }</label>
                <input id="compose-subject" type="text" value={draft.subject.clone()} oninput={on_subject} />
                <textarea id="compose-body" aria-label="Message" value={draft.text.clone()} oninput={on_text} rows="14" />
                if let Some(error) = &props.error {
                    <p class="form-error" role="alert" id="send-error">{ &error.message }</p>
                }
                <footer>
                    <button id="send-button" type="submit" class="primary" disabled={props.sending}>
                        { if props.sending { "Sending…" } else { "Send" } }
                    </button>
                </footer>
            </form>
        </div>
    }
}

/// A handler that writes an input's or textarea's new value into one field of the draft.
fn edit(draft: &UseStateHandle<OutgoingMessage>, apply: fn(&mut OutgoingMessage, String)) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| {
        // `value` of whichever form control fired; both kinds have it.
        let target: web_sys::EventTarget = e.target_unchecked_into();
        let value = js_sys::Reflect::get(&target, &"value".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let mut next = (*draft).clone();
        apply(&mut next, value);
        draft.set(next);
    })
}

/// Splits `a@b, "Name, Jr" <c@d>; e@f` on commas and semicolons outside quotes and angle
/// brackets.
pub fn split_recipients(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut current, mut quoted, mut angle) = (String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::split_recipients;

    #[test]
    fn splits_outside_quotes_and_brackets() {
        assert_eq!(
            split_recipients(r#"a@b.test, "Doe, Jane" <jane@x.test>; c@d.test,"#),
            vec!["a@b.test", r#""Doe, Jane" <jane@x.test>"#, "c@d.test"]
        );
        assert!(split_recipients("  ").is_empty());
    }
}
