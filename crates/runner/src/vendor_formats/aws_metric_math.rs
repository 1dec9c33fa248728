//! CloudWatch metric math as AWS request bodies give it: the `Metrics` list of a target-tracking
//! policy's `CustomizedMetricSpecification` (TargetTrackingMetricDataQuery) or of a
//! PutMetricAlarm body (MetricDataQuery), checked by AWS's rules, named by field path, and built
//! into the core's [`MetricMath`] (semantics: `docs/semantics/aws-metric-math.md`).
//!
//! [`metric_math`] is generic over how a metric is resolved: it hands every query's `MetricStat`
//! to the caller, in list order, and numbers the metrics the expression reads by that order.

use std::collections::BTreeMap;
use std::path::Path;

use scalesim_core::{MathOperator, MetricMath, MetricMathBuilder, MetricMathError, MetricMathTerm};
use serde::Deserialize;
use serde_json::Value;

use crate::error::ScenarioError;
use crate::vendor_formats::aws::MetricDimension;
use crate::vendor_formats::parse_value;

/// Which API's `Metrics` list is read: the two differ in their fields and limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetricsOf {
    /// TargetTrackingMetricDataQuery, in a target-tracking policy's
    /// CustomizedMetricSpecification (Application Auto Scaling).
    TargetTracking,
    /// MetricDataQuery, in a PutMetricAlarm body (CloudWatch).
    Alarm,
}

impl MetricsOf {
    fn owner(self) -> &'static str {
        match self {
            MetricsOf::TargetTracking => "the policy tracks",
            MetricsOf::Alarm => "the alarm watches",
        }
    }
}

/// A CloudWatch metric as a MetricStat names it (`Metric`, `TargetTrackingMetric`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(crate) struct MetricBody {
    pub(crate) metric_name: Option<String>,
    pub(crate) namespace: Option<String>,
    pub(crate) dimensions: Option<Vec<MetricDimension>>,
}

/// A query's MetricStat, whichever API it comes from, as the resolver receives it.
#[derive(Debug)]
pub(crate) struct MetricStatBody {
    pub(crate) metric: MetricBody,
    /// `Stat`: a statistic or extended statistic name, as written.
    pub(crate) stat: String,
    /// `Unit`, as written.
    #[allow(dead_code, reason = "units do not change the values simulated")]
    pub(crate) unit: Option<String>,
    /// `Period` in seconds: required in an alarm's MetricStat; Application Auto Scaling's
    /// TargetTrackingMetricStat has none, so it is `None` there.
    pub(crate) period: Option<u64>,
}

/// TargetTrackingMetricDataQuery (Application Auto Scaling API Reference).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct TargetTrackingMetricDataQuery {
    id: String,
    expression: Option<String>,
    label: Option<String>,
    metric_stat: Option<TargetTrackingMetricStat>,
    return_data: Option<bool>,
}

/// TargetTrackingMetricStat: Application Auto Scaling's has no Period (EC2 Auto Scaling's has).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct TargetTrackingMetricStat {
    metric: MetricBody,
    stat: String,
    unit: Option<String>,
}

/// MetricDataQuery (CloudWatch API Reference).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct MetricDataQuery {
    id: String,
    metric_stat: Option<MetricStat>,
    expression: Option<String>,
    label: Option<String>,
    return_data: Option<bool>,
    period: Option<u64>,
    #[allow(dead_code, reason = "the simulation has one account")]
    account_id: Option<String>,
}

/// CloudWatch's MetricStat: Metric, Period and Stat are required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct MetricStat {
    metric: MetricBody,
    period: u64,
    stat: String,
    unit: Option<String>,
}

/// One query, whichever API it comes from.
#[derive(Debug)]
struct Query {
    id: String,
    /// Label, else the Id: how the result is named for people.
    label: Option<String>,
    expression: Option<String>,
    metric_stat: Option<MetricStatBody>,
    /// ReturnData, true when left out.
    return_data: bool,
    /// A MetricDataQuery's own Period (not its MetricStat's).
    period: Option<u64>,
}

/// The longest Id: MetricId and Application Auto Scaling's Id are 1 to 255 characters.
const MAX_ID_CHARS: usize = 255;
/// The longest Expression: MetricExpression and Application Auto Scaling's Expression are 1 to
/// 2,048 characters.
const MAX_EXPRESSION_CHARS: usize = 2_048;
/// PutMetricAlarm: "up to 20 MetricDataQuery structures in the array. The 20 structures can
/// include as many as 10 structures that contain a MetricStat parameter to retrieve a metric,
/// and as many as 10 structures that contain the Expression parameter".
const MAX_ALARM_QUERIES: usize = 20;
const MAX_ALARM_METRICS: usize = 10;
const MAX_ALARM_EXPRESSIONS: usize = 10;
/// How deep parentheses, brackets, calls and minus signs may nest in one expression: the parser
/// recurses once per level (scalesim's bound; AWS names none).
const MAX_NESTING: usize = 100;

/// A `Metrics` list, read.
#[derive(Debug)]
pub(crate) struct MetricMathList<T> {
    /// The metrics, resolved, in list order: the expression's metric i is the i-th.
    pub(crate) metrics: Vec<T>,
    /// The returned query's expression.
    pub(crate) expression: MetricMath,
    /// The returned query's Label, else its Id.
    pub(crate) label: String,
}

