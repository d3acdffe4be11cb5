//! Writing a message: recipients with checks and suggestions, attachments uploaded with
//! progress, autosave, and sending that never loses what was typed.
//!
//! Every pause in typing stores the draft in the browser (with its files); a little later it
//! is also saved to the account's Drafts folder. A refused send leaves everything in place
//! with the server's words; a send while the gateway is unreachable goes to the outbox.
//!
//! Encrypted or signed mail (OpenPGP) is made by the browser's worker at "Send", from what is
//! written and the files in the browser; while "Encrypt" is ticked nothing written reaches the
//! gateway before that: no draft on the server, no file uploaded.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use yubin_protocol::text::visible_controls;

use web_sys::{Blob, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::{
    calls, ApiError, Autocrypt, ComposeInfo, ErrorKind, MessageView, SentReceipt, Uid, MAX_RICH_BODY_BYTES,
};

use super::openpgp_sending::OpenPgpOptions;
use super::rich_editor::RichEditor;
use super::templates_menu::TemplatesMenu;

use crate::connection::Connection;
use crate::drafting::{self, Draft, DraftAttachment, SealedBody};
use crate::format;
use crate::i18n::{tr, trf, Lang};
use crate::local_store::{self, Shelf, Stored};
use crate::openpgp_worker;
use crate::upload::{new_message_id, unique_id, upload_blob};
use yubin_shared::address_book::Suggestion;

/// Quiet time after the last keystroke before the draft is stored in the browser.
const LOCAL_SAVE_DELAY: Duration = Duration::from_millis(600);
/// Quiet time before the draft is saved to the server's Drafts folder.
const SERVER_SAVE_DELAY: Duration = Duration::from_secs(3);
/// Most suggestions shown under a recipient field.
const SUGGESTIONS: usize = 6;

/// How the composer ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ComposeOutcome {
    Sent(SentReceipt),
    /// Sent, to go out at `send_at` (ms since the epoch) unless undone: it waits in the outbox.
    Delayed {
        message_id: String,
        send_at: f64,
    },
    /// Waits in Drafts to be sent at `send_at` (unix seconds) by any open Yubin.
    Scheduled {
        send_at: i64,
    },
    /// The gateway was unreachable: the message waits in the outbox.
    Queued,
    /// Closed; the draft stays saved (or was blank).
    Closed,
    Discarded,
}

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    pub connection: Option<Connection>,
    /// The keyserver the gateway looks OpenPGP keys up on, if any.
    #[prop_or_default]
    pub keyserver: Option<AttrValue>,
    /// Changes on every (re)login: uploads held by an earlier gateway session are gone.
    pub epoch: u32,
    /// The account's own address, the default From.
    pub identity: String,
    pub start: Rc<Stored>,
    /// Addresses seen in mail, for suggestions.
    pub contacts: Rc<Vec<String>>,
    /// The account's address book, for suggestions before the addresses seen.
    #[prop_or_default]
    pub address_book: Rc<Vec<Suggestion>>,
    pub on_done: Callback<ComposeOutcome>,
    /// Seconds a sent message waits in the outbox, to be undone (0: sent at once).
    #[prop_or_default]
    pub undo_seconds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    From,
    To,
    Cc,
    Bcc,
    Subject,
    Text,
}

pub enum Msg {
    Lang(Lang),
    Edit(Field, String),
    Focus(Option<Field>),
    Pick(Field, String),
    ShowCopies,
    AddFiles(Vec<web_sys::File>),
    Progress(String, u32, u64),
    Uploaded(String, u32, Result<(), ApiError>),
    Remove(String),
    SaveLocal(u64),
    SaveServer(u64),
    SavedServer(Result<(String, Option<Uid>), ApiError>),
    Info(Result<ComposeInfo, ApiError>),
    Send,
    SendResult(Result<SentReceipt, ApiError>),
    Queued(Result<(), String>),
    Close,
    Discard,
    /// The formatted text changed: its HTML and its text as shown.
    Rich(String, String),
    /// Formatting on or off (off asks first: the formatting is lost).
    Formatted(bool),
    /// Remote images left out of a paste or quote.
    DroppedImages(u32),
    /// "Send later" opened (with a time to start from) or closed.
    Later(Option<String>),
    /// The time chosen to send at (`datetime-local`, local time).
    LaterAt(String),
    Schedule,
    /// Scheduled to go at this time (unix seconds), or why not.
    Scheduled(Result<i64, ApiError>),
    /// A template picked from the menu, to put into the message.
    InsertTemplate(Box<MessageView>),
    /// Keep the message as a template.
    SaveTemplate,
    TemplateSaved(Result<(String, Option<Uid>), ApiError>),
    Encrypt(bool),
    Sign(bool),
    /// The passphrase that unlocks the sender's key for signing (never stored).
    Passphrase(String),
    /// What the OpenPGP worker made of the message at "Send" (and the sender's key to
    /// announce), or why it could not.
    Sealed(Result<(SealedBody, Option<Autocrypt>), String>),
    /// The sender's key to announce in plain mail, if this browser has one.
    Announced(Option<Autocrypt>),
}

