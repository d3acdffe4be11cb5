//! The filters dialog's state: which script on the server holds the account's filters, the rules
//! and vacation reply as shown, the rule being edited, and what to ask the gateway next.
//!
//! A pure reducer ([`FilterEditing::update`]) returns [`FilterEffect`]s; the dialog
//! ([`crate::dialog`]) carries them out over the account's connection. Every change the user
//! confirms (a rule saved, deleted, moved, turned on or off, the vacation reply) is stored on the
//! server at once, like Roundcube's and Thunderbird's filter dialogs do; a refused store puts the
//! rules back as the server has them, and a rule being edited stays open so nothing typed is lost.
//!
//! A script not written by Yubin is never rewritten by the rules editor: it is shown as text
//! for the user to edit (checked by the server), or left in place while the rules go into a
//! script of Yubin's own, which becomes the active one.

use yubin_protocol::{ApiError, SieveScripts};

use crate::sieve_rules::{self, Action, Condition, Field, Filters, Reading, Rule, Test, Vacation};

/// The name of the script Yubin creates when the account has none of its own.
pub const SCRIPT_NAME: &str = "yubin";

/// Longest vacation interval servers accept by default (Pigeonhole's `sieve_vacation_max_period`).
pub const MAX_VACATION_DAYS: u32 = 60;

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Asking the server for its scripts.
    Loading,
    /// The server could not be asked; the dialog says why.
    Failed(ApiError),
    /// The rules editor.
    Rules,
    /// A script as text: one not written by Yubin, or shown at the user's request.
    Script,
}

/// The result of the last thing stored or checked, shown under the editor.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Stored; the server's warnings, if it had any.
    Saved(Option<String>),
    /// The server found nothing wrong with the script (and these warnings).
    Checked(Option<String>),
    /// The server refused (its words, a bad script's line included).
    Refused(String),
    /// The rules need these Sieve extensions, which the server does not run.
    Unsupported(Vec<&'static str>),
}

