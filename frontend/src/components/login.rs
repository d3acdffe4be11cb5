//! The sign-in form: which allowed server, user name, password; shown alone before the first
//! account and as a dialog to add another. "Test connection" tries both servers first.

use crate::early_sign_in::Typed;
use crate::i18n::{tr, Lang};
use crate::sign_in::LoginForm;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yubin_protocol::{AccountTest, ApiError, IncomingProtocol, ServerInfo};

#[derive(Properties, PartialEq)]
pub struct LoginProps {
    pub servers: Vec<ServerInfo>,
    pub connected: bool,
    pub busy: bool,
    pub error: Option<ApiError>,
    pub on_submit: Callback<LoginForm>,
    /// Whether this browser can keep a sign-in ("Remember me"; see [`crate::remember`]).
    #[prop_or_default]
    pub can_remember: bool,
    /// POP3 accounts whose mail this browser keeps: readable without signing in (offline).
    #[prop_or_default]
    pub offline_accounts: Vec<String>,
    #[prop_or_default]
    pub on_offline: Callback<String>,
    pub on_test: Callback<LoginForm>,
    /// What the last connection test found.
    #[prop_or_default]
    pub test: Option<AccountTest>,
    /// What was typed into the page's own form before this one took its place.
    #[prop_or_default]
    pub typed: Option<Typed>,
    /// Set when adding an account: the form is a dialog that can be closed.
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
}