/// Where a local file stands with the gateway.
#[derive(Debug, Clone, PartialEq)]
struct UploadState {
    /// The login epoch it was uploaded in; older uploads are gone with their session.
    epoch: u32,
    id: String,
    done: u64,
    finished: bool,
    error: Option<String>,
}

pub struct Composer {
    lang: Lang,
    _lang_listener: Option<ContextHandle<Lang>>,
    draft: Draft,
    files: Vec<(String, Blob)>,
    uploads: HashMap<String, UploadState>,
    info: Option<ComposeInfo>,
    show_copies: bool,
    focus: Option<Field>,
    /// Bumped on every change; a delayed save runs only if nothing changed since.
    generation: u64,
    saved_on_server: u64,
    status: String,
    sending: bool,
    error: Option<ApiError>,
    invalid: Vec<(&'static str, String)>,
    /// Bumped when the body is replaced from outside the editor (a template put in): the
    /// formatted editor starts again from the new HTML.
    body_revision: u32,
    /// The time chosen for "Send later", while it is being chosen.
    later: Option<String>,
    /// The passphrase for signing, as typed; dropped once used.
    passphrase: String,
    /// Whether this browser's keys were asked for the sender's key to announce since the last
    /// change (see `Draft::announce`).
    announce_checked: bool,
}

impl Component for Composer {
    type Message = Msg;
    type Properties = ComposerProps;