/// Why a rule or vacation reply cannot be saved as it is; the view words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    NoActions,
    EmptyValue,
    EmptyHeaderName,
    NotASize,
    NoFolder,
    NotAnAddress,
    /// Reject refuses the message: it cannot also be filed, kept or sent on.
    RejectWithDelivery,
    NoVacationText,
    BadDates,
    BadDays,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FilterEditing {
    pub stage: Stage,
    /// The Sieve extensions the server runs.
    pub extensions: Vec<String>,
    /// The server's scripts, and which one runs.
    pub scripts: Vec<(String, bool)>,
    /// The script the rules are stored in.
    pub name: String,
    /// The rules as the server has them.
    pub saved: Filters,
    /// The rules as shown: `saved`, or a change being stored.
    pub filters: Filters,
    /// Yubin wrote the script, but it was changed elsewhere since: saving rules replaces that.
    pub edited_elsewhere: bool,
    /// The script is not Yubin's: it has no rules, and is edited as text only.
    pub foreign: bool,
    /// The text in the script editor, and the script it came from.
    pub script: Option<(String, String)>,
    /// The rule being edited: its place (none for a new one) and its state when opened.
    pub editing: Option<(Option<usize>, Rule)>,
    /// A store or check is under way: the dialog's buttons wait.
    pub busy: bool,
    pub status: Option<Status>,
    /// A rule saved, kept until the server took it (so a refusal reopens it).
    pending: Option<(Option<usize>, Rule)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterMsg {
    Listed(Result<SieveScripts, ApiError>),
    /// A script's text arrived.
    Fetched(String, Result<String, ApiError>),
    /// Open the rule editor on a new rule (pre-filled, e.g. from an open message).
    NewRule(Rule),
    EditRule(usize),
    CancelRule,
    SaveRule(Rule),
    Toggle(usize),
    Delete(usize),
    /// Move the rule at `from` to position `to`.
    Reorder {
        from: usize,
        to: usize,
    },
    SaveVacation(Vacation),
    /// The server's answer to a store.
    Stored(Result<Option<String>, ApiError>),
    /// Show the rules script as text.
    ShowScript,
    ShowRules,
    Check(String),
    Checked(Result<Option<String>, ApiError>),
    /// Store the script editor's text as it is.
    SaveScript(String),
    /// Leave a foreign script in place and keep rules in a script of Yubin's own.
    UseRules,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterEffect {
    List,
    Get(String),
    Put { name: String, text: String, activate: bool },
    Check(String),
}

impl Default for FilterEditing {
    fn default() -> Self {
        Self {
            stage: Stage::Loading,
            extensions: Vec::new(),
            scripts: Vec::new(),
            name: SCRIPT_NAME.to_owned(),
            saved: Filters::default(),
            filters: Filters::default(),
            edited_elsewhere: false,
            foreign: false,
            script: None,
            editing: None,
            busy: false,
            status: None,
            pending: None,
        }
    }
}

impl FilterEditing {
    /// The dialog opens: ask for the scripts, and open a new rule if one is pre-filled.
    pub fn open(prefill: Option<Rule>) -> (Self, Vec<FilterEffect>) {
        let editing = Self { editing: prefill.map(|rule| (None, rule)), ..Self::default() };
        (editing, vec![FilterEffect::List])
    }

    pub fn update(&mut self, msg: FilterMsg) -> Vec<FilterEffect> {
        match msg {
            FilterMsg::Listed(Ok(listed)) => {
                self.extensions = listed.extensions;
                self.scripts = listed.scripts.into_iter().map(|s| (s.name, s.active)).collect();
                // The active script holds the filters; without one, Yubin's own if it is there.
                let active = self.scripts.iter().find(|(_, active)| *active).map(|(name, _)| name.clone());
                let target = active.or_else(|| self.has_script(SCRIPT_NAME).then(|| SCRIPT_NAME.to_owned()));
                match target {
                    Some(name) => return vec![FilterEffect::Get(name)],
                    None => self.stage = Stage::Rules,
                }
            }
            FilterMsg::Listed(Err(e)) | FilterMsg::Fetched(_, Err(e)) => self.stage = Stage::Failed(e),
            FilterMsg::Fetched(name, Ok(text)) => {
                self.name = name.clone();
                self.take_rules_of(&text);
                self.stage = if self.foreign { Stage::Script } else { Stage::Rules };
                self.script = Some((name, text));
            }
            FilterMsg::NewRule(rule) => self.editing = Some((None, rule)),
            FilterMsg::EditRule(at) => {
                self.editing = self.filters.rules.get(at).map(|rule| (Some(at), rule.clone()));
            }
            FilterMsg::CancelRule => self.editing = None,
            FilterMsg::SaveRule(rule) => {
                let Some((at, _)) = self.editing.take() else { return Vec::new() };
                let mut filters = self.filters.clone();
                match at.filter(|at| *at < filters.rules.len()) {
                    Some(at) => filters.rules[at] = rule.clone(),
                    None => filters.rules.push(rule.clone()),
                }
                self.pending = Some((at, rule));
                return self.store(filters);
            }
            FilterMsg::Toggle(at) => {
                let mut filters = self.filters.clone();
                let Some(rule) = filters.rules.get_mut(at) else { return Vec::new() };
                rule.enabled = !rule.enabled;
                return self.store(filters);
            }
            FilterMsg::Delete(at) => {
                let mut filters = self.filters.clone();
                if at >= filters.rules.len() {
                    return Vec::new();
                }
                filters.rules.remove(at);
                return self.store(filters);
            }
            FilterMsg::Reorder { from, to } => {
                let mut filters = self.filters.clone();
                if from >= filters.rules.len() || to >= filters.rules.len() || from == to {
                    return Vec::new();
                }
                let rule = filters.rules.remove(from);
                filters.rules.insert(to, rule);
                return self.store(filters);
            }
            FilterMsg::SaveVacation(vacation) => {
                let mut filters = self.filters.clone();
                filters.vacation = Some(vacation);
                return self.store(filters);
            }
            FilterMsg::Stored(result) => {
                self.busy = false;
                let pending = self.pending.take();
                match result {
                    Ok(warnings) => {
                        self.saved = self.filters.clone();
                        self.edited_elsewhere = false;
                        self.foreign = false;
                        self.mark_active();
                        // Text stored from the script editor is the script now: its rules, if
                        // Yubin's, and whether it was changed.
                        if self.stage == Stage::Script {
                            if let Some((_, text)) = self.script.clone() {
                                self.take_rules_of(&text);
                            }
                        }
                        self.status = Some(Status::Saved(warnings));
                    }
                    Err(e) => {
                        self.filters = self.saved.clone();
                        self.editing = pending;
                        self.status = Some(Status::Refused(e.message));
                    }
                }
            }
            FilterMsg::ShowScript => {
                if self.script.is_none() {
                    self.script = Some((self.name.clone(), sieve_rules::script_text(&self.filters)));
                }
                self.stage = Stage::Script;
                self.status = None;
            }
            FilterMsg::ShowRules => {
                self.stage = Stage::Rules;
                self.status = None;
            }
            FilterMsg::Check(text) => {
                self.busy = true;
                self.keep_text(text.clone());
                return vec![FilterEffect::Check(text)];
            }
            FilterMsg::Checked(result) => {
                self.busy = false;
                self.status = Some(match result {
                    Ok(warnings) => Status::Checked(warnings),
                    Err(e) => Status::Refused(e.message),
                });
            }
            FilterMsg::SaveScript(text) => {
                self.busy = true;
                self.keep_text(text.clone());
                let name = self.script.as_ref().map(|(name, _)| name.clone()).unwrap_or_else(|| self.name.clone());
                return vec![FilterEffect::Put { activate: !self.is_active(&name), name, text }];
            }
            FilterMsg::UseRules => {
                // The foreign script stays on the server, unchanged; Yubin's rules go in a new
                // one, which runs once stored.
                self.name = self.free_name();
                self.saved = Filters::default();
                self.filters = Filters::default();
                self.edited_elsewhere = false;
                self.foreign = false;
                self.script = None;
                self.stage = Stage::Rules;
                self.status = None;
            }
        }
        Vec::new()
    }

    /// Whether the rules' script runs on delivery (a new one does once stored).
    pub fn is_active(&self, name: &str) -> bool {
        self.scripts.iter().any(|(n, active)| n == name && *active)
    }

    /// Stores `filters` as the rules script, or says which extensions the server lacks.
    fn store(&mut self, filters: Filters) -> Vec<FilterEffect> {
        match sieve_rules::generate(&filters, &self.extensions) {
            Ok(text) => {
                self.filters = filters;
                self.busy = true;
                self.status = None;
                let name = self.name.clone();
                self.script = Some((name.clone(), text.clone()));
                vec![FilterEffect::Put { activate: !self.is_active(&name), name, text }]
            }
            Err(missing) => {
                self.editing = self.pending.take().or(self.editing.take());
                self.status = Some(Status::Unsupported(missing.0));
                Vec::new()
            }
        }
    }

    /// Takes the rules of the script `text`, if Yubin wrote it.
    fn take_rules_of(&mut self, text: &str) {
        let reading = sieve_rules::read(text);
        self.foreign = reading == Reading::Foreign;
        let (filters, edited) = match reading {
            Reading::Ours(filters) => (filters, false),
            Reading::Edited(filters) => (filters, true),
            Reading::Foreign => (Filters::default(), false),
        };
        self.edited_elsewhere = edited;
        self.saved = filters.clone();
        self.filters = filters;
    }

    fn keep_text(&mut self, text: String) {
        let name = self.script.take().map(|(name, _)| name).unwrap_or_else(|| self.name.clone());
        self.script = Some((name, text));
    }

    /// After a store: the script stored is the one that runs, and is listed.
    fn mark_active(&mut self) {
        let name = self.script.as_ref().map(|(name, _)| name.clone()).unwrap_or_else(|| self.name.clone());
        if !self.has_script(&name) {
            self.scripts.push((name.clone(), false));
        }
        for (n, active) in &mut self.scripts {
            *active = *n == name;
        }
    }

    fn has_script(&self, name: &str) -> bool {
        self.scripts.iter().any(|(n, _)| n == name)
    }

    /// A name for Yubin's script that no script on the server has.
    fn free_name(&self) -> String {
        std::iter::once(SCRIPT_NAME.to_owned())
            .chain((2..).map(|n| format!("{SCRIPT_NAME}-{n}")))
            .find(|name| !self.has_script(name))
            .unwrap_or_else(|| SCRIPT_NAME.to_owned())
    }
}

/// A new rule for mail from `sender` (the "filter messages like this" of an open message).
pub fn rule_like(sender: &str) -> Rule {
    Rule {
        name: sender.to_owned(),
        enabled: true,
        all: true,
        conditions: vec![Condition {
            field: Field::From,
            test: Test::Contains,
            value: sender.to_owned(),
            negate: false,
        }],
        actions: vec![Action::MoveTo(String::new())],
    }
}

/// A blank rule: one condition to fill in, one action.
pub fn blank_rule() -> Rule {
    Rule { name: String::new(), ..rule_like("") }
}

/// One change the user makes in the rule editor.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleEdit {
    Name(String),
    /// All conditions (else any).
    All(bool),
    /// The field of condition `n`, by its [`field_code`].
    Field(usize, String),
    HeaderName(usize, String),
    Test(usize, String),
    Value(usize, String),
    Negate(usize, bool),
    AddCondition,
    RemoveCondition(usize),
    /// The kind of action `n`, by its [`action_code`]; its argument is kept where it fits.
    ActionKind(usize, String),
    /// The folder, address or text of action `n`.
    ActionArgument(usize, String),
    AddAction,
    RemoveAction(usize),
}

/// Applies `edit` to `rule`: the rule editor's reducer.
pub fn edit_rule(rule: &mut Rule, edit: RuleEdit) {
    match edit {
        RuleEdit::Name(name) => rule.name = name,
        RuleEdit::All(all) => rule.all = all,
        RuleEdit::Field(n, code) => {
            if let Some(condition) = rule.conditions.get_mut(n) {
                condition.field = field_of(&code, &condition.field);
                // A size is compared over/under, text never is.
                let sized = condition.field == Field::Size;
                if sized != matches!(condition.test, Test::Over | Test::Under) {
                    condition.test = if sized { Test::Over } else { Test::Contains };
                }
            }
        }
        RuleEdit::HeaderName(n, name) => {
            if let Some(condition) = rule.conditions.get_mut(n) {
                condition.field = Field::Header(name);
            }
        }
        RuleEdit::Test(n, code) => {
            if let Some(condition) = rule.conditions.get_mut(n) {
                condition.test = test_of(&code).unwrap_or(condition.test);
            }
        }
        RuleEdit::Value(n, value) => {
            if let Some(condition) = rule.conditions.get_mut(n) {
                condition.value = value;
            }
        }
        RuleEdit::Negate(n, negate) => {
            if let Some(condition) = rule.conditions.get_mut(n) {
                condition.negate = negate;
            }
        }
        RuleEdit::AddCondition => rule.conditions.push(Condition {
            field: Field::Subject,
            test: Test::Contains,
            value: String::new(),
            negate: false,
        }),
        RuleEdit::RemoveCondition(n) if n < rule.conditions.len() => {
            rule.conditions.remove(n);
        }
        RuleEdit::ActionKind(n, code) => {
            if let Some(action) = rule.actions.get_mut(n) {
                *action = action_of(&code, action_argument(action).unwrap_or_default()).unwrap_or(action.clone());
            }
        }
        RuleEdit::ActionArgument(n, argument) => {
            if let Some(action) = rule.actions.get_mut(n) {
                *action = action_of(action_code(action), argument).unwrap_or(action.clone());
            }
        }
        RuleEdit::AddAction => rule.actions.push(Action::MarkRead),
        RuleEdit::RemoveAction(n) if n < rule.actions.len() => {
            rule.actions.remove(n);
        }
        RuleEdit::RemoveCondition(_) | RuleEdit::RemoveAction(_) => {}
    }
}

/// The codes of the fields, in the order the editor offers them.
pub const FIELD_CODES: &[&str] = &["from", "to", "cc", "subject", "header", "size", "body"];
pub const TEXT_TEST_CODES: &[&str] = &["contains", "is", "matches", "regex"];
pub const SIZE_TEST_CODES: &[&str] = &["over", "under"];
pub const ACTION_CODES: &[&str] = &["move", "copy", "read", "flag", "forward", "reject", "discard", "stop"];

pub fn field_code(field: &Field) -> &'static str {
    match field {
        Field::From => "from",
        Field::To => "to",
        Field::Cc => "cc",
        Field::Subject => "subject",
        Field::Header(_) => "header",
        Field::Size => "size",
        Field::Body => "body",
    }
}

