//! vCards (3.0 and 4.0) as Yubin's [`Contact`], and back.
//!
//! Reading goes through calcard's parser (escapes, components, dates, parameters). Writing an
//! edited card keeps the card's own lines and replaces only the properties whose values the
//! user changed: a card made by another app keeps everything Yubin does not edit (addresses,
//! URLs, custom labels, its photo) byte for byte. calcard writes the lines Yubin adds; it is not
//! used to rewrite a whole card, because its 3.0 writer does not give back a base64 photo
//! (`ENCODING=b`) as it read it.

use calcard::vcard::{
    VCard, VCardEntry, VCardKind, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty, VCardValue,
};
use calcard::{Entry, Parser};
use yubin_protocol::contacts::MAX_PHOTO_BYTES;
use yubin_protocol::{Contact, Labelled};

/// The card in `text` as a contact; `None` if it holds no vCard.
pub fn read(text: &str) -> Option<Contact> {
    let Entry::VCard(card) = Parser::new(text).entry() else { return None };
    let mut contact = Contact { uid: card.uid().unwrap_or_default().to_owned(), ..Default::default() };
    let labels = apple_labels(&card);
    for entry in &card.entries {
        let text = || first_text(entry);
        match &entry.name {
            VCardProperty::Fn => contact.full_name = text(),
            VCardProperty::N => {
                contact.family = nth_text(entry, 0);
                contact.given = nth_text(entry, 1);
                if let Some(sort_as) = param_text(entry, &VCardParameterName::SortAs) {
                    let mut readings = sort_as.splitn(2, ',');
                    contact.phonetic_family = readings.next().unwrap_or_default().trim().to_owned();
                    contact.phonetic_given = readings.next().unwrap_or_default().trim().to_owned();
                }
            }
            VCardProperty::Nickname => contact.nickname = text(),
            VCardProperty::Email => contact.emails.push(labelled(entry, &labels)),
            VCardProperty::Tel => contact.phones.push(labelled(entry, &labels)),
            VCardProperty::Org => contact.organization = all_texts(entry).join(" / "),
            VCardProperty::Title => contact.title = text(),
            VCardProperty::Bday => contact.birthday = birthday(entry),
            VCardProperty::Note => contact.note = text(),
            VCardProperty::Categories => {
                contact.categories.extend(all_texts(entry).into_iter().filter(|c| !c.is_empty()))
            }
            VCardProperty::Kind => {
                contact.group = entry.values.iter().any(|v| matches!(v, VCardValue::Kind(VCardKind::Group)))
            }
            VCardProperty::Member => contact.members.extend(member_uid(&text())),
            VCardProperty::Other(name) => match name.to_ascii_uppercase().as_str() {
                "X-ADDRESSBOOKSERVER-KIND" => contact.group = text().eq_ignore_ascii_case("group"),
                "X-ADDRESSBOOKSERVER-MEMBER" => contact.members.extend(member_uid(&text())),
                "X-PHONETIC-LAST-NAME" => contact.phonetic_family = text(),
                "X-PHONETIC-FIRST-NAME" => contact.phonetic_given = text(),
                _ => {}
            },
            _ => {}
        }
    }
    contact.photo = inline_photo(text);
    Some(contact)
}

/// `contact` as a vCard: over `base` (the card as last read) where there is one, changing only
/// what differs from it; else a new vCard 3.0 (what every CardDAV server must take, RFC 6352).
pub fn write(contact: &Contact, base: Option<&str>) -> String {
    let base = base.filter(|b| read(b).is_some()).unwrap_or("BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n");
    let before = read(base).unwrap_or_default();
    let v4 = content_lines(base).any(|l| name_of(&l) == "VERSION" && l.trim_end().ends_with("4.0"));
    let changed = Changes::between(&before, contact);
    let mut dropped_groups = Vec::new();
    let mut kept = Vec::new();
    for (line, raw) in folded_lines(base) {
        let name = name_of(&line);
        if name == "END" || name == "REV" || changed.replaces(&name, contact.uid != before.uid) {
            if let Some(group) = group_of(&line) {
                dropped_groups.push(group.to_owned());
            }
            continue;
        }
        kept.push((line, raw));
    }
    // Apple's custom labels (`item1.X-ABLabel`) of the addresses and phones replaced.
    kept.retain(|(l, _)| {
        !(name_of(l) == "X-ABLABEL" && group_of(l).is_some_and(|g| dropped_groups.iter().any(|d| d == g)))
    });
    let mut out = kept.into_iter().map(|(_, raw)| raw).collect::<Vec<_>>().join("\r\n");
    out.push_str("\r\n");
    for entry in changed.entries(contact, &before, v4) {
        let _ = entry.write_to(&mut out, true);
    }
    let _ = text_entry(VCardProperty::Rev, &rev_now()).write_to(&mut out, true);
    out.push_str("END:VCARD\r\n");
    out
}

