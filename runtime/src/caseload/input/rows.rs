//! The NDJSON reader's general path: a line the fast path (`scan.rs`)
//! cannot vouch for is parsed into a `Json` tree that borrows its keys and
//! strings from the line (no `serde_json::Value`: no per-key `String`, no
//! maps), then converted field by field. This path alone words the errors:
//! every `RowError` a row can get is made here.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::bytecode::program::FieldType;
use crate::caseload::batch::CaseData;
use crate::caseload::errors::InputCode;
use crate::caseload::values::{closest, period, FieldSpec, Scalar, SchemaIndex, ValueError};

// ---------------------------------------------------------------------------
// Borrowed JSON
// ---------------------------------------------------------------------------

/// A JSON value borrowing from the line where it can (strings without escapes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'de> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'de, str>),
    Array(Vec<Json<'de>>),
    Object(Vec<(Cow<'de, str>, Json<'de>)>),
}

impl<'de> Json<'de> {
    fn scalar(&self) -> Scalar<'_> {
        match self {
            Json::Null => Scalar::Null,
            Json::Bool(b) => Scalar::Bool(*b),
            Json::Int(n) => Scalar::Int(*n),
            Json::Float(f) => Scalar::Float(*f),
            Json::Str(s) => Scalar::Str(s),
            Json::Array(_) => Scalar::Array,
            Json::Object(_) => Scalar::Object,
        }
    }

    fn shape(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) | Json::Float(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(match i64::try_from(v) {
            Ok(n) => Json::Int(n),
            Err(_) => Json::Float(v as f64),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Json::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        Json::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(x) = seq.next_element()? {
            v.push(x);
        }
        Ok(Json::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut v = Vec::with_capacity(8);
        while let Some(k) = map.next_key::<Key<'de>>()? {
            let x = map.next_value()?;
            v.push((k.0, x));
        }
        Ok(Json::Object(v))
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

/// A map key, borrowed when it has no escapes (serde's own `Cow` impl always copies).
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

// ---------------------------------------------------------------------------
// Rows to cases
// ---------------------------------------------------------------------------

/// Why a row was rejected, before the reader adds file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowError {
    pub code: InputCode,
    pub field: Option<String>,
    pub column: Option<u64>,
    pub message: String,
    pub help: Option<String>,
}

impl RowError {
    pub fn new(code: InputCode, field: Option<String>, message: impl Into<String>) -> RowError {
        RowError {
            code,
            field,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> RowError {
        self.help = Some(help.into());
        self
    }

    pub fn from_value(field: impl Into<String>, e: ValueError) -> RowError {
        let field = field.into();
        RowError {
            code: e.code,
            message: format!("`{field}`: {}", e.message),
            field: Some(field),
            column: None,
            help: e.help,
        }
    }
}

/// Longest name an error quotes back (unknown field and kind names are
/// input too; they are keys, not values, but a runaway key is no help).
const MAX_QUOTED: usize = 64;

fn quoted(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or("")),
        None => s.to_owned(),
    }
}

fn did_you_mean<'a>(s: &str, names: impl Iterator<Item = &'a str>) -> Option<String> {
    closest(s, names).map(|c| format!("did you mean `{c}`?"))
}

/// The case id of a parsed row, if it has a usable one.
fn row_id<'a>(obj: &'a [(Cow<'_, str>, Json<'_>)]) -> Option<Cow<'a, str>> {
    obj.iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| match v {
            Json::Str(s) if !s.is_empty() => Some(Cow::Borrowed(s.as_ref())),
            Json::Int(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        })
}

/// Sets `case.fields[i]` for a scalar field (not periods), or says why not.
fn set_scalar(
    ix: &SchemaIndex,
    spec: &FieldSpec,
    path: &str,
    v: &Json<'_>,
) -> Result<i64, RowError> {
    if let Json::Null = v {
        if spec.required() {
            return Err(RowError::new(
                InputCode::MissingField,
                Some(path.to_owned()),
                format!("required field `{path}` is null"),
            )
            .help("give a value; only optional fields (`T?`) may be null"));
        }
        return Ok(spec.absent_value());
    }
    ix.convert(spec.ty, &v.scalar())
        .map_err(|e| RowError::from_value(path, e))
}

