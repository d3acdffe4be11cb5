//! The filters dialog: the account's rules (in order, each on or off, reordered by dragging or
//! Alt+↑/↓), the vacation reply, and a script as text with the server's check.
//!
//! It talks to the account's ManageSieve server through the gateway itself (by way of the app's
//! [`Host`]), so the app knows nothing of Sieve. Its rules are [`FilterEditing`]'s, a pure
//! reducer; this file draws them and carries out its effects.

use web_sys::{HtmlTextAreaElement, KeyboardEvent};
use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{calls, ApiError, ErrorKind, Folder};

use std::rc::Rc;

use crate::editing::{
    action_argument, action_code, blank_rule, field_code, test_code, FilterEditing, FilterEffect, FilterMsg, Stage,
    Status,
};
use crate::i18n::{tr, trf, Lang};
use crate::rule_editor::{code_label, RuleEditor, VacationForm};
use crate::sieve_rules::{Field, Rule, Vacation};
use yubin_shared::host::Host;

/// Days between two replies to one sender, unless the user chooses.
const VACATION_DAYS: u32 = 7;

#[derive(Properties, PartialEq)]
pub struct FiltersProps {
    /// The way to the gateway, for the account the dialog is for.
    pub host: Rc<Host>,
    pub folders: Vec<Folder>,
    /// The account's address: the vacation reply answers mail to it.
    pub email: String,
    /// A rule to start writing at once ("filter messages like this").
    #[prop_or_default]
    pub prefill: Option<Rule>,
    pub on_close: Callback<()>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Rules,
    Vacation,
}

pub enum Msg {
    Lang(Lang),
    Model(FilterMsg),
    Tab(Tab),
    /// A rule is being dragged.
    Drag(usize),
    /// The dragged rule was dropped on the rule at this place.
    Drop(usize),
    ScriptInput(String),
    Delete(usize),
}

pub struct FiltersDialog {
    lang: Lang,
    _lang_listener: Option<ContextHandle<Lang>>,
    model: FilterEditing,
    tab: Tab,
    dragging: Option<usize>,
    /// The script editor's text as typed, and the script it started from.
    script_text: Option<((String, String), String)>,
    /// Bumped whenever a rule editor opens, so it starts from the rule given.
    editor_key: u32,
}

impl Component for FiltersDialog {
    type Message = Msg;
    type Properties = FiltersProps;

