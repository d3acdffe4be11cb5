//! The address book: books, groups and categories beside the list (searched as the user types),
//! a contact's card, the editor, import and export. It shows what this browser keeps at once,
//! syncs with the server behind it, and writes through the gateway (every change over the
//! version it was made to: a change made elsewhere meanwhile is shown as a conflict, and
//! nothing is lost).

use std::rc::Rc;

use rexie::Rexie;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{calls, ApiError, Contact, ContactCard, ErrorKind, Imported, Labelled};
use yubin_shared::address_book;
use yubin_shared::host::Host;

use crate::book::{apply, from_sender, groups, join_vcf, matching, merge, problem, split_vcf, Edit, Filter, Kept};
use crate::files;
use crate::i18n::{tr, trf, Lang};
use crate::store::{self, BookState};
use crate::sync;

/// Rows drawn at once; the search narrows the rest.
const SHOWN: usize = 300;
/// How often a sync's arriving cards are drawn, in milliseconds.
const REDRAW_WHILE_SYNCING: f64 = 400.0;
/// Cards sent per import request.
const IMPORT_BATCH: usize = yubin_protocol::contacts::MAX_CONTACTS_PER_IMPORT;

#[derive(Properties, PartialEq)]
pub struct ContactsProps {
    pub host: Rc<Host>,
    pub lang: Lang,
    /// The account's address: its contacts database is named by it.
    pub account: String,
    /// A sender to add ("add to contacts"): `(name, address)`.
    #[prop_or_default]
    pub add: Option<(String, String)>,
    pub on_close: Callback<()>,
}

/// A contact being written: where it goes and what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Editing {
    book: String,
    /// The card as read, for a change (its version and its vCard).
    base: Option<ContactCard>,
    contact: Contact,
    problem: Option<String>,
}

/// The user's change and the server's newer version it met.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    mine: Editing,
    theirs: ContactCard,
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Quiet,
    Syncing(usize, usize),
    Done(String),
    Failed(String),
}

pub enum Msg {
    Opened(Result<Rc<Rexie>, String>),
    Loaded(Vec<BookState>, Vec<Kept>),
    Synced(Result<(Vec<BookState>, Vec<Kept>), ApiError>),
    /// The server's current cards of a book, fetched after a refused change.
    Refreshed(String, Vec<ContactCard>),
    /// A batch of the sync stored: shown at once.
    Progress(Vec<Kept>, usize, usize),
    Query(String),
    Filter(Filter),
    Select(String),
    New {
        group: bool,
    },
    Edit,
    Change(Edit),
    PhotoChosen(web_sys::File),
    Cancel,
    Save,
    Saved(Editing, Result<Vec<ContactCard>, ApiError>),
    Theirs(Editing, Result<Vec<ContactCard>, ApiError>),
    KeepTheirs,
    SaveMine,
    Delete,
    Deleted(Kept, Result<(), ApiError>),
    /// The name of an address book being made (`None`: not making one).
    NewBook(Option<String>),
    MakeBook,
    BookMade(Result<(), ApiError>),
    ImportChosen(web_sys::File),
    Imported {
        stored: Vec<Kept>,
        already: usize,
        refused: usize,
        done: usize,
        total: usize,
    },
    ImportFailed(ApiError),
    Export,
    Failed(String),
}

pub struct ContactsDialog {
    db: Option<Rc<Rexie>>,
    books: Vec<BookState>,
    cards: Vec<Kept>,
    filter: Filter,
    query: String,
    selected: Option<String>,
    editing: Option<Editing>,
    conflict: Option<Conflict>,
    status: Status,
    /// "Add to contacts" waits for the first sync to tell whether the address is known.
    adding: bool,
    /// Saved before the first sync said which books there are: saved when it has.
    save_after_sync: bool,
    /// When the list was last drawn while syncing (ms since the epoch).
    drawn: f64,
    /// The name typed for a new address book, while making one.
    new_book: Option<String>,
}

impl Component for ContactsDialog {
    type Message = Msg;
    type Properties = ContactsProps;

