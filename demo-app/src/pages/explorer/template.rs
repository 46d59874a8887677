//! A request to start from: the method's input type as proto3 JSON with every field at its
//! default (enums by name, nested messages expanded one level), and what each field is, with
//! its comment from the `.proto` when the descriptors carry source info.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value};

/// One field of the request, for the table beside the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDoc {
    /// The JSON name, `parent.child` for a field of a nested message.
    pub name: String,
    /// `int32`, `repeated string`, `demo.v1.Role`, `map<string, int64>`...
    pub ty: String,
    /// The comment above (or after) the field in its `.proto`, if the descriptors kept it.
    pub comment: String,
}

/// The JSON template for a message of type `desc`, pretty-printed.
pub fn template(desc: &MessageDescriptor) -> String {
    serde_json::to_string_pretty(&message(desc, 0)).unwrap_or_else(|_| "{}".into())
}

/// A request stream's template: `one` message, in an array of the messages to send.
pub fn stream(one: &str) -> String {
    let indented = one.replace('\n', "\n  ");
    format!("[\n  {indented}\n]")
}

/// The fields of `desc` and, one level down, of its message-typed fields.
pub fn docs(desc: &MessageDescriptor) -> Vec<FieldDoc> {
    let mut out = Vec::new();
    for field in desc.fields() {
        out.push(doc(&field, field.json_name().to_string()));
        if let (Kind::Message(inner), false) = (field.kind(), field.is_map()) {
            if well_known(&inner).is_none() {
                for child in inner.fields() {
                    let name = format!("{}.{}", field.json_name(), child.json_name());
                    out.push(doc(&child, name));
                }
            }
        }
    }
    out
}

fn doc(field: &FieldDescriptor, name: String) -> FieldDoc {
    FieldDoc {
        name,
        ty: type_name(field),
        comment: comment(field).unwrap_or_default(),
    }
}

/// Nested messages deeper than this are left as `{}`: a template to edit, not a tree to prune.
const EXPAND: usize = 1;

fn message(desc: &MessageDescriptor, depth: usize) -> Value {
    if let Some(value) = well_known(desc) {
        return value;
    }
    let mut object = Map::new();
    if depth > EXPAND {
        return Value::Object(object);
    }
    let mut oneofs_seen = Vec::new();
    for field in desc.fields() {
        // One member per oneof: setting two is an error in proto3 JSON. (A proto3 `optional`
        // is a oneof of its own, so it is kept.)
        if let Some(oneof) = field.containing_oneof() {
            if oneofs_seen.contains(&oneof.name().to_string()) {
                continue;
            }
            oneofs_seen.push(oneof.name().to_string());
        }
        object.insert(field.json_name().to_string(), value(&field, depth));
    }
    Value::Object(object)
}

fn value(field: &FieldDescriptor, depth: usize) -> Value {
    if field.is_map() {
        return Value::Object(Map::new());
    }
    if field.is_list() {
        return Value::Array(Vec::new());
    }
    scalar(&field.kind(), depth)
}

fn scalar(kind: &Kind, depth: usize) -> Value {
    match kind {
        Kind::Double | Kind::Float => 0.0.into(),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 | Kind::Uint32 | Kind::Fixed32 => 0.into(),
        // 64-bit integers are strings in proto3 JSON: JavaScript numbers cannot hold them.
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => "0".into(),
        Kind::Bool => false.into(),
        Kind::String | Kind::Bytes => "".into(),
        Kind::Enum(e) => e
            .values()
            .next()
            .map_or(Value::Null, |v| v.name().to_string().into()),
        Kind::Message(m) => message(m, depth + 1),
    }
}

/// The JSON default of a well-known type, which proto3 JSON writes in a form of its own.
fn well_known(desc: &MessageDescriptor) -> Option<Value> {
    let name = desc.full_name().strip_prefix("google.protobuf.")?;
    Some(match name {
        "Timestamp" => "1970-01-01T00:00:00Z".into(),
        "Duration" => "0s".into(),
        "FieldMask" => "".into(),
        "Struct" | "Empty" | "Any" => Value::Object(Map::new()),
        "ListValue" => Value::Array(Vec::new()),
        n if n == "Value" || n.ends_with("Value") => Value::Null,
        _ => return None,
    })
}

fn type_name(field: &FieldDescriptor) -> String {
    let kind = |k: &Kind| match k {
        Kind::Message(m) => m.full_name().to_string(),
        Kind::Enum(e) => e.full_name().to_string(),
        other => format!("{other:?}").to_lowercase(),
    };
    match field.kind() {
        Kind::Message(entry) if field.is_map() => {
            let k = entry.map_entry_key_field().kind();
            let v = entry.map_entry_value_field().kind();
            format!("map<{}, {}>", kind(&k), kind(&v))
        }
        k if field.is_list() => format!("repeated {}", kind(&k)),
        k => kind(&k),
    }
}

/// The field's comment from the source info of its file, if the descriptors kept it
/// (`protoc --include_source_info`; reflection passes on what the server registered).
fn comment(field: &FieldDescriptor) -> Option<String> {
    let file = field.parent_message().parent_file();
    let info = file.file_descriptor_proto().source_code_info.as_ref()?;
    let location = info.location.iter().find(|l| l.path == field.path())?;
    let text = location
        .leading_comments
        .as_deref()
        .or(location.trailing_comments.as_deref())?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}
