//! Monitoring exports as traces, recognised by their content (docs/semantics/traces.md,
//! section 1): what `aws cloudwatch get-metric-data` and `get-metric-statistics` print, a
//! Prometheus `query_range` response, an Azure Monitor `Metrics - List` response and a Datadog
//! `/api/v1/query` response.
//!
//! A file holds one document, several documents one after the other (pages, as a script that
//! appends each page prints them) or a JSON array of them. Each is read into typed structs with
//! the vendor's own field names, so that memory grows with the points and not with the JSON,
//! and every error names the JSON path. The points go to [`super::timeline`], which owns every
//! rule on time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, Visitor};

use super::timeline::{Locate, Point, Refusal, ValueMeaning, instant};
use super::{TraceForm, TraceOptions};
use crate::limits::MAX_TRACE_ROWS;

/// Said after a gap in a CloudWatch export.
const CLOUDWATCH_GAPS: &str = " (CloudWatch returns no datapoint for a period without data: \
                               for a count such as Invocations that means no request)";
/// Said after a gap in a Datadog export.
const DATADOG_GAPS: &str = " (Datadog writes null for an interval without data)";
/// Said after a gap in an Azure Monitor export.
const AZURE_GAPS: &str = " (Azure Monitor leaves the statistic out of a datapoint without data)";

/// Why an export cannot be read.
#[derive(Debug)]
pub(super) enum Problem {
    /// Something in the file, at a place.
    At(Refusal),
    /// A `[load]` key that does not fit this export.
    Key { key: &'static str, message: String },
}

impl From<Refusal> for Problem {
    fn from(refusal: Refusal) -> Self {
        Problem::At(refusal)
    }
}

/// An export's points, ready for [`super::timeline::build`].
#[derive(Debug)]
pub(super) struct Export {
    pub(super) form: TraceForm,
    /// The points of each series the `[load] series` key selects.
    pub(super) series: Vec<Vec<Point>>,
    pub(super) locate: JsonLocate,
    pub(super) gap_hint: &'static str,
}

/// Reads an export. `bytes` starts, after white space, with `{` or `[`.
pub(super) fn read(bytes: &[u8], options: &TraceOptions) -> Result<Export, Problem> {
    let documents = documents(bytes)?;
    let several = documents.len() > 1;
    let mut form: Option<(TraceForm, String)> = None;
    let mut collector = Collector::new(options);
    for (number, &(start, end)) in documents.iter().enumerate() {
        let slice = bytes.get(start..end).unwrap_or_default();
        let line = line_of(bytes, start);
        let label = if several {
            format!("document {}: ", number + 1)
        } else {
            String::new()
        };
        let (this, is_array) = recognise(slice, &label, line)?;
        match &form {
            None => form = Some((this, label.clone())),
            Some((first, first_label)) if *first != this => {
                return Err(Refusal::at(
                    label.trim_end_matches(": ").to_owned(),
                    format!(
                        "{this}, but {}is {first}: one file holds one kind of export",
                        if first_label.is_empty() {
                            "the first document ".to_owned()
                        } else {
                            first_label.replace(": ", " ")
                        }
                    ),
                )
                .into());
            }
            Some(_) => {}
        }
        let base = Base {
            label: &label,
            line,
        };
        match this {
            TraceForm::CloudWatchGetMetricData => {
                pages::<GetMetricData>(slice, is_array, base, &mut collector)?
            }
            TraceForm::CloudWatchGetMetricStatistics => {
                pages::<GetMetricStatistics>(slice, is_array, base, &mut collector)?
            }
            TraceForm::PrometheusQueryRange => {
                // The envelope first: an error, a warning or another result type is said
                // before the series are read as a matrix.
                pages::<PrometheusEnvelope>(slice, is_array, base, &mut collector)?;
                pages::<PrometheusMatrix>(slice, is_array, base, &mut collector)?
            }
            TraceForm::AzureMonitorMetrics => {
                pages::<AzureMetrics>(slice, is_array, base, &mut collector)?
            }
            TraceForm::AzureMonitorError => {
                pages::<AzureError>(slice, is_array, base, &mut collector)?
            }
            TraceForm::DatadogQuery => {
                pages::<DatadogQuery>(slice, is_array, base, &mut collector)?
            }
            _ => {}
        }
    }
    let Some((form, _)) = form else {
        return Err(Refusal::at(String::new(), "no JSON document".to_owned()).into());
    };
    let gap_hint = match form {
        TraceForm::CloudWatchGetMetricData | TraceForm::CloudWatchGetMetricStatistics => {
            CLOUDWATCH_GAPS
        }
        TraceForm::DatadogQuery => DATADOG_GAPS,
        TraceForm::AzureMonitorMetrics => AZURE_GAPS,
        _ => "",
    };
    let (series, locate) = collector.finish(form)?;
    Ok(Export {
        form,
        series,
        locate,
        gap_hint,
    })
}

/// The line (from 1) on which byte `offset` of `bytes` is.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let before = bytes.get(..offset).unwrap_or_default();
    before.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// The byte ranges of the JSON documents in `bytes`, one after the other.
fn documents(bytes: &[u8]) -> Result<Vec<(usize, usize)>, Refusal> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    let mut ranges = Vec::new();
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(_)) => ranges.push((start, stream.byte_offset())),
            Some(Err(err)) => {
                return Err(Refusal::at(
                    format!("line {}", err.line()),
                    format!("not valid JSON: {}", without_position(&err)),
                ));
            }
        }
    }
    Ok(ranges)
}

/// serde_json's message without its ` at line L column C`, which the caller places itself.
fn without_position(err: &serde_json::Error) -> String {
    let text = crate::error::in_words(&err.to_string());
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_owned(),
        None => text,
    }
}

/// The top-level keys of a document, as far as recognising it needs: which of [`KNOWN_KEYS`]
/// it has, how many keys in all, and the first few for a message. Reading them keeps no more,
/// however many keys the document has.
#[derive(Debug, Default)]
struct Keys {
    known: BTreeSet<&'static str>,
    count: usize,
    shown: Vec<String>,
}

/// The keys that tell the exports apart.
const KNOWN_KEYS: [&str; 11] = [
    "MetricDataResults",
    "Datapoints",
    "status",
    "data",
    "errorType",
    "series",
    "res_type",
    "from_date",
    "errors",
    "error",
    "value",
];

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = Keys;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            keys.count += 1;
            if let Some(known) = KNOWN_KEYS.iter().find(|known| **known == key) {
                keys.known.insert(known);
            }
            if keys.shown.len() < 12 {
                keys.shown.push(key);
            }
        }
        Ok(keys)
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KeysVisitor)
    }
}

/// The keys of an array's first item; the other items are skipped.
struct FirstKeys(Option<Keys>);

