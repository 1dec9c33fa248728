//! Azure Monitor autoscale settings (Microsoft.Insights autoscaleSettings, REST API 2022-10-01)
//! for an Azure ML online deployment, checked as spec/azure-autoscale.md says, and the schedules
//! of their profiles resolved over the run into the profile in force at each evaluation.
//!
//! The file holds the whole resource, its `properties` alone, or an ARM template with exactly one
//! `Microsoft.Insights/autoscaleSettings` resource. Azure matches property names without regard to
//! case, serde does not, so the JSON is first rewritten with every documented name spelled as the
//! REST API spells it ([`Shape`]); the raw `*Body` structs then deny any other name, and the checks
//! turn them into core types. Error paths are relative to the setting's `properties`, as the
//! spec's own example message is (`profiles[0].capacity: ...`).

use std::path::Path;

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use scalesim_core::{
    AutoscaleProfile, AutoscaleSetting, AzureMetric, BuildError, ComparisonOperator, MetricTrigger,
    ProfileSchedule, ScaleAction, ScaleCapacity, ScaleDirection, ScaleRule, ScaleType, Statistic,
    TimeAggregation,
};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Value};

use crate::error::ScenarioError;

/// The ARM resource type of an autoscale setting; ARM compares type names without regard to case.
const RESOURCE_TYPE: &str = "Microsoft.Insights/autoscaleSettings";

/// REST spec: "a maximum of 20 profiles can be specified".
const MAX_PROFILES: usize = 20;

/// REST spec: "a maximum of 10 rules can be specified" per profile.
const MAX_RULES: usize = 10;

/// Model choice: `fixedDate` profiles may span at most this many days, as Azure's portal allows.
const MAX_FIXED_DATE_DAYS: i64 = 365;

/// How far before t = 0 recurrence starts are looked for. A weekly start recurs within 7 days
/// give or take a daylight-saving change or a skipped day, so two weeks always find the start in
/// force at t = 0.
const LOOK_BACK_DAYS: i64 = 14;

/// How the names of one JSON value are spelled: the REST API's canonical spelling of each
/// property it documents, so that a name written in another case can be matched to it.
#[derive(Debug)]
enum Shape {
    /// An object whose properties have these canonical names and shapes.
    Object(&'static [(&'static str, Shape)]),
    /// An array whose items all have one shape.
    Array(&'static Shape),
    /// A value read as written (a scalar, tags, notifications); its strings are still checked
    /// for ARM expressions, which nothing here evaluates.
    Plain,
    /// A value not looked into here: the template's own parameters and variables, where
    /// expressions belong, an unknown property that serde will name, or an object that is
    /// normalised on its own.
    Unread,
}

/// ScaleRuleMetricDimension: the REST API spells these three in PascalCase.
const DIMENSION: Shape = Shape::Object(&[
    ("DimensionName", Shape::Plain),
    ("Operator", Shape::Plain),
    ("Values", Shape::Plain),
]);

/// MetricTrigger.
const METRIC_TRIGGER: Shape = Shape::Object(&[
    ("metricName", Shape::Plain),
    ("metricNamespace", Shape::Plain),
    ("metricResourceUri", Shape::Plain),
    ("metricResourceLocation", Shape::Plain),
    ("timeGrain", Shape::Plain),
    ("statistic", Shape::Plain),
    ("timeWindow", Shape::Plain),
    ("timeAggregation", Shape::Plain),
    ("operator", Shape::Plain),
    ("threshold", Shape::Plain),
    ("dimensions", Shape::Array(&DIMENSION)),
    ("dividePerInstance", Shape::Plain),
]);

/// ScaleAction.
const SCALE_ACTION: Shape = Shape::Object(&[
    ("direction", Shape::Plain),
    ("type", Shape::Plain),
    ("value", Shape::Plain),
    ("cooldown", Shape::Plain),
]);

/// ScaleRule.
const RULE: Shape = Shape::Object(&[
    ("metricTrigger", METRIC_TRIGGER),
    ("scaleAction", SCALE_ACTION),
]);

/// ScaleCapacity.
const CAPACITY: Shape = Shape::Object(&[
    ("minimum", Shape::Plain),
    ("maximum", Shape::Plain),
    ("default", Shape::Plain),
]);

/// TimeWindow, the type of `fixedDate`.
const FIXED_DATE: Shape = Shape::Object(&[
    ("timeZone", Shape::Plain),
    ("start", Shape::Plain),
    ("end", Shape::Plain),
]);

/// RecurrentSchedule.
const SCHEDULE: Shape = Shape::Object(&[
    ("timeZone", Shape::Plain),
    ("days", Shape::Plain),
    ("hours", Shape::Plain),
    ("minutes", Shape::Plain),
]);

/// Recurrence.
const RECURRENCE: Shape = Shape::Object(&[("frequency", Shape::Plain), ("schedule", SCHEDULE)]);

/// AutoscaleProfile.
const PROFILE: Shape = Shape::Object(&[
    ("name", Shape::Plain),
    ("capacity", CAPACITY),
    ("rules", Shape::Array(&RULE)),
    ("fixedDate", FIXED_DATE),
    ("recurrence", RECURRENCE),
]);

/// PredictiveAutoscalePolicy.
const PREDICTIVE_POLICY: Shape = Shape::Object(&[
    ("scaleMode", Shape::Plain),
    ("scaleLookAheadTime", Shape::Plain),
]);

/// AutoscaleSetting, the resource's `properties`.
const PROPERTIES: Shape = Shape::Object(&[
    ("profiles", Shape::Array(&PROFILE)),
    ("notifications", Shape::Plain),
    ("enabled", Shape::Plain),
    ("predictiveAutoscalePolicy", PREDICTIVE_POLICY),
    ("name", Shape::Plain),
    ("targetResourceUri", Shape::Plain),
    ("targetResourceLocation", Shape::Plain),
]);

/// AutoscaleSettingResource, with the members an ARM template's resource adds.
const RESOURCE: Shape = Shape::Object(&[
    ("id", Shape::Plain),
    ("name", Shape::Plain),
    ("type", Shape::Plain),
    ("kind", Shape::Plain),
    ("location", Shape::Plain),
    ("tags", Shape::Plain),
    ("properties", Shape::Unread),
    ("systemData", Shape::Plain),
    ("apiVersion", Shape::Plain),
    ("dependsOn", Shape::Plain),
    ("comments", Shape::Plain),
]);

/// An ARM template's top level; only the autoscale resource in `resources` is read.
const TEMPLATE: Shape = Shape::Object(&[
    ("$schema", Shape::Unread),
    ("languageVersion", Shape::Unread),
    ("contentVersion", Shape::Unread),
    ("apiProfile", Shape::Unread),
    ("definitions", Shape::Unread),
    ("parameters", Shape::Unread),
    ("variables", Shape::Unread),
    ("functions", Shape::Unread),
    ("resources", Shape::Unread),
    ("outputs", Shape::Unread),
    ("metadata", Shape::Unread),
]);

/// An ARM deployment template; everything but `resources` is accepted unread.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(
    dead_code,
    reason = "the template's other parts describe the deployment, not the scaling"
)]
struct TemplateBody {
    #[serde(rename = "$schema")]
    schema: Option<IgnoredAny>,
    language_version: Option<IgnoredAny>,
    content_version: Option<IgnoredAny>,
    api_profile: Option<IgnoredAny>,
    definitions: Option<IgnoredAny>,
    parameters: Option<IgnoredAny>,
    variables: Option<IgnoredAny>,
    functions: Option<IgnoredAny>,
    resources: Value,
    outputs: Option<IgnoredAny>,
    metadata: Option<IgnoredAny>,
}

/// The autoscale setting resource, as the REST API or an ARM template writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ResourceBody {
    #[serde(rename = "type")]
    resource_type: Option<String>,
    properties: Value,
    #[allow(
        dead_code,
        reason = "accepted as Azure takes it; names and places do not change scaling"
    )]
    id: Option<String>,
    #[allow(dead_code, reason = "accepted as Azure takes it")]
    name: Option<String>,
    #[allow(dead_code, reason = "accepted as Azure takes it")]
    kind: Option<String>,
    #[allow(dead_code, reason = "accepted as Azure takes it")]
    location: Option<String>,
    #[allow(dead_code, reason = "accepted as Azure takes it")]
    tags: Option<Value>,
    #[allow(dead_code, reason = "written by Azure in its answers")]
    system_data: Option<Value>,
    #[allow(
        dead_code,
        reason = "the ARM form's; the 2022-10-01 semantics are modelled"
    )]
    api_version: Option<String>,
    #[allow(dead_code, reason = "the ARM form's deployment order")]
    depends_on: Option<Value>,
    #[allow(dead_code, reason = "the ARM form's remark")]
    comments: Option<String>,
}

/// AutoscaleSetting, every property the REST API documents.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PropertiesBody {
    profiles: Vec<ProfileBody>,
    #[allow(dead_code, reason = "notifications do not change scaling")]
    notifications: Option<Value>,
    enabled: Option<bool>,
    predictive_autoscale_policy: Option<PredictivePolicyBody>,
    #[allow(dead_code, reason = "accepted as Azure takes it")]
    name: Option<String>,
    #[allow(dead_code, reason = "the simulated deployment is the target")]
    target_resource_uri: Option<String>,
    #[allow(dead_code, reason = "the simulated deployment is the target")]
    target_resource_location: Option<String>,
}

/// PredictiveAutoscalePolicy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PredictivePolicyBody {
    scale_mode: String,
    scale_look_ahead_time: Option<String>,
}

/// AutoscaleProfile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProfileBody {
    name: String,
    capacity: CapacityBody,
    rules: Vec<RuleBody>,
    fixed_date: Option<FixedDateBody>,
    recurrence: Option<RecurrenceBody>,
}

/// ScaleCapacity: whole numbers that Azure writes as strings; read as values to accept both.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CapacityBody {
    minimum: Value,
    maximum: Value,
    default: Value,
}

/// ScaleRule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RuleBody {
    metric_trigger: MetricTriggerBody,
    scale_action: ScaleActionBody,
}

/// MetricTrigger.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MetricTriggerBody {
    metric_name: String,
    #[allow(dead_code, reason = "the metric name alone picks a modelled metric")]
    metric_namespace: Option<String>,
    #[allow(dead_code, reason = "required by Azure, not checked further (spec)")]
    metric_resource_uri: String,
    #[allow(dead_code, reason = "accepted as Azure takes it")]
    metric_resource_location: Option<String>,
    time_grain: String,
    statistic: String,
    time_window: String,
    time_aggregation: Option<String>,
    operator: String,
    threshold: f64,
    #[allow(
        dead_code,
        reason = "accepted, not applied: the endpoint has one deployment (spec)"
    )]
    dimensions: Option<Vec<DimensionBody>>,
    divide_per_instance: Option<bool>,
}

/// ScaleRuleMetricDimension, which the REST API spells in PascalCase.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
#[allow(
    dead_code,
    reason = "accepted, not applied: the endpoint has one deployment (spec)"
)]
struct DimensionBody {
    dimension_name: String,
    operator: String,
    values: Vec<String>,
}