    fn create(ctx: &Context<Self>) -> Self {
        let (lang, lang_listener) = ctx.link().context::<Lang>(ctx.link().callback(Msg::Lang)).unzip();
        let (model, effects) = FilterEditing::open(ctx.props().prefill.clone());
        let filters = Self {
            lang: lang.unwrap_or_default(),
            _lang_listener: lang_listener,
            model,
            tab: Tab::Rules,
            dragging: None,
            script_text: None,
            editor_key: 0,
        };
        filters.run(ctx, effects);
        filters
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Lang(lang) => self.lang = lang,
            Msg::Model(msg) => {
                if matches!(msg, FilterMsg::NewRule(_) | FilterMsg::EditRule(_)) {
                    self.editor_key += 1;
                }
                let reopened = matches!(msg, FilterMsg::Stored(Err(_)));
                let effects = self.model.update(msg);
                if reopened && self.model.editing.is_some() {
                    // The rule comes back as it was typed (a new editor, started from it).
                    self.editor_key += 1;
                }
                self.run(ctx, effects);
            }
            Msg::Tab(tab) => self.tab = tab,
            Msg::Drag(at) => {
                self.dragging = Some(at);
                return false;
            }
            Msg::Drop(to) => {
                let Some(from) = self.dragging.take() else { return false };
                let effects = self.model.update(FilterMsg::Reorder { from, to });
                self.run(ctx, effects);
            }
            Msg::ScriptInput(text) => {
                self.script_text = self.model.script.clone().map(|source| (source, text));
                return false;
            }
            Msg::Delete(at) => {
                let name = self.model.filters.rules.get(at).map(|r| r.name.clone()).unwrap_or_default();
                let question = trf(self.lang, "Delete the rule “{name}”?", &[("name", &name)]);
                let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
                if !confirmed {
                    return false;
                }
                let effects = self.model.update(FilterMsg::Delete(at));
                self.run(ctx, effects);
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let close = ctx.props().on_close.reform(|_: MouseEvent| ());
        let tab = |which: Tab, id: &'static str, label: &'static str| {
            let current = self.tab == which && self.model.stage == Stage::Rules;
            html! {
                <button id={id} type="button" role="tab" aria-selected={current.to_string()}
                    class={classes!("tab", current.then_some("current"))}
                    onclick={ctx.link().batch_callback(move |_: MouseEvent| vec![Msg::Model(FilterMsg::ShowRules), Msg::Tab(which)])}>
                    { tr(lang, label) }
                </button>
            }
        };
        let body = match &self.model.stage {
            Stage::Loading => html! { <p class="hint" id="filters-loading">{ tr(lang, "Loading filters…") }</p> },
            Stage::Failed(e) => {
                html! { <p class="form-error" role="alert" id="filters-error">{ failure_text(lang, e) }</p> }
            }
            Stage::Rules if self.tab == Tab::Vacation => self.vacation(ctx),
            Stage::Rules => self.rules(ctx),
            Stage::Script => self.script(ctx),
        };
        html! {
            <div class="composer-backdrop">
                <section id="filters" class="filters" role="dialog" aria-labelledby="filters-title">
                    <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                    <h1 id="filters-title">{ tr(lang, "Filters") }</h1>
                    if !self.model.foreign && matches!(self.model.stage, Stage::Rules | Stage::Script) {
                        <div class="tabs" role="tablist">
                            { tab(Tab::Rules, "filters-rules-tab", "Rules") }
                            { tab(Tab::Vacation, "filters-vacation-tab", "Vacation reply") }
                        </div>
                    }
                    { body }
                    { self.status() }
                </section>
            </div>
        }
    }
}

impl FiltersDialog {
    /// Asks the gateway what the model wants; each answer comes back as a model message.
    fn run(&self, ctx: &Context<Self>, effects: Vec<FilterEffect>) {
        for effect in effects {
            let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
            spawn_local(async move {
                let msg = match effect {
                    FilterEffect::List => FilterMsg::Listed(host.call(calls::ListSieveScripts {}).await),
                    FilterEffect::Get(name) => {
                        let text = host.call(calls::GetSieveScript { name: name.clone() }).await;
                        FilterMsg::Fetched(name, text)
                    }
                    FilterEffect::Put { name, text, activate } => {
                        FilterMsg::Stored(host.call(calls::PutSieveScript { name, text, activate }).await)
                    }
                    FilterEffect::Check(text) => FilterMsg::Checked(host.call(calls::CheckSieveScript { text }).await),
                };
                link.send_message(Msg::Model(msg));
            });
        }
    }

    fn rules(&self, ctx: &Context<Self>) -> Html {
        let (lang, link, model) = (self.lang, ctx.link(), &self.model);
        if let Some((_, rule)) = &model.editing {
            return html! {
                <RuleEditor key={self.editor_key} rule={rule.clone()} folders={ctx.props().folders.clone()} busy={model.busy}
                    on_save={link.callback(|rule| Msg::Model(FilterMsg::SaveRule(rule)))}
                    on_cancel={link.callback(|_| Msg::Model(FilterMsg::CancelRule))} />
            };
        }
        let count = model.filters.rules.len();
        html! {
            <>
                if model.edited_elsewhere {
                    <p class="notice-inline" id="filters-edited">
                        { tr(lang, "These filters were changed outside Yubin since. Saving a rule here replaces those changes; look at the script first if you are unsure.") }
                    </p>
                }
                if !model.is_active(&model.name) && count > 0 {
                    <p class="hint">{ tr(lang, "These rules are not active on the server yet: saving one makes them active.") }</p>
                }
                if count == 0 {
                    <p class="hint" id="filters-empty">{ tr(lang, "No rules yet. A rule sorts new mail as it arrives, on the server, even while Yubin is closed.") }</p>
                }
                <ol id="filter-rules" class="filter-rules">
                    { for model.filters.rules.iter().enumerate().map(|(at, rule)| self.rule_row(ctx, at, count, rule)) }
                </ol>
                <div class="buttons">
                    <button id="new-rule" type="button" class="primary" disabled={model.busy}
                        onclick={link.callback(|_| Msg::Model(FilterMsg::NewRule(blank_rule())))}>{ tr(lang, "New rule") }</button>
                    <button id="show-script" type="button" class="link" onclick={link.callback(|_| Msg::Model(FilterMsg::ShowScript))}>
                        { tr(lang, "Edit as Sieve script") }
                    </button>
                </div>
                if !model.extensions.is_empty() {
                    <p class="hint">{ trf(lang, "Rules are kept on the mail server, in the Sieve script “{name}”.", &[("name", &model.name)]) }</p>
                }
            </>
        }
    }

