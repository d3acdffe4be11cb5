//! The reader pane's state: the open message (loading, shown or failed), the conversation it
//! belongs to, the raw source when asked for, and the attachment being looked at. Pure: the app asks the gateway and reports
//! back here.

use std::rc::Rc;

use yubin_protocol::{ApiError, FlagName, MessageSummary, MessageView, ThreadInfo, Uid};

#[derive(Debug, Clone, PartialEq)]
pub enum ReaderState {
    Empty,
    Loading(Uid),
    Loaded(Box<MessageView>),
    /// Opening this message failed.
    Failed(Uid, ApiError),
}

impl ReaderState {
    pub fn uid(&self) -> Option<Uid> {
        match self {
            Self::Loading(uid) => Some(*uid),
            Self::Loaded(view) => Some(view.uid),
            Self::Empty | Self::Failed(..) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub open: ReaderState,
    /// The conversation of the open message, in the conversation view.
    pub conversation: Option<Rc<ThreadInfo>>,
    /// The raw message shown over everything, if asked for.
    pub source: Option<String>,
    /// An attachment of the open message shown over it.
    pub preview: Option<Previewing>,
}

/// Attachment `index` of message `uid`, and the link it is shown from once there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Previewing {
    pub uid: Uid,
    pub index: usize,
    pub url: Option<Result<String, ApiError>>,
}

impl Default for Reading {
    fn default() -> Self {
        Self { open: ReaderState::Empty, conversation: None, source: None, preview: None }
    }
}

impl Reading {
    /// Starts opening message `uid`, whose row in the list (if held) is `row`.
    pub fn open(&mut self, uid: Uid, row: Option<&MessageSummary>) {
        match row.and_then(|row| row.thread.as_deref()) {
            // A conversation's row: its conversation is shown.
            Some(thread) => self.conversation = Some(Rc::new(thread.clone())),
            // Another message of the open conversation: the conversation stays.
            None if self.conversation.as_ref().is_some_and(|c| c.messages.iter().any(|m| m.uid == uid)) => {}
            None => self.conversation = None,
        }
        self.open = ReaderState::Loading(uid);
        self.preview = None;
    }

    /// The message `uid` arrived (or failed); `false` when the user has moved on meanwhile.
    pub fn arrived(&mut self, uid: Uid, result: Result<Box<MessageView>, ApiError>) -> bool {
        if !matches!(self.open, ReaderState::Loading(waiting) if waiting == uid) {
            return false;
        }
        self.open = match result {
            Ok(view) => ReaderState::Loaded(view),
            Err(e) => ReaderState::Failed(uid, e),
        };
        true
    }

    /// Closes the open message (the list it came from is going away, or the user went back).
    pub fn close(&mut self) {
        self.open = ReaderState::Empty;
        self.conversation = None;
        self.preview = None;
    }

    /// Closes the open message if it is one of `uids` (moved or deleted).
    pub fn close_if_among(&mut self, uids: &[Uid]) {
        if self.open.uid().is_some_and(|open| uids.contains(&open)) {
            self.open = ReaderState::Empty;
            self.preview = None;
        }
    }

    /// Shows a flag change on the open message, if it is `uid`.
    pub fn set_flag(&mut self, uid: Uid, flag: FlagName, value: bool) {
        if let ReaderState::Loaded(view) = &mut self.open {
            if view.uid == uid {
                *view.flags.get_mut(flag) = value;
            }
        }
    }

    /// Starts showing attachment `index` of the open message, `delta` places from the one
    /// shown (0: `index` itself), wrapping around; the UID and index to ask a link for.
    pub fn preview(&mut self, index: usize, delta: isize) -> Option<(Uid, usize)> {
        let view = self.loaded()?;
        let count = view.attachments.len();
        if count == 0 {
            return None;
        }
        let index = (index as isize + delta).rem_euclid(count as isize) as usize;
        let uid = view.uid;
        self.preview = Some(Previewing { uid, index, url: None });
        Some((uid, index))
    }