/// ScaleAction.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ScaleActionBody {
    direction: String,
    #[serde(rename = "type")]
    scale_type: String,
    value: Option<Value>,
    cooldown: String,
}

/// TimeWindow, the type of `fixedDate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FixedDateBody {
    time_zone: Option<String>,
    start: String,
    end: String,
}

/// Recurrence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RecurrenceBody {
    frequency: String,
    schedule: ScheduleBody,
}

/// RecurrentSchedule; signed so that a negative hour is named, not a type error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ScheduleBody {
    time_zone: String,
    days: Vec<String>,
    hours: Vec<i64>,
    minutes: Vec<i64>,
}

/// When a profile applies, as its `fixedDate` or `recurrence` says.
#[derive(Debug)]
enum When {
    /// Neither: the profile that applies when no scheduled one does.
    Always,
    /// `fixedDate`: from `start` to `end`, both included (model choice: inclusive end).
    Fixed {
        /// The first instant.
        start: DateTime<Utc>,
        /// The last instant.
        end: DateTime<Utc>,
    },
    /// `recurrence`: starts every listed day at every listed hour and minute, in its zone.
    Weekly(Weekly),
}

/// A weekly recurrence, checked.
#[derive(Debug)]
struct Weekly {
    /// The tz-database zone the Windows zone name maps to.
    zone: Tz,
    /// The days it starts on, indexed by days from Sunday.
    days: [bool; 7],
    /// The local times it starts at each such day, sorted, without repeats.
    times: Vec<NaiveTime>,
}

/// An inclusive range of minutes a duration property takes, and how to say it.
#[derive(Debug)]
struct MinuteRange {
    /// The shortest, minutes.
    min: u32,
    /// The longest, minutes.
    max: u32,
    /// The range in words, for messages.
    text: &'static str,
}

/// REST spec: timeGrain "must be between 12 hours and 1 minute".
const TIME_GRAIN: MinuteRange = MinuteRange {
    min: 1,
    max: 720,
    text: "from 1 minute to 12 hours (PT1M to PT12H)",
};

/// REST spec: timeWindow "must be between 12 hours and 5 minutes".
const TIME_WINDOW: MinuteRange = MinuteRange {
    min: 5,
    max: 720,
    text: "from 5 minutes to 12 hours (PT5M to PT12H)",
};

/// REST spec: cooldown "must be between 1 week and 1 minute".
const COOLDOWN: MinuteRange = MinuteRange {
    min: 1,
    max: 10_080,
    text: "from 1 minute to 1 week (PT1M to P1W)",
};

/// REST spec: scaleLookAheadTime "must be between 1 minute and 60 minutes".
const LOOK_AHEAD: MinuteRange = MinuteRange {
    min: 1,
    max: 60,
    text: "from 1 minute to 60 minutes (PT1M to PT60M)",
};

/// The metric names a rule may watch.
const METRICS: &[(&str, AzureMetric)] = &[
    (
        "CpuUtilizationPercentage",
        AzureMetric::CpuUtilizationPercentage,
    ),
    ("RequestsPerMinute", AzureMetric::RequestsPerMinute),
];

/// `statistic` values.
const STATISTICS: &[(&str, Statistic)] = &[
    ("Average", Statistic::Average),
    ("Min", Statistic::Min),
    ("Max", Statistic::Max),
    ("Sum", Statistic::Sum),
    ("Count", Statistic::Count),
];

/// `timeAggregation` values.
const TIME_AGGREGATIONS: &[(&str, TimeAggregation)] = &[
    ("Average", TimeAggregation::Average),
    ("Minimum", TimeAggregation::Minimum),
    ("Maximum", TimeAggregation::Maximum),
    ("Total", TimeAggregation::Total),
    ("Count", TimeAggregation::Count),
    ("Last", TimeAggregation::Last),
];

/// `operator` values.
const OPERATORS: &[(&str, ComparisonOperator)] = &[
    ("Equals", ComparisonOperator::Equals),
    ("NotEquals", ComparisonOperator::NotEquals),
    ("GreaterThan", ComparisonOperator::GreaterThan),
    ("GreaterThanOrEqual", ComparisonOperator::GreaterThanOrEqual),
    ("LessThan", ComparisonOperator::LessThan),
    ("LessThanOrEqual", ComparisonOperator::LessThanOrEqual),
];

/// `direction` values.
const DIRECTIONS: &[(&str, ScaleDirection)] = &[
    ("Increase", ScaleDirection::Increase),
    ("Decrease", ScaleDirection::Decrease),
    ("None", ScaleDirection::None),
];

/// `type` values that are modelled; Azure's fourth, ServiceAllowedNextValue, is not.
const SCALE_TYPES: &[(&str, ScaleType)] = &[
    ("ChangeCount", ScaleType::ChangeCount),
    ("PercentChangeCount", ScaleType::PercentChangeCount),
    ("ExactCount", ScaleType::ExactCount),
];

/// `days` values.
const DAYS: &[(&str, Weekday)] = &[
    ("Sunday", Weekday::Sun),
    ("Monday", Weekday::Mon),
    ("Tuesday", Weekday::Tue),
    ("Wednesday", Weekday::Wed),
    ("Thursday", Weekday::Thu),
    ("Friday", Weekday::Fri),
    ("Saturday", Weekday::Sat),
];

/// Reads an autoscale setting (whole REST resource, its `properties` alone, or an ARM template with
/// exactly one `Microsoft.Insights/autoscaleSettings` resource) and resolves its profiles'
/// schedules over the run.
///
/// `start` is the wall-clock time of t = 0, `None` when the scenario gives none (an error only if
/// a profile has a schedule). The profile is chosen at t = 0 and at every multiple of
/// `evaluation_period_s` up to `run_s`, as the spec's "Profiles" section says; the schedule holds
/// only the points where the choice changes. `evaluation_period_s` must be at least 1.
pub(crate) fn autoscale_setting(
    text: &str,
    path: &Path,
    start: Option<DateTime<Utc>>,
    run_s: u64,
    evaluation_period_s: u64,
) -> Result<(AutoscaleSetting, ProfileSchedule), ScenarioError> {
    let root: Value = serde_json::from_str(text).map_err(|err| ScenarioError::Json {
        path: path.to_owned(),
        message: err.to_string(),
    })?;
    let properties = properties_of(root, path)?;
    let properties = normalise(properties, &PROPERTIES, "", path)?;
    let body: PropertiesBody = from_value(properties, "", path)?;
    let (setting, whens) = check_setting(body, path)?;
    let schedule = resolve_schedule(&whens, start, run_s, evaluation_period_s, path)?;
    Ok((setting, schedule))
}

/// A field error; an empty field means the file as a whole.
fn field_error(file: &Path, field: &str, message: impl Into<String>) -> ScenarioError {
    if field.is_empty() {
        ScenarioError::Json {
            path: file.to_owned(),
            message: message.into(),
        }
    } else {
        ScenarioError::Field {
            path: file.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// An error the core reports for a value these checks let through, at `field`.
fn core_error(file: &Path, field: &str, err: BuildError) -> ScenarioError {
    match err {
        BuildError::Field { expected, got, .. } => {
            field_error(file, field, format!("must be {expected}, got {got}"))
        }
        other => field_error(file, field, other.to_string()),
    }
}

/// `parent.name`, or whichever of the two is not empty.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else if name.is_empty() {
        parent.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// A JSON value as a message quotes it: strings in single quotes as Azure's messages do.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{text}'"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => other.to_string(),
    }
}

/// Whether `map` has a property named `name` in any case.
fn has_property(map: &Map<String, Value>, name: &str) -> bool {
    map.keys().any(|key| key.eq_ignore_ascii_case(name))
}

/// Finds the setting's `properties` object in whichever of the three forms the file has.
fn properties_of(root: Value, file: &Path) -> Result<Value, ScenarioError> {
    let Value::Object(map) = root else {
        return Err(field_error(
            file,
            "",
            format!(
                "expected a JSON object: an autoscale setting, its properties or an ARM \
                 template, got {}",
                describe(&root)
            ),
        ));
    };
    if has_property(&map, "resources") || has_property(&map, "$schema") {
        let template = normalise(Value::Object(map), &TEMPLATE, "", file)?;
        let template: TemplateBody = from_value(template, "", file)?;
        let (field, resource) = autoscale_resource(template.resources, file)?;
        resource_properties(resource, &field, file)
    } else if has_property(&map, "properties") {
        resource_properties(Value::Object(map), "", file)
    } else {
        Ok(Value::Object(map))
    }
}

/// The one `Microsoft.Insights/autoscaleSettings` resource of a template, with its path.
fn autoscale_resource(resources: Value, file: &Path) -> Result<(String, Value), ScenarioError> {
    // languageVersion 2.0 templates key their resources by symbolic name.
    let entries: Vec<(String, Value)> = match resources {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(idx, item)| (format!("resources[{idx}]"), item))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(name, item)| (format!("resources.{name}"), item))
            .collect(),
        other => {
            return Err(field_error(
                file,
                "resources",
                format!("must be an array of resources, got {}", describe(&other)),
            ));
        }
    };
    let mut found: Vec<(String, Value)> = entries
        .into_iter()
        .filter(|(_, resource)| is_autoscale_resource(resource))
        .collect();
    if found.len() == 1
        && let Some(resource) = found.pop()
    {
        return Ok(resource);
    }
    let message = if found.is_empty() {
        format!("must hold exactly one resource of type {RESOURCE_TYPE}, found none")
    } else {
        let fields: Vec<&str> = found.iter().map(|(field, _)| field.as_str()).collect();
        format!(
            "must hold exactly one resource of type {RESOURCE_TYPE}, found {}: {}",
            found.len(),
            fields.join(", ")
        )
    };
    Err(field_error(file, "resources", message))
}

/// Whether a template resource's `type` (any case, as ARM compares it) is an autoscale setting.
fn is_autoscale_resource(resource: &Value) -> bool {
    resource.as_object().is_some_and(|map| {
        map.iter().any(|(key, value)| {
            key.eq_ignore_ascii_case("type")
                && value
                    .as_str()
                    .is_some_and(|kind| kind.eq_ignore_ascii_case(RESOURCE_TYPE))
        })
    })
}

/// Checks a resource envelope at `field` and returns its `properties`.
fn resource_properties(resource: Value, field: &str, file: &Path) -> Result<Value, ScenarioError> {
    let resource = normalise(resource, &RESOURCE, field, file)?;
    let body: ResourceBody = from_value(resource, field, file)?;
    if let Some(kind) = &body.resource_type
        && !kind.eq_ignore_ascii_case(RESOURCE_TYPE)
    {
        return Err(field_error(
            file,
            &join(field, "type"),
            format!("must be '{RESOURCE_TYPE}', got '{kind}'"),
        ));
    }
    if !body.properties.is_object() {
        return Err(field_error(
            file,
            &join(field, "properties"),
            format!(
                "must be an object holding the setting's profiles, got {}",
                describe(&body.properties)
            ),
        ));
    }
    Ok(body.properties)
}