    fn create(ctx: &Context<Self>) -> Self {
        let (link, account) = (ctx.link().clone(), ctx.props().account.clone());
        spawn_local(async move { link.send_message(Msg::Opened(address_book::open(&account).await.map(Rc::new))) });
        let editing = ctx.props().add.as_ref().map(|(name, address)| Editing {
            book: String::new(),
            base: None,
            contact: from_sender(name, address),
            problem: None,
        });
        Self {
            db: None,
            books: Vec::new(),
            cards: Vec::new(),
            filter: Filter::All,
            query: String::new(),
            selected: None,
            editing,
            conflict: None,
            status: Status::Syncing(0, 0),
            adding: ctx.props().add.is_some(),
            save_after_sync: false,
            drawn: 0.0,
            new_book: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let lang = ctx.props().lang;
        match msg {
            Msg::Opened(Ok(db)) => {
                self.db = Some(db.clone());
                let link = ctx.link().clone();
                spawn_local(async move {
                    if let Ok((books, cards)) = store::load(&db).await {
                        link.send_message(Msg::Loaded(books, cards));
                    }
                });
                self.sync(ctx);
            }
            Msg::Opened(Err(e)) | Msg::Failed(e) => self.status = Status::Failed(e),
            Msg::Loaded(books, mut cards) => {
                // Cards the sync streamed in before the stored ones were read stay.
                let streamed = hrefs(&self.cards);
                cards.retain(|k| !streamed.contains(k.card.href.as_str()));
                cards.append(&mut self.cards);
                self.show(ctx, books, cards);
            }
            Msg::Progress(batch, done, total) => {
                let fresh = hrefs(&batch);
                self.cards.retain(|k| !fresh.contains(k.card.href.as_str()));
                self.cards.extend(batch);
                self.status = Status::Syncing(done, total);
                // A big first sync is drawn a few times a second, not once per batch.
                let now = js_sys::Date::now();
                if now - self.drawn < REDRAW_WHILE_SYNCING {
                    return false;
                }
                self.drawn = now;
            }
            Msg::Synced(Ok((books, cards))) => {
                self.show(ctx, books, cards);
                self.adding = false;
                self.status = Status::Quiet;
                if std::mem::take(&mut self.save_after_sync) {
                    ctx.link().send_message(Msg::Save);
                }
            }
            Msg::Refreshed(book, cards) => {
                let kept: Vec<Kept> = cards.into_iter().map(|card| Kept { book: book.clone(), card }).collect();
                self.selected = kept.first().map(|k| k.card.href.clone());
                self.remember(ctx, kept, &[]);
            }
            Msg::Synced(Err(e)) => self.status = Status::Failed(failure(lang, &e)),
            Msg::Query(query) => self.query = query,
            Msg::Filter(filter) => self.filter = filter,
            Msg::Select(href) => {
                self.selected = Some(href);
                self.editing = None;
                self.conflict = None;
            }
            Msg::New { group } => {
                let contact = Contact { group, ..Default::default() };
                self.editing = Some(Editing { book: self.default_book(), base: None, contact, problem: None });
                self.conflict = None;
            }
            Msg::Edit => {
                if let Some(kept) = self.selected_card() {
                    let (book, card) = (kept.book.clone(), kept.card.clone());
                    self.editing =
                        Some(Editing { book, contact: card.contact.clone(), base: Some(card), problem: None });
                }
            }
            Msg::Change(edit) => {
                if let Some(editing) = self.editing.as_mut() {
                    apply(&mut editing.contact, edit);
                    editing.problem = None;
                }
            }
            Msg::PhotoChosen(file) => {
                let link = ctx.link().clone();
                spawn_local(async move {
                    link.send_message(match files::photo_data_url(&file).await {
                        Ok(url) => Msg::Change(Edit::Photo(Some(url))),
                        Err(e) => Msg::Failed(tr(lang, e).to_owned()),
                    })
                });
            }
            Msg::Cancel => {
                self.editing = None;
                self.conflict = None;
            }
            Msg::Save => {
                let Some(mut editing) = self.editing.clone() else { return false };
                if let Some(problem) = problem(&editing.contact) {
                    editing.problem = Some(tr(lang, problem).to_owned());
                    self.editing = Some(editing);
                    return true;
                }
                if editing.book.is_empty() {
                    editing.book = self.default_book();
                }
                if editing.book.is_empty() {
                    // The first sync (which makes a book where there is none) has not ended yet.
                    self.save_after_sync = true;
                    return false;
                }
                self.save(ctx, editing);
            }
            Msg::Saved(editing, Ok(mut cards)) if !cards.is_empty() => {
                let kept = Kept { book: editing.book, card: cards.remove(0) };
                self.selected = Some(kept.card.href.clone());
                self.remember(ctx, vec![kept], &[]);
                self.editing = None;
                self.conflict = None;
                self.status = Status::Done(tr(lang, "Saved.").to_owned());
            }
            Msg::Saved(editing, Err(e)) if e.kind == ErrorKind::Conflict => self.fetch_theirs(ctx, editing),
            Msg::Saved(editing, result) => {
                let e = result.err().unwrap_or_else(|| ApiError::new(ErrorKind::Protocol, "no card"));
                self.editing = Some(Editing { problem: Some(failure(lang, &e)), ..editing });
            }
            Msg::Theirs(mine, Ok(mut theirs)) if !theirs.is_empty() => {
                let theirs = theirs.remove(0);
                self.remember(ctx, vec![Kept { book: mine.book.clone(), card: theirs.clone() }], &[]);
                self.conflict = Some(Conflict { mine, theirs });
                self.editing = None;
            }
            Msg::Theirs(mine, _) => {
                // Deleted elsewhere meanwhile: what the user wrote is kept, as a new contact.
                let problem = Some(
                    tr(lang, "This contact was deleted elsewhere meanwhile. Save to keep it as a new contact.")
                        .to_owned(),
                );
                let contact = Contact { uid: String::new(), ..mine.contact.clone() };
                if let Some(base) = &mine.base {
                    self.forget(ctx, std::slice::from_ref(&base.href));
                }
                self.editing = Some(Editing { base: None, contact, problem, ..mine });
            }
            Msg::KeepTheirs => {
                if let Some(conflict) = self.conflict.take() {
                    self.selected = Some(conflict.theirs.href);
                }
            }
            Msg::SaveMine => {
                if let Some(conflict) = self.conflict.take() {
                    let started_from = conflict.mine.base.as_ref().map(|b| b.contact.clone()).unwrap_or_default();
                    let contact = merge(&started_from, &conflict.mine.contact, &conflict.theirs.contact);
                    let editing = Editing { base: Some(conflict.theirs), contact, ..conflict.mine };
                    self.save(ctx, editing);
                }
            }
            Msg::Delete => {
                let Some(kept) = self.selected_card().cloned() else { return false };
                let question = trf(lang, "Delete {name}?", &[("name", &kept.card.contact.display_name())]);
                if !web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false) {
                    return false;
                }
                let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
                spawn_local(async move {
                    let call = calls::DeleteContact {
                        book: kept.book.clone(),
                        href: kept.card.href.clone(),
                        etag: kept.card.etag.clone(),
                    };
                    let result = host.call(call).await;
                    link.send_message(Msg::Deleted(kept, result));
                });
            }
            Msg::Deleted(kept, Ok(())) => {
                self.forget(ctx, std::slice::from_ref(&kept.card.href));
                self.selected = None;
                self.status = Status::Done(tr(lang, "Deleted.").to_owned());
            }
            Msg::Deleted(kept, Err(e)) if e.kind == ErrorKind::Conflict => {
                let text = "Not deleted: it was changed elsewhere meanwhile. Here is its newer version.";
                self.status = Status::Failed(tr(lang, text).to_owned());
                let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
                spawn_local(async move {
                    let fresh =
                        host.call(calls::GetContacts { book: kept.book.clone(), hrefs: vec![kept.card.href] }).await;
                    if let Ok(cards) = fresh {
                        link.send_message(Msg::Refreshed(kept.book, cards));
                    }
                });
            }
            Msg::Deleted(_, Err(e)) => self.status = Status::Failed(failure(lang, &e)),
            Msg::NewBook(name) => self.new_book = name,
            Msg::MakeBook => {
                let Some(name) = self.new_book.take().filter(|n| !n.trim().is_empty()) else { return true };
                let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
                spawn_local(async move {
                    let made = host.call(calls::CreateAddressBook { name }).await.map(drop);
                    link.send_message(Msg::BookMade(made));
                });
            }
            Msg::BookMade(Ok(())) => {
                self.status = Status::Syncing(0, 0);
                self.sync(ctx);
            }
            Msg::BookMade(Err(e)) => self.status = Status::Failed(failure(lang, &e)),
            Msg::ImportChosen(file) => self.import(ctx, file),
            Msg::Imported { stored, already, refused, done, total } => {
                self.remember(ctx, stored, &[]);
                self.status = if done < total {
                    Status::Syncing(done, total)
                } else {
                    let summary = trf(
                        lang,
                        "Imported {stored} of {total} ({already} already there, {refused} not readable).",
                        &[
                            ("stored", &(total - already - refused)),
                            ("total", &total),
                            ("already", &already),
                            ("refused", &refused),
                        ],
                    );
                    Status::Done(summary)
                };
            }
            Msg::ImportFailed(e) => self.status = Status::Failed(failure(lang, &e)),
            Msg::Export => {
                let shown = matching(&self.cards, &self.filter, &self.query);
                if let Err(e) = files::download("contacts.vcf", "text/vcard", &join_vcf(shown)) {
                    self.status = Status::Failed(e);
                }
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = ctx.props().lang;
        let close = ctx.props().on_close.reform(|_: MouseEvent| ());
        html! {
            <div class="composer-backdrop">
                <section id="contacts" class="contacts" role="dialog" aria-labelledby="contacts-title">
                    <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={close}>{ "×" }</button>
                    <h1 id="contacts-title">{ tr(lang, "Contacts") }</h1>
                    { self.toolbar(ctx) }
                    <div class="contacts-panes">
                        { self.sidebar(ctx) }
                        { self.list(ctx) }
                        <div class="contact-pane">{ self.pane(ctx) }</div>
                    </div>
                    { self.status(lang) }
                </section>
            </div>
        }
    }
}

impl ContactsDialog {
    fn show(&mut self, ctx: &Context<Self>, books: Vec<BookState>, cards: Vec<Kept>) {
        self.books = books;
        self.cards = cards;
        // "Add to contacts" for an address already in the book opens that contact instead.
        let Some((_, address)) = ctx.props().add.as_ref().filter(|_| self.adding) else { return };
        let address = address.trim().to_lowercase();
        let known =
            self.cards.iter().find(|k| k.card.contact.emails.iter().any(|e| e.value.trim().to_lowercase() == address));
        if let Some(known) = known {
            self.selected = Some(known.card.href.clone());
            self.editing = None;
            self.adding = false;
        }
    }

    fn sync(&self, ctx: &Context<Self>) {
        let Some(db) = self.db.clone() else { return };
        let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
        spawn_local(async move {
            let progress = {
                let link = link.clone();
                move |batch, done, total| link.send_message(Msg::Progress(batch, done, total))
            };
            link.send_message(Msg::Synced(sync::sync(&host, &db, &progress).await));
        });
    }

    fn default_book(&self) -> String {
        match &self.filter {
            Filter::Book(book) => book.clone(),
            _ => self.books.first().map(|b| b.book.href.clone()).unwrap_or_default(),
        }
    }

    fn selected_card(&self) -> Option<&Kept> {
        let href = self.selected.as_ref()?;
        self.cards.iter().find(|k| k.card.href == *href)
    }

    fn save(&self, ctx: &Context<Self>, editing: Editing) {
        let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
        spawn_local(async move {
            let call = calls::SaveContact {
                book: editing.book.clone(),
                href: editing.base.as_ref().map(|b| b.href.clone()),
                etag: editing.base.as_ref().map(|b| b.etag.clone()),
                contact: Box::new(editing.contact.clone()),
                vcard: editing.base.as_ref().map(|b| b.vcard.clone()),
            };
            let result = host.call(call).await;
            link.send_message(Msg::Saved(editing, result));
        });
    }

    fn fetch_theirs(&self, ctx: &Context<Self>, mine: Editing) {
        let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
        spawn_local(async move {
            let href = mine.base.as_ref().map(|b| b.href.clone()).unwrap_or_default();
            let theirs = host.call(calls::GetContacts { book: mine.book.clone(), hrefs: vec![href] }).await;
            link.send_message(Msg::Theirs(mine, theirs));
        });
    }

    /// Keeps `cards` (new or changed here) and forgets `gone`, in view and in the browser.
    fn remember(&mut self, ctx: &Context<Self>, cards: Vec<Kept>, gone: &[String]) {
        let fresh = hrefs(&cards);
        self.cards.retain(|k| !gone.contains(&k.card.href) && !fresh.contains(k.card.href.as_str()));
        self.cards.extend(cards.iter().cloned());
        let Some(db) = self.db.clone() else { return };
        let (all, gone, link) = (self.cards.clone(), gone.to_vec(), ctx.link().clone());
        spawn_local(async move {
            let stored = async {
                store::put_cards(&db, &cards).await?;
                store::remove_cards(&db, &gone).await
            };
            if let Err(e) = stored.await {
                link.send_message(Msg::Failed(e));
            }
            sync::refresh_suggestions(&db, &all).await;
        });
    }

    fn forget(&mut self, ctx: &Context<Self>, gone: &[String]) {
        self.remember(ctx, Vec::new(), gone);
    }

    /// Reads the file, splits it into cards and stores them in batches, reporting as it goes.
    fn import(&mut self, ctx: &Context<Self>, file: web_sys::File) {
        let book = self.default_book();
        let (link, host) = (ctx.link().clone(), ctx.props().host.clone());
        self.status = Status::Syncing(0, 0);
        spawn_local(async move {
            let text = match files::text(&file).await {
                Ok(text) => text,
                Err(e) => return link.send_message(Msg::Failed(e)),
            };
            let cards = split_vcf(&text);
            let (total, mut done, mut already, mut refused) = (cards.len(), 0, 0, 0);
            if total == 0 {
                return link
                    .send_message(Msg::ImportFailed(ApiError::new(ErrorKind::BadRequest, "no vCard in this file")));
            }
            for batch in cards.chunks(IMPORT_BATCH) {
                let outcomes =
                    match host.call(calls::ImportContacts { book: book.clone(), cards: batch.to_vec() }).await {
                        Ok(outcomes) => outcomes,
                        Err(e) => return link.send_message(Msg::ImportFailed(e)),
                    };
                let mut stored = Vec::new();
                for outcome in outcomes {
                    match outcome {
                        Imported::Stored(card) => stored.push(Kept { book: book.clone(), card: *card }),
                        Imported::AlreadyThere { .. } => already += 1,
                        Imported::Refused { .. } => refused += 1,
                    }
                }
                done += batch.len();
                link.send_message(Msg::Imported { stored, already, refused, done, total });
            }
        });
    }

    fn toolbar(&self, ctx: &Context<Self>) -> Html {
        let lang = ctx.props().lang;
        let link = ctx.link();
        let on_import = link.batch_callback(|e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let file = input.files().and_then(|f| f.get(0));
            input.set_value("");
            file.map(Msg::ImportChosen)
        });
        html! {
            <div class="buttons contacts-toolbar">
                <input id="contacts-search" type="search" value={self.query.clone()} placeholder={tr(lang, "Search contacts")}
                    aria-label={tr(lang, "Search contacts")}
                    oninput={link.callback(|e: InputEvent| Msg::Query(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                <button id="contacts-new" type="button" onclick={link.callback(|_| Msg::New { group: false })}>{ tr(lang, "New contact") }</button>
                <button id="contacts-new-group" type="button" onclick={link.callback(|_| Msg::New { group: true })}>{ tr(lang, "New group") }</button>
                <label class="button">{ tr(lang, "Import…") }
                    <input id="contacts-import" type="file" accept=".vcf,text/vcard,text/x-vcard" class="visually-hidden" onchange={on_import} />
                </label>
                <button id="contacts-export" type="button" onclick={link.callback(|_| Msg::Export)}>{ tr(lang, "Export") }</button>
            </div>
        }
    }

    fn sidebar(&self, ctx: &Context<Self>) -> Html {
        let lang = ctx.props().lang;
        let item = |filter: Filter, label: String, count: Option<usize>| {
            let current = self.filter == filter;
            let pick = ctx.link().callback(move |_| Msg::Filter(filter.clone()));
            html! {
                <li><button type="button" class={classes!("link", current.then_some("current"))} aria-pressed={current.to_string()} onclick={pick}>
                    <bdi>{ label }</bdi>
                    if let Some(count) = count { <span class="count">{ count }</span> }
                </button></li>
            }
        };
        let all = item(
            Filter::All,
            tr(lang, "All contacts").to_owned(),
            Some(self.cards.iter().filter(|k| !k.card.contact.group).count()),
        );
        let books = self.books.iter().map(|b| item(Filter::Book(b.book.href.clone()), b.book.name.clone(), None));
        let groups = groups(&self.cards).into_iter().map(|(filter, name)| item(filter, name, None));
        let link = ctx.link();
        let new_book = match &self.new_book {
            None => html! {
                <button id="contacts-new-book" type="button" class="link" onclick={link.callback(|_| Msg::NewBook(Some(String::new())))}>
                    { tr(lang, "New address book…") }
                </button>
            },
            Some(name) => html! {
                <form class="new-book" onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::MakeBook })}>
                    <input id="contacts-book-name" type="text" value={name.clone()} aria-label={tr(lang, "Name of the new address book")}
                        oninput={link.callback(|e: InputEvent| Msg::NewBook(Some(e.target_unchecked_into::<HtmlInputElement>().value())))} />
                    <button id="contacts-book-make" type="submit">{ tr(lang, "Make") }</button>
                    <button type="button" class="link" onclick={link.callback(|_| Msg::NewBook(None))}>{ tr(lang, "Cancel") }</button>
                </form>
            },
        };
        html! {
            <nav class="contacts-sidebar" aria-label={tr(lang, "Address books and groups")}>
                <ul>
                    { all }
                    if self.books.len() > 1 { { for books } }
                    { for groups }
                </ul>
                { new_book }
            </nav>
        }
    }

    fn list(&self, ctx: &Context<Self>) -> Html {
        let lang = ctx.props().lang;
        let shown = matching(&self.cards, &self.filter, &self.query);
        let more = shown.len().saturating_sub(SHOWN);
        let row = |kept: &&Kept| {
            let contact = &kept.card.contact;
            let href = kept.card.href.clone();
            let current = self.selected.as_deref() == Some(href.as_str());
            let first = contact.emails.first().map(|e| e.value.clone()).unwrap_or_default();
            html! {
                <li key={href.clone()} class={classes!("contact-row", current.then_some("current"))}>
                    <button type="button" class="link" aria-current={current.then_some("true")}
                        onclick={ctx.link().callback(move |_| Msg::Select(href.clone()))}>
                        <span class="name"><bdi>{ if contact.group { format!("👥 {}", contact.display_name()) } else { contact.display_name() } }</bdi></span>
                        <span class="address"><bdi>{ first }</bdi></span>
                    </button>
                </li>
            }
        };
        html! {
            <div class="contacts-list">
                if shown.is_empty() {
                    <p class="hint" id="contacts-empty">{
                        if self.cards.is_empty() { tr(lang, "No contacts yet.") } else { tr(lang, "No contact matches.") }
                    }</p>
                }
                <ul id="contacts-list" aria-label={tr(lang, "Contacts")}>{ for shown.iter().take(SHOWN).map(row) }</ul>
                if more > 0 {
                    <p class="hint">{ trf(lang, "{count} more: search to narrow.", &[("count", &more)]) }</p>
                }
            </div>
        }
    }

    fn pane(&self, ctx: &Context<Self>) -> Html {
        if let Some(conflict) = &self.conflict {
            return self.conflict_view(ctx, conflict);
        }
        if let Some(editing) = &self.editing {
            return self.editor(ctx, editing);
        }
        match self.selected_card() {
            Some(kept) => self.card(ctx, kept),
            None => html! {},
        }
    }

    fn card(&self, ctx: &Context<Self>, kept: &Kept) -> Html {
        let lang = ctx.props().lang;
        let c = &kept.card.contact;
        let reading = format!("{} {}", c.phonetic_family, c.phonetic_given).trim().to_owned();
        let labelled = |list: &[Labelled], class: &'static str| {
            list.iter()
                .map(|l| html! {
                    <li class={class}><span class="label">{ label_text(lang, &l.label) }</span> <bdi>{ &l.value }</bdi></li>
                })
                .collect::<Html>()
        };
        let members = c.members.iter().filter_map(|uid| self.cards.iter().find(|k| k.card.contact.uid == *uid));
        let organization = [c.organization.as_str(), c.title.as_str()]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · ");
        html! {
            <article id="contact-card" class="contact-card">
                if let Some(photo) = &c.photo { <img class="photo" src={photo.clone()} alt="" /> }
                <h2 id="contact-name"><bdi>{ c.display_name() }</bdi></h2>
                if !reading.is_empty() { <p class="reading"><bdi>{ reading }</bdi></p> }
                if !organization.is_empty() { <p><bdi>{ organization }</bdi></p> }
                <ul class="details">
                    { labelled(&c.emails, "email") }
                    { labelled(&c.phones, "phone") }
                    if !c.birthday.is_empty() { <li><span class="label">{ tr(lang, "Birthday") }</span> { &c.birthday }</li> }
                    if !c.categories.is_empty() { <li><span class="label">{ tr(lang, "Groups") }</span> <bdi>{ c.categories.join(", ") }</bdi></li> }
                </ul>
                if c.group {
                    <ul class="members">{ for members.map(|m| html! { <li><bdi>{ m.card.contact.display_name() }</bdi></li> }) }</ul>
                }
                if !c.note.is_empty() { <p class="note"><bdi>{ &c.note }</bdi></p> }
                <div class="buttons">
                    <button id="contact-edit" type="button" onclick={ctx.link().callback(|_| Msg::Edit)}>{ tr(lang, "Edit") }</button>
                    <button id="contact-delete" type="button" class="danger" onclick={ctx.link().callback(|_| Msg::Delete)}>{ tr(lang, "Delete") }</button>
                </div>
            </article>
        }
    }

