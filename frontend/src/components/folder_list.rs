//! The folder tree (flat for now, indented by depth).

use yew::prelude::*;
use yubin_protocol::{Folder, FolderRole};

#[derive(Properties, PartialEq)]
pub struct FolderListProps {
    pub folders: Vec<Folder>,
    pub current: String,
    pub on_select: Callback<String>,
}

#[function_component]
pub fn FolderList(props: &FolderListProps) -> Html {
    html! {
        <ul class="folder-list" role="tree">
            { for props.folders.iter().filter(|f| f.selectable).map(|folder| {
                let id = folder.id.clone();
                let onclick = props.on_select.reform(move |_: MouseEvent| id.clone());
                let current = folder.id == props.current;
                let depth = folder.delimiter.as_deref().map_or(0, |d| folder.name.matches(d).count());
                let label = match folder.role {
                    // Servers spell it INBOX; people read "Inbox".
                    Some(FolderRole::Inbox) => "Inbox",
                    _ => folder.delimiter.as_deref()
                        .and_then(|d| folder.name.rsplit(d).next())
                        .unwrap_or(&folder.name),
                };
                html! {
                    <li role="treeitem" aria-selected={current.to_string()}>
                        <button class={classes!("folder", current.then_some("current"), format!("depth-{}", depth.min(4)))}
                            data-folder={folder.id.clone()} onclick={onclick}>
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