/// The card's UID, if it has one.
pub fn uid_of(text: &str) -> Option<String> {
    read(text).map(|c| c.uid).filter(|u| !u.trim().is_empty())
}

/// `text` with a `UID` line added before its end.
pub fn with_uid(text: &str, uid: &str) -> String {
    let mut lines: Vec<String> = content_lines(text).collect();
    let end = lines.iter().rposition(|l| name_of(l) == "END").unwrap_or(lines.len());
    let mut line = String::new();
    let _ = text_entry(VCardProperty::Uid, uid).write_to(&mut line, true);
    lines.insert(end, line.trim_end().to_owned());
    lines.join("\r\n") + "\r\n"
}

/// Which parts of a contact the user changed.
struct Changes {
    names: bool,
    nickname: bool,
    emails: bool,
    phones: bool,
    organization: bool,
    birthday: bool,
    note: bool,
    categories: bool,
    group: bool,
    photo: bool,
}

impl Changes {
    fn between(before: &Contact, after: &Contact) -> Self {
        Self {
            names: (&before.full_name, &before.family, &before.given, &before.phonetic_family, &before.phonetic_given)
                != (&after.full_name, &after.family, &after.given, &after.phonetic_family, &after.phonetic_given),
            nickname: before.nickname != after.nickname,
            emails: before.emails != after.emails,
            phones: before.phones != after.phones,
            organization: (&before.organization, &before.title) != (&after.organization, &after.title),
            birthday: before.birthday != after.birthday,
            note: before.note != after.note,
            categories: before.categories != after.categories,
            group: (before.group, &before.members) != (after.group, &after.members),
            photo: before.photo != after.photo,
        }
    }

    /// Whether a line of property `name` gives way to the contact's new value.
    fn replaces(&self, name: &str, new_uid: bool) -> bool {
        match name {
            "UID" => new_uid,
            "FN" | "N" | "X-PHONETIC-FIRST-NAME" | "X-PHONETIC-LAST-NAME" => self.names,
            "NICKNAME" => self.nickname,
            "EMAIL" => self.emails,
            "TEL" => self.phones,
            "ORG" | "TITLE" => self.organization,
            "BDAY" => self.birthday,
            "NOTE" => self.note,
            "CATEGORIES" => self.categories,
            "KIND" | "MEMBER" | "X-ADDRESSBOOKSERVER-KIND" | "X-ADDRESSBOOKSERVER-MEMBER" => self.group,
            "PHOTO" => self.photo,
            _ => false,
        }
    }

