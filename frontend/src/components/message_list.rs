//! The message list of the open folder, newest first, virtualized: only the rows in view (plus
//! a margin) are in the DOM, and the app fetches only the blocks that come into view.

use std::collections::BTreeSet;
use std::ops::Range;
use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;
use yubin_protocol::{MessageSummary, SortKey, SortOrder, Uid};

use crate::format;
use crate::i18n::{tr, trf, Lang};
use crate::message_window::MessageWindow;

/// The drag-and-drop data type that carries a message's UID.
pub const DRAG_TYPE: &str = "application/x-yubin-uid";

/// Every row has this height (CSS `.message-row`), so positions are arithmetic.
pub const ROW_HEIGHT: u32 = 58;
/// Rows rendered above and below the visible ones, for smooth scrolling.
const OVERSCAN: u32 = 10;
/// Assumed before the viewport has been measured.
const INITIAL_ROWS: u32 = 30;

#[derive(Properties)]
pub struct MessageListProps {
    pub window: Option<Rc<MessageWindow>>,
    pub loading: bool,
    pub selected: Option<Uid>,
    /// In the unified inbox: the account of each row, by position. Rows there cannot be
    /// ticked or dragged, since bulk actions and folders belong to one account.
    #[prop_or_default]
    pub tags: Option<Rc<Vec<String>>>,
    pub on_open: Callback<Uid>,
    /// The positions now in view; the app fetches what it lacks.
    pub on_visible: Callback<Range<u32>>,
    #[prop_or_default]
    pub on_mark_all_read: Callback<()>,
    /// Offered in Trash and Junk.
    #[prop_or_default]
    pub on_empty: Option<Callback<()>>,
    /// Save the search's results as an mbox file (IMAP accounts).
    #[prop_or_default]
    pub on_export_results: Option<Callback<()>>,
    /// Rows ticked for a bulk action.
    #[prop_or_default]
    pub selection: Rc<BTreeSet<Uid>>,
    #[prop_or_default]
    pub on_toggle: Callback<Uid>,
    #[prop_or_default]
    pub sort: SortOrder,
    #[prop_or_default]
    pub on_sort: Callback<SortOrder>,
}

/// The orders offered, as people name them.
const SORTS: &[(&str, SortKey, bool)] = &[
    ("Newest first", SortKey::Arrival, false),
    ("Oldest first", SortKey::Arrival, true),
    ("By date sent", SortKey::Date, false),
    ("Sender A–Z", SortKey::From, true),
    ("Subject A–Z", SortKey::Subject, true),
    ("Largest first", SortKey::Size, false),
    ("Conversations", SortKey::Thread, false),
];

impl PartialEq for MessageListProps {
    fn eq(&self, other: &Self) -> bool {
        // The app replaces the window on every change, so identity is enough.
        let same_window = match (&self.window, &other.window) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_window
            && self.loading == other.loading
            && self.tags.is_some() == other.tags.is_some()
            && self.selected == other.selected
            && self.on_empty.is_some() == other.on_empty.is_some()
            && self.sort == other.sort
            && Rc::ptr_eq(&self.selection, &other.selection)
    }
}

