//! The OpenPGP worker, seen from the keys dialog: the app hands over a function that takes a
//! [`PgpRequest`]'s JSON and resolves to the JSON of the worker's `Result<PgpReply, PgpError>`,
//! passed on unread (the app carries no code for this dialog's requests).

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use yubin_shared::openpgp::{PgpError, PgpErrorKind, PgpReply, PgpRequest};

pub struct Keyring {
    call: js_sys::Function,
}

impl PartialEq for Keyring {
    fn eq(&self, other: &Self) -> bool {
        JsValue::from(&self.call) == JsValue::from(&other.call)
    }
}

impl Keyring {
    pub fn new(call: js_sys::Function) -> Self {
        Self { call }
    }

    /// Asks the worker; its answer, or why there is none.
    pub async fn ask(&self, request: &PgpRequest) -> Result<PgpReply, PgpError> {
        let failed = |why: &str| PgpError::new(PgpErrorKind::Storage, format!("the keys are not available: {why}"));
        let request = serde_json::to_string(request).map_err(|e| failed(&e.to_string()))?;
        let promise =
            self.call.call1(&JsValue::NULL, &JsValue::from_str(&request)).map_err(|_| failed("the app refused"))?;
        let text = JsFuture::from(js_sys::Promise::from(promise))
            .await
            .ok()
            .and_then(|answer| answer.as_string())
            .ok_or_else(|| failed("no answer"))?;
        serde_json::from_str(&text).map_err(|e| failed(&e.to_string()))?
    }
}
