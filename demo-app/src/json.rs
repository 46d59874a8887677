//! The same messages as proto3 JSON (camelCase names, default values left out, 64-bit
//! integers as strings), written out only to measure: the inspector sets a message's JSON
//! size against its protobuf size, the comparison a REST API would invite.

use proto::demo::v1::{
    chat_event, chat_input, ChatEvent, ChatInput, ChatMessage, CreateUserRequest, ListUsersRequest,
    Ping, Pong, Sample, ScoreUpdate, SendReply, SendRequest, SubscribeRequest, Summary,
    UserRequest, UserResponse, WatchScoresRequest,
};

/// A message's proto3 JSON form.
pub trait Json {
    /// The JSON text, compact (no spaces), as an API would send it.
    fn json(&self) -> String;
}

/// Builds one JSON object, leaving out fields at their default value as proto3 JSON does.
struct Object(String);

impl Object {
    fn new() -> Object {
        Object(String::from("{"))
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        quote(&mut self.0, key);
        self.0.push(':');
    }

    fn str(mut self, key: &str, value: &str) -> Object {
        if !value.is_empty() {
            self.key(key);
            quote(&mut self.0, value);
        }
        self
    }

    fn int(mut self, key: &str, value: i64) -> Object {
        if value != 0 {
            self.key(key);
            self.0.push_str(&value.to_string());
        }
        self
    }

    /// 64-bit integers are strings in proto3 JSON (JavaScript numbers cannot hold them).
    fn int64(mut self, key: &str, value: impl Into<i128>) -> Object {
        let value = value.into();
        if value != 0 {
            self.key(key);
            quote(&mut self.0, &value.to_string());
        }
        self
    }

    fn bool(mut self, key: &str, value: bool) -> Object {
        if value {
            self.key(key);
            self.0.push_str("true");
        }
        self
    }

    fn strs(mut self, key: &str, values: &[String]) -> Object {
        if !values.is_empty() {
            self.key(key);
            self.0.push('[');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                quote(&mut self.0, v);
            }
            self.0.push(']');
        }
        self
    }

    fn num(mut self, key: &str, value: f64) -> Object {
        if value != 0.0 {
            self.key(key);
            // Rust prints whole floats without a point, which JSON reads the same.
            self.0.push_str(&value.to_string());
        }
        self
    }

    /// `bytes` are base64 in proto3 JSON (the browser's `btoa` over the bytes as Latin-1).
    fn bytes(self, key: &str, value: &[u8]) -> Object {
        let latin1: String = value.iter().map(|&b| char::from(b)).collect();
        let base64 = leptos::prelude::window().btoa(&latin1).unwrap_or_default();
        self.str(key, &base64)
    }

    /// A message field: present whenever set, even when empty.
    fn obj(mut self, key: &str, json: Option<String>) -> Object {
        if let Some(json) = json {
            self.key(key);
            self.0.push_str(&json);
        }
        self
    }

    fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// Appends `s` as a JSON string literal.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Json for UserRequest {
    fn json(&self) -> String {
        Object::new().int("userId", self.user_id.into()).end()
    }
}

impl Json for UserResponse {
    fn json(&self) -> String {
        Object::new()
            .int("userId", self.user_id.into())
            .str("name", &self.name)
            .str("email", &self.email)
            .end()
    }
}

impl Json for ListUsersRequest {
    fn json(&self) -> String {
        Object::new()
            .int("pageSize", self.page_size.into())
            .int("afterUserId", self.after_user_id.into())
            .str("nameContains", &self.name_contains)
            .int("delayMs", self.delay_ms.into())
            .end()
    }
}

impl Json for CreateUserRequest {
    fn json(&self) -> String {
        Object::new()
            .str("name", &self.name)
            .str("email", &self.email)
            .end()
    }
}

impl Json for WatchScoresRequest {
    fn json(&self) -> String {
        Object::new()
            .strs("matchIds", &self.match_ids)
            .int("maxUpdates", self.max_updates.into())
            .int("intervalMs", self.interval_ms.into())
            .end()
    }
}

impl Json for ScoreUpdate {
    fn json(&self) -> String {
        Object::new()
            .str("matchId", &self.match_id)
            .str("homeTeam", &self.home_team)
            .str("awayTeam", &self.away_team)
            .int("homeScore", self.home_score.into())
            .int("awayScore", self.away_score.into())
            .int("minute", self.minute.into())
            .str("event", &self.event)
            .bool("finished", self.finished)
            .int64("sequence", self.sequence)
            .end()
    }
}

impl Json for SendRequest {
    fn json(&self) -> String {
        Object::new()
            .str("room", &self.room)
            .str("author", &self.author)
            .str("text", &self.text)
            .end()
    }
}

impl Json for SendReply {
    fn json(&self) -> String {
        Object::new()
            .int("delivered", self.delivered.into())
            .int64("sequence", self.sequence)
            .end()
    }
}

impl Json for SubscribeRequest {
    fn json(&self) -> String {
        Object::new().str("room", &self.room).end()
    }
}

impl Json for ChatMessage {
    fn json(&self) -> String {
        Object::new()
            .str("room", &self.room)
            .str("author", &self.author)
            .str("text", &self.text)
            .int64("sequence", self.sequence)
            .int64("sentAtUnixMs", self.sent_at_unix_ms)
            .int64("skipped", self.skipped)
            .end()
    }
}

impl Json for ChatInput {
    fn json(&self) -> String {
        match &self.kind {
            Some(chat_input::Kind::Join(join)) => Object::new()
                .obj(
                    "join",
                    Some(
                        Object::new()
                            .str("room", &join.room)
                            .str("author", &join.author)
                            .end(),
                    ),
                )
                .end(),
            Some(chat_input::Kind::Text(text)) => Object::new().str("text", text).end(),
            None => Object::new().end(),
        }
    }
}

impl Json for ChatEvent {
    fn json(&self) -> String {
        let (key, json) = match &self.kind {
            Some(chat_event::Kind::Message(m)) => ("message", Some(m.json())),
            Some(chat_event::Kind::Sent(s)) => ("sent", Some(s.json())),
            None => ("", None),
        };
        Object::new().obj(key, json).end()
    }
}

impl Json for Sample {
    fn json(&self) -> String {
        Object::new()
            .num("x", self.x)
            .num("y", self.y)
            .num("atMs", self.at_ms)
            .end()
    }
}

impl Json for Summary {
    fn json(&self) -> String {
        Object::new()
            .int64("samples", self.samples)
            .num("durationMs", self.duration_ms)
            .num("rateHz", self.rate_hz)
            .num("pathLength", self.path_length)
            .num("minX", self.min_x)
            .num("maxX", self.max_x)
            .num("minY", self.min_y)
            .num("maxY", self.max_y)
            .num("meanX", self.mean_x)
            .num("meanY", self.mean_y)
            .int64("bytes", self.bytes)
            .end()
    }
}

impl Json for Ping {
    fn json(&self) -> String {
        Object::new()
            .int64("sequence", self.sequence)
            .num("sentAtMs", self.sent_at_ms)
            .bytes("padding", &self.padding)
            .end()
    }
}

impl Json for Pong {
    fn json(&self) -> String {
        Object::new()
            .int64("sequence", self.sequence)
            .num("sentAtMs", self.sent_at_ms)
            .int("paddingLen", self.padding_len.into())
            .end()
    }
}