/// Rewrites the property names of `value` (at `field`) to the canonical spelling of `shape`, and
/// rejects ARM template expressions among the values it reads.
fn normalise(
    value: Value,
    shape: &Shape,
    field: &str,
    file: &Path,
) -> Result<Value, ScenarioError> {
    match (shape, value) {
        (Shape::Unread, value) => Ok(value),
        (Shape::Object(properties), Value::Object(map)) => {
            let mut normalised = Map::new();
            // (canonical, as written), to name both spellings of a name given twice.
            let mut written: Vec<(&str, String)> = Vec::new();
            for (name, child) in map {
                let known = properties
                    .iter()
                    .find(|(canonical, _)| canonical.eq_ignore_ascii_case(&name));
                let Some((canonical, child_shape)) = known else {
                    // Kept as written, for serde to name as unknown.
                    normalised.insert(name, child);
                    continue;
                };
                if let Some((_, first)) = written.iter().find(|(seen, _)| seen == canonical) {
                    return Err(field_error(
                        file,
                        field,
                        format!(
                            "'{first}' and '{name}' name the same property, as names ignore \
                             case; give it once"
                        ),
                    ));
                }
                let child = normalise(child, child_shape, &join(field, canonical), file)?;
                normalised.insert((*canonical).to_owned(), child);
                written.push((canonical, name));
            }
            Ok(Value::Object(normalised))
        }
        (Shape::Array(item_shape), Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(idx, item)| normalise(item, item_shape, &format!("{field}[{idx}]"), file))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        // A value of another type than the shape's is left for serde to name.
        (_, value) => {
            reject_expressions(&value, field, file)?;
            Ok(value)
        }
    }
}

/// Whether a string is an ARM template expression: `[...]`, except the `[[` escape, which ARM
/// reads as a literal string starting with `[`.
fn is_expression(text: &str) -> bool {
    text.starts_with('[') && text.ends_with(']') && !text.starts_with("[[")
}

/// Rejects any ARM expression in `value` (at `field`): nothing here evaluates them (spec).
fn reject_expressions(value: &Value, field: &str, file: &Path) -> Result<(), ScenarioError> {
    match value {
        Value::String(text) if is_expression(text) => Err(field_error(
            file,
            field,
            format!(
                "ARM template expressions are not evaluated; write the value itself, got '{text}'"
            ),
        )),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(idx, item)| reject_expressions(item, &format!("{field}[{idx}]"), file)),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(name, item)| reject_expressions(item, &join(field, name), file)),
        _ => Ok(()),
    }
}

/// Deserialises a normalised value, naming the JSON path (under `prefix`) of what serde rejects.
fn from_value<T: DeserializeOwned>(
    value: Value,
    prefix: &str,
    file: &Path,
) -> Result<T, ScenarioError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let inner = err.path().to_string();
        let message = err.into_inner().to_string();
        let mut field = if inner == "." { String::new() } else { inner };
        // The path of an unknown field ends in the field itself, which the message names.
        let (parent, last) = field.rsplit_once('.').unwrap_or(("", field.as_str()));
        if message.starts_with(&format!("unknown field `{last}`")) {
            field = parent.to_owned();
        }
        field_error(file, &join(prefix, &field), message)
    })
}

/// One of a closed set of values, matched exactly as spelled (spec: only names ignore case).
fn one_of<T: Copy>(
    got: &str,
    options: &[(&str, T)],
    field: &str,
    file: &Path,
) -> Result<T, ScenarioError> {
    options
        .iter()
        .find(|(name, _)| *name == got)
        .map(|&(_, value)| value)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|&(name, _)| name).collect();
            field_error(
                file,
                field,
                format!("must be one of {}, got '{got}'", names.join(", ")),
            )
        })
}

/// A whole number that Azure writes as a string; JSON integers are accepted too (spec).
fn whole_number(value: &Value, field: &str, file: &Path) -> Result<u32, ScenarioError> {
    let parsed = match value {
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse::<u32>().ok()
        }
        Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    };
    parsed.ok_or_else(|| {
        field_error(
            file,
            field,
            format!(
                "must be a whole number such as '2' (a string or a JSON integer, at most {}), \
                 got {}",
                u32::MAX,
                describe(value)
            ),
        )
    })
}

/// Why an ISO 8601 duration was not read.
#[derive(Debug, PartialEq, Eq)]
enum DurationError {
    /// Not `PnW` or `PnDTnHnMnS`.
    Syntax,
    /// Years or months, whose length varies.
    YearsOrMonths,
    /// A fraction such as `PT1.5M`.
    Fraction,
    /// Whole seconds that are not whole minutes.
    NotWholeMinutes(u64),
}

/// Whether `text` is a duration Azure reads: `PnW` or `PnDTnHnMnS`, in whole minutes.
pub(crate) fn is_iso_duration(text: &str) -> bool {
    iso_minutes(text).is_ok()
}

/// Reads `PnW` or `PnDTnHnMnS` (whole numbers) into whole minutes.
fn iso_minutes(text: &str) -> Result<u64, DurationError> {
    let body = text.strip_prefix('P').ok_or(DurationError::Syntax)?;
    let (date, time) = match body.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (body, None),
    };
    let date = components(date, "YMWD")?;
    let time = match time {
        // A `T` must be followed by a time component.
        Some(time) => Some(components(time, "HMS")?).filter(|parts| !parts.is_empty()),
        None => Some(Vec::new()),
    }
    .ok_or(DurationError::Syntax)?;
    if date.is_empty() && time.is_empty() {
        return Err(DurationError::Syntax);
    }
    if date.iter().any(|&(_, unit)| unit == 'Y' || unit == 'M') {
        return Err(DurationError::YearsOrMonths);
    }
    let has_weeks = date.iter().any(|&(_, unit)| unit == 'W');
    if has_weeks && (date.len() > 1 || !time.is_empty()) {
        return Err(DurationError::Syntax);
    }
    let date_seconds = total_seconds(&date, |unit| match unit {
        'W' => 604_800,
        _ => 86_400,
    })?;
    let time_seconds = total_seconds(&time, |unit| match unit {
        'H' => 3_600,
        'M' => 60,
        _ => 1,
    })?;
    let seconds = date_seconds.saturating_add(time_seconds);
    if seconds % 60 != 0 {
        return Err(DurationError::NotWholeMinutes(seconds));
    }
    Ok(seconds / 60)
}

/// One part of a duration: its amount (`None` for a fraction) and its designator.
type Component = (Option<u64>, char);

/// Splits the date or the time part of a duration (`1D`, `1H30M`) into components whose
/// designators come from `units`, in that order, each at most once.
fn components(text: &str, units: &str) -> Result<Vec<Component>, DurationError> {
    let mut parts = Vec::new();
    let mut allowed = units;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .ok_or(DurationError::Syntax)?;
        let (number, tail) = rest.split_at(number_len);
        let mut tail_chars = tail.chars();
        let unit = tail_chars.next().ok_or(DurationError::Syntax)?;
        let position = allowed.find(unit).ok_or(DurationError::Syntax)?;
        if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(DurationError::Syntax);
        }
        let amount = if number.bytes().all(|b| b.is_ascii_digit()) {
            // Too many digits to hold is far beyond any range, as u64::MAX is.
            Some(number.parse::<u64>().unwrap_or(u64::MAX))
        } else {
            None
        };
        parts.push((amount, unit));
        allowed = allowed.get(position + unit.len_utf8()..).unwrap_or("");
        rest = tail_chars.as_str();
    }
    Ok(parts)
}

/// The seconds of some components, `unit_seconds` giving each designator's length.
fn total_seconds(
    parts: &[Component],
    unit_seconds: impl Fn(char) -> u64,
) -> Result<u64, DurationError> {
    parts.iter().try_fold(0u64, |sum, &(amount, unit)| {
        let amount = amount.ok_or(DurationError::Fraction)?;
        Ok(sum.saturating_add(amount.saturating_mul(unit_seconds(unit))))
    })
}

/// A duration property in whole minutes, within `range`.
fn duration_min(
    text: &str,
    range: &MinuteRange,
    field: &str,
    file: &Path,
) -> Result<u32, ScenarioError> {
    let minutes = iso_minutes(text).map_err(|err| {
        let message = match err {
            DurationError::Syntax => format!(
                "must be an ISO 8601 duration, PnW or PnDTnHnMnS such as 'PT5M' or 'PT1H30M', \
                 got '{text}'"
            ),
            DurationError::YearsOrMonths => format!(
                "years and months are not supported, their length varies; write weeks, days, \
                 hours and minutes such as 'P1W' or 'P30D', got '{text}'"
            ),
            DurationError::Fraction => {
                format!("must use whole numbers such as 'PT1H30M', got '{text}'")
            }
            DurationError::NotWholeMinutes(seconds) => {
                format!("must be whole minutes, got '{text}' ({seconds} s)")
            }
        };
        field_error(file, field, message)
    })?;
    u32::try_from(minutes)
        .ok()
        .filter(|minutes| (range.min..=range.max).contains(minutes))
        .ok_or_else(|| field_error(file, field, format!("must be {}, got '{text}'", range.text)))
}

/// Checks the setting's properties and returns the core setting with each profile's schedule.
fn check_setting(
    body: PropertiesBody,
    file: &Path,
) -> Result<(AutoscaleSetting, Vec<When>), ScenarioError> {
    if let Some(policy) = &body.predictive_autoscale_policy {
        check_predictive_policy(policy, "predictiveAutoscalePolicy", file)?;
    }
    let count = body.profiles.len();
    if !(1..=MAX_PROFILES).contains(&count) {
        return Err(field_error(
            file,
            "profiles",
            format!("must hold 1 to {MAX_PROFILES} profiles, got {count}"),
        ));
    }
    let mut profiles = Vec::with_capacity(count);
    let mut whens = Vec::with_capacity(count);
    for (idx, profile) in body.profiles.into_iter().enumerate() {
        let (profile, when) = check_profile(profile, &format!("profiles[{idx}]"), file)?;
        profiles.push(profile);
        whens.push(when);
    }
    let unscheduled: Vec<usize> = whens
        .iter()
        .enumerate()
        .filter(|(_, when)| matches!(when, When::Always))
        .map(|(idx, _)| idx)
        .collect();
    if let [first, second, ..] = unscheduled[..] {
        return Err(field_error(
            file,
            &format!("profiles[{second}]"),
            format!(
                "has neither fixedDate nor recurrence, and neither has profiles[{first}]; at most \
                 one profile may be without a schedule"
            ),
        ));
    }
    if whens.iter().all(|when| matches!(when, When::Fixed { .. })) {
        return Err(field_error(
            file,
            "profiles",
            "must include a profile without schedule or one with recurrence, so that a profile \
             applies at every time; got only fixedDate profiles",
        ));
    }
    let setting = AutoscaleSetting {
        enabled: body.enabled.unwrap_or(true),
        profiles,
    };
    Ok((setting, whens))
}

