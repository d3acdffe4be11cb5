//! The app's side of the OpenPGP worker (`frontend/openpgp`, ARCHITECTURE.md "OpenPGP"): started
//! the first time encrypted or signed mail is opened or the keys are managed, then kept for the
//! page's life. Each request goes out with an id and its answer comes back with it; what the
//! worker holds (secret keys, passphrases once used) stays in the worker.
//!
//! The keys dialog (a module of its own, `frontend/keys`) talks to the worker through here too,
//! as JSON passed on unread ([`ask_json`]), so the app carries no code for its requests.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use futures::channel::oneshot;
use serde::Deserialize;
use serde_json::value::RawValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yubin_shared::openpgp::{PgpError, PgpErrorKind, PgpReply, PgpRequest};

use crate::i18n::{tr, trf, Lang};

/// Where an answer goes: the JSON of the worker's `Result<PgpReply, PgpError>`.
type Answer = oneshot::Sender<String>;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    static WAITING: RefCell<HashMap<u32, Answer>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// The keyring's database was seen (it is never deleted by the app).
    static IN_USE: Cell<bool> = const { Cell::new(false) };
}

/// One answer from the worker (`yubin_shared::openpgp::FromWorker`), its result left unread.
#[derive(Deserialize)]
struct FromWorker<'a> {
    id: u32,
    #[serde(borrow)]
    result: &'a RawValue,
}

fn unavailable(why: &str) -> PgpError {
    PgpError::new(PgpErrorKind::Storage, why)
}

/// `error` as the JSON of a result, as if the worker had answered it.
fn error_json(error: &PgpError) -> String {
    format!(r#"{{"Err":{}}}"#, serde_json::to_string(error).unwrap_or_else(|_| "null".into()))
}

/// The worker's script, as the build wrote it into the page.
fn worker_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name='yubin-module-openpgp-worker']").ok()??;
    meta.get_attribute("content")
}

/// The worker, started on first use.
fn worker() -> Result<web_sys::Worker, PgpError> {
    if let Some(worker) = WORKER.with(|w| w.borrow().clone()) {
        return Ok(worker);
    }
    let url = worker_url().ok_or_else(|| unavailable("this build has no OpenPGP module"))?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker =
        web_sys::Worker::new_with_options(&url, &options).map_err(|_| unavailable("the worker did not start"))?;
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
        let Some(text) = event.data().as_string() else { return };
        let Ok(answer) = serde_json::from_str::<FromWorker>(&text) else { return };
        if let Some(waiting) = WAITING.with(|w| w.borrow_mut().remove(&answer.id)) {
            let _ = waiting.send(answer.result.get().to_owned());
        }
    });
    // A worker that fails to load answers nobody: tell everyone waiting, and start afresh next time.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_: web_sys::Event| {
        WORKER.with(|w| w.borrow_mut().take());
        let waiting: Vec<Answer> = WAITING.with(|w| w.borrow_mut().drain().map(|(_, a)| a).collect());
        let failed = error_json(&unavailable("the OpenPGP module could not be loaded"));
        for answer in waiting {
            let _ = answer.send(failed.clone());
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // They live as long as the page, like the worker.
    on_message.forget();
    on_error.forget();
    WORKER.with(|w| *w.borrow_mut() = Some(worker.clone()));
    Ok(worker)
}