    fn create(ctx: &Context<Self>) -> Self {
        let start = &ctx.props().start;
        let (lang, lang_listener) = ctx.link().context::<Lang>(ctx.link().callback(Msg::Lang)).unzip();
        let mut composer = Self {
            lang: lang.unwrap_or_default(),
            _lang_listener: lang_listener,
            show_copies: !start.draft.cc.is_empty() || !start.draft.bcc.is_empty(),
            draft: start.draft.clone(),
            files: start.files.clone(),
            uploads: HashMap::new(),
            info: None,
            focus: None,
            generation: 0,
            saved_on_server: 0,
            status: String::new(),
            sending: false,
            error: None,
            invalid: Vec::new(),
            body_revision: 0,
            later: None,
            passphrase: String::new(),
            announce_checked: false,
        };
        if composer.draft.from.is_empty() {
            composer.draft.from = ctx.props().identity.clone();
        }
        composer.ask_info(ctx);
        composer.upload_missing(ctx);
        composer
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        if ctx.props().epoch != old.epoch {
            // A new gateway session: upload the files again, and look at the limits again.
            self.ask_info(ctx);
            self.upload_missing(ctx);
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Lang(lang) => self.lang = lang,
            Msg::Edit(field, value) => {
                *self.field_mut(field) = value;
                self.invalid.clear();
                self.changed_draft(ctx);
            }
            Msg::Focus(field) => self.focus = field,
            Msg::Pick(field, chosen) => {
                let text = self.field_mut(field);
                *text = drafting::complete_last(text, &chosen);
                self.changed_draft(ctx);
            }
            Msg::ShowCopies => self.show_copies = true,
            Msg::AddFiles(files) => self.add_files(ctx, files),
            Msg::Progress(key, epoch, done) => {
                if let Some(state) = self.uploads.get_mut(&key).filter(|s| s.epoch == epoch) {
                    state.done = done;
                }
            }
            Msg::Uploaded(key, epoch, result) => {
                if let Some(state) = self.uploads.get_mut(&key).filter(|s| s.epoch == epoch) {
                    match result {
                        Ok(()) => state.finished = true,
                        Err(e) => state.error = Some(e.message),
                    }
                }
                self.schedule_server_save(ctx);
            }
            Msg::Remove(key) => self.remove_attachment(ctx, &key),
            Msg::SaveLocal(generation) => {
                if generation == self.generation {
                    self.save_locally();
                }
                return false;
            }
            Msg::SaveServer(generation) => {
                if generation == self.generation && generation != self.saved_on_server {
                    self.save_on_server(ctx, generation);
                }
                return false;
            }
            Msg::SavedServer(Ok((folder, uid))) => {
                if let Some(uid) = uid {
                    self.draft.rebase_on_saved(&folder, uid);
                    self.save_locally();
                }
                self.status = trf(self.lang, "Draft saved in {folder}", &[("folder", &folder)]);
            }
            Msg::SavedServer(Err(e)) => {
                // Still safe in the browser; say so rather than alarm.
                self.status = trf(self.lang, "Draft kept in this browser (server: {error})", &[("error", &e.message)]);
            }
            Msg::Info(Ok(info)) => self.info = Some(info),
            // Without it no draft goes to the server: say so rather than go quiet.
            Msg::Info(Err(e)) => {
                self.status = trf(self.lang, "Draft kept in this browser (server: {error})", &[("error", &e.message)]);
            }
            Msg::Send => self.send(ctx),
            Msg::SendResult(Ok(receipt)) => {
                let id = self.draft.message_id.clone();
                spawn_local(async move {
                    let _ = local_store::remove(Shelf::Drafts, &id).await;
                });
                ctx.props().on_done.emit(ComposeOutcome::Sent(receipt));
            }
            Msg::SendResult(Err(e)) if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Unreachable) => {
                self.queue(ctx);
            }
            Msg::SendResult(Err(e)) => {
                self.sending = false;
                self.error = Some(e);
            }
            Msg::Queued(Ok(())) => ctx.props().on_done.emit(match self.draft.send_at {
                Some(send_at) => ComposeOutcome::Delayed { message_id: self.draft.message_id.clone(), send_at },
                None => ComposeOutcome::Queued,
            }),
            Msg::Queued(Err(e)) => {
                self.sending = false;
                self.error = Some(ApiError::new(
                    ErrorKind::ConnectionLost,
                    trf(self.lang, "Not sent, and {error}", &[("error", &e)]),
                ));
            }
            Msg::Close => {
                if self.draft.is_blank() {
                    self.forget(ctx);
                } else {
                    self.save_locally();
                    if self.generation != self.saved_on_server {
                        self.save_on_server(ctx, self.generation);
                    }
                }
                ctx.props().on_done.emit(ComposeOutcome::Closed);
            }
            Msg::Discard => {
                self.forget(ctx);
                ctx.props().on_done.emit(ComposeOutcome::Discarded);
            }
            Msg::Rich(html, text) => {
                self.draft.html = Some(html);
                self.draft.text = text;
                self.changed_draft(ctx);
                return false;
            }
            Msg::Formatted(true) => {
                self.draft.make_formatted(None);
                self.changed_draft(ctx);
            }
            Msg::Formatted(false) => {
                let lose = tr(self.lang, "Switch to plain text? Bold, lists, links and pictures are lost.");
                let confirmed = || web_sys::window().and_then(|w| w.confirm_with_message(lose).ok()).unwrap_or(false);
                if self.draft.html.is_some() && !confirmed() {
                    return false;
                }
                self.draft.html = None;
                self.changed_draft(ctx);
            }
            Msg::Later(later) => self.later = later,
            Msg::LaterAt(at) => {
                self.later = Some(at);
                return false;
            }
            Msg::Schedule => self.schedule(ctx),
            Msg::Scheduled(Ok(send_at)) => {
                let id = self.draft.message_id.clone();
                spawn_local(async move {
                    let _ = local_store::remove(Shelf::Drafts, &id).await;
                });
                ctx.props().on_done.emit(ComposeOutcome::Scheduled { send_at });
            }
            Msg::Scheduled(Err(e)) => {
                self.sending = false;
                self.error = Some(e);
            }
            Msg::InsertTemplate(template) => {
                self.draft.insert_template(&template);
                self.body_revision += 1;
                self.changed_draft(ctx);
            }
            Msg::SaveTemplate => self.save_template(ctx),
            Msg::TemplateSaved(Ok((folder, _))) => {
                self.status = trf(self.lang, "Kept as a template in {folder}", &[("folder", &folder)]);
            }
            Msg::TemplateSaved(Err(e)) => self.error = Some(e),
            Msg::Encrypt(on) => {
                self.draft.encrypt = on;
                if on {
                    // What went to the gateway before is taken back: the files uploaded, and
                    // the draft saved in Drafts (it would stay there readable beside the
                    // encrypted message). From now on it is kept in this browser only.
                    self.discard_uploads(ctx);
                    // (Unless files forwarded from the server are read from that copy; such a
                    // message cannot be encrypted yet, and says so at "Send".)
                    if self.draft.attachments.iter().all(|a| a.on_server.is_none()) {
                        self.delete_server_draft(ctx);
                    }
                } else {
                    // Back to plain mail: the files go to the gateway as they would have.
                    self.upload_missing(ctx);
                }
                self.changed_draft(ctx);
            }
            Msg::Sign(on) => {
                self.draft.sign = on;
                self.changed_draft(ctx);
            }
            Msg::Passphrase(passphrase) => {
                self.passphrase = passphrase;
                return false;
            }
            Msg::Sealed(Ok((sealed, autocrypt))) => {
                self.passphrase.clear();
                self.draft.sealed = Some(sealed);
                self.draft.announce = autocrypt;
                self.announce_checked = true;
                self.send(ctx);
            }
            Msg::Announced(autocrypt) => {
                self.draft.announce = autocrypt;
                self.announce_checked = true;
                self.send(ctx);
            }
            Msg::Sealed(Err(why)) => {
                self.sending = false;
                self.error = Some(ApiError::new(ErrorKind::BadRequest, why));
            }
            Msg::DroppedImages(count) => {
                self.status = trf(
                    self.lang,
                    "{n} remote pictures left out: they would load from elsewhere. Attach them instead.",
                    &[("n", &count)],
                );
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let draft = &self.draft;
        // While encrypting, files stay in the browser: there is nothing to wait for.
        let uploading =
            !draft.encrypt && self.draft.attachments.iter().any(|a| a.on_server.is_none() && !self.uploaded(&a.key));
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::Send
        });
        let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
        let ondrop = link.batch_callback(|e: DragEvent| {
            e.prevent_default();
            let files = e.data_transfer().and_then(|d| d.files()).map(file_list).unwrap_or_default();
            (!files.is_empty()).then_some(Msg::AddFiles(files))
        });
        let on_pick = link.callback(|e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = input.files().map(file_list).unwrap_or_default();
            input.set_value("");
            Msg::AddFiles(files)
        });
        let total: u64 = draft.attachments.iter().map(|a| a.size).sum();
        // Base64 makes attachments about a third bigger on the wire.
        let too_big = self.info.as_ref().and_then(|i| i.max_message_size).filter(|max| total * 4 / 3 > *max);
        html! {
            <div class="composer-backdrop">
                <form id="composer" class="composer" onsubmit={onsubmit} aria-label={tr(lang, "New message")}
                    ondragover={ondragover} ondrop={ondrop}>
                    <header>
                        <h2>{ if draft.subject.is_empty() { tr(lang, "New message") } else { &draft.subject } }</h2>
                        <span id="draft-status" class="meta" aria-live="polite">{ &self.status }</span>
                        <button type="button" class="dismiss" aria-label={tr(lang, "Close")} onclick={link.callback(|_| Msg::Close)}>{ "×" }</button>
                    </header>
                    { self.text_field(ctx, Field::From, "compose-from", "From") }
                    { self.recipient_field(ctx, Field::To, "compose-to", "To") }
                    if self.show_copies {
                        { self.recipient_field(ctx, Field::Cc, "compose-cc", "Cc") }
                        { self.recipient_field(ctx, Field::Bcc, "compose-bcc", "Bcc") }
                    } else {
                        <button type="button" id="show-copies" class="link" onclick={link.callback(|_| Msg::ShowCopies)}>{ tr(lang, "Cc/Bcc") }</button>
                    }
                    { self.text_field(ctx, Field::Subject, "compose-subject", "Subject") }
                    <OpenPgpOptions encrypt={draft.encrypt} sign={draft.sign}
                        from={AttrValue::from(drafting::bare_address(&draft.from).to_lowercase())}
                        recipients={{ let (mut named, hidden) = draft.openpgp_recipients(); named.extend(hidden); named }}
                        passphrase={AttrValue::from(self.passphrase.clone())}
                        can_encrypt={draft.openpgp_obstacle().is_none()}
                        connection={ctx.props().connection.clone()} keyserver={ctx.props().keyserver.clone()}
                        on_encrypt={link.callback(Msg::Encrypt)} on_sign={link.callback(Msg::Sign)}
                        on_passphrase={link.callback(Msg::Passphrase)} />
                    <div class="body-mode">
                        <button type="button" id="formatting-toggle" class="link" aria-pressed={draft.html.is_some().to_string()}
                            onclick={link.callback({ let on = draft.html.is_some(); move |_| Msg::Formatted(!on) })}>
                            { if draft.html.is_some() { tr(lang, "Plain text") } else { tr(lang, "Formatting") } }
                        </button>
                    </div>
                    if let Some(html) = &draft.html {
                        <RichEditor key={format!("{}#{}", draft.message_id, self.body_revision)} initial={html.clone()}
                            on_input={link.callback(|(html, text)| Msg::Rich(html, text))}
                            on_attach={link.callback(|file| Msg::AddFiles(vec![file]))}
                            on_dropped={link.callback(Msg::DroppedImages)} />
                    } else {
                        <textarea id="compose-body" aria-label={tr(lang, "Message")} value={draft.text.clone()} rows="14"
                            oninput={link.callback(|e: InputEvent| Msg::Edit(Field::Text, input_value(&e)))} />
                    }
                    <div class="attachments-area">
                        <label class="button" for="compose-files">{ tr(lang, "Attach files") }</label>
                        <input id="compose-files" type="file" multiple=true class="visually-hidden" onchange={on_pick} />
                        <span class="meta">
                            { tr(lang, "or drop them here") }
                            { for self.info.as_ref().and_then(|i| i.max_message_size).map(|max| trf(lang, " · up to {size} per message", &[("size", &format::size(max as u32))])) }
                        </span>
                        <ul id="compose-attachments" aria-label={tr(lang, "Attachments")}>
                            { for draft.attachments.iter().map(|a| self.attachment_row(ctx, a)) }
                        </ul>
                        if let Some(max) = too_big {
                            <p class="form-error" role="alert">{ trf(lang, "The attachments are too big for this server (at most {size} per message).", &[("size", &format::size(max as u32))]) }</p>
                        }
                    </div>
                    if !self.invalid.is_empty() {
                        <ul class="form-error" role="alert" id="address-errors">
                            { for self.invalid.iter().map(|(field, text)| html! { <li>{ trf(lang, "{field}: “{text}” is not an email address", &[("field", &tr(lang, field)), ("text", text)]) }</li> }) }
                        </ul>
                    }
                    if let Some(error) = &self.error {
                        <div class="form-error" role="alert" id="send-error">
                            <p>{ &error.message }</p>
                            if error.details.len() > 1 {
                                <ul>{ for error.details.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                            }
                        </div>
                    }
                    if let Some(at) = &self.later {
                        <div class="later-row">
                            <label for="send-later-at">{ tr(lang, "Send at") }</label>
                            <input id="send-later-at" type="datetime-local" step="1" value={at.clone()}
                                oninput={link.callback(|e: InputEvent| Msg::LaterAt(input_value(&e)))}
                                onchange={link.callback(|e: Event| Msg::LaterAt(input_value(&e)))} />
                            <button type="button" id="schedule-send" class="primary" disabled={self.sending || uploading}
                                onclick={link.callback(|_| Msg::Schedule)}>{ tr(lang, "Schedule") }</button>
                            <span class="meta">{ tr(lang, "It waits in Drafts; Yubin open in any browser sends it.") }</span>
                        </div>
                    }
                    <footer>
                        <button id="send-button" type="submit" class="primary" disabled={self.sending || uploading || too_big.is_some()}>
                            { if self.sending { tr(lang, "Sending…") } else if uploading { tr(lang, "Uploading…") } else { tr(lang, "Send") } }
                        </button>
                        if self.info.as_ref().is_some_and(|i| i.drafts.is_some()) {
                            <button type="button" id="send-later" aria-expanded={self.later.is_some().to_string()} disabled={self.sending || uploading}
                                onclick={link.callback({ let open = self.later.is_some(); move |_| Msg::Later((!open).then(tomorrow_morning)) })}>
                                { tr(lang, "Send later…") }
                            </button>
                        }
                        <button type="button" id="discard-button" onclick={link.callback(|_| Msg::Discard)}>{ tr(lang, "Discard") }</button>
                        <TemplatesMenu connection={ctx.props().connection.clone()} can_save={!uploading}
                            on_insert={link.callback(|view| Msg::InsertTemplate(Box::new(view)))} on_save={link.callback(|()| Msg::SaveTemplate)} />
                    </footer>
                </form>
            </div>
        }
    }
}

