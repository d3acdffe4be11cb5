//! The folder tree, with unread counts, and managing folders: create, rename, delete,
//! (un)subscribe.

use yew::prelude::*;
use yubin_protocol::{Folder, FolderRole, Uid};

use crate::components::edited_field::use_edited;
use crate::components::message_list::DRAG_TYPE;
use crate::i18n::{tr, Lang};

/// A change to the folder list the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum FolderOp {
    Create(String),
    Rename {
        folder: String,
        to: String,
    },
    Delete(String),
    Subscribe {
        folder: String,
        subscribed: bool,
    },
    /// Save the folder as an mbox file.
    Export(String),
    /// Store the messages of these .mbox/.eml files in the folder.
    Import(String, Vec<web_sys::File>),
}

#[derive(Properties, PartialEq)]
pub struct FolderListProps {
    pub folders: Vec<Folder>,
    pub current: String,
    pub on_select: Callback<String>,
    #[prop_or_default]
    pub on_manage: Callback<FolderOp>,
    /// A message (by UID) was dropped on a folder (by id).
    #[prop_or_default]
    pub on_drop: Callback<(String, Uid)>,
    /// Opens the choice of special folders (IMAP accounts).
    #[prop_or_default]
    pub on_roles: Option<Callback<()>>,
    /// Opens the account's filters (accounts whose server has ManageSieve).
    #[prop_or_default]
    pub on_filters: Option<Callback<()>>,
    /// Opens the account's address book (accounts whose server has CardDAV).
    #[prop_or_default]
    pub on_contacts: Option<Callback<()>>,
    /// Folders can be exported as mbox and have mail imported (IMAP accounts).
    #[prop_or_default]
    pub can_transfer: bool,
}

/// Which inline form is open.
#[derive(Clone, PartialEq, Debug)]
enum Editing {
    None,
    Create,
    Rename(String),
}

impl Editing {
    /// The name form's key: a new form for each thing edited. Not `Debug` text, which the
    /// release build does not have (every key would be the same).
    fn key(&self) -> String {
        match self {
            Editing::None => String::new(),
            Editing::Create => "create".into(),
            Editing::Rename(folder) => format!("rename:{folder}"),
        }
    }
}