#[function_component]
pub fn MessageList(props: &MessageListProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let viewport = use_node_ref();
    let range = use_state(|| 0..INITIAL_ROWS + OVERSCAN);

    // After a folder switch, start at the top.
    let folder = props.window.as_ref().map(|w| w.folder.clone());
    {
        let (viewport, range) = (viewport.clone(), range.clone());
        use_effect_with(folder, move |_| {
            if let Some(element) = viewport.cast::<Element>() {
                element.set_scroll_top(0);
            }
            range.set(0..INITIAL_ROWS + OVERSCAN);
        });
    }

    let onscroll = {
        let (viewport, range, on_visible) = (viewport.clone(), range.clone(), props.on_visible.clone());
        Callback::from(move |_: Event| {
            let Some(element) = viewport.cast::<Element>() else { return };
            let first = element.scroll_top().max(0) as u32 / ROW_HEIGHT;
            let count = element.client_height().max(0) as u32 / ROW_HEIGHT + 1;
            let next = first.saturating_sub(OVERSCAN)..first + count + OVERSCAN;
            if next != *range {
                on_visible.emit(next.clone());
                range.set(next);
            }
        })
    };

    let Some(window) = &props.window else {
        return html! { <p class="placeholder">{ if props.loading { tr(lang, "Loading…") } else { "" } }</p> };
    };
    if window.is_empty() {
        return html! { <p class="placeholder">{ tr(lang, "No messages in this folder.") }</p> };
    }
    let count = match window.total {
        1 => tr(lang, "1 message").to_owned(),
        // The unified inbox is complete too, but a list of the newest, not of matches.
        n if window.is_search && props.tags.is_none() => trf(lang, "{n} found", &[("n", &n)]),
        n => trf(lang, "{n} messages", &[("n", &n)]),
    };
    let visible = range.start..range.end.min(window.total);
    html! {
        <>
            <div class="list-header">
                <p class="list-count">{ count }</p>
                if !window.is_search {
                    <select id="sort" aria-label={tr(lang, "Sort")} onchange={props.on_sort.reform(|e: Event| {
                        let index: usize = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0);
                        let (_, key, ascending) = SORTS[index.min(SORTS.len() - 1)];
                        SortOrder { key, ascending }
                    })}>
                        { for SORTS.iter().enumerate().map(|(i, (label, key, ascending))| html! {
                            <option value={i.to_string()} selected={props.sort == (SortOrder { key: *key, ascending: *ascending })}>{ tr(lang, label) }</option>
                        }) }
                    </select>
                }
                <button id="mark-all-read" onclick={props.on_mark_all_read.reform(|_: MouseEvent| ())}>{ tr(lang, "Mark all read") }</button>
                if let Some(on_empty) = &props.on_empty {
                    <button id="empty-folder" class="danger" onclick={on_empty.reform(|_: MouseEvent| ())}>{ tr(lang, "Empty") }</button>
                }
                if let (true, Some(on_export)) = (window.is_search, &props.on_export_results) {
                    <button id="export-results" title={tr(lang, "Save these messages as an .mbox file")}
                        onclick={on_export.reform(|_: MouseEvent| ())}>{ tr(lang, "Export") }</button>
                }
            </div>
            <div class="list-viewport" ref={viewport} onscroll={onscroll}>
                <ul class="message-list" role="listbox" aria-label={tr(lang, "Messages")} aria-rowcount={window.total.to_string()}
                    style={format!("height: {}px", window.total * ROW_HEIGHT)}>
                    { for visible.map(|position| row(lang, position, window.get(position), props)) }
                </ul>
            </div>
        </>
    }
}

fn row(lang: Lang, position: u32, message: Option<&MessageSummary>, props: &MessageListProps) -> Html {
    let top = format!("top: {}px", position * ROW_HEIGHT);
    let Some(m) = message else {
        return html! { <li key={format!("p{position}")} class="row-slot" style={top} aria-busy="true"><span class="message-row loading" /></li> };
    };
    let uid = m.uid;
    let selected = props.selected == Some(uid);
    let onclick = props.on_open.reform(move |_: MouseEvent| uid);
    // Dragged onto a folder, the row moves there (see FolderList).
    let ondragstart = Callback::from(move |e: DragEvent| {
        if let Some(data) = e.data_transfer() {
            let _ = data.set_data(DRAG_TYPE, &uid.to_string());
            data.set_effect_allowed("move");
        }
    });
    let ticked = props.selection.contains(&uid);
    let tag = props.tags.as_ref().and_then(|tags| tags.get(position as usize)).cloned();
    let single_account = props.tags.is_none();
    let classes = classes!(
        "message-row",
        (!m.flags.seen).then_some("unread"),
        selected.then_some("selected"),
        ticked.then_some("ticked")
    );
    let ontoggle = props.on_toggle.reform(move |_: Event| uid);
    html! {
        <li key={format!("p{position}")} class="row-slot" style={top} role="option" aria-selected={selected.to_string()}
            aria-rowindex={(position + 1).to_string()}>
            if single_account {
                <input type="checkbox" class="tick" checked={ticked} onchange={ontoggle}
                    aria-label={trf(lang, "Select: {subject}", &[("subject", &m.subject)])} />
            }
            <button class={classes} data-uid={uid.to_string()} onclick={onclick} draggable={single_account.to_string()}
                ondragstart={single_account.then_some(ondragstart)}>
                <span class="from">
                    if let Some(tag) = tag {
                        <span class="account-tag">{ tag }</span>
                    }
                    { format::sender(m.from.as_ref()) }
                    if let Some(thread) = &m.thread {
                        <span class="thread-count" title={tr(lang, "Messages in this conversation")}>{ thread.count }</span>
                    }
                </span>
                <span class="date">{ format::short_date(m.date) }</span>
                <span class="subject">
                    if m.flags.flagged { <span class="flag" aria-label={tr(lang, "Flagged")}>{ "★ " }</span> }
                    if m.has_attachments { <span class="clip" aria-label={tr(lang, "Has attachments")}>{ "📎 " }</span> }
                    if let Some(at) = m.flags.send_at {
                        <span class="scheduled" title={trf(lang, "Goes out at {time}", &[("time", &format::long_date(Some(at)))])}>{ "⏰ " }</span>
                    }
                    { if m.subject.is_empty() { tr(lang, "(no subject)").to_owned() } else { m.subject.clone() } }
                </span>
            </button>
        </li>
    }
}
