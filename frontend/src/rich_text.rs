//! The rich-text editor, a module loaded the first time formatted text is written
//! (`frontend/editor`: Squire from npm over a `contenteditable` element, DOMPurify cleaning
//! what enters it). This is the app's side of it: open it on an element, give it commands,
//! hear what changed. The HTML it writes is cleaned again by the gateway before it is sent.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::Callback;
use yubin_protocol::{ApiError, ErrorKind};

use crate::extras;

/// What the editor tells the composer.
pub struct EditorEvents {
    /// After every change: the HTML and the text as the user sees it.
    pub input: Callback<(String, String)>,
    /// The formats at the caret (`B I UL …`), to show which toolbar buttons are on.
    pub path: Callback<String>,
    /// Ctrl/Cmd+K: ask for a link's address.
    pub link: Callback<()>,
    /// Remote images left out of a paste or a quote (never loaded, never sent).
    pub dropped: Callback<u32>,
    /// A picture too big to put in the text: attach it instead.
    pub attach: Callback<web_sys::File>,
}

/// An open editor; dropping it takes the editor down (the element stays, empty of listeners).
pub struct Editor {
    handle: JsValue,
    // What the editor calls back, alive as long as it.
    _callbacks: Box<dyn std::any::Any>,
}

impl Editor {
    /// Loads the editor (once) and opens it on `root`, starting with `html`.
    pub async fn open(root: &web_sys::Element, html: &str, events: EditorEvents) -> Result<Self, ApiError> {
        let module = extras::exports("editor").await?;
        let input = Closure::<dyn Fn(String, String)>::new(move |html, text| events.input.emit((html, text)));
        let path = Closure::<dyn Fn(String)>::new(move |formats| events.path.emit(formats));
        let link = Closure::<dyn Fn()>::new(move || events.link.emit(()));
        let dropped = Closure::<dyn Fn(u32)>::new(move |count| events.dropped.emit(count));
        let attach = Closure::<dyn Fn(web_sys::File)>::new(move |file| events.attach.emit(file));
        let callbacks = js_sys::Object::new();
        let named = [
            ("input", input.as_ref()),
            ("path", path.as_ref()),
            ("link", link.as_ref()),
            ("dropped", dropped.as_ref()),
            ("attach", attach.as_ref()),
        ];
        for (name, function) in named {
            js_sys::Reflect::set(&callbacks, &name.into(), function).map_err(failed)?;
        }
        let create: js_sys::Function =
            js_sys::Reflect::get(&module, &"create".into()).map_err(failed)?.unchecked_into();
        let handle = create.call3(&JsValue::NULL, root, &html.into(), &callbacks).map_err(failed)?;
        Ok(Self { handle, _callbacks: Box::new((input, path, link, dropped, attach)) })
    }

    /// Runs toolbar command `name` (`bold`, `heading`, `link`, …; see `frontend/editor`).
    pub fn command(&self, name: &str, value: Option<&str>) {
        let _ = self.call("command", &[name.into(), value.map(JsValue::from).unwrap_or(JsValue::NULL)]);
    }

    /// Puts pictures into the text where the caret is (big ones come back through `attach`).
    pub fn insert_images(&self, files: &js_sys::Array) {
        let _ = self.call("insertImages", &[files.into()]);
    }

    pub fn focus(&self) {
        let _ = self.call("focus", &[]);
    }

    fn call(&self, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
        let function: js_sys::Function = js_sys::Reflect::get(&self.handle, &name.into())?.dyn_into()?;
        function.apply(&self.handle, &args.iter().collect::<js_sys::Array>())
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.call("destroy", &[]);
    }
}

fn failed(error: JsValue) -> ApiError {
    ApiError::new(ErrorKind::Internal, format!("the editor did not start: {}", error.as_string().unwrap_or_default()))
}
