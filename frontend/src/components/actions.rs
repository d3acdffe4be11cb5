//! The toolbar over an open message: flags, and where to put it.

use crate::i18n::{tr, trf, Lang};
use web_sys::HtmlSelectElement;
use yew::prelude::*;
use yubin_protocol::{FlagName, Flags, Folder, FolderRole};

/// What the user asked to do with the open message.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetFlag(FlagName, bool),
    MoveTo(String),
    Delete,
    ViewSource,
    Reply,
    ReplyAll,
    Forward,
    /// Forward the whole message as a `message/rfc822` attachment.
    ForwardAttached,
    /// Continue writing a draft saved on the server.
    EditDraft,
    /// Take a draft waiting to be sent later off the schedule (it stays in Drafts).
    Unschedule,
    /// Write a filter rule for mail like this (from its sender).
    FilterLike,
    /// Add the sender to the address book.
    AddSender,
    /// Save the whole message as an .eml file.
    Export,
    /// Print the message (also Ctrl/Cmd+P while it is open).
    Print,
    /// Print every message of the open conversation, oldest first.
    PrintConversation,
}

#[derive(Properties, PartialEq)]
pub struct ActionsProps {
    pub flags: Flags,
    pub folders: Vec<Folder>,
    /// The folder the message is in.
    pub folder: String,
    pub on_action: Callback<Action>,
    /// The account has filters: offer "filter messages like this".
    #[prop_or_default]
    pub can_filter: bool,
}

/// The folder with `role`, unless it is `current` (archiving from Archive means nothing).
fn folder_with<'f>(folders: &'f [Folder], role: FolderRole, current: &str) -> Option<&'f Folder> {
    folders.iter().find(|f| f.role == Some(role) && f.id != current)
}

#[derive(Properties, PartialEq)]
struct MoveToProps {
    id: AttrValue,
    label: AttrValue,
    folders: Vec<Folder>,
    /// The folder the messages are in; not offered.
    folder: String,
    on_action: Callback<Action>,
}

/// "Move to…": every other folder that can hold mail.
#[function_component]
fn MoveTo(props: &MoveToProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let on_move =
        props.on_action.reform(|e: Event| Action::MoveTo(e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        <select id={props.id.clone()} aria-label={props.label.clone()} onchange={on_move}>
            <option value="" selected=true disabled=true>{ tr(lang, "Move to…") }</option>
            { for props.folders.iter().filter(|f| f.selectable && f.id != props.folder).map(|f| html! {
                <option value={f.id.clone()}>{ &f.name }</option>
            }) }
        </select>
    }
}

#[function_component]
pub fn Actions(props: &ActionsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let folder_with = |role| folder_with(&props.folders, role, &props.folder);
    let flagged = props.flags.flagged;
    html! {
        <div class="actions" role="toolbar" aria-label={tr(lang, "Message actions")}>
            if props.flags.draft {
                <button id="edit-draft" class="primary" onclick={emit(Action::EditDraft)}>{ tr(lang, "Edit draft") }</button>
                if let Some(at) = props.flags.send_at {
                    <span id="scheduled-at" class="meta">{ trf(lang, "Goes out at {time}", &[("time", &crate::format::long_date(Some(at)))]) }</span>
                    <button id="unschedule" onclick={emit(Action::Unschedule)}>{ tr(lang, "Don’t send it") }</button>
                }
            } else {
                <button id="reply" onclick={emit(Action::Reply)}>{ tr(lang, "Reply") }</button>
                <button id="reply-all" onclick={emit(Action::ReplyAll)}>{ tr(lang, "Reply all") }</button>
                <button id="forward" onclick={emit(Action::Forward)}>{ tr(lang, "Forward") }</button>
                <button id="forward-attached" title={tr(lang, "Forward as attachment")} onclick={emit(Action::ForwardAttached)}>{ tr(lang, "Forward as file") }</button>
            }
            <button id="toggle-flag" aria-pressed={flagged.to_string()} onclick={emit(Action::SetFlag(FlagName::Flagged, !flagged))}>
                { if flagged { tr(lang, "★ Unstar") } else { tr(lang, "☆ Star") } }
            </button>
            <button id="mark-unread" onclick={emit(Action::SetFlag(FlagName::Seen, false))}>{ tr(lang, "Mark unread") }</button>
            if let Some(archive) = folder_with(FolderRole::Archive) {
                <button id="archive" onclick={emit(Action::MoveTo(archive.id.clone()))}>{ tr(lang, "Archive") }</button>
            }
            if let Some(junk) = folder_with(FolderRole::Junk) {
                <button id="report-spam" onclick={emit(Action::MoveTo(junk.id.clone()))}>{ tr(lang, "Spam") }</button>
            }
            <button id="delete" class="danger" onclick={emit(Action::Delete)}>{ tr(lang, "Delete") }</button>
            <button id="view-source" onclick={emit(Action::ViewSource)}>{ tr(lang, "Source") }</button>
            <button id="print" title={tr(lang, "Print (Ctrl+P)")} onclick={emit(Action::Print)}>{ tr(lang, "Print") }</button>
            <button id="export-eml" title={tr(lang, "Save the message as an .eml file")} onclick={emit(Action::Export)}>{ tr(lang, "Save as .eml") }</button>
            if props.can_filter && !props.flags.draft {
                <button id="filter-like" onclick={emit(Action::FilterLike)}>{ tr(lang, "Filter messages like this") }</button>
            }
            <MoveTo id="move-to" label="Move to folder" folders={props.folders.clone()} folder={props.folder.clone()}
                on_action={props.on_action.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct BulkActionsProps {
    pub count: usize,
    pub folders: Vec<Folder>,
    pub folder: String,
    pub on_action: Callback<Action>,
    pub on_clear: Callback<()>,
}

/// The toolbar over the list while messages are ticked.
#[function_component]
pub fn BulkActions(props: &BulkActionsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let folder_with = |role| folder_with(&props.folders, role, &props.folder);
    html! {
        <div class="bulk-actions" role="toolbar" aria-label={tr(lang, "Selected messages")}>
            <span class="bulk-count">{ trf(lang, "{n} selected", &[("n", &props.count)]) }</span>
            <button id="bulk-read" onclick={emit(Action::SetFlag(FlagName::Seen, true))}>{ tr(lang, "Mark read") }</button>
            <button id="bulk-unread" onclick={emit(Action::SetFlag(FlagName::Seen, false))}>{ tr(lang, "Mark unread") }</button>
            <button id="bulk-star" onclick={emit(Action::SetFlag(FlagName::Flagged, true))}>{ tr(lang, "Star") }</button>
            if let Some(archive) = folder_with(FolderRole::Archive) {
                <button id="bulk-archive" onclick={emit(Action::MoveTo(archive.id.clone()))}>{ tr(lang, "Archive") }</button>
            }
            <button id="bulk-delete" class="danger" onclick={emit(Action::Delete)}>{ tr(lang, "Delete") }</button>
            <MoveTo id="bulk-move" label="Move selected to folder" folders={props.folders.clone()}
                folder={props.folder.clone()} on_action={props.on_action.clone()} />
            <button id="bulk-clear" onclick={props.on_clear.reform(|_: MouseEvent| ())}>{ tr(lang, "Clear") }</button>
        </div>
    }
}
