//! The sign-in form: which allowed server, user name, password.

use crate::i18n::{tr, Lang};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yubin_protocol::{ApiError, ServerInfo};

#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub server: String,
    pub username: String,
    pub password: String,
}

#[derive(Properties, PartialEq)]
pub struct LoginProps {
    pub servers: Vec<ServerInfo>,
    pub connected: bool,
    pub busy: bool,
    pub error: Option<ApiError>,
    pub on_submit: Callback<LoginForm>,
    /// POP3 accounts whose mail this browser keeps: readable without signing in (offline).
    #[prop_or_default]
    pub offline_accounts: Vec<String>,
    #[prop_or_default]
    pub on_offline: Callback<String>,
}

#[function_component]
pub fn Login(props: &LoginProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let server = use_node_ref();
    let username = use_node_ref();
    let password = use_node_ref();

    let onsubmit = {
        let (server, username, password) = (server.clone(), username.clone(), password.clone());
        let on_submit = props.on_submit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |node: &NodeRef| node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            on_submit.emit(LoginForm {
                server: server.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default(),
                username: value(&username),
                password: value(&password),
            });
        })
    };

    let domain_hint = props.servers.first().and_then(|s| s.domain.clone());
    let placeholder = domain_hint.map_or_else(|| "you@example.org".to_owned(), |d| format!("name or name@{d}"));
    html! {
        <div class="login-page">
            <form id="login-form" class="login" onsubmit={onsubmit} aria-labelledby="login-title">
                <h1 id="login-title">{ "Yubin" }</h1>
                <p class="tagline">{ tr(lang, "Sign in to your mail") }</p>
                <label for="server">{ tr(lang, "Mail server") }</label>
                <select id="server" ref={server} disabled={props.servers.len() < 2}>
                    { for props.servers.iter().map(|s| html! { <option value={s.id.clone()}>{ &s.name }</option> }) }
                </select>
                <label for="username">{ tr(lang, "User name") }</label>
                <input id="username" ref={username} type="text" autocomplete="username" required=true
                    placeholder={placeholder} autofocus=true />
                <label for="password">{ tr(lang, "Password") }</label>
                <input id="password" ref={password} type="password" autocomplete="current-password" required=true />
                if let Some(error) = &props.error {
                    <p class="form-error" role="alert">{ &error.message }</p>
                }
                <button id="login-button" type="submit" class="primary" disabled={props.busy || !props.connected}>
                    { if props.busy { tr(lang, "Signing in…") } else if props.connected { tr(lang, "Sign in") } else { tr(lang, "Connecting…") } }
                </button>
                if !props.offline_accounts.is_empty() {
                    <div class="offline-accounts">
                        <p class="meta">{ tr(lang, "Mail kept in this browser, readable without signing in:") }</p>
                        { for props.offline_accounts.iter().map(|account| {
                            let chosen = account.clone();
                            html! {
                                <button type="button" class="open-offline" onclick={props.on_offline.reform(move |_| chosen.clone())}>
                                    { account }
                                </button>
                            }
                        }) }
                    </div>
                }
            </form>
        </div>
    }
}