    /// The lines that carry the changed values.
    fn entries(&self, contact: &Contact, before: &Contact, v4: bool) -> Vec<VCardEntry> {
        let mut out = Vec::new();
        if contact.uid != before.uid && !contact.uid.is_empty() {
            out.push(text_entry(VCardProperty::Uid, &contact.uid));
        }
        if self.names {
            // FN is required; a card without a name is shown by its address.
            out.push(text_entry(VCardProperty::Fn, &contact.display_name()));
            let parts = [&contact.family, &contact.given, "", "", ""];
            out.push(entry(VCardProperty::N, parts.iter().map(|p| VCardValue::Text(p.to_string())).collect()));
            for (name, value) in
                [("X-PHONETIC-LAST-NAME", &contact.phonetic_family), ("X-PHONETIC-FIRST-NAME", &contact.phonetic_given)]
            {
                if !value.is_empty() {
                    out.push(text_entry(VCardProperty::Other(name.into()), value));
                }
            }
        }
        let fields = [
            (self.nickname, VCardProperty::Nickname, &contact.nickname),
            (self.organization, VCardProperty::Org, &contact.organization),
            (self.organization, VCardProperty::Title, &contact.title),
            (self.birthday, VCardProperty::Bday, &contact.birthday),
            (self.note, VCardProperty::Note, &contact.note),
        ];
        for (changed, name, value) in fields {
            if changed && !value.trim().is_empty() {
                out.push(text_entry(name, value.trim()));
            }
        }
        let lists =
            [(self.emails, VCardProperty::Email, &contact.emails), (self.phones, VCardProperty::Tel, &contact.phones)];
        for (changed, name, values) in lists {
            for value in values.iter().filter(|v| changed && !v.value.trim().is_empty()) {
                let mut line = text_entry(name.clone(), value.value.trim());
                if !value.label.is_empty() {
                    line.params.push(VCardParameter::typ(VCardParameterValue::Text(value.label.clone())));
                }
                out.push(line);
            }
        }
        if self.categories && !contact.categories.is_empty() {
            out.push(entry(
                VCardProperty::Categories,
                contact.categories.iter().map(|c| VCardValue::Text(c.clone())).collect(),
            ));
        }
        if self.group && contact.group {
            let (kind, member) = if v4 {
                (VCardProperty::Kind, VCardProperty::Member)
            } else {
                (
                    VCardProperty::Other("X-ADDRESSBOOKSERVER-KIND".into()),
                    VCardProperty::Other("X-ADDRESSBOOKSERVER-MEMBER".into()),
                )
            };
            out.push(text_entry(kind, "group"));
            out.extend(contact.members.iter().map(|uid| text_entry(member.clone(), &format!("urn:uuid:{uid}"))));
        }
        if self.photo {
            out.extend(contact.photo.as_deref().and_then(|photo| photo_entry(photo, v4)));
        }
        out
    }
}

fn entry(name: VCardProperty, values: Vec<VCardValue>) -> VCardEntry {
    VCardEntry { group: None, name, params: Vec::new(), values }
}

fn text_entry(name: VCardProperty, value: &str) -> VCardEntry {
    entry(name, vec![VCardValue::Text(value.to_owned())])
}

/// A `data:image/…;base64,…` URL as a PHOTO line: the URL itself in 4.0, base64 with a type in 3.0.
fn photo_entry(data_url: &str, v4: bool) -> Option<VCardEntry> {
    let (head, data) = data_url.strip_prefix("data:")?.split_once(',')?;
    let kind = head.strip_suffix(";base64")?.strip_prefix("image/")?;
    if !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.') {
        return None;
    }
    if v4 {
        return Some(text_entry(VCardProperty::Photo, data_url));
    }
    let mut photo = text_entry(VCardProperty::Photo, data);
    photo
        .params
        .push(VCardParameter::new(VCardParameterName::Other("ENCODING".into()), VCardParameterValue::Text("b".into())));
    photo.params.push(VCardParameter::typ(VCardParameterValue::Text(kind.to_ascii_uppercase())));
    Some(photo)
}

fn rev_now() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}

fn first_text(entry: &VCardEntry) -> String {
    nth_text(entry, 0)
}

fn nth_text(entry: &VCardEntry, n: usize) -> String {
    entry.values.get(n).and_then(VCardValue::as_text).unwrap_or_default().trim().to_owned()
}

fn all_texts(entry: &VCardEntry) -> Vec<String> {
    entry.values.iter().filter_map(VCardValue::as_text).map(|t| t.trim().to_owned()).collect()
}

fn param_text<'a>(entry: &'a VCardEntry, name: &VCardParameterName) -> Option<&'a str> {
    entry.params.iter().find(|p| &p.name == name).and_then(|p| p.value.as_text())
}

