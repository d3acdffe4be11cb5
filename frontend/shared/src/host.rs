//! The app that loaded this module, seen from inside it: requests go to the gateway over the
//! app's one WebSocket, for the account the dialog was opened for.
//!
//! The app hands over a function that takes a [`Request`]'s JSON and resolves to the JSON of
//! the gateway's reply frame (or of an error frame the app made, e.g. with the socket down):
//! the app forwards both without reading them, so it carries no decoding of its own for this
//! module's requests.

use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use yubin_protocol::{calls::Call, ApiError, ErrorKind, Request, Response};

pub struct Host {
    call: js_sys::Function,
}

/// The one kind of frame the app hands back: a reply (its id is the app's business).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Frame {
    Reply { result: Result<Response, ApiError> },
}

impl PartialEq for Host {
    fn eq(&self, other: &Self) -> bool {
        JsValue::from(&self.call) == JsValue::from(&other.call)
    }
}

impl Host {
    pub fn new(call: js_sys::Function) -> Self {
        Self { call }
    }

    /// Sends `call` and waits for the reply its type promises, or an error.
    pub async fn call<C: Call>(&self, call: C) -> Result<C::Reply, ApiError> {
        let unexpected = |what: &str| ApiError::new(ErrorKind::Protocol, format!("unexpected reply ({what})"));
        let request = serde_json::to_string(&Into::<Request>::into(call)).map_err(|e| unexpected(&e.to_string()))?;
        let promise = self
            .call
            .call1(&JsValue::NULL, &JsValue::from_str(&request))
            .map_err(|_| unexpected("the app refused the request"))?;
        let text = JsFuture::from(js_sys::Promise::from(promise))
            .await
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| unexpected("no frame"))?;
        let Frame::Reply { result } = serde_json::from_str(&text).map_err(|e| unexpected(&e.to_string()))?;
        C::reply(result?).ok_or_else(|| unexpected("another response"))
    }
}
