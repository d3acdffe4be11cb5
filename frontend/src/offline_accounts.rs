//! POP3 accounts whose mail this browser keeps, for reading it offline from the sign-in page.

use crate::prefs;

const KEY: &str = "yubin.offline-accounts";

pub fn all() -> Vec<String> {
    prefs::get_json(KEY).unwrap_or_default()
}

pub fn remember(account: &str) {
    let mut accounts = all();
    if !accounts.iter().any(|a| a == account) {
        accounts.push(account.to_owned());
        prefs::set_json(KEY, &accounts);
    }
}