/// Reads a `Metrics` list into the metrics it names and the expression whose result is
/// returned.
///
/// `prefix` is the field path of the object holding `Metrics`
/// (`TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.`, or `[0].` for
/// an alarm); errors name `{prefix}Metrics[i].Field`. `resolve` is called once for every query
/// with a MetricStat, in list order, with that query's field path prefix
/// (`{prefix}Metrics[1].MetricStat.`); the i-th metric resolved is the i-th of the returned
/// list and the metric [`MetricMath::evaluate`] asks for by index i. Every MetricStat is
/// resolved, used by the returned expression or not, as CloudWatch fetches them all.
///
/// The checks, in order, each naming the first query (in list order) at fault: the shape of
/// each query (serde, unknown fields are errors); Id, uniqueness, exactly one of Expression and
/// MetricStat, Expression's length, no query-level Period; an alarm's counts; ReturnData; the
/// Ids each expression names (lexical errors included); the resolver; circles between
/// expressions; then each expression parsed and built, those it uses first.
pub(crate) fn metric_math<T>(
    queries: &[Value],
    of: MetricsOf,
    path: &Path,
    prefix: &str,
    mut resolve: impl FnMut(&str, &MetricStatBody) -> Result<T, ScenarioError>,
) -> Result<MetricMathList<T>, ScenarioError> {
    let error = |field: String, message: String| ScenarioError::Field {
        path: path.to_owned(),
        field,
        message,
    };
    let at = |i: usize| format!("{prefix}Metrics[{i}]");
    if queries.is_empty() {
        return Err(error(
            format!("{prefix}Metrics"),
            "must hold at least one query".to_owned(),
        ));
    }
    if of == MetricsOf::Alarm && queries.len() > MAX_ALARM_QUERIES {
        return Err(error(
            format!("{prefix}Metrics"),
            format!(
                "an alarm takes at most {MAX_ALARM_QUERIES} queries (PutMetricAlarm), got {}",
                queries.len()
            ),
        ));
    }
    let queries = queries
        .iter()
        .enumerate()
        .map(|(i, value)| query(value, of, path, &at(i)))
        .collect::<Result<Vec<_>, _>>()?;

    let mut index_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, query) in queries.iter().enumerate() {
        let n_chars = query.id.chars().count();
        if !(1..=MAX_ID_CHARS).contains(&n_chars) {
            return Err(error(
                format!("{}.Id", at(i)),
                format!("must be 1 to {MAX_ID_CHARS} characters long, got {n_chars}"),
            ));
        }
        if !is_id(&query.id) {
            return Err(error(
                format!("{}.Id", at(i)),
                format!(
                    "{:?} is not a valid Id: the valid characters are letters, numbers and \
                     underscores, and the first character must be a lowercase letter",
                    query.id
                ),
            ));
        }
        if let Some(first) = index_of.insert(&query.id, i) {
            return Err(error(
                format!("{}.Id", at(i)),
                format!(
                    "{:?} is already the Id of Metrics[{first}]: Ids must be unique among the \
                     queries of one {}",
                    query.id,
                    match of {
                        MetricsOf::TargetTracking => "scaling policy",
                        MetricsOf::Alarm => "alarm",
                    }
                ),
            ));
        }
        match (&query.expression, &query.metric_stat) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(error(
                    format!("{}.Expression", at(i)),
                    format!(
                        "exactly one of Expression and MetricStat is required, got {}",
                        if query.expression.is_some() {
                            "both"
                        } else {
                            "neither"
                        }
                    ),
                ));
            }
            (Some(expression), None) => {
                let n_chars = expression.chars().count();
                if !(1..=MAX_EXPRESSION_CHARS).contains(&n_chars) {
                    return Err(error(
                        format!("{}.Expression", at(i)),
                        format!(
                            "must be 1 to {MAX_EXPRESSION_CHARS} characters long, got {n_chars}"
                        ),
                    ));
                }
            }
            (None, Some(_)) => {}
        }
        if let Some(period) = query.period {
            return Err(error(
                format!("{}.Period", at(i)),
                format!(
                    "a query's own Period is not supported (got {period}); the metrics' \
                     MetricStat.Period sets the period of their datapoints"
                ),
            ));
        }
    }
    let n_metrics = queries.iter().filter(|q| q.metric_stat.is_some()).count();
    let n_expressions = queries.len() - n_metrics;
    if of == MetricsOf::Alarm
        && (n_metrics > MAX_ALARM_METRICS || n_expressions > MAX_ALARM_EXPRESSIONS)
    {
        return Err(error(
            format!("{prefix}Metrics"),
            format!(
                "an alarm takes at most {MAX_ALARM_METRICS} queries with MetricStat and \
                 {MAX_ALARM_EXPRESSIONS} with Expression (PutMetricAlarm), got {n_metrics} and \
                 {n_expressions}"
            ),
        ));
    }

    let returned = returned_query(&queries, of, prefix, &|field, message| {
        error(field, message)
    })?;

    // The Ids each expression names, checked before anything is resolved or built.
    let mut tokens_of: Vec<Option<Vec<Token>>> = Vec::with_capacity(queries.len());
    let mut uses: Vec<Vec<usize>> = Vec::with_capacity(queries.len());
    for (i, query) in queries.iter().enumerate() {
        let Some(expression) = &query.expression else {
            tokens_of.push(None);
            uses.push(Vec::new());
            continue;
        };
        let expression_error =
            |e: ExpressionError| error(format!("{}.Expression", at(i)), e.to_string());
        let tokens = lex(expression).map_err(expression_error)?;
        let mut used = Vec::new();
        for (k, token) in tokens.iter().enumerate() {
            let TokenKind::Id(name) = &token.kind else {
                continue;
            };
            if matches!(tokens.get(k + 1).map(|t| &t.kind), Some(TokenKind::LParen)) {
                continue;
            }
            match index_of.get(name.as_str()) {
                None => {
                    return Err(expression_error(ExpressionError::at(
                        token.at,
                        format!("{name} is not the Id of any query in Metrics"),
                    )));
                }
                Some(&j) if j == i => {
                    return Err(expression_error(ExpressionError::at(
                        token.at,
                        format!(
                            "{name} is this query's own Id: an expression cannot use its own \
                             result"
                        ),
                    )));
                }
                Some(&j) => {
                    if queries.get(j).is_some_and(|q| q.expression.is_some()) && !used.contains(&j)
                    {
                        used.push(j);
                    }
                }
            }
        }
        tokens_of.push(Some(tokens));
        uses.push(used);
    }

    let mut builder = MetricMath::builder();
    let mut leaves = Vec::with_capacity(n_metrics);
    let mut terms: Vec<Option<MetricMathTerm>> = Vec::with_capacity(queries.len());
    for (i, query) in queries.iter().enumerate() {
        match &query.metric_stat {
            Some(stat) => {
                leaves.push(resolve(&format!("{}.MetricStat.", at(i)), stat)?);
                terms.push(Some(builder.metric(leaves.len() - 1)));
            }
            None => terms.push(None),
        }
    }

    let order = build_order(&queries, &uses)
        .map_err(|(i, message)| error(format!("{}.Expression", at(i)), message))?;
    for i in order {
        let Some(Some(tokens)) = tokens_of.get(i) else {
            continue;
        };
        let expression_error =
            |e: ExpressionError| error(format!("{}.Expression", at(i)), e.to_string());
        let mut parser = Parser {
            tokens,
            next: 0,
            nesting: 0,
            builder: &mut builder,
            queries: &queries,
            index_of: &index_of,
            terms: &terms,
        };
        let term = parser.whole().map_err(expression_error)?;
        builder
            .check_expression(&term)
            .map_err(|e| expression_error(ExpressionError::whole(&e)))?;
        if let Some(slot) = terms.get_mut(i) {
            *slot = Some(term);
        }
    }
    let result_field = match queries.get(returned).map(|q| q.expression.is_some()) {
        Some(true) => format!("{}.Expression", at(returned)),
        _ => format!("{}.MetricStat", at(returned)),
    };
    let Some(Some(result)) = terms.get(returned).cloned() else {
        return Err(error(result_field, "has no value".to_owned()));
    };
    let expression = builder
        .build(result)
        .map_err(|e| error(result_field, e.to_string()))?;
    let label = queries
        .get(returned)
        .map(|query| query.label.clone().unwrap_or_else(|| query.id.clone()))
        .unwrap_or_default();
    Ok(MetricMathList {
        metrics: leaves,
        expression,
        label,
    })
}