/// The field for `code`; a header keeps the name it had.
fn field_of(code: &str, was: &Field) -> Field {
    match code {
        "from" => Field::From,
        "to" => Field::To,
        "cc" => Field::Cc,
        "header" => Field::Header(if let Field::Header(name) = was { name.clone() } else { String::new() }),
        "size" => Field::Size,
        "body" => Field::Body,
        _ => Field::Subject,
    }
}

pub fn test_code(test: Test) -> &'static str {
    match test {
        Test::Contains => "contains",
        Test::Is => "is",
        Test::Matches => "matches",
        Test::Regex => "regex",
        Test::Over => "over",
        Test::Under => "under",
    }
}

fn test_of(code: &str) -> Option<Test> {
    [Test::Contains, Test::Is, Test::Matches, Test::Regex, Test::Over, Test::Under]
        .into_iter()
        .find(|t| test_code(*t) == code)
}

pub fn action_code(action: &Action) -> &'static str {
    match action {
        Action::MoveTo(_) => "move",
        Action::CopyTo(_) => "copy",
        Action::MarkRead => "read",
        Action::Flag => "flag",
        Action::Forward(_) => "forward",
        Action::Reject(_) => "reject",
        Action::Discard => "discard",
        Action::Stop => "stop",
    }
}

/// The folder, address or text an action takes, if it takes one.
pub fn action_argument(action: &Action) -> Option<String> {
    match action {
        Action::MoveTo(a) | Action::CopyTo(a) | Action::Forward(a) | Action::Reject(a) => Some(a.clone()),
        _ => None,
    }
}

