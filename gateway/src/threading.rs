//! Grouping a folder's messages into conversations by their `Message-ID`, `In-Reply-To` and
//! `References` headers (the part of JWZ threading that needs no guessing): messages that
//! name each other, directly or through a shared ancestor, are one thread. Subjects are not
//! compared, so two "Hello" mails from strangers stay apart.

use std::collections::HashMap;

use yubin_protocol::Uid;

/// One message's threading headers.
pub struct Links {
    pub uid: Uid,
    pub message_id: Option<String>,
    /// `In-Reply-To` and `References` ids.
    pub refers_to: Vec<String>,
}

/// Threads, the one with the newest message first; each thread's UIDs oldest first.
pub fn threads(messages: &[Links]) -> Vec<Vec<Uid>> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut message_node = Vec::with_capacity(messages.len());
    for message in messages {
        // Every message is a node of its own; its ids are nodes that join it.
        let own = parent.len();
        parent.push(own);
        message_node.push(own);
        for id in message.message_id.iter().chain(&message.refers_to) {
            let other = *ids.entry(id.as_str()).or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            });
            let (a, b) = (find(&mut parent, own), find(&mut parent, other));
            if a != b {
                parent[a] = b;
            }
        }
    }
    let mut groups: HashMap<usize, Vec<Uid>> = HashMap::new();
    for (message, node) in messages.iter().zip(message_node) {
        groups.entry(find(&mut parent, node)).or_default().push(message.uid);
    }
    let mut threads: Vec<Vec<Uid>> = groups.into_values().collect();
    for thread in &mut threads {
        thread.sort_unstable();
    }
    threads.sort_unstable_by(|a, b| b.last().cmp(&a.last()));
    threads
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(uid: Uid, id: &str, refs: &[&str]) -> Links {
        Links {
            uid,
            message_id: (!id.is_empty()).then(|| id.to_owned()),
            refers_to: refs.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn replies_join_their_thread_even_through_a_missing_ancestor() {
        let messages = [
            links(1, "<a>", &[]),
            links(2, "<b>", &["<a>"]),
            links(3, "<x>", &[]),
            links(4, "<c>", &["<a>", "<b>"]),
            // Its parent <m> is not in this folder, but <n> names the same parent.
            links(5, "<n1>", &["<m>"]),
            links(6, "<n2>", &["<m>"]),
            links(7, "", &[]),
        ];
        assert_eq!(threads(&messages), vec![vec![7], vec![5, 6], vec![1, 2, 4], vec![3]]);
    }
}
