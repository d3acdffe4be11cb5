//! Filters as people put them — "when the sender contains @lists.example, mark it read and move
//! it to Lists" — and the Sieve script (RFC 5228) that does it on the mail server.
//!
//! The script Yubin writes carries its rules as JSON on its first line, a comment, and the
//! Sieve below it is generated from them; reading the script back ([`read`]) takes the rules
//! from that line and checks that the Sieve is still what they generate. A script changed since
//! by hand or by another client, or never written by Yubin, is not Yubin's to rewrite: the app
//! shows it as text instead, with the server's verdict on it.

use serde::{Deserialize, Serialize};

/// The first line of a script Yubin wrote, before the rules' JSON.
const MARK: &str = "# yubin-filters v1 ";

/// Everything the script does: the rules in order, and the vacation reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub vacation: Option<Vacation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub enabled: bool,
    /// All conditions must hold (else any one).
    pub all: bool,
    /// None: every message.
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub field: Field,
    pub test: Test,
    pub value: String,
    #[serde(default)]
    pub negate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    From,
    To,
    Cc,
    Subject,
    /// Any header, by name.
    Header(String),
    /// The message's size; `value` is a number with an optional K, M or G.
    Size,
    /// The message's text.
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    Contains,
    Is,
    /// `*` and `?` wildcards.
    Matches,
    Regex,
    /// For the size.
    Over,
    Under,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    MoveTo(String),
    CopyTo(String),
    MarkRead,
    Flag,
    /// Sends it on to an address, keeping it here too.
    Forward(String),
    /// Refuses it, telling the sender this text.
    Reject(String),
    Discard,
    /// No later rule applies.
    Stop,
}

/// The automatic reply while away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vacation {
    pub enabled: bool,
    pub subject: String,
    pub text: String,
    /// Days before the same sender is answered again.
    pub days: u32,
    /// The user's own addresses it answers for (their identities).
    pub addresses: Vec<String>,
    /// `YYYY-MM-DD`, inclusive; none for "from now" / "until turned off".
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
}

/// What a script on the server is to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// Written by Yubin and unchanged: its rules.
    Ours(Filters),
    /// Written by Yubin, then changed elsewhere: its rules as they were, and a warning due.
    Edited(Filters),
    /// Someone else's script.
    Foreign,
}

/// A rule that needs Sieve extensions the server does not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub Vec<&'static str>);

/// The script for `filters`, using only what the server announced (`available`: the SIEVE
/// capability's extensions).
pub fn generate(filters: &Filters, available: &[String]) -> Result<String, Unsupported> {
    let script = script_text(filters);
    let missing: Vec<&'static str> =
        required(filters).into_iter().filter(|needed| !available.iter().any(|a| a == needed)).collect();
    if missing.is_empty() {
        Ok(script)
    } else {
        Err(Unsupported(missing))
    }
}

/// The rules of a script, if Yubin wrote it.
pub fn read(script: &str) -> Reading {
    let Some(json) = script.lines().next().and_then(|line| line.strip_prefix(MARK)) else { return Reading::Foreign };
    let Ok(filters) = serde_json::from_str::<Filters>(json) else { return Reading::Foreign };
    let unify = |text: &str| text.replace("\r\n", "\n");
    if unify(&script_text(&filters)) == unify(script) {
        Reading::Ours(filters)
    } else {
        Reading::Edited(filters)
    }
}

/// The extensions the script for `filters` requires, in a stable order.
fn required(filters: &Filters) -> Vec<&'static str> {
    let mut needed = Vec::new();
    let mut need = |name: &'static str| {
        if !needed.contains(&name) {
            needed.push(name);
        }
    };
    if let Some(vacation) = filters.vacation.as_ref().filter(|v| v.enabled) {
        need("vacation");
        if vacation.from.is_some() || vacation.until.is_some() {
            need("date");
            need("relational");
        }
    }
    for rule in filters.rules.iter().filter(|r| r.enabled) {
        for condition in &rule.conditions {
            if condition.field == Field::Body {
                need("body");
            }
            if condition.test == Test::Regex && condition.field != Field::Size {
                need("regex");
            }
        }
        for action in &rule.actions {
            match action {
                Action::MoveTo(_) => need("fileinto"),
                Action::CopyTo(_) => {
                    need("fileinto");
                    need("copy");
                }
                Action::MarkRead | Action::Flag => need("imap4flags"),
                Action::Forward(_) => need("copy"),
                Action::Reject(_) => need("reject"),
                Action::Discard | Action::Stop => {}
            }
        }
    }
    needed
}

