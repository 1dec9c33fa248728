//! CloudWatch metric math as AWS request bodies give it: the `Metrics` list of a target-tracking
//! policy's `CustomizedMetricSpecification` (TargetTrackingMetricDataQuery) or of a
//! PutMetricAlarm body (MetricDataQuery), checked by AWS's rules, named by field path, and built
//! into the core's [`MetricMath`] (semantics: `docs/semantics/aws-metric-math.md`).
//!
//! [`metric_math`] is generic over how a metric is resolved: it hands every query's `MetricStat`
//! to the caller, in list order, and numbers the metrics the expression reads by that order.

// Wired into aws.rs (CustomizedMetricSpecification.Metrics, PutMetricAlarm.Metrics) by the
// change that maps MetricStat to the simulated metrics; until then only the tests call it.
#![allow(dead_code, reason = "the caller in aws.rs comes with the resolver")]

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
    #[allow(dead_code, reason = "names the result for people")]
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
    #[allow(dead_code, reason = "names the result for people")]
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
) -> Result<(Vec<T>, MetricMath), ScenarioError> {
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
    let math = builder
        .build(result)
        .map_err(|e| error(result_field, e.to_string()))?;
    Ok((leaves, math))
}

/// Reads one query of the list by its API's shape into the common form.
fn query(value: &Value, of: MetricsOf, path: &Path, field: &str) -> Result<Query, ScenarioError> {
    Ok(match of {
        MetricsOf::TargetTracking => {
            let q: TargetTrackingMetricDataQuery = parse_value(value, path, field)?;
            Query {
                id: q.id,
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
                    "parentheses, brackets, calls and minus signs nest more than {MAX_NESTING} \
                     deep"
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
