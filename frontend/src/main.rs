fn main() {
    yew::Renderer::<yubin_frontend::App>::new().render();
}
