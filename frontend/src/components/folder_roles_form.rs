//! Which folder is for what: Sent copies, drafts, deleted mail, junk and the archive. The
//! server's marks (or well-known names) decide unless the user chooses; a role with no folder
//! can be given one, created only when the user asks.

use web_sys::HtmlSelectElement;
use yew::prelude::*;
use yubin_protocol::{Folder, FolderRole};

use crate::components::folder_list::role_name;
use crate::i18n::{tr, trf, Lang};

/// The roles a user may choose a folder for, in the order the form shows them.
pub const CHOOSABLE: [FolderRole; 5] =
    [FolderRole::Sent, FolderRole::Drafts, FolderRole::Trash, FolderRole::Junk, FolderRole::Archive];

/// The role's name in element ids.
pub fn role_key(role: FolderRole) -> &'static str {
    match role {
        FolderRole::Sent => "sent",
        FolderRole::Drafts => "drafts",
        FolderRole::Trash => "trash",
        FolderRole::Junk => "junk",
        FolderRole::Archive => "archive",
        FolderRole::Inbox => "inbox",
        FolderRole::All => "all",
        FolderRole::Flagged => "flagged",
    }
}

#[derive(Properties, PartialEq)]
pub struct FolderRolesFormProps {
    pub folders: Vec<Folder>,
    /// The user's own choices (the rest are the server's).
    pub chosen: Vec<(FolderRole, String)>,
    /// A folder chosen for a role, or `None` to leave the role to the server again.
    pub on_choose: Callback<(FolderRole, Option<String>)>,
    /// Create a folder for a role that has none.
    pub on_create: Callback<FolderRole>,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn FolderRolesForm(props: &FolderRolesFormProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let close = props.on_close.reform(|_: MouseEvent| ());
    let candidates: Vec<&Folder> =
        props.folders.iter().filter(|f| f.selectable && !f.id.eq_ignore_ascii_case("INBOX")).collect();
    html! {
        <div class="composer-backdrop">
            <section id="folder-roles" class="login" role="dialog" aria-labelledby="folder-roles-title">
                <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                <h1 id="folder-roles-title">{ tr(lang, "Special folders") }</h1>
                <p class="hint">{ tr(lang, "Where sent mail, drafts and deleted mail go. Automatic follows the server.") }</p>
                { for CHOOSABLE.iter().map(|&role| {
                    let chosen = props.chosen.iter().find(|(r, _)| *r == role).map(|(_, f)| f.clone());
                    let current = props.folders.iter().find(|f| f.role == Some(role));
                    let automatic = match (&chosen, current) {
                        (None, Some(folder)) => trf(lang, "Automatic ({folder})", &[("folder", &folder.name)]),
                        _ => tr(lang, "Automatic").to_owned(),
                    };
                    let onchange = props.on_choose.reform(move |e: Event| {
                        let value = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
                        (role, (!value.is_empty()).then_some(value))
                    });
                    let id = format!("role-{}", role_key(role));
                    html! {
                        <div class="role-choice">
                            <label for={id.clone()}>{ tr(lang, role_name(role)) }</label>
                            <select id={id} onchange={onchange}>
                                <option value="" selected={chosen.is_none()}>{ automatic }</option>
                                { for candidates.iter().map(|folder| html! {
                                    <option value={folder.id.clone()} selected={chosen.as_deref() == Some(folder.id.as_str())}>
                                        { &folder.name }
                                    </option>
                                }) }
                            </select>
                            if current.is_none() && chosen.is_none() {
                                <button type="button" id={format!("create-role-{}", role_key(role))}
                                    onclick={props.on_create.reform(move |_: MouseEvent| role)}>
                                    { trf(lang, "Create “{name}”", &[("name", &tr(lang, role_name(role)))]) }
                                </button>
                            }
                        </div>
                    }
                }) }
            </section>
        </div>
    }
}
