//! The address book's rules, without the browser or the gateway: which contacts a search and a
//! group show and in what order, what the composer is offered, what an import file holds.

use serde::{Deserialize, Serialize};
use yubin_protocol::{Contact, ContactCard, Labelled};
use yubin_shared::address_book::Suggestion;

/// A card as this browser keeps it, with the book it is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub book: String,
    pub card: ContactCard,
}

/// What the list is narrowed to besides the search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Filter {
    #[default]
    All,
    Book(String),
    /// A group card's members, by its UID.
    Group(String),
    /// Contacts with this category.
    Category(String),
}

/// The text a contact sorts by: its reading where it has one (Japanese names sort by their
/// kana, as in every Japanese address book), else family name first, else the name shown;
/// lower-case.
pub fn sort_key(contact: &Contact) -> String {
    let reading = format!("{} {}", contact.phonetic_family.trim(), contact.phonetic_given.trim());
    let family_first = format!("{} {}", contact.family.trim(), contact.given.trim());
    let key = [reading.trim(), family_first.trim()].into_iter().find(|k| !k.is_empty()).map(str::to_owned);
    key.unwrap_or_else(|| contact.display_name()).to_lowercase()
}

/// Every name a contact goes by: full, family, given, their readings, nickname.
fn names(contact: &Contact) -> [&String; 6] {
    [
        &contact.full_name,
        &contact.family,
        &contact.given,
        &contact.phonetic_family,
        &contact.phonetic_given,
        &contact.nickname,
    ]
}

/// Whether `contact` holds `query` (lower-case) in a name, reading, address, number, organization
/// or category.
pub fn holds(contact: &Contact, query: &str) -> bool {
    if query.is_empty() {
        return true;
    }
    let texts = names(contact).into_iter().chain([&contact.organization, &contact.note]);
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    texts.map(|t| t.to_lowercase()).any(|t| t.contains(query))
        || format!("{}{}", contact.family, contact.given).to_lowercase().contains(query)
        || contact.emails.iter().any(|e| e.value.to_lowercase().contains(query))
        || contact.categories.iter().any(|c| c.to_lowercase().contains(query))
        || (digits.len() >= 3
            && contact
                .phones
                .iter()
                .any(|p| p.value.chars().filter(char::is_ascii_digit).collect::<String>().contains(&digits)))
}