impl<'de> Deserialize<'de> for FirstKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FirstVisitor;
        impl<'de> Visitor<'de> for FirstVisitor {
            type Value = FirstKeys;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an array of JSON objects")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<FirstKeys, A::Error> {
                let first = seq.next_element::<Keys>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstKeys(first))
            }
        }
        deserializer.deserialize_seq(FirstVisitor)
    }
}

/// Which export a document is, from its keys, and whether it is an array of pages.
fn recognise(slice: &[u8], label: &str, line: u64) -> Result<(TraceForm, bool), Refusal> {
    let first = slice.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let place = || format!("{label}line {line}");
    let (keys, is_array) = match first {
        Some(b'{') => (
            serde_json::from_slice::<Keys>(slice)
                .map_err(|err| Refusal::at(place(), without_position(&err)))?,
            false,
        ),
        Some(b'[') => {
            let first = serde_json::from_slice::<FirstKeys>(slice).map_err(|err| {
                Refusal::at(
                    place(),
                    format!(
                        "a JSON array is read as pages of one export, each a JSON object: {}",
                        without_position(&err)
                    ),
                )
            })?;
            let Some(keys) = first.0 else {
                return Err(Refusal::at(
                    place(),
                    "an empty JSON array: no page, no data points".to_owned(),
                ));
            };
            (keys, true)
        }
        _ => {
            return Err(Refusal::at(
                place(),
                "expected a JSON object or an array of them".to_owned(),
            ));
        }
    };
    let has = |key: &str| keys.known.contains(key);
    let form = if has("MetricDataResults") {
        TraceForm::CloudWatchGetMetricData
    } else if has("Datapoints") {
        TraceForm::CloudWatchGetMetricStatistics
    } else if has("status") && (has("data") || has("errorType")) {
        TraceForm::PrometheusQueryRange
    } else if has("series") || has("res_type") || has("from_date") || has("errors") {
        TraceForm::DatadogQuery
    } else if has("status") && has("error") {
        // Datadog's answer when its status is not ok: `error`, without Prometheus' errorType.
        TraceForm::DatadogQuery
    } else if has("value") {
        TraceForm::AzureMonitorMetrics
    } else if keys.count == 1 && has("error") {
        TraceForm::AzureMonitorError
    } else {
        return Err(Refusal::at(
            place(),
            format!(
                "not an export scalesim reads: expected the output of aws cloudwatch \
                 get-metric-data (MetricDataResults) or get-metric-statistics (Datapoints), a \
                 Prometheus query_range response (status, data), an Azure Monitor Metrics - List \
                 response (value) or a Datadog /api/v1/query response (series); found {}",
                if keys.shown.is_empty() {
                    "an empty object".to_owned()
                } else {
                    format!(
                        "the keys {}{}",
                        keys.shown.join(", "),
                        if keys.count > keys.shown.len() {
                            ", …"
                        } else {
                            ""
                        }
                    )
                }
            ),
        ));
    };
    Ok((form, is_array))
}

/// Where a document is: its label (`document 2: `) and its first line.
#[derive(Debug, Clone, Copy)]
struct Base<'a> {
    label: &'a str,
    line: u64,
}

/// One page of an export, read into typed structs.
trait Page: DeserializeOwned {
    /// Adds the page's series and points; `prefix` goes before every JSON path of the page.
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem>;
}

/// Reads the document `slice` as one page or as an array of pages, and collects each page as
/// soon as it is read, so that only one page's structs are held at a time.
fn pages<P: Page>(
    slice: &[u8],
    is_array: bool,
    base: Base<'_>,
    collector: &mut Collector<'_>,
) -> Result<(), Problem> {
    let mut track = serde_path_to_error::Track::new();
    let json = &mut serde_json::Deserializer::from_slice(slice);
    let deserializer = serde_path_to_error::Deserializer::new(json, &mut track);
    let result = if is_array {
        deserializer.deserialize_seq(PagesVisitor::<P> {
            label: base.label,
            collector: &mut *collector,
            page: PhantomData,
        })
    } else {
        PageSeed::<P> {
            prefix: base.label.to_owned(),
            collector: &mut *collector,
            page: PhantomData,
        }
        .deserialize(deserializer)
    };
    match result {
        Ok(()) => Ok(()),
        Err(err) => {
            // A page that was read but refused left its problem here.
            if let Some(problem) = collector.pending.take() {
                return Err(problem);
            }
            let path = track.path().to_string();
            let line = base.line + err.line().saturating_sub(1) as u64;
            Err(Refusal::at(
                format!("{}{} (line {line})", base.label, path),
                without_position(&err),
            )
            .into())
        }
    }
}

/// Reads one page and collects it; a refusal is kept in the collector, and serde is given an
/// error only to stop.
struct PageSeed<'c, 'o, P> {
    prefix: String,
    collector: &'c mut Collector<'o>,
    page: PhantomData<P>,
}

impl<'de, P: Page> DeserializeSeed<'de> for PageSeed<'_, '_, P> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let page = P::deserialize(deserializer)?;
        page.collect(&self.prefix, self.collector)
            .map_err(|problem| {
                self.collector.pending = Some(problem);
                de::Error::custom("refused")
            })
    }
}

/// Reads an array of pages, each collected as it is read.
struct PagesVisitor<'c, 'o, 'l, P> {
    label: &'l str,
    collector: &'c mut Collector<'o>,
    page: PhantomData<P>,
}

impl<'de, P: Page> Visitor<'de> for PagesVisitor<'_, '_, '_, P> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of pages")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(PageSeed::<P> {
                prefix: format!("{}[{index}].", self.label),
                collector: &mut *self.collector,
                page: PhantomData,
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }
}

/// A JSON array of at most `N` items: more is refused while reading, before memory goes to
/// them.
#[derive(Debug)]
struct Bounded<T, const N: usize>(Vec<T>);

impl<T, const N: usize> Default for Bounded<T, N> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for Bounded<T, N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoundedVisitor<T, const N: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for BoundedVisitor<T, N> {
            type Value = Vec<T>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                write!(formatter, "an array of at most {N} items")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    if items.len() >= N {
                        return Err(de::Error::custom(format!(
                            "more than {N} items, more than scalesim reads here"
                        )));
                    }
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer
            .deserialize_seq(BoundedVisitor::<T, N>(PhantomData))
            .map(Bounded)
    }
}

/// A JSON object of at most `N` entries, for labels and such.
#[derive(Debug)]
struct BoundedMap<V, const N: usize>(BTreeMap<String, V>);

impl<V, const N: usize> Default for BoundedMap<V, N> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<'de, V: Deserialize<'de>, const N: usize> Deserialize<'de> for BoundedMap<V, N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V, const N: usize>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>, const N: usize> Visitor<'de> for MapVisitor<V, N> {
            type Value = BTreeMap<String, V>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                write!(formatter, "an object of at most {N} entries")
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<BTreeMap<String, V>, A::Error> {
                let mut entries = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    if entries.len() >= N {
                        return Err(de::Error::custom(format!(
                            "more than {N} entries, more than scalesim reads here"
                        )));
                    }
                    entries.insert(key, value);
                }
                Ok(entries)
            }
        }
        deserializer
            .deserialize_map(MapVisitor::<V, N>(PhantomData))
            .map(BoundedMap)
    }
}

