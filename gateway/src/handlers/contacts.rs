//! Contacts: the account's address books on its CardDAV server.
//!
//! One short client per request, signed in with the account's credentials (the gateway keeps
//! no contact and no connection between requests). Every write is conditional: a new card only
//! where none is (`If-None-Match: *`), a change only over the version the browser read
//! (`If-Match`), so an edit made elsewhere is refused as a conflict, never overwritten.

use sha2::Digest as _;
use yubin_protocol::contacts::{MAX_CONTACTS_PER_FETCH, MAX_CONTACTS_PER_IMPORT};
use yubin_protocol::{AddressBook, ApiError, CardVersion, Contact, ContactCard, ContactChanges, ErrorKind, Imported};

use crate::account::{logged_in, AccountSession};
use crate::upstream::carddav::{CardDavUpstream, Client};
use crate::vcard;

/// The largest vCard the gateway stores (a card with a photo is rarely over 200 KB).
const MAX_CARD_BYTES: usize = 1 << 20;

/// Runs `op` with a CardDAV client of the account.
async fn with_carddav<T>(
    state: &AccountSession,
    op: impl AsyncFnOnce(&Client, &CardDavUpstream) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let account = logged_in(state).await?;
    let upstream = account.server.carddav.as_ref().ok_or_else(|| {
        ApiError::new(ErrorKind::BadRequest, "no contacts for this account: its server has no CardDAV configured")
    })?;
    let client = upstream.client(&account.username, &account.credential.proof().await?)?;
    op(&client, upstream).await
}

pub async fn list_books(state: &AccountSession) -> Result<Vec<AddressBook>, ApiError> {
    with_carddav(state, async |client, upstream| {
        let books = client.address_books(upstream.start_path()).await?;
        Ok(books.into_iter().map(|(href, name, syncs)| address_book(href, name, syncs)).collect())
    })
    .await
}

pub async fn create_book(state: &AccountSession, name: String) -> Result<Vec<AddressBook>, ApiError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::new(ErrorKind::BadRequest, "an address book needs a name (one line)"));
    }
    with_carddav(state, async |client, upstream| {
        let homes = client.homes(upstream.start_path()).await?;
        let home = homes.first().map_or("/", String::as_str);
        let path = format!("{}/{}/", home.trim_end_matches('/'), uuid::Uuid::new_v4());
        client.create_book(&path, &name).await?;
        Ok(vec![address_book(path, Some(name), true)])
    })
    .await
}

pub async fn sync(state: &AccountSession, book: String, token: Option<String>) -> Result<ContactChanges, ApiError> {
    check_book(&book)?;
    with_carddav(state, async |client, _| {
        let synced = client.sync(&book, token.as_deref()).await?;
        let version = |l: crate::upstream::carddav::Listed| CardVersion { href: l.href, etag: l.etag };
        Ok(ContactChanges {
            token: synced.token,
            changed: synced.changed.into_iter().map(version).collect(),
            removed: synced.removed,
            complete: synced.complete,
        })
    })
    .await
}

pub async fn get(state: &AccountSession, book: String, hrefs: Vec<String>) -> Result<Vec<ContactCard>, ApiError> {
    check_book(&book)?;
    if hrefs.len() > MAX_CONTACTS_PER_FETCH {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("at most {MAX_CONTACTS_PER_FETCH} contacts at once")));
    }
    for href in &hrefs {
        check_card(&book, href)?;
    }
    if hrefs.is_empty() {
        return Ok(Vec::new());
    }
    with_carddav(state, async |client, _| Ok(cards(client.fetch(&book, &hrefs).await?))).await
}

pub async fn save(
    state: &AccountSession,
    book: String,
    href: Option<String>,
    etag: Option<String>,
    mut contact: Contact,
    base: Option<String>,
) -> Result<Vec<ContactCard>, ApiError> {
    check_book(&book)?;
    if contact.uid.trim().is_empty() {
        contact.uid = uuid::Uuid::new_v4().to_string();
    }
    let text = vcard::write(&contact, base.as_deref());
    if text.len() > MAX_CARD_BYTES {
        return Err(ApiError::new(ErrorKind::BadRequest, "the contact is too large (a smaller photo?)"));
    }
    let (href, etag) = match (href, etag) {
        (Some(href), Some(etag)) => (href, Some(etag)),
        (None, _) => (card_href(&book, &contact.uid), None),
        (Some(_), None) => {
            return Err(ApiError::new(ErrorKind::BadRequest, "a change needs the version it was made to"))
        }
    };
    check_card(&book, &href)?;
    with_carddav(state, async |client, _| {
        let stored = client.put(&href, text.clone(), etag.as_deref()).await?;
        as_stored(client, &book, href, stored, text).await
    })
    .await
}

pub async fn delete(state: &AccountSession, book: String, href: String, etag: String) -> Result<(), ApiError> {
    check_book(&book)?;
    check_card(&book, &href)?;
    with_carddav(state, async |client, _| client.delete(&href, &etag).await).await
}

