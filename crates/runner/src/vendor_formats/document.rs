//! The vendor files of a scenario as a sweep sees them: the numbers in its request bodies and
//! manifests, named by the vendor's own field names, which a sweep sets run by run and writes
//! back, in the file's own format, as the recommended configuration.
//!
//! A sweep names a field by its path in the file (`spec.behavior.scaleDown.
//! stabilizationWindowSeconds`, `properties.profiles[0].rules[1].scaleAction.cooldown`) or by
//! any end of that path that no other field shares (`scaleDown.stabilizationWindowSeconds`,
//! `minReplicas`, `TargetValue`). The fields are every number in the files, numbers written as
//! text (Azure's `"2"`), ISO 8601 durations (Azure's `"PT5M"`, set in seconds), and the optional
//! fields a vendor defaults when the file leaves them out ([`OptionalField`]); not the parts the
//! simulator never reads (a manifest's `metadata`, a template's `parameters`), nor keys with a
//! dot or a bracket, which a path cannot name.
//!
//! Files are written back from their parsed content: JSON pretty-printed, YAML in block style
//! with every string that YAML 1.1 (kubectl's) could read as something else quoted. Comments are
//! not carried over.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ScenarioError;
use crate::vendor_formats::azure::is_iso_duration;
use crate::vendor_formats::k8s::yaml_document_of;
use crate::vendor_formats::knative::is_go_duration;

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// JSON, as the cloud APIs take it.
    Json,
    /// YAML, as `kubectl apply` takes it.
    Yaml,
}

/// A vendor file of a scenario, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// Where it was read from.
    pub(crate) path: PathBuf,
    /// The scenario key that names it, such as `horizontal_pod_autoscaler`.
    pub(crate) role: &'static str,
    /// How it is written.
    pub(crate) format: Format,
    /// Its content.
    pub(crate) body: Value,
    /// When the body is a JSON array of request bodies, the key under which the vendor's
    /// describe output lists the same items (`ScheduledActions`): its fields are named from that
    /// key (`ScheduledActions[0].ScalableTargetAction.MinCapacity`) whichever form the file has.
    pub(crate) list_key: Option<&'static str>,
    /// The body in the form the vendor's API takes, where the file holds another form (what a
    /// describe command prints): the form recommended files are written in.
    pub(crate) request_form: Option<fn(&Value) -> Value>,
}

impl Document {
    /// Parses `text`, read from `path`, as its vendor's parser reads it.
    pub(crate) fn parse(
        path: &Path,
        role: &'static str,
        text: &str,
        format: Format,
    ) -> Result<Self, ScenarioError> {
        let invalid = |message: String| ScenarioError::Json {
            path: path.to_owned(),
            message,
        };
        let body = match format {
            Format::Json => serde_json::from_str(text).map_err(|err| invalid(err.to_string()))?,
            Format::Yaml => {
                // Messages name the object the role's file holds.
                let object = match role {
                    "service" => "Service or InferenceService",
                    "config_autoscaler" => "ConfigMap",
                    _ => "HorizontalPodAutoscaler",
                };
                serde_json::to_value(yaml_document_of(text, path, object)?.1)
                    .map_err(|err| invalid(err.to_string()))?
            }
        };
        Ok(Self {
            path: path.to_owned(),
            role,
            format,
            body,
            list_key: None,
            request_form: None,
        })
    }

    /// Names the items of a body that is an array as the describe output `list_key` does.
    pub(crate) fn listed_as(mut self, list_key: Option<&'static str>) -> Self {
        if self.body.is_array() {
            self.list_key = list_key;
        }
        self
    }