/// Most series (or results, metrics, time series) one page lists.
const MAX_PAGE_SERIES: usize = 100_000;
/// Most datapoint objects one list holds (get-metric-statistics, Azure): a million.
const MAX_DATAPOINTS: usize = 1_000_000;
/// Most labels, tags, messages or warnings one item lists.
const MAX_LABELS: usize = 1_000;
/// Most segments (a series' run of points on one page) in one export.
const MAX_SEGMENTS: usize = 1_000_000;

/// How a segment (one run of points in the file) lays out its timestamps and values.
#[derive(Debug, Clone)]
enum Shape {
    /// Two parallel arrays: `{prefix}.Timestamps[i]`, `{prefix}.Values[i]`.
    Parallel {
        times: &'static str,
        values: &'static str,
    },
    /// An array of objects: `{prefix}[i].Timestamp`, `{prefix}[i].Sum`.
    Objects { time: &'static str, value: String },
    /// An array of `[time, value]` pairs: `{prefix}[i][0]`, `{prefix}[i][1]`.
    Pairs,
}

#[derive(Debug, Clone)]
struct Segment {
    prefix: String,
    shape: Shape,
}

/// Where the points of an export are: a point's `at` is its segment and its index in it.
#[derive(Debug, Default)]
pub(super) struct JsonLocate {
    segments: Vec<Segment>,
}

fn split(at: u64) -> (usize, u64) {
    ((at >> 32) as usize, at & u64::from(u32::MAX))
}

impl Locate for JsonLocate {
    fn time(&self, at: u64) -> String {
        let (segment, index) = split(at);
        match self.segments.get(segment) {
            Some(Segment {
                prefix,
                shape: Shape::Parallel { times, .. },
            }) => format!("{prefix}.{times}[{index}]"),
            Some(Segment {
                prefix,
                shape: Shape::Objects { time, .. },
            }) => format!("{prefix}[{index}].{time}"),
            Some(Segment {
                prefix,
                shape: Shape::Pairs,
            }) => format!("{prefix}[{index}][0]"),
            None => format!("point {index}"),
        }
    }

    fn value(&self, at: u64) -> String {
        let (segment, index) = split(at);
        match self.segments.get(segment) {
            Some(Segment {
                prefix,
                shape: Shape::Parallel { values, .. },
            }) => format!("{prefix}.{values}[{index}]"),
            Some(Segment {
                prefix,
                shape: Shape::Objects { value, .. },
            }) => format!("{prefix}[{index}].{value}"),
            Some(Segment {
                prefix,
                shape: Shape::Pairs,
            }) => format!("{prefix}[{index}][1]"),
            None => format!("point {index}"),
        }
    }
}

/// One series of an export: its labels and its points, from every page.
#[derive(Debug, Default)]
struct Series {
    labels: Vec<(String, String)>,
    points: Vec<Point>,
    /// Its unit and where it is written.
    unit: Option<(String, String)>,
    /// CloudWatch: the StatusCode of its last page, where it is, and CloudWatch's messages.
    status: Option<(String, String, String)>,
}

/// The series and points of an export, gathered page by page.
struct Collector<'o> {
    options: &'o TraceOptions,
    locate: JsonLocate,
    series: Vec<Series>,
    by_key: BTreeMap<String, usize>,
    points: u64,
    /// Timestamps must increase within a segment (every form but CloudWatch's).
    ordered: bool,
    /// The last point pushed: its segment, time and place.
    last: Option<(usize, i64, u64)>,
    /// get-metric-statistics and Azure: the statistics present in some datapoint.
    present: BTreeSet<String>,
    /// Whether some datapoint has the statistic read.
    statistic_found: bool,
    /// Where the statistic was looked for, for the message when no datapoint has it.
    statistic_place: Option<String>,
    /// A page's refusal, kept while serde unwinds.
    pending: Option<Problem>,
}

impl<'o> Collector<'o> {
    fn new(options: &'o TraceOptions) -> Self {
        Self {
            options,
            locate: JsonLocate::default(),
            series: Vec::new(),
            by_key: BTreeMap::new(),
            points: 0,
            ordered: true,
            last: None,
            present: BTreeSet::new(),
            statistic_found: false,
            statistic_place: None,
            pending: None,
        }
    }

    /// Opens a segment of the series `key` (created with `labels` the first time); returns the
    /// series and the segment.
    fn segment(
        &mut self,
        key: String,
        labels: impl FnOnce() -> Vec<(String, String)>,
        prefix: String,
        shape: Shape,
    ) -> Result<(usize, usize), Problem> {
        if self.locate.segments.len() >= MAX_SEGMENTS {
            return Err(Refusal::at(
                prefix,
                format!(
                    "more than {MAX_SEGMENTS} series or pages of series, more than an export \
                     may have"
                ),
            )
            .into());
        }
        let series = *self.by_key.entry(key).or_insert_with(|| {
            self.series.push(Series {
                labels: labels(),
                ..Series::default()
            });
            self.series.len() - 1
        });
        self.locate.segments.push(Segment { prefix, shape });
        Ok((series, self.locate.segments.len() - 1))
    }

    /// Adds point `index` of `segment` to `series`, checking the count and, for ordered forms,
    /// that it comes after the segment's previous point.
    fn push(
        &mut self,
        series: usize,
        segment: usize,
        index: usize,
        t_ms: i64,
        value: Option<f64>,
    ) -> Result<(), Problem> {
        self.points += 1;
        let (Ok(segment_bits), Ok(index_bits)) = (u32::try_from(segment), u32::try_from(index))
        else {
            return Err(self.too_many());
        };
        if self.points > MAX_TRACE_ROWS {
            return Err(self.too_many());
        }
        let at = (u64::from(segment_bits) << 32) | u64::from(index_bits);
        if self.ordered
            && let Some((last_segment, last_t, last_at)) = self.last
            && last_segment == segment
            && t_ms <= last_t
        {
            let what = if t_ms == last_t {
                "repeats"
            } else {
                "comes before"
            };
            return Err(Refusal::at(
                self.locate.time(at),
                format!(
                    "{} {what} the previous point's {} ({}): timestamps must increase",
                    instant(t_ms),
                    instant(last_t),
                    self.locate.time(last_at)
                ),
            )
            .into());
        }
        self.last = Some((segment, t_ms, at));
        if let Some(entry) = self.series.get_mut(series) {
            entry.points.push(Point { t_ms, value, at });
        }
        Ok(())
    }

    fn too_many(&self) -> Problem {
        Refusal::at(
            String::new(),
            format!(
                "more than {MAX_TRACE_ROWS} data points, more than a trace may have: export a \
                 shorter range or a coarser period"
            ),
        )
        .into()
    }