#[function_component]
pub fn Login(props: &LoginProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let server = use_node_ref();
    let username = use_node_ref();
    let password = use_node_ref();
    let remember = use_node_ref();

    {
        // Once, when this form takes the page's place: what was typed there, and the cursor.
        let typed = props.typed.clone();
        let fields = [username.clone(), password.clone(), remember.clone()];
        use_effect_with((), move |_| {
            let Some(typed) = typed else { return };
            let [username, password, remember] = fields;
            let input = |node: &NodeRef| node.cast::<HtmlInputElement>();
            if let (Some(username), Some(password)) = (input(&username), input(&password)) {
                username.set_value(&typed.form.username);
                password.set_value(&typed.form.password);
                let focused = if typed.focus.as_deref() == Some("password") { password } else { username };
                let _ = focused.focus();
            }
            if let Some(remember) = input(&remember) {
                remember.set_checked(typed.form.remember);
            }
        });
    }
    let read_form = {
        let (server, username, password, remember) =
            (server.clone(), username.clone(), password.clone(), remember.clone());
        move || {
            let value = |node: &NodeRef| node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            LoginForm {
                server: server.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default(),
                username: value(&username),
                password: value(&password),
                remember: remember.cast::<HtmlInputElement>().is_some_and(|i| i.checked()),
                oauth: false,
            }
        }
    };
    let onsubmit = {
        let (read_form, on_submit) = (read_form.clone(), props.on_submit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_submit.emit(read_form());
        })
    };
    let ontest = {
        let on_test = props.on_test.clone();
        Callback::from(move |_: MouseEvent| on_test.emit(read_form()))
    };
    let adding = props.on_cancel.is_some();
    // Servers that sign in with an identity provider get a button each; the others share the
    // password form.
    let (oauth_servers, password_servers): (Vec<&ServerInfo>, Vec<&ServerInfo>) =
        props.servers.iter().partition(|s| s.oauth.is_some());
    let oauth_buttons = oauth_servers.into_iter().map(|server| {
        let (id, remember) = (server.id.clone(), remember.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let remember = remember.cast::<HtmlInputElement>().is_some_and(|i| i.checked());
            // Adding an account goes through a popup: the accounts signed in here stay.
            crate::oauth_return::start(&id, remember, adding);
        });
        html! {
            <button type="button" class="oauth-button" id={format!("oauth-{}", server.id)} onclick={onclick}
                disabled={!props.connected}>
                { server.oauth.clone().unwrap_or_default() }
            </button>
        }
    });
    let with_password = !password_servers.is_empty() || props.servers.is_empty();

    let domain_hint = props.servers.iter().find(|s| s.oauth.is_none()).and_then(|s| s.domain.clone());
    let chosen_server = props.typed.as_ref().map(|t| t.form.server.as_str());
    let chosen = |i: usize, s: &ServerInfo| match chosen_server {
        Some(id) if password_servers.iter().any(|s| s.id == id) => s.id == id,
        _ => i == 0,
    };
    let placeholder = domain_hint.map_or_else(|| "you@example.org".to_owned(), |d| format!("name or name@{d}"));
    html! {
        <div class={if adding { "composer-backdrop" } else { "login-page" }}>
            <form id="login-form" class="login" onsubmit={onsubmit} aria-labelledby="login-title"
                role={adding.then_some("dialog")}>
                if let Some(cancel) = &props.on_cancel {
                    <button type="button" class="dismiss" aria-label={tr(lang, "Close")}
                        onclick={cancel.reform(|_| ())}>{ "×" }</button>
                    <h1 id="login-title">{ tr(lang, "Add an account") }</h1>
                } else {
                    <h1 id="login-title">{ "Yubin" }</h1>
                    <p class="tagline">{ tr(lang, "Sign in to your mail") }</p>
                }
                <div class="oauth-buttons">{ for oauth_buttons }</div>
                if with_password {
                <label for="server">{ tr(lang, "Mail server") }</label>
                <select id="server" ref={server} disabled={password_servers.len() < 2}>
                    // The server chosen in the page's own form, else the first: stated rather than
                    // left to the browser, as the options may arrive after the first render.
                    { for password_servers.iter().enumerate().map(|(i, s)| html! {
                        <option value={s.id.clone()} selected={chosen(i, s)}>{ &s.name }</option>
                    }) }
                </select>
                <label for="username">{ tr(lang, "User name") }</label>
                <input id="username" ref={username} type="text" autocomplete="username" required=true
                    placeholder={placeholder} autofocus=true />
                <label for="password">{ tr(lang, "Password") }</label>
                <input id="password" ref={password} type="password" autocomplete="current-password" required=true />
                }
                if props.can_remember {
                    <label class="remember">
                        <input id="remember" ref={remember} type="checkbox" />
                        { tr(lang, "Remember me on this browser") }
                    </label>
                }
                if let Some(error) = &props.error {
                    <p class="form-error" role="alert">{ &error.message }</p>
                }
                if let Some(test) = &props.test {
                    { test_report(lang, test) }
                }
                if with_password {
                <div class="form-buttons">
                    <button id="login-button" type="submit" class="primary" disabled={props.busy || !props.connected}>
                        { if props.busy { tr(lang, "Signing in…") } else if props.connected { tr(lang, "Sign in") } else { tr(lang, "Connecting…") } }
                    </button>
                    <button id="test-account" type="button" onclick={ontest} disabled={!props.connected}>
                        { tr(lang, "Test connection") }
                    </button>
                </div>
                }
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

/// One line per server: "IMAP: ok", "SMTP: 535 5.7.8 authentication failed".
fn test_report(lang: Lang, test: &AccountTest) -> Html {
    let incoming = match test.incoming_protocol {
        IncomingProtocol::Imap => "IMAP",
        IncomingProtocol::Pop3 => "POP3",
    };
    let line = |name: &str, result: &Result<(), ApiError>| {
        let (class, text) = match result {
            Ok(()) => ("test-ok", tr(lang, "works").to_owned()),
            Err(e) => ("test-failed", e.message.clone()),
        };
        html! { <li class={class}>{ format!("{name}: {text}") }</li> }
    };
    html! {
        <ul id="account-test" class="account-test" role="status">
            { line(incoming, &test.incoming) }
            { line(tr(lang, "Sending (SMTP)"), &test.outgoing) }
        </ul>
    }
}