    fn editor(&self, ctx: &Context<Self>, editing: &Editing) -> Html {
        let lang = ctx.props().lang;
        let link = ctx.link();
        let c = &editing.contact;
        let text = |id: &'static str, label: &'static str, value: &str, edit: fn(String) -> Edit| {
            html! {
                <label>{ tr(lang, label) }
                    <input id={id} type="text" value={value.to_owned()}
                        oninput={link.callback(move |e: InputEvent| Msg::Change(edit(e.target_unchecked_into::<HtmlInputElement>().value())))} />
                </label>
            }
        };
        let list = |kind: &'static str,
                    items: &[Labelled],
                    labels: &'static [&'static str],
                    set: fn(usize, Labelled) -> Edit,
                    remove: fn(usize) -> Edit| {
            items.iter().enumerate().map(|(i, item)| {
                let value = item.clone();
                let on_label = {
                    let value = value.clone();
                    link.callback(move |e: Event| Msg::Change(set(i, Labelled { label: e.target_unchecked_into::<HtmlSelectElement>().value(), ..value.clone() })))
                };
                let on_value = link.callback(move |e: InputEvent| {
                    Msg::Change(set(i, Labelled { value: e.target_unchecked_into::<HtmlInputElement>().value(), ..value.clone() }))
                });
                html! {
                    <div class="labelled-row">
                        <select aria-label={tr(lang, "Kind")} onchange={on_label}>
                            { for labels.iter().chain((!labels.contains(&item.label.as_str())).then_some(&item.label.as_str())).map(|l| html! {
                                <option value={l.to_string()} selected={*l == item.label}>{ label_text(lang, l) }</option>
                            }) }
                        </select>
                        <input id={format!("contact-{kind}-{i}")} type={if kind == "email" { "email" } else { "tel" }} value={item.value.clone()} oninput={on_value} />
                        <button type="button" class="link" aria-label={tr(lang, "Remove")} onclick={link.callback(move |_| Msg::Change(remove(i)))}>{ "×" }</button>
                    </div>
                }
            }).collect::<Html>()
        };
        let on_photo = link.batch_callback(|e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            input.files().and_then(|f| f.get(0)).map(Msg::PhotoChosen)
        });
        let on_note = link.callback(|e: InputEvent| {
            Msg::Change(Edit::Note(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
        });
        let people = self.cards.iter().filter(|k| !k.card.contact.group);
        html! {
            <form id="contact-editor" class="contact-editor" novalidate=true onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::Save })}>
                <h2>{ tr(lang, if c.group { "Group" } else if editing.base.is_some() { "Edit contact" } else { "New contact" }) }</h2>
                if c.group {
                    { text("contact-full-name", "Name", &c.full_name, Edit::FullName) }
                    <fieldset class="members-picker"><legend>{ tr(lang, "Members") }</legend>
                        { for people.map(|k| {
                            let uid = k.card.contact.uid.clone();
                            let member = c.members.contains(&uid);
                            html! { <label class="check"><input type="checkbox" checked={member}
                                onchange={link.callback(move |_| Msg::Change(Edit::Member(uid.clone(), !member)))} />
                                <bdi>{ k.card.contact.display_name() }</bdi></label> }
                        }) }
                    </fieldset>
                } else {
                    <div class="name-grid">
                        { text("contact-family", "Family name", &c.family, Edit::Family) }
                        { text("contact-given", "Given name", &c.given, Edit::Given) }
                        { text("contact-phonetic-family", "Family name reading", &c.phonetic_family, Edit::PhoneticFamily) }
                        { text("contact-phonetic-given", "Given name reading", &c.phonetic_given, Edit::PhoneticGiven) }
                    </div>
                    { text("contact-full-name", "Name shown (if not the above)", &c.full_name, Edit::FullName) }
                    { text("contact-nickname", "Nickname", &c.nickname, Edit::Nickname) }
                    <fieldset><legend>{ tr(lang, "E-mail") }</legend>
                        { list("email", &c.emails, &["", "home", "work", "other"], Edit::Email, Edit::RemoveEmail) }
                        <button id="contact-add-email" type="button" class="link" onclick={link.callback(|_| Msg::Change(Edit::AddEmail))}>{ tr(lang, "Add an address") }</button>
                    </fieldset>
                    <fieldset><legend>{ tr(lang, "Phone") }</legend>
                        { list("phone", &c.phones, &["", "cell", "home", "work", "fax", "other"], Edit::Phone, Edit::RemovePhone) }
                        <button id="contact-add-phone" type="button" class="link" onclick={link.callback(|_| Msg::Change(Edit::AddPhone))}>{ tr(lang, "Add a number") }</button>
                    </fieldset>
                    { text("contact-organization", "Organization", &c.organization, Edit::Organization) }
                    { text("contact-title", "Title", &c.title, Edit::Title) }
                    { text("contact-birthday", "Birthday (YYYY-MM-DD)", &c.birthday, Edit::Birthday) }
                    { text("contact-categories", "Groups (separated by commas)", &c.categories.join(", "), Edit::Categories) }
                    <label>{ tr(lang, "Note") }<textarea id="contact-note" value={c.note.clone()} oninput={on_note} /></label>
                    <div class="photo-row">
                        if let Some(photo) = &c.photo { <img class="photo" src={photo.clone()} alt="" /> }
                        <label class="button">{ tr(lang, "Choose a photo…") }<input type="file" accept="image/*" class="visually-hidden" onchange={on_photo} /></label>
                        if c.photo.is_some() {
                            <button type="button" class="link" onclick={link.callback(|_| Msg::Change(Edit::Photo(None)))}>{ tr(lang, "Remove the photo") }</button>
                        }
                    </div>
                }
                if let Some(problem) = &editing.problem { <p class="form-error" role="alert" id="contact-problem">{ problem }</p> }
                <div class="buttons">
                    <button id="contact-save" type="submit" class="primary">{ tr(lang, "Save") }</button>
                    <button type="button" onclick={link.callback(|_| Msg::Cancel)}>{ tr(lang, "Cancel") }</button>
                </div>
            </form>
        }
    }

    fn conflict_view(&self, ctx: &Context<Self>, conflict: &Conflict) -> Html {
        let lang = ctx.props().lang;
        let summary = |c: &Contact| {
            let addresses: Vec<&str> = c.emails.iter().map(|e| e.value.as_str()).collect();
            let phones: Vec<&str> = c.phones.iter().map(|p| p.value.as_str()).collect();
            html! {
                <ul>
                    <li><bdi>{ c.display_name() }</bdi></li>
                    if !addresses.is_empty() { <li><bdi>{ addresses.join(", ") }</bdi></li> }
                    if !phones.is_empty() { <li><bdi>{ phones.join(", ") }</bdi></li> }
                    if !c.note.is_empty() { <li><bdi>{ &c.note }</bdi></li> }
                </ul>
            }
        };
        html! {
            <div id="contact-conflict" class="contact-conflict" role="alert">
                <h2>{ tr(lang, "Changed elsewhere meanwhile") }</h2>
                <p>{ tr(lang, "This contact was changed on the server while you were editing it. Nothing was overwritten: add your changes to the server's version, or keep the server's as it is.") }</p>
                <div class="versions">
                    <section id="conflict-mine"><h3>{ tr(lang, "Your version") }</h3>{ summary(&conflict.mine.contact) }</section>
                    <section id="conflict-theirs"><h3>{ tr(lang, "The server's version") }</h3>{ summary(&conflict.theirs.contact) }</section>
                </div>
                <div class="buttons">
                    <button id="conflict-save-mine" type="button" class="primary" onclick={ctx.link().callback(|_| Msg::SaveMine)}>{ tr(lang, "Add my changes to it") }</button>
                    <button id="conflict-keep-theirs" type="button" onclick={ctx.link().callback(|_| Msg::KeepTheirs)}>{ tr(lang, "Keep the server's") }</button>
                </div>
            </div>
        }
    }

    fn status(&self, lang: Lang) -> Html {
        let (class, text) = match &self.status {
            Status::Quiet => return html! {},
            Status::Syncing(_, 0) => ("hint", tr(lang, "Bringing contacts up to date…").to_owned()),
            Status::Syncing(done, total) => {
                ("hint", trf(lang, "{done} of {total} contacts…", &[("done", done), ("total", total)]))
            }
            Status::Done(text) => ("hint", text.clone()),
            Status::Failed(text) => ("form-error", text.clone()),
        };
        html! { <p id="contacts-status" class={classes!("status", class)} role="status">{ text }</p> }
    }
}

/// The cards' paths, to tell quickly whether a card is among them.
fn hrefs(cards: &[Kept]) -> std::collections::HashSet<&str> {
    cards.iter().map(|k| k.card.href.as_str()).collect()
}

/// A label as the user reads it.
fn label_text(lang: Lang, label: &str) -> String {
    let known = match label {
        "" => "—",
        "home" => "Home",
        "work" => "Work",
        "other" => "Other",
        "cell" => "Mobile",
        "fax" => "Fax",
        _ => return label.to_owned(),
    };
    tr(lang, known).to_owned()
}

fn failure(lang: Lang, e: &ApiError) -> String {
    match e.kind {
        ErrorKind::ConnectionLost | ErrorKind::Unreachable => {
            format!(
                "{} ({})",
                tr(lang, "The contacts server cannot be reached now; what this browser keeps is shown."),
                e.message
            )
        }
        _ => e.message.clone(),
    }
}