/// The cards `filter` and `query` show, in order (groups first, then by reading or name).
pub fn matching<'a>(cards: &'a [Kept], filter: &Filter, query: &str) -> Vec<&'a Kept> {
    let query = query.trim().to_lowercase();
    let members: Vec<&str> = match filter {
        Filter::Group(uid) => cards
            .iter()
            .find(|k| k.card.contact.uid == *uid)
            .map(|g| g.card.contact.members.iter().map(String::as_str).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let shown = |k: &&Kept| match filter {
        Filter::All => true,
        Filter::Book(book) => k.book == *book,
        Filter::Group(_) => members.contains(&k.card.contact.uid.as_str()),
        Filter::Category(category) => k.card.contact.categories.iter().any(|c| c == category),
    };
    let mut out: Vec<&Kept> = cards.iter().filter(shown).filter(|k| holds(&k.card.contact, &query)).collect();
    out.sort_by_cached_key(|k| (!k.card.contact.group, sort_key(&k.card.contact)));
    out
}

/// The groups to narrow the list by: group cards (by UID) and categories, named and sorted.
pub fn groups(cards: &[Kept]) -> Vec<(Filter, String)> {
    let mut out: Vec<(Filter, String)> = cards
        .iter()
        .filter(|k| k.card.contact.group)
        .map(|k| (Filter::Group(k.card.contact.uid.clone()), k.card.contact.display_name()))
        .collect();
    let mut categories: Vec<&String> = cards.iter().flat_map(|k| &k.card.contact.categories).collect();
    categories.sort();
    categories.dedup();
    out.extend(categories.into_iter().map(|c| (Filter::Category(c.clone()), c.clone())));
    out.sort_by_key(|(_, name)| name.to_lowercase());
    out
}

/// `Name <address>`, the name quoted where RFC 5322 needs it.
pub fn mailbox(name: &str, address: &str) -> String {
    let name = name.trim();
    if name.is_empty() || name == address {
        return address.to_owned();
    }
    let special = name.chars().any(|c| "()<>[]:;@\\,.\"".contains(c));
    if special {
        format!("\"{}\" <{address}>", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        format!("{name} <{address}>")
    }
}

/// What the composer offers from the address book: each address of each contact (found by
/// names, readings and the address), then each group and category with its members' addresses.
pub fn suggestions(cards: &[Kept]) -> Vec<Suggestion> {
    let people: Vec<&Contact> = cards.iter().map(|k| &k.card.contact).filter(|c| !c.group).collect();
    let mut out = Vec::new();
    let mut sorted = people.clone();
    sorted.sort_by_cached_key(|c| sort_key(c));
    for contact in &sorted {
        let name = contact.display_name();
        let keys = names(contact).iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
        for email in contact.emails.iter().filter(|e| !e.value.trim().is_empty()) {
            let text = mailbox(&name, email.value.trim());
            out.push(Suggestion {
                keys: format!("{keys} {}", email.value).to_lowercase(),
                shown: text.clone(),
                insert: text,
            });
        }
    }
    let first_address = |c: &Contact| {
        c.emails.iter().find(|e| !e.value.trim().is_empty()).map(|e| mailbox(&c.display_name(), e.value.trim()))
    };
    for (filter, name) in groups(cards) {
        let members: Vec<String> = match &filter {
            Filter::Group(uid) => {
                let group = cards.iter().find(|k| k.card.contact.uid == *uid).map(|k| &k.card.contact);
                let uids = group.map(|g| g.members.as_slice()).unwrap_or_default();
                people.iter().filter(|p| uids.contains(&p.uid)).filter_map(|p| first_address(p)).collect()
            }
            Filter::Category(category) => {
                people.iter().filter(|p| p.categories.contains(category)).filter_map(|p| first_address(p)).collect()
            }
            _ => Vec::new(),
        };
        if !members.is_empty() {
            out.push(Suggestion {
                shown: format!("{name} ({})", members.len()),
                insert: members.join(", "),
                keys: name.to_lowercase(),
            });
        }
    }
    out
}

/// The vCards in an import file: each `BEGIN:VCARD` … `END:VCARD`, as written.
pub fn split_vcf(text: &str) -> Vec<String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end().to_ascii_uppercase();
        if bare == "BEGIN:VCARD" {
            current = Some(String::new());
        }
        if let Some(card) = current.as_mut() {
            card.push_str(line);
            if bare == "END:VCARD" {
                let mut card = current.take().unwrap_or_default();
                if !card.ends_with('\n') {
                    card.push_str("\r\n");
                }
                out.push(card);
            }
        }
    }
    out
}

/// The cards as one .vcf file, each as the server holds it.
pub fn join_vcf<'a>(cards: impl IntoIterator<Item = &'a Kept>) -> String {
    cards.into_iter().map(|k| k.card.vcard.trim_end().to_owned() + "\r\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(uid: &str, contact: Contact) -> Kept {
        let contact = Contact { uid: uid.into(), ..contact };
        Kept {
            book: "/b/".into(),
            card: ContactCard { href: format!("/b/{uid}.vcf"), etag: "1".into(), contact, vcard: String::new() },
        }
    }

    fn person(family: &str, given: &str, reading: &str, email: &str) -> Contact {
        Contact {
            family: family.into(),
            given: given.into(),
            phonetic_family: reading.into(),
            emails: vec![Labelled { label: String::new(), value: email.into() }],
            ..Default::default()
        }
    }

    fn book() -> Vec<Kept> {
        vec![
            kept("1", person("山田", "花子", "やまだ", "hanako@example.jp")),
            kept("2", person("Abe", "Ken", "", "ken@example.org")),
            kept("3", Contact { categories: vec!["テニス".into()], ..person("伊藤", "", "いとう", "ito@example.jp") }),
            kept(
                "g",
                Contact {
                    group: true,
                    full_name: "Team".into(),
                    members: vec!["1".into(), "2".into()],
                    ..Default::default()
                },
            ),
        ]
    }

    #[test]
    fn japanese_names_sort_by_their_reading_and_are_found_by_it() {
        let cards = book();
        let names: Vec<String> =
            matching(&cards, &Filter::All, "").iter().map(|k| k.card.contact.display_name()).collect();
        assert_eq!(names, ["Team", "Ken Abe", "伊藤", "山田 花子"], "groups first, then abe < いとう < やまだ");
        assert_eq!(matching(&cards, &Filter::All, "やま").len(), 1);
        assert_eq!(matching(&cards, &Filter::All, "山田花子").len(), 1, "family and given written together");
        assert_eq!(matching(&cards, &Filter::All, "EXAMPLE.JP").len(), 2);
        let team: Vec<&str> =
            matching(&cards, &Filter::Group("g".into()), "").iter().map(|k| k.card.contact.uid.as_str()).collect();
        assert_eq!(team, ["2", "1"]);
        assert_eq!(matching(&cards, &Filter::Category("テニス".into()), "").len(), 1);
    }

    #[test]
    fn the_composer_is_offered_each_address_then_each_group_with_its_members() {
        let suggestions = suggestions(&book());
        let shown: Vec<&str> = suggestions.iter().map(|s| s.shown.as_str()).collect();
        assert_eq!(
            shown,
            [
                "Ken Abe <ken@example.org>",
                "伊藤 <ito@example.jp>",
                "山田 花子 <hanako@example.jp>",
                "Team (2)",
                "テニス (1)"
            ]
        );
        assert!(suggestions[2].keys.contains("やまだ"), "{:?}", suggestions[2]);
        assert_eq!(suggestions[3].insert, "山田 花子 <hanako@example.jp>, Ken Abe <ken@example.org>");
        assert_eq!(mailbox("Doe, Jane", "j@x.test"), "\"Doe, Jane\" <j@x.test>");
    }

    #[test]
    fn an_import_file_is_split_into_its_cards_as_written() {
        let file = "\u{feff}BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\njunk\r\nbegin:vcard\nVERSION:4.0\nFN:B\nend:vcard";
        let cards = split_vcf(file);
        assert_eq!(
            cards,
            ["BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n", "begin:vcard\nVERSION:4.0\nFN:B\nend:vcard\r\n"]
        );
        let kept: Vec<Kept> = cards
            .iter()
            .map(|v| Kept {
                book: "/b/".into(),
                card: ContactCard {
                    href: String::new(),
                    etag: String::new(),
                    contact: Contact::default(),
                    vcard: v.clone(),
                },
            })
            .collect();
        assert_eq!(split_vcf(&join_vcf(&kept)).len(), 2, "an export reads back as the same cards");
    }
}