#[function_component]
pub fn FolderList(props: &FolderListProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let show_all = use_state(|| false);
    let editing = use_state(|| Editing::None);

    let visible = props.folders.iter().filter(|f| f.selectable && (f.subscribed || *show_all || f.id == props.current));
    let current = props.folders.iter().find(|f| f.id == props.current);
    // Special folders stay put; only the user's own can be renamed or deleted.
    let manageable = current.filter(|f| f.role.is_none());

    let submit = {
        let (editing, on_manage) = (editing.clone(), props.on_manage.clone());
        Callback::from(move |name: String| {
            if !name.trim().is_empty() {
                on_manage.emit(match &*editing {
                    Editing::Rename(folder) => FolderOp::Rename { folder: folder.clone(), to: name.trim().to_owned() },
                    _ => FolderOp::Create(name.trim().to_owned()),
                });
            }
            editing.set(Editing::None);
        })
    };
    let set_editing = |mode: Editing| {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(mode.clone()))
    };
    let emit = |op: FolderOp| props.on_manage.reform(move |_: MouseEvent| op.clone());

    html! {
        <>
            <ul class="folder-list" role="tree">
                { for visible.map(|folder| {
                    let id = folder.id.clone();
                    let onclick = props.on_select.reform(move |_: MouseEvent| id.clone());
                    let ondrop = {
                        let id = folder.id.clone();
                        props.on_drop.reform(move |e: DragEvent| {
                            e.prevent_default();
                            let uid = e.data_transfer().and_then(|d| d.get_data(DRAG_TYPE).ok()).and_then(|t| t.parse().ok());
                            (id.clone(), uid.unwrap_or(0))
                        })
                    };
                    // Accepting the drag is what makes the folder a drop target.
                    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
                    let is_current = folder.id == props.current;
                    let depth = folder.delimiter.as_deref().map_or(0, |d| folder.name.matches(d).count());
                    let label = match folder.role {
                        // Special folders are named in the reader's language, whatever the
                        // server calls them (INBOX, "Sent Items", "Gesendet"…).
                        Some(role) => tr(lang, role_name(role)),
                        None => folder.delimiter.as_deref()
                            .and_then(|d| folder.name.rsplit(d).next())
                            .unwrap_or(&folder.name),
                    };
                    html! {
                        <li role="treeitem" aria-selected={is_current.to_string()}>
                            <button class={classes!("folder", is_current.then_some("current"),
                                    (!folder.subscribed).then_some("unsubscribed"), format!("depth-{}", depth.min(4)))}
                                data-folder={folder.id.clone()} title={folder.name.clone()} onclick={onclick}
                                ondragover={ondragover} ondrop={ondrop}>
                                <span class="icon" aria-hidden="true">{ role_icon(folder.role) }</span>
                                <span class="label">{ label }</span>
                                if let Some(unread) = folder.unread.filter(|n| *n > 0) {
                                    <span class="unread-count" aria-label={format!("{unread} unread")}>{ unread }</span>
                                }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            <div class="folder-tools">
                if *editing != Editing::None {
                    <FolderNameForm key={editing.key()} renaming={matches!(*editing, Editing::Rename(_))}
                        initial={match &*editing { Editing::Rename(_) => current.map(|f| f.name.clone()).unwrap_or_default(), _ => String::new() }}
                        on_submit={submit} on_cancel={{ let editing = editing.clone(); Callback::from(move |()| editing.set(Editing::None)) }} />
                } else {
                    <button id="new-folder" onclick={set_editing(Editing::Create)}>{ tr(lang, "New folder") }</button>
                    if let Some(folder) = manageable {
                        <button id="rename-folder" onclick={set_editing(Editing::Rename(folder.id.clone()))}>{ tr(lang, "Rename") }</button>
                        <button id="delete-folder" class="danger" onclick={emit(FolderOp::Delete(folder.id.clone()))}>{ tr(lang, "Delete") }</button>
                        <button id="subscribe-folder" onclick={emit(FolderOp::Subscribe { folder: folder.id.clone(), subscribed: !folder.subscribed })}>
                            { if folder.subscribed { tr(lang, "Hide") } else { tr(lang, "Show") } }
                        </button>
                    }
                    if let (true, Some(folder)) = (props.can_transfer, current) {
                        <button id="export-folder" title={tr(lang, "Save this folder as an .mbox file")}
                            onclick={emit(FolderOp::Export(folder.id.clone()))}>{ tr(lang, "Export") }</button>
                        <label class="button" id="import-messages" title={tr(lang, "Add the messages of .mbox or .eml files to this folder")}>
                            { tr(lang, "Import…") }
                            <input type="file" id="import-file" multiple=true class="visually-hidden"
                                accept=".mbox,.mbx,.eml,.txt,application/mbox,message/rfc822"
                                onchange={{
                                    let (on_manage, folder) = (props.on_manage.clone(), folder.id.clone());
                                    Callback::from(move |e: Event| {
                                        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                                        let files: Vec<web_sys::File> = input.files()
                                            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                                            .unwrap_or_default();
                                        // Cleared, so the same file chosen again (to finish an import) is a change.
                                        input.set_value("");
                                        if !files.is_empty() {
                                            on_manage.emit(FolderOp::Import(folder.clone(), files));
                                        }
                                    })
                                }} />
                        </label>
                    }
                    if let Some(on_contacts) = &props.on_contacts {
                        <button id="contacts-button" onclick={on_contacts.reform(|_: MouseEvent| ())}>{ tr(lang, "Contacts") }</button>
                    }
                    if let Some(on_filters) = &props.on_filters {
                        <button id="filters-button" onclick={on_filters.reform(|_: MouseEvent| ())}>{ tr(lang, "Filters…") }</button>
                    }
                    if let Some(on_roles) = &props.on_roles {
                        <button id="folder-roles-button" onclick={on_roles.reform(|_: MouseEvent| ())}>{ tr(lang, "Special folders…") }</button>
                    }
                    <label class="show-all">
                        <input type="checkbox" checked={*show_all}
                            onchange={{ let show_all = show_all.clone(); Callback::from(move |_: Event| show_all.set(!*show_all)) }} />
                        { " " }{ tr(lang, "All folders") }
                    </label>
                }
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct FolderNameFormProps {
    renaming: bool,
    /// The name the field starts with: the folder's for a rename.
    initial: String,
    on_submit: Callback<String>,
    on_cancel: Callback<()>,
}

/// The inline form for a new folder's name or a new name: mounted fresh each time it opens.
#[function_component]
fn FolderNameForm(props: &FolderNameFormProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let (name, oninput) = use_edited(props.initial.clone());
    let onsubmit = {
        let (name, on_submit) = (name.clone(), props.on_submit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_submit.emit(name.clone());
        })
    };
    html! {
        <form class="folder-form" onsubmit={onsubmit}>
            <input id="folder-name" type="text" aria-label={tr(lang, "Folder name")}
                placeholder={tr(lang, "Parent/Name")} autofocus=true value={name} oninput={oninput} />
            <button type="submit" class="primary">{ if props.renaming { tr(lang, "Rename") } else { tr(lang, "Create") } }</button>
            <button type="button" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ tr(lang, "Cancel") }</button>
        </form>
    }
}

fn role_icon(role: Option<FolderRole>) -> &'static str {
    match role {
        Some(FolderRole::Inbox) => "📥",
        Some(FolderRole::Drafts) => "📝",
        Some(FolderRole::Sent) => "📤",
        Some(FolderRole::Trash) => "🗑",
        Some(FolderRole::Junk) => "⚠",
        Some(FolderRole::Archive) => "🗄",
        Some(FolderRole::Flagged) => "⭐",
        Some(FolderRole::All) | None => "📁",
    }
}

/// The English name of a special folder, for [`tr`].
pub fn role_name(role: FolderRole) -> &'static str {
    match role {
        FolderRole::Inbox => "Inbox",
        FolderRole::Drafts => "Drafts",
        FolderRole::Sent => "Sent",
        FolderRole::Archive => "Archive",
        FolderRole::Junk => "Junk",
        FolderRole::Trash => "Trash",
        FolderRole::All => "All Mail",
        FolderRole::Flagged => "Starred",
    }
}