/// Reads one query of the list by its API's shape into the common form.
fn query(value: &Value, of: MetricsOf, path: &Path, field: &str) -> Result<Query, ScenarioError> {
    Ok(match of {
        MetricsOf::TargetTracking => {
            let q: TargetTrackingMetricDataQuery = parse_value(value, path, field)?;
            Query {
                id: q.id,
                label: q.label,
                expression: q.expression,
                metric_stat: q.metric_stat.map(|stat| MetricStatBody {
                    metric: stat.metric,
                    stat: stat.stat,
                    unit: stat.unit,
                    period: None,
                }),
                return_data: q.return_data.unwrap_or(true),
                period: None,
            }
        }
        MetricsOf::Alarm => {
            let q: MetricDataQuery = parse_value(value, path, field)?;
            Query {
                id: q.id,
                label: q.label,
                expression: q.expression,
                metric_stat: q.metric_stat.map(|stat| MetricStatBody {
                    metric: stat.metric,
                    stat: stat.stat,
                    unit: stat.unit,
                    period: Some(stat.period),
                }),
                return_data: q.return_data.unwrap_or(true),
                period: q.period,
            }
        }
    })
}

/// An Id: "The valid characters are letters, numbers, and underscores. The first character
/// must be a lowercase letter."
fn is_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The query whose result is returned: the one with ReturnData true, which is the default.
/// Target tracking: "If you use any math expressions, specify true for this value for only the
/// final math expression that the metric specification is based on. You must specify false for
/// ReturnData for all the other metrics and expressions used in the metric specification. If
/// you are only retrieving metrics and not performing any math expressions, do not specify
/// anything for ReturnData. This sets it to its default (true)." Alarms: "specify true for the
/// one expression result to use as the alarm. For all other metrics and expressions in the same
/// PutMetricAlarm operation, specify ReturnData as False."
fn returned_query(
    queries: &[Query],
    of: MetricsOf,
    prefix: &str,
    error: &dyn Fn(String, String) -> ScenarioError,
) -> Result<usize, ScenarioError> {
    let at = |i: usize| format!("{prefix}Metrics[{i}]");
    let mut returned = None;
    for (i, query) in queries.iter().enumerate() {
        if !query.return_data {
            continue;
        }
        if let Some(first) = returned {
            return Err(error(
                format!("{}.ReturnData", at(i)),
                format!(
                    "only one query may have ReturnData true, and Metrics[{first}] has it \
                     already (ReturnData is true when left out): set it to false on every \
                     query but the final expression, whose result {}",
                    of.owner()
                ),
            ));
        }
        returned = Some(i);
    }
    let Some(returned) = returned else {
        return Err(error(
            format!("{prefix}Metrics"),
            format!(
                "no query has ReturnData true: set it on the final expression, whose result {}",
                of.owner()
            ),
        ));
    };
    let has_expression = queries.iter().any(|q| q.expression.is_some());
    if has_expression
        && queries
            .get(returned)
            .is_some_and(|q| q.expression.is_none())
    {
        return Err(error(
            format!("{}.ReturnData", at(returned)),
            "must be false on a metric when the list has math expressions: ReturnData true \
             goes on the final math expression"
                .to_owned(),
        ));
    }
    Ok(returned)
}

/// The expressions in an order where each comes after those it uses (list order otherwise);
/// a circle is reported on its first query in list order.
fn build_order(queries: &[Query], uses: &[Vec<usize>]) -> Result<Vec<usize>, (usize, String)> {
    let n = queries.len();
    let mut pending: Vec<usize> = uses.iter().map(Vec::len).collect();
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    // n passes at most, each placing at least one query or stopping: quadratic in the number
    // of queries, which the file size bounds.
    loop {
        let mut placed = false;
        for i in 0..n {
            if done.get(i) == Some(&true) || pending.get(i) != Some(&0) {
                continue;
            }
            if let Some(slot) = done.get_mut(i) {
                *slot = true;
            }
            order.push(i);
            placed = true;
            for (j, used) in uses.iter().enumerate() {
                if used.contains(&i)
                    && let Some(count) = pending.get_mut(j)
                {
                    *count = count.saturating_sub(1);
                }
            }
        }
        if !placed {
            break;
        }
    }
    let Some(start) = (0..n).find(|&i| done.get(i) == Some(&false)) else {
        return Ok(order);
    };
    // Follow uses among the unplaced queries until one repeats: every unplaced query uses
    // another unplaced one, so the walk never stops short.
    let mut path = vec![start];
    let mut current = start;
    loop {
        let next = uses
            .get(current)
            .and_then(|used| used.iter().copied().find(|&j| done.get(j) == Some(&false)));
        let Some(next) = next else {
            return Err((start, "is part of a circle of expressions".to_owned()));
        };
        if let Some(position) = path.iter().position(|&p| p == next) {
            let circle: Vec<&str> = path
                .iter()
                .skip(position)
                .chain(std::iter::once(&next))
                .filter_map(|&q| queries.get(q).map(|q| q.id.as_str()))
                .collect();
            let first = path.get(position).copied().unwrap_or(start);
            let mut message = String::new();
            for (k, id) in circle.iter().enumerate() {
                message.push_str(match k {
                    0 => "",
                    1 => " uses ",
                    _ => ", which uses ",
                });
                message.push_str(id);
            }
            message.push_str(": expressions cannot use each other's results in a circle");
            return Err((first, message));
        }
        path.push(next);
        current = next;
    }
}

/// A syntax or meaning error in an expression, at a character (1-based) where there is one.
#[derive(Debug)]
struct ExpressionError {
    at: Option<usize>,
    message: String,
}

impl ExpressionError {
    fn at(at: usize, message: String) -> Self {
        Self {
            at: Some(at),
            message,
        }
    }

    fn whole(err: &MetricMathError) -> Self {
        Self {
            at: None,
            message: err.to_string(),
        }
    }
}

