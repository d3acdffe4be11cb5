//! Yubin's browser app: a Yew component tree talking to the gateway over one WebSocket.

pub mod app;
pub mod components;
pub mod connection;
pub mod format;
pub mod message_window;

pub use app::App;