/// One change the user makes in the contact editor.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    FullName(String),
    Family(String),
    Given(String),
    PhoneticFamily(String),
    PhoneticGiven(String),
    Nickname(String),
    Organization(String),
    Title(String),
    Birthday(String),
    Note(String),
    /// Categories as typed, separated by commas.
    Categories(String),
    Email(usize, Labelled),
    AddEmail,
    RemoveEmail(usize),
    Phone(usize, Labelled),
    AddPhone,
    RemovePhone(usize),
    Photo(Option<String>),
    /// A contact (by UID) in or out of the group.
    Member(String, bool),
}

/// `contact` with `edit` made.
pub fn apply(contact: &mut Contact, edit: Edit) {
    let set = |list: &mut Vec<Labelled>, i: usize, value: Labelled| {
        if let Some(slot) = list.get_mut(i) {
            *slot = value;
        }
    };
    match edit {
        Edit::FullName(v) => contact.full_name = v,
        Edit::Family(v) => contact.family = v,
        Edit::Given(v) => contact.given = v,
        Edit::PhoneticFamily(v) => contact.phonetic_family = v,
        Edit::PhoneticGiven(v) => contact.phonetic_given = v,
        Edit::Nickname(v) => contact.nickname = v,
        Edit::Organization(v) => contact.organization = v,
        Edit::Title(v) => contact.title = v,
        Edit::Birthday(v) => contact.birthday = v,
        Edit::Note(v) => contact.note = v,
        Edit::Categories(v) => {
            contact.categories = v.split([',', '、']).map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
        }
        Edit::Email(i, v) => set(&mut contact.emails, i, v),
        Edit::AddEmail => contact.emails.push(Labelled::default()),
        Edit::RemoveEmail(i) if i < contact.emails.len() => drop(contact.emails.remove(i)),
        Edit::Phone(i, v) => set(&mut contact.phones, i, v),
        Edit::AddPhone => contact.phones.push(Labelled::default()),
        Edit::RemovePhone(i) if i < contact.phones.len() => drop(contact.phones.remove(i)),
        Edit::RemoveEmail(_) | Edit::RemovePhone(_) => {}
        Edit::Photo(v) => contact.photo = v,
        Edit::Member(uid, true) if !contact.members.contains(&uid) => contact.members.push(uid),
        Edit::Member(uid, false) => contact.members.retain(|m| *m != uid),
        Edit::Member(..) => {}
    }
}