impl std::fmt::Display for ExpressionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some(at) => write!(f, "at character {at}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Number(f64),
    /// A name starting with a lowercase letter: an Id, or a function misspelt in lower case.
    Id(String),
    /// A name starting with an upper-case letter: a function or a keyword (`REPEAT`).
    Word(String),
    /// A double-quoted string, METRICS' argument.
    Text(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Operator(MathOperator),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: TokenKind,
    /// The token's first character, counted from 1.
    at: usize,
}

impl Token {
    fn describe(&self) -> String {
        match &self.kind {
            TokenKind::Number(x) => format!("the number {x}"),
            TokenKind::Id(name) | TokenKind::Word(name) => name.clone(),
            TokenKind::Text(text) => format!("the string {text:?}"),
            TokenKind::LParen => "\"(\"".to_owned(),
            TokenKind::RParen => "\")\"".to_owned(),
            TokenKind::LBracket => "\"[\"".to_owned(),
            TokenKind::RBracket => "\"]\"".to_owned(),
            TokenKind::Comma => "\",\"".to_owned(),
            TokenKind::Operator(operator) => format!("\"{operator}\""),
        }
    }
}

const NO_LOGIC: &str = "comparison and logical operators (== != < <= > >= AND OR && ||) are not \
                        supported, only the arithmetic + - * / ^";

/// Splits an expression into tokens. Numbers are digits with an optional decimal part (CloudWatch
/// documents no other form); white space separates tokens.
fn lex(expression: &str) -> Result<Vec<Token>, ExpressionError> {
    let chars: Vec<char> = expression.chars().collect();
    let mut tokens = Vec::new();
    let mut k = 0;
    while let Some(&c) = chars.get(k) {
        let at = k + 1;
        let single = match c {
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            '[' => Some(TokenKind::LBracket),
            ']' => Some(TokenKind::RBracket),
            ',' => Some(TokenKind::Comma),
            '+' => Some(TokenKind::Operator(MathOperator::Add)),
            '-' => Some(TokenKind::Operator(MathOperator::Subtract)),
            '*' => Some(TokenKind::Operator(MathOperator::Multiply)),
            '/' => Some(TokenKind::Operator(MathOperator::Divide)),
            '^' => Some(TokenKind::Operator(MathOperator::Power)),
            _ => None,
        };
        if let Some(kind) = single {
            tokens.push(Token { kind, at });
            k += 1;
            continue;
        }
        let run = |from: usize, keep: &dyn Fn(char) -> bool| {
            chars.iter().skip(from).take_while(|&&c| keep(c)).count()
        };
        match c {
            ' ' | '\t' | '\n' | '\r' => k += 1,
            '0'..='9' => {
                let mut len = run(k, &|c| c.is_ascii_digit());
                if chars.get(k + len) == Some(&'.') {
                    let decimals = run(k + len + 1, &|c| c.is_ascii_digit());
                    if decimals == 0 {
                        return Err(ExpressionError::at(
                            k + len + 1,
                            "a decimal point must be followed by digits".to_owned(),
                        ));
                    }
                    len += 1 + decimals;
                }
                let text: String = chars.iter().skip(k).take(len).collect();
                let value = text.parse::<f64>().unwrap_or(f64::INFINITY);
                tokens.push(Token {
                    kind: TokenKind::Number(value),
                    at,
                });
                k += len;
            }
            'a'..='z' | 'A'..='Z' => {
                let len = run(k, &|c| c.is_ascii_alphanumeric() || c == '_');
                let name: String = chars.iter().skip(k).take(len).collect();
                let kind = if c.is_ascii_lowercase() {
                    TokenKind::Id(name)
                } else {
                    TokenKind::Word(name)
                };
                tokens.push(Token { kind, at });
                k += len;
            }
            '"' => {
                let len = run(k + 1, &|c| c != '"');
                if chars.get(k + 1 + len) != Some(&'"') {
                    return Err(ExpressionError::at(
                        at,
                        "the string has no closing \"".to_owned(),
                    ));
                }
                let text: String = chars.iter().skip(k + 1).take(len).collect();
                tokens.push(Token {
                    kind: TokenKind::Text(text),
                    at,
                });
                k += len + 2;
            }
            '<' | '>' | '=' | '!' | '&' | '|' => {
                return Err(ExpressionError::at(at, NO_LOGIC.to_owned()));
            }
            other => {
                return Err(ExpressionError::at(
                    at,
                    format!("unexpected character {other:?}"),
                ));
            }
        }
    }
    Ok(tokens)
}

/// A recursive-descent parser that builds the core expression as it reads. Precedence, loosest
/// first (scalesim's choice where CloudWatch documents none, that of written mathematics):
/// `+ -`, then `* /`, then unary minus, then `^`, which groups to the right
/// (`-2^2` is -4, `2^3^2` is 2^9).
struct Parser<'a> {
    tokens: &'a [Token],
    next: usize,
    nesting: usize,
    builder: &'a mut MetricMathBuilder,
    queries: &'a [Query],
    index_of: &'a BTreeMap<&'a str, usize>,
    /// The term of every metric, and of every expression built so far.
    terms: &'a [Option<MetricMathTerm>],
}

