//! A listener for one kind of event on the window, for as long as its guard lives (keyboard
//! shortcuts, a sign-in popup's message).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::convert::FromWasmAbi;
use wasm_bindgen::JsCast;

pub struct WindowListener<E: FromWasmAbi + 'static> {
    event: &'static str,
    closure: Closure<dyn FnMut(E)>,
}

impl<E: FromWasmAbi + 'static> WindowListener<E> {
    /// Calls `handler` with each `event` on the window; `None` without a window.
    pub fn add(event: &'static str, handler: impl FnMut(E) + 'static) -> Option<Self> {
        let closure = Closure::<dyn FnMut(E)>::new(handler);
        web_sys::window()?.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref()).ok()?;
        Some(Self { event, closure })
    }
}

impl<E: FromWasmAbi + 'static> Drop for WindowListener<E> {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
        }
    }
}