    /// The link for attachment `index` of `uid` is ready (or failed); `false` if the user has
    /// moved on meanwhile.
    pub fn preview_ready(&mut self, uid: Uid, index: usize, url: Result<String, ApiError>) -> bool {
        match &mut self.preview {
            Some(shown) if shown.uid == uid && shown.index == index && shown.url.is_none() => {
                shown.url = Some(url);
                true
            }
            _ => false,
        }
    }

    /// The message shown, once loaded.
    pub fn loaded(&self) -> Option<&MessageView> {
        match &self.open {
            ReaderState::Loaded(view) => Some(view),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yubin_protocol::{ErrorKind, Flags};

    fn summary(uid: Uid, thread: Option<ThreadInfo>) -> MessageSummary {
        MessageSummary {
            uid,
            from: None,
            subject: String::new(),
            date: None,
            flags: Flags::default(),
            size: 0,
            has_attachments: false,
            thread: thread.map(Box::new),
        }
    }

    fn view(uid: Uid) -> Box<MessageView> {
        let json = serde_json::json!({
            "folder": "INBOX", "uid": uid, "subject": "", "from": [], "to": [], "cc": [], "reply_to": [],
            "date": null, "message_id": null, "flags": Flags::default(), "text": "", "attachments": [],
        });
        Box::new(serde_json::from_value(json).expect("a minimal message"))
    }

    #[test]
    fn a_late_message_does_not_replace_the_one_asked_for_since() {
        let mut reading = Reading::default();
        reading.open(1, None);
        reading.open(2, None);
        assert!(!reading.arrived(1, Ok(view(1))), "the user moved on to 2");
        assert_eq!(reading.open, ReaderState::Loading(2));
        assert!(reading.arrived(2, Err(ApiError::new(ErrorKind::ConnectionLost, "x"))));
        assert!(matches!(reading.open, ReaderState::Failed(2, _)), "a failure is shown, with a retry");
        assert_eq!(reading.open.uid(), None);
    }

    #[test]
    fn the_conversation_stays_while_reading_within_it() {
        let thread = ThreadInfo { count: 2, unread: 0, messages: vec![summary(1, None), summary(2, None)] };
        let mut reading = Reading::default();
        reading.open(1, Some(&summary(1, Some(thread))));
        reading.open(2, None);
        assert!(reading.conversation.is_some(), "2 is in the open conversation");
        reading.open(9, Some(&summary(9, None)));
        assert!(reading.conversation.is_none());
    }

    #[test]
    fn flags_and_removals_reach_the_open_message() {
        let mut reading = Reading::default();
        reading.open(4, None);
        reading.arrived(4, Ok(view(4)));
        reading.set_flag(4, FlagName::Flagged, true);
        reading.set_flag(5, FlagName::Seen, true);
        assert!(reading.loaded().is_some_and(|v| v.flags.flagged && !v.flags.seen));
        reading.close_if_among(&[3]);
        assert!(reading.loaded().is_some());
        reading.close_if_among(&[3, 4]);
        assert_eq!(reading.open, ReaderState::Empty);
    }

    #[test]
    fn a_preview_steps_through_the_attachments_and_ends_with_its_message() {
        let mut reading = Reading::default();
        reading.open(4, None);
        assert_eq!(reading.preview(0, 0), None, "nothing loaded yet");
        let mut view = view(4);
        let attachment = |part: u32| yubin_protocol::AttachmentInfo {
            part,
            section: (part + 2).to_string(),
            filename: None,
            content_type: "image/png".into(),
            size: 1,
            inline: false,
        };
        view.attachments = vec![attachment(0), attachment(1), attachment(2)];
        reading.arrived(4, Ok(view));
        assert_eq!(reading.preview(0, 0), Some((4, 0)));
        assert_eq!(reading.preview(0, -1), Some((4, 2)), "before the first is the last");
        assert!(!reading.preview_ready(4, 0, Ok("/old".into())), "the user moved on to 2");
        assert!(reading.preview_ready(4, 2, Ok("/download/x".into())));
        assert_eq!(reading.preview(2, 1), Some((4, 0)), "after the last is the first");
        reading.open(5, None);
        assert_eq!(reading.preview, None, "another message closes it");
    }
}