/// Why a contact cannot be saved yet, if it cannot: it needs a name or an address, and each
/// address must be one.
pub fn problem(contact: &Contact) -> Option<&'static str> {
    let named = [&contact.full_name, &contact.family, &contact.given].iter().any(|n| !n.trim().is_empty());
    let addressed = contact.emails.iter().any(|e| !e.value.trim().is_empty());
    if !named && !addressed {
        return Some("Give the contact a name or an address.");
    }
    let bad = contact
        .emails
        .iter()
        .map(|e| e.value.trim())
        .filter(|v| !v.is_empty())
        .any(|v| !yubin_protocol::text::is_plain_address(v));
    bad.then_some("An address is not an e-mail address (name@example.org).")
}

/// A new contact from a message's sender (`Name <address>` or the address alone).
pub fn from_sender(name: &str, address: &str) -> Contact {
    let name = name.trim().trim_matches('"').trim();
    let (family, given) = match name.split_once(' ') {
        _ if name.is_empty() || name == address => (String::new(), String::new()),
        // A Japanese name is written family name first.
        _ if name.chars().any(|c| c as u32 >= 0x3000) => match name.split_once([' ', '\u{3000}']) {
            Some((family, given)) => (family.trim().to_owned(), given.trim().to_owned()),
            None => (name.to_owned(), String::new()),
        },
        Some((given, family)) => (family.trim().to_owned(), given.trim().to_owned()),
        None => (String::new(), name.to_owned()),
    };
    Contact {
        full_name: if name == address { String::new() } else { name.to_owned() },
        family,
        given,
        emails: vec![Labelled { label: String::new(), value: address.trim().to_owned() }],
        ..Default::default()
    }
}

#[cfg(test)]
mod editing_tests {
    use super::*;

    #[test]
    fn edits_change_one_thing_and_a_contact_needs_a_name_or_a_real_address() {
        let mut contact = Contact::default();
        assert!(problem(&contact).is_some());
        apply(&mut contact, Edit::AddEmail);
        apply(&mut contact, Edit::Email(0, Labelled { label: "work".into(), value: "not an address".into() }));
        assert_eq!(problem(&contact), Some("An address is not an e-mail address (name@example.org)."));
        apply(&mut contact, Edit::Email(0, Labelled { label: "work".into(), value: "a@example.org".into() }));
        assert_eq!(problem(&contact), None);
        apply(&mut contact, Edit::Categories("友達、 テニス, ,work".into()));
        assert_eq!(contact.categories, ["友達", "テニス", "work"]);
        apply(&mut contact, Edit::RemoveEmail(5));
        apply(&mut contact, Edit::Member("x".into(), true));
        apply(&mut contact, Edit::Member("x".into(), true));
        assert_eq!(contact.members, ["x"]);
        apply(&mut contact, Edit::Member("x".into(), false));
        assert!(contact.members.is_empty());
    }

    #[test]
    fn a_sender_becomes_a_contact_with_its_name_split() {
        let c = from_sender("Jane Doe", "jane@example.org");
        assert_eq!((c.family.as_str(), c.given.as_str(), c.full_name.as_str()), ("Doe", "Jane", "Jane Doe"));
        let c = from_sender("山田 花子", "hanako@example.jp");
        assert_eq!((c.family.as_str(), c.given.as_str()), ("山田", "花子"));
        let c = from_sender("", "x@example.org");
        assert!(c.full_name.is_empty() && c.emails[0].value == "x@example.org");
    }
}

/// The server's newer version with the user's own changes made to it: each part the user
/// changed (from `base`, the version they started from) is theirs, everything else the
/// server's. A part both changed is the user's: they chose to save theirs.
pub fn merge(base: &Contact, mine: &Contact, theirs: &Contact) -> Contact {
    let mut out = theirs.clone();
    macro_rules! take_changed {
        ($($field:ident),*) => {$(
            if mine.$field != base.$field {
                out.$field = mine.$field.clone();
            }
        )*};
    }
    take_changed!(
        full_name,
        family,
        given,
        phonetic_family,
        phonetic_given,
        nickname,
        emails,
        phones,
        organization,
        title,
        birthday,
        note,
        categories,
        members,
        photo,
        group
    );
    out
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn a_conflict_keeps_the_changes_of_both_sides() {
        let base = Contact { full_name: "John Smith".into(), note: String::new(), ..Default::default() };
        let mine = Contact { note: "met at the conference".into(), ..base.clone() };
        let theirs = Contact { full_name: "Johnny Smith".into(), ..base.clone() };
        let merged = merge(&base, &mine, &theirs);
        assert_eq!((merged.full_name.as_str(), merged.note.as_str()), ("Johnny Smith", "met at the conference"));
        let mine_too = Contact { full_name: "J. Smith".into(), ..mine };
        assert_eq!(merge(&base, &mine_too, &theirs).full_name, "J. Smith", "both changed it: the user's");
    }
}
