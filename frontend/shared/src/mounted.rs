//! A module's dialog is a Yew app of its own, mounted on the element the app gives it (Yew
//! delegates events at its root, so it must not share the app's): one at a time per module,
//! taken down when the app says so.

use std::cell::RefCell;
use std::thread::LocalKey;

use wasm_bindgen::JsValue;
use yew::{AppHandle, BaseComponent, Callback};

/// Where a module keeps its mounted dialog.
pub type Mounted<C> = RefCell<Option<AppHandle<C>>>;

/// The app's `close` function, as the dialog's callback.
pub fn on_close(close: js_sys::Function) -> Callback<()> {
    Callback::from(move |()| {
        let _ = close.call0(&JsValue::NULL);
    })
}

/// Renders `C` with `props` on `element`, in place of the one mounted before.
pub fn mount<C: BaseComponent>(slot: &'static LocalKey<Mounted<C>>, element: web_sys::Element, props: C::Properties) {
    let app = yew::Renderer::<C>::with_root_and_props(element, props).render();
    if let Some(earlier) = slot.with(|open| open.borrow_mut().replace(app)) {
        earlier.destroy();
    }
}

/// Takes the mounted dialog down.
pub fn unmount<C: BaseComponent>(slot: &'static LocalKey<Mounted<C>>) {
    if let Some(app) = slot.with(|open| open.borrow_mut().take()) {
        app.destroy();
    }
}