    /// Records the unit of `series`, written at `place`; a series with two units is refused.
    fn unit(&mut self, series: usize, unit: &str, place: String) -> Result<(), Problem> {
        let Some(entry) = self.series.get_mut(series) else {
            return Ok(());
        };
        match &entry.unit {
            None => entry.unit = Some((unit.to_owned(), place)),
            Some((first, first_place)) if first != unit => {
                return Err(Refusal::at(
                    place,
                    format!(
                        "mixed units: {unit:?} here, {first:?} at {first_place}: one series \
                         holds one unit"
                    ),
                )
                .into());
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// The statistic read, `default` unless `[load] statistic` names one.
    fn statistic(&self, default: &'static str) -> String {
        self.options
            .statistic
            .clone()
            .unwrap_or_else(|| default.to_owned())
    }

    /// The selected series' points, each series checked.
    fn finish(self, form: TraceForm) -> Result<(Vec<Vec<Point>>, JsonLocate), Problem> {
        if let Some(place) = &self.statistic_place
            && !self.statistic_found
            && self.points > 0
        {
            let default = match form {
                TraceForm::AzureMonitorMetrics => "total",
                _ => "Sum",
            };
            let asked = self.statistic(default);
            let how = if self.options.statistic.is_some() {
                "the statistic [load] statistic names"
            } else {
                "the statistic read by default"
            };
            let present: Vec<&str> = self.present.iter().map(String::as_str).collect();
            return Err(Refusal::at(
                place.clone(),
                format!(
                    "no datapoint has {asked}, {how}; present: {}: set [load] statistic to one of \
                     them, and [load] value to what it means",
                    if present.is_empty() {
                        "none".to_owned()
                    } else {
                        present.join(", ")
                    }
                ),
            )
            .into());
        }
        let selector = &self.options.series;
        let total = self.series.len();
        let mut chosen: Vec<Series> = Vec::new();
        let mut others: Vec<Vec<(String, String)>> = Vec::new();
        for series in self.series {
            let matches = selector.iter().all(|(key, value)| {
                series
                    .labels
                    .iter()
                    .any(|(label, actual)| label == key && actual == value)
            });
            if matches {
                chosen.push(series);
            } else {
                others.push(series.labels);
            }
        }
        if chosen.is_empty() && !selector.is_empty() {
            let shown: Vec<String> = others.iter().take(5).map(|l| braces(l)).collect();
            return Err(Problem::Key {
                key: "series",
                message: format!(
                    "{} matches none of the {total} series in the file: {}{}",
                    braces(
                        &selector
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect::<Vec<_>>()
                    ),
                    shown.join(", "),
                    if total > 5 { ", …" } else { "" }
                ),
            });
        }
        let mut unit: Option<(String, String)> = None;
        for series in &chosen {
            if let Some((status, place, messages)) = &series.status
                && status != "Complete"
            {
                let name = braces(&series.labels);
                let advice = match status.as_str() {
                    "PartialData" => {
                        "CloudWatch returned part of its datapoints and holds more (NextToken): \
                         fetch every page (the AWS CLI does unless given --no-paginate or \
                         --max-items) and keep them all in the file, one after the other or as \
                         a JSON array"
                    }
                    _ => "CloudWatch could not return the series' datapoints: retry the export",
                };
                return Err(Refusal::at(
                    place.clone(),
                    format!("{status} for {name}: {advice}{messages}"),
                )
                .into());
            }
            if let Some((this, place)) = &series.unit {
                match &unit {
                    None => unit = Some((this.clone(), place.clone())),
                    Some((first, first_place)) if first != this => {
                        return Err(Refusal::at(
                            place.clone(),
                            format!(
                                "mixed units: {this:?} here, {first:?} at {first_place}: the \
                                 series summed must hold one unit; choose one with [load] series"
                            ),
                        )
                        .into());
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some((unit, place)) = &unit
            && matches!(unit.as_str(), "Count/Second" | "CountPerSecond")
            && self.options.value == ValueMeaning::Sum
        {
            return Err(Refusal::at(
                place.clone(),
                format!(
                    "the unit is {unit}, a rate, but [load] value is \"sum\": set value = \
                     \"rate_per_s\" so that each datapoint counts value × width arrivals"
                ),
            )
            .into());
        }
        let series = chosen.into_iter().map(|series| series.points).collect();
        Ok((series, self.locate))
    }
}

/// Labels as `{Id="m1", Label="Invocations"}`.
fn braces(labels: &[(String, String)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// The key of a series from its labels, for merging its pages.
fn key_of(labels: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = labels.iter().collect();
    sorted.sort();
    serde_json::to_string(&sorted).unwrap_or_default()
}

/// An instant read from an RFC 3339 string or from seconds since the Unix epoch (CloudWatch
/// and Azure print strings; the AWS CLI with `cli_timestamp_format = wire` prints numbers).
#[derive(Debug, Clone, Copy)]
struct IsoOrSeconds(i64);

/// An instant read from seconds since the Unix epoch (Prometheus).
#[derive(Debug, Clone, Copy)]
struct Seconds(i64);

/// An instant read from milliseconds since the Unix epoch (Datadog).
#[derive(Debug, Clone, Copy)]
struct Millis(i64);

struct InstantVisitor {
    /// Milliseconds in one unit of a number.
    scale: f64,
    strings: bool,
    expected: &'static str,
}

impl Visitor<'_> for InstantVisitor {
    type Value = i64;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(self.expected)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<i64, E> {
        if !self.strings {
            return Err(E::invalid_type(de::Unexpected::Str(text), &self));
        }
        super::timeline::rfc3339_ms(text).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<i64, E> {
        super::timeline::number_ms(number, self.scale).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<i64, E> {
        self.visit_f64(number as f64)
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<i64, E> {
        self.visit_f64(number as f64)
    }
}

impl<'de> Deserialize<'de> for IsoOrSeconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(InstantVisitor {
                scale: 1000.0,
                strings: true,
                expected: "an RFC 3339 time such as 2024-09-29T22:10:00+00:00, or seconds since \
                           the Unix epoch",
            })
            .map(IsoOrSeconds)
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(InstantVisitor {
                scale: 1000.0,
                strings: false,
                expected: "seconds since the Unix epoch",
            })
            .map(Seconds)
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(InstantVisitor {
                scale: 1.0,
                strings: false,
                expected: "milliseconds since the Unix epoch",
            })
            .map(Millis)
    }
}

/// A Prometheus sample value: a number written as a string (`"1.5"`, `"NaN"`, `"+Inf"`).
#[derive(Debug, Clone, Copy)]
struct SampleValue(f64);

impl<'de> Deserialize<'de> for SampleValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SampleVisitor;
        impl Visitor<'_> for SampleVisitor {
            type Value = f64;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a sample value as a string, such as \"12\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<f64, E> {
                match text {
                    "NaN" => Ok(f64::NAN),
                    "+Inf" => Ok(f64::INFINITY),
                    "-Inf" => Ok(f64::NEG_INFINITY),
                    _ => text.parse().map_err(|_| {
                        E::custom(format!("expected a number as a string, got {text:?}"))
                    }),
                }
            }
        }
        deserializer.deserialize_str(SampleVisitor).map(SampleValue)
    }
}

// ---- aws cloudwatch get-metric-data ------------------------------------------------------

/// The output of `aws cloudwatch get-metric-data` (the GetMetricData response), one page or
/// the pages the CLI merged.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetMetricData {
    metric_data_results: Bounded<MetricDataResult, MAX_PAGE_SERIES>,
    #[serde(default)]
    messages: Bounded<MessageData, MAX_LABELS>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDataResult {
    id: Option<String>,
    label: Option<String>,
    #[serde(default)]
    timestamps: Vec<IsoOrSeconds>,
    #[serde(default)]
    values: Vec<f64>,
    status_code: Option<String>,
    #[serde(default)]
    messages: Bounded<MessageData, MAX_LABELS>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MessageData {
    code: Option<String>,
    value: Option<String>,
}

fn said(messages: &[MessageData], who: &str) -> String {
    let texts: Vec<String> = messages
        .iter()
        .map(|m| match (&m.code, &m.value) {
            (Some(code), Some(value)) => format!("{code}: {value}"),
            (Some(text), None) | (None, Some(text)) => text.clone(),
            (None, None) => String::new(),
        })
        .filter(|text| !text.is_empty())
        .collect();
    if texts.is_empty() {
        String::new()
    } else {
        format!("; {who} said: {}", texts.join("; "))
    }
}

impl Page for GetMetricData {
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem> {
        if collector.options.statistic.is_some() {
            return Err(statistic_not_read(
                "get-metric-data output: each result holds the statistic its query asked for",
            ));
        }
        // CloudWatch returns newest first by default (ScanBy TimestampDescending): sorted later.
        collector.ordered = false;
        for (r, result) in self.metric_data_results.0.into_iter().enumerate() {
            let place = format!("{prefix}MetricDataResults[{r}]");
            if result.timestamps.len() != result.values.len() {
                return Err(Refusal::at(
                    place,
                    format!(
                        "{} Timestamps but {} Values: each timestamp needs its value",
                        result.timestamps.len(),
                        result.values.len()
                    ),
                )
                .into());
            }
            let mut labels = Vec::new();
            if let Some(id) = &result.id {
                labels.push(("Id".to_owned(), id.clone()));
            }
            if let Some(label) = &result.label {
                labels.push(("Label".to_owned(), label.clone()));
            }
            let key = match &result.id {
                Some(id) => format!("Id={id}"),
                None => key_of(&labels),
            };
            let (series, segment) = collector.segment(
                key,
                || labels,
                place.clone(),
                Shape::Parallel {
                    times: "Timestamps",
                    values: "Values",
                },
            )?;
            if let Some(entry) = collector.series.get_mut(series) {
                let mut messages = result.messages.0;
                messages.extend(self.messages.0.iter().map(|m| MessageData {
                    code: m.code.clone(),
                    value: m.value.clone(),
                }));
                entry.status = result.status_code.map(|status| {
                    (
                        status,
                        format!("{place}.StatusCode"),
                        said(&messages, "CloudWatch"),
                    )
                });
            }
            for (index, (time, value)) in result.timestamps.iter().zip(&result.values).enumerate() {
                collector.push(series, segment, index, time.0, Some(*value))?;
            }
        }
        Ok(())
    }
}

fn statistic_not_read(why: &str) -> Problem {
    Problem::Key {
        key: "statistic",
        message: format!(
            "is read from aws cloudwatch get-metric-statistics output and Azure Monitor \
             responses, not from {why}"
        ),
    }
}

// ---- aws cloudwatch get-metric-statistics ------------------------------------------------

/// The output of `aws cloudwatch get-metric-statistics`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetMetricStatistics {
    label: Option<String>,
    datapoints: Bounded<Datapoint, MAX_DATAPOINTS>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Datapoint {
    timestamp: IsoOrSeconds,
    sample_count: Option<f64>,
    average: Option<f64>,
    sum: Option<f64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    #[serde(default)]
    extended_statistics: BoundedMap<f64, MAX_LABELS>,
    unit: Option<String>,
}

/// The statistics of a Datapoint, by their names in the CLI's output.
const CLOUDWATCH_STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

impl Datapoint {
    fn statistic(&self, name: &str) -> Option<f64> {
        match name {
            "SampleCount" => self.sample_count,
            "Average" => self.average,
            "Sum" => self.sum,
            "Minimum" => self.minimum,
            "Maximum" => self.maximum,
            other => self.extended_statistics.0.get(other).copied(),
        }
    }
}

impl Page for GetMetricStatistics {
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem> {
        // "Data points are not returned in chronological order" (GetMetricStatistics): sorted.
        collector.ordered = false;
        let statistic = collector.statistic("Sum");
        let value_field = if CLOUDWATCH_STATISTICS.contains(&statistic.as_str()) {
            statistic.clone()
        } else {
            format!("ExtendedStatistics.{statistic}")
        };
        let place = format!("{prefix}Datapoints");
        collector
            .statistic_place
            .get_or_insert_with(|| place.clone());
        let labels: Vec<(String, String)> = self
            .label
            .iter()
            .map(|label| ("Label".to_owned(), label.clone()))
            .collect();
        let key = key_of(&labels);
        let (series, segment) = collector.segment(
            key,
            || labels,
            place.clone(),
            Shape::Objects {
                time: "Timestamp",
                value: value_field,
            },
        )?;
        for (index, datapoint) in self.datapoints.0.iter().enumerate() {
            for name in CLOUDWATCH_STATISTICS {
                if datapoint.statistic(name).is_some() {
                    collector.present.insert(name.to_owned());
                }
            }
            collector
                .present
                .extend(datapoint.extended_statistics.0.keys().cloned());
            let value = datapoint.statistic(&statistic);
            collector.statistic_found |= value.is_some();
            if let Some(unit) = &datapoint.unit {
                collector.unit(series, unit, format!("{place}[{index}].Unit"))?;
            }
            collector.push(series, segment, index, datapoint.timestamp.0, value)?;
        }
        Ok(())
    }
}

// ---- Prometheus query_range --------------------------------------------------------------

/// A Prometheus API response's envelope, read before its data.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrometheusEnvelope {
    status: String,
    data: Option<PrometheusDataType>,
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Bounded<String, MAX_LABELS>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrometheusDataType {
    result_type: String,
}

impl Page for PrometheusEnvelope {
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem> {
        if collector.options.statistic.is_some() {
            return Err(statistic_not_read(
                "a Prometheus response, whose samples are the query's values",
            ));
        }
        if self.status != "success" {
            return Err(Refusal::at(
                format!("{prefix}status"),
                format!(
                    "{:?}: Prometheus refused the query{}: {}",
                    self.status,
                    self.error_type
                        .map(|t| format!(" ({t})"))
                        .unwrap_or_default(),
                    self.error.unwrap_or_else(|| "no error text".to_owned())
                ),
            )
            .into());
        }
        if !self.warnings.0.is_empty() {
            return Err(Refusal::at(
                format!("{prefix}warnings"),
                format!(
                    "Prometheus answered with warnings, so its data may be incomplete: {}; if \
                     you have checked the data, remove the warnings field",
                    self.warnings.0.join("; ")
                ),
            )
            .into());
        }
        match self.data.as_ref().map(|data| data.result_type.as_str()) {
            Some("matrix") => Ok(()),
            Some(other) => Err(Refusal::at(
                format!("{prefix}data.resultType"),
                format!(
                    "{other:?}: a trace needs a range query's \"matrix\" (/api/v1/query_range), \
                     series of samples over time"
                ),
            )
            .into()),
            None => Err(Refusal::at(
                format!("{prefix}data"),
                "missing: a successful Prometheus response holds its result in data".to_owned(),
            )
            .into()),
        }
    }
}

/// A Prometheus range query's data, once the envelope says it is a matrix.
#[derive(Debug, Deserialize)]
struct PrometheusMatrix {
    data: PrometheusResult,
}

#[derive(Debug, Deserialize)]
struct PrometheusResult {
    result: Bounded<PrometheusSeries, MAX_PAGE_SERIES>,
}

#[derive(Debug, Deserialize)]
struct PrometheusSeries {
    #[serde(default)]
    metric: BoundedMap<String, MAX_LABELS>,
    #[serde(default)]
    values: Vec<(Seconds, SampleValue)>,
    histograms: Option<IgnoredAny>,
}

impl Page for PrometheusMatrix {
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem> {
        for (s, series) in self.data.result.0.into_iter().enumerate() {
            let place = format!("{prefix}data.result[{s}]");
            if series.histograms.is_some() {
                return Err(Refusal::at(
                    format!("{place}.histograms"),
                    "native histogram samples are not counts: query their count, such as \
                     sum(increase(http_request_duration_seconds_count[1m]))"
                        .to_owned(),
                )
                .into());
            }
            let labels: Vec<(String, String)> = series.metric.0.into_iter().collect();
            let key = key_of(&labels);
            let (id, segment) =
                collector.segment(key, || labels, format!("{place}.values"), Shape::Pairs)?;
            for (index, (time, value)) in series.values.iter().enumerate() {
                collector.push(id, segment, index, time.0, Some(value.0))?;
            }
        }
        Ok(())
    }
}

// ---- Azure Monitor Metrics - List --------------------------------------------------------

/// An Azure Monitor `Metrics - List` response (`az monitor metrics list` prints the same).
#[derive(Debug, Deserialize)]
struct AzureMetrics {
    value: Bounded<AzureMetric, MAX_PAGE_SERIES>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzureMetric {
    name: Option<AzureName>,
    unit: Option<String>,
    #[serde(default)]
    timeseries: Bounded<AzureSeries, MAX_PAGE_SERIES>,
    error_code: Option<String>,
    error_message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AzureName {
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AzureSeries {
    #[serde(default)]
    metadatavalues: Bounded<AzureMetadataValue, MAX_LABELS>,
    #[serde(default)]
    data: Bounded<AzureValue, MAX_DATAPOINTS>,
}

#[derive(Debug, Deserialize)]
struct AzureMetadataValue {
    name: Option<AzureName>,
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzureValue {
    time_stamp: IsoOrSeconds,
    average: Option<f64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    total: Option<f64>,
    count: Option<f64>,
}

/// Azure Monitor's aggregation types, as the response names them.
const AZURE_STATISTICS: [&str; 5] = ["total", "count", "average", "minimum", "maximum"];

impl AzureValue {
    fn statistic(&self, name: &str) -> Option<f64> {
        match name {
            "total" => self.total,
            "count" => self.count,
            "average" => self.average,
            "minimum" => self.minimum,
            "maximum" => self.maximum,
            _ => None,
        }
    }
}

impl Page for AzureMetrics {
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem> {
        // Azure names aggregations without regard to case (Total, total).
        let statistic = collector.statistic("total").to_ascii_lowercase();
        if !AZURE_STATISTICS.contains(&statistic.as_str()) {
            return Err(Problem::Key {
                key: "statistic",
                message: format!(
                    "an Azure Monitor response holds {}, not {statistic:?}",
                    AZURE_STATISTICS.join(", ")
                ),
            });
        }
        for (m, metric) in self.value.0.into_iter().enumerate() {
            let place = format!("{prefix}value[{m}]");
            if let Some(code) = &metric.error_code
                && code != "Success"
            {
                return Err(Refusal::at(
                    format!("{place}.errorCode"),
                    format!(
                        "{code}: Azure Monitor could not return the metric: {}",
                        metric
                            .error_message
                            .as_deref()
                            .unwrap_or("no error message")
                    ),
                )
                .into());
            }
            let name = metric.name.and_then(|name| name.value).unwrap_or_default();
            for (s, series) in metric.timeseries.0.into_iter().enumerate() {
                let mut labels = vec![("name".to_owned(), name.clone())];
                labels.extend(series.metadatavalues.0.into_iter().map(|dimension| {
                    (
                        dimension
                            .name
                            .and_then(|name| name.value)
                            .unwrap_or_default(),
                        dimension.value.unwrap_or_default(),
                    )
                }));
                let key = key_of(&labels);
                let data_place = format!("{place}.timeseries[{s}].data");
                collector
                    .statistic_place
                    .get_or_insert_with(|| data_place.clone());
                let (id, segment) = collector.segment(
                    key,
                    || labels,
                    data_place,
                    Shape::Objects {
                        time: "timeStamp",
                        value: statistic.clone(),
                    },
                )?;
                if let Some(unit) = &metric.unit {
                    collector.unit(id, unit, format!("{place}.unit"))?;
                }
                for (index, value) in series.data.0.iter().enumerate() {
                    for name in AZURE_STATISTICS {
                        if value.statistic(name).is_some() {
                            collector.present.insert(name.to_owned());
                        }
                    }
                    let chosen = value.statistic(&statistic);
                    collector.statistic_found |= chosen.is_some();
                    collector.push(id, segment, index, value.time_stamp.0, chosen)?;
                }
            }
        }
        Ok(())
    }
}

/// An Azure Resource Manager error response: `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, Deserialize)]
struct AzureError {
    error: AzureErrorBody,
}

#[derive(Debug, Deserialize)]
struct AzureErrorBody {
    code: Option<String>,
    message: Option<String>,
}

impl Page for AzureError {
    fn collect(self, prefix: &str, _: &mut Collector<'_>) -> Result<(), Problem> {
        Err(Refusal::at(
            format!("{prefix}error"),
            format!(
                "an Azure error response, not metrics: {}: {}",
                self.error.code.as_deref().unwrap_or("no code"),
                self.error.message.as_deref().unwrap_or("no message")
            ),
        )
        .into())
    }
}

// ---- Datadog /api/v1/query ---------------------------------------------------------------

/// A Datadog `GET /api/v1/query` response (MetricsQueryResponse).
#[derive(Debug, Deserialize)]
struct DatadogQuery {
    status: Option<String>,
    error: Option<String>,
    #[serde(default)]
    errors: Bounded<String, MAX_LABELS>,
    #[serde(default)]
    series: Bounded<DatadogSeries, MAX_PAGE_SERIES>,
}

#[derive(Debug, Deserialize)]
struct DatadogSeries {
    metric: Option<String>,
    scope: Option<String>,
    expression: Option<String>,
    display_name: Option<String>,
    #[serde(default)]
    tag_set: Bounded<String, MAX_LABELS>,
    #[serde(default)]
    pointlist: Vec<(Millis, Option<f64>)>,
    #[serde(default)]
    unit: Bounded<Option<DatadogUnit>, MAX_LABELS>,
}

#[derive(Debug, Deserialize)]
struct DatadogUnit {
    name: Option<String>,
}

impl Page for DatadogQuery {
    fn collect(self, prefix: &str, collector: &mut Collector<'_>) -> Result<(), Problem> {
        if collector.options.statistic.is_some() {
            return Err(statistic_not_read(
                "a Datadog response, whose points are the query's values",
            ));
        }
        if !self.errors.0.is_empty() {
            return Err(Refusal::at(
                format!("{prefix}errors"),
                format!("Datadog refused the query: {}", self.errors.0.join("; ")),
            )
            .into());
        }
        if let Some(status) = &self.status
            && status != "ok"
        {
            return Err(Refusal::at(
                format!("{prefix}status"),
                format!(
                    "{status:?}: Datadog refused the query: {}",
                    self.error.as_deref().unwrap_or("no error text")
                ),
            )
            .into());
        }
        for (s, series) in self.series.0.into_iter().enumerate() {
            let place = format!("{prefix}series[{s}]");
            let mut labels = Vec::new();
            for (name, value) in [
                ("metric", &series.metric),
                ("scope", &series.scope),
                ("expression", &series.expression),
                ("display_name", &series.display_name),
            ] {
                if let Some(value) = value {
                    labels.push((name.to_owned(), value.clone()));
                }
            }
            for tag in &series.tag_set.0 {
                let (name, value) = tag.split_once(':').unwrap_or((tag, ""));
                labels.push((name.to_owned(), value.to_owned()));
            }
            let key = key_of(&labels);
            let (id, segment) =
                collector.segment(key, || labels, format!("{place}.pointlist"), Shape::Pairs)?;
            let names: Vec<&str> = series
                .unit
                .0
                .iter()
                .map(|unit| {
                    unit.as_ref()
                        .and_then(|unit| unit.name.as_deref())
                        .unwrap_or("")
                })
                .collect();
            if names.iter().any(|name| !name.is_empty()) {
                let unit = names.join("/").trim_end_matches('/').to_owned();
                collector.unit(id, &unit, format!("{place}.unit"))?;
            }
            for (index, (time, value)) in series.pointlist.iter().enumerate() {
                collector.push(id, segment, index, time.0, *value)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::timeline::{GapPolicy, Rules, build};

    /// The buckets of an export as (index, count), its width and its form, or the message.
    fn read_text(text: &str, options: &TraceOptions) -> Result<(TraceForm, u64, Vec<f64>), String> {
        let export = read(text.as_bytes(), options).map_err(|problem| match problem {
            Problem::At(refusal) => refusal.to_string(),
            Problem::Key { key, message } => format!("[load] {key}: {message}"),
        })?;
        let timed = build(
            export.series,
            &export.locate,
            Rules {
                value: options.value,
                gaps: options.gaps.unwrap_or(GapPolicy::Error),
                gap_hint: export.gap_hint,
            },
        )
        .map_err(|refusal| refusal.to_string())?;
        let mut counts = Vec::new();
        for bucket in &timed.buckets {
            counts.resize(bucket.index as usize, 0.0);
            counts.push(bucket.count);
        }
        Ok((export.form, timed.bucket_s, counts))
    }

    const GET_METRIC_DATA: &str = r#"{
    "MetricDataResults": [
        {
            "Id": "m1",
            "Label": "Invocations",
            "Timestamps": [
                "2024-09-29T22:12:00+00:00",
                "2024-09-29T22:11:00+00:00",
                "2024-09-29T22:10:00+00:00"
            ],
            "Values": [
                0.0,
                120.0,
                60.0
            ],
            "StatusCode": "Complete"
        }
    ],
    "Messages": []
}"#;

    #[test]
    fn get_metric_data_newest_first_is_sorted() {
        assert_eq!(
            read_text(GET_METRIC_DATA, &TraceOptions::PLAIN),
            Ok((
                TraceForm::CloudWatchGetMetricData,
                60,
                vec![60.0, 120.0, 0.0]
            ))
        );
    }

    #[test]
    fn pages_concatenated_or_in_an_array_are_one_series() {
        let first = r#"{"MetricDataResults": [{"Id": "m1", "Timestamps": ["2024-09-29T22:12:00Z", "2024-09-29T22:11:00Z"], "Values": [3, 2], "StatusCode": "PartialData"}], "NextToken": "t"}"#;
        let last = r#"{"MetricDataResults": [{"Id": "m1", "Timestamps": [1727647800], "Values": [1], "StatusCode": "Complete"}], "Messages": []}"#;
        let expected = Ok((TraceForm::CloudWatchGetMetricData, 60, vec![1.0, 2.0, 3.0]));
        assert_eq!(
            read_text(&format!("{first}\n{last}\n"), &TraceOptions::PLAIN),
            expected
        );
        assert_eq!(
            read_text(&format!("[{first}, {last}]"), &TraceOptions::PLAIN),
            expected
        );
        // The CLI's own merge: one document, the pages' results one after the other.
        let merged = r#"{"MetricDataResults": [
            {"Id": "m1", "Timestamps": ["2024-09-29T22:12:00Z"], "Values": [3], "StatusCode": "PartialData"},
            {"Id": "m1", "Timestamps": ["2024-09-29T22:11:00Z", "2024-09-29T22:10:00Z"], "Values": [2, 1], "StatusCode": "Complete"}]}"#;
        assert_eq!(read_text(merged, &TraceOptions::PLAIN), expected);
        assert_eq!(
            read_text(first, &TraceOptions::PLAIN),
            Err(
                "MetricDataResults[0].StatusCode: PartialData for {Id=\"m1\"}: CloudWatch \
                 returned part of its datapoints and holds more (NextToken): fetch every page \
                 (the AWS CLI does unless given --no-paginate or --max-items) and keep them all \
                 in the file, one after the other or as a JSON array"
                    .to_owned()
            )
        );
        // The same minute on two pages of one series is a repeat, not a sum.
        let overlap = format!("{first}\n{}", first.replace("PartialData", "Complete"));
        let err = read_text(&overlap, &TraceOptions::PLAIN).unwrap_err();
        assert!(err.contains("appears twice in one series"), "{err}");
    }

    #[test]
    fn get_metric_statistics_reads_sum_unless_told() {
        let text = r#"{
    "Label": "Invocations",
    "Datapoints": [
        {"Timestamp": "2024-09-29T22:11:00Z", "Sum": 120.0, "SampleCount": 4.0, "Unit": "Count"},
        {"Timestamp": "2024-09-29T22:10:00Z", "Sum": 60.0, "SampleCount": 2.0, "Unit": "Count"}
    ]
}"#;
        assert_eq!(
            read_text(text, &TraceOptions::PLAIN),
            Ok((
                TraceForm::CloudWatchGetMetricStatistics,
                60,
                vec![60.0, 120.0]
            ))
        );
        let count = TraceOptions::plain_with(|o| o.statistic = Some("SampleCount".to_owned()));
        assert_eq!(read_text(text, &count).map(|r| r.2), Ok(vec![2.0, 4.0]));
        let maximum = text.replace("\"Sum\"", "\"Maximum\"");
        assert_eq!(
            read_text(&maximum, &TraceOptions::PLAIN),
            Err(
                "Datapoints: no datapoint has Sum, the statistic read by default; present: \
                 Maximum, SampleCount: set [load] statistic to one of them, and [load] value to \
                 what it means"
                    .to_owned()
            )
        );
        let mixed = text.replacen("\"Count\"", "\"Count/Second\"", 1);
        assert_eq!(
            read_text(&mixed, &TraceOptions::PLAIN),
            Err(
                "Datapoints[1].Unit: mixed units: \"Count\" here, \"Count/Second\" at \
                 Datapoints[0].Unit: one series holds one unit"
                    .to_owned()
            )
        );
    }

    #[test]
    fn prometheus_sums_series_or_picks_one_by_label() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"pod":"a"},"values":[[1700000000,"1"],[1700000060,"2"]]},
            {"metric":{"pod":"b"},"values":[[1700000000,"10"],[1700000060,"20"]]}]}}"#;
        assert_eq!(
            read_text(text, &TraceOptions::PLAIN),
            Ok((TraceForm::PrometheusQueryRange, 60, vec![11.0, 22.0]))
        );
        let mut pick = TraceOptions::plain_with(|o| {
            o.series.insert("pod".to_owned(), "b".to_owned());
        });
        assert_eq!(read_text(text, &pick).map(|r| r.2), Ok(vec![10.0, 20.0]));
        pick.series.insert("pod".to_owned(), "c".to_owned());
        assert_eq!(
            read_text(text, &pick),
            Err(
                "[load] series: {pod=\"c\"} matches none of the 2 series in the file: \
                 {pod=\"a\"}, {pod=\"b\"}"
                    .to_owned()
            )
        );
        let error = r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:6: parse error: unexpected end of input"}"#;
        assert_eq!(
            read_text(error, &TraceOptions::PLAIN),
            Err(
                "status: \"error\": Prometheus refused the query (bad_data): invalid parameter \
                 \"query\": 1:6: parse error: unexpected end of input"
                    .to_owned()
            )
        );
        let backwards = text.replace("[1700000060,\"2\"]", "[1699999940,\"2\"]");
        let err = read_text(&backwards, &TraceOptions::PLAIN).unwrap_err();
        assert!(
            err.starts_with("data.result[0].values[1][0]: ")
                && err.contains("comes before the previous point's"),
            "{err}"
        );
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        let err = read_text(vector, &TraceOptions::PLAIN).unwrap_err();
        assert!(err.starts_with("data.resultType: \"vector\""), "{err}");
        let nan = text.replace("\"20\"", "\"NaN\"");
        assert_eq!(
            read_text(&nan, &TraceOptions::PLAIN),
            Err("data.result[1].values[1][1]: expected a finite count >= 0, got NaN".to_owned())
        );
    }

    #[test]
    fn azure_reads_total_and_reports_errors() {
        let text = r#"{"value":[{"name":{"value":"Requests"},"unit":"Count","timeseries":[{"metadatavalues":[],"data":[
            {"timeStamp":"2024-05-06T00:00:00Z","total":5.0,"count":2.0},
            {"timeStamp":"2024-05-06T00:01:00Z","total":7.0,"count":3.0}]}]}]}"#;
        assert_eq!(
            read_text(text, &TraceOptions::PLAIN),
            Ok((TraceForm::AzureMonitorMetrics, 60, vec![5.0, 7.0]))
        );
        let count = TraceOptions::plain_with(|o| o.statistic = Some("Count".to_owned()));
        assert_eq!(read_text(text, &count).map(|r| r.2), Ok(vec![2.0, 3.0]));
        let failed = r#"{"value":[{"name":{"value":"X"},"unit":"Count","timeseries":[],"errorCode":"InvalidSamplingType","errorMessage":"Sampling type is not found."}]}"#;
        assert_eq!(
            read_text(failed, &TraceOptions::PLAIN),
            Err(
                "value[0].errorCode: InvalidSamplingType: Azure Monitor could not return the \
                 metric: Sampling type is not found."
                    .to_owned()
            )
        );
    }

    #[test]
    fn datadog_reads_milliseconds_and_nulls_are_gaps() {
        let text = r#"{"status":"ok","res_type":"time_series","series":[{"metric":"hits","pointlist":[[1700000000000,3.0],[1700000060000,null],[1700000120000,4.0]]}]}"#;
        let err = read_text(text, &TraceOptions::PLAIN).unwrap_err();
        assert!(err.starts_with("1 bucket of 60 s missing"), "{err}");
        assert!(err.ends_with(DATADOG_GAPS), "{err}");
        let zero = TraceOptions::plain_with(|o| o.gaps = Some(GapPolicy::Zero));
        assert_eq!(
            read_text(text, &zero),
            Ok((TraceForm::DatadogQuery, 60, vec![3.0, 0.0, 4.0]))
        );
    }

    #[test]
    fn unknown_and_broken_documents_are_named() {
        assert!(
            read_text(r#"{"foo": 1}"#, &TraceOptions::PLAIN)
                .unwrap_err()
                .starts_with("line 1: not an export scalesim reads")
        );
        assert_eq!(
            read_text(
                "{\"MetricDataResults\": [\n  {\"Values\": [1, \"x\"]}]}",
                &TraceOptions::PLAIN
            ),
            Err(
                "MetricDataResults[0].Values[1] (line 2): invalid type: string \"x\", expected a number"
                    .to_owned()
            )
        );
        assert_eq!(
            read_text("{\"Datapoints\": [] }\n{", &TraceOptions::PLAIN),
            Err("line 2: not valid JSON: EOF while parsing an object".to_owned())
        );
    }
}