/// Forecasts are not modelled, so only policies that do not scale by them are accepted.
fn check_predictive_policy(
    policy: &PredictivePolicyBody,
    field: &str,
    file: &Path,
) -> Result<(), ScenarioError> {
    let mode_field = join(field, "scaleMode");
    match policy.scale_mode.as_str() {
        "Disabled" | "ForecastOnly" => {}
        "Enabled" => {
            return Err(field_error(
                file,
                &mode_field,
                "'Enabled' is not supported, forecasts are not modelled; supported: Disabled, \
                 ForecastOnly",
            ));
        }
        other => {
            return Err(field_error(
                file,
                &mode_field,
                format!("must be one of Disabled, ForecastOnly, got '{other}'"),
            ));
        }
    }
    if let Some(look_ahead) = &policy.scale_look_ahead_time {
        duration_min(
            look_ahead,
            &LOOK_AHEAD,
            &join(field, "scaleLookAheadTime"),
            file,
        )?;
    }
    Ok(())
}

/// Checks one profile at `field`.
fn check_profile(
    body: ProfileBody,
    field: &str,
    file: &Path,
) -> Result<(AutoscaleProfile, When), ScenarioError> {
    let capacity = check_capacity(&body.capacity, &join(field, "capacity"), file)?;
    let rules_field = join(field, "rules");
    if body.rules.len() > MAX_RULES {
        return Err(field_error(
            file,
            &rules_field,
            format!(
                "must hold at most {MAX_RULES} rules, got {}",
                body.rules.len()
            ),
        ));
    }
    let rules = body
        .rules
        .iter()
        .enumerate()
        .map(|(idx, rule)| check_rule(rule, &format!("{rules_field}[{idx}]"), file))
        .collect::<Result<Vec<_>, _>>()?;
    let when = match (&body.fixed_date, &body.recurrence) {
        (Some(_), Some(_)) => {
            return Err(field_error(
                file,
                field,
                "has both fixedDate and recurrence; a profile may have only one of them",
            ));
        }
        (Some(fixed_date), None) => check_fixed_date(fixed_date, &join(field, "fixedDate"), file)?,
        (None, Some(recurrence)) => check_recurrence(recurrence, &join(field, "recurrence"), file)?,
        (None, None) => When::Always,
    };
    let profile = AutoscaleProfile {
        name: body.name,
        capacity,
        rules,
    };
    Ok((profile, when))
}

/// Checks `capacity`: 1 ≤ minimum ≤ default ≤ maximum, in the spec's words.
fn check_capacity(
    body: &CapacityBody,
    field: &str,
    file: &Path,
) -> Result<ScaleCapacity, ScenarioError> {
    let minimum = whole_number(&body.minimum, &join(field, "minimum"), file)?;
    let maximum = whole_number(&body.maximum, &join(field, "maximum"), file)?;
    let default = whole_number(&body.default, &join(field, "default"), file)?;
    if minimum < 1 {
        return Err(field_error(
            file,
            &join(field, "minimum"),
            format!("must be at least 1, as a deployment keeps one instance, got '{minimum}'"),
        ));
    }
    if minimum > default {
        return Err(field_error(
            file,
            field,
            format!(
                "minimum '{minimum}' is greater than default '{default}'; the minimum must not \
                 exceed the default"
            ),
        ));
    }
    if default > maximum {
        return Err(field_error(
            file,
            field,
            format!(
                "default '{default}' is greater than maximum '{maximum}'; the default must not \
                 exceed the maximum"
            ),
        ));
    }
    ScaleCapacity::new(minimum, maximum, default).map_err(|err| core_error(file, field, err))
}

/// Checks one rule at `field`.
fn check_rule(body: &RuleBody, field: &str, file: &Path) -> Result<ScaleRule, ScenarioError> {
    Ok(ScaleRule {
        trigger: check_trigger(&body.metric_trigger, &join(field, "metricTrigger"), file)?,
        action: check_action(&body.scale_action, &join(field, "scaleAction"), file)?,
    })
}

/// Checks a `metricTrigger` at `field`.
fn check_trigger(
    body: &MetricTriggerBody,
    field: &str,
    file: &Path,
) -> Result<MetricTrigger, ScenarioError> {
    let metric = METRICS
        .iter()
        .find(|(name, _)| *name == body.metric_name)
        .map(|&(_, metric)| metric)
        .ok_or_else(|| {
            let names: Vec<&str> = METRICS.iter().map(|&(name, _)| name).collect();
            field_error(
                file,
                &join(field, "metricName"),
                format!(
                    "metric '{}' is not modelled; modelled: {}",
                    body.metric_name,
                    names.join(", ")
                ),
            )
        })?;
    let time_grain_min = duration_min(
        &body.time_grain,
        &TIME_GRAIN,
        &join(field, "timeGrain"),
        file,
    )?;
    let window_field = join(field, "timeWindow");
    let time_window_min = duration_min(&body.time_window, &TIME_WINDOW, &window_field, file)?;
    if time_window_min < time_grain_min {
        return Err(field_error(
            file,
            &window_field,
            format!(
                "must be at least timeGrain ('{}'), got '{}'",
                body.time_grain, body.time_window
            ),
        ));
    }
    let statistic_field = join(field, "statistic");
    let statistic = one_of(&body.statistic, STATISTICS, &statistic_field, file)?;
    if metric == AzureMetric::CpuUtilizationPercentage
        && !matches!(
            statistic,
            Statistic::Average | Statistic::Min | Statistic::Max
        )
    {
        return Err(field_error(
            file,
            &statistic_field,
            format!(
                "must be one of Average, Min, Max for CpuUtilizationPercentage (its published \
                 aggregations), got '{}'",
                body.statistic
            ),
        ));
    }
    let time_aggregation = match &body.time_aggregation {
        Some(name) => one_of(
            name,
            TIME_AGGREGATIONS,
            &join(field, "timeAggregation"),
            file,
        )?,
        None => TimeAggregation::Average,
    };
    let operator = one_of(&body.operator, OPERATORS, &join(field, "operator"), file)?;
    if !body.threshold.is_finite() {
        return Err(field_error(
            file,
            &join(field, "threshold"),
            format!("must be a finite number, got {}", body.threshold),
        ));
    }
    Ok(MetricTrigger {
        metric,
        time_grain_min,
        statistic,
        time_window_min,
        time_aggregation,
        operator,
        threshold: body.threshold,
        divide_per_instance: body.divide_per_instance.unwrap_or(false),
    })
}

/// Checks a `scaleAction` at `field`.
fn check_action(
    body: &ScaleActionBody,
    field: &str,
    file: &Path,
) -> Result<ScaleAction, ScenarioError> {
    let direction = one_of(&body.direction, DIRECTIONS, &join(field, "direction"), file)?;
    let type_field = join(field, "type");
    if body.scale_type == "ServiceAllowedNextValue" {
        return Err(field_error(
            file,
            &type_field,
            "'ServiceAllowedNextValue' is not supported; supported: ChangeCount, \
             PercentChangeCount, ExactCount",
        ));
    }
    let scale_type = one_of(&body.scale_type, SCALE_TYPES, &type_field, file)?;
    let value_field = join(field, "value");
    // REST spec: "must be 1 or greater", default "1"; `null` is taken as absent.
    let value = match &body.value {
        None | Some(Value::Null) => 1,
        Some(value) => whole_number(value, &value_field, file)?,
    };
    if value < 1 {
        return Err(field_error(
            file,
            &value_field,
            format!("must be 1 or greater, got '{value}'"),
        ));
    }
    let cooldown_min = duration_min(&body.cooldown, &COOLDOWN, &join(field, "cooldown"), file)?;
    Ok(ScaleAction {
        direction,
        scale_type,
        value,
        cooldown_s: u64::from(cooldown_min) * 60,
    })
}

/// Maps a Windows time-zone name to its tz-database zone through the CLDR Windows table's
/// territory-neutral ("001") entry (model choice).
fn windows_zone(name: &str, field: &str, file: &Path) -> Result<Tz, ScenarioError> {
    localzone::win_zone_to_iana(name, Some("001"))
        .and_then(|iana| iana.parse::<Tz>().ok())
        .ok_or_else(|| {
            field_error(
                file,
                field,
                format!(
                    "must be a Windows time zone name from the CLDR table such as 'Pacific \
                     Standard Time', 'W. Europe Standard Time' or 'UTC', got '{name}'"
                ),
            )
        })
}