fn set_periods(path: &str, v: &Json<'_>, out: &mut Vec<(i32, i32)>) -> Result<(), RowError> {
    out.clear();
    let list = match v {
        Json::Null => return Ok(()),
        Json::Array(list) => list,
        other => {
            return Err(RowError::new(
                InputCode::WrongType,
                Some(path.to_owned()),
                format!(
                    "`{path}`: expected a list of periods, found {}",
                    other.shape()
                ),
            )
            .help("write `[[\"2026-01-01\", \"2026-03-31\"], [\"2026-05-01\", null]]`"))
        }
    };
    for (i, p) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let bad_shape = || {
            RowError::new(
                InputCode::WrongType,
                Some(at.clone()),
                format!("`{at}`: expected a period `[start, end]`"),
            )
            .help("a period is a list of two dates; the end may be null (still running)")
        };
        let Json::Array(pair) = p else {
            return Err(bad_shape());
        };
        let [start, end] = pair.as_slice() else {
            return Err(bad_shape());
        };
        let date = |j: &'_ Json<'_>| -> Result<Option<String>, RowError> {
            match j {
                Json::Null => Ok(None),
                Json::Str(s) => Ok(Some(s.to_string())),
                _ => Err(bad_shape()),
            }
        };
        let (s, e) = (date(start)?, date(end)?);
        let p = period(s.as_deref(), e.as_deref()).map_err(|e| RowError::from_value(&at, e))?;
        out.push(p);
    }
    Ok(())
}

/// Converts one parsed line into `case`. `seen` is scratch, one flag per field.
pub(crate) fn build_case(
    ix: &SchemaIndex,
    root: &Json<'_>,
    case: &mut CaseData,
    seen: &mut Vec<bool>,
) -> Result<(), RowError> {
    let Json::Object(obj) = root else {
        return Err(RowError::new(
            InputCode::WrongType,
            None,
            format!("a case must be a JSON object, found {}", root.shape()),
        )
        .help(
            "write one object per line: `{\"id\": \"...\", <field>: <value>, \"events\": [...]}`",
        ));
    };
    seen.clear();
    seen.resize(ix.fields.len(), false);
    let mut have_id = false;
    let mut have_events = false;
    for (k, v) in obj {
        match k.as_ref() {
            "id" => {
                if have_id {
                    return Err(repeated("id"));
                }
                have_id = true;
                match v {
                    Json::Str(s) if !s.is_empty() => case.id = s.to_string(),
                    Json::Int(n) => case.id = n.to_string(),
                    Json::Str(_) => {
                        return Err(RowError::new(
                            InputCode::MissingField,
                            Some("id".into()),
                            "the case id is empty",
                        )
                        .help("every case needs a unique, non-empty `\"id\"`"))
                    }
                    other => {
                        return Err(RowError::new(
                            InputCode::WrongType,
                            Some("id".into()),
                            format!("`id`: expected a string, found {}", other.shape()),
                        )
                        .help("write the id as a string, e.g. `\"c1\"`"))
                    }
                }
            }
            "events" => {
                if have_events {
                    return Err(repeated("events"));
                }
                have_events = true;
                build_events(ix, v, case)?;
            }
            name => {
                let Some(&i) = ix.field_index.get(name) else {
                    let names = ix.fields.iter().map(|f| f.name.as_str());
                    let mut e = RowError::new(
                        InputCode::UnknownField,
                        Some(quoted(name)),
                        format!("unknown field `{}`", quoted(name)),
                    );
                    e.help = Some(did_you_mean(name, names.chain(["id", "events"])).unwrap_or_else(
                        || "the schema does not declare this field; remove it or add it to the policy's `case { }`".into(),
                    ));
                    return Err(e);
                };
                let (Some(spec), Some(flag)) = (ix.fields.get(i), seen.get_mut(i)) else {
                    continue;
                };
                if *flag {
                    return Err(repeated(name));
                }
                *flag = true;
                if spec.ty == FieldType::Periods {
                    if let Some(list) = case.periods.get_mut(spec.period_slot) {
                        set_periods(name, v, list)?;
                    }
                } else {
                    let x = set_scalar(ix, spec, name, v)?;
                    if let Some(slot) = case.fields.get_mut(i) {
                        *slot = x;
                    }
                }
            }
        }
    }
    if !have_id {
        return Err(RowError::new(
            InputCode::MissingField,
            Some("id".into()),
            "missing the case id `id`",
        )
        .help("every case needs a unique `\"id\"`"));
    }
    if !have_events {
        for list in &mut case.events {
            list.clear();
        }
    }
    fill_absent(
        ix.fields.iter(),
        seen,
        &mut case.fields,
        &mut case.periods,
        &"",
    )
}

fn repeated(name: &str) -> RowError {
    RowError::new(
        InputCode::RepeatedField,
        Some(quoted(name)),
        format!("`{}` is given twice", quoted(name)),
    )
    .help("give each field once")
}

