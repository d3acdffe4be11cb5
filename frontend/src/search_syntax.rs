//! What people type in the search box, as Gmail taught them: `from:`, `to:`, `subject:`,
//! `body:`, `has:attachment`, `is:unread`, `is:starred`, `before:`/`after:`, `larger:`,
//! `in:folder` — and the same in Japanese (`差出人:`, `件名:`, `is:未読` …) — with quoted values
//! (`from:"Yamada Taro"`), the rest searched as text. Pure and tested here; the server does
//! the matching ([`SearchQuery`]).

use yubin_protocol::SearchQuery;

/// A search as typed: the query, and the folder it names (`in:`), if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub query: SearchQuery,
    /// The folder to search in, as typed (a name or a role: `inbox`, `sent`, `送信済み`…).
    pub folder: Option<String>,
    /// `in:all` (`in:*`, `in:すべて`): every folder of every account.
    pub everywhere: bool,
}

/// Reads `text` as a search.
pub fn parse(text: &str) -> Search {
    let mut search = Search::default();
    let mut words = Vec::new();
    for token in tokens(text) {
        let Some((key, value)) = token.split_once(':').filter(|(k, v)| !k.is_empty() && !v.is_empty()) else {
            words.push(token);
            continue;
        };
        let value = unquoted(value);
        let query = &mut search.query;
        match key.to_lowercase().as_str() {
            "from" | "差出人" => query.from = Some(value),
            "to" | "宛先" => query.to = Some(value),
            "subject" | "件名" => query.subject = Some(value),
            "body" | "本文" => query.body = Some(value),
            "in" | "フォルダ"
                if matches!(value.to_lowercase().as_str(), "all" | "*" | "anywhere" | "すべて" | "全て") =>
            {
                search.everywhere = true
            }
            "in" | "フォルダ" => search.folder = Some(value),
            "before" | "前" => match date(&value) {
                Some(day) => query.before = Some(day),
                None => words.push(token),
            },
            "after" | "since" | "後" => match date(&value) {
                Some(day) => query.since = Some(day),
                None => words.push(token),
            },
            "larger" | "サイズ" => match size(&value) {
                Some(bytes) => query.larger = Some(bytes),
                None => words.push(token),
            },
            "has" if matches!(value.to_lowercase().as_str(), "attachment" | "attachments") => {
                query.has_attachment = true
            }
            "is" => match value.to_lowercase().as_str() {
                "unread" | "未読" => query.unread = true,
                "starred" | "flagged" | "スター" => query.flagged = true,
                _ => words.push(token),
            },
            "添付" if matches!(value.as_str(), "あり" | "有") => query.has_attachment = true,
            _ => words.push(token),
        }
    }
    let text = words.join(" ");
    search.query.text = (!text.trim().is_empty()).then_some(text);
    search
}

/// Words, with a quoted stretch (`"a b"`, also after `key:`) kept as one.
fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

fn unquoted(value: &str) -> String {
    value.trim_matches('"').to_owned()
}

/// `YYYY-MM-DD` (or with `/`), as the query takes it.
fn date(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split(['-', '/']).collect();
    let [year, month, day] = parts.as_slice() else { return None };
    let (year, month, day): (u32, u32, u32) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    ((1970..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// `2M`, `500K`, `1G`, `2000` (bytes).
fn size(value: &str) -> Option<u64> {
    let upper = value.trim().to_ascii_uppercase();
    let upper = upper.strip_suffix('B').unwrap_or(&upper);
    let (digits, unit) = match upper.char_indices().last()? {
        (at, 'K') => (&upper[..at], 1 << 10),
        (at, 'M') => (&upper[..at], 1 << 20),
        (at, 'G') => (&upper[..at], 1 << 30),
        _ => (upper, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_become_criteria_and_the_rest_is_text() {
        let search = parse(r#"from:"Yamada Taro" subject:請求書 is:unread has:attachment larger:2M budget 2026"#);
        let query = &search.query;
        assert_eq!(query.from.as_deref(), Some("Yamada Taro"));
        assert_eq!(query.subject.as_deref(), Some("請求書"));
        assert!(query.unread && query.has_attachment && !query.flagged);
        assert_eq!(query.larger, Some(2 << 20));
        assert_eq!(query.text.as_deref(), Some("budget 2026"));
        assert_eq!(search.folder, None);
    }

    #[test]
    fn dates_folders_and_japanese_operators() {
        let search = parse("after:2026/1/5 before:2026-02-01 in:Sent is:starred");
        assert_eq!(
            (search.query.since.as_deref(), search.query.before.as_deref()),
            (Some("2026-01-05"), Some("2026-02-01"))
        );
        assert!(search.query.flagged);
        assert_eq!(search.folder.as_deref(), Some("Sent"));
        let japanese = parse("差出人:山田 件名:\"会議 の件\" is:未読 添付:あり");
        assert_eq!(japanese.query.from.as_deref(), Some("山田"));
        assert_eq!(japanese.query.subject.as_deref(), Some("会議 の件"));
        assert!(japanese.query.unread && japanese.query.has_attachment);
        assert_eq!(japanese.query.text, None);
    }

    #[test]
    fn what_is_not_an_operator_is_searched_as_typed() {
        for text in ["http://example.org", "before:someday", "is:maybe", "larger:huge", "ratio 3:2", "key:", ":x"] {
            let search = parse(text);
            assert_eq!(search.query.text.as_deref(), Some(text), "{text}");
        }
        assert_eq!(parse("   ").query, SearchQuery::default());
        assert_eq!(size("500kb"), Some(500 << 10));
        assert_eq!(size("1200"), Some(1200));
    }

    #[test]
    fn in_all_searches_everywhere() {
        let search = parse("from:yamada in:all 会議");
        assert!(search.everywhere && search.folder.is_none());
        assert_eq!(search.query.from.as_deref(), Some("yamada"));
        assert_eq!(search.query.text.as_deref(), Some("会議"));
        assert!(parse("in:すべて x").everywhere);
        assert!(!parse("in:inbox x").everywhere);
    }
}
