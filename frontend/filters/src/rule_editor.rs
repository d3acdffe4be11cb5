//! One filter rule being written — "when <field> <test> <value> … then <action> …" — and the
//! vacation reply's form. Both hold what is typed until saved; the filters dialog stores it.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;
use yubin_protocol::Folder;

use crate::editing::{
    action_argument, action_code, check_rule, check_vacation, edit_rule, field_code, test_code, Invalid, RuleEdit,
    ACTION_CODES, FIELD_CODES, MAX_VACATION_DAYS, SIZE_TEST_CODES, TEXT_TEST_CODES,
};
use crate::i18n::{tr, Lang};
use crate::sieve_rules::{Field, Rule, Vacation};

/// The words for why something cannot be saved.
pub fn invalid_text(lang: Lang, invalid: Invalid) -> &'static str {
    match invalid {
        Invalid::NoActions => tr(lang, "Choose at least one action."),
        Invalid::EmptyValue => tr(lang, "Fill in what each condition looks for."),
        Invalid::EmptyHeaderName => tr(lang, "Name the header (letters, digits and dashes, no colon)."),
        Invalid::NotASize => tr(lang, "A size is a number, with K, M or G if you like (e.g. 2M)."),
        Invalid::NoFolder => tr(lang, "Choose the folder."),
        Invalid::NotAnAddress => tr(lang, "Enter one e-mail address."),
        Invalid::RejectWithDelivery => {
            tr(lang, "A rejected message is refused: it cannot also be moved, copied or forwarded.")
        }
        Invalid::NoVacationText => tr(lang, "Write the reply."),
        Invalid::BadDates => tr(lang, "The first day must be on or before the last day."),
        Invalid::BadDays => tr(lang, "Days between replies: 1 to 60."),
    }
}

/// The label of a field, test or action code.
pub fn code_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "from" => tr(lang, "From"),
        "to" => tr(lang, "To"),
        "cc" => tr(lang, "Cc"),
        "subject" => tr(lang, "Subject"),
        "header" => tr(lang, "Header…"),
        "size" => tr(lang, "Size"),
        "body" => tr(lang, "Body"),
        "contains" => tr(lang, "contains"),
        "is" => tr(lang, "is"),
        "matches" => tr(lang, "matches (* ?)"),
        "regex" => tr(lang, "matches the regular expression"),
        "over" => tr(lang, "is over"),
        "under" => tr(lang, "is under"),
        "move" => tr(lang, "Move to"),
        "copy" => tr(lang, "Copy to"),
        "read" => tr(lang, "Mark as read"),
        "flag" => tr(lang, "Star"),
        "forward" => tr(lang, "Forward to"),
        "reject" => tr(lang, "Reject with"),
        "discard" => tr(lang, "Delete"),
        "stop" => tr(lang, "Stop here"),
        _ => "",
    }
}

/// The rule as typed.
#[derive(PartialEq)]
struct Edited(Rule);

impl Reducible for Edited {
    type Action = RuleEdit;
    fn reduce(self: Rc<Self>, edit: RuleEdit) -> Rc<Self> {
        let mut rule = self.0.clone();
        edit_rule(&mut rule, edit);
        Rc::new(Self(rule))
    }
}

#[derive(Properties, PartialEq)]
pub struct RuleEditorProps {
    /// The rule when the editor opened (the component is keyed by it).
    pub rule: Rule,
    pub folders: Vec<Folder>,
    pub busy: bool,
    pub on_save: Callback<Rule>,
    pub on_cancel: Callback<()>,
}

fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn select_value(e: Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// A `<select>` of codes with `current` chosen.
fn code_select(
    lang: Lang,
    id: String,
    label: &'static str,
    codes: &[&'static str],
    current: &str,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <select id={id} aria-label={tr(lang, label)} onchange={onchange}>
            { for codes.iter().map(|code| html! {
                <option value={*code} selected={*code == current}>{ code_label(lang, code) }</option>
            }) }
        </select>
    }
}

#[function_component]
pub fn RuleEditor(props: &RuleEditorProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let rule = use_reducer(|| Edited(props.rule.clone()));
    let tried = use_state(|| false);
    let edit = |make: fn(String) -> RuleEdit| {
        let rule = rule.clone();
        Callback::from(move |value: String| rule.dispatch(make(value)))
    };
    let invalid = check_rule(&rule.0).err();
    let onsubmit = {
        let (rule, on_save, tried) = (rule.clone(), props.on_save.clone(), tried.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if check_rule(&rule.0).is_ok() {
                on_save.emit(rule.0.clone());
            }
        })
    };
    let conditions = rule.0.conditions.iter().enumerate().map(|(n, condition)| {
        let dispatch = |make: Rc<dyn Fn(String) -> RuleEdit>| {
            let rule = rule.clone();
            move |value: String| rule.dispatch(make(value))
        };
        let on_field = dispatch(Rc::new(move |v| RuleEdit::Field(n, v)));
        let on_test = dispatch(Rc::new(move |v| RuleEdit::Test(n, v)));
        let on_value = dispatch(Rc::new(move |v| RuleEdit::Value(n, v)));
        let on_header = dispatch(Rc::new(move |v| RuleEdit::HeaderName(n, v)));
        let sized = condition.field == Field::Size;
        let on_negate = {
            let rule = rule.clone();
            Callback::from(move |e: Event| {
                rule.dispatch(RuleEdit::Negate(n, e.target_unchecked_into::<HtmlInputElement>().checked()))
            })
        };
        let remove = {
            let rule = rule.clone();
            Callback::from(move |_: MouseEvent| rule.dispatch(RuleEdit::RemoveCondition(n)))
        };
        html! {
            <li class="rule-condition">
                { code_select(lang, format!("condition-field-{n}"), "Field", FIELD_CODES, field_code(&condition.field), Callback::from(move |e| on_field(select_value(e)))) }
                if let Field::Header(name) = &condition.field {
                    <input id={format!("condition-header-{n}")} type="text" placeholder="List-Id" aria-label={tr(lang, "Header name")}
                        value={name.clone()} oninput={Callback::from(move |e| on_header(input_value(e)))} />
                }
                <label class="negate">
                    <input id={format!("condition-negate-{n}")} type="checkbox" checked={condition.negate} onchange={on_negate} />
                    { tr(lang, "not") }
                </label>
                { code_select(lang, format!("condition-test-{n}"), "Comparison", if sized { SIZE_TEST_CODES } else { TEXT_TEST_CODES },
                    test_code(condition.test), Callback::from(move |e| on_test(select_value(e)))) }
                <input id={format!("condition-value-{n}")} type="text" aria-label={tr(lang, "Value")}
                    placeholder={if sized { "2M" } else { "" }}
                    value={condition.value.clone()} oninput={Callback::from(move |e| on_value(input_value(e)))} />
                <button type="button" class="link" aria-label={tr(lang, "Remove this condition")} onclick={remove}>{ "×" }</button>
            </li>
        }
    });
    let actions = rule.0.actions.iter().enumerate().map(|(n, action)| {
        let (kind_rule, argument_rule, remove_rule) = (rule.clone(), rule.clone(), rule.clone());
        let on_kind = Callback::from(move |e| kind_rule.dispatch(RuleEdit::ActionKind(n, select_value(e))));
        let on_argument = Callback::from(move |value: String| argument_rule.dispatch(RuleEdit::ActionArgument(n, value)));
        let remove = Callback::from(move |_: MouseEvent| remove_rule.dispatch(RuleEdit::RemoveAction(n)));
        let code = action_code(action);
        let argument = action_argument(action).unwrap_or_default();
        let id = format!("action-argument-{n}");
        html! {
            <li class="rule-action">
                { code_select(lang, format!("action-kind-{n}"), "Action", ACTION_CODES, code, on_kind) }
                { match code {
                    "move" | "copy" => html! {
                        <select id={id} aria-label={tr(lang, "Folder")} onchange={on_argument.reform(select_value)}>
                            <option value="" selected={argument.is_empty()} disabled=true>{ tr(lang, "Choose a folder…") }</option>
                            { for props.folders.iter().filter(|f| f.selectable).map(|f| html! {
                                <option value={f.name.clone()} selected={f.name == argument}>{ &f.name }</option>
                            }) }
                        </select>
                    },
                    "forward" => html! {
                        <input id={id} type="email" aria-label={tr(lang, "Address")} value={argument} oninput={on_argument.reform(input_value)} />
                    },
                    "reject" => html! {
                        <input id={id} type="text" aria-label={tr(lang, "Text for the sender")} value={argument} oninput={on_argument.reform(input_value)} />
                    },
                    _ => html! {},
                } }
                <button type="button" class="link" aria-label={tr(lang, "Remove this action")} onclick={remove}>{ "×" }</button>
            </li>
        }
    });
    let add = |edit: RuleEdit| {
        let rule = rule.clone();
        Callback::from(move |_: MouseEvent| rule.dispatch(edit.clone()))
    };
    let on_all = {
        let rule = rule.clone();
        Callback::from(move |e: Event| rule.dispatch(RuleEdit::All(select_value(e) == "all")))
    };
    html! {
        <form id="rule-editor" class="rule-editor" onsubmit={onsubmit}>
            <label for="rule-name">{ tr(lang, "Rule name") }</label>
            <input id="rule-name" type="text" value={rule.0.name.clone()} oninput={edit(RuleEdit::Name).reform(input_value)} />
            <p class="rule-when">
                { tr(lang, "When a message matches") }{ " " }
                <select id="rule-all" aria-label={tr(lang, "All or any")} onchange={on_all}>
                    <option value="all" selected={rule.0.all}>{ tr(lang, "all of") }</option>
                    <option value="any" selected={!rule.0.all}>{ tr(lang, "any of") }</option>
                </select>
            </p>
            <ul class="rule-conditions">{ for conditions }</ul>
            if rule.0.conditions.is_empty() {
                <p class="hint">{ tr(lang, "No conditions: the rule applies to every message.") }</p>
            }
            <button id="add-condition" type="button" class="link" onclick={add(RuleEdit::AddCondition)}>{ tr(lang, "+ Condition") }</button>
            <p class="rule-then">{ tr(lang, "Then") }</p>
            <ul class="rule-actions">{ for actions }</ul>
            <button id="add-action" type="button" class="link" onclick={add(RuleEdit::AddAction)}>{ tr(lang, "+ Action") }</button>
            if let Some(invalid) = invalid.filter(|_| *tried) {
                <p id="rule-invalid" class="error" role="alert">{ invalid_text(lang, invalid) }</p>
            }
            <div class="buttons">
                <button id="rule-save" type="submit" class="primary" disabled={props.busy}>{ tr(lang, "Save rule") }</button>
                <button id="rule-cancel" type="button" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ tr(lang, "Cancel") }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct VacationFormProps {
    pub vacation: Vacation,
    pub busy: bool,
    pub on_save: Callback<Vacation>,
}

/// The vacation reply: on or off, the days it runs, its subject and text, how often one sender
/// hears it, and the addresses it answers for.
#[function_component]
pub fn VacationForm(props: &VacationFormProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let vacation = use_state(|| props.vacation.clone());
    let tried = use_state(|| false);
    let change = |apply: fn(&mut Vacation, String)| {
        let vacation = vacation.clone();
        Callback::from(move |value: String| {
            let mut changed = (*vacation).clone();
            apply(&mut changed, value);
            vacation.set(changed);
        })
    };
    let on_enabled = {
        let vacation = vacation.clone();
        Callback::from(move |e: Event| {
            let enabled = e.target_unchecked_into::<HtmlInputElement>().checked();
            vacation.set(Vacation { enabled, ..(*vacation).clone() });
        })
    };
    let on_from = change(|v, value| v.from = Some(value).filter(|v| !v.is_empty()));
    let on_until = change(|v, value| v.until = Some(value).filter(|v| !v.is_empty()));
    let on_subject = change(|v, value| v.subject = value);
    let on_text = change(|v, value| v.text = value);
    // The number and the addresses as typed: read when saved, so typing "a@b, " keeps its comma.
    let days = use_state(|| props.vacation.days.to_string());
    let addresses = use_state(|| props.vacation.addresses.join(", "));
    let keep = |field: &UseStateHandle<String>| {
        let field = field.clone();
        Callback::from(move |e: InputEvent| field.set(input_value(e)))
    };
    let complete = Vacation {
        days: days.trim().parse().unwrap_or(0),
        addresses: addresses
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        ..(*vacation).clone()
    };
    let invalid = check_vacation(&complete).err();
    let onsubmit = {
        let (on_save, tried) = (props.on_save.clone(), tried.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if check_vacation(&complete).is_ok() {
                on_save.emit(complete.clone());
            }
        })
    };
    let text_of = |e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value();
    html! {
        <form id="vacation-form" class="vacation-form" onsubmit={onsubmit}>
            <label class="check">
                <input id="vacation-enabled" type="checkbox" checked={vacation.enabled} onchange={on_enabled} />
                { tr(lang, "Reply automatically while I am away") }
            </label>
            <div class="dates">
                <label for="vacation-from">{ tr(lang, "First day") }</label>
                <input id="vacation-from" type="date" value={vacation.from.clone().unwrap_or_default()} oninput={on_from.reform(input_value)} />
                <label for="vacation-until">{ tr(lang, "Last day") }</label>
                <input id="vacation-until" type="date" value={vacation.until.clone().unwrap_or_default()} oninput={on_until.reform(input_value)} />
            </div>
            <p class="hint">{ tr(lang, "Leave the days empty to reply from now until you turn it off.") }</p>
            <label for="vacation-subject">{ tr(lang, "Subject") }</label>
            <input id="vacation-subject" type="text" value={vacation.subject.clone()} oninput={on_subject.reform(input_value)} />
            <label for="vacation-text">{ tr(lang, "Reply") }</label>
            <textarea id="vacation-text" rows="6" value={vacation.text.clone()} oninput={on_text.reform(text_of)} />
            <label for="vacation-days">{ tr(lang, "Days before the same sender is answered again") }</label>
            <input id="vacation-days" type="number" min="1" max={MAX_VACATION_DAYS.to_string()} value={(*days).clone()} oninput={keep(&days)} />
            <label for="vacation-addresses">{ tr(lang, "My addresses (it answers mail sent to these)") }</label>
            <input id="vacation-addresses" type="text" value={(*addresses).clone()} oninput={keep(&addresses)} />
            if let Some(invalid) = invalid.filter(|_| *tried) {
                <p id="vacation-invalid" class="error" role="alert">{ invalid_text(lang, invalid) }</p>
            }
            <button id="vacation-save" type="submit" class="primary" disabled={props.busy}>{ tr(lang, "Save") }</button>
        </form>
    }
}
