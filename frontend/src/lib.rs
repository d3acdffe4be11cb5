//! Yubin's browser app: a Yew component tree talking to the gateway over one WebSocket.

pub mod accounts;
pub mod app;
pub mod components;
pub mod connection;
pub mod contacts;
pub mod drafting;
pub mod extras;
pub mod format;
pub mod gateway_link;
pub mod i18n;
pub mod identity;
pub mod list_cache;
pub mod list_view;
pub mod local_mailbox;
pub mod local_store;
pub mod message_window;
pub mod notifications;
pub mod oauth_return;
pub mod offline_accounts;
pub mod outbox;
pub mod pop3_sync;
pub mod preferences;
pub mod prefs;
pub mod printing;
pub mod reading;
pub mod remember;
pub mod search_syntax;
pub mod settings;
pub mod shortcuts;
pub mod sign_in;
pub mod theme;
pub mod timing;
pub mod upload;
pub mod window_events;

pub use app::App;