/// An address or number with its kind: Apple's custom label for its group, else the first
/// `TYPE` that says something (`INTERNET`, `PREF` and `VOICE` say nothing to the user).
fn labelled(entry: &VCardEntry, labels: &[(String, String)]) -> Labelled {
    let custom = entry.group.as_ref().and_then(|g| labels.iter().find(|(group, _)| group.eq_ignore_ascii_case(g)));
    let label = custom.map(|(_, label)| label.clone()).unwrap_or_else(|| {
        entry
            .params
            .iter()
            .filter(|p| p.name == VCardParameterName::Type)
            .filter_map(|p| p.value.as_text())
            .flat_map(|t| t.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .find(|t| !matches!(t.as_str(), "internet" | "pref" | "voice" | "x400" | ""))
            .unwrap_or_default()
    });
    Labelled { label, value: first_text(entry) }
}

/// Apple's `itemN.X-ABLabel:_$!<Mobile>!$_` lines: group → label.
fn apple_labels(card: &VCard) -> Vec<(String, String)> {
    card.entries
        .iter()
        .filter(|e| matches!(&e.name, VCardProperty::Other(n) if n.eq_ignore_ascii_case("X-ABLABEL")))
        .filter_map(|e| {
            let label = first_text(e);
            let label = label.trim_start_matches("_$!<").trim_end_matches(">!$_").to_lowercase();
            Some((e.group.clone()?, label))
        })
        .collect()
}

fn member_uid(value: &str) -> Option<String> {
    let uid = value.trim();
    let uid = uid.strip_prefix("urn:uuid:").unwrap_or(uid);
    (!uid.is_empty()).then(|| uid.to_owned())
}

/// `YYYY-MM-DD`, or `--MM-DD` without a year.
fn birthday(entry: &VCardEntry) -> String {
    match entry.values.first() {
        Some(VCardValue::PartialDateTime(date)) => match (date.year, date.month, date.day) {
            (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (None, Some(m), Some(d)) => format!("--{m:02}-{d:02}"),
            _ => String::new(),
        },
        _ => first_text(entry),
    }
}

/// The card's photo as a `data:` URL, when it is carried inline as an image and small enough to
/// show (a photo by URL is remote content: never fetched).
fn inline_photo(text: &str) -> Option<String> {
    let line = content_lines(text).find(|l| name_of(l) == "PHOTO")?;
    let (head, value) = split_value(&line)?;
    let params = head.to_ascii_lowercase();
    let url = if value.starts_with("data:image/") {
        value.to_owned()
    } else if params.contains("encoding=b") || params.contains("encoding=base64") {
        let kind = params
            .split(';')
            .find_map(|p| p.strip_prefix("type="))
            .map(|t| t.trim_matches('"').trim_start_matches("image/").to_owned())
            .unwrap_or_else(|| "jpeg".into());
        format!("data:image/{kind};base64,{}", value.trim())
    } else {
        return None;
    };
    (url.len() <= MAX_PHOTO_BYTES * 4 / 3 + 64 && photo_entry(&url, true).is_some()).then_some(url)
}

/// The card's content lines, unfolded (RFC 6350 §3.2), without their line ends.
fn content_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    folded_lines(text).map(|(line, _)| line)
}

/// Each content line unfolded, and as written (folds kept, `\r\n` between them).
fn folded_lines(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).peekable();
    std::iter::from_fn(move || loop {
        let first = lines.next()?;
        let (mut line, mut raw) = (first.to_owned(), first.to_owned());
        while let Some(next) = lines.peek().copied().filter(|n| n.starts_with([' ', '\t'])) {
            line.push_str(&next[1..]);
            raw.push_str("\r\n");
            raw.push_str(next);
            lines.next();
        }
        if !line.trim().is_empty() {
            return Some((line, raw));
        }
    })
}

/// A line's property name, upper-cased, without its group.
fn name_of(line: &str) -> String {
    let head = line.split([';', ':']).next().unwrap_or_default();
    head.rsplit('.').next().unwrap_or_default().trim().to_ascii_uppercase()
}

fn group_of(line: &str) -> Option<&str> {
    let head = line.split([';', ':']).next()?;
    head.split_once('.').map(|(group, _)| group)
}

