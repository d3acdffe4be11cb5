//! The rows of one folder's message list that the browser has, by position (0 = newest).
//!
//! A folder may hold 100,000 messages; the list knows how many and keeps only the blocks of
//! rows that were scrolled into view, so opening and scrolling cost the same at any size.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use yubin_protocol::{MessageSummary, Uid};

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

    /// Stores a block that arrived (newest first, starting at `offset`).
    pub fn insert(&mut self, offset: u32, total: u32, rows: Vec<MessageSummary>) {
        if total != self.total {
            // The folder changed size since the other blocks came: they may be shifted.
            self.rows.clear();
            self.total = total;
        }
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

    #[test]
    fn removing_moves_later_rows_up() {
        let mut w = MessageWindow::new("INBOX");
        w.insert(0, 3, vec![row(3), row(2), row(1)]);
        w.remove(2);
        assert_eq!((w.total, w.get(0).unwrap().uid, w.get(1).unwrap().uid), (2, 3, 1));
        assert!(w.get(2).is_none());
    }
}