    fn rule_row(&self, ctx: &Context<Self>, at: usize, count: usize, rule: &Rule) -> Html {
        let (lang, link, busy) = (self.lang, ctx.link(), self.model.busy);
        let model = |msg: FilterMsg| link.callback(move |_: MouseEvent| Msg::Model(msg.clone()));
        let onkeydown = link.batch_callback(move |e: KeyboardEvent| {
            let to = match e.key().as_str() {
                "ArrowUp" if e.alt_key() && at > 0 => at - 1,
                "ArrowDown" if e.alt_key() && at + 1 < count => at + 1,
                _ => return None,
            };
            e.prevent_default();
            Some(Msg::Model(FilterMsg::Reorder { from: at, to }))
        });
        let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
        let ondrop = link.callback(move |e: DragEvent| {
            e.prevent_default();
            Msg::Drop(at)
        });
        let ondragstart = link.callback(move |e: DragEvent| {
            if let Some(data) = e.data_transfer() {
                let _ = data.set_data("text/plain", &at.to_string());
            }
            Msg::Drag(at)
        });
        html! {
            <li class={classes!("filter-rule", (!rule.enabled).then_some("disabled"))} draggable="true" tabindex="0"
                data-rule={rule.name.clone()} aria-label={rule.name.clone()}
                title={tr(lang, "Drag, or Alt+↑/↓, to change the order: the first rule that stops wins.")}
                {onkeydown} {ondragover} {ondrop} {ondragstart}>
                <input type="checkbox" class="rule-enabled" checked={rule.enabled} disabled={busy}
                    aria-label={tr(lang, "Rule on")} onchange={link.callback(move |_: Event| Msg::Model(FilterMsg::Toggle(at)))} />
                <span class="rule-text">
                    <span class="rule-name">{ if rule.name.is_empty() { tr(lang, "(no name)") } else { &rule.name } }</span>
                    <span class="rule-summary">{ summary(lang, rule) }</span>
                </span>
                <button type="button" class="rule-up icon" aria-label={tr(lang, "Move up")} disabled={busy || at == 0}
                    onclick={model(FilterMsg::Reorder { from: at, to: at.saturating_sub(1) })}>{ "↑" }</button>
                <button type="button" class="rule-down icon" aria-label={tr(lang, "Move down")} disabled={busy || at + 1 >= count}
                    onclick={model(FilterMsg::Reorder { from: at, to: at + 1 })}>{ "↓" }</button>
                <button type="button" class="rule-edit" disabled={busy} onclick={model(FilterMsg::EditRule(at))}>{ tr(lang, "Edit") }</button>
                <button type="button" class="rule-delete danger" disabled={busy}
                    onclick={link.callback(move |_: MouseEvent| Msg::Delete(at))}>{ tr(lang, "Delete") }</button>
            </li>
        }
    }

    fn vacation(&self, ctx: &Context<Self>) -> Html {
        let vacation = self.model.filters.vacation.clone().unwrap_or_else(|| Vacation {
            enabled: false,
            subject: tr(self.lang, "Out of office").to_owned(),
            text: String::new(),
            days: VACATION_DAYS,
            addresses: vec![ctx.props().email.clone()],
            from: None,
            until: None,
        });
        html! {
            // Keyed by what is saved, so a newly loaded or saved reply refills the form. Not by
            // `Debug` text: the release build has none, and every key would be the same.
            <VacationForm key={serde_json::to_string(&self.model.saved.vacation).unwrap_or_default()} vacation={vacation} busy={self.model.busy}
                on_save={ctx.link().callback(|v| Msg::Model(FilterMsg::SaveVacation(v)))} />
        }
    }