/// The script for `filters`, whatever the server runs (to show it; [`generate`] to store it).
pub fn script_text(filters: &Filters) -> String {
    let json = serde_json::to_string(filters).unwrap_or_default();
    let mut out = format!("{MARK}{json}\r\n");
    let required = required(filters);
    if !required.is_empty() {
        out.push_str(&format!("require {};\r\n", list(&required)));
    }
    // The vacation reply first: a rule that stops must not keep it from answering.
    if let Some(vacation) = filters.vacation.as_ref().filter(|v| v.enabled) {
        out.push_str(&vacation_of(vacation));
    }
    for rule in filters.rules.iter().filter(|r| r.enabled) {
        out.push_str(&format!("# {}\r\n", rule.name.replace(['\r', '\n'], " ")));
        let tests = rule.conditions.iter().map(condition_of).collect();
        out.push_str(&guarded(combined(tests, rule.all), &actions_of(&rule.actions)));
    }
    out
}

/// `commands` (a line each) under `test`, or as they are without one.
fn guarded(test: Option<String>, commands: &[String]) -> String {
    match test {
        Some(test) => {
            let block: String = commands.iter().map(|c| format!("  {c}\r\n")).collect();
            format!("if {test} {{\r\n{block}}}\r\n")
        }
        None => commands.iter().map(|c| format!("{c}\r\n")).collect(),
    }
}

/// The tests joined by `allof` (else `anyof`); none for no tests: every message.
fn combined(tests: Vec<String>, all: bool) -> Option<String> {
    match tests.len() {
        0 => None,
        1 => tests.into_iter().next(),
        _ => Some(format!("{}({})", if all { "allof" } else { "anyof" }, tests.join(", "))),
    }
}

fn vacation_of(vacation: &Vacation) -> String {
    let mut command = format!("vacation :days {} :subject {}", vacation.days.max(1), quoted(&vacation.subject));
    if !vacation.addresses.is_empty() {
        command.push_str(&format!(" :addresses {}", list(&vacation.addresses)));
    }
    command.push_str(&format!(" {};", quoted(&vacation.text)));
    let mut dates = Vec::new();
    if let Some(from) = &vacation.from {
        dates.push(format!("currentdate :value \"ge\" \"date\" {}", quoted(from)));
    }
    if let Some(until) = &vacation.until {
        dates.push(format!("currentdate :value \"le\" \"date\" {}", quoted(until)));
    }
    guarded(combined(dates, true), &[command])
}

fn condition_of(condition: &Condition) -> String {
    let comparator = match condition.test {
        Test::Contains => ":contains",
        Test::Is => ":is",
        Test::Matches => ":matches",
        Test::Regex => ":regex",
        Test::Over => ":over",
        Test::Under => ":under",
    };
    let value = quoted(&condition.value);
    let test = match &condition.field {
        Field::Size => {
            let size = size_of(&condition.value);
            let comparator = if condition.test == Test::Under { ":under" } else { ":over" };
            format!("size {comparator} {size}")
        }
        Field::Body => format!("body :text {comparator} {value}"),
        Field::From => format!("header {comparator} \"from\" {value}"),
        Field::To => format!("header {comparator} \"to\" {value}"),
        Field::Cc => format!("header {comparator} \"cc\" {value}"),
        Field::Subject => format!("header {comparator} \"subject\" {value}"),
        Field::Header(name) => format!("header {comparator} {} {value}", quoted(name)),
    };
    if condition.negate {
        format!("not {test}")
    } else {
        test
    }
}

/// A size as Sieve writes it; anything that is not one is 0.
fn size_of(value: &str) -> String {
    sieve_size(value).unwrap_or_else(|| "0".to_owned())
}

/// `value` as a Sieve size (digits and an optional K, M or G, `2 m` → `2M`), if it is one.
pub fn sieve_size(value: &str) -> Option<String> {
    let value = value.trim().to_ascii_uppercase();
    let (digits, unit) = match value.strip_suffix(['K', 'M', 'G']) {
        Some(digits) => (digits.trim(), &value[value.len() - 1..]),
        None => (value.as_str(), ""),
    };
    let n: u64 = digits.parse().ok().filter(|_| digits.chars().all(|c| c.is_ascii_digit()))?;
    Some(format!("{n}{unit}"))
}