fn action_of(code: &str, argument: String) -> Option<Action> {
    Some(match code {
        "move" => Action::MoveTo(argument),
        "copy" => Action::CopyTo(argument),
        "read" => Action::MarkRead,
        "flag" => Action::Flag,
        "forward" => Action::Forward(argument),
        "reject" => Action::Reject(argument),
        "discard" => Action::Discard,
        "stop" => Action::Stop,
        _ => return None,
    })
}

/// Whether `rule` can be stored, else the first thing wrong with it.
pub fn check_rule(rule: &Rule) -> Result<(), Invalid> {
    if rule.actions.is_empty() {
        return Err(Invalid::NoActions);
    }
    for condition in &rule.conditions {
        if let Field::Header(name) = &condition.field {
            let valid = |c: char| c.is_ascii_graphic() && c != ':';
            if name.trim().is_empty() || !name.trim().chars().all(valid) {
                return Err(Invalid::EmptyHeaderName);
            }
        }
        if condition.field == Field::Size {
            if sieve_rules::sieve_size(&condition.value).is_none() {
                return Err(Invalid::NotASize);
            }
        } else if condition.value.is_empty() {
            return Err(Invalid::EmptyValue);
        }
    }
    let mut delivers = false;
    let mut rejects = false;
    for action in &rule.actions {
        match action {
            Action::MoveTo(folder) | Action::CopyTo(folder) if folder.is_empty() => return Err(Invalid::NoFolder),
            Action::Forward(address) if !is_address(address) => return Err(Invalid::NotAnAddress),
            Action::MoveTo(_) | Action::CopyTo(_) | Action::Forward(_) => delivers = true,
            Action::Reject(_) => rejects = true,
            _ => {}
        }
    }
    if rejects && delivers {
        return Err(Invalid::RejectWithDelivery);
    }
    Ok(())
}

