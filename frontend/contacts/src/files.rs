//! Files the user picks (a .vcf to import, a photo) and the file they save (an export).

use wasm_bindgen_futures::JsFuture;
use yubin_protocol::contacts::MAX_PHOTO_BYTES;

/// A picked file's text.
pub async fn text(file: &web_sys::File) -> Result<String, String> {
    let text = JsFuture::from(file.text()).await.map_err(|_| "the file cannot be read".to_owned())?;
    text.as_string().ok_or_else(|| "the file is not text".to_owned())
}

/// A picked image as a `data:` URL, if it is an image small enough to keep on a card.
pub async fn photo_data_url(file: &web_sys::File) -> Result<String, &'static str> {
    if !file.type_().starts_with("image/") {
        return Err("That is not an image.");
    }
    if file.size() > MAX_PHOTO_BYTES as f64 {
        return Err("Choose a smaller photo (under 256 KB).");
    }
    let reader = web_sys::FileReader::new().map_err(|_| "The photo cannot be read.")?;
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        reader.set_onload(Some(&resolve));
        reader.set_onerror(Some(&reject));
    });
    reader.read_as_data_url(file).map_err(|_| "The photo cannot be read.")?;
    JsFuture::from(done).await.map_err(|_| "The photo cannot be read.")?;
    reader.result().ok().and_then(|r| r.as_string()).ok_or("The photo cannot be read.")
}

/// Saves `text` as a download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    yubin_shared::download::save(name, mime, text.as_bytes())
}
