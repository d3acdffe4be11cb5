//! The parts of the screen around the mail: sign-in form, account switcher, help, theme and language.

use super::*;

impl App {
    /// Carries out a keyboard shortcut; returns whether the screen changes.
    pub(super) fn shortcut(&mut self, ctx: &Context<Self>, shortcut: Shortcut) -> bool {
        if self.accounts.is_empty() || self.composer.is_some() {
            return false; // signing in or writing: the keyboard is theirs
        }
        let open = self.reader.uid();
        let flagged = matches!(&self.reader, ReaderState::Loaded(view) if view.flags.flagged);
        let act = |action| open.map(|uid| Msg::Act(vec![uid], action));
        let msg = match shortcut {
            Shortcut::Next | Shortcut::Previous => {
                let step = if shortcut == Shortcut::Next { 1 } else { -1 };
                let list = self.list.as_ref();
                let target = match open {
                    Some(uid) => list.and_then(|l| l.neighbour(self.row_key(uid), step)),
                    None => list.and_then(|l| l.get(0)).map(|m| m.uid),
                };
                target.map(Msg::OpenRow)
            }
            Shortcut::Back => {
                self.reader = ReaderState::Empty;
                return true;
            }
            Shortcut::Compose => Some(Msg::Compose),
            Shortcut::Reply => act(Action::Reply),
            Shortcut::ReplyAll => act(Action::ReplyAll),
            Shortcut::Forward => act(Action::Forward),
            Shortcut::Archive => self.folder_with_role(FolderRole::Archive).and_then(|to| act(Action::MoveTo(to))),
            Shortcut::Delete => act(Action::Delete),
            Shortcut::Star => act(Action::SetFlag(FlagName::Flagged, !flagged)),
            Shortcut::Select => open.map(Msg::ToggleSelected),
            Shortcut::Search => {
                let search = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("search"));
                if let Some(input) = search.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                {
                    let _ = input.focus();
                }
                None
            }
            Shortcut::Help => {
                self.help = !self.help;
                return true;
            }
            Shortcut::Escape => {
                self.help = false;
                self.source = None;
                return true;
            }
        };
        match msg {
            Some(msg) => Component::update(self, ctx, msg),
            None => false,
        }
    }

    /// The sign-in form: the whole page before the first account, a dialog to add another.
    pub(super) fn login_form(&self, ctx: &Context<Self>, adding: bool) -> Html {
        let link = ctx.link();
        html! {
            <Login
                servers={self.welcome.as_ref().map(|w| w.servers.clone()).unwrap_or_default()}
                connected={self.welcome.is_some() && self.connection.is_some()}
                busy={self.login_busy}
                error={self.login_error.clone()}
                on_submit={link.callback(Msg::Login)}
                can_remember={remember::available()}
                on_test={link.callback(Msg::TestAccount)}
                test={self.account_test.clone()}
                offline_accounts={if adding { Vec::new() } else { offline_accounts::all() }}
                on_offline={link.callback(Msg::OpenOffline)}
                on_cancel={adding.then(|| link.callback(|_| Msg::CancelAddAccount))}
            />
        }
    }

    /// The unified inbox and each account, with its unread count, above the folders.
    pub(super) fn account_switcher(&self, ctx: &Context<Self>) -> Html {
        let (link, lang) = (ctx.link(), self.lang);
        let count = |n: u32| (n > 0).then(|| html! { <span class="unread-count">{ n }</span> });
        let total: u32 = self.accounts.iter().map(Account::unread).sum();
        html! {
            <div class="accounts" role="group" aria-label={tr(lang, "Accounts")}>
                if self.accounts.len() > 1 {
                    <button id="unified-inbox" class={classes!("folder", self.unified.is_some().then_some("current"))}
                        aria-current={self.unified.is_some().then_some("page")}
                        onclick={link.callback(|_| Msg::OpenUnified)}>
                        <span class="label">{ tr(lang, "All inboxes") }</span>
                        { for count(total) }
                    </button>
                    { for self.accounts.iter().map(|account| {
                        let id = account.id;
                        let current = self.unified.is_none() && id == self.active;
                        html! {
                            <button class={classes!("folder", "account-switch", current.then_some("current"))}
                                aria-current={current.then_some("true")} data-account={account.session.email.clone()}
                                onclick={link.callback(move |_| Msg::SwitchAccount(id))}>
                                <span class="label">{ &account.session.email }</span>
                                { for count(account.unread()) }
                            </button>
                        }
                    }) }
                }
                <button id="add-account" class="link" onclick={link.callback(|_| Msg::AddAccount)}>
                    { tr(lang, "+ Add account") }
                </button>
            </div>
        }
    }

    pub(super) fn help(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let close = ctx.link().callback(|_| Msg::Shortcut(Shortcut::Help));
        html! {
            <div class="composer-backdrop" onclick={close.clone()}>
                <section id="shortcuts-help" class="shortcuts" role="dialog" aria-label={tr(lang, "Keyboard shortcuts")}>
                    <button class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                    <h2>{ tr(lang, "Keyboard shortcuts") }</h2>
                    <dl>
                        { for shortcuts::ALL.iter().map(|(key, what)| html! {
                            <><dt><kbd>{ *key }</kbd></dt><dd>{ tr(lang, what) }</dd></>
                        }) }
                    </dl>
                </section>
            </div>
        }
    }

    /// System, light or dark; remembered in the browser.
    pub(super) fn theme_switch(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let onchange = ctx.link().callback(|e: yew::Event| {
            Msg::SetTheme(Theme::from_value(&e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
        });
        html! {
            <select id="theme" class="language" aria-label={tr(lang, "Theme")} onchange={onchange}>
                <option value="system" selected={self.theme == Theme::System}>{ tr(lang, "System theme") }</option>
                <option value="light" selected={self.theme == Theme::Light}>{ tr(lang, "Light") }</option>
                <option value="dark" selected={self.theme == Theme::Dark}>{ tr(lang, "Dark") }</option>
            </select>
        }
    }

    /// English or 日本語, for the whole UI; remembered in the browser.
    pub(super) fn language_switch(&self, ctx: &Context<Self>) -> Html {
        let onchange = ctx.link().callback(|e: yew::Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            Msg::SetLang(if value == "ja" { Lang::Ja } else { Lang::En })
        });
        html! {
            <select id="language" class="language" aria-label={tr(self.lang, "Language")} onchange={onchange}>
                <option value="en" selected={self.lang == Lang::En}>{ "English" }</option>
                <option value="ja" selected={self.lang == Lang::Ja}>{ "日本語" }</option>
            </select>
        }
    }
}