/// Stores each card as it is (given a UID where it has none, made from its content), at a path
/// named by its UID, only
/// where none is: an import run again after a drop finds its cards there and stores nothing
/// twice.
pub async fn import(state: &AccountSession, book: String, texts: Vec<String>) -> Result<Vec<Imported>, ApiError> {
    check_book(&book)?;
    if texts.len() > MAX_CONTACTS_PER_IMPORT {
        return Err(ApiError::new(ErrorKind::BadRequest, format!("at most {MAX_CONTACTS_PER_IMPORT} cards at once")));
    }
    with_carddav(state, async |client, _| {
        let mut outcomes = Vec::with_capacity(texts.len());
        for text in texts {
            let refused = |reason: &str| Imported::Refused { reason: reason.to_owned() };
            if text.len() > MAX_CARD_BYTES {
                outcomes.push(refused("too large"));
                continue;
            }
            if vcard::read(&text).is_none() {
                outcomes.push(refused("not a vCard"));
                continue;
            }
            let (uid, text) = match vcard::uid_of(&text) {
                Some(uid) => (uid, text),
                None => {
                    // Named by its content, so that the same file imported again is found.
                    let uid = format!("yubin-{}", hex_digest(&text));
                    let text = vcard::with_uid(&text, &uid);
                    (uid, text)
                }
            };
            let href = card_href(&book, &uid);
            outcomes.push(match client.put(&href, text.clone(), None).await {
                Ok(stored) => match as_stored(client, &book, href, stored, text).await?.pop() {
                    Some(card) => Imported::Stored(Box::new(card)),
                    None => refused("the server did not keep it"),
                },
                Err(e) if e.kind == ErrorKind::Conflict => Imported::AlreadyThere { uid },
                Err(e)
                    if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Unreachable | ErrorKind::AuthFailed) =>
                {
                    return Err(e)
                }
                Err(e) => refused(&e.message),
            });
        }
        Ok(outcomes)
    })
    .await
}

/// The card just stored at `href`: the text as sent where the server gave its version, else
/// (it may have changed the card) what it keeps, read back.
async fn as_stored(
    client: &Client,
    book: &str,
    href: String,
    etag: Option<String>,
    text: String,
) -> Result<Vec<ContactCard>, ApiError> {
    Ok(match etag {
        Some(etag) => cards(vec![(href, etag, text)]),
        None => cards(client.fetch(book, std::slice::from_ref(&href)).await?),
    })
}

fn address_book(href: String, name: Option<String>, syncs: bool) -> AddressBook {
    let name = name.unwrap_or_else(|| {
        let last = href.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
        url::form_urlencoded::parse(last.as_bytes()).map(|(k, _)| k.into_owned()).next().unwrap_or_default()
    });
    AddressBook { href, name, syncs }
}

/// The fetched cards Yubin can read; one it cannot stays on the server and is logged.
fn cards(fetched: Vec<(String, String, String)>) -> Vec<ContactCard> {
    fetched
        .into_iter()
        .filter_map(|(href, etag, text)| match vcard::read(&text) {
            Some(contact) => Some(ContactCard { href, etag, contact, vcard: text }),
            None => {
                tracing::warn!(%href, "a card that is not a vCard was left out");
                None
            }
        })
        .collect()
}

/// A new card's path in `book`: its UID where that is a safe file name, else a digest of it
/// (the same UID always gets the same path, so a second import finds the first).
fn card_href(book: &str, uid: &str) -> String {
    let safe = uid.len() <= 100 && uid.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    let name = if safe && !uid.starts_with('.') { uid.to_owned() } else { hex_digest(uid) };
    format!("{}/{name}.vcf", book.trim_end_matches('/'))
}

/// 32 hex digits of SHA-256.
fn hex_digest(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A book is a path on the configured server, nothing else (no host, no way up).
fn check_book(book: &str) -> Result<(), ApiError> {
    let fine = book.starts_with('/')
        && !book.starts_with("//")
        && book.len() < 1024
        && !book.split('/').any(|part| part == ".." || part == ".")
        && !book.contains(['?', '#', '\\'])
        && !book.chars().any(char::is_control);
    if fine {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::BadRequest, "not an address book"))
    }
}

/// A card is a path inside its book.
fn check_card(book: &str, href: &str) -> Result<(), ApiError> {
    check_book(href)?;
    let inside =
        href.strip_prefix(book.trim_end_matches('/')).is_some_and(|rest| rest.starts_with('/') && rest.len() > 1);
    if inside {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::BadRequest, "that contact is not in this address book"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_and_cards_are_paths_on_the_server_and_nothing_else() {
        assert!(check_book("/alice@example.test/contacts/").is_ok());
        for bad in ["https://evil.example/", "//evil.example/x", "/a/../b/", "relative/", "/a?x", "/a\r\nHost: x"] {
            assert!(check_book(bad).is_err(), "{bad}");
        }
        assert!(check_card("/u/book/", "/u/book/x.vcf").is_ok());
        assert!(check_card("/u/book/", "/u/other/x.vcf").is_err());
        assert!(check_card("/u/book/", "/u/book/").is_err());
        assert!(check_card("/u/book", "/u/bookish/x.vcf").is_err());
    }

    #[test]
    fn a_card_is_named_by_its_uid_or_a_digest_of_it() {
        assert_eq!(card_href("/u/b/", "abc-1"), "/u/b/abc-1.vcf");
        let odd = card_href("/u/b/", "urn:uuid:../x");
        assert!(odd.starts_with("/u/b/") && odd.len() == "/u/b/".len() + 32 + 4, "{odd}");
        assert_eq!(odd, card_href("/u/b", "urn:uuid:../x"), "the same UID, the same path");
    }

    #[test]
    fn a_book_without_a_name_is_named_by_its_path() {
        assert_eq!(address_book("/u/contacts/".into(), None, true).name, "contacts");
        assert_eq!(address_book("/u/x/".into(), Some("Family".into()), false).name, "Family");
    }
}
