//! A search of every folder of every signed-in IMAP account (`in:all`, or any search typed
//! while the unified inbox is shown): each account's gateway session searches its folders and
//! answers a page at a time; here the pages are gathered, merged newest first, labelled by
//! account and folder, and asked to go on. Pure: the app asks and reports back.

use yubin_protocol::{AccountId, ApiError, FoundMessage, FoundPage, SearchQuery};

/// Results asked for per account at a time.
pub const PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct Everywhere {
    /// The search as typed.
    pub text: String,
    pub query: SearchQuery,
    pub accounts: Vec<AccountResults>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountResults {
    pub account: AccountId,
    pub hits: Vec<FoundMessage>,
    /// Matches the account has in all (known after its first page).
    pub total: Option<u32>,
    pub loading: bool,
    pub error: Option<ApiError>,
}

/// One row of the merged results.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub account: AccountId,
    pub found: &'a FoundMessage,
}

impl Everywhere {
    /// A search of `accounts`, each about to be asked for its first page.
    pub fn new(text: String, query: SearchQuery, accounts: &[AccountId]) -> Self {
        let accounts = accounts
            .iter()
            .map(|&account| AccountResults { account, hits: Vec::new(), total: None, loading: true, error: None })
            .collect();
        Self { text, query, accounts }
    }

    /// A page (or failure) for `account` arrived.
    pub fn arrived(&mut self, account: AccountId, page: Result<FoundPage, ApiError>) {
        let Some(results) = self.accounts.iter_mut().find(|r| r.account == account) else { return };
        results.loading = false;
        match page {
            Ok(page) => {
                results.total = Some(page.total);
                results.hits.extend(page.hits);
            }
            Err(e) => results.error = Some(e),
        }
    }

    /// The accounts that have more to show, with the offset to ask from; marked as asked.
    pub fn ask_more(&mut self) -> Vec<(AccountId, u32)> {
        let mut asks = Vec::new();
        for results in &mut self.accounts {
            let held = results.hits.len() as u32;
            if !results.loading && results.error.is_none() && results.total.is_some_and(|total| total > held) {
                results.loading = true;
                asks.push((results.account, held));
            }
        }
        asks
    }

    /// Whether "more" would find anything.
    pub fn has_more(&self) -> bool {
        self.accounts.iter().any(|r| r.error.is_none() && r.total.is_some_and(|total| total > r.hits.len() as u32))
    }

    pub fn loading(&self) -> bool {
        self.accounts.iter().any(|r| r.loading)
    }

    /// Matches in all, over the accounts that answered.
    pub fn total(&self) -> u32 {
        self.accounts.iter().filter_map(|r| r.total).sum()
    }

    /// Every row held, newest first.
    pub fn hits(&self) -> Vec<Hit<'_>> {
        let mut hits: Vec<Hit<'_>> = self
            .accounts
            .iter()
            .flat_map(|r| r.hits.iter().map(move |found| Hit { account: r.account, found }))
            .collect();
        hits.sort_by_key(|hit| std::cmp::Reverse(hit.found.message.date));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::{ErrorKind, Flags, MessageSummary};

    fn page(folder: &str, dates: &[i64], total: u32) -> FoundPage {
        let hits = dates
            .iter()
            .map(|date| FoundMessage {
                folder: folder.into(),
                message: MessageSummary {
                    uid: *date as u32,
                    from: None,
                    subject: String::new(),
                    date: Some(*date),
                    flags: Flags::default(),
                    size: 0,
                    has_attachments: false,
                    thread: None,
                },
            })
            .collect();
        FoundPage { hits, total, folders: 3 }
    }

    #[test]
    fn accounts_merge_newest_first_and_go_on_where_they_have_more() {
        let mut search = Everywhere::new("x in:all".into(), SearchQuery::default(), &[1, 2]);
        assert!(search.loading());
        search.arrived(1, Ok(page("INBOX", &[30, 10], 3)));
        search.arrived(2, Ok(page("Archive", &[20], 1)));
        let order: Vec<(AccountId, i64)> =
            search.hits().iter().map(|h| (h.account, h.found.message.date.unwrap())).collect();
        assert_eq!(order, [(1, 30), (2, 20), (1, 10)]);
        assert_eq!(search.total(), 4);
        assert!(search.has_more());
        assert_eq!(search.ask_more(), [(1, 2)]);
        assert_eq!(search.ask_more(), [], "asked already");
        search.arrived(1, Err(ApiError::new(ErrorKind::ConnectionLost, "gone")));
        assert!(!search.has_more() && !search.loading());
    }
}