/// Sends a request's JSON to the worker; the JSON of its result, or why there is none.
async fn exchange(request: &str) -> Result<String, PgpError> {
    let worker = worker()?;
    let id = NEXT_ID.with(|next| next.replace(next.get().wrapping_add(1)));
    let (answer, answered) = oneshot::channel();
    WAITING.with(|w| w.borrow_mut().insert(id, answer));
    let message = format!(r#"{{"id":{id},"request":{request}}}"#);
    if worker.post_message(&JsValue::from_str(&message)).is_err() {
        WAITING.with(|w| w.borrow_mut().remove(&id));
        return Err(unavailable("the worker is gone"));
    }
    answered.await.map_err(|_| unavailable("the worker is gone"))
}

/// Asks the worker; its answer, or why there is none.
pub async fn ask(request: PgpRequest) -> Result<PgpReply, PgpError> {
    let request = serde_json::to_string(&request).map_err(|e| unavailable(&e.to_string()))?;
    let answer = exchange(&request).await?;
    serde_json::from_str(&answer).map_err(|e| unavailable(&e.to_string()))?
}

/// Asks the worker for what `pick` takes from its reply; any other reply is an error.
pub async fn ask_for<T>(request: PgpRequest, pick: impl FnOnce(PgpReply) -> Option<T>) -> Result<T, PgpError> {
    pick(ask(request).await?).ok_or_else(|| PgpError::new(PgpErrorKind::Invalid, "unexpected answer"))
}

/// Passes a request's JSON to the worker and its result's JSON back, reading neither (for the
/// keys dialog). A request that is not JSON is refused here, not sent.
pub async fn ask_json(request: String) -> String {
    if serde_json::from_str::<&RawValue>(&request).is_err() {
        return error_json(&PgpError::new(PgpErrorKind::Invalid, "not a request"));
    }
    exchange(&request).await.unwrap_or_else(|e| error_json(&e))
}

/// Whether this browser keeps OpenPGP keys (the keyring's database exists): mail from people
/// who never use OpenPGP here does not load the worker for nothing.
pub async fn in_use() -> bool {
    if IN_USE.with(Cell::get) {
        return true;
    }
    let Some(factory) = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"indexedDB".into()).ok()) else {
        return false;
    };
    let listed = js_sys::Reflect::get(&factory, &"databases".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|databases| databases.call0(&factory).ok());
    let Some(listed) = listed else { return false };
    let Ok(names) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(listed)).await else { return false };
    let found = js_sys::Array::from(&names).iter().any(|database| {
        js_sys::Reflect::get(&database, &"name".into()).ok().and_then(|n| n.as_string()).as_deref()
            == Some("yubin-openpgp")
    });
    IN_USE.with(|in_use| in_use.set(found));
    found
}

/// Keeps the key a sender announced (Autocrypt) if this browser keeps keys at all; in the
/// background, as nothing waits for it.
pub fn learn(autocrypt: yubin_protocol::Autocrypt) {
    wasm_bindgen_futures::spawn_local(async move {
        if in_use().await {
            let _ = ask(PgpRequest::Learn(autocrypt)).await;
        }
    });
}

/// What the user was doing when the worker failed, which changes what an error means: "no key"
/// is no secret key of one's own for a message read, no public key of a recipient for one written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Reading,
    Writing,
}

/// What the user is told of an error from the worker, in their language.
pub fn error_text(lang: Lang, task: Task, error: &PgpError) -> String {
    let addresses = error.addresses.join(", ");
    match (error.kind, task) {
        (PgpErrorKind::BadPassphrase, _) => tr(lang, "That passphrase does not unlock your key.").to_owned(),
        (PgpErrorKind::NoKey, Task::Reading) => tr(
            lang,
            "This message was not encrypted to a key in this browser: import your secret key under Encryption keys.",
        )
        .to_owned(),
        (PgpErrorKind::NoKey, Task::Writing) if !addresses.is_empty() => trf(
            lang,
            "No key to encrypt to for {addresses}: import theirs under Encryption keys, or send without encryption.",
            &[("addresses", &addresses)],
        ),
        (PgpErrorKind::NoOwnKey, _) if !addresses.is_empty() => trf(
            lang,
            "You have no key of your own for {address}: make one under Encryption keys (🔑).",
            &[("address", &addresses)],
        ),
        (PgpErrorKind::Invalid, Task::Reading) => {
            trf(lang, "This is not OpenPGP data Yubin can read: {why}", &[("why", &error.message)])
        }
        (PgpErrorKind::Invalid, Task::Writing) => {
            trf(lang, "Yubin could not write this message with OpenPGP: {why}", &[("why", &error.message)])
        }
        (PgpErrorKind::Storage, _) => {
            trf(lang, "The keys in this browser could not be used: {why}", &[("why", &error.message)])
        }
        (PgpErrorKind::NoKey | PgpErrorKind::NoOwnKey, _) => error.message.clone(),
    }
}