/// The instant a local time names in `zone`: a time in a daylight-saving gap moves forward by
/// the gap, a repeated time is its first instant (spec, "Readings fixed").
fn local_instant(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => {
            // Read with the offset in force before the gap, the time lands as far past the gap's
            // end as it was past its start. Gaps last hours at most (a skipped day at most).
            let before = (1..=48).find_map(|hours| {
                zone.from_local_datetime(&(local - TimeDelta::hours(hours)))
                    .earliest()
                    .map(|at| at.offset().fix())
            });
            let offset = before.unwrap_or_else(|| zone.offset_from_utc_datetime(&local).fix());
            (local - TimeDelta::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

/// A `fixedDate` time: with an explicit offset as written, else local to `zone`.
fn fixed_instant(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|local| local_instant(zone, local))
}

/// Checks a `fixedDate` at `field`.
fn check_fixed_date(body: &FixedDateBody, field: &str, file: &Path) -> Result<When, ScenarioError> {
    // Model choice: UTC when no zone is given.
    let zone = match &body.time_zone {
        Some(name) => windows_zone(name, &join(field, "timeZone"), file)?,
        None => Tz::UTC,
    };
    let instant = |text: &str, name: &str| {
        fixed_instant(text, zone).ok_or_else(|| {
            field_error(
                file,
                &join(field, name),
                format!(
                    "must be a date and time such as '2024-12-25T00:00:00' (local to timeZone) or \
                     '2024-12-25T00:00:00Z', got '{text}'"
                ),
            )
        })
    };
    let start = instant(&body.start, "start")?;
    let end = instant(&body.end, "end")?;
    if end <= start {
        return Err(field_error(
            file,
            &join(field, "end"),
            format!("must be after start ('{}'), got '{}'", body.start, body.end),
        ));
    }
    if end - start > TimeDelta::days(MAX_FIXED_DATE_DAYS) {
        return Err(field_error(
            file,
            &join(field, "end"),
            format!(
                "must be at most {MAX_FIXED_DATE_DAYS} days after start ('{}'), got '{}'",
                body.start, body.end
            ),
        ));
    }
    Ok(When::Fixed { start, end })
}

/// The numbers of a schedule's `hours` or `minutes` at `field`, each within `0..=max`.
fn schedule_numbers(
    numbers: &[i64],
    max: i64,
    what: &str,
    field: &str,
    file: &Path,
) -> Result<Vec<u32>, ScenarioError> {
    if numbers.is_empty() {
        return Err(field_error(
            file,
            field,
            format!("must list at least one {what}, got none"),
        ));
    }
    let mut checked = numbers
        .iter()
        .enumerate()
        .map(|(idx, &number)| {
            u32::try_from(number)
                .ok()
                .filter(|_| number <= max)
                .ok_or_else(|| {
                    field_error(
                        file,
                        &format!("{field}[{idx}]"),
                        format!("must be from 0 to {max}, got {number}"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // A set, as Azure reads it: repeats would only multiply the hours × minutes product.
    checked.sort_unstable();
    checked.dedup();
    Ok(checked)
}

/// Checks a `recurrence` at `field`.
fn check_recurrence(
    body: &RecurrenceBody,
    field: &str,
    file: &Path,
) -> Result<When, ScenarioError> {
    if body.frequency != "Week" {
        return Err(field_error(
            file,
            &join(field, "frequency"),
            format!(
                "must be 'Week', as Azure repeats a schedule every week, got '{}'",
                body.frequency
            ),
        ));
    }
    let field = join(field, "schedule");
    let schedule = &body.schedule;
    let zone = windows_zone(&schedule.time_zone, &join(&field, "timeZone"), file)?;
    let days_field = join(&field, "days");
    if schedule.days.is_empty() {
        return Err(field_error(
            file,
            &days_field,
            "must list at least one day, got none",
        ));
    }
    let mut days = [false; 7];
    for (idx, name) in schedule.days.iter().enumerate() {
        let day = one_of(name, DAYS, &format!("{days_field}[{idx}]"), file)?;
        if let Some(slot) = days.get_mut(day.num_days_from_sunday() as usize) {
            *slot = true;
        }
    }
    let hours = schedule_numbers(&schedule.hours, 23, "hour", &join(&field, "hours"), file)?;
    let minutes = schedule_numbers(
        &schedule.minutes,
        59,
        "minute",
        &join(&field, "minutes"),
        file,
    )?;
    let mut times: Vec<NaiveTime> = hours
        .iter()
        .flat_map(|&hour| {
            minutes
                .iter()
                .filter_map(move |&minute| NaiveTime::from_hms_opt(hour, minute, 0))
        })
        .collect();
    times.sort_unstable();
    times.dedup();
    Ok(When::Weekly(Weekly { zone, days, times }))
}

/// The error for a run that reaches past the dates chrono can place.
fn out_of_range(file: &Path, field: &str) -> ScenarioError {
    field_error(
        file,
        field,
        "the run reaches past the dates a schedule can be placed on",
    )
}

/// `seconds` as a time delta, if it is in chrono's range.
fn delta_s(seconds: u64) -> Option<TimeDelta> {
    i64::try_from(seconds).ok().and_then(TimeDelta::try_seconds)
}

/// Every start of every recurring profile from two weeks before t = 0 to `run` after it, as
/// `(offset from t = 0, profile)`, sorted by time, then by list order.
fn recurrence_starts(
    whens: &[When],
    start: DateTime<Utc>,
    run: TimeDelta,
    file: &Path,
) -> Result<Vec<(TimeDelta, usize)>, ScenarioError> {
    let first = start
        .checked_sub_signed(TimeDelta::days(LOOK_BACK_DAYS))
        .ok_or_else(|| out_of_range(file, "profiles"))?;
    let last = start
        .checked_add_signed(run)
        .ok_or_else(|| out_of_range(file, "profiles"))?;
    let mut starts = Vec::new();
    for (profile, when) in whens.iter().enumerate() {
        let When::Weekly(weekly) = when else {
            continue;
        };
        let first_day = first.with_timezone(&weekly.zone).date_naive();
        // One more local day covers a time moved forward past midnight by a gap.
        let last_day = last.with_timezone(&weekly.zone).date_naive();
        let last_day = last_day.succ_opt().unwrap_or(last_day);
        for day in first_day.iter_days().take_while(|day| *day <= last_day) {
            let listed = weekly
                .days
                .get(day.weekday().num_days_from_sunday() as usize)
                .copied()
                .unwrap_or(false);
            if !listed {
                continue;
            }
            for &time in &weekly.times {
                let offset = local_instant(weekly.zone, day.and_time(time)) - start;
                if offset <= run {
                    starts.push((offset, profile));
                }
            }
        }
    }
    starts.sort_unstable();
    Ok(starts)
}

/// The profile at t = 0 and at each evaluation up to `run_s`, as change points (spec,
/// "Profiles"): the first `fixedDate` profile whose start ≤ time ≤ end; else the recurring
/// profile with the latest start at or before the time (ties to the first in the list), which
/// stays active until another starts; else the profile without schedule.
fn resolve_schedule(
    whens: &[When],
    start: Option<DateTime<Utc>>,
    run_s: u64,
    evaluation_period_s: u64,
    file: &Path,
) -> Result<ProfileSchedule, ScenarioError> {
    let unscheduled = whens.iter().position(|when| matches!(when, When::Always));
    let first_scheduled = whens.iter().enumerate().find_map(|(idx, when)| match when {
        When::Always => None,
        When::Fixed { .. } => Some(format!("profiles[{idx}].fixedDate")),
        When::Weekly(_) => Some(format!("profiles[{idx}].recurrence")),
    });
    let Some(scheduled_field) = first_scheduled else {
        return Ok(ProfileSchedule::constant(unscheduled.unwrap_or(0)));
    };
    let Some(start) = start else {
        return Err(field_error(
            file,
            &scheduled_field,
            "a scheduled profile needs the scenario's top-level `start`, the wall-clock time of \
             t = 0, and the scenario gives none",
        ));
    };
    if evaluation_period_s == 0 {
        return Err(field_error(
            file,
            "profiles",
            "cannot resolve the schedules: evaluation_period_s must be at least 1 s, got 0",
        ));
    }
    let run = delta_s(run_s).ok_or_else(|| out_of_range(file, &scheduled_field))?;
    let fixed: Vec<(usize, TimeDelta, TimeDelta)> = whens
        .iter()
        .enumerate()
        .filter_map(|(idx, when)| match when {
            When::Fixed { start: from, end } => Some((idx, *from - start, *end - start)),
            _ => None,
        })
        .collect();
    let starts = recurrence_starts(whens, start, run, file)?;
    let mut changes: Vec<(u64, usize)> = Vec::new();
    let mut next_start = 0;
    let mut recurring: Option<(TimeDelta, usize)> = None;
    let mut t_s: u64 = 0;
    loop {
        let t = delta_s(t_s).ok_or_else(|| out_of_range(file, &scheduled_field))?;
        while let Some(&(at, profile)) = starts.get(next_start) {
            if at > t {
                break;
            }
            // Sorted by time, then list order: the first of equal starts is kept.
            if recurring.is_none_or(|(latest, _)| at > latest) {
                recurring = Some((at, profile));
            }
            next_start += 1;
        }
        let chosen = fixed
            .iter()
            .find(|&&(_, from, to)| from <= t && t <= to)
            .map(|&(profile, ..)| profile)
            .or(recurring.map(|(_, profile)| profile))
            .or(unscheduled);
        let Some(profile) = chosen else {
            return Err(field_error(
                file,
                "profiles",
                format!(
                    "no profile applies at t = {t_s} s ({}): add a profile without schedule",
                    start + t
                ),
            ));
        };
        if changes.last().is_none_or(|&(_, last)| last != profile) {
            changes.push((t_s, profile));
        }
        match t_s.checked_add(evaluation_period_s) {
            Some(next) if next <= run_s => t_s = next,
            _ => break,
        }
    }
    ProfileSchedule::from_changes(changes).map_err(|err| core_error(file, "profiles", err))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's example, as written there.
    const SPEC: &str = r#"{ "location": "eastus",
  "properties": {
    "name": "autoscale-my-endpoint-blue", "enabled": true,
    "targetResourceUri": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/my-endpoint/deployments/blue",
    "profiles": [ {
      "name": "my-scale-settings",
      "capacity": { "minimum": "2", "maximum": "5", "default": "2" },
      "rules": [
        { "metricTrigger": { "metricName": "CpuUtilizationPercentage",
            "metricResourceUri": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/my-endpoint/deployments/blue",
            "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M",
            "timeAggregation": "Last", "operator": "GreaterThan", "threshold": 70 },
          "scaleAction": { "direction": "Increase", "type": "ChangeCount", "value": "2", "cooldown": "PT1H" } },
        { "metricTrigger": { "metricName": "CpuUtilizationPercentage",
            "metricResourceUri": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/my-endpoint/deployments/blue",
            "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M",
            "timeAggregation": "Last", "operator": "LessThan", "threshold": 30 },
          "scaleAction": { "direction": "Decrease", "type": "ChangeCount", "value": "1", "cooldown": "PT1H" } } ] } ] } }"#;

    const FILE: &str = "azure/autoscale.json";

    fn load_with(
        text: &str,
        start: Option<&str>,
        run_s: u64,
        evaluation_period_s: u64,
    ) -> Result<(AutoscaleSetting, ProfileSchedule), String> {
        let start = start.map(|text| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        });
        autoscale_setting(text, Path::new(FILE), start, run_s, evaluation_period_s)
            .map_err(|err| err.to_string())
    }

    fn load(text: &str) -> Result<AutoscaleSetting, String> {
        load_with(text, Some("2024-06-01T00:00:00Z"), 3600, 60).map(|(setting, _)| setting)
    }

    /// The spec's example with `from` replaced by `to` (once) must fail with `expected`.
    fn check_error(from: &str, to: &str, expected: &str) {
        assert!(SPEC.contains(from), "{from}");
        let err = load(&SPEC.replacen(from, to, 1)).unwrap_err();
        assert_eq!(err, format!("{FILE}: {expected}"));
    }

    /// The spec's example with `from` replaced by `to` (once) must load.
    fn check_ok(from: &str, to: &str) -> AutoscaleSetting {
        assert!(SPEC.contains(from), "{from}");
        load(&SPEC.replacen(from, to, 1)).unwrap()
    }

    /// The spec's `properties` object alone.
    fn spec_properties() -> String {
        let root: Value = serde_json::from_str(SPEC).unwrap();
        root["properties"].to_string()
    }

    fn spec_setting() -> AutoscaleSetting {
        let trigger = |operator, threshold| MetricTrigger {
            metric: AzureMetric::CpuUtilizationPercentage,
            time_grain_min: 1,
            statistic: Statistic::Average,
            time_window_min: 5,
            time_aggregation: TimeAggregation::Last,
            operator,
            threshold,
            divide_per_instance: false,
        };
        let action = |direction, value| ScaleAction {
            direction,
            scale_type: ScaleType::ChangeCount,
            value,
            cooldown_s: 3600,
        };
        AutoscaleSetting {
            enabled: true,
            profiles: vec![AutoscaleProfile {
                name: "my-scale-settings".into(),
                capacity: ScaleCapacity::new(2, 5, 2).unwrap(),
                rules: vec![
                    ScaleRule {
                        trigger: trigger(ComparisonOperator::GreaterThan, 70.0),
                        action: action(ScaleDirection::Increase, 2),
                    },
                    ScaleRule {
                        trigger: trigger(ComparisonOperator::LessThan, 30.0),
                        action: action(ScaleDirection::Decrease, 1),
                    },
                ],
            }],
        }
    }

    #[test]
    fn the_specs_example_loads_as_is() {
        let (setting, schedule) = load_with(SPEC, None, 3600, 60).unwrap();
        assert_eq!(setting, spec_setting());
        assert_eq!(schedule, ProfileSchedule::constant(0));
    }

    #[test]
    fn its_properties_alone_load() {
        assert_eq!(load(&spec_properties()).unwrap(), spec_setting());
    }

    #[test]
    fn an_arm_template_wrapping_it_loads() {
        let template = format!(
            r#"{{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              "contentVersion": "1.0.0.0",
              "parameters": {{ "endpoint": {{ "type": "string", "defaultValue": "[resourceGroup().name]" }} }},
              "variables": {{ "v": "[parameters('endpoint')]" }},
              "resources": [
                {{ "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                   "apiVersion": "2023-10-01", "name": "[parameters('endpoint')]" }},
                {{ "type": "microsoft.insights/AutoscaleSettings", "apiVersion": "2022-10-01",
                   "name": "autoscale-my-endpoint-blue", "location": "eastus",
                   "tags": {{ "team": "ml" }}, "dependsOn": [],
                   "properties": {} }} ],
              "outputs": {{}} }}"#,
            spec_properties()
        );
        assert_eq!(load(&template).unwrap(), spec_setting());
    }

    #[test]
    fn an_arm_template_needs_exactly_one_autoscale_resource() {
        let none = r#"{ "resources": [ { "type": "Microsoft.Web/sites", "name": "x" } ] }"#;
        assert_eq!(
            load(none).unwrap_err(),
            format!(
                "{FILE}: resources: must hold exactly one resource of type \
                 Microsoft.Insights/autoscaleSettings, found none"
            )
        );
        let one = format!(
            r#"{{ "type": "Microsoft.Insights/autoscaleSettings", "properties": {} }}"#,
            spec_properties()
        );
        let two = format!(r#"{{ "resources": [ {one}, {{ "type": "x" }}, {one} ] }}"#);
        assert_eq!(
            load(&two).unwrap_err(),
            format!(
                "{FILE}: resources: must hold exactly one resource of type \
                 Microsoft.Insights/autoscaleSettings, found 2: resources[0], resources[2]"
            )
        );
        let bad_member = format!(r#"{{ "resources": [ {{ "type": "x" }}, {one} ] }}"#).replacen(
            r#""properties""#,
            r#""sku": "S1", "properties""#,
            1,
        );
        let err = load(&bad_member).unwrap_err();
        assert!(
            err.starts_with(&format!("{FILE}: resources[1]: unknown field `sku`")),
            "{err}"
        );
    }

    #[test]
    fn a_resource_of_another_type_is_rejected() {
        let other = SPEC.replacen(
            r#""location""#,
            r#""type": "Microsoft.Web/sites", "location""#,
            1,
        );
        assert_eq!(
            load(&other).unwrap_err(),
            format!(
                "{FILE}: type: must be 'Microsoft.Insights/autoscaleSettings', got \
                 'Microsoft.Web/sites'"
            )
        );
    }

    #[test]
    fn property_names_ignore_case() {
        let text = SPEC
            .replace(r#""profiles""#, r#""Profiles""#)
            .replace(r#""metricTrigger""#, r#""MetricTrigger""#)
            .replace(r#""timeGrain""#, r#""TIMEGRAIN""#)
            .replace(r#""properties""#, r#""Properties""#)
            .replacen(
                r#""threshold": 70"#,
                r#""threshold": 70, "Dimensions": [ { "dimensionName": "Deployment",
                    "OPERATOR": "Equals", "values": [ "blue" ] } ], "DividePerInstance": false"#,
                1,
            );
        assert_eq!(load(&text).unwrap(), spec_setting());
    }

    #[test]
    fn a_name_given_twice_in_two_cases_is_rejected() {
        check_error(
            r#""enabled": true"#,
            r#""enabled": true, "Enabled": false"#,
            "'enabled' and 'Enabled' name the same property, as names ignore case; give it once",
        );
    }

    #[test]
    fn unknown_properties_are_errors_naming_them() {
        let err =
            load(&SPEC.replacen(r#""cooldown""#, r#""coolDown": "PT1H", "wait""#, 1)).unwrap_err();
        assert!(
            err.starts_with(&format!(
                "{FILE}: profiles[0].rules[0].scaleAction: unknown field `wait`, expected one of"
            )),
            "{err}"
        );
        let err = load(&SPEC.replacen(r#""location""#, r#""region""#, 1)).unwrap_err();
        assert!(
            err.starts_with(&format!("{FILE}: unknown field `region`")),
            "{err}"
        );
    }

    #[test]
    fn arm_expressions_are_not_evaluated() {
        check_error(
            r#""minimum": "2""#,
            r#""minimum": "[parameters('min')]""#,
            "profiles[0].capacity.minimum: ARM template expressions are not evaluated; write \
             the value itself, got '[parameters('min')]'",
        );
        check_error(
            r#""location": "eastus""#,
            r#""location": "[resourceGroup().location]""#,
            "location: ARM template expressions are not evaluated; write the value itself, got \
             '[resourceGroup().location]'",
        );
        // `[[` is ARM's escape for a literal string starting with `[`.
        check_ok(r#""name": "my-scale-settings""#, r#""name": "[[literal]""#);
    }

    #[test]
    fn enabled_defaults_to_true() {
        assert!(check_ok(r#", "enabled": true"#, "").enabled);
        assert!(!check_ok(r#""enabled": true"#, r#""enabled": false"#).enabled);
    }

    /// A profile without rules, with `when` spliced in (a `fixedDate` or `recurrence`, or "").
    fn profile(name: &str, when: &str) -> String {
        format!(
            r#"{{ "name": "{name}", "capacity": {{ "minimum": "1", "maximum": "3", "default": "1" }},
                 "rules": [] {when} }}"#
        )
    }

    fn setting(profiles: &[String]) -> String {
        format!(r#"{{ "profiles": [ {} ] }}"#, profiles.join(", "))
    }

    const WEEKDAYS: &str = r#""days": [ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" ]"#;

    fn weekly(zone: &str, days: &str, hour: u32, minute: u32) -> String {
        format!(
            r#", "recurrence": {{ "frequency": "Week", "schedule": {{ "timeZone": "{zone}",
                 {days}, "hours": [ {hour} ], "minutes": [ {minute} ] }} }}"#
        )
    }

    fn fixed(zone: &str, start: &str, end: &str) -> String {
        format!(r#", "fixedDate": {{ "timeZone": "{zone}", "start": "{start}", "end": "{end}" }}"#)
    }

    #[test]
    fn profile_counts_are_limited() {
        assert_eq!(
            load(r#"{ "profiles": [] }"#).unwrap_err(),
            format!("{FILE}: profiles: must hold 1 to 20 profiles, got 0")
        );
        let many: Vec<String> = (0..21)
            .map(|idx| profile(&format!("p{idx}"), &weekly("UTC", WEEKDAYS, 9, 0)))
            .collect();
        assert_eq!(
            load(&setting(&many)).unwrap_err(),
            format!("{FILE}: profiles: must hold 1 to 20 profiles, got 21")
        );
        let rule = r#"{ "metricTrigger": { "metricName": "RequestsPerMinute",
            "metricResourceUri": "/x", "timeGrain": "PT1M", "statistic": "Sum",
            "timeWindow": "PT5M", "operator": "GreaterThan", "threshold": 70 },
          "scaleAction": { "direction": "Increase", "type": "ChangeCount", "cooldown": "PT5M" } }"#;
        let eleven = [rule; 11].join(", ");
        let text = setting(&[profile("p", "")]).replace("[]", &format!("[ {eleven} ]"));
        assert_eq!(
            load(&text).unwrap_err(),
            format!("{FILE}: profiles[0].rules: must hold at most 10 rules, got 11")
        );
        let ten = [rule; 10].join(", ");
        let text = setting(&[profile("p", "")]).replace("[]", &format!("[ {ten} ]"));
        assert_eq!(load(&text).unwrap().profiles[0].rules.len(), 10);
    }

    #[test]
    fn schedules_must_leave_a_profile_for_every_time() {
        let two_default = setting(&[
            profile("a", ""),
            profile("b", &weekly("UTC", WEEKDAYS, 9, 0)),
            profile("c", ""),
        ]);
        assert_eq!(
            load(&two_default).unwrap_err(),
            format!(
                "{FILE}: profiles[2]: has neither fixedDate nor recurrence, and neither has \
                 profiles[0]; at most one profile may be without a schedule"
            )
        );
        let both = setting(&[profile(
            "a",
            &format!(
                "{}{}",
                fixed("UTC", "2024-01-01T00:00:00", "2024-01-02T00:00:00"),
                weekly("UTC", WEEKDAYS, 9, 0)
            ),
        )]);
        assert_eq!(
            load(&both).unwrap_err(),
            format!(
                "{FILE}: profiles[0]: has both fixedDate and recurrence; a profile may have \
                 only one of them"
            )
        );
        let only_fixed = setting(&[profile(
            "a",
            &fixed("UTC", "2024-01-01T00:00:00", "2024-01-02T00:00:00"),
        )]);
        assert_eq!(
            load(&only_fixed).unwrap_err(),
            format!(
                "{FILE}: profiles: must include a profile without schedule or one with \
                 recurrence, so that a profile applies at every time; got only fixedDate profiles"
            )
        );
    }

    #[test]
    fn capacity_is_whole_numbers_in_order() {
        check_error(
            r#""minimum": "2""#,
            r#""minimum": "6""#,
            "profiles[0].capacity: minimum '6' is greater than default '2'; the minimum must not \
             exceed the default",
        );
        check_error(
            r#""default": "2""#,
            r#""default": "6""#,
            "profiles[0].capacity: default '6' is greater than maximum '5'; the default must not \
             exceed the maximum",
        );
        check_error(
            r#""minimum": "2""#,
            r#""minimum": "0""#,
            "profiles[0].capacity.minimum: must be at least 1, as a deployment keeps one \
             instance, got '0'",
        );
        check_error(
            r#""maximum": "5""#,
            r#""maximum": "five""#,
            "profiles[0].capacity.maximum: must be a whole number such as '2' (a string or a \
             JSON integer, at most 4294967295), got 'five'",
        );
        check_error(
            r#""maximum": "5""#,
            r#""maximum": 5.5"#,
            "profiles[0].capacity.maximum: must be a whole number such as '2' (a string or a \
             JSON integer, at most 4294967295), got 5.5",
        );
        let integers = check_ok(
            r#""minimum": "2", "maximum": "5", "default": "2""#,
            r#""minimum": 1, "maximum": 5, "default": 3"#,
        );
        assert_eq!(
            integers.profiles[0].capacity,
            ScaleCapacity::new(1, 5, 3).unwrap()
        );
        let err = load(&SPEC.replacen(r#", "default": "2""#, "", 1)).unwrap_err();
        assert_eq!(
            err,
            format!("{FILE}: profiles[0].capacity: missing field `default`")
        );
    }

    #[test]
    fn only_modelled_metrics_are_accepted() {
        check_error(
            r#""metricName": "CpuUtilizationPercentage""#,
            r#""metricName": "DiskUtilization""#,
            "profiles[0].rules[0].metricTrigger.metricName: metric 'DiskUtilization' is not \
             modelled; modelled: CpuUtilizationPercentage, RequestsPerMinute",
        );
        let requests = check_ok(
            r#""metricName": "CpuUtilizationPercentage""#,
            r#""metricName": "RequestsPerMinute", "dividePerInstance": true"#,
        );
        let trigger = requests.profiles[0].rules[0].trigger;
        assert_eq!(trigger.metric, AzureMetric::RequestsPerMinute);
        assert!(trigger.divide_per_instance);
        let no_uri = SPEC.replacen(
            r#""metricResourceUri": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/my-endpoint/deployments/blue","#,
            "",
            1,
        );
        assert_eq!(
            load(&no_uri).unwrap_err(),
            format!(
                "{FILE}: profiles[0].rules[0].metricTrigger: missing field `metricResourceUri`"
            )
        );
    }

    #[test]
    fn iso_durations_are_whole_minutes() {
        for (text, minutes) in [
            ("PT1M", 1),
            ("PT5M", 5),
            ("PT1H", 60),
            ("P1D", 1440),
            ("PT1H30M", 90),
            ("P1W", 10_080),
            ("PT120S", 2),
            ("P1DT1M", 1441),
        ] {
            assert_eq!(iso_minutes(text), Ok(minutes), "{text}");
        }
        for (text, err) in [
            ("P1M", DurationError::YearsOrMonths),
            ("P1Y", DurationError::YearsOrMonths),
            ("PT30S", DurationError::NotWholeMinutes(30)),
            ("PT1.5M", DurationError::Fraction),
            ("PT1,5M", DurationError::Fraction),
            ("P", DurationError::Syntax),
            ("PT", DurationError::Syntax),
            ("P1DT", DurationError::Syntax),
            ("5M", DurationError::Syntax),
            ("pt5m", DurationError::Syntax),
            ("P1W1D", DurationError::Syntax),
            ("PT1M1H", DurationError::Syntax),
            ("PT1M1M", DurationError::Syntax),
            ("PTM", DurationError::Syntax),
            ("-PT1M", DurationError::Syntax),
        ] {
            assert_eq!(iso_minutes(text), Err(err), "{text}");
        }
    }

    #[test]
    fn duration_errors_name_the_field() {
        let grain = "profiles[0].rules[0].metricTrigger.timeGrain";
        check_error(
            r#""timeGrain": "PT1M""#,
            r#""timeGrain": "P1M""#,
            &format!(
                "{grain}: years and months are not supported, their length varies; write \
                 weeks, days, hours and minutes such as 'P1W' or 'P30D', got 'P1M'"
            ),
        );
        check_error(
            r#""timeGrain": "PT1M""#,
            r#""timeGrain": "PT30S""#,
            &format!("{grain}: must be whole minutes, got 'PT30S' (30 s)"),
        );
        check_error(
            r#""timeGrain": "PT1M""#,
            r#""timeGrain": "PT1.5M""#,
            &format!("{grain}: must use whole numbers such as 'PT1H30M', got 'PT1.5M'"),
        );
        check_error(
            r#""timeGrain": "PT1M""#,
            r#""timeGrain": "1 minute""#,
            &format!(
                "{grain}: must be an ISO 8601 duration, PnW or PnDTnHnMnS such as 'PT5M' or \
                 'PT1H30M', got '1 minute'"
            ),
        );
        check_error(
            r#""timeGrain": "PT1M""#,
            r#""timeGrain": "PT13H""#,
            &format!("{grain}: must be from 1 minute to 12 hours (PT1M to PT12H), got 'PT13H'"),
        );
        check_error(
            r#""timeWindow": "PT5M""#,
            r#""timeWindow": "PT4M""#,
            "profiles[0].rules[0].metricTrigger.timeWindow: must be from 5 minutes to 12 hours \
             (PT5M to PT12H), got 'PT4M'",
        );
        check_error(
            r#""timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M""#,
            r#""timeGrain": "PT10M", "statistic": "Average", "timeWindow": "PT5M""#,
            "profiles[0].rules[0].metricTrigger.timeWindow: must be at least timeGrain \
             ('PT10M'), got 'PT5M'",
        );
        check_error(
            r#""cooldown": "PT1H""#,
            r#""cooldown": "P8D""#,
            "profiles[0].rules[0].scaleAction.cooldown: must be from 1 minute to 1 week (PT1M \
             to P1W), got 'P8D'",
        );
        let edges = check_ok(
            r#""timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M""#,
            r#""timeGrain": "PT12H", "statistic": "Average", "timeWindow": "PT720M""#,
        );
        assert_eq!(edges.profiles[0].rules[0].trigger.time_grain_min, 720);
        let week = check_ok(r#""cooldown": "PT1H""#, r#""cooldown": "P1W""#);
        assert_eq!(week.profiles[0].rules[0].action.cooldown_s, 604_800);
        let err = load(&SPEC.replacen(r#", "cooldown": "PT1H""#, "", 1)).unwrap_err();
        assert_eq!(
            err,
            format!("{FILE}: profiles[0].rules[0].scaleAction: missing field `cooldown`")
        );
    }

    #[test]
    fn enum_values_match_exactly() {
        let trigger = "profiles[0].rules[0].metricTrigger";
        check_error(
            r#""statistic": "Average""#,
            r#""statistic": "average""#,
            &format!(
                "{trigger}.statistic: must be one of Average, Min, Max, Sum, Count, got 'average'"
            ),
        );
        check_error(
            r#""statistic": "Average""#,
            r#""statistic": "Sum""#,
            &format!(
                "{trigger}.statistic: must be one of Average, Min, Max for \
                 CpuUtilizationPercentage (its published aggregations), got 'Sum'"
            ),
        );
        check_error(
            r#""timeAggregation": "Last""#,
            r#""timeAggregation": "Median""#,
            &format!(
                "{trigger}.timeAggregation: must be one of Average, Minimum, Maximum, Total, \
                 Count, Last, got 'Median'"
            ),
        );
        check_error(
            r#""operator": "GreaterThan""#,
            r#""operator": ">""#,
            &format!(
                "{trigger}.operator: must be one of Equals, NotEquals, GreaterThan, \
                 GreaterThanOrEqual, LessThan, LessThanOrEqual, got '>'"
            ),
        );
        let err =
            load(&SPEC.replacen(r#""threshold": 70"#, r#""threshold": "70""#, 1)).unwrap_err();
        assert!(
            err.starts_with(&format!("{FILE}: {trigger}.threshold: invalid type")),
            "{err}"
        );
        let average = check_ok(r#""timeAggregation": "Last", "#, "");
        assert_eq!(
            average.profiles[0].rules[0].trigger.time_aggregation,
            TimeAggregation::Average
        );
    }

    #[test]
    fn scale_actions_are_checked() {
        let action = "profiles[0].rules[0].scaleAction";
        check_error(
            r#""direction": "Increase""#,
            r#""direction": "Up""#,
            &format!("{action}.direction: must be one of Increase, Decrease, None, got 'Up'"),
        );
        check_error(
            r#""type": "ChangeCount""#,
            r#""type": "ServiceAllowedNextValue""#,
            &format!(
                "{action}.type: 'ServiceAllowedNextValue' is not supported; supported: \
                 ChangeCount, PercentChangeCount, ExactCount"
            ),
        );
        check_error(
            r#""value": "2""#,
            r#""value": "0""#,
            &format!("{action}.value: must be 1 or greater, got '0'"),
        );
        check_error(
            r#""value": "2""#,
            r#""value": "-1""#,
            &format!(
                "{action}.value: must be a whole number such as '2' (a string or a JSON \
                 integer, at most 4294967295), got '-1'"
            ),
        );
        let absent = check_ok(r#", "value": "2""#, "");
        assert_eq!(absent.profiles[0].rules[0].action.value, 1);
        let integer = check_ok(r#""value": "2""#, r#""value": 3"#);
        assert_eq!(integer.profiles[0].rules[0].action.value, 3);
    }

    #[test]
    fn predictive_autoscale_is_accepted_only_when_it_does_not_scale() {
        let with = |policy: &str| {
            SPEC.replacen(
                r#""enabled": true"#,
                &format!(r#""enabled": true, "predictiveAutoscalePolicy": {policy}"#),
                1,
            )
        };
        assert!(
            load(&with(
                r#"{ "scaleMode": "ForecastOnly", "scaleLookAheadTime": "PT30M" }"#
            ))
            .is_ok()
        );
        assert!(load(&with(r#"{ "scaleMode": "Disabled" }"#)).is_ok());
        assert_eq!(
            load(&with(r#"{ "scaleMode": "Enabled" }"#)).unwrap_err(),
            format!(
                "{FILE}: predictiveAutoscalePolicy.scaleMode: 'Enabled' is not supported, \
                 forecasts are not modelled; supported: Disabled, ForecastOnly"
            )
        );
        assert_eq!(
            load(&with(
                r#"{ "scaleMode": "ForecastOnly", "scaleLookAheadTime": "PT2H" }"#
            ))
            .unwrap_err(),
            format!(
                "{FILE}: predictiveAutoscalePolicy.scaleLookAheadTime: must be from 1 minute to \
                 60 minutes (PT1M to PT60M), got 'PT2H'"
            )
        );
    }

    #[test]
    fn fixed_dates_are_checked() {
        let with = |when: &str| setting(&[profile("default", ""), profile("holiday", when)]);
        let field = "profiles[1].fixedDate";
        assert_eq!(
            load(&with(&fixed(
                "UTC",
                "2024-12-26T00:00:00",
                "2024-12-25T00:00:00"
            )))
            .unwrap_err(),
            format!(
                "{FILE}: {field}.end: must be after start ('2024-12-26T00:00:00'), got \
                 '2024-12-25T00:00:00'"
            )
        );
        assert_eq!(
            load(&with(&fixed(
                "UTC",
                "2024-01-01T00:00:00",
                "2025-01-01T00:00:00"
            )))
            .unwrap_err(),
            format!(
                "{FILE}: {field}.end: must be at most 365 days after start \
                 ('2024-01-01T00:00:00'), got '2025-01-01T00:00:00'"
            )
        );
        assert!(
            load(&with(&fixed(
                "UTC",
                "2024-01-01T00:00:00",
                "2024-12-31T00:00:00"
            )))
            .is_ok()
        );
        assert_eq!(
            load(&with(&fixed("UTC", "Christmas", "2024-12-25T00:00:00"))).unwrap_err(),
            format!(
                "{FILE}: {field}.start: must be a date and time such as '2024-12-25T00:00:00' \
                 (local to timeZone) or '2024-12-25T00:00:00Z', got 'Christmas'"
            )
        );
        assert_eq!(
            load(&with(&fixed(
                "Mars Standard Time",
                "2024-12-25T00:00:00",
                "2024-12-26T00:00:00"
            )))
            .unwrap_err(),
            format!(
                "{FILE}: {field}.timeZone: must be a Windows time zone name from the CLDR table \
                 such as 'Pacific Standard Time', 'W. Europe Standard Time' or 'UTC', got 'Mars \
                 Standard Time'"
            )
        );
        let no_end = with(r#", "fixedDate": { "start": "2024-12-25T00:00:00" }"#);
        assert_eq!(
            load(&no_end).unwrap_err(),
            format!("{FILE}: {field}: missing field `end`")
        );
        let no_zone = with(
            r#", "fixedDate": { "start": "2024-12-25T00:00:00", "end": "2024-12-25T23:59:00.000" }"#,
        );
        assert!(load(&no_zone).is_ok());
    }

    #[test]
    fn recurrences_are_checked() {
        let with = |when: &str| setting(&[profile("weekly", when)]);
        let field = "profiles[0].recurrence";
        let day = with(&weekly("UTC", WEEKDAYS, 9, 0)).replace(r#""Week""#, r#""Day""#);
        assert_eq!(
            load(&day).unwrap_err(),
            format!(
                "{FILE}: {field}.frequency: must be 'Week', as Azure repeats a schedule every \
                 week, got 'Day'"
            )
        );
        assert_eq!(
            load(&with(&weekly(
                "UTC",
                r#""days": [ "Monday", "monday" ]"#,
                9,
                0
            )))
            .unwrap_err(),
            format!(
                "{FILE}: {field}.schedule.days[1]: must be one of Sunday, Monday, Tuesday, \
                 Wednesday, Thursday, Friday, Saturday, got 'monday'"
            )
        );
        assert_eq!(
            load(&with(&weekly("UTC", r#""days": []"#, 9, 0))).unwrap_err(),
            format!("{FILE}: {field}.schedule.days: must list at least one day, got none")
        );
        assert_eq!(
            load(&with(&weekly("UTC", WEEKDAYS, 24, 0))).unwrap_err(),
            format!("{FILE}: {field}.schedule.hours[0]: must be from 0 to 23, got 24")
        );
        assert_eq!(
            load(&with(&weekly("UTC", WEEKDAYS, 9, 60))).unwrap_err(),
            format!("{FILE}: {field}.schedule.minutes[0]: must be from 0 to 59, got 60")
        );
        let no_hours = with(&weekly("UTC", WEEKDAYS, 9, 0)).replace("[ 9 ]", "[]");
        assert_eq!(
            load(&no_hours).unwrap_err(),
            format!("{FILE}: {field}.schedule.hours: must list at least one hour, got none")
        );
        let no_zone = with(&weekly("UTC", WEEKDAYS, 9, 0)).replace(r#""timeZone": "UTC","#, "");
        assert_eq!(
            load(&no_zone).unwrap_err(),
            format!("{FILE}: {field}.schedule: missing field `timeZone`")
        );
        assert_eq!(
            load(&with(&weekly("America/Los_Angeles", WEEKDAYS, 9, 0))).unwrap_err(),
            format!(
                "{FILE}: {field}.schedule.timeZone: must be a Windows time zone name from the \
                 CLDR table such as 'Pacific Standard Time', 'W. Europe Standard Time' or \
                 'UTC', got 'America/Los_Angeles'"
            )
        );
    }

    #[test]
    fn repeated_hours_and_minutes_are_a_set_not_a_product() {
        // 200,000 × 200,000 times of day would be 4·10^10 entries: an allocation abort before
        // hours and minutes were read as the sets Azure takes them for.
        let repeated = |value: &str| vec![value; 200_000].join(", ");
        let when = weekly("UTC", WEEKDAYS, 9, 0)
            .replace("[ 9 ]", &format!("[ {} ]", repeated("9")))
            .replace("[ 0 ]", &format!("[ {} ]", repeated("0")));
        let text = setting(&[profile("default", ""), profile("weekly", &when)]);
        assert!(load(&text).is_ok());
    }

    #[test]
    fn windows_zone_names_map_through_the_cldr_table() {
        for (windows, iana) in [
            ("Pacific Standard Time", "America/Los_Angeles"),
            ("W. Europe Standard Time", "Europe/Berlin"),
            ("UTC", "Etc/UTC"),
            ("India Standard Time", "Asia/Calcutta"),
            ("Tokyo Standard Time", "Asia/Tokyo"),
        ] {
            let zone = windows_zone(windows, "timeZone", Path::new(FILE)).unwrap();
            assert_eq!(zone.name(), iana, "{windows}");
        }
    }

    #[test]
    fn a_schedule_needs_the_scenarios_start() {
        let text = setting(&[
            profile("default", ""),
            profile("weekly", &weekly("UTC", WEEKDAYS, 9, 0)),
        ]);
        assert_eq!(
            load_with(&text, None, 3600, 60).unwrap_err(),
            format!(
                "{FILE}: profiles[1].recurrence: a scheduled profile needs the scenario's \
                 top-level `start`, the wall-clock time of t = 0, and the scenario gives none"
            )
        );
    }

    #[test]
    fn daylight_saving_gaps_move_forward_and_repeats_take_the_first_instant() {
        let zone: Tz = "America/Los_Angeles".parse().unwrap();
        let local = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap();
        let utc = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        // 2024-03-10 02:00 PST becomes 03:00 PDT: 02:30 does not exist and moves to 03:30 PDT.
        assert_eq!(
            local_instant(zone, local("2024-03-10T02:30")),
            utc("2024-03-10T10:30:00Z")
        );
        // 2024-11-03 02:00 PDT becomes 01:00 PST: 01:30 happens twice, first at 08:30 UTC.
        assert_eq!(
            local_instant(zone, local("2024-11-03T01:30")),
            utc("2024-11-03T08:30:00Z")
        );
        assert_eq!(
            local_instant(zone, local("2024-07-01T09:00")),
            utc("2024-07-01T16:00:00Z")
        );
    }

    /// Weekdays 09:00 to 17:00 Pacific time as the portal writes it: a recurring pair.
    fn business_hours() -> Vec<String> {
        vec![
            profile("business", &weekly("Pacific Standard Time", WEEKDAYS, 9, 0)),
            profile(
                "off-hours",
                &weekly("Pacific Standard Time", WEEKDAYS, 17, 0),
            ),
        ]
    }

    fn schedule(text: &str, start: &str, run_s: u64, evaluation_period_s: u64) -> ProfileSchedule {
        load_with(text, Some(start), run_s, evaluation_period_s)
            .unwrap()
            .1
    }

    #[test]
    fn a_recurring_pair_follows_local_time_across_a_daylight_saving_change() {
        // t = 0 is Thursday 2024-03-07 16:00 PST; PST becomes PDT on Sunday 2024-03-10.
        // Thu 17:00 PST = Fri 01:00Z: t = 1 h. Fri 09:00 PST = 17:00Z: 17 h. Fri 17:00 PST: 25 h,
        // and off-hours holds over the weekend. Mon 09:00 PDT = 16:00Z: 88 h, not 89 h as in
        // PST. Mon 17:00 PDT: 96 h. Tue 09:00 PDT: 112 h. Tue 17:00 PDT: 120 h = run_s, included.
        let expected = ProfileSchedule::from_changes(vec![
            (0, 0),
            (3_600, 1),
            (61_200, 0),
            (90_000, 1),
            (316_800, 0),
            (345_600, 1),
            (403_200, 0),
            (432_000, 1),
        ])
        .unwrap();
        let text = setting(&business_hours());
        assert_eq!(
            schedule(&text, "2024-03-08T00:00:00Z", 432_000, 60),
            expected
        );
        // A profile without schedule never applies while a recurring one is present.
        let mut with_default = business_hours();
        with_default.push(profile("default", ""));
        assert_eq!(
            schedule(&setting(&with_default), "2024-03-08T00:00:00Z", 432_000, 60),
            expected
        );
        // Evaluations every 7 minutes see each change at the first evaluation at or after it.
        let coarse = ProfileSchedule::from_changes(vec![
            (0, 0),
            (3_780, 1),
            (61_320, 0),
            (90_300, 1),
            (317_100, 0),
            (345_660, 1),
            (403_200, 0),
        ])
        .unwrap();
        assert_eq!(
            schedule(&text, "2024-03-08T00:00:00Z", 432_000, 420),
            coarse
        );
    }

    #[test]
    fn a_fixed_date_profile_takes_precedence() {
        // Monday 2024-03-11, all day in Pacific time (PDT): 07:00Z to Tue 06:59Z, i.e. t = 79 h
        // to 102 h 59 min, end included. Then off-hours again: its Mon 17:00 start is the latest.
        let expected = ProfileSchedule::from_changes(vec![
            (0, 0),
            (3_600, 1),
            (61_200, 0),
            (90_000, 1),
            (284_400, 2),
            (370_800, 1),
            (403_200, 0),
            (432_000, 1),
        ])
        .unwrap();
        for (start, end) in [
            ("2024-03-11T00:00:00", "2024-03-11T23:59:00"),
            ("2024-03-11T07:00:00Z", "2024-03-11T23:59:00-07:00"),
        ] {
            let mut profiles = business_hours();
            profiles.push(profile(
                "holiday",
                &fixed("Pacific Standard Time", start, end),
            ));
            assert_eq!(
                schedule(&setting(&profiles), "2024-03-08T00:00:00Z", 432_000, 60),
                expected,
                "{start} {end}"
            );
        }
    }

    #[test]
    fn fixed_dates_fall_back_to_the_profile_without_schedule() {
        let text = setting(&[
            profile("default", ""),
            profile(
                "first",
                &fixed("UTC", "2024-06-01T01:00:00", "2024-06-01T02:00:00"),
            ),
            profile(
                "overlapping",
                &fixed("UTC", "2024-06-01T01:30:00", "2024-06-01T03:00:00"),
            ),
        ]);
        // The first matching fixedDate in list order wins while both apply.
        let expected =
            ProfileSchedule::from_changes(vec![(0, 0), (3_600, 1), (7_260, 2), (10_860, 0)])
                .unwrap();
        assert_eq!(
            schedule(&text, "2024-06-01T00:00:00Z", 14_400, 60),
            expected
        );
        // A start between whole minutes: evaluations see the profile at their own instants, so
        // 02:00:30 is past the first profile's end and 03:00:30 past the second's.
        let shifted =
            ProfileSchedule::from_changes(vec![(0, 0), (3_600, 1), (7_200, 2), (10_800, 0)])
                .unwrap();
        assert_eq!(schedule(&text, "2024-06-01T00:00:30Z", 14_400, 60), shifted);
    }

    #[test]
    fn recurring_profiles_starting_together_go_to_the_first_listed() {
        let text = setting(&[
            profile("a", &weekly("UTC", r#""days": [ "Saturday" ]"#, 0, 0)),
            profile("b", &weekly("UTC", r#""days": [ "Saturday" ]"#, 0, 0)),
            profile("c", &weekly("UTC", r#""days": [ "Saturday" ]"#, 12, 0)),
        ]);
        // 2024-06-01 is a Saturday: a (not b) from midnight, c from noon, and again a week later.
        let expected =
            ProfileSchedule::from_changes(vec![(0, 0), (43_200, 2), (604_800, 0), (648_000, 2)])
                .unwrap();
        assert_eq!(
            schedule(&text, "2024-06-01T00:00:00Z", 700_000, 60),
            expected
        );
    }
}
