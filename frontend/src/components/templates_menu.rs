//! The composer's templates: the account's Templates folder listed when the menu opens, one
//! picked and handed to the composer to put into the message, and the message being written
//! kept as a new template. Templates live on the IMAP server, so they roam.

use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{calls, ApiError, MessageSummary, MessageView};

use crate::connection::Connection;
use crate::i18n::{tr, Lang};

#[derive(Properties, PartialEq)]
pub struct TemplatesMenuProps {
    pub connection: Option<Connection>,
    /// A template picked, opened: put it into the message.
    pub on_insert: Callback<MessageView>,
    /// Keep the message being written as a template.
    pub on_save: Callback<()>,
    /// False while the message has files still uploading (a template takes them along).
    pub can_save: bool,
}

/// Where the list stands.
#[derive(Clone, PartialEq)]
enum Listing {
    Loading,
    Shown { folder: String, templates: Vec<MessageSummary> },
    Failed(String),
}

#[function_component]
pub fn TemplatesMenu(props: &TemplatesMenuProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let open = use_state(|| false);
    let listing = use_state(|| Listing::Loading);
    let toggle = {
        let (open, listing, connection) = (open.clone(), listing.clone(), props.connection.clone());
        Callback::from(move |_: MouseEvent| {
            let opening = !*open;
            open.set(opening);
            let (Some(connection), true) = (connection.clone(), opening) else { return };
            listing.set(Listing::Loading);
            let listing = listing.clone();
            spawn_local(async move {
                listing.set(match connection.call(calls::ListTemplates {}).await {
                    Ok(page) => Listing::Shown { folder: page.folder, templates: page.messages },
                    Err(e) => Listing::Failed(e.message),
                });
            });
        })
    };
    let pick = |folder: String, uid| {
        let (open, listing, connection, on_insert) =
            (open.clone(), listing.clone(), props.connection.clone(), props.on_insert.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(connection) = connection.clone() else { return };
            let (open, listing, on_insert, folder) = (open.clone(), listing.clone(), on_insert.clone(), folder.clone());
            spawn_local(async move {
                match connection.call(calls::GetMessage { folder, uid }).await {
                    Ok(view) => {
                        open.set(false);
                        on_insert.emit(view);
                    }
                    Err(ApiError { message, .. }) => listing.set(Listing::Failed(message)),
                }
            });
        })
    };
    let save = {
        let (open, on_save) = (open.clone(), props.on_save.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(false);
            on_save.emit(());
        })
    };
    html! {
        <div class="templates-menu">
            <button type="button" id="templates-button" aria-expanded={open.to_string()} onclick={toggle}>{ tr(lang, "Templates") }</button>
            if *open {
                <div id="templates" class="menu" role="menu">
                    { match &*listing {
                        Listing::Loading => html! { <p class="meta">{ tr(lang, "Loading…") }</p> },
                        Listing::Failed(error) => html! { <p class="form-error" role="alert">{ error }</p> },
                        Listing::Shown { templates, .. } if templates.is_empty() => html! {
                            <p class="meta">{ tr(lang, "No templates yet: write a message and keep it as one.") }</p>
                        },
                        Listing::Shown { folder, templates } => html! {
                            <ul>{ for templates.iter().map(|t| html! {
                                <li><button type="button" class="template" role="menuitem" onclick={pick(folder.clone(), t.uid)}>
                                    { if t.subject.is_empty() { tr(lang, "(no subject)") } else { &t.subject } }
                                </button></li>
                            }) }</ul>
                        },
                    } }
                    <button type="button" id="save-template" role="menuitem" disabled={!props.can_save} onclick={save}>
                        { tr(lang, "Keep this message as a template") }
                    </button>
                </div>
            }
        </div>
    }
}
