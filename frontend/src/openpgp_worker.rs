//! The app's side of the OpenPGP worker (`frontend/openpgp`, ARCHITECTURE.md "OpenPGP"): started
//! the first time encrypted or signed mail is opened or the keys are managed, then kept for the
//! page's life. Each request goes out with an id and its answer comes back with it; what the
//! worker holds (secret keys, passphrases once used) stays in the worker.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yubin_shared::openpgp::{FromWorker, PgpError, PgpErrorKind, PgpReply, PgpRequest, ToWorker};

type Answer = oneshot::Sender<Result<PgpReply, PgpError>>;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    static WAITING: RefCell<HashMap<u32, Answer>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

fn unavailable(why: &str) -> PgpError {
    PgpError::new(PgpErrorKind::Storage, format!("encryption is not available here: {why}"))
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
        let Some(answer) = event.data().as_string().and_then(|text| serde_json::from_str::<FromWorker>(&text).ok())
        else {
            return;
        };
        if let Some(waiting) = WAITING.with(|w| w.borrow_mut().remove(&answer.id)) {
            let _ = waiting.send(answer.result);
        }
    });
    // A worker that fails to load answers nobody: tell everyone waiting, and start afresh next time.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_: web_sys::Event| {
        WORKER.with(|w| w.borrow_mut().take());
        let waiting: Vec<Answer> = WAITING.with(|w| w.borrow_mut().drain().map(|(_, a)| a).collect());
        for answer in waiting {
            let _ = answer.send(Err(unavailable("the OpenPGP module could not be loaded")));
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

/// Asks the worker; its answer, or why there is none.
pub async fn ask(request: PgpRequest) -> Result<PgpReply, PgpError> {
    let worker = worker()?;
    let id = NEXT_ID.with(|next| next.replace(next.get().wrapping_add(1)));
    let (answer, answered) = oneshot::channel();
    WAITING.with(|w| w.borrow_mut().insert(id, answer));
    let message = serde_json::to_string(&ToWorker { id, request }).map_err(|e| unavailable(&e.to_string()))?;
    worker.post_message(&JsValue::from_str(&message)).map_err(|_| unavailable("the worker is gone"))?;
    answered.await.unwrap_or_else(|_| Err(unavailable("the worker is gone")))
}