    /// The file's name, for messages.
    pub(crate) fn file_name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
    }

    /// Writes recommended bodies in the API's request form with `request_form`.
    pub(crate) fn written_back_with(mut self, request_form: fn(&Value) -> Value) -> Self {
        self.request_form = Some(request_form);
        self
    }

    /// `body` as the recommended file holds it: in the API's request form, as the file's format
    /// writes it.
    pub(crate) fn recommended_text(&self, body: &Value) -> String {
        match self.request_form {
            Some(request_form) => self.render(&request_form(body)),
            None => self.render(body),
        }
    }

    /// The name of the recommended file: `recommended-` and its role, `-` for `_`.
    pub(crate) fn recommended_name(&self) -> String {
        let extension = match self.format {
            Format::Json => "json",
            Format::Yaml => "yaml",
        };
        format!("recommended-{}.{extension}", self.role.replace('_', "-"))
    }

    /// `body` as the file's format writes it, ending in a newline.
    pub(crate) fn render(&self, body: &Value) -> String {
        match self.format {
            Format::Json => serde_json::to_string_pretty(body).unwrap_or_default() + "\n",
            Format::Yaml => {
                let mut text = String::new();
                yaml_block(body, 0, &mut text);
                text
            }
        }
    }
}

/// Writes `value` in YAML block style at `indent`: mappings as `key: value` lines, sequences as
/// `- ` items at their key's indentation, as `kubectl get -o yaml` writes them.
fn yaml_block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                out.push_str(&format!("{pad}{}:", yaml_scalar_text(key)));
                match item {
                    Value::Object(inner) if !inner.is_empty() => {
                        out.push('\n');
                        yaml_block(item, indent + 2, out);
                    }
                    Value::Array(items) if !items.is_empty() => {
                        out.push('\n');
                        yaml_block(item, indent, out);
                    }
                    _ => out.push_str(&format!(" {}\n", yaml_scalar(item))),
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                let mut inner = String::new();
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        yaml_block(item, indent + 2, &mut inner)
                    }
                    Value::Array(list) if !list.is_empty() => {
                        yaml_block(item, indent + 2, &mut inner)
                    }
                    _ => inner = format!("{}{}\n", " ".repeat(indent + 2), yaml_scalar(item)),
                }
                // The item's first line starts where its "- " goes.
                let body = inner
                    .strip_prefix(&" ".repeat(indent + 2))
                    .unwrap_or(&inner);
                out.push_str(&format!("{pad}- {body}"));
            }
        }
        _ => out.push_str(&format!("{pad}{}\n", yaml_scalar(value))),
    }
}

/// A scalar, or an empty mapping or sequence, as YAML writes it inline.
fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::String(text) => yaml_scalar_text(text),
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        other => other.to_string(),
    }
}