impl Composer {
    fn field_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::From => &mut self.draft.from,
            Field::To => &mut self.draft.to,
            Field::Cc => &mut self.draft.cc,
            Field::Bcc => &mut self.draft.bcc,
            Field::Subject => &mut self.draft.subject,
            Field::Text => &mut self.draft.text,
        }
    }

    fn field(&self, field: Field) -> &str {
        match field {
            Field::From => &self.draft.from,
            Field::To => &self.draft.to,
            Field::Cc => &self.draft.cc,
            Field::Bcc => &self.draft.bcc,
            Field::Subject => &self.draft.subject,
            Field::Text => &self.draft.text,
        }
    }

    fn text_field(&self, ctx: &Context<Self>, field: Field, id: &'static str, label: &'static str) -> Html {
        let lang = self.lang;
        html! {
            <div class="field">
                <label for={id}>{ tr(lang, label) }</label>
                <input id={id} type="text" value={self.field(field).to_owned()}
                    oninput={ctx.link().callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))}
                    onchange={ctx.link().callback(move |e: Event| Msg::Edit(field, input_value(&e)))} />
            </div>
        }
    }

    /// A recipient field with suggestions for the address being typed.
    fn recipient_field(&self, ctx: &Context<Self>, field: Field, id: &'static str, label: &'static str) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let value = self.field(field).to_owned();
        let suggestions = if self.focus == Some(field) {
            let props = ctx.props();
            drafting::suggestions(&props.address_book, &props.contacts, drafting::last_token(&value), SUGGESTIONS)
        } else {
            Vec::new()
        };
        html! {
            <div class="field recipients">
                <label for={id}>{ tr(lang, label) }</label>
                <input id={id} type="text" value={value} autocomplete="off" placeholder={tr(lang, "name@example.org, …")}
                    oninput={link.callback(move |e: InputEvent| Msg::Edit(field, input_value(&e)))}
                    onchange={link.callback(move |e: Event| Msg::Edit(field, input_value(&e)))}
                    onfocus={link.callback(move |_| Msg::Focus(Some(field)))} />
                if !suggestions.is_empty() {
                    <ul class="suggestions" role="listbox" aria-label={tr(lang, "Suggestions")}>
                        { for suggestions.into_iter().map(|s| {
                            let chosen = s.insert.to_owned();
                            // mousedown, not click: it comes before the input loses focus.
                            let pick = link.callback(move |e: MouseEvent| { e.prevent_default(); Msg::Pick(field, chosen.clone()) });
                            html! { <li role="option" onmousedown={pick}><bdi>{ s.shown }</bdi></li> }
                        }) }
                    </ul>
                }
            </div>
        }
    }

    fn attachment_row(&self, ctx: &Context<Self>, a: &DraftAttachment) -> Html {
        let lang = self.lang;
        let key = a.key.clone();
        let remove = ctx.link().callback(move |_| Msg::Remove(key.clone()));
        let progress = match (&a.on_server, self.uploads.get(&a.key)) {
            (Some(_), _) => html! {},
            (None, Some(UploadState { error: Some(e), .. })) => html! { <span class="form-error">{ e }</span> },
            (None, Some(state)) if !state.finished => html! {
                <progress max={a.size.max(1).to_string()} value={state.done.to_string()} aria-label={tr(lang, "Upload progress")} />
            },
            _ => html! {},
        };
        html! {
            <li class="attachment-row">
                <span class="name">{ "📎 " }<bdi>{ visible_controls(&a.filename) }</bdi></span>
                <span class="meta">{ format!(" {}", format::size(a.size as u32)) }</span>
                { progress }
                <button type="button" class="link" aria-label={trf(lang, "Remove {name}", &[("name", &a.filename)])} onclick={remove}>{ tr(lang, "Remove") }</button>
            </li>
        }
    }

    /// Files the user picked: attached at once, uploaded in the background.
    fn add_files(&mut self, ctx: &Context<Self>, files: Vec<web_sys::File>) {
        for file in files {
            let key = unique_id();
            let content_type = Some(file.type_()).filter(|t| !t.is_empty());
            self.draft.attachments.push(DraftAttachment {
                key: key.clone(),
                filename: file.name(),
                content_type: content_type.unwrap_or_else(|| "application/octet-stream".into()),
                size: file.size() as u64,
                on_server: None,
            });
            self.files.push((key, file.into()));
        }
        self.upload_missing(ctx);
        self.changed_draft(ctx);
    }

    /// An attachment taken off: its upload, if any, is freed on the gateway.
    fn remove_attachment(&mut self, ctx: &Context<Self>, key: &str) {
        self.draft.attachments.retain(|a| a.key != key);
        self.files.retain(|(k, _)| k != key);
        if let (Some(state), Some(connection)) = (self.uploads.remove(key), ctx.props().connection.clone()) {
            spawn_local(async move {
                let _ = connection.call(calls::DiscardUpload { upload: state.id }).await;
            });
        }
        self.changed_draft(ctx);
    }

    fn uploaded(&self, key: &str) -> bool {
        self.uploads.get(key).is_some_and(|s| s.finished)
    }

    fn ask_info(&self, ctx: &Context<Self>) {
        let Some(connection) = ctx.props().connection.clone() else { return };
        let link = ctx.link().clone();
        spawn_local(async move {
            let result = connection.call(calls::ComposeInfo {}).await;
            link.send_message(Msg::Info(result));
        });
    }

    /// Starts uploading every local file the current gateway session does not have.
    fn upload_missing(&mut self, ctx: &Context<Self>) {
        let Some(connection) = ctx.props().connection.clone() else { return };
        if self.draft.encrypt {
            return;
        }
        let epoch = ctx.props().epoch;
        for (key, blob) in &self.files {
            if self.uploads.get(key).is_some_and(|s| s.epoch == epoch && s.error.is_none()) {
                continue;
            }
            let id = format!("{key}-{epoch}");
            self.uploads
                .insert(key.clone(), UploadState { epoch, id: id.clone(), done: 0, finished: false, error: None });
            let (link, key, blob, connection) = (ctx.link().clone(), key.clone(), blob.clone(), connection.clone());
            spawn_local(async move {
                let progress = {
                    let (link, key) = (link.clone(), key.clone());
                    move |done| link.send_message(Msg::Progress(key.clone(), epoch, done))
                };
                let result = upload_blob(&connection, &id, &blob, progress).await;
                link.send_message(Msg::Uploaded(key, epoch, result));
            });
        }
    }

    fn changed_draft(&mut self, ctx: &Context<Self>) {
        self.draft.sealed = None;
        self.announce_checked = false;
        self.generation += 1;
        self.draft.updated = js_sys::Date::now();
        self.status = String::new();
        let (link, generation) = (ctx.link().clone(), self.generation);
        spawn_local(async move {
            yew::platform::time::sleep(LOCAL_SAVE_DELAY).await;
            link.send_message(Msg::SaveLocal(generation));
        });
        self.schedule_server_save(ctx);
    }

    fn schedule_server_save(&self, ctx: &Context<Self>) {
        let (link, generation) = (ctx.link().clone(), self.generation);
        spawn_local(async move {
            yew::platform::time::sleep(SERVER_SAVE_DELAY).await;
            link.send_message(Msg::SaveServer(generation));
        });
    }

    fn save_locally(&self) {
        if self.draft.is_blank() {
            return;
        }
        let (draft, files) = (self.draft.clone(), self.files.clone());
        spawn_local(async move {
            if let Err(e) = local_store::put(Shelf::Drafts, &draft, &files).await {
                web_sys::console::warn_1(&format!("draft not stored: {e}").into());
            }
        });
    }

    /// Saves to the Drafts folder, once every file is on the gateway (a copy without them
    /// would replace one that has them).
    fn save_on_server(&mut self, ctx: &Context<Self>, generation: u64) {
        let all_there = self.draft.attachments.iter().all(|a| a.on_server.is_some() || self.uploaded(&a.key));
        // POP3 accounts have no Drafts folder on the server: their drafts stay in the browser.
        let has_drafts_folder = self.info.as_ref().is_some_and(|i| i.drafts.is_some());
        let Some(connection) = ctx.props().connection.clone() else { return };
        // What is to be encrypted stays in the browser until it is.
        if self.draft.is_blank() || !all_there || self.sending || !has_drafts_folder || self.draft.encrypt {
            return;
        }
        self.saved_on_server = generation;
        let message = self.draft.to_outgoing(|key| self.uploads.get(key).map(|s| s.id.clone()));
        let link = ctx.link().clone();
        spawn_local(async move {
            let result = connection.call(calls::SaveDraft { message }).await;
            link.send_message(Msg::SavedServer(result));
        });
    }

    /// Keeps what is written and attached as a new template (its own Message-ID, so the draft
    /// stays as it is).
    fn save_template(&mut self, ctx: &Context<Self>) {
        let Some(connection) = ctx.props().connection.clone() else { return };
        // On the domain of the message's own Message-ID (the account's).
        let id = self.draft.message_id.trim_end_matches('>');
        let domain = id.rsplit_once('@').map_or("yubin.invalid", |(_, domain)| domain);
        let template = self.draft.as_template(new_message_id(domain));
        let message = template.to_outgoing(|key| self.uploads.get(key).map(|s| s.id.clone()));
        let link = ctx.link().clone();
        spawn_local(async move {
            link.send_message(Msg::TemplateSaved(connection.call(calls::SaveTemplate { message }).await))
        });
    }

    /// Whether the message can go as it is; if not, says why (in the form).
    fn ready_to_send(&mut self) -> bool {
        self.error = None;
        self.invalid = self.draft.invalid_recipients();
        if !self.invalid.is_empty() {
            return false;
        }
        if drafting::split_recipients(&format!("{},{},{}", self.draft.to, self.draft.cc, self.draft.bcc)).is_empty() {
            self.error = Some(ApiError::new(ErrorKind::BadRequest, tr(self.lang, "Add at least one recipient.")));
            return false;
        }
        if self.draft.html.as_ref().is_some_and(|html| html.len() > MAX_RICH_BODY_BYTES) {
            let message = trf(
                self.lang,
                "The pictures in the text are too big to send (at most {size} in all). Attach the big ones instead.",
                &[("size", &format::size(MAX_RICH_BODY_BYTES as u32))],
            );
            self.error = Some(ApiError::new(ErrorKind::BadRequest, message));
            return false;
        }
        true
    }

    /// "Send later": the message goes to Drafts marked with the chosen time, where any open
    /// Yubin sends it (see `scheduled`).
    fn schedule(&mut self, ctx: &Context<Self>) {
        let Some(chosen) = self.later.clone() else { return };
        if !self.ready_to_send() {
            return;
        }
        if self.draft.uses_openpgp() {
            let why = tr(self.lang, "Encrypted or signed mail cannot be sent later yet: send it now.");
            self.error = Some(ApiError::new(ErrorKind::BadRequest, why));
            return;
        }
        // A `datetime-local` value is the browser's local time.
        let at = js_sys::Date::new(&chosen.into()).get_time();
        if !at.is_finite() || at <= js_sys::Date::now() {
            self.error =
                Some(ApiError::new(ErrorKind::BadRequest, tr(self.lang, "Choose a time that is still to come.")));
            return;
        }
        let Some(connection) = ctx.props().connection.clone() else { return };
        self.sending = true;
        let send_at = (at / 1000.0) as i64;
        let message = self.draft.to_outgoing(|key| self.uploads.get(key).map(|s| s.id.clone()));
        let link = ctx.link().clone();
        spawn_local(async move {
            let result = connection.call(calls::ScheduleSend { message, send_at }).await;
            link.send_message(Msg::Scheduled(result.map(|_| send_at)));
        });
    }

    fn send(&mut self, ctx: &Context<Self>) {
        if !self.ready_to_send() {
            return;
        }
        if self.draft.uses_openpgp() && self.draft.sealed.is_none() {
            self.seal(ctx);
            return;
        }
        if !self.announce_checked {
            self.sending = true;
            self.ask_announcement(ctx);
            return;
        }
        self.sending = true;
        let undo = ctx.props().undo_seconds;
        if undo > 0 {
            // It waits in the outbox (which survives a reload) until the time to undo is over.
            self.draft.send_at = Some(js_sys::Date::now() + f64::from(undo) * 1000.0);
            self.queue(ctx);
            return;
        }
        self.save_locally();
        let Some(connection) = ctx.props().connection.clone() else {
            self.queue(ctx);
            return;
        };
        let message = self.draft.to_outgoing(|key| self.uploads.get(key).map(|s| s.id.clone()));
        let link = ctx.link().clone();
        spawn_local(async move {
            let result = connection.call(calls::Send { message }).await;
            link.send_message(Msg::SendResult(result));
        });
    }

    /// Has the OpenPGP worker encrypt and/or sign what is written, with the files as they are in
    /// the browser; sending goes on when it is done (`Msg::Sealed`).
    fn seal(&mut self, ctx: &Context<Self>) {
        if let Some(why) = self.draft.openpgp_obstacle() {
            self.error = Some(ApiError::new(ErrorKind::BadRequest, tr(self.lang, why)));
            return;
        }
        if self.draft.sign && self.passphrase.is_empty() {
            let why = tr(self.lang, "Type the passphrase of your key to sign.");
            self.error = Some(ApiError::new(ErrorKind::BadRequest, why));
            return;
        }
        self.sending = true;
        let (named, hidden) = self.draft.openpgp_recipients();
        let draft = &self.draft;
        let files: Vec<(DraftAttachment, Option<Blob>)> = draft
            .attachments
            .iter()
            .map(|a| (a.clone(), self.files.iter().find(|(key, _)| *key == a.key).map(|(_, blob)| blob.clone())))
            .collect();
        let mut sealing = yubin_shared::openpgp::Sealing {
            from: drafting::bare_address(&draft.from).to_lowercase(),
            to: named,
            bcc: hidden,
            subject: draft.subject.clone(),
            text: draft.text.clone(),
            attachments: Vec::new(),
            encrypt: draft.encrypt,
            sign: draft.sign.then(|| self.passphrase.clone()),
        };
        let (link, lang) = (ctx.link().clone(), self.lang);
        spawn_local(async move {
            let result = async {
                for (attachment, blob) in files {
                    let blob = blob.ok_or_else(|| format!("{}: the file is no longer here", attachment.filename))?;
                    sealing.attachments.push(yubin_shared::openpgp::SealedAttachment {
                        data: crate::upload::read_base64(&blob).await.map_err(|e| e.message)?,
                        filename: attachment.filename,
                        content_type: attachment.content_type,
                    });
                }
                let request = yubin_shared::openpgp::PgpRequest::Seal(Box::new(sealing));
                openpgp_worker::ask_for(request, |reply| match reply {
                    yubin_shared::openpgp::PgpReply::Sealed { body, subject, autocrypt } => {
                        Some((SealedBody { body, subject }, autocrypt))
                    }
                    _ => None,
                })
                .await
                .map_err(|e| openpgp_worker::error_text(lang, openpgp_worker::Task::Writing, &e))
            }
            .await;
            link.send_message(Msg::Sealed(result));
        });
    }

    /// Asks this browser's keys (only if it keeps any) for the sender's key to announce in an
    /// `Autocrypt` header, so that correspondents' mail programs can encrypt to them.
    fn ask_announcement(&self, ctx: &Context<Self>) {
        let from = drafting::bare_address(&self.draft.from).to_lowercase();
        let link = ctx.link().clone();
        spawn_local(async move {
            let mut announced = None;
            if openpgp_worker::in_use().await {
                let request = yubin_shared::openpgp::PgpRequest::Announce { from };
                announced = openpgp_worker::ask_for(request, |reply| match reply {
                    yubin_shared::openpgp::PgpReply::Announced(autocrypt) => Some(autocrypt),
                    _ => None,
                })
                .await
                .ok()
                .flatten();
            }
            link.send_message(Msg::Announced(announced));
        });
    }

    /// Moves the message to the outbox, to go out when the gateway is back.
    fn queue(&mut self, ctx: &Context<Self>) {
        let (draft, files, link) = (self.draft.clone(), self.files.clone(), ctx.link().clone());
        spawn_local(async move {
            let result = async {
                local_store::put(Shelf::Outbox, &draft, &files).await?;
                local_store::remove(Shelf::Drafts, &draft.message_id).await
            }
            .await;
            link.send_message(Msg::Queued(result));
        });
    }

    /// Drops the draft everywhere: browser, gateway uploads, Drafts folder.
    fn forget(&mut self, ctx: &Context<Self>) {
        self.discard_uploads(ctx);
        self.delete_server_draft(ctx);
        let id = self.draft.message_id.clone();
        spawn_local(async move {
            let _ = local_store::remove(Shelf::Drafts, &id).await;
        });
    }

    /// Removes the draft's copy from the Drafts folder, if it was saved there.
    fn delete_server_draft(&mut self, ctx: &Context<Self>) {
        let Some(connection) = ctx.props().connection.clone() else { return };
        let message_id = self.draft.message_id.clone();
        spawn_local(async move {
            let _ = connection.call(calls::DeleteDraft { message_id }).await;
        });
    }

    /// Frees the draft's files on the gateway (they stay in the browser).
    fn discard_uploads(&mut self, ctx: &Context<Self>) {
        let uploads: Vec<String> = self.uploads.drain().map(|(_, state)| state.id).collect();
        let Some(connection) = ctx.props().connection.clone() else { return };
        spawn_local(async move {
            for upload in uploads {
                let _ = connection.call(calls::DiscardUpload { upload }).await;
            }
        });
    }
}

/// The new value of the input or textarea that fired `e`. Both `input` (typing) and `change`
/// (autofill, scripted clears) are listened to, so no way of editing is missed.
fn input_value(e: &Event) -> String {
    let target: web_sys::EventTarget = e.target_unchecked_into();
    js_sys::Reflect::get(&target, &"value".into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn file_list(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// 08:00 tomorrow, local time, as a `datetime-local` value: where "Send later" starts.
fn tomorrow_morning() -> String {
    let now = js_sys::Date::new_0();
    let tomorrow =
        js_sys::Date::new_with_year_month_day(now.get_full_year(), now.get_month() as i32, now.get_date() as i32 + 1);
    format!("{:04}-{:02}-{:02}T08:00", tomorrow.get_full_year(), tomorrow.get_month() + 1, tomorrow.get_date())
}
