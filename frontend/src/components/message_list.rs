//! The message list of the open folder, newest first.

use yew::prelude::*;
use yubin_protocol::{MessagePage, Uid};

use crate::format;

#[derive(Properties, PartialEq)]
pub struct MessageListProps {
    pub page: Option<MessagePage>,
    pub loading: bool,
    pub selected: Option<Uid>,
    pub on_open: Callback<Uid>,
    pub on_more: Callback<()>,
    #[prop_or_default]
    pub on_mark_all_read: Callback<()>,
    /// Offered in Trash and Junk.
    #[prop_or_default]
    pub on_empty: Option<Callback<()>>,
}

#[function_component]
pub fn MessageList(props: &MessageListProps) -> Html {
    let Some(page) = &props.page else {
        return html! { <p class="placeholder">{ if props.loading { "Loading…" } else { "" } }</p> };
    };
    if page.messages.is_empty() {
        return html! { <p class="placeholder">{ "No messages in this folder." }</p> };
    }
    let more = (page.messages.len() as u32) < page.total;
    html! {
        <>
            <div class="list-header">
                <p class="list-count">{ match page.total { 1 => "1 message".to_owned(), n => format!("{n} messages") } }</p>
                <button id="mark-all-read" onclick={props.on_mark_all_read.reform(|_: MouseEvent| ())}>{ "Mark all read" }</button>
                if let Some(on_empty) = &props.on_empty {
                    <button id="empty-folder" class="danger" onclick={on_empty.reform(|_: MouseEvent| ())}>{ "Empty" }</button>
                }
            </div>
            <ul class="message-list" role="listbox" aria-label="Messages">
                { for page.messages.iter().map(|m| {
                    let uid = m.uid;
                    let onclick = props.on_open.reform(move |_: MouseEvent| uid);
                    let classes = classes!(
                        "message-row",
                        (!m.flags.seen).then_some("unread"),
                        (props.selected == Some(uid)).then_some("selected"),
                    );
                    html! {
                        <li role="option" aria-selected={(props.selected == Some(uid)).to_string()}>
                            <button class={classes} data-uid={uid.to_string()} onclick={onclick}>
                                <span class="from">{ format::sender(m.from.as_ref()) }</span>
                                <span class="date">{ format::short_date(m.date) }</span>
                                <span class="subject">
                                    if m.flags.flagged { <span class="flag" aria-label="Flagged">{ "★ " }</span> }
                                    if m.has_attachments { <span class="clip" aria-label="Has attachments">{ "📎 " }</span> }
                                    { if m.subject.is_empty() { "(no subject)".to_owned() } else { m.subject.clone() } }
                                </span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
            if more {
                <button class="more" disabled={props.loading} onclick={props.on_more.reform(|_: MouseEvent| ())}>
                    { if props.loading { "Loading…" } else { "Load more" } }
                </button>
            }
        </>
    }
}