/// Fills fields the row left out with their defaults (or NONE), or reports
/// the first required one missing, naming the others in the help.
fn fill_absent<'a>(
    specs: impl Iterator<Item = &'a FieldSpec>,
    seen: &[bool],
    fields: &mut [i64],
    periods: &mut [Vec<(i32, i32)>],
    prefix: &dyn fmt::Display,
) -> Result<(), RowError> {
    let mut missing: Vec<&str> = Vec::new();
    for (i, spec) in specs.enumerate() {
        if seen.get(i).copied().unwrap_or(false) {
            continue;
        }
        if spec.required() {
            missing.push(&spec.name);
        } else if spec.ty == FieldType::Periods {
            if let Some(list) = periods.get_mut(spec.period_slot) {
                list.clear();
            }
        } else if let Some(slot) = fields.get_mut(i) {
            *slot = spec.absent_value();
        }
    }
    let Some(first) = missing.first() else {
        return Ok(());
    };
    let path = format!("{prefix}{first}");
    let mut e = RowError::new(
        InputCode::MissingField,
        Some(path.clone()),
        format!("missing required field `{path}`"),
    );
    e.help = Some(if missing.len() > 1 {
        format!(
            "also missing: `{}`",
            missing.get(1..).unwrap_or(&[]).join("`, `")
        )
    } else {
        "give the field, or declare it optional (`T?`) or with a default in the schema".into()
    });
    Err(e)
}

/// `events[e].`, formatted only when an error needs it.
#[derive(Clone, Copy)]
struct EventPrefix(usize);

impl fmt::Display for EventPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "events[{}].", self.0)
    }
}

