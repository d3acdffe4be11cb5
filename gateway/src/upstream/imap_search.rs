//! Turning a [`SearchQuery`] into IMAP `SEARCH` criteria without ever splicing user text into
//! the command: every string becomes a quoted string (`\` and `"` escaped) or, when it is not
//! ASCII and the server accepts non-synchronizing literals (LITERAL+, RFC 7888), a literal.
//! CR, LF and NUL are refused outright: no encoding could make them safe in a quoted string.

use chrono::NaiveDate;
use yubin_protocol::{ApiError, ErrorKind, SearchQuery};

/// Builds the text after `UID SEARCH`. `literal_plus`: the server advertised LITERAL+.
pub fn criteria(query: &SearchQuery, literal_plus: bool) -> Result<String, ApiError> {
    let mut parts: Vec<String> = Vec::new();
    let mut utf8 = false;
    for (key, value) in [
        ("TEXT", &query.text),
        ("FROM", &query.from),
        ("TO", &query.to),
        ("SUBJECT", &query.subject),
        ("BODY", &query.body),
    ] {
        let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        utf8 |= !value.is_ascii();
        parts.push(format!("{key} {}", astring(value, literal_plus)?));
    }
    if let Some(id) = query.message_id.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        parts.push(format!("HEADER Message-ID {}", astring(id, literal_plus)?));
    }
    for (key, value) in [("SINCE", &query.since), ("BEFORE", &query.before)] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map_err(|_| ApiError::new(ErrorKind::BadRequest, format!("not a date (YYYY-MM-DD): {value}")))?;
            parts.push(format!("{key} {}", date.format("%-d-%b-%Y")));
        }
    }
    if query.unread {
        parts.push("UNSEEN".into());
    }
    if query.flagged {
        parts.push("FLAGGED".into());
    }
    if let Some(bytes) = query.larger {
        parts.push(format!("LARGER {}", bytes.min(u64::from(u32::MAX))));
    }
    if query.has_attachment {
        // IMAP cannot ask for attachments; a message with files is multipart/mixed.
        parts.push("HEADER Content-Type \"multipart/mixed\"".into());
    }
    if parts.is_empty() {
        parts.push("ALL".into());
    }
    let charset = if utf8 { "CHARSET UTF-8 " } else { "" };
    Ok(format!("{charset}{}", parts.join(" ")))
}

/// An IMAP string holding `value` exactly.
pub(crate) fn astring(value: &str, literal_plus: bool) -> Result<String, ApiError> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(ApiError::new(ErrorKind::BadRequest, "search text must not contain line breaks"));
    }
    if !value.is_ascii() && literal_plus {
        return Ok(format!("{{{}+}}\r\n{value}", value.len()));
    }
    // Dovecot and most servers take UTF-8 in quoted strings under CHARSET UTF-8.
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Ok(format!("\"{escaped}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> SearchQuery {
        SearchQuery::default()
    }

    #[test]
    fn empty_query_matches_all() {
        assert_eq!(criteria(&q(), true).unwrap(), "ALL");
    }

    #[test]
    fn size_and_attachments_are_criteria_of_their_own() {
        let query = SearchQuery { larger: Some(2 << 20), has_attachment: true, unread: true, ..q() };
        assert_eq!(criteria(&query, true).unwrap(), r#"UNSEEN LARGER 2097152 HEADER Content-Type "multipart/mixed""#);
    }

    #[test]
    fn injection_attempts_stay_inside_one_string() {
        let query = SearchQuery { subject: Some(r#"x" OR ALL "y"#.into()), from: Some(r"a\b".into()), ..q() };
        assert_eq!(criteria(&query, true).unwrap(), r#"FROM "a\\b" SUBJECT "x\" OR ALL \"y""#);
        let newline = SearchQuery { text: Some("a\r\nA1 DELETE INBOX".into()), ..q() };
        assert_eq!(criteria(&newline, true).unwrap_err().kind, ErrorKind::BadRequest);
    }

    #[test]
    fn non_ascii_uses_literals_when_offered() {
        let query = SearchQuery { subject: Some("会議".into()), ..q() };
        assert_eq!(criteria(&query, true).unwrap(), "CHARSET UTF-8 SUBJECT {6+}\r\n会議");
        assert_eq!(criteria(&query, false).unwrap(), "CHARSET UTF-8 SUBJECT \"会議\"");
    }

    #[test]
    fn dates_and_flags() {
        let query = SearchQuery {
            since: Some("2026-01-05".into()),
            before: Some("2026-11-24".into()),
            unread: true,
            flagged: true,
            ..q()
        };
        assert_eq!(criteria(&query, true).unwrap(), "SINCE 5-Jan-2026 BEFORE 24-Nov-2026 UNSEEN FLAGGED");
        let bad = SearchQuery { since: Some("yesterday".into()), ..q() };
        assert!(criteria(&bad, true).is_err());
    }
}
