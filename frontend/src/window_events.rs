//! A listener for one kind of event on the window or an element, for as long as its guard
//! lives (keyboard shortcuts, a sign-in popup's message, the page's early sign-in form).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::convert::FromWasmAbi;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

pub struct EventListener<E: FromWasmAbi + 'static> {
    target: EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(E)>,
}

/// Listeners on the window are the common case.
pub type WindowListener<E> = EventListener<E>;

impl<E: FromWasmAbi + 'static> EventListener<E> {
    /// Calls `handler` with each `event` on the window; `None` without a window.
    pub fn add(event: &'static str, handler: impl FnMut(E) + 'static) -> Option<Self> {
        Self::on(web_sys::window()?.into(), event, handler)
    }

    /// Calls `handler` with each `event` on `target`.
    pub fn on(target: EventTarget, event: &'static str, handler: impl FnMut(E) + 'static) -> Option<Self> {
        let closure = Closure::<dyn FnMut(E)>::new(handler);
        target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref()).ok()?;
        Some(Self { target, event, closure })
    }
}

impl<E: FromWasmAbi + 'static> Drop for EventListener<E> {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}