/// The actions' commands, flags first: a flag set after `fileinto` is not on the filed copy.
fn actions_of(actions: &[Action]) -> Vec<String> {
    let (flags, others): (Vec<&Action>, Vec<&Action>) =
        actions.iter().partition(|a| matches!(a, Action::MarkRead | Action::Flag));
    let command = |action: &Action| match action {
        Action::MarkRead => "addflag \"\\\\Seen\";".to_owned(),
        Action::Flag => "addflag \"\\\\Flagged\";".to_owned(),
        Action::MoveTo(folder) => format!("fileinto {};", quoted(folder)),
        Action::CopyTo(folder) => format!("fileinto :copy {};", quoted(folder)),
        Action::Forward(address) => format!("redirect :copy {};", quoted(address)),
        Action::Reject(text) => format!("reject {};", quoted(text)),
        Action::Discard => "discard;".to_owned(),
        Action::Stop => "stop;".to_owned(),
    };
    flags.into_iter().chain(others).map(command).collect()
}

/// A Sieve quoted string (RFC 5228 §2.4.2): `\` and `"` escaped; line breaks may stay.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn list(items: &[impl AsRef<str>]) -> String {
    format!("[{}]", items.iter().map(|i| quoted(i.as_ref())).collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_extensions() -> Vec<String> {
        ["fileinto", "copy", "imap4flags", "reject", "regex", "body", "vacation", "date", "relational"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    fn lists_rule() -> Rule {
        Rule {
            name: "Mailing lists".into(),
            enabled: true,
            all: true,
            conditions: vec![Condition {
                field: Field::From,
                test: Test::Contains,
                value: "@lists.example".into(),
                negate: false,
            }],
            actions: vec![Action::MoveTo("Lists".into()), Action::MarkRead],
        }
    }

    #[test]
    fn a_rule_becomes_sieve_with_flags_before_filing() {
        let filters = Filters { rules: vec![lists_rule()], vacation: None };
        let script = generate(&filters, &all_extensions()).unwrap();
        let body: Vec<&str> = script.lines().skip(1).collect();
        assert_eq!(
            body,
            [
                "require [\"fileinto\", \"imap4flags\"];",
                "# Mailing lists",
                "if header :contains \"from\" \"@lists.example\" {",
                "  addflag \"\\\\Seen\";",
                "  fileinto \"Lists\";",
                "}",
            ]
        );
    }

    #[test]
    fn several_conditions_japanese_values_and_quotes_are_written_safely() {
        let mut rule = lists_rule();
        rule.all = false;
        rule.conditions.push(Condition {
            field: Field::Subject,
            test: Test::Contains,
            value: "会議 \"定例\" \\ 連絡".into(),
            negate: true,
        });
        rule.conditions.push(Condition { field: Field::Size, test: Test::Over, value: " 2m".into(), negate: false });
        let script = script_text(&Filters { rules: vec![rule], vacation: None });
        assert!(script.contains(
            "if anyof(header :contains \"from\" \"@lists.example\", not header :contains \"subject\" \"会議 \\\"定例\\\" \\\\ 連絡\", size :over 2M) {"
        ), "{script}");
    }

    #[test]
    fn only_extensions_the_server_runs_are_used() {
        let mut rule = lists_rule();
        rule.actions.push(Action::Forward("me@elsewhere.example".into()));
        let filters = Filters { rules: vec![rule], vacation: None };
        let available = vec!["fileinto".to_owned(), "imap4flags".to_owned()];
        assert_eq!(generate(&filters, &available), Err(Unsupported(vec!["copy"])));
        let mut disabled = filters.clone();
        disabled.rules[0].enabled = false;
        assert!(generate(&disabled, &available).is_ok(), "a rule turned off needs nothing");
    }

    /// Away from the 5th to the 12th of December 2026, answering for wendy.
    fn dated_vacation() -> Vacation {
        Vacation {
            enabled: true,
            subject: "不在のお知らせ".into(),
            text: "12日まで不在です。\r\nAway until the 12th.".into(),
            days: 0,
            addresses: vec!["wendy@example.test".into()],
            from: Some("2026-12-05".into()),
            until: Some("2026-12-12".into()),
        }
    }

    #[test]
    fn the_vacation_reply_comes_first_within_its_dates() {
        let vacation = dated_vacation();
        let mut stopping = lists_rule();
        stopping.actions.push(Action::Stop);
        let script = generate(&Filters { rules: vec![stopping], vacation: Some(vacation) }, &all_extensions()).unwrap();
        let vacation_at =
            script.find("vacation :days 1 :subject \"不在のお知らせ\" :addresses [\"wendy@example.test\"]").unwrap();
        assert!(vacation_at < script.find("stop;").unwrap());
        assert!(script.contains("if allof(currentdate :value \"ge\" \"date\" \"2026-12-05\", currentdate :value \"le\" \"date\" \"2026-12-12\") {"), "{script}");
        assert!(
            script.contains("require [\"vacation\", \"date\", \"relational\", \"fileinto\", \"imap4flags\"];"),
            "{script}"
        );
    }

    #[test]
    fn a_script_reads_back_as_ours_edited_or_foreign() {
        let filters = Filters { rules: vec![lists_rule()], vacation: None };
        let script = generate(&filters, &all_extensions()).unwrap();
        assert_eq!(read(&script), Reading::Ours(filters.clone()));
        assert_eq!(read(&script.replace("\r\n", "\n")), Reading::Ours(filters.clone()), "line ends do not matter");
        let edited = script.replace("fileinto \"Lists\"", "fileinto \"Other\"");
        assert_eq!(read(&edited), Reading::Edited(filters));
        assert_eq!(read("require \"fileinto\";\r\nfileinto \"X\";\r\n"), Reading::Foreign);
        assert_eq!(read("# yubin-filters v1 {not json\r\nkeep;\r\n"), Reading::Foreign);
    }

    /// Every condition, action and the dated vacation reply, compiled by Pigeonhole's own
    /// compiler (`sievec`, from dovecot-sieve, which scripts/setup.sh installs).
    #[test]
    fn the_generated_sieve_compiles_with_the_servers_compiler() {
        let vacation = Vacation {
            subject: "不在".into(),
            text: "12日まで不在です。\r\n\"Away\" \\ back soon.".into(),
            days: 3,
            ..dated_vacation()
        };
        let mut rule = lists_rule();
        rule.all = false;
        let conditions = [
            (Field::Subject, Test::Regex, "^会議.*$", true),
            (Field::Body, Test::Contains, "unsubscribe", false),
            (Field::Size, Test::Under, "100k", false),
            (Field::Header("List-Id".into()), Test::Matches, "*lists*", false),
            (Field::To, Test::Is, "wendy@example.test", false),
            (Field::Cc, Test::Contains, "\"quoted\"", false),
        ];
        for (field, test, value, negate) in conditions {
            rule.conditions.push(Condition { field, test, value: value.into(), negate });
        }
        rule.actions =
            vec![Action::CopyTo("Lists".into()), Action::Flag, Action::Forward("me@example.org".into()), Action::Stop];
        let refusing = Rule { actions: vec![Action::Reject("No \"thanks\".".into())], ..lists_rule() };
        let dropping = Rule { actions: vec![Action::Discard], ..lists_rule() };
        let every = Rule { conditions: vec![], actions: vec![Action::MoveTo("All".into())], ..lists_rule() };
        let filters = Filters { rules: vec![rule, refusing, dropping, every], vacation: Some(vacation) };
        let script = generate(&filters, &all_extensions()).unwrap();

        let dir = std::env::temp_dir().join(format!("yubin-sieve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("yubin.sieve"), &script).unwrap();
        let output = std::process::Command::new("sievec")
            .arg(dir.join("yubin.sieve"))
            .arg(dir.join("yubin.svbin"))
            .output()
            .expect("sievec (dovecot-sieve; scripts/setup.sh installs it)");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(output.status.success(), "{}\n{script}", String::from_utf8_lossy(&output.stderr));
    }

    #[test]
    fn no_conditions_means_every_message() {
        let rule = Rule { conditions: vec![], actions: vec![Action::Flag], ..lists_rule() };
        let script = script_text(&Filters { rules: vec![rule], vacation: None });
        assert!(script.ends_with("# Mailing lists\r\naddflag \"\\\\Flagged\";\r\n"), "{script:?}");
    }
}