/// Whether `vacation` can be stored.
pub fn check_vacation(vacation: &Vacation) -> Result<(), Invalid> {
    if !vacation.enabled {
        return Ok(());
    }
    if vacation.text.trim().is_empty() {
        return Err(Invalid::NoVacationText);
    }
    if vacation.days == 0 || vacation.days > MAX_VACATION_DAYS {
        return Err(Invalid::BadDays);
    }
    let dates_valid = [&vacation.from, &vacation.until].into_iter().flatten().all(|d| is_date(d));
    let ordered = match (&vacation.from, &vacation.until) {
        (Some(from), Some(until)) => from <= until,
        _ => true,
    };
    if !dates_valid || !ordered {
        return Err(Invalid::BadDates);
    }
    if !vacation.addresses.iter().all(|a| is_address(a)) {
        return Err(Invalid::NotAnAddress);
    }
    Ok(())
}

/// `YYYY-MM-DD`, as `<input type=date>` gives it and Sieve's `date` part compares it.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
}

/// One address, `local@domain`, with nothing that would end a Sieve string or a header.
fn is_address(text: &str) -> bool {
    let text = text.trim();
    yubin_protocol::text::is_plain_address(text) && !text.chars().any(|c| c.is_control() || c == '"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::{ErrorKind, SieveScriptInfo};

    const ALL: &[&str] =
        &["fileinto", "imap4flags", "copy", "reject", "vacation", "body", "regex", "date", "relational"];

    fn listed(scripts: &[(&str, bool)]) -> FilterMsg {
        FilterMsg::Listed(Ok(SieveScripts {
            implementation: "Pigeonhole".into(),
            extensions: ALL.iter().map(|s| s.to_string()).collect(),
            scripts: scripts.iter().map(|(n, a)| SieveScriptInfo { name: n.to_string(), active: *a }).collect(),
        }))
    }

    fn rule(name: &str, folder: &str) -> Rule {
        Rule { name: name.into(), actions: vec![Action::MoveTo(folder.into())], ..rule_like("@lists.example") }
    }

    fn stored(editing: &mut FilterEditing) {
        assert!(editing.busy);
        editing.update(FilterMsg::Stored(Ok(None)));
    }

    #[test]
    fn an_account_without_scripts_starts_empty_and_the_first_rule_creates_and_activates_yubins() {
        let (mut editing, effects) = FilterEditing::open(None);
        assert_eq!(effects, [FilterEffect::List]);
        assert!(editing.update(listed(&[])).is_empty());
        assert_eq!(editing.stage, Stage::Rules);
        editing.update(FilterMsg::NewRule(blank_rule()));
        let effects = editing.update(FilterMsg::SaveRule(rule("Lists", "Lists")));
        let [FilterEffect::Put { name, text, activate }] = effects.as_slice() else { panic!("{effects:?}") };
        assert_eq!((name.as_str(), *activate), (SCRIPT_NAME, true));
        assert!(text.contains("fileinto \"Lists\""), "{text}");
        stored(&mut editing);
        assert_eq!(editing.saved.rules.len(), 1);
        assert!(editing.is_active(SCRIPT_NAME));
        // The next store does not activate again.
        let effects = editing.update(FilterMsg::Toggle(0));
        assert!(matches!(effects.as_slice(), [FilterEffect::Put { activate: false, .. }]));
    }

    #[test]
    fn the_active_script_is_read_ours_as_rules_and_foreign_as_text() {
        let filters = Filters { rules: vec![rule("a", "A")], vacation: None };
        let ours = sieve_rules::script_text(&filters);
        let (mut editing, _) = FilterEditing::open(None);
        assert_eq!(editing.update(listed(&[("old", false), ("mine", true)])), [FilterEffect::Get("mine".into())]);
        editing.update(FilterMsg::Fetched("mine".into(), Ok(ours.clone())));
        assert_eq!(
            (editing.stage.clone(), editing.filters.clone(), editing.edited_elsewhere),
            (Stage::Rules, filters.clone(), false)
        );

        let edited = format!("{ours}discard;\r\n");
        let (mut editing, _) = FilterEditing::open(None);
        editing.update(listed(&[("mine", true)]));
        editing.update(FilterMsg::Fetched("mine".into(), Ok(edited)));
        assert_eq!((editing.stage.clone(), editing.edited_elsewhere), (Stage::Rules, true));

        let (mut editing, _) = FilterEditing::open(None);
        editing.update(listed(&[("hand", true)]));
        editing.update(FilterMsg::Fetched("hand".into(), Ok("keep;\r\n".into())));
        assert_eq!(editing.stage, Stage::Script);
        assert_eq!(editing.script, Some(("hand".into(), "keep;\r\n".into())));
        // Saving the text stores it under its own name, already active.
        let effects = editing.update(FilterMsg::SaveScript("keep;\r\nstop;\r\n".into()));
        assert_eq!(
            effects,
            [FilterEffect::Put { name: "hand".into(), text: "keep;\r\nstop;\r\n".into(), activate: false }]
        );
    }

    #[test]
    fn a_foreign_script_is_never_rewritten_by_the_rules() {
        let (mut editing, _) = FilterEditing::open(None);
        editing.update(listed(&[("hand", true), ("yubin", false)]));
        editing.update(FilterMsg::Fetched("hand".into(), Ok("keep;".into())));
        editing.update(FilterMsg::UseRules);
        assert_eq!((editing.stage.clone(), editing.name.as_str()), (Stage::Rules, "yubin-2"));
        editing.update(FilterMsg::NewRule(blank_rule()));
        let effects = editing.update(FilterMsg::SaveRule(rule("x", "X")));
        assert!(matches!(effects.as_slice(), [FilterEffect::Put { name, activate: true, .. }] if name == "yubin-2"));
        stored(&mut editing);
        assert!(editing.is_active("yubin-2") && !editing.is_active("hand"));
    }

    #[test]
    fn a_refused_store_puts_the_rules_back_and_reopens_the_rule() {
        let (mut editing, _) = FilterEditing::open(None);
        editing.update(listed(&[]));
        editing.update(FilterMsg::NewRule(blank_rule()));
        editing.update(FilterMsg::SaveRule(rule("first", "A")));
        stored(&mut editing);
        editing.update(FilterMsg::EditRule(0));
        let changed = rule("first, changed", "B");
        editing.update(FilterMsg::SaveRule(changed.clone()));
        assert_eq!(editing.filters.rules[0], changed);
        editing.update(FilterMsg::Stored(Err(ApiError::new(ErrorKind::Refused, "NO quota"))));
        assert_eq!(editing.filters.rules[0].name, "first");
        assert_eq!(editing.editing, Some((Some(0), changed)));
        assert_eq!(editing.status, Some(Status::Refused("NO quota".into())));
    }

    #[test]
    fn rules_needing_what_the_server_lacks_are_not_stored() {
        let (mut editing, _) = FilterEditing::open(None);
        editing.update(FilterMsg::Listed(Ok(SieveScripts {
            implementation: "old".into(),
            extensions: vec!["fileinto".into()],
            scripts: Vec::new(),
        })));
        let flagged = Rule { actions: vec![Action::Flag], ..rule("f", "F") };
        editing.update(FilterMsg::NewRule(blank_rule()));
        assert!(editing.update(FilterMsg::SaveRule(flagged.clone())).is_empty());
        assert_eq!(editing.status, Some(Status::Unsupported(vec!["imap4flags"])));
        assert_eq!(editing.editing, Some((None, flagged)));
        assert!(editing.filters.rules.is_empty() && !editing.busy);
    }

    #[test]
    fn reordering_moves_one_rule() {
        let (mut editing, _) = FilterEditing::open(None);
        editing.update(listed(&[]));
        for name in ["a", "b", "c"] {
            editing.update(FilterMsg::NewRule(blank_rule()));
            editing.update(FilterMsg::SaveRule(rule(name, name)));
            stored(&mut editing);
        }
        editing.update(FilterMsg::Reorder { from: 2, to: 0 });
        stored(&mut editing);
        let names: Vec<_> = editing.saved.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
        assert!(editing.update(FilterMsg::Reorder { from: 0, to: 3 }).is_empty());
    }

    #[test]
    fn the_rule_editor_changes_one_thing_at_a_time() {
        let mut rule = blank_rule();
        edit_rule(&mut rule, RuleEdit::Name("領収書".into()));
        edit_rule(&mut rule, RuleEdit::Field(0, "subject".into()));
        edit_rule(&mut rule, RuleEdit::Value(0, "領収書".into()));
        edit_rule(&mut rule, RuleEdit::AddCondition);
        edit_rule(&mut rule, RuleEdit::Field(1, "size".into()));
        assert_eq!(rule.conditions[1].test, Test::Over, "a size is compared over or under");
        edit_rule(&mut rule, RuleEdit::Field(1, "header".into()));
        edit_rule(&mut rule, RuleEdit::HeaderName(1, "List-Id".into()));
        assert_eq!(
            (rule.conditions[1].field.clone(), rule.conditions[1].test),
            (Field::Header("List-Id".into()), Test::Contains)
        );
        edit_rule(&mut rule, RuleEdit::Negate(1, true));
        edit_rule(&mut rule, RuleEdit::RemoveCondition(1));
        edit_rule(&mut rule, RuleEdit::RemoveCondition(5));
        assert_eq!(rule.conditions.len(), 1);
        edit_rule(&mut rule, RuleEdit::ActionArgument(0, "経理".into()));
        edit_rule(&mut rule, RuleEdit::ActionKind(0, "copy".into()));
        assert_eq!(rule.actions[0], Action::CopyTo("経理".into()), "the folder stays when the kind changes");
        edit_rule(&mut rule, RuleEdit::AddAction);
        edit_rule(&mut rule, RuleEdit::ActionKind(1, "flag".into()));
        assert_eq!(rule.actions, [Action::CopyTo("経理".into()), Action::Flag]);
        assert_eq!(check_rule(&rule), Ok(()));
        for code in ACTION_CODES {
            let mut one = rule.clone();
            edit_rule(&mut one, RuleEdit::ActionKind(0, code.to_string()));
            assert_eq!(action_code(&one.actions[0]), *code);
        }
    }

    #[test]
    fn rules_that_cannot_work_are_refused_with_a_reason() {
        let ok = rule("ok", "Lists");
        assert_eq!(check_rule(&ok), Ok(()));
        let with = |actions: Vec<Action>| Rule { actions, ..ok.clone() };
        assert_eq!(check_rule(&with(vec![])), Err(Invalid::NoActions));
        assert_eq!(check_rule(&with(vec![Action::MoveTo(String::new())])), Err(Invalid::NoFolder));
        assert_eq!(check_rule(&with(vec![Action::Forward("not an address".into())])), Err(Invalid::NotAnAddress));
        assert_eq!(
            check_rule(&with(vec![Action::Reject("no".into()), Action::MoveTo("X".into())])),
            Err(Invalid::RejectWithDelivery)
        );
        assert_eq!(check_rule(&with(vec![Action::Reject("no".into()), Action::Stop])), Ok(()));
        let condition = |field: Field, value: &str| Rule {
            conditions: vec![Condition { field, test: Test::Contains, value: value.into(), negate: false }],
            ..ok.clone()
        };
        assert_eq!(check_rule(&condition(Field::Subject, "")), Err(Invalid::EmptyValue));
        assert_eq!(check_rule(&condition(Field::Subject, "請求書")), Ok(()));
        assert_eq!(check_rule(&condition(Field::Header("X Bad:".into()), "v")), Err(Invalid::EmptyHeaderName));
        assert_eq!(check_rule(&condition(Field::Size, "2 M")), Ok(()));
        assert_eq!(check_rule(&condition(Field::Size, "big")), Err(Invalid::NotASize));
    }

    #[test]
    fn a_vacation_reply_needs_text_sane_days_and_ordered_dates() {
        let good = Vacation {
            enabled: true,
            subject: "不在".into(),
            text: "休暇中です".into(),
            days: 7,
            addresses: vec!["me@example.test".into()],
            from: Some("2026-12-20".into()),
            until: Some("2027-01-05".into()),
        };
        assert_eq!(check_vacation(&good), Ok(()));
        assert_eq!(check_vacation(&Vacation { text: " ".into(), ..good.clone() }), Err(Invalid::NoVacationText));
        assert_eq!(check_vacation(&Vacation { days: 0, ..good.clone() }), Err(Invalid::BadDays));
        assert_eq!(
            check_vacation(&Vacation { until: Some("2026-12-01".into()), ..good.clone() }),
            Err(Invalid::BadDates)
        );
        assert_eq!(
            check_vacation(&Vacation { from: Some("20.12.2026".into()), ..good.clone() }),
            Err(Invalid::BadDates)
        );
        // Off: whatever it holds, it can be stored (and does nothing).
        assert_eq!(check_vacation(&Vacation { enabled: false, text: String::new(), ..good }), Ok(()));
    }
}