fn build_events(ix: &SchemaIndex, v: &Json<'_>, case: &mut CaseData) -> Result<(), RowError> {
    for list in &mut case.events {
        list.clear();
    }
    let list = match v {
        Json::Null => return Ok(()),
        Json::Array(list) => list,
        other => {
            return Err(RowError::new(
                InputCode::WrongType,
                Some("events".into()),
                format!(
                    "`events`: expected a list of events, found {}",
                    other.shape()
                ),
            )
            .help("write `\"events\": [{\"kind\": \"samtale\", \"date\": \"2026-03-10\"}]`"))
        }
    };
    let mut seen = Vec::new();
    for (e, ev) in list.iter().enumerate() {
        // built here, used by errors only: `format!` per event is measurable
        let prefix = EventPrefix(e);
        let Json::Object(obj) = ev else {
            return Err(RowError::new(
                InputCode::WrongType,
                Some(format!("events[{e}]")),
                format!(
                    "`events[{e}]`: expected an event object, found {}",
                    ev.shape()
                ),
            )
            .help("write events as `{\"kind\": \"samtale\", \"date\": \"2026-03-10\", ...}`"));
        };
        let kind_name = obj.iter().find(|(k, _)| k == "kind").map(|(_, v)| v);
        let kind = match kind_name {
            Some(Json::Str(s)) => match ix.kind_index.get(s.as_ref()) {
                Some(k) => *k,
                None => {
                    let names = ix.kinds.iter().map(|k| k.name.as_str());
                    return Err(RowError {
                        code: InputCode::UnknownEventKind,
                        field: Some(format!("{prefix}kind")),
                        column: None,
                        message: format!("unknown event kind `{}`", quoted(s)),
                        help: Some(did_you_mean(s, names).unwrap_or_else(|| {
                            format!(
                                "the schema's event kinds are `{}`",
                                ix.kinds
                                    .iter()
                                    .map(|k| k.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join("`, `")
                            )
                        })),
                    });
                }
            },
            Some(other) => {
                return Err(RowError::new(
                    InputCode::WrongType,
                    Some(format!("{prefix}kind")),
                    format!("`{prefix}kind`: expected a string, found {}", other.shape()),
                )
                .help("name the kind as a string, e.g. `\"kind\": \"samtale\"`"))
            }
            None => {
                return Err(RowError::new(
                    InputCode::MissingField,
                    Some(format!("{prefix}kind")),
                    format!("missing required field `{prefix}kind`"),
                )
                .help("every event names its kind, e.g. `\"kind\": \"samtale\"`"))
            }
        };
        let Some(spec) = ix.kinds.get(kind) else {
            continue;
        };
        let mut values = vec![0i64; spec.fields.len()];
        seen.clear();
        seen.resize(spec.fields.len(), false);
        let mut date = None;
        let mut have_kind = false;
        for (k, v) in obj {
            match k.as_ref() {
                "kind" => {
                    if have_kind {
                        return Err(repeated(&format!("{prefix}kind")));
                    }
                    have_kind = true;
                }
                "date" => {
                    if date.is_some() {
                        return Err(repeated(&format!("{prefix}date")));
                    }
                    let d = match v {
                        Json::Str(s) => crate::caseload::values::parse_date(s)
                            .map_err(|err| RowError::from_value(format!("{prefix}date"), err))?,
                        Json::Null => {
                            let path = format!("{prefix}date");
                            return Err(RowError::new(
                                InputCode::MissingField,
                                Some(path.clone()),
                                format!("required field `{path}` is null"),
                            )
                            .help("every event has a date"));
                        }
                        other => {
                            let path = format!("{prefix}date");
                            return Err(RowError::new(
                                InputCode::WrongType,
                                Some(path.clone()),
                                format!("`{path}`: expected a date, found {}", other.shape()),
                            )
                            .help("write dates as strings `YYYY-MM-DD`, e.g. `\"2026-03-10\"`"));
                        }
                    };
                    date = Some(d);
                }
                name => {
                    let Some(&i) = spec.index.get(name) else {
                        let names = spec.fields.iter().map(|f| f.name.as_str());
                        let path = format!("{prefix}{}", quoted(name));
                        return Err(RowError {
                            code: InputCode::UnknownField,
                            message: format!(
                                "unknown field `{path}` for event kind `{}`",
                                spec.name
                            ),
                            field: Some(path),
                            column: None,
                            help: Some(
                                did_you_mean(name, names.chain(["kind", "date"])).unwrap_or_else(
                                    || format!("events of kind `{}` have no such field", spec.name),
                                ),
                            ),
                        });
                    };
                    let (Some(fspec), Some(flag)) = (spec.fields.get(i), seen.get_mut(i)) else {
                        continue;
                    };
                    let path = format!("{prefix}{name}");
                    if *flag {
                        return Err(repeated(&path));
                    }
                    *flag = true;
                    if fspec.ty == FieldType::Periods {
                        return Err(RowError::new(
                            InputCode::WrongType,
                            Some(path.clone()),
                            format!("`{path}`: event fields cannot be periods"),
                        ));
                    }
                    let x = set_scalar(ix, fspec, &path, v)?;
                    if let Some(slot) = values.get_mut(i) {
                        *slot = x;
                    }
                }
            }
        }
        let Some(date) = date else {
            return Err(RowError::new(
                InputCode::MissingField,
                Some(format!("{prefix}date")),
                format!("missing required field `{prefix}date`"),
            )
            .help("every event has a `\"date\": \"YYYY-MM-DD\"`"));
        };
        fill_absent(spec.fields.iter(), &seen, &mut values, &mut [], &prefix)?;
        if let Some(list) = case.events.get_mut(kind) {
            list.push((date, values));
        }
    }
    Ok(())
}

/// Describes a serde_json syntax error without its text (which can quote input).
fn json_error(e: &serde_json::Error) -> RowError {
    let what = match e.classify() {
        serde_json::error::Category::Eof => {
            "the line ends in the middle of a JSON value (is the file cut short?)".to_owned()
        }
        _ => {
            let s = e.to_string();
            let s = s.split(" at line ").next().unwrap_or("").to_owned();
            // serde_json's syntax messages are fixed phrases; anything else is not shown.
            if s.starts_with("invalid type") || s.starts_with("invalid value") || s.contains('"') {
                "invalid JSON".to_owned()
            } else {
                format!("invalid JSON: {s}")
            }
        }
    };
    RowError {
        code: InputCode::InvalidJson,
        field: None,
        column: Some(e.column() as u64),
        message: what,
        help: Some("each line must be one complete JSON object".into()),
    }
}

/// Parses and converts one line (already known to be UTF-8).
pub(crate) fn parse_row(
    ix: &SchemaIndex,
    line: &str,
    case: &mut CaseData,
    seen: &mut Vec<bool>,
) -> Result<(), (RowError, Option<String>)> {
    let mut de = serde_json::Deserializer::from_str(line);
    let root = match Json::deserialize(&mut de).and_then(|j| de.end().map(|()| j)) {
        Ok(j) => j,
        Err(e) => return Err((json_error(&e), None)),
    };
    build_case(ix, &root, case, seen).map_err(|e| {
        let id = match &root {
            Json::Object(obj) => row_id(obj).map(Cow::into_owned),
            _ => None,
        };
        (e, id)
    })
}
