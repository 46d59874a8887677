//! `ChatService.Converse`: one bidi call per participant, over the same rooms as
//! `Send`/`Subscribe`.
//!
//! The reply stream is pulled, never pushed: the server reads the participant's next input
//! only when the client has taken the previous answer, so a client that stops reading stops
//! being read (its inputs wait in the transport's flow control, not in server memory), and
//! the room's messages to it are bounded by its subscription as for `Subscribe`.

use futures_util::{Stream, StreamExt};
use proto::demo::v1::chat_event::Kind as EventKind;
use proto::demo::v1::chat_input::Kind as InputKind;
use proto::demo::v1::{ChatEvent, ChatInput, ChatMessage, JoinRoom, SendReply};
use tonic::Status;

use super::chat::{check, check_text, Hub, Subscription};
use super::details::{bad_request, violation};

/// Who this participant is, once joined.
struct Joined {
    room: String,
    author: String,
    subscription: Subscription,
}

/// What woke a joined participant up.
enum Next {
    Room(Option<Result<ChatMessage, Status>>),
    Input(Option<Result<ChatInput, Status>>),
}

struct State<S> {
    hub: Hub,
    inputs: S,
    joined: Option<Joined>,
    /// The client half-closed: deliver what the room already sent it, then end.
    draining: bool,
    done: bool,
}

/// The reply stream of one participant sending `inputs`.
pub fn converse<S>(hub: Hub, inputs: S) -> impl Stream<Item = Result<ChatEvent, Status>> + Send
where
    S: Stream<Item = Result<ChatInput, Status>> + Send + Unpin + 'static,
{
    let state = State {
        hub,
        inputs,
        joined: None,
        draining: false,
        done: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        let item = state.next_event().await;
        if !matches!(item, Some(Ok(_))) {
            state.done = true;
        }
        item.map(|item| (item, state))
    })
}

impl<S> State<S>
where
    S: Stream<Item = Result<ChatInput, Status>> + Send + Unpin,
{
    async fn next_event(&mut self) -> Option<Result<ChatEvent, Status>> {
        loop {
            let Some(joined) = &mut self.joined else {
                match self.inputs.next().await? {
                    Err(status) => return Some(Err(status)),
                    Ok(input) => match self.join(input) {
                        Ok(()) => continue,
                        Err(status) => return Some(Err(status)),
                    },
                }
            };
            if self.draining {
                let message = joined.subscription.try_next()?;
                return Some(Ok(event(EventKind::Message(message))));
            }
            let next = tokio::select! {
                // The room first: a participant's own message comes back before its answer
                // is overtaken by the next input.
                biased;
                message = joined.subscription.next() => Next::Room(message),
                input = self.inputs.next() => Next::Input(input),
            };
            match next {
                Next::Room(message) => {
                    return message.map(|m| m.map(|m| event(EventKind::Message(m))));
                }
                Next::Input(None) => self.draining = true,
                Next::Input(Some(Err(status))) => return Some(Err(status)),
                Next::Input(Some(Ok(input))) => return Some(self.say(input)),
            }
        }
    }

    fn join(&mut self, input: ChatInput) -> Result<(), Status> {
        let Some(InputKind::Join(JoinRoom { room, author })) = input.kind else {
            return Err(bad_request(
                "join a room first",
                vec![violation(
                    "join",
                    "the first message must join a room",
                    "REQUIRED",
                )],
            ));
        };
        let mut violations = Vec::new();
        check("join.room", &room, 64, &mut violations);
        check("join.author", &author, 64, &mut violations);
        if !violations.is_empty() {
            return Err(bad_request("invalid join", violations));
        }
        let subscription = self.hub.subscribe(&room)?;
        self.joined = Some(Joined {
            room,
            author,
            subscription,
        });
        Ok(())
    }

    fn say(&mut self, input: ChatInput) -> Result<ChatEvent, Status> {
        let joined = self
            .joined
            .as_ref()
            .expect("say is only called once joined");
        let text = match input.kind {
            Some(InputKind::Text(text)) => text,
            Some(InputKind::Join(_)) => {
                return Err(bad_request(
                    "already joined",
                    vec![violation("join", "a participant joins once", "REPEATED")],
                ))
            }
            None => {
                return Err(bad_request(
                    "empty input",
                    vec![violation("kind", "must be join or text", "REQUIRED")],
                ))
            }
        };
        let mut violations = Vec::new();
        check_text("text", &text, &mut violations);
        if !violations.is_empty() {
            return Err(bad_request("invalid chat message", violations));
        }
        let (delivered, sequence) = self.hub.publish(&joined.room, &joined.author, &text);
        Ok(event(EventKind::Sent(SendReply {
            delivered,
            sequence,
        })))
    }
}

fn event(kind: EventKind) -> ChatEvent {
    ChatEvent { kind: Some(kind) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;
    use tonic::Code;

    fn join(room: &str, author: &str) -> Result<ChatInput, Status> {
        Ok(ChatInput {
            kind: Some(InputKind::Join(JoinRoom {
                room: room.into(),
                author: author.into(),
            })),
        })
    }

    fn text(t: &str) -> Result<ChatInput, Status> {
        Ok(ChatInput {
            kind: Some(InputKind::Text(t.into())),
        })
    }

    #[tokio::test]
    async fn a_participant_hears_itself_and_gets_an_answer_per_message() {
        let hub = Hub::default();
        let inputs = stream::iter(vec![join("r", "ann"), text("hi"), text("again")]);
        let events: Vec<_> = converse(hub.clone(), inputs).collect().await;
        let kinds: Vec<_> = events
            .into_iter()
            .map(|e| e.unwrap().kind.unwrap())
            .collect();
        // Two answers and both messages back, then the end once drained.
        let sent: Vec<_> = kinds
            .iter()
            .filter_map(|k| match k {
                EventKind::Sent(s) => Some((s.delivered, s.sequence)),
                _ => None,
            })
            .collect();
        let heard: Vec<_> = kinds
            .iter()
            .filter_map(|k| match k {
                EventKind::Message(m) => Some((m.author.as_str(), m.text.as_str(), m.sequence)),
                _ => None,
            })
            .collect();
        assert_eq!(sent, [(1, 1), (1, 2)]);
        assert_eq!(heard, [("ann", "hi", 1), ("ann", "again", 2)]);
        assert_eq!(
            hub.subscribers("r"),
            0,
            "the subscription ends with the call"
        );
    }

    #[tokio::test]
    async fn the_first_message_must_join_and_only_once() {
        for inputs in [
            vec![text("hi")],
            vec![join("r", "ann"), join("r", "bob")],
            vec![join("", "ann")],
            vec![join("r", "ann"), text("")],
        ] {
            let events: Vec<_> = converse(Hub::default(), stream::iter(inputs))
                .collect()
                .await;
            let last = events.last().unwrap().as_ref().unwrap_err();
            assert_eq!(last.code(), Code::InvalidArgument, "{last:?}");
        }
    }

    #[tokio::test]
    async fn half_closing_before_joining_ends_cleanly() {
        let events: Vec<_> = converse(Hub::default(), stream::iter(vec![]))
            .collect()
            .await;
        assert!(events.is_empty());
    }
}
