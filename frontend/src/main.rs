fn main() {
    // Mounted on its own element, not the body: a module loaded on first use (its own Yew, in
    // its own wasm) mounts beside it, and the app's delegated event handling, which listens at
    // its root, must never see that module's events (their listener ids mean nothing here).
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<yubin_frontend::App>::with_root(root).render(),
        None => yew::Renderer::<yubin_frontend::App>::new().render(),
    };
}