/// `text` plain where no YAML 1.1 reader could take it for anything but that string (`apps/v1`,
/// `Utilization`), else double-quoted as JSON quotes it, which YAML reads the same.
fn yaml_scalar_text(text: &str) -> String {
    const OTHER_TYPES: [&str; 11] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=",
    ];
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | '-'))
        && !OTHER_TYPES
            .iter()
            .any(|word| word.eq_ignore_ascii_case(text));
    if plain {
        text.to_owned()
    } else {
        Value::String(text.to_owned()).to_string()
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where a field sits in a document: `spec.metrics[0].resource.target.averageUtilization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldPath(Vec<Step>);

impl FieldPath {
    /// Reads `a.b[0].c`; `None` when it is not such a path.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (key, mut indexes) = match part.find('[') {
                Some(open) => (&part[..open], &part[open..]),
                None => (part, ""),
            };
            if key.is_empty() && (steps.is_empty() || indexes.is_empty()) {
                return None;
            }
            if !key.is_empty() {
                steps.push(Step::Key(key.to_owned()));
            }
            while !indexes.is_empty() {
                let close = indexes.find(']')?;
                steps.push(Step::Index(indexes.get(1..close)?.parse().ok()?));
                indexes = &indexes[close + 1..];
                if !indexes.is_empty() && !indexes.starts_with('[') {
                    return None;
                }
            }
        }
        Some(Self(steps))
    }

    fn ends_with(&self, end: &FieldPath) -> bool {
        self.0.ends_with(&end.0)
    }

    /// The ends of this path that start with a key, shortest first.
    fn ends(&self) -> impl Iterator<Item = FieldPath> + '_ {
        (0..self.0.len())
            .rev()
            .filter(|&from| matches!(self.0[from], Step::Key(_)))
            .map(|from| FieldPath(self.0[from..].to_vec()))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// How a field's value is written in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// A whole number where the file has one, else a fraction.
    Number,
    /// A number with a fraction (`70.0`), kept so even when whole.
    Float,
    /// A number in a string, as Azure writes instance counts.
    NumberText,
    /// An ISO 8601 duration, set in seconds.
    Duration,
    /// A Go duration (`60s`), as Knative writes windows and delays, set in whole seconds.
    GoDuration,
}

/// The key under which Kubernetes objects keep annotations.
const ANNOTATIONS: &str = "annotations";

/// A field a vendor defaults when the file leaves it out: the sweep may set it all the same.
#[derive(Debug, Clone)]
pub(crate) struct OptionalField {
    /// Index of the document among the scenario's.
    pub(crate) document: usize,
    /// Its path, `a.b.c`.
    pub(crate) path: Cow<'static, str>,
    /// An annotation in the map at `path`, named by its whole key and written as text.
    pub(crate) annotation: Option<OptionalAnnotation>,
}

/// An annotation a sweep may set where the manifest has none.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OptionalAnnotation {
    /// Its key, `autoscaling.knative.dev/window`.
    pub(crate) key: &'static str,
    /// Whether it is a duration (`60s`) rather than a number (`"10"`).
    pub(crate) duration: bool,
}

/// A number a sweep can set in a scenario's documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    document: usize,
    path: FieldPath,
    encoding: Encoding,
    /// Whether the path starts with the document's `list_key`, which is not in its body.
    listed: bool,
}

impl Field {
    /// Whether the field is the number at `keys` of document `document`'s own body (not of an
    /// item in a list), written as a JSON number.
    pub(crate) fn is_number_at(&self, document: usize, keys: &[&str]) -> bool {
        self.document == document
            && !self.listed
            && matches!(self.encoding, Encoding::Number | Encoding::Float)
            && self.path.0.len() == keys.len()
            && self
                .path
                .0
                .iter()
                .zip(keys)
                .all(|(step, key)| matches!(step, Step::Key(k) if k == key))
    }
}

/// The fields of `documents`: every number, number in text and duration in them outside the
/// `ignored` keys (matched without regard to case), then the `optional` ones they leave out.
pub(crate) fn fields(
    documents: &[Document],
    optional: &[OptionalField],
    ignored: &[&str],
) -> Vec<Field> {
    let mut fields = Vec::new();
    for (document, doc) in documents.iter().enumerate() {
        let mut walk = Walk {
            document,
            listed: doc.list_key.is_some(),
            ignored,
            at: doc
                .list_key
                .map(|key| Step::Key(key.to_owned()))
                .into_iter()
                .collect(),
            fields: &mut fields,
        };
        walk.collect(&doc.body);
    }
    for field in optional {
        let Some(mut path) = FieldPath::parse(&field.path) else {
            continue;
        };
        let Some(doc) = documents.get(field.document) else {
            continue;
        };
        if let Some(key) = doc.list_key {
            path.0.insert(0, Step::Key(key.to_owned()));
        }
        let encoding = match field.annotation {
            Some(annotation) => {
                path.0.push(Step::Key(annotation.key.to_owned()));
                if annotation.duration {
                    Encoding::GoDuration
                } else {
                    Encoding::NumberText
                }
            }
            None => Encoding::Number,
        };
        let present = fields
            .iter()
            .any(|known| known.document == field.document && known.path == path);
        if !present {
            fields.push(Field {
                document: field.document,
                path,
                encoding,
                listed: doc.list_key.is_some(),
            });
        }
    }
    fields
}

/// A walk through one document, gathering its fields.
struct Walk<'a> {
    document: usize,
    listed: bool,
    ignored: &'a [&'a str],
    at: Vec<Step>,
    fields: &'a mut Vec<Field>,
}

impl Walk<'_> {
    fn collect(&mut self, value: &Value) {
        let encoding = match value {
            Value::Number(number) if number.is_f64() => Some(Encoding::Float),
            Value::Number(_) => Some(Encoding::Number),
            Value::String(text) if text.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                Some(Encoding::NumberText)
            }
            Value::String(text) if is_iso_duration(text) => Some(Encoding::Duration),
            Value::String(text) if is_go_duration(text) => Some(Encoding::GoDuration),
            Value::Object(map) => {
                // An annotation's key has dots (`autoscaling.knative.dev/window`): it is named
                // whole.
                let annotations =
                    matches!(self.at.last(), Some(Step::Key(key)) if key == ANNOTATIONS);
                for (key, item) in map {
                    let nameable = !key.contains(['[', ']'])
                        && !key.is_empty()
                        && (annotations || !key.contains('.'));
                    let ignored = self.ignored.iter().any(|i| i.eq_ignore_ascii_case(key));
                    if nameable && !ignored {
                        self.at.push(Step::Key(key.clone()));
                        self.collect(item);
                        self.at.pop();
                    }
                }
                None
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.at.push(Step::Index(index));
                    self.collect(item);
                    self.at.pop();
                }
                None
            }
            _ => None,
        };
        if let Some(encoding) = encoding {
            self.fields.push(Field {
                document: self.document,
                path: FieldPath(self.at.clone()),
                encoding,
                listed: self.listed,
            });
        }
    }
}

/// Why a name does not pick one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// No field's path ends so.
    Unknown,
    /// Several do: their full paths.
    Ambiguous(Vec<String>),
}

/// The field of `fields` whose whole path is `name`, else the one whose path ends in it, else
/// the annotation whose key is `name`.
pub(crate) fn resolve<'a>(fields: &'a [Field], name: &str) -> Result<&'a Field, Unresolved> {
    let annotation: Vec<&Field> = fields
        .iter()
        .filter(|field| matches!(field.path.0.last(), Some(Step::Key(key)) if key == name && key.contains('.')))
        .collect();
    match annotation.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => {
            return Err(Unresolved::Ambiguous(
                many.iter().map(|field| field.path.to_string()).collect(),
            ));
        }
    }
    let end = FieldPath::parse(name).ok_or(Unresolved::Unknown)?;
    if let Some(exact) = fields.iter().find(|field| field.path == end) {
        return Ok(exact);
    }
    let matching: Vec<&Field> = fields.iter().filter(|f| f.path.ends_with(&end)).collect();
    match matching.as_slice() {
        [] => Err(Unresolved::Unknown),
        [one] => Ok(one),
        many => Err(Unresolved::Ambiguous(
            many.iter().map(|field| field.path.to_string()).collect(),
        )),
    }
}

/// The shortest name that picks each field, in the order of `fields`.
pub(crate) fn short_names(fields: &[Field]) -> Vec<String> {
    fields
        .iter()
        .map(|field| {
            field
                .path
                .ends()
                .find(|end| {
                    fields
                        .iter()
                        .filter(|other| other.path.ends_with(end))
                        .count()
                        == 1
                })
                .unwrap_or_else(|| field.path.clone())
                .to_string()
        })
        .collect()
}

/// Writes `value` into `field` of `bodies` (one per document), as the field's document writes
/// it, making the objects an optional field sits in; `Err` names what is in the way.
pub(crate) fn set(bodies: &mut [Value], field: &Field, value: f64) -> Result<(), String> {
    let mut at = bodies
        .get_mut(field.document)
        .ok_or_else(|| format!("no document for {}", field.path))?;
    for step in &field.path.0[usize::from(field.listed)..] {
        at = match step {
            Step::Key(key) => {
                if at.is_null() {
                    *at = Value::Object(Map::new());
                }
                at.as_object_mut()
                    .ok_or_else(|| format!("{} is not inside an object", field.path))?
                    .entry(key.clone())
                    .or_insert(Value::Null)
            }
            Step::Index(index) => at
                .as_array_mut()
                .and_then(|items| items.get_mut(*index))
                .ok_or_else(|| format!("{} is not in the document", field.path))?,
        };
    }
    *at = match field.encoding {
        Encoding::Number => number(value),
        Encoding::Float => Value::from(value),
        Encoding::NumberText => Value::String(number(value).to_string()),
        Encoding::Duration => Value::String(iso_duration(value)),
        Encoding::GoDuration => Value::String(format!("{}s", number(value))),
    };
    Ok(())
}

/// A whole value as a JSON integer, others as JSON numbers with a fraction.
pub(crate) fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// Seconds as the ISO 8601 duration Azure writes: `PT1H30M`.
fn iso_duration(seconds: f64) -> String {
    if !(seconds.fract() == 0.0 && (0.0..9.0e15).contains(&seconds)) {
        return format!("PT{seconds}S");
    }
    let seconds = seconds as u64;
    let (hours, minutes, seconds) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut text = String::from("PT");
    for (amount, unit) in [(hours, 'H'), (minutes, 'M'), (seconds, 'S')] {
        if amount > 0 {
            text.push_str(&format!("{amount}{unit}"));
        }
    }
    if text.len() == 2 {
        text.push_str("0S");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hpa() -> Document {
        let text = "spec:\n  minReplicas: 1\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n    resource:\n      target:\n        averageUtilization: 67\n";
        Document::parse(
            Path::new("hpa.yaml"),
            "horizontal_pod_autoscaler",
            text,
            Format::Yaml,
        )
        .unwrap()
    }

    const OPTIONAL: [OptionalField; 2] = [
        OptionalField {
            document: 0,
            path: Cow::Borrowed("spec.behavior.scaleUp.stabilizationWindowSeconds"),
            annotation: None,
        },
        OptionalField {
            document: 0,
            path: Cow::Borrowed("spec.behavior.scaleDown.stabilizationWindowSeconds"),
            annotation: None,
        },
    ];

    #[test]
    fn a_field_is_named_by_any_end_of_its_path_that_no_other_shares() {
        let fields = fields(&[hpa()], &OPTIONAL, &[]);
        assert_eq!(
            short_names(&fields),
            [
                "minReplicas",
                "maxReplicas",
                "averageUtilization",
                "scaleUp.stabilizationWindowSeconds",
                "scaleDown.stabilizationWindowSeconds"
            ]
        );
        let field = resolve(&fields, "target.averageUtilization").unwrap();
        assert_eq!(
            field.path.to_string(),
            "spec.metrics[0].resource.target.averageUtilization"
        );
        assert_eq!(
            resolve(&fields, "stabilizationWindowSeconds"),
            Err(Unresolved::Ambiguous(vec![
                "spec.behavior.scaleUp.stabilizationWindowSeconds".into(),
                "spec.behavior.scaleDown.stabilizationWindowSeconds".into()
            ]))
        );
        assert_eq!(resolve(&fields, "minReplica"), Err(Unresolved::Unknown));
        assert_eq!(resolve(&fields, "a..b"), Err(Unresolved::Unknown));
    }

    #[test]
    fn setting_a_field_keeps_its_encoding_and_makes_the_objects_an_optional_one_needs() {
        let azure = Document::parse(
            Path::new("azure.json"),
            "autoscale_setting",
            r#"{ "capacity": { "minimum": "2" }, "cooldown": "PT1H", "threshold": 70.0,
                 "tags": { "tier": "1" }, "a.b": 1 }"#,
            Format::Json,
        )
        .unwrap();
        let documents = [azure, hpa()];
        let optional = [OptionalField {
            document: 1,
            path: Cow::Borrowed("spec.behavior.scaleDown.stabilizationWindowSeconds"),
            annotation: None,
        }];
        let fields = fields(&documents, &optional, &["tags"]);
        let mut bodies: Vec<Value> = documents.iter().map(|d| d.body.clone()).collect();
        for (name, value) in [
            ("minimum", 3.0),
            ("cooldown", 5400.0),
            ("threshold", 72.0),
            ("stabilizationWindowSeconds", 60.0),
        ] {
            set(&mut bodies, resolve(&fields, name).unwrap(), value).unwrap();
        }
        assert_eq!(
            bodies[0],
            serde_json::json!({ "capacity": { "minimum": "3" }, "cooldown": "PT1H30M", "threshold": 72.0,
                                "tags": { "tier": "1" }, "a.b": 1 })
        );
        // Ignored keys and keys no path can name are not fields.
        assert_eq!(resolve(&fields, "tier"), Err(Unresolved::Unknown));
        assert_eq!(short_names(&fields).len(), 4 + 3);
        assert_eq!(
            bodies[1]["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
            60
        );
        assert_eq!(
            documents[1].render(&bodies[1]),
            "spec:\n  minReplicas: 1\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n    resource:\n      target:\n        averageUtilization: 67\n  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 60\n"
        );
    }

    #[test]
    fn yaml_is_written_so_that_kubectl_reads_back_the_same_values() {
        let body = serde_json::json!({
            "metadata": { "labels": { "canary": "on", "build": "0123", "note": "a: b", "app": "web" } },
            "spec": { "list": [ { "a": 1, "b": [] }, [ "x", "y" ], "no" ], "empty": {} }
        });
        let document = Document {
            path: PathBuf::from("m.yaml"),
            role: "horizontal_pod_autoscaler",
            format: Format::Yaml,
            body: Value::Null,
            list_key: None,
            request_form: None,
        };
        let written = document.render(&body);
        assert_eq!(
            written,
            "metadata:\n  labels:\n    canary: \"on\"\n    build: \"0123\"\n    note: \"a: b\"\n    app: web\n\
             spec:\n  list:\n  - a: 1\n    b: []\n  - - x\n    - \"y\"\n  - \"no\"\n  empty: {}\n"
        );
        let read: Value = serde_norway::from_str(&written).unwrap();
        assert_eq!(read, body);
    }

    #[test]
    fn durations_are_written_as_azure_writes_them() {
        assert_eq!(iso_duration(300.0), "PT5M");
        assert_eq!(iso_duration(3600.0), "PT1H");
        assert_eq!(iso_duration(3690.0), "PT1H1M30S");
        assert_eq!(iso_duration(0.0), "PT0S");
    }

    #[test]
    fn an_array_of_bodies_is_named_as_its_describe_output_lists_them_and_a_whole_path_wins() {
        let register = Document::parse(
            Path::new("register.json"),
            "register_scalable_target",
            r#"{ "MinCapacity": 1 }"#,
            Format::Json,
        )
        .unwrap();
        let scheduled = Document::parse(
            Path::new("scheduled.json"),
            "scheduled_actions",
            r#"[{ "ScalableTargetAction": { "MinCapacity": 4 } }]"#,
            Format::Json,
        )
        .unwrap()
        .listed_as(Some("ScheduledActions"));
        let documents = [register, scheduled];
        let fields = fields(&documents, &[], &[]);
        assert_eq!(
            short_names(&fields),
            ["MinCapacity", "ScalableTargetAction.MinCapacity"]
        );
        // `MinCapacity` is the register's whole path, though the action's path ends in it too.
        assert_eq!(resolve(&fields, "MinCapacity").unwrap().document, 0);
        let action = resolve(
            &fields,
            "ScheduledActions[0].ScalableTargetAction.MinCapacity",
        );
        let action = action.unwrap();
        let mut bodies: Vec<Value> = documents.iter().map(|d| d.body.clone()).collect();
        set(&mut bodies, action, 6.0).unwrap();
        assert_eq!(bodies[1][0]["ScalableTargetAction"]["MinCapacity"], 6);
        assert_eq!(bodies[0]["MinCapacity"], 1);
    }
}