    fn script(&self, ctx: &Context<Self>) -> Html {
        let (lang, link, model) = (self.lang, ctx.link(), &self.model);
        let Some((name, text)) = model.script.clone() else { return html! {} };
        let typed = match &self.script_text {
            Some((source, typed)) if *source == (name.clone(), text.clone()) => typed.clone(),
            _ => text.clone(),
        };
        let oninput =
            link.callback(|e: InputEvent| Msg::ScriptInput(e.target_unchecked_into::<HtmlTextAreaElement>().value()));
        // Read at the click: the text as typed, without a render per keystroke.
        let current = move || {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("script-text"))
                .map(|el| wasm_bindgen::JsCast::unchecked_into::<HtmlTextAreaElement>(el).value())
                .unwrap_or_default()
        };
        html! {
            <>
                if model.foreign {
                    <p class="notice-inline" id="filters-foreign">
                        { trf(lang, "The active script “{name}” was not written by Yubin, so it is shown as it is. Edit it here (the server checks it), or keep it and use Yubin's rules instead (the script stays on the server, turned off).", &[("name", &name)]) }
                    </p>
                }
                <label for="script-text">{ trf(lang, "Sieve script “{name}”", &[("name", &name)]) }</label>
                <textarea id="script-text" class="script-text" rows="16" spellcheck="false" value={typed} {oninput} />
                <div class="buttons">
                    <button id="script-check" type="button" disabled={model.busy}
                        onclick={link.callback(move |_: MouseEvent| Msg::Model(FilterMsg::Check(current())))}>{ tr(lang, "Check") }</button>
                    <button id="script-save" type="button" class="primary" disabled={model.busy}
                        onclick={link.callback(move |_: MouseEvent| Msg::Model(FilterMsg::SaveScript(current())))}>{ tr(lang, "Save script") }</button>
                    if model.foreign {
                        <button id="use-rules" type="button" disabled={model.busy} onclick={link.callback(|_: MouseEvent| Msg::Model(FilterMsg::UseRules))}>
                            { tr(lang, "Use Yubin's rules instead") }
                        </button>
                    } else {
                        <button id="show-rules" type="button" class="link" disabled={model.busy} onclick={link.callback(|_: MouseEvent| Msg::Model(FilterMsg::ShowRules))}>
                            { tr(lang, "Back to the rules") }
                        </button>
                    }
                </div>
            </>
        }
    }

    /// What the server said to the last store or check.
    fn status(&self) -> Html {
        let lang = self.lang;
        let Some(status) = &self.model.status else { return html! {} };
        let warnings = |w: &Option<String>| {
            w.as_ref().map(|w| html! { <p class="hint">{ trf(lang, "The server warns: {text}", &[("text", w)]) }</p> })
        };
        match status {
            Status::Saved(w) => html! {
                <div id="filters-status" class="status" role="status">{ tr(lang, "Saved on the server.") }{ for warnings(w) }</div>
            },
            Status::Checked(w) => html! {
                <div id="filters-status" class="status" role="status">{ tr(lang, "The server found no errors.") }{ for warnings(w) }</div>
            },
            Status::Refused(text) => html! {
                <p id="filters-status" class="form-error" role="alert">{ trf(lang, "The server refused it: {text}", &[("text", text)]) }</p>
            },
            Status::Unsupported(missing) => html! {
                <p id="filters-status" class="form-error" role="alert">
                    { trf(lang, "This mail server's filters cannot do that (it lacks the Sieve extensions {names}).", &[("names", &missing.join(", "))]) }
                </p>
            },
        }
    }
}

/// Why the filters could not be loaded.
fn failure_text(lang: Lang, error: &ApiError) -> String {
    match error.kind {
        ErrorKind::BadRequest => {
            tr(lang, "This account's server has no filters (no ManageSieve server is configured for it).").to_owned()
        }
        _ => trf(lang, "The filters could not be loaded: {text}", &[("text", &error.message)]),
    }
}

/// "From contains @lists.example → Move to Lists, Mark as read".
fn summary(lang: Lang, rule: &Rule) -> String {
    let conditions: Vec<String> = rule
        .conditions
        .iter()
        .map(|c| {
            let field = match &c.field {
                Field::Header(name) => name.clone(),
                field => code_label(lang, field_code(field)).to_owned(),
            };
            let not = if c.negate { tr(lang, "not") } else { "" };
            format!("{field} {not} {} “{}”", code_label(lang, test_code(c.test)), c.value).replace("  ", " ")
        })
        .collect();
    let when = if conditions.is_empty() {
        tr(lang, "Every message").to_owned()
    } else {
        conditions.join(if rule.all { tr(lang, " and ") } else { tr(lang, " or ") })
    };
    let actions: Vec<String> = rule
        .actions
        .iter()
        .map(|a| {
            let label = code_label(lang, action_code(a));
            match action_argument(a) {
                Some(argument) => format!("{label} {argument}"),
                None => label.to_owned(),
            }
        })
        .collect();
    format!("{when} → {}", actions.join(", "))
}