type Parsed = Result<MetricMathTerm, ExpressionError>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_kind(&self) -> Option<&TokenKind> {
        self.peek().map(|token| &token.kind)
    }

    fn end_at(&self) -> usize {
        self.tokens.last().map_or(1, |token| token.at + 1)
    }

    fn expected(&self, what: &str) -> ExpressionError {
        match self.peek() {
            Some(token) => ExpressionError::at(
                token.at,
                format!("expected {what}, got {}", token.describe()),
            ),
            None => ExpressionError::at(
                self.end_at(),
                format!("expected {what}, got the end of the expression"),
            ),
        }
    }

    fn meaning(at: usize, err: MetricMathError) -> ExpressionError {
        ExpressionError::at(at, err.to_string())
    }

    fn deeper(&mut self, at: usize) -> Result<(), ExpressionError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(ExpressionError::at(
                at,
                format!(
                    "parentheses, brackets, calls, minus signs and powers nest more than \
                     {MAX_NESTING} deep"
                ),
            ));
        }
        Ok(())
    }

    fn expect(&mut self, kind: &TokenKind, what: &str) -> Result<(), ExpressionError> {
        if self.peek_kind() == Some(kind) {
            self.next += 1;
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn whole(&mut self) -> Parsed {
        let term = self.sum()?;
        match self.peek_kind() {
            None => Ok(term),
            Some(TokenKind::Word(word)) if word == "AND" || word == "OR" => {
                let at = self.peek().map_or(1, |t| t.at);
                Err(ExpressionError::at(at, NO_LOGIC.to_owned()))
            }
            Some(_) => Err(self.expected("an operator or the end of the expression")),
        }
    }

    fn sum(&mut self) -> Parsed {
        let mut left = self.product()?;
        while let Some(Token {
            kind: TokenKind::Operator(operator @ (MathOperator::Add | MathOperator::Subtract)),
            at,
        }) = self.peek().cloned()
        {
            self.next += 1;
            let right = self.product()?;
            left = self
                .builder
                .binary(operator, left, right)
                .map_err(|e| Self::meaning(at, e))?;
        }
        Ok(left)
    }

    fn product(&mut self) -> Parsed {
        let mut left = self.unary()?;
        while let Some(Token {
            kind: TokenKind::Operator(operator @ (MathOperator::Multiply | MathOperator::Divide)),
            at,
        }) = self.peek().cloned()
        {
            self.next += 1;
            let right = self.unary()?;
            left = self
                .builder
                .binary(operator, left, right)
                .map_err(|e| Self::meaning(at, e))?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Parsed {
        let Some(Token {
            kind: TokenKind::Operator(MathOperator::Subtract),
            at,
        }) = self.peek().cloned()
        else {
            return self.power();
        };
        self.next += 1;
        self.deeper(at)?;
        let operand = self.unary()?;
        self.nesting -= 1;
        self.builder
            .negate(operand)
            .map_err(|e| Self::meaning(at, e))
    }

    fn power(&mut self) -> Parsed {
        let base = self.primary()?;
        let Some(Token {
            kind: TokenKind::Operator(MathOperator::Power),
            at,
        }) = self.peek().cloned()
        else {
            return Ok(base);
        };
        self.next += 1;
        self.deeper(at)?;
        let exponent = self.unary()?;
        self.nesting -= 1;
        self.builder
            .binary(MathOperator::Power, base, exponent)
            .map_err(|e| Self::meaning(at, e))
    }

    fn primary(&mut self) -> Parsed {
        const OPERAND: &str = "a number, an Id, a function, \"(\" or \"[\"";
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected(OPERAND));
        };
        let at = token.at;
        let called = self.tokens.get(self.next + 1).map(|t| &t.kind) == Some(&TokenKind::LParen);
        match token.kind {
            TokenKind::Number(value) => {
                self.next += 1;
                self.builder.number(value).map_err(|e| Self::meaning(at, e))
            }
            TokenKind::Id(name) | TokenKind::Word(name) if called => {
                self.next += 2;
                self.deeper(at)?;
                let term = if name == "METRICS" {
                    self.metrics(at)?
                } else {
                    let args = self.arguments()?;
                    self.builder
                        .function(&name, args)
                        .map_err(|e| Self::meaning(at, e))?
                };
                self.nesting -= 1;
                Ok(term)
            }
            TokenKind::Id(name) => {
                self.next += 1;
                self.reference(&name, at)
            }
            TokenKind::Word(word) if word == "AND" || word == "OR" => {
                Err(ExpressionError::at(at, NO_LOGIC.to_owned()))
            }
            TokenKind::Word(word) => Err(ExpressionError::at(
                at,
                format!(
                    "{word} is neither an Id (an Id starts with a lowercase letter) nor a \
                     function call"
                ),
            )),
            TokenKind::LParen => {
                self.next += 1;
                self.deeper(at)?;
                let term = self.sum()?;
                self.expect(&TokenKind::RParen, "\")\"")?;
                self.nesting -= 1;
                Ok(term)
            }
            TokenKind::LBracket => {
                self.next += 1;
                self.deeper(at)?;
                let mut items = vec![self.sum()?];
                while self.peek_kind() == Some(&TokenKind::Comma) {
                    self.next += 1;
                    items.push(self.sum()?);
                }
                self.expect(&TokenKind::RBracket, "\",\" or \"]\"")?;
                self.nesting -= 1;
                self.builder.array(items).map_err(|e| Self::meaning(at, e))
            }
            TokenKind::Text(_) => Err(ExpressionError::at(
                at,
                "a string is only an argument of METRICS, as in METRICS(\"errors\")".to_owned(),
            )),
            _ => Err(self.expected(OPERAND)),
        }
    }

    /// A function's arguments after its "(", up to and with its ")". A bare upper-case word is
    /// a keyword argument (`REPEAT`), which the function judges.
    fn arguments(&mut self) -> Result<Vec<MetricMathTerm>, ExpressionError> {
        let mut args = Vec::new();
        if self.peek_kind() == Some(&TokenKind::RParen) {
            self.next += 1;
            return Ok(args);
        }
        loop {
            let after = self.tokens.get(self.next + 1).map(|t| &t.kind);
            match self.peek_kind() {
                Some(TokenKind::Word(word))
                    if matches!(after, Some(TokenKind::Comma | TokenKind::RParen)) =>
                {
                    let word = word.clone();
                    self.next += 1;
                    args.push(self.builder.keyword(&word));
                }
                _ => args.push(self.sum()?),
            }
            match self.peek_kind() {
                Some(TokenKind::Comma) => self.next += 1,
                Some(TokenKind::RParen) => {
                    self.next += 1;
                    return Ok(args);
                }
                _ => return Err(self.expected("\",\" or \")\"")),
            }
        }
    }

    /// METRICS() or METRICS("text"): "returns all the metrics in the request. Math expressions
    /// aren't included", or "only the graphed metrics that contain that string in their Id
    /// field".
    fn metrics(&mut self, at: usize) -> Parsed {
        let filter = match self.peek().map(|t| t.kind.clone()) {
            Some(TokenKind::RParen) => None,
            Some(TokenKind::Text(text)) => {
                self.next += 1;
                Some(text)
            }
            _ => {
                return Err(ExpressionError::at(
                    at,
                    "METRICS takes no argument or one string, as in METRICS(\"errors\")".to_owned(),
                ));
            }
        };
        self.expect(&TokenKind::RParen, "\")\"")?;
        let items: Vec<MetricMathTerm> = self
            .queries
            .iter()
            .zip(self.terms)
            .filter(|(query, _)| query.metric_stat.is_some())
            .filter(|(query, _)| filter.as_deref().is_none_or(|f| query.id.contains(f)))
            .filter_map(|(_, term)| term.clone())
            .collect();
        if items.is_empty() {
            return Err(ExpressionError::at(
                at,
                match filter {
                    Some(text) => format!("METRICS({text:?}): no metric's Id contains {text:?}"),
                    None => "METRICS(): the list has no query with MetricStat".to_owned(),
                },
            ));
        }
        self.builder.array(items).map_err(|e| Self::meaning(at, e))
    }

    fn reference(&mut self, name: &str, at: usize) -> Parsed {
        // Ids were checked against the list before parsing; a term is missing only for an
        // expression not built yet, which the build order rules out.
        self.index_of
            .get(name)
            .and_then(|&j| self.terms.get(j))
            .and_then(Clone::clone)
            .ok_or_else(|| {
                ExpressionError::at(at, format!("{name} is not the Id of any query in Metrics"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.";
    const ALARM: &str = "[0].";
    const NONE: f64 = f64::NAN;

    /// The tests' resolver: a metric is its MetricName and Stat; `Bogus` is refused, naming the
    /// field as a real resolver would.
    fn resolve(prefix: &str, stat: &MetricStatBody) -> Result<String, ScenarioError> {
        let name = stat.metric.metric_name.clone().unwrap_or_default();
        if name == "Bogus" {
            return Err(ScenarioError::Field {
                path: "policy.json".into(),
                field: format!("{prefix}Metric.MetricName"),
                message: "is not simulated".to_owned(),
            });
        }
        Ok(format!("{name}/{}", stat.stat))
    }

    fn build(of: MetricsOf, json: &str) -> Result<(Vec<String>, MetricMath), ScenarioError> {
        let queries: Vec<Value> = serde_json::from_str(json).unwrap();
        let prefix = match of {
            MetricsOf::TargetTracking => POLICY,
            MetricsOf::Alarm => ALARM,
        };
        metric_math(&queries, of, Path::new("policy.json"), prefix, resolve)
            .map(|list| (list.metrics, list.expression))
    }

    /// The error's `field: message`, without the file.
    fn error(of: MetricsOf, json: &str) -> String {
        match build(of, json) {
            Err(ScenarioError::Field { field, message, .. }) => format!("{field}: {message}"),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    /// A target-tracking query with a MetricStat.
    fn metric(id: &str, name: &str) -> String {
        format!(
            r#"{{ "Id": "{id}", "ReturnData": false, "MetricStat": {{ "Metric": {{
                "MetricName": "{name}", "Namespace": "AWS/SageMaker" }}, "Stat": "Sum" }} }}"#
        )
    }

    /// Metrics m1, m2, m3 and e1 = `expression`, returned.
    fn with_expression(expression: &str) -> String {
        format!(
            r#"[{}, {}, {}, {{ "Id": "e1", "Expression": {expression:?} }}]"#,
            metric("m1", "A"),
            metric("m2", "B"),
            metric("m3", "C")
        )
    }

    /// The value of `expression` over m1, m2, m3 with these datapoints.
    fn value(expression: &str, datapoints: [f64; 3]) -> f64 {
        let (_, math) = build(MetricsOf::TargetTracking, &with_expression(expression)).unwrap();
        math.evaluate(|i| datapoints[i])
    }

    /// The error of `expression` as e1 (Metrics[3]), without the field.
    fn expression_error(expression: &str) -> String {
        let full = error(MetricsOf::TargetTracking, &with_expression(expression));
        let field = format!("{POLICY}Metrics[3].Expression: ");
        full.strip_prefix(&field)
            .unwrap_or_else(|| panic!("expected an error of {field}, got {full}"))
            .to_owned()
    }

    fn check(got: f64, expected: f64) {
        if expected.is_nan() {
            assert!(got.is_nan(), "expected no datapoint, got {got}");
        } else {
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn worked_example_invocations_per_copy_filled_with_zero() {
        // docs/semantics/aws-metric-math.md, example 1: InvocationsPerCopy has no datapoint in
        // a minute without a copy; FILL(m1, 0) makes it 0 there. Minute with 40: 40; minute
        // without a copy: 0.
        let json = r#"[
          { "Id": "m1", "ReturnData": false, "Label": "invocations per copy",
            "MetricStat": { "Metric": { "MetricName": "InvocationsPerCopy",
              "Namespace": "AWS/SageMaker",
              "Dimensions": [{ "Name": "InferenceComponentName", "Value": "ic-1" }] },
              "Stat": "Average", "Unit": "Count" } },
          { "Id": "e1", "Expression": "FILL(m1, 0)", "Label": "filled", "ReturnData": true }
        ]"#;
        let (leaves, math) = build(MetricsOf::TargetTracking, json).unwrap();
        assert_eq!(leaves, ["InvocationsPerCopy/Average"]);
        check(math.evaluate(|_| 40.0), 40.0);
        check(math.evaluate(|_| NONE), 0.0);
    }

    #[test]
    fn worked_example_failure_share_alarm() {
        // Example 2: an alarm on the share of requests that failed for want of a copy,
        // e1 = 100 * m2 / (m1 + m2), m1 Invocations, m2 NoCapacityInvocationFailures.
        // 300 and 100: 100 × 100 / 400 = 25. 0 and 50: 100 × 50 / 50 = 100.
        // 0 and 0: 0 / 0 divides by zero, and the datapoint is dropped.
        let json = r#"[
          { "Id": "m1", "ReturnData": false, "AccountId": "123456789012",
            "MetricStat": { "Metric": { "MetricName": "Invocations", "Namespace": "AWS/SageMaker" },
              "Period": 60, "Stat": "Sum" } },
          { "Id": "m2", "ReturnData": false,
            "MetricStat": { "Metric": { "MetricName": "NoCapacityInvocationFailures",
              "Namespace": "AWS/SageMaker" }, "Period": 60, "Stat": "Sum" } },
          { "Id": "e1", "Expression": "100 * m2 / (m1 + m2)", "Label": "failure %",
            "ReturnData": true }
        ]"#;
        let (leaves, math) = build(MetricsOf::Alarm, json).unwrap();
        assert_eq!(
            leaves,
            ["Invocations/Sum", "NoCapacityInvocationFailures/Sum"]
        );
        check(math.evaluate(|i| [300.0, 100.0][i]), 25.0);
        check(math.evaluate(|i| [0.0, 50.0][i]), 100.0);
        check(math.evaluate(|_| 0.0), NONE);
    }

    #[test]
    fn worked_example_an_expression_using_an_expression() {
        // Example 3: e1 = AVG([m1, m2]) (not returned), e2 = CEIL(e1). AVG counts a missing
        // datapoint as 0: m1 = 5, m2 missing gives 2.5, CEIL 3; 5 and 2 give 3.5, CEIL 4;
        // both missing give none.
        let json = format!(
            r#"[{}, {}, {{ "Id": "e2", "Expression": "CEIL(e1)" }},
                {{ "Id": "e1", "Expression": "AVG([m1, m2])", "ReturnData": false }}]"#,
            metric("m1", "A"),
            metric("m2", "B")
        );
        let (_, math) = build(MetricsOf::TargetTracking, &json).unwrap();
        check(math.evaluate(|i| [5.0, NONE][i]), 3.0);
        check(math.evaluate(|i| [5.0, 2.0][i]), 4.0);
        check(math.evaluate(|_| NONE), NONE);
    }

    #[test]
    fn operators_bind_as_in_written_mathematics() {
        // m1 = 2, m2 = 10, m3 = 3.
        let d = [2.0, 10.0, 3.0];
        check(value("m1 + m2 * m3", d), 32.0); // 2 + 30
        check(value("(m1 + m2) * m3", d), 36.0); // 12 × 3
        check(value("m2 - m1 - m3", d), 5.0); // (10 - 2) - 3
        check(value("m2 / m1 / 5", d), 1.0); // (10 / 2) / 5
        check(value("-m1 ^ 2", d), -4.0); // -(2²)
        check(value("m1 ^ m3 ^ 2", d), 512.0); // 2^(3²) = 2⁹
        check(value("m1 ^ -1", d), 0.5);
        check(value("- - m1", d), 2.0);
        check(value("m3*1.5", d), 4.5);
        check(value(" m1\n+\tm2 ", d), 12.0);
    }

    #[test]
    fn metrics_gives_the_metrics_of_the_list_by_their_ids() {
        // SUM(METRICS()) = 1 + 2 + 4; METRICS("2") holds m2 alone; the expression e1 is not a
        // metric.
        let d = [1.0, 2.0, 4.0];
        check(value("SUM(METRICS())", d), 7.0);
        check(value("MAX(METRICS(\"2\"))", d), 2.0);
        check(value("SUM([METRICS(\"1\"), METRICS(\"3\")])", d), 5.0);
        assert_eq!(
            expression_error("SUM(METRICS(\"z\"))"),
            "at character 5: METRICS(\"z\"): no metric's Id contains \"z\""
        );
        assert_eq!(
            expression_error("SUM(METRICS(m1))"),
            "at character 5: METRICS takes no argument or one string, as in METRICS(\"errors\")"
        );
    }

    #[test]
    fn every_metric_is_resolved_in_list_order_whether_used_or_not() {
        // e1 reads only m2, the second metric; the three are resolved all the same, and the
        // expression asks for index 1.
        let json = with_expression("m2 * 2");
        let (leaves, math) = build(MetricsOf::TargetTracking, &json).unwrap();
        assert_eq!(leaves, ["A/Sum", "B/Sum", "C/Sum"]);
        check(math.evaluate(|i| [NONE, 21.0, NONE][i]), 42.0);
    }

    #[test]
    fn one_metric_alone_is_returned_by_default() {
        // "If you are only retrieving metrics and not performing any math expressions, do not
        // specify anything for ReturnData": the metric's own datapoint.
        let json = r#"[{ "Id": "m1", "MetricStat": { "Metric": { "MetricName": "A" },
            "Stat": "Average" } }]"#;
        let (leaves, math) = build(MetricsOf::TargetTracking, json).unwrap();
        assert_eq!(leaves, ["A/Average"]);
        check(math.evaluate(|_| 7.0), 7.0);
    }

    #[test]
    fn ids_follow_aws_pattern_and_are_unique() {
        let json = format!("[{}]", metric("M1", "A"));
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!(
                "{POLICY}Metrics[0].Id: \"M1\" is not a valid Id: the valid characters are \
                 letters, numbers and underscores, and the first character must be a lowercase \
                 letter"
            )
        );
        let json = format!("[{}]", metric("m-1", "A"));
        assert!(error(MetricsOf::TargetTracking, &json).contains("\"m-1\" is not a valid Id"));
        let json = format!("[{}]", metric("", "A"));
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!("{POLICY}Metrics[0].Id: must be 1 to 255 characters long, got 0")
        );
        let json = format!("[{}]", metric(&"m".repeat(256), "A"));
        assert!(error(MetricsOf::TargetTracking, &json).ends_with("got 256"));
        let json = format!("[{}, {}]", metric("m_1", "A"), metric("m_1", "B"));
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!(
                "{POLICY}Metrics[1].Id: \"m_1\" is already the Id of Metrics[0]: Ids must be \
                 unique among the queries of one scaling policy"
            )
        );
    }

    #[test]
    fn a_query_has_exactly_one_of_expression_and_metric_stat() {
        let json = r#"[{ "Id": "e1", "Expression": "m1",
            "MetricStat": { "Metric": { "MetricName": "A" }, "Stat": "Sum" } }]"#;
        assert_eq!(
            error(MetricsOf::TargetTracking, json),
            format!(
                "{POLICY}Metrics[0].Expression: exactly one of Expression and MetricStat is \
                 required, got both"
            )
        );
        assert!(error(MetricsOf::TargetTracking, r#"[{ "Id": "e1" }]"#).ends_with("got neither"));
        assert_eq!(
            expression_error(""),
            "must be 1 to 2048 characters long, got 0"
        );
        assert_eq!(
            expression_error(&format!("m1{}", " ".repeat(2_047))),
            "must be 1 to 2048 characters long, got 2049"
        );
    }

    #[test]
    fn exactly_one_query_returns_data_and_it_is_the_final_expression() {
        // Two metrics without ReturnData both default to true.
        let plain = |id: &str| {
            format!(
                r#"{{ "Id": "{id}", "MetricStat": {{ "Metric": {{ "MetricName": "A" }},
                "Stat": "Sum" }} }}"#
            )
        };
        let json = format!("[{}, {}]", plain("m1"), plain("m2"));
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!(
                "{POLICY}Metrics[1].ReturnData: only one query may have ReturnData true, and \
                 Metrics[0] has it already (ReturnData is true when left out): set it to false \
                 on every query but the final expression, whose result the policy tracks"
            )
        );
        let json = format!(
            r#"[{}, {{ "Id": "e1", "Expression": "m1 * 2", "ReturnData": false }}]"#,
            metric("m1", "A")
        );
        assert_eq!(
            error(
                MetricsOf::Alarm,
                &json.replace(r#""Stat""#, r#""Period": 60, "Stat""#)
            ),
            "[0].Metrics: no query has ReturnData true: set it on the final expression, whose \
             result the alarm watches"
        );
        let json = format!(
            r#"[{}, {{ "Id": "e1", "Expression": "m1 * 2", "ReturnData": false }}]"#,
            plain("m1")
        );
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!(
                "{POLICY}Metrics[0].ReturnData: must be false on a metric when the list has \
                 math expressions: ReturnData true goes on the final math expression"
            )
        );
    }

    #[test]
    fn expressions_name_only_other_queries_of_the_list() {
        assert_eq!(
            expression_error("m1 + m4"),
            "at character 6: m4 is not the Id of any query in Metrics"
        );
        assert_eq!(
            expression_error("e1 + 1"),
            "at character 1: e1 is this query's own Id: an expression cannot use its own result"
        );
    }

    #[test]
    fn expressions_that_use_each_other_in_a_circle_are_refused() {
        let json = format!(
            r#"[{}, {{ "Id": "e3", "Expression": "e1", "ReturnData": false }},
                {{ "Id": "e1", "Expression": "e2 + m1", "ReturnData": false }},
                {{ "Id": "e2", "Expression": "e1 * 2" }}]"#,
            metric("m1", "A")
        );
        // e3 is first in the list but outside the circle; the circle starts at e1.
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!(
                "{POLICY}Metrics[2].Expression: e1 uses e2, which uses e1: expressions cannot \
                 use each other's results in a circle"
            )
        );
        let json = r#"[{ "Id": "a", "Expression": "b", "ReturnData": false },
            { "Id": "b", "Expression": "c", "ReturnData": false },
            { "Id": "c", "Expression": "a" }]"#;
        assert!(error(MetricsOf::TargetTracking, json).ends_with(
            "Metrics[0].Expression: a uses b, which uses c, which uses a: expressions \
                 cannot use each other's results in a circle"
        ));
    }

    #[test]
    fn syntax_errors_name_the_character() {
        assert_eq!(
            expression_error("m1 + * m2"),
            "at character 6: expected a number, an Id, a function, \"(\" or \"[\", got \"*\""
        );
        assert_eq!(
            expression_error("(m1 + 2"),
            "at character 8: expected \")\", got the end of the expression"
        );
        assert_eq!(
            expression_error("m1 m2"),
            "at character 4: expected an operator or the end of the expression, got m2"
        );
        assert_eq!(
            expression_error("m1 % 2"),
            "at character 4: unexpected character '%'"
        );
        assert_eq!(
            expression_error("m1 * 1."),
            "at character 7: a decimal point must be followed by digits"
        );
        assert_eq!(
            expression_error("m1 + é"),
            "at character 6: unexpected character 'é'"
        );
        assert!(expression_error("m1 > 5").starts_with(
            "at character 4: comparison and logical operators (== != < <= > >= AND OR && ||) \
             are not supported"
        ));
        assert!(expression_error("m1 AND m2").starts_with("at character 4: comparison"));
        assert_eq!(
            expression_error("m1 * Foo"),
            "at character 6: Foo is neither an Id (an Id starts with a lowercase letter) nor a \
             function call"
        );
        assert_eq!(
            expression_error("SUM([m1, m2)"),
            "at character 12: expected \",\" or \"]\", got \")\""
        );
        let deep = format!("{}m1{}", "(".repeat(101), ")".repeat(101));
        assert_eq!(
            expression_error(&deep),
            "at character 101: parentheses, brackets, calls, minus signs and powers nest more \
             than 100 deep"
        );
        let fine = format!("{}m1{}", "(".repeat(100), ")".repeat(100));
        check(value(&fine, [3.0, NONE, NONE]), 3.0);
    }

    #[test]
    fn functions_and_forms_outside_the_per_timestamp_ones_are_refused_where_they_are() {
        assert!(expression_error("m2 + RATE(m1)").starts_with(
            "at character 6: RATE depends on the datapoint before, not on one timestamp alone; \
             supported: "
        ));
        assert_eq!(
            expression_error("sum([m1, m2])"),
            "at character 1: sum is not a function: CloudWatch's metric math functions are \
             written in upper case (SUM)"
        );
        assert!(
            expression_error("m1 - SUM(m1)")
                .starts_with("at character 6: SUM of one time series is one number")
        );
        assert!(
            expression_error("FILL(m1, REPEAT)")
                .starts_with("at character 1: FILL(series, REPEAT) fills a missing datapoint")
        );
        assert!(expression_error("[m1, m2] * [m3]").starts_with(
            "at character 10: * cannot combine an array of 2 time series with an array of 1 \
             time series"
        ));
        assert_eq!(
            expression_error("2 * 3"),
            "the expression gives a number; the result of a math expression must be a time \
             series or an array of time series (CloudWatch's metric math syntax)"
        );
        assert_eq!(
            expression_error("[m1, m2]"),
            "the expression gives an array of 2 time series; a policy or an alarm watches a \
             single time series"
        );
        assert_eq!(
            expression_error("m1 * \"a\""),
            "at character 6: a string is only an argument of METRICS, as in METRICS(\"errors\")"
        );
    }

    #[test]
    fn the_resolver_is_asked_with_each_metric_stats_field_path() {
        let json = format!("[{}, {}]", metric("m1", "A"), metric("m2", "Bogus"));
        let json = json.replacen(r#""ReturnData": false"#, r#""ReturnData": true"#, 1);
        assert_eq!(
            error(MetricsOf::TargetTracking, &json),
            format!("{POLICY}Metrics[1].MetricStat.Metric.MetricName: is not simulated")
        );
    }

    #[test]
    fn each_api_has_its_own_fields() {
        // Application Auto Scaling's TargetTrackingMetricStat has no Period; CloudWatch's
        // MetricStat requires one.
        let with_period = r#"[{ "Id": "m1", "MetricStat": { "Metric": { "MetricName": "A" },
            "Stat": "Sum", "Period": 60 } }]"#;
        assert!(
            error(MetricsOf::TargetTracking, with_period).starts_with(&format!(
                "{POLICY}Metrics[0].MetricStat: unknown field `Period`, expected one of \
                 `Metric`, `Stat`, `Unit`"
            ))
        );
        let (_, math) = build(MetricsOf::Alarm, with_period).unwrap();
        check(math.evaluate(|_| 1.5), 1.5);
        let without = r#"[{ "Id": "m1", "MetricStat": { "Metric": { "MetricName": "A" },
            "Stat": "Sum" } }]"#;
        assert!(
            error(MetricsOf::Alarm, without)
                .starts_with("[0].Metrics[0].MetricStat: missing field `Period`")
        );
        assert!(
            error(
                MetricsOf::TargetTracking,
                r#"[{ "Id": "m1", "Expresion": "m2" }]"#
            )
            .starts_with(&format!("{POLICY}Metrics[0]: unknown field `Expresion`"))
        );
        let query_period = r#"[{ "Id": "e1", "Expression": "m1", "Period": 300 }]"#;
        assert_eq!(
            error(MetricsOf::Alarm, query_period),
            "[0].Metrics[0].Period: a query's own Period is not supported (got 300); the \
             metrics' MetricStat.Period sets the period of their datapoints"
        );
        assert_eq!(
            error(MetricsOf::Alarm, "[]"),
            "[0].Metrics: must hold at least one query"
        );
    }

    #[test]
    fn an_alarm_takes_at_most_ten_metrics_and_ten_expressions() {
        let alarm_metric = |i: usize| {
            format!(
                r#"{{ "Id": "m{i}", "ReturnData": false, "MetricStat": {{ "Metric": {{
                "MetricName": "A" }}, "Period": 60, "Stat": "Sum" }} }}"#
            )
        };
        let metrics: Vec<String> = (0..11).map(alarm_metric).collect();
        let json = format!(
            r#"[{}, {{ "Id": "e1", "Expression": "SUM(METRICS())" }}]"#,
            metrics.join(", ")
        );
        assert_eq!(
            error(MetricsOf::Alarm, &json),
            "[0].Metrics: an alarm takes at most 10 queries with MetricStat and 10 with \
             Expression (PutMetricAlarm), got 11 and 1"
        );
        // Ten metrics of value 1 each: SUM(METRICS()) = 10. Target tracking has no such bound.
        let json = format!(
            r#"[{}, {{ "Id": "e1", "Expression": "SUM(METRICS())" }}]"#,
            metrics[..10].join(", ")
        );
        let (_, math) = build(MetricsOf::Alarm, &json).unwrap();
        check(math.evaluate(|_| 1.0), 10.0);
        let many: Vec<String> = (0..21).map(alarm_metric).collect();
        assert_eq!(
            error(MetricsOf::Alarm, &format!("[{}]", many.join(", "))),
            "[0].Metrics: an alarm takes at most 20 queries (PutMetricAlarm), got 21"
        );
        let tracked: Vec<String> = (0..11).map(|i| metric(&format!("m{i}"), "A")).collect();
        let json = format!(
            r#"[{}, {{ "Id": "e1", "Expression": "SUM(METRICS())" }}]"#,
            tracked.join(", ")
        );
        let (_, math) = build(MetricsOf::TargetTracking, &json).unwrap();
        check(math.evaluate(|_| 1.0), 11.0);
    }
}
