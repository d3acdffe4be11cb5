//! How dates, sizes and addresses read in the UI.

use std::cell::Cell;

use yubin_protocol::{Address, Timestamp};

thread_local! {
    /// The locale dates are written in: the UI's language (see [`set_locale`]).
    static LOCALE: Cell<&'static str> = const { Cell::new("default") };
}

/// Dates follow the UI's language (`en`, `ja`) from now on.
pub fn set_locale(tag: &'static str) {
    LOCALE.with(|l| l.set(tag));
}

fn locale() -> &'static str {
    LOCALE.with(Cell::get)
}

/// The three ways a date is written. Each is one `Intl.DateTimeFormat`, made once per locale:
/// `Date.toLocale…String` with options builds a new formatter on every call (ICU data and
/// all), which made the first list of a fresh browser spend tens of milliseconds on dates.
#[derive(Clone, Copy)]
enum DateStyle {
    Time,
    Date,
    DateTime,
}

impl DateStyle {
    /// The same fields `toLocaleTimeString`/`toLocaleDateString`/`toLocaleString` use.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Time => &["hour", "minute", "second"],
            Self::Date => &["year", "month", "day"],
            Self::DateTime => &["year", "month", "day", "hour", "minute", "second"],
        }
    }
}

thread_local! {
    /// Formatters made for the current locale: time, date, date and time.
    static FORMATTERS: std::cell::RefCell<Option<(&'static str, [js_sys::Function; 3])>> =
        const { std::cell::RefCell::new(None) };
}

/// Makes the date formatters ahead of use (the first one costs a fresh browser several
/// milliseconds of locale data), so the first list does not wait for them.
pub fn prepare() {
    formatted(DateStyle::Time, &js_sys::Date::new_0());
}

fn formatted(style: DateStyle, date: &js_sys::Date) -> String {
    let locale = locale();
    FORMATTERS
        .with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.as_ref().is_none_or(|(made_for, _)| *made_for != locale) {
                let make = |style: DateStyle| {
                    let options = js_sys::Object::new();
                    for field in style.fields() {
                        let _ = js_sys::Reflect::set(&options, &(*field).into(), &"numeric".into());
                    }
                    let locales =
                        if locale == "default" { js_sys::Array::new() } else { js_sys::Array::of1(&locale.into()) };
                    js_sys::Intl::DateTimeFormat::new(&locales, &options).format()
                };
                *cell = Some((locale, [make(DateStyle::Time), make(DateStyle::Date), make(DateStyle::DateTime)]));
            }
            let (_, formatters) = cell.as_ref().expect("made above");
            formatters[style as usize].call1(&wasm_bindgen::JsValue::NULL, date).ok().and_then(|s| s.as_string())
        })
        .unwrap_or_default()
}

/// Time of day for today's mail, the date otherwise, in the UI's locale.
pub fn short_date(ts: Option<Timestamp>) -> String {
    let Some(ts) = ts else { return String::new() };
    let date = js_sys::Date::new(&(ts as f64 * 1000.0).into());
    let now = js_sys::Date::new_0();
    let same_day = date.get_full_year() == now.get_full_year()
        && date.get_month() == now.get_month()
        && date.get_date() == now.get_date();
    formatted(if same_day { DateStyle::Time } else { DateStyle::Date }, &date)
}

/// The full date and time, in the UI's locale.
pub fn long_date(ts: Option<Timestamp>) -> String {
    ts.map(|ts| formatted(DateStyle::DateTime, &js_sys::Date::new(&(ts as f64 * 1000.0).into()))).unwrap_or_default()
}

/// 1234 → "1.2 KB".
pub fn size(bytes: impl Into<u64>) -> String {
    let bytes: u64 = bytes.into();
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{:.1} KB", bytes as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.1} GB", bytes as f64 / 1e9),
    }
}

/// A file name for a message saved as .eml: its subject, without what file systems refuse,
/// shortened; "message" for none.
pub fn eml_name(subject: &str) -> String {
    file_name(subject, "eml")
}

/// A file name made of `title` (as [`eml_name`] cleans a subject) and `extension`.
pub fn file_name(title: &str, extension: &str) -> String {
    let cleaned: String =
        title
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let stem: String = cleaned.trim().trim_matches('.').chars().take(80).collect();
    let stem = stem.trim();
    format!("{}.{extension}", if stem.is_empty() { "message" } else { stem })
}

/// The display name if there is one, else the address.
pub fn sender(address: Option<&Address>) -> String {
    match address {
        Some(Address { name: Some(name), .. }) => name.clone(),
        Some(a) => a.email.clone(),
        None => String::new(),
    }
}

/// `Name <a@b>` or `a@b`, for headers in the reader.
pub fn full_address(address: &Address) -> String {
    match &address.name {
        Some(name) => format!("{name} <{}>", address.email),
        None => address.email.clone(),
    }
}

/// Whether two `Name <a@b>` (or `a@b`) texts are the same mailbox.
pub fn same_mailbox(a: &str, b: &str) -> bool {
    fn email(text: &str) -> String {
        let inner = text.rsplit_once('<').map_or(text, |(_, rest)| rest.trim_end_matches('>'));
        inner.trim().to_lowercase()
    }
    email(a) == email(b)
}

pub fn address_list(addresses: &[Address]) -> String {
    addresses.iter().map(full_address).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(999u32), "999 B");
        assert_eq!(size(1234u32), "1.2 KB");
        assert_eq!(eml_name("Re: 見積もり/請求 *2026*"), "Re_ 見積もり_請求 _2026_.eml");
        assert_eq!(eml_name("  ..  "), "message.eml");
        assert_eq!(eml_name(&"長".repeat(200)).chars().count(), 84);
        assert_eq!(size(5_300_000u32), "5.3 MB");
        assert_eq!(size(15u64 << 30), "16.1 GB");
    }

    #[test]
    fn addresses_prefer_names() {
        let a = Address { name: Some("山田".into()), email: "y@example.jp".into() };
        assert_eq!(sender(Some(&a)), "山田");
        assert_eq!(full_address(&a), "山田 <y@example.jp>");
        let b = Address { name: None, email: "b@example.test".into() };
        assert_eq!(address_list(&[a, b]), "山田 <y@example.jp>, b@example.test");
    }
}
