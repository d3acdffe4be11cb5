//! The views. Each takes what it shows as properties and reports what the user did through
//! callbacks; the state lives in [`crate::app::App`].

pub mod actions;
pub mod attachment_viewer;
pub mod composer;
pub mod edited_field;
pub mod folder_list;
pub mod folder_roles_form;
pub mod html_body;
pub mod identity_form;
pub mod login;
pub mod message_list;
pub mod notice;
pub mod openpgp_panel;
pub mod openpgp_sending;
pub mod pop3_panel;
pub mod quota_meter;
pub mod reader;
pub mod rich_editor;
pub mod templates_menu;
pub mod trust;
