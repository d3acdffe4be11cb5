//! Reading bounces: delivery status notifications (RFC 3464) inside `multipart/report`.
//!
//! The `message/delivery-status` part is a block of per-message fields, then one block per
//! recipient, in header syntax. The returned headers (`text/rfc822-headers` or a whole
//! `message/rfc822`) carry the Message-ID that links the bounce to the message in Sent.

use mail_parser::{MimeHeaders, PartType};
use yubin_protocol::{DeliveryReport, RecipientStatus};

/// The report in `message`, if it is a delivery status notification.
pub fn report(message: &mail_parser::Message<'_>) -> Option<DeliveryReport> {
    let status_part = message.parts.iter().find(|part| {
        part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status") || s.eq_ignore_ascii_case("global-delivery-status")
                })
        })
    })?;
    let mut report = parse_status(&String::from_utf8_lossy(status_part.contents()));
    for part in &message.parts {
        let returned = match &part.body {
            PartType::Message(inner) => {
                Some((inner.message_id().map(str::to_owned), inner.subject().map(str::to_owned)))
            }
            _ if part
                .content_type()
                .is_some_and(|ct| ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers"))) =>
            {
                // The part may end without the blank line that closes a header block.
                let mut headers = part.contents().to_vec();
                headers.extend_from_slice(b"\r\n\r\n");
                crate::parser::parse_headers(&headers)
                    .map(|headers| (headers.message_id().map(str::to_owned), headers.subject().map(str::to_owned)))
            }
            _ => None,
        };
        if let Some((id, subject)) = returned {
            report.original_message_id = id.map(|id| format!("<{id}>"));
            report.original_subject = subject;
            break;
        }
    }
    Some(report)
}

/// Parses the fields of a `message/delivery-status` body.
fn parse_status(text: &str) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    for (index, block) in blocks(text).into_iter().enumerate() {
        if index == 0 {
            report.reporting_mta = field(&block, "Reporting-MTA").map(typed_value);
            continue;
        }
        let Some(recipient) = field(&block, "Final-Recipient").or_else(|| field(&block, "Original-Recipient")) else {
            continue;
        };
        report.recipients.push(RecipientStatus {
            recipient: typed_value(recipient),
            action: field(&block, "Action").unwrap_or_default().to_ascii_lowercase(),
            status: field(&block, "Status").unwrap_or_default(),
            diagnostic: field(&block, "Diagnostic-Code").map(typed_value),
            remote_mta: field(&block, "Remote-MTA").map(typed_value),
        });
    }
    report
}

/// Splits the body at blank lines into blocks of unfolded `(name, value)` fields.
fn blocks(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else if line.starts_with([' ', '\t']) {
            // A folded continuation of the previous field.
            if let Some((_, value)) = current.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            current.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

fn field(block: &[(String, String)], name: &str) -> Option<String> {
    block.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// `rfc822; x@y` → `x@y`: drops the address or diagnostic type (RFC 3464 2.1.2).
fn typed_value(value: String) -> String {
    match value.split_once(';') {
        Some((_, rest)) => rest.trim().to_owned(),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    // As Postfix writes it, shortened.
    const BOUNCE: &str = "From: MAILER-DAEMON@mail.example.test (Mail Delivery System)\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
To: alice@example.test\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
I'm sorry to have to inform you that your message could not be delivered.\r\n\
--B\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mail.example.test\r\n\
X-Postfix-Queue-ID: 4F1\r\n\
\r\n\
Final-Recipient: rfc822; gone@example.test\r\n\
Original-Recipient: rfc822;gone@example.test\r\n\
Action: failed\r\n\
Status: 5.1.1\r\n\
Remote-MTA: dns; mail.example.test\r\n\
Diagnostic-Code: x-unix; 550 5.1.1 <gone@example.test> User doesn't\r\n\
\texist: gone@example.test\r\n\
--B\r\n\
Content-Type: text/rfc822-headers\r\n\
\r\n\
Message-ID: <abc@example.test>\r\n\
Subject: Lunch?\r\n\
--B--\r\n";

    #[test]
    fn reads_postfix_bounce() {
        let message = MessageParser::default().parse(BOUNCE.as_bytes()).unwrap();
        let report = report(&message).expect("a delivery report");
        assert_eq!(report.reporting_mta.as_deref(), Some("mail.example.test"));
        assert_eq!(report.original_message_id.as_deref(), Some("<abc@example.test>"));
        assert_eq!(report.original_subject.as_deref(), Some("Lunch?"));
        let failed = &report.recipients[0];
        assert_eq!(failed.recipient, "gone@example.test");
        assert_eq!((failed.action.as_str(), failed.status.as_str()), ("failed", "5.1.1"));
        assert_eq!(
            failed.diagnostic.as_deref(),
            Some("550 5.1.1 <gone@example.test> User doesn't exist: gone@example.test")
        );
    }

    #[test]
    fn ordinary_mail_is_no_report() {
        let message = MessageParser::default().parse(b"Subject: hi\r\n\r\nhello".as_slice()).unwrap();
        assert!(report(&message).is_none());
    }
}
