//! The rows of one folder's message list that the browser has, by position (0 = newest).
//!
//! A folder may hold 100,000 messages; the list knows how many and keeps only the blocks of
//! rows that were scrolled into view, so opening and scrolling cost the same at any size.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use yubin_protocol::{FolderChanges, MessagePage, MessageSummary, SyncPoint, Uid, MAX_SYNC_UIDS};

/// Rows are fetched in blocks of this many.
pub const BLOCK: u32 = 50;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageWindow {
    pub folder: String,
    pub total: u32,
    /// Search results are one complete block, not a window on the folder.
    pub is_search: bool,
    rows: BTreeMap<u32, MessageSummary>,
    /// Block offsets asked for and not yet answered.
    pending: BTreeSet<u32>,
    /// What a later resync starts from: the folder's UIDVALIDITY, the oldest HIGHESTMODSEQ
    /// of the rows held (`None` on servers without CONDSTORE), and the highest UID seen.
    uid_validity: Option<u32>,
    modseq: Option<u64>,
    newest: Uid,
}

impl MessageWindow {
    pub fn new(folder: &str) -> Self {
        Self { folder: folder.to_owned(), ..Self::default() }
    }

    pub fn get(&self, position: u32) -> Option<&MessageSummary> {
        self.rows.get(&position)
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Stores a page of the folder (newest first, starting at its offset).
    pub fn insert_page(&mut self, page: MessagePage) {
        let fresh = self.rows.is_empty() || page.total != self.total || page.uid_validity != self.uid_validity;
        // Rows read at different moments: a resync must start from the earliest.
        self.modseq = if fresh { page.modseq } else { self.modseq.min(page.modseq) };
        self.uid_validity = page.uid_validity;
        self.insert(page.offset, page.total, page.messages);
    }

    /// Stores a block that arrived (newest first, starting at `offset`).
    pub fn insert(&mut self, offset: u32, total: u32, rows: Vec<MessageSummary>) {
        if total != self.total {
            // The folder changed size since the other blocks came: they may be shifted.
            self.rows.clear();
            self.total = total;
        }
        self.newest = rows.iter().map(|r| r.uid).fold(self.newest, Uid::max);
        self.pending.remove(&(offset / BLOCK * BLOCK));
        for (i, row) in rows.into_iter().enumerate() {
            self.rows.insert(offset + i as u32, row);
        }
    }

    /// Offsets of the blocks covering `visible` that are neither here nor asked for; marks them
    /// as asked for.
    pub fn claim_missing(&mut self, visible: Range<u32>) -> Vec<u32> {
        let end = visible.end.min(self.total);
        let mut missing = Vec::new();
        let mut block = visible.start / BLOCK * BLOCK;
        while block < end {
            let complete = (block..(block + BLOCK).min(self.total)).all(|p| self.rows.contains_key(&p));
            if !complete && self.pending.insert(block) {
                missing.push(block);
            }
            block += BLOCK;
        }
        missing
    }

    /// A block request failed: it may be asked for again.
    pub fn release(&mut self, offset: u32) {
        self.pending.remove(&offset);
    }

    /// The message `step` places after (positive) or before `uid` in the list, if loaded.
    pub fn neighbour(&self, uid: Uid, step: i64) -> Option<Uid> {
        let position = self.rows.iter().find(|(_, m)| m.uid == uid).map(|(p, _)| i64::from(*p))?;
        let wanted = u32::try_from(position + step).ok()?;
        self.rows.get(&wanted).map(|m| m.uid)
    }

    pub fn find(&self, uid: Uid) -> Option<&MessageSummary> {
        self.rows.values().find(|m| m.uid == uid)
    }

    pub fn find_mut(&mut self, uid: Uid) -> Option<&mut MessageSummary> {
        self.rows.values_mut().find(|m| m.uid == uid)
    }

    pub fn rows_mut(&mut self) -> impl Iterator<Item = &mut MessageSummary> {
        self.rows.values_mut()
    }

    /// The newest block as a page, when all of it is here: what the list cache keeps.
    pub fn top_page(&self) -> Option<MessagePage> {
        if self.is_search {
            return None;
        }
        let messages: Vec<MessageSummary> =
            (0..BLOCK.min(self.total)).map_while(|p| self.rows.get(&p).cloned()).collect();
        (messages.len() as u32 == BLOCK.min(self.total)).then(|| MessagePage {
            folder: self.folder.clone(),
            total: self.total,
            uid_validity: self.uid_validity,
            offset: 0,
            messages,
            modseq: self.modseq,
        })
    }

    /// Where a resync of the held rows starts; `None` for search results or when so many
    /// rows are held that listing again is cheaper.
    pub fn sync_point(&self) -> Option<SyncPoint> {
        if self.is_search || self.rows.is_empty() || self.rows.len() > MAX_SYNC_UIDS {
            return None;
        }
        Some(SyncPoint {
            uid_validity: self.uid_validity,
            modseq: self.modseq,
            newest: self.newest,
            uids: self.rows.values().map(|m| m.uid).collect(),
        })
    }

    /// Brings the held rows up to date; `false` when they cannot be (list again).
    ///
    /// A row's position is how many messages are newer. New mail comes first; each removed
    /// message newer than a row moves it up one. That is exact when every removal is known:
    /// when the counts add up (old total + arrived − removed = the server's total). When they
    /// do not, a removal happened among rows not held, so only the unbroken run of rows from
    /// the top (everything newer than them held) is kept; the rest is fetched again on view.
    pub fn apply(&mut self, changes: FolderChanges) -> bool {
        if changes.reset || changes.uid_validity != self.uid_validity || changes.folder != self.folder {
            return false;
        }
        let held: BTreeSet<Uid> = self.rows.values().map(|m| m.uid).collect();
        let vanished: BTreeSet<Uid> = changes.vanished.iter().copied().filter(|uid| *uid <= self.newest).collect();
        let arrived = changes.arrived.len() as u32;
        let exact = (self.total + arrived).checked_sub(vanished.len() as u32) == Some(changes.total);
        let counted: BTreeSet<Uid> =
            if exact { vanished.clone() } else { vanished.intersection(&held).copied().collect() };
        let flags: BTreeMap<Uid, _> = changes.changed.iter().map(|c| (c.uid, c.flags)).collect();

        let mut rows = BTreeMap::new();
        for (expected, (position, mut row)) in std::mem::take(&mut self.rows).into_iter().enumerate() {
            if !exact && position != expected as u32 {
                break; // past the unbroken run from the top
            }
            if counted.contains(&row.uid) {
                continue;
            }
            let newer_gone = counted.range(row.uid + 1..).count() as u32;
            if let Some(now) = flags.get(&row.uid) {
                row.flags = *now;
            }
            // Never below zero, even for a server whose report does not add up.
            rows.insert((position + arrived).saturating_sub(newer_gone), row);
        }
        for (position, row) in changes.arrived.into_iter().enumerate() {
            self.newest = self.newest.max(row.uid);
            rows.insert(position as u32, row);
        }
        self.rows = rows;
        self.total = changes.total;
        self.modseq = changes.modseq;
        self.pending.clear();
        true
    }

    /// Takes a message out; the rows after it move up one place.
    pub fn remove(&mut self, uid: Uid) {
        let Some(position) = self.rows.iter().find(|(_, m)| m.uid == uid).map(|(p, _)| *p) else { return };
        let later = self.rows.split_off(&position);
        self.rows.extend(later.into_iter().skip(1).map(|(p, m)| (p - 1, m)));
        self.total = self.total.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::Flags;

    fn row(uid: Uid) -> MessageSummary {
        MessageSummary {
            uid,
            from: None,
            subject: format!("m{uid}"),
            date: None,
            flags: Flags::default(),
            size: 1,
            has_attachments: false,
            thread: None,
        }
    }

    fn block(offset: u32, total: u32) -> Vec<MessageSummary> {
        (offset..(offset + BLOCK).min(total)).map(|p| row(total - p)).collect()
    }

    #[test]
    fn asks_only_for_visible_blocks_once() {
        let mut w = MessageWindow::new("INBOX");
        w.insert(0, 100_000, block(0, 100_000));
        assert_eq!(w.claim_missing(0..20), Vec::<u32>::new());
        assert_eq!(w.claim_missing(40..70), vec![50]);
        assert_eq!(w.claim_missing(40..70), Vec::<u32>::new(), "already asked");
        assert_eq!(w.claim_missing(49_990..50_030), vec![49_950, 50_000]);
        assert_eq!(w.claim_missing(99_990..100_500), vec![99_950], "nothing past the end");
        w.release(50);
        assert_eq!(w.claim_missing(40..70), vec![50]);
    }

    #[test]
    fn a_changed_total_drops_stale_rows() {
        let mut w = MessageWindow::new("INBOX");
        w.insert(0, 120, block(0, 120));
        w.insert(0, 121, block(0, 121));
        assert_eq!(w.total, 121);
        assert_eq!(w.get(0).unwrap().uid, 121);
    }

    fn page(offset: u32, total: u32, messages: Vec<MessageSummary>) -> MessagePage {
        MessagePage { folder: "INBOX".into(), total, uid_validity: Some(7), offset, messages, modseq: Some(10) }
    }

    fn changes(total: u32, arrived: &[Uid], vanished: &[Uid], complete: bool) -> FolderChanges {
        FolderChanges {
            folder: "INBOX".into(),
            total,
            uid_validity: Some(7),
            modseq: Some(20),
            arrived: arrived.iter().map(|uid| row(*uid)).collect(),
            vanished: vanished.to_vec(),
            vanished_complete: complete,
            ..FolderChanges::default()
        }
    }

    fn uids(w: &MessageWindow) -> Vec<(u32, Uid)> {
        w.rows.iter().map(|(p, m)| (*p, m.uid)).collect()
    }

    #[test]
    fn a_sync_places_every_row_when_the_counts_add_up() {
        // 200 messages, UIDs 1..=200; the top block and the block at 100 are held.
        let mut w = MessageWindow::new("INBOX");
        w.insert_page(page(0, 200, block(0, 200)));
        w.insert_page(page(100, 200, block(100, 200)));
        let point = w.sync_point().unwrap();
        assert_eq!((point.newest, point.modseq, point.uids.len()), (200, Some(10), 100));

        // 199 (held, top) and 120 (not held, between the blocks) gone; 201, 202 new.
        let mut c = changes(200, &[202, 201], &[199, 120], true);
        c.changed.push(yubin_protocol::FlagUpdate {
            uid: 60,
            flags: yubin_protocol::Flags { flagged: true, ..Default::default() },
        });
        assert!(w.apply(c));
        assert_eq!(w.total, 200);
        assert_eq!(&uids(&w)[..4], [(0, 202), (1, 201), (2, 200), (3, 198)]);
        // UID 100 was at 100; two arrived above it, two left above it.
        let position_of_100 = w.rows.iter().find(|(_, m)| m.uid == 100).map(|(p, _)| *p);
        assert_eq!(position_of_100, Some(100), "two arrived above it, two left above it");
        assert!(w.find(60).unwrap().flags.flagged);
        assert_eq!(w.sync_point().unwrap().modseq, Some(20));
        assert_eq!(w.sync_point().unwrap().newest, 202);
    }

    #[test]
    fn an_unknown_removal_keeps_only_the_rows_from_the_top() {
        let mut w = MessageWindow::new("INBOX");
        w.insert_page(page(0, 200, block(0, 200)));
        w.insert_page(page(100, 200, block(100, 200)));
        // Without QRESYNC only held removals are told: 199 is; one between the blocks is not.
        assert!(w.apply(changes(198, &[], &[199], false)));
        assert_eq!(w.total, 198);
        assert_eq!(&uids(&w)[..2], [(0, 200), (1, 198)]);
        assert_eq!(w.rows.len(), 49, "the top block less the removed row; the lower block dropped");
        assert_eq!(w.claim_missing(100..150), vec![100], "fetched again when seen");
    }

    #[test]
    fn another_uid_validity_means_listing_again() {
        let mut w = MessageWindow::new("INBOX");
        w.insert_page(page(0, 10, block(0, 10)));
        let mut c = changes(10, &[], &[], true);
        c.uid_validity = Some(8);
        assert!(!w.apply(c));
    }

    #[test]
    fn removing_moves_later_rows_up() {
        let mut w = MessageWindow::new("INBOX");
        w.insert(0, 3, vec![row(3), row(2), row(1)]);
        w.remove(2);
        assert_eq!((w.total, w.get(0).unwrap().uid, w.get(1).unwrap().uid), (2, 3, 1));
        assert!(w.get(2).is_none());
    }
}