/// A line's name with its parameters, and its value (after the first `:` outside quotes).
fn split_value(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPLE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17//EN\r\nUID:u-1\r\nN:山田;花子;;;\r\nFN:山田 花子\r\nX-PHONETIC-LAST-NAME:やまだ\r\nX-PHONETIC-FIRST-NAME:はなこ\r\nitem1.EMAIL;type=INTERNET;type=pref:hanako@example.jp\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nEMAIL;TYPE=INTERNET,WORK:h.yamada@work.example\r\nTEL;TYPE=CELL:090-1234-5678\r\nADR;TYPE=HOME:;;千代田1-1;千代田区;東京都;100-0001;日本\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n SkZJRg==\r\nCATEGORIES:友達,テニス\r\nNOTE:一行目\\n二行目\r\nBDAY:1990-04-01\r\nEND:VCARD\r\n";

    #[test]
    fn a_card_from_another_app_reads_with_its_readings_labels_and_photo() {
        let contact = read(APPLE).unwrap();
        assert_eq!(contact.uid, "u-1");
        assert_eq!((contact.family.as_str(), contact.given.as_str()), ("山田", "花子"));
        assert_eq!((contact.phonetic_family.as_str(), contact.phonetic_given.as_str()), ("やまだ", "はなこ"));
        assert_eq!(contact.emails[0], Labelled { label: "other".into(), value: "hanako@example.jp".into() });
        assert_eq!(contact.emails[1], Labelled { label: "work".into(), value: "h.yamada@work.example".into() });
        assert_eq!(contact.phones[0].label, "cell");
        assert_eq!(contact.categories, ["友達", "テニス"]);
        assert_eq!(contact.note, "一行目\n二行目");
        assert_eq!(contact.birthday, "1990-04-01");
        assert_eq!(contact.photo.as_deref(), Some("data:image/jpeg;base64,/9j/4AAQSkZJRg=="));
    }

    #[test]
    fn an_edit_changes_what_was_edited_and_keeps_the_rest_byte_for_byte() {
        let mut contact = read(APPLE).unwrap();
        contact.phones[0].value = "080-0000-0000".into();
        let written = write(&contact, Some(APPLE));
        for kept in [
            "ADR;TYPE=HOME:;;千代田1-1",
            "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n SkZJRg==",
            "item1.X-ABLabel",
            "PRODID",
        ] {
            assert!(written.contains(kept), "{kept} lost:\n{written}");
        }
        assert!(written.contains("TEL;TYPE=cell:080-0000-0000") && !written.contains("090-1234"), "{written}");
        assert!(written.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n") && written.ends_with("END:VCARD\r\n"));
        assert_eq!(read(&written).unwrap(), contact, "reads back as edited");
    }

    #[test]
    fn a_changed_address_list_takes_its_apple_labels_with_it() {
        let mut contact = read(APPLE).unwrap();
        contact.emails.remove(0);
        let written = write(&contact, Some(APPLE));
        assert!(!written.contains("X-ABLabel") && !written.contains("hanako@example.jp"), "{written}");
        assert_eq!(read(&written).unwrap().emails, contact.emails);
    }

    #[test]
    fn a_new_contact_is_a_complete_vcard_3_and_a_group_lists_its_members() {
        let contact = Contact {
            uid: "new-1".into(),
            family: "Doe".into(),
            given: "Jane".into(),
            emails: vec![Labelled { label: "home".into(), value: "jane@example.test".into() }],
            photo: Some("data:image/png;base64,iVBORw0KGgo=".into()),
            ..Default::default()
        };
        let written = write(&contact, None);
        assert!(written.contains("VERSION:3.0\r\nUID:new-1\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\n"), "{written}");
        assert!(written.contains("PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo="), "{written}");
        assert_eq!(read(&written).unwrap(), Contact { full_name: "Jane Doe".into(), ..contact });
        let group = Contact {
            uid: "g".into(),
            group: true,
            full_name: "Team".into(),
            members: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        let written = write(&group, None);
        assert!(written.contains("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:b"), "{written}");
        assert_eq!(read(&written).unwrap(), group);
    }

    #[test]
    fn a_vcard_4_group_and_a_remote_photo() {
        let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:g\r\nKIND:group\r\nFN:Team\r\nMEMBER:urn:uuid:a\r\nPHOTO:https://tracker.example/p.jpg\r\nEND:VCARD\r\n";
        let mut contact = read(card).unwrap();
        assert!(contact.group && contact.members == ["a"] && contact.photo.is_none(), "{contact:?}");
        contact.members.push("b".into());
        let written = write(&contact, Some(card));
        assert!(written.contains("KIND:group\r\nMEMBER:urn:uuid:a\r\nMEMBER:urn:uuid:b\r\n"), "{written}");
        assert!(
            written.contains("PHOTO:https://tracker.example/p.jpg"),
            "the remote photo stays on the card: {written}"
        );
    }

    #[test]
    fn a_card_without_uid_gets_one_and_garbage_is_no_card() {
        let card = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\n";
        assert_eq!(uid_of(card), None);
        let with = with_uid(card, "x-1");
        assert_eq!(uid_of(&with).as_deref(), Some("x-1"));
        assert!(read("hello").is_none());
    }
}
