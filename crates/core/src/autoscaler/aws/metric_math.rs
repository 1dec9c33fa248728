//! CloudWatch metric math, evaluated one timestamp at a time (semantics:
//! `docs/semantics/aws-metric-math.md`).
//!
//! A target-tracking policy's `CustomizedMetricSpecification.Metrics` and a PutMetricAlarm's
//! `Metrics` name metrics and combine them with math expressions; the simulation has one value a
//! minute for each metric, so an expression is worth having here only where CloudWatch's result
//! at a timestamp depends on the metrics' datapoints at that timestamp alone. [`MetricMath`] is
//! such an expression, built once by a [`MetricMathBuilder`] that refuses every other form, and
//! evaluated with [`MetricMath::evaluate`] without allocating.
//!
//! Sources: "Metric math syntax and functions" in "Using metric math", Amazon CloudWatch User
//! Guide, <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax>
//! (read from its published source, awsdocs/amazon-cloudwatch-user-guide,
//! `doc_source/using-metric-math.md`), quoted where a rule is implemented.
//!
//! The three kinds of values are CloudWatch's: a number (S), a time series (TS) and an array of
//! time series (TS[]). Arrays exist only while building: an operation on an array is applied to
//! each of its series ("METRICS()/100 returns an array of time series, each of which is a time
//! series showing each data point of one of the metrics divided by 100"), so a built expression
//! holds numbers and series only, and SUM, AVG, MIN and MAX of an array are the one place
//! series are combined across.

use std::fmt;

/// The deepest a built expression may nest, expressions it uses included: evaluation recurses
/// once per level, so this bounds the stack it takes. A 2,048-character expression of 1,000
/// terms added in a row nests 1,000 deep.
pub const MAX_METRIC_MATH_DEPTH: u32 = 1_000;

/// The most nodes one evaluation may visit, an expression used twice counted twice: expressions
/// may use one another's results, so the work of an evaluation can grow faster than the text.
pub const MAX_METRIC_MATH_STEPS: u64 = 100_000;

/// What this module evaluates, for messages that refuse something else.
const SUPPORTED: &str = "numbers, Ids, + - * / ^, unary -, parentheses, arrays [a, b, ...] of \
                         time series, METRICS(), ABS, CEIL, FLOOR, FILL(series, number), and \
                         SUM, AVG, MIN, MAX of an array";

/// CloudWatch's functions that this module does not evaluate, with the reason given to the user.
/// The list is the table of "Functions supported for metric math" (plus METRICS, which the
/// caller expands into an array of the request's metrics).
const UNSUPPORTED: [(&str, &str); 29] = [
    (
        "ANOMALY_DETECTION_BAND",
        "needs an anomaly detection model, which is not simulated",
    ),
    (
        "DATAPOINT_COUNT",
        "is not supported yet (of one time series it is one number for the whole time range)",
    ),
    (
        "DATE",
        "is not supported yet: it reads the calendar date of the timestamp",
    ),
    (
        "DAY",
        "is not supported yet: it reads the calendar date of the timestamp",
    ),
    (
        "DIFF",
        "depends on the datapoint before, not on one timestamp alone",
    ),
    (
        "DIFF_TIME",
        "depends on the datapoint before, not on one timestamp alone",
    ),
    (
        "EPOCH",
        "is not supported yet: it reads the calendar time of the timestamp",
    ),
    ("FIRST", "is not supported yet"),
    (
        "HOUR",
        "is not supported yet: it reads the calendar time of the timestamp",
    ),
    ("IF", "is not supported yet"),
    (
        "INSIGHT_RULE_METRIC",
        "reads Contributor Insights data, which is not simulated",
    ),
    ("LAST", "is not supported yet"),
    ("LOG", "is not supported yet"),
    ("LOG10", "is not supported yet"),
    (
        "METRICS",
        "is expanded by the caller into an array of the request's metrics",
    ),
    ("METRIC_COUNT", "is not supported yet"),
    (
        "MINUTE",
        "is not supported yet: it reads the calendar time of the timestamp",
    ),
    (
        "MONTH",
        "is not supported yet: it reads the calendar date of the timestamp",
    ),
    ("PERIOD", "is not supported yet"),
    (
        "RATE",
        "depends on the datapoint before, not on one timestamp alone",
    ),
    ("REMOVE_EMPTY", "is not supported yet"),
    (
        "RUNNING_SUM",
        "depends on every datapoint before, not on one timestamp alone",
    ),
    (
        "SEARCH",
        "searches the account's metrics, which are not simulated; an alarm cannot use it either",
    ),
    (
        "SERVICE_QUOTA",
        "reads the account's service quotas, which are not simulated",
    ),
    ("SLICE", "is not supported yet"),
    ("SORT", "is not supported yet"),
    (
        "STDDEV",
        "is not supported yet (of one time series it is one number for the whole time range)",
    ),
    ("TIME_SERIES", "is not supported yet"),
    (
        "YEAR",
        "is not supported yet: it reads the calendar date of the timestamp",
    ),
];

/// The functions this module evaluates.
const SUPPORTED_FUNCTIONS: [&str; 8] = ["ABS", "CEIL", "FLOOR", "FILL", "SUM", "AVG", "MIN", "MAX"];

/// Why an expression could not be built; each message says what CloudWatch or this module
/// takes instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricMathError {
    /// A number that is NaN or infinite.
    #[error("{value} is not a finite number")]
    NotFinite {
        /// The number given.
        value: f64,
    },
    /// A function written other than in upper case.
    #[error(
        "{name} is not a function: CloudWatch's metric math functions are written in upper case \
         ({upper})"
    )]
    LowerCase {
        /// The name as written.
        name: String,
        /// The function's name.
        upper: &'static str,
    },
    /// A name that is no CloudWatch metric math function.
    #[error("{name} is not a metric math function; supported: {SUPPORTED}")]
    UnknownFunction {
        /// The name as written.
        name: String,
    },
    /// A CloudWatch function, or a form of one, that is not evaluated here.
    #[error("{function} {why}; supported: {SUPPORTED}")]
    Unsupported {
        /// The function, or the form of it (`FILL(series, REPEAT)`).
        function: String,
        /// Why, as a phrase following the function's name.
        why: &'static str,
    },
    /// SUM, AVG, MIN or MAX of one time series, which CloudWatch reduces to one number.
    #[error(
        "{function} of one time series is one number for the whole time range CloudWatch \
         fetches, not a value per timestamp, so it would change with how much data is fetched \
         (CloudWatch advises against it in alarms); {function} of an array, {function}([m1, \
         m2]), combines series timestamp by timestamp"
    )]
    WholeRange {
        /// The function.
        function: &'static str,
    },
    /// Arguments of a kind or number a function does not take.
    #[error("{function} takes {expected}, got {got}")]
    Arguments {
        /// The function.
        function: &'static str,
        /// What it takes, as CloudWatch's table lists it.
        expected: &'static str,
        /// What it was given.
        got: String,
    },
    /// Operands an operator does not combine.
    #[error(
        "{operator} cannot combine {left} with {right}: CloudWatch's arithmetic takes two \
         numbers, two time series, a time series and a number, or an array of time series and \
         a time series or a number"
    )]
    Operands {
        /// The operator, as written.
        operator: char,
        /// What its left operand is.
        left: String,
        /// What its right operand is.
        right: String,
    },
    /// An array item that is not a time series.
    #[error("an array holds time series, got {got}")]
    ArrayItem {
        /// What the item is.
        got: String,
    },
    /// An array with nothing in it.
    #[error("an array needs at least one time series")]
    EmptyArray,
    /// An expression whose result is not what it must be.
    #[error("the expression gives {got}; {needed}")]
    Result {
        /// What it gives.
        got: String,
        /// What it must give, and the rule that says so.
        needed: &'static str,
    },
    /// An expression too deep or too large to evaluate within the module's bounds.
    #[error(
        "the expression, with the expressions it uses written out, {what}, more than the {max} \
         scalesim evaluates"
    )]
    TooLarge {
        /// What is too large, with its size.
        what: String,
        /// The bound.
        max: u64,
    },
}

/// An arithmetic operator: "Arithmetic operators: + - * / ^".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathOperator {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `^`, the power.
    Power,
}

impl MathOperator {
    fn symbol(self) -> char {
        match self {
            MathOperator::Add => '+',
            MathOperator::Subtract => '-',
            MathOperator::Multiply => '*',
            MathOperator::Divide => '/',
            MathOperator::Power => '^',
        }
    }

    fn apply(self, left: f64, right: f64) -> f64 {
        match self {
            MathOperator::Add => left + right,
            MathOperator::Subtract => left - right,
            MathOperator::Multiply => left * right,
            MathOperator::Divide => left / right,
            // libm rather than the platform's pow, so that results are the same bits
            // everywhere.
            MathOperator::Power => libm::pow(left, right),
        }
    }
}

/// A function applied to each datapoint of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pointwise {
    Negate,
    Abs,
    Ceil,
    Floor,
}

/// A function reducing an array of series to one series, timestamp by timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reducer {
    Sum,
    Avg,
    Min,
    Max,
}

/// One node of a built expression; children are indices into [`MetricMath::nodes`], always
/// smaller than the node's own index.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A number, present at every timestamp.
    Number(f64),
    /// The datapoint of the caller's i-th metric.
    Metric(usize),
    Pointwise {
        function: Pointwise,
        operand: u32,
    },
    Binary {
        operator: MathOperator,
        left: u32,
        right: u32,
        /// Both operands are time series, so that a missing datapoint counts as 0 while the
        /// other has one.
        both_series: bool,
    },
    Fill {
        series: u32,
        filler: u32,
    },
    /// `args[first..first + len]` are the series reduced.
    Reduce {
        reducer: Reducer,
        first: u32,
        len: u32,
    },
}

/// A value while an expression is being built: the handle a [`MetricMathBuilder`] gives out
/// and takes back. Cloning one refers to the same nodes again (an expression used twice).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricMathTerm(TermKind);

#[derive(Debug, Clone, PartialEq)]
enum TermKind {
    Number(u32),
    Series(u32),
    Array(Vec<u32>),
    /// A bare upper-case word, which only a function's argument list may hold (`REPEAT`).
    Keyword(String),
}

impl MetricMathTerm {
    fn describe(&self) -> String {
        match &self.0 {
            TermKind::Number(_) => "a number".to_owned(),
            TermKind::Series(_) => "a time series".to_owned(),
            TermKind::Array(items) => format!("an array of {} time series", items.len()),
            TermKind::Keyword(word) => format!("the keyword {word}"),
        }
    }
}

/// Depth and evaluation steps of a node, counted when it is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Size {
    depth: u32,
    steps: u64,
}

/// Builds a [`MetricMath`] bottom up, the way a parser meets an expression: each method takes
/// the [`MetricMathTerm`]s of the operands and returns the term of the result, refusing what CloudWatch
/// does not accept or what does not give a value per timestamp.
///
/// ```
/// use scalesim_core::{MathOperator, MetricMath};
///
/// // SUM([m1, m2]) / 2, with m1 and m2 the caller's metrics 0 and 1.
/// let mut b = MetricMath::builder();
/// let (m1, m2) = (b.metric(0), b.metric(1));
/// let both = b.array(vec![m1, m2])?;
/// let sum = b.function("SUM", vec![both])?;
/// let two = b.number(2.0)?;
/// let half = b.binary(MathOperator::Divide, sum, two)?;
/// let math = b.build(half)?;
/// assert_eq!(math.evaluate(|i| [30.0, 10.0][i]), 20.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MetricMathBuilder {
    nodes: Vec<Node>,
    sizes: Vec<Size>,
    args: Vec<u32>,
}

impl MetricMathBuilder {
    fn push(&mut self, node: Node, children: &[u32]) -> u32 {
        let mut size = Size { depth: 1, steps: 1 };
        for &child in children {
            let child = self.size(child);
            size.depth = size.depth.max(child.depth.saturating_add(1));
            size.steps = size.steps.saturating_add(child.steps);
        }
        let index = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(node);
        self.sizes.push(size);
        index
    }

    fn size(&self, node: u32) -> Size {
        self.sizes.get(node as usize).copied().unwrap_or(Size {
            depth: u32::MAX,
            steps: u64::MAX,
        })
    }

    /// A number: "S represents a scalar number, such as 2, -5, or 50.25".
    pub fn number(&mut self, value: f64) -> Result<MetricMathTerm, MetricMathError> {
        if !value.is_finite() {
            return Err(MetricMathError::NotFinite { value });
        }
        Ok(MetricMathTerm(TermKind::Number(
            self.push(Node::Number(value), &[]),
        )))
    }

    /// The caller's `index`-th metric, a time series; [`MetricMath::evaluate`] asks the
    /// caller for its datapoint by this index.
    pub fn metric(&mut self, index: usize) -> MetricMathTerm {
        MetricMathTerm(TermKind::Series(self.push(Node::Metric(index), &[])))
    }

    /// A bare upper-case word in a function's argument list, such as FILL's `REPEAT`; no
    /// function evaluated here takes one, so it only ever leads to a precise refusal.
    pub fn keyword(&mut self, word: &str) -> MetricMathTerm {
        MetricMathTerm(TermKind::Keyword(word.to_owned()))
    }

    /// An array `[a, b, ...]` of time series. An item that is itself an array is spliced in,
    /// as CloudWatch's `SUM([METRICS("4xx"), METRICS("5xx")])` does.
    pub fn array(&mut self, items: Vec<MetricMathTerm>) -> Result<MetricMathTerm, MetricMathError> {
        let mut series = Vec::with_capacity(items.len());
        for item in items {
            match item.0 {
                TermKind::Series(node) => series.push(node),
                TermKind::Array(nodes) => series.extend(nodes),
                _ => {
                    return Err(MetricMathError::ArrayItem {
                        got: item.describe(),
                    });
                }
            }
        }
        if series.is_empty() {
            return Err(MetricMathError::EmptyArray);
        }
        Ok(MetricMathTerm(TermKind::Array(series)))
    }

    /// Unary minus: "Unary subtraction -: S TS TS[]".
    pub fn negate(&mut self, operand: MetricMathTerm) -> Result<MetricMathTerm, MetricMathError> {
        match operand.0 {
            TermKind::Keyword(_) => Err(MetricMathError::Operands {
                operator: '-',
                left: "nothing".to_owned(),
                right: operand.describe(),
            }),
            _ => Ok(self.pointwise(Pointwise::Negate, operand)),
        }
    }

    /// `left operator right`: "Arithmetic operators: + - * / ^ — S, S S, TS TS, TS S, TS[] TS,
    /// TS[]", with the examples `5 * m1`, `SUM(100/[m1, m2])` and `AVG([m1,m2]/m3)` showing
    /// either order. An array with an array is not among CloudWatch's forms and is refused.
    pub fn binary(
        &mut self,
        operator: MathOperator,
        left: MetricMathTerm,
        right: MetricMathTerm,
    ) -> Result<MetricMathTerm, MetricMathError> {
        let refuse = |left: &MetricMathTerm, right: &MetricMathTerm| MetricMathError::Operands {
            operator: operator.symbol(),
            left: left.describe(),
            right: right.describe(),
        };
        let term = match (&left.0, &right.0) {
            (TermKind::Number(l), TermKind::Number(r)) => {
                TermKind::Number(self.binary_node(operator, *l, *r, false))
            }
            (TermKind::Series(l), TermKind::Series(r)) => {
                TermKind::Series(self.binary_node(operator, *l, *r, true))
            }
            (TermKind::Series(l), TermKind::Number(r))
            | (TermKind::Number(l), TermKind::Series(r)) => {
                TermKind::Series(self.binary_node(operator, *l, *r, false))
            }
            (TermKind::Array(items), TermKind::Number(other) | TermKind::Series(other)) => {
                let both_series = matches!(right.0, TermKind::Series(_));
                let items = items.clone();
                TermKind::Array(
                    items
                        .into_iter()
                        .map(|item| self.binary_node(operator, item, *other, both_series))
                        .collect(),
                )
            }
            (TermKind::Number(other) | TermKind::Series(other), TermKind::Array(items)) => {
                let both_series = matches!(left.0, TermKind::Series(_));
                let items = items.clone();
                TermKind::Array(
                    items
                        .into_iter()
                        .map(|item| self.binary_node(operator, *other, item, both_series))
                        .collect(),
                )
            }
            _ => return Err(refuse(&left, &right)),
        };
        Ok(MetricMathTerm(term))
    }

    fn binary_node(&mut self, operator: MathOperator, left: u32, right: u32, both: bool) -> u32 {
        let node = Node::Binary {
            operator,
            left,
            right,
            both_series: both,
        };
        self.push(node, &[left, right])
    }

    fn pointwise(&mut self, function: Pointwise, operand: MetricMathTerm) -> MetricMathTerm {
        let one = |builder: &mut Self, node: u32| {
            builder.push(
                Node::Pointwise {
                    function,
                    operand: node,
                },
                &[node],
            )
        };
        match operand.0 {
            TermKind::Number(node) => MetricMathTerm(TermKind::Number(one(self, node))),
            TermKind::Series(node) => MetricMathTerm(TermKind::Series(one(self, node))),
            TermKind::Array(items) => MetricMathTerm(TermKind::Array(
                items.into_iter().map(|node| one(self, node)).collect(),
            )),
            keyword @ TermKind::Keyword(_) => MetricMathTerm(keyword),
        }
    }

    /// A function call, the name as written. Evaluated: ABS, CEIL, FLOOR ("TS TS[]", each
    /// datapoint), FILL ("TS, S" and "TS[], TS | S"), and SUM, AVG, MIN, MAX of an array
    /// ("The SUM of an array of time series returns a single time series"). Every other
    /// CloudWatch function is refused with its reason, and so is a name not in upper case:
    /// "All functions must be written in uppercase letters (such as AVG)".
    pub fn function(
        &mut self,
        name: &str,
        args: Vec<MetricMathTerm>,
    ) -> Result<MetricMathTerm, MetricMathError> {
        let Some(function) = SUPPORTED_FUNCTIONS.into_iter().find(|f| *f == name) else {
            return Err(unknown_function(name));
        };
        match function {
            "ABS" | "CEIL" | "FLOOR" => {
                let pointwise = match function {
                    "ABS" => Pointwise::Abs,
                    "CEIL" => Pointwise::Ceil,
                    _ => Pointwise::Floor,
                };
                match <[MetricMathTerm; 1]>::try_from(args) {
                    Ok([arg]) if matches!(arg.0, TermKind::Series(_) | TermKind::Array(_)) => {
                        Ok(self.pointwise(pointwise, arg))
                    }
                    Ok([arg]) => Err(arguments(
                        function,
                        "a time series or an array of time series",
                        &[arg],
                    )),
                    Err(args) => Err(arguments(
                        function,
                        "one argument, a time series or an array of time series",
                        &args,
                    )),
                }
            }
            "FILL" => self.fill(args),
            _ => {
                let reducer = match function {
                    "SUM" => Reducer::Sum,
                    "AVG" => Reducer::Avg,
                    "MIN" => Reducer::Min,
                    _ => Reducer::Max,
                };
                match <[MetricMathTerm; 1]>::try_from(args) {
                    Ok([MetricMathTerm(TermKind::Array(items))]) => {
                        let first = u32::try_from(self.args.len()).unwrap_or(u32::MAX);
                        let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
                        self.args.extend_from_slice(&items);
                        let node = Node::Reduce {
                            reducer,
                            first,
                            len,
                        };
                        Ok(MetricMathTerm(TermKind::Series(self.push(node, &items))))
                    }
                    Ok([MetricMathTerm(TermKind::Series(_))]) => {
                        Err(MetricMathError::WholeRange { function })
                    }
                    Ok([arg]) => Err(arguments(function, "an array of time series", &[arg])),
                    Err(args) => Err(arguments(
                        function,
                        "one argument, an array of time series",
                        &args,
                    )),
                }
            }
        }
    }

    /// FILL: "Fills the missing values of a time series", from "TS, [S | REPEAT | LINEAR]" or
    /// "TS[], [TS | S | REPEAT | LINEAR]". REPEAT and LINEAR fill from other timestamps'
    /// datapoints and are refused.
    fn fill(&mut self, args: Vec<MetricMathTerm>) -> Result<MetricMathTerm, MetricMathError> {
        const EXPECTED: &str = "a time series and a number, or an array of time series and a \
                                number or a time series";
        let [series, filler] = match <[MetricMathTerm; 2]>::try_from(args) {
            Ok(pair) => pair,
            Err(args) => return Err(arguments("FILL", EXPECTED, &args)),
        };
        if let TermKind::Keyword(word) = &filler.0
            && (word == "REPEAT" || word == "LINEAR")
        {
            return Err(MetricMathError::Unsupported {
                function: format!("FILL(series, {word})"),
                why: "fills a missing datapoint from the datapoints around it, not from its \
                      own timestamp",
            });
        }
        let one = |builder: &mut Self, node: u32, filler: u32| {
            builder.push(
                Node::Fill {
                    series: node,
                    filler,
                },
                &[node, filler],
            )
        };
        match (&series.0, &filler.0) {
            (TermKind::Series(node), TermKind::Number(value)) => {
                Ok(MetricMathTerm(TermKind::Series(one(self, *node, *value))))
            }
            (TermKind::Array(items), TermKind::Number(value) | TermKind::Series(value)) => {
                let items = items.clone();
                Ok(MetricMathTerm(TermKind::Array(
                    items
                        .into_iter()
                        .map(|node| one(self, node, *value))
                        .collect(),
                )))
            }
            _ => Err(arguments("FILL", EXPECTED, &[series, filler])),
        }
    }

    /// Checks the result of one of the request's math expressions: "The final result of any
    /// math expression must be a single time series or an array of time series".
    pub fn check_expression(&self, result: &MetricMathTerm) -> Result<(), MetricMathError> {
        match result.0 {
            TermKind::Series(_) | TermKind::Array(_) => Ok(()),
            _ => Err(MetricMathError::Result {
                got: result.describe(),
                needed: "the result of a math expression must be a time series or an array of \
                         time series (CloudWatch's metric math syntax)",
            }),
        }
    }

    /// The built expression whose value is `result`'s. Target tracking and alarms watch one
    /// series: "Any expressions used in a metric specification must eventually return a single
    /// time series" (TargetTrackingMetricDataQuery), "Any expression used in a PutMetricAlarm
    /// operation must return a single time series" (MetricDataQuery).
    pub fn build(self, result: MetricMathTerm) -> Result<MetricMath, MetricMathError> {
        let TermKind::Series(root) = result.0 else {
            return Err(MetricMathError::Result {
                got: result.describe(),
                needed: "a policy or an alarm watches a single time series",
            });
        };
        let size = self.size(root);
        if size.depth > MAX_METRIC_MATH_DEPTH {
            return Err(MetricMathError::TooLarge {
                what: format!("nests {} deep", size.depth),
                max: u64::from(MAX_METRIC_MATH_DEPTH),
            });
        }
        if size.steps > MAX_METRIC_MATH_STEPS {
            return Err(MetricMathError::TooLarge {
                what: format!("has {} operations", size.steps),
                max: MAX_METRIC_MATH_STEPS,
            });
        }
        let mut math = self.compact(root);
        math.steps = size.steps;
        Ok(math)
    }

    /// Keeps only the nodes `root` reaches, children first, each once.
    fn compact(self, root: u32) -> MetricMath {
        let mut math = MetricMath {
            nodes: Vec::new(),
            args: Vec::new(),
            root: 0,
            steps: 0,
        };
        let mut new_index = vec![None; self.nodes.len()];
        math.root = self.copy(root, &mut new_index, &mut math);
        math
    }

    /// Recursion is bounded by [`MAX_METRIC_MATH_DEPTH`], checked before.
    fn copy(&self, node: u32, new_index: &mut [Option<u32>], math: &mut MetricMath) -> u32 {
        if let Some(Some(done)) = new_index.get(node as usize) {
            return *done;
        }
        let mut copy = |child: u32, math: &mut MetricMath| self.copy(child, new_index, math);
        let copied = match self.nodes.get(node as usize) {
            Some(Node::Pointwise { function, operand }) => Node::Pointwise {
                function: *function,
                operand: copy(*operand, math),
            },
            Some(Node::Binary {
                operator,
                left,
                right,
                both_series,
            }) => Node::Binary {
                operator: *operator,
                left: copy(*left, math),
                right: copy(*right, math),
                both_series: *both_series,
            },
            Some(Node::Fill { series, filler }) => Node::Fill {
                series: copy(*series, math),
                filler: copy(*filler, math),
            },
            Some(Node::Reduce {
                reducer,
                first,
                len,
            }) => {
                let items: Vec<u32> = self
                    .args
                    .iter()
                    .skip(*first as usize)
                    .take(*len as usize)
                    .map(|item| copy(*item, math))
                    .collect();
                let first = u32::try_from(math.args.len()).unwrap_or(u32::MAX);
                math.args.extend_from_slice(&items);
                Node::Reduce {
                    reducer: *reducer,
                    first,
                    len: *len,
                }
            }
            Some(leaf @ (Node::Number(_) | Node::Metric(_))) => leaf.clone(),
            // Terms only ever hold indices this builder gave out.
            None => Node::Number(f64::NAN),
        };
        let index = u32::try_from(math.nodes.len()).unwrap_or(u32::MAX);
        math.nodes.push(copied);
        if let Some(slot) = new_index.get_mut(node as usize) {
            *slot = Some(index);
        }
        index
    }
}

fn arguments(
    function: &'static str,
    expected: &'static str,
    got: &[MetricMathTerm],
) -> MetricMathError {
    let got = match got {
        [] => "no argument".to_owned(),
        [one] => one.describe(),
        many => format!(
            "{} arguments ({})",
            many.len(),
            many.iter()
                .map(MetricMathTerm::describe)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    MetricMathError::Arguments {
        function,
        expected,
        got,
    }
}

fn unknown_function(name: &str) -> MetricMathError {
    if let Some((function, why)) = UNSUPPORTED.into_iter().find(|(f, _)| *f == name) {
        return MetricMathError::Unsupported {
            function: function.to_owned(),
            why,
        };
    }
    let upper = name.to_ascii_uppercase();
    let known = SUPPORTED_FUNCTIONS
        .into_iter()
        .chain(UNSUPPORTED.into_iter().map(|(f, _)| f))
        .find(|f| *f == upper);
    match known {
        Some(upper) => MetricMathError::LowerCase {
            name: name.to_owned(),
            upper,
        },
        None => MetricMathError::UnknownFunction {
            name: name.to_owned(),
        },
    }
}

/// A CloudWatch metric math expression that gives one value per timestamp from the datapoints
/// of its metrics at that timestamp, built by [`MetricMath::builder`].
///
/// Missing datapoints and division by zero, as [`MetricMath::evaluate`] applies them (page:
/// "Metric math syntax and functions",
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax>;
/// "choice" marks what the page leaves open):
///
/// 1. A metric's datapoint is missing when the caller gives NaN (or any non-finite value).
/// 2. Arithmetic between two time series: "Missing values in a time series are treated as 0";
///    when both are missing the result is missing (choice: a timestamp where no operand has a
///    datapoint has none in the result either).
/// 3. Arithmetic between a time series and a number is missing where the series is (choice: a
///    number adds no timestamps); between two numbers it is a number.
/// 4. "If the value of a data point causes a function to attempt to divide by zero, the data
///    point is dropped": x / 0 and 0 ^ (negative) are missing. Choice: so is every other
///    non-finite result (overflow, a negative number to a fractional power), since CloudWatch
///    holds no NaN or infinite datapoint.
/// 5. Unary minus, ABS, CEIL and FLOOR keep a missing datapoint missing.
/// 6. FILL(s, v) is s where s has a datapoint and v where it is missing.
/// 7. Of an array: SUM adds the datapoints present; AVG divides that sum by the number of series
///    ("Missing values are treated as 0"); MIN and MAX take the least and greatest present
///    (choice); each is missing where no series of the array has a datapoint.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricMath {
    nodes: Vec<Node>,
    args: Vec<u32>,
    root: u32,
    /// The operations one evaluation visits.
    steps: u64,
}

impl MetricMath {
    /// A builder with no node yet.
    pub fn builder() -> MetricMathBuilder {
        MetricMathBuilder::default()
    }

    /// The expression's value at one timestamp, `leaf(i)` being the datapoint of the i-th
    /// metric there (NaN when it has none); NaN when the result has no datapoint. The rules are
    /// those listed on [`MetricMath`]. Allocates nothing.
    pub fn evaluate(&self, leaf: impl Fn(usize) -> f64) -> f64 {
        self.value(self.root, &leaf)
    }

    /// The operations one evaluation visits, an expression used twice counted twice.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// How many metrics the expression reads: one more than the largest index it hands to
    /// `leaf`, 0 for an expression of numbers only.
    pub fn metric_count(&self) -> usize {
        self.nodes
            .iter()
            .filter_map(|node| match node {
                Node::Metric(index) => Some(index.saturating_add(1)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    fn value(&self, node: u32, leaf: &impl Fn(usize) -> f64) -> f64 {
        let Some(node) = self.nodes.get(node as usize) else {
            return f64::NAN;
        };
        match *node {
            Node::Number(value) => value,
            Node::Metric(index) => present(leaf(index)),
            Node::Pointwise { function, operand } => {
                let x = self.value(operand, leaf);
                match function {
                    Pointwise::Negate => -x,
                    Pointwise::Abs => x.abs(),
                    Pointwise::Ceil => x.ceil(),
                    Pointwise::Floor => x.floor(),
                }
            }
            Node::Binary {
                operator,
                left,
                right,
                both_series,
            } => {
                let (mut x, mut y) = (self.value(left, leaf), self.value(right, leaf));
                if both_series && !(x.is_nan() && y.is_nan()) {
                    x = if x.is_nan() { 0.0 } else { x };
                    y = if y.is_nan() { 0.0 } else { y };
                }
                // Checked before applying: pow(NaN, 0) is 1, and a missing datapoint must stay
                // missing.
                if x.is_nan() || y.is_nan() {
                    return f64::NAN;
                }
                present(operator.apply(x, y))
            }
            Node::Fill { series, filler } => {
                let x = self.value(series, leaf);
                if x.is_nan() {
                    self.value(filler, leaf)
                } else {
                    x
                }
            }
            Node::Reduce {
                reducer,
                first,
                len,
            } => {
                let items = self.args.iter().skip(first as usize).take(len as usize);
                let (mut sum, mut least, mut greatest) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
                let mut n_present = 0_u32;
                for &item in items {
                    let x = self.value(item, leaf);
                    if x.is_nan() {
                        continue;
                    }
                    n_present += 1;
                    sum += x;
                    least = least.min(x);
                    greatest = greatest.max(x);
                }
                if n_present == 0 {
                    return f64::NAN;
                }
                present(match reducer {
                    Reducer::Sum => sum,
                    Reducer::Avg => sum / f64::from(len),
                    Reducer::Min => least,
                    Reducer::Max => greatest,
                })
            }
        }
    }
}

/// A datapoint, or NaN for none: CloudWatch holds no infinite datapoint.
fn present(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::NAN }
}

impl fmt::Display for MathOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.symbol())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NONE: f64 = f64::NAN;

    /// Evaluates `math` with metric i's datapoint `datapoints[i]`.
    fn at(math: &MetricMath, datapoints: &[f64]) -> f64 {
        math.evaluate(|i| datapoints.get(i).copied().unwrap_or(NONE))
    }

    /// Asserts a value, NaN meaning "no datapoint".
    fn check(got: f64, expected: f64) {
        if expected.is_nan() {
            assert!(got.is_nan(), "expected no datapoint, got {got}");
        } else {
            assert_eq!(got, expected);
        }
    }

    /// `m0 op m1` between two series.
    fn series_op(operator: MathOperator) -> MetricMath {
        let mut b = MetricMath::builder();
        let (m0, m1) = (b.metric(0), b.metric(1));
        let term = b.binary(operator, m0, m1).unwrap();
        b.build(term).unwrap()
    }

    /// `m0 op number`.
    fn series_number(operator: MathOperator, number: f64) -> MetricMath {
        let mut b = MetricMath::builder();
        let m0 = b.metric(0);
        let n = b.number(number).unwrap();
        let term = b.binary(operator, m0, n).unwrap();
        b.build(term).unwrap()
    }

    /// `reducer([m0, m1, m2])`.
    fn reduce(function: &str) -> MetricMath {
        let mut b = MetricMath::builder();
        let items = (0..3).map(|i| b.metric(i)).collect();
        let array = b.array(items).unwrap();
        let term = b.function(function, vec![array]).unwrap();
        b.build(term).unwrap()
    }

    #[test]
    fn the_queue_backlog_per_task_of_aws_example_divides_two_metrics() {
        // Application Auto Scaling's metric math example: e1 = m1 / m2, the messages visible
        // over the running tasks; 600 messages over 4 tasks = 150 per task.
        check(at(&series_op(MathOperator::Divide), &[600.0, 4.0]), 150.0);
    }

    #[test]
    fn between_two_series_a_missing_datapoint_counts_as_zero() {
        // "Missing values in a time series are treated as 0": 5 + (missing = 0) = 5,
        // (missing = 0) - 5 = -5, 5 * 0 = 0; with both missing there is no datapoint.
        let add = series_op(MathOperator::Add);
        check(at(&add, &[5.0, NONE]), 5.0);
        check(at(&add, &[NONE, NONE]), NONE);
        check(at(&series_op(MathOperator::Subtract), &[NONE, 5.0]), -5.0);
        check(at(&series_op(MathOperator::Multiply), &[5.0, NONE]), 0.0);
    }

    #[test]
    fn a_series_and_a_number_have_no_datapoint_where_the_series_has_none() {
        // 3 * 2 = 6; a number adds no timestamp, so missing * 2 stays missing.
        let double = series_number(MathOperator::Multiply, 2.0);
        check(at(&double, &[3.0]), 6.0);
        check(at(&double, &[NONE]), NONE);
    }

    #[test]
    fn a_division_by_zero_drops_the_datapoint() {
        // "If the value of a data point causes a function to attempt to divide by zero, the
        // data point is dropped": 3 / 0, 0 / 0, and 3 / (missing = 0).
        let divide = series_op(MathOperator::Divide);
        check(at(&divide, &[3.0, 0.0]), NONE);
        check(at(&divide, &[0.0, 0.0]), NONE);
        check(at(&divide, &[3.0, NONE]), NONE);
        // (missing = 0) / 4 = 0.
        check(at(&divide, &[NONE, 4.0]), 0.0);
        check(at(&series_number(MathOperator::Divide, 0.0), &[7.0]), NONE);
    }

    #[test]
    fn powers_drop_what_is_not_a_finite_number() {
        // 2^10 = 1024; 0^-1 divides by zero; (-8)^0.5 is no real number; 10^400 overflows.
        check(
            at(&series_number(MathOperator::Power, 10.0), &[2.0]),
            1024.0,
        );
        check(at(&series_number(MathOperator::Power, -1.0), &[0.0]), NONE);
        check(at(&series_number(MathOperator::Power, 0.5), &[-8.0]), NONE);
        check(
            at(&series_number(MathOperator::Power, 400.0), &[10.0]),
            NONE,
        );
        // pow(NaN, 0) is 1 in IEEE arithmetic; a missing datapoint stays missing.
        check(at(&series_number(MathOperator::Power, 0.0), &[NONE]), NONE);
    }

    #[test]
    fn overflow_of_a_sum_drops_the_datapoint() {
        // 1e308 + 1e308 is infinite.
        check(at(&series_op(MathOperator::Add), &[1e308, 1e308]), NONE);
    }

    #[test]
    fn pointwise_functions_keep_missing_datapoints_missing() {
        let mut b = MetricMath::builder();
        let (m0, m1) = (b.metric(0), b.metric(1));
        let difference = b.binary(MathOperator::Subtract, m0, m1).unwrap();
        let abs = b.function("ABS", vec![difference]).unwrap();
        let abs = b.build(abs).unwrap();
        // ABS(3 - 7.5) = 4.5; ABS(3 - (missing = 0)) = 3; both missing: none.
        check(at(&abs, &[3.0, 7.5]), 4.5);
        check(at(&abs, &[3.0, NONE]), 3.0);
        check(at(&abs, &[NONE, NONE]), NONE);
        for (function, expected) in [("CEIL", -2.0), ("FLOOR", -3.0)] {
            let mut b = MetricMath::builder();
            let m0 = b.metric(0);
            let term = b.function(function, vec![m0]).unwrap();
            let math = b.build(term).unwrap();
            // CEIL(-2.5) = -2 (smallest integer >= -2.5), FLOOR(-2.5) = -3.
            check(at(&math, &[-2.5]), expected);
            check(at(&math, &[NONE]), NONE);
        }
        let mut b = MetricMath::builder();
        let m0 = b.metric(0);
        let minus = b.negate(m0).unwrap();
        let minus = b.build(minus).unwrap();
        check(at(&minus, &[4.0]), -4.0);
        check(at(&minus, &[NONE]), NONE);
    }

    #[test]
    fn fill_replaces_missing_datapoints_only() {
        let mut b = MetricMath::builder();
        let m0 = b.metric(0);
        let ten = b.number(10.0).unwrap();
        let filled = b.function("FILL", vec![m0, ten]).unwrap();
        let fill = b.build(filled).unwrap();
        // FILL(m1, 10): 4 stays 4, a missing datapoint becomes 10.
        check(at(&fill, &[4.0]), 4.0);
        check(at(&fill, &[NONE]), 10.0);
    }

    #[test]
    fn fill_of_an_array_by_a_series_fills_each_series_at_the_timestamp() {
        // SUM(FILL([m0, m1], m2)) with m0 missing, m1 = 2, m2 = 5: [5, 2], sum 7; with m2
        // missing too, m0 stays missing and the sum is 2.
        let mut b = MetricMath::builder();
        let (m0, m1, m2) = (b.metric(0), b.metric(1), b.metric(2));
        let array = b.array(vec![m0, m1]).unwrap();
        let filled = b.function("FILL", vec![array, m2]).unwrap();
        let sum = b.function("SUM", vec![filled]).unwrap();
        let math = b.build(sum).unwrap();
        check(at(&math, &[NONE, 2.0, 5.0]), 7.0);
        check(at(&math, &[NONE, 2.0, NONE]), 2.0);
    }

    #[test]
    fn reductions_of_an_array_combine_series_timestamp_by_timestamp() {
        // [4, missing, 10]: SUM 4 + 10 = 14; AVG counts the missing one as 0: 14 / 3;
        // MIN 4 and MAX 10 over the datapoints present.
        let datapoints = [4.0, NONE, 10.0];
        check(at(&reduce("SUM"), &datapoints), 14.0);
        check(at(&reduce("AVG"), &datapoints), 14.0 / 3.0);
        check(at(&reduce("MIN"), &datapoints), 4.0);
        check(at(&reduce("MAX"), &datapoints), 10.0);
        for function in ["SUM", "AVG", "MIN", "MAX"] {
            check(at(&reduce(function), &[NONE, NONE, NONE]), NONE);
        }
    }

    #[test]
    fn arithmetic_on_an_array_applies_to_each_series() {
        // CloudWatch's examples: SUM(100/[m1, m2]) with 4 and 5 is 25 + 20 = 45;
        // AVG([m1,m2]/m3) with 6, 3 and 3 is (2 + 1) / 2 = 1.5.
        let mut b = MetricMath::builder();
        let hundred = b.number(100.0).unwrap();
        let (m0, m1) = (b.metric(0), b.metric(1));
        let array = b.array(vec![m0, m1]).unwrap();
        let divided = b.binary(MathOperator::Divide, hundred, array).unwrap();
        let sum = b.function("SUM", vec![divided]).unwrap();
        check(at(&b.build(sum).unwrap(), &[4.0, 5.0]), 45.0);

        let mut b = MetricMath::builder();
        let (m0, m1, m2) = (b.metric(0), b.metric(1), b.metric(2));
        let array = b.array(vec![m0, m1]).unwrap();
        let divided = b.binary(MathOperator::Divide, array, m2).unwrap();
        let avg = b.function("AVG", vec![divided]).unwrap();
        check(at(&b.build(avg).unwrap(), &[6.0, 3.0, 3.0]), 1.5);
    }

    #[test]
    fn arrays_in_an_array_are_spliced_in() {
        // SUM([[m0, m1], m2]) with 1, 2, 4 is 7.
        let mut b = MetricMath::builder();
        let (m0, m1, m2) = (b.metric(0), b.metric(1), b.metric(2));
        let inner = b.array(vec![m0, m1]).unwrap();
        let outer = b.array(vec![inner, m2]).unwrap();
        let sum = b.function("SUM", vec![outer]).unwrap();
        check(at(&b.build(sum).unwrap(), &[1.0, 2.0, 4.0]), 7.0);
    }

    #[test]
    fn a_leaf_that_is_not_finite_is_a_missing_datapoint() {
        // m0 + m1 with m1 infinite: treated as missing, so 5 + 0 = 5.
        check(
            at(&series_op(MathOperator::Add), &[5.0, f64::INFINITY]),
            5.0,
        );
    }

    #[test]
    fn a_function_of_one_series_over_the_whole_range_is_refused() {
        for function in ["SUM", "AVG", "MIN", "MAX"] {
            let mut b = MetricMath::builder();
            let m0 = b.metric(0);
            let err = b.function(function, vec![m0]).unwrap_err();
            assert!(matches!(err, MetricMathError::WholeRange { function: f } if f == function));
            assert!(
                err.to_string()
                    .contains("one number for the whole time range")
            );
        }
    }

    #[test]
    fn functions_are_upper_case_as_cloudwatch_requires() {
        let mut b = MetricMath::builder();
        let m0 = b.metric(0);
        let array = b.array(vec![m0]).unwrap();
        let err = b.function("sum", vec![array]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sum is not a function: CloudWatch's metric math functions are written in upper \
             case (SUM)"
        );
        let err = b.function("Diff", vec![]).unwrap_err();
        assert!(matches!(
            err,
            MetricMathError::LowerCase { upper: "DIFF", .. }
        ));
    }

    #[test]
    fn other_functions_are_refused_with_their_reason() {
        let mut b = MetricMath::builder();
        let m0 = b.metric(0);
        let err = b.function("RATE", vec![m0.clone()]).unwrap_err();
        assert!(err.to_string().starts_with(
            "RATE depends on the datapoint before, not on one timestamp alone; supported: "
        ));
        let err = b.function("FOO", vec![m0.clone()]).unwrap_err();
        assert!(matches!(err, MetricMathError::UnknownFunction { .. }));
        let repeat = b.keyword("REPEAT");
        let err = b.function("FILL", vec![m0.clone(), repeat]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("FILL(series, REPEAT) fills a missing datapoint")
        );
        let other = b.metric(1);
        let err = b.function("FILL", vec![m0, other]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "FILL takes a time series and a number, or an array of time series and a number or \
             a time series, got 2 arguments (a time series, a time series)"
        );
    }

    #[test]
    fn forms_cloudwatch_does_not_list_are_refused() {
        let mut b = MetricMath::builder();
        let (m0, m1) = (b.metric(0), b.metric(1));
        let five = b.number(5.0).unwrap();
        let array = b.array(vec![m0.clone(), m1]).unwrap();
        let err = b
            .binary(MathOperator::Add, array.clone(), array)
            .unwrap_err();
        assert!(err.to_string().starts_with(
            "+ cannot combine an array of 2 time series with an array of 2 time series"
        ));
        let err = b.array(vec![m0, five.clone()]).unwrap_err();
        assert_eq!(err.to_string(), "an array holds time series, got a number");
        let err = b.function("ABS", vec![five.clone()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ABS takes a time series or an array of time series, got a number"
        );
        assert!(matches!(b.array(vec![]), Err(MetricMathError::EmptyArray)));
        assert!(matches!(
            b.number(f64::INFINITY),
            Err(MetricMathError::NotFinite { .. })
        ));
        assert!(b.check_expression(&five).is_err());
        let err = b.build(five).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the expression gives a number; a policy or an alarm watches a single time series"
        );
    }

    #[test]
    fn an_array_is_a_valid_expression_but_not_what_an_alarm_watches() {
        let mut b = MetricMath::builder();
        let (m0, m1) = (b.metric(0), b.metric(1));
        let array = b.array(vec![m0, m1]).unwrap();
        assert_eq!(b.check_expression(&array), Ok(()));
        assert!(b.build(array).is_err());
    }

    #[test]
    fn expressions_used_twice_are_shared_and_counted_twice() {
        // x0 = m0, x(k+1) = x(k) + x(k): x(k) visits 2^(k+1) - 1 nodes and is worth 2^k × m0.
        // k = 15 visits 65,535 <= 100,000 and gives 2^15 = 32,768 with m0 = 1; k = 16 visits
        // 131,071, past the bound.
        let doubled = |times: u32| {
            let mut b = MetricMath::builder();
            let mut x = b.metric(0);
            for _ in 0..times {
                x = b.binary(MathOperator::Add, x.clone(), x).unwrap();
            }
            b.build(x)
        };
        let math = doubled(15).unwrap();
        check(at(&math, &[1.0]), 32_768.0);
        // Shared: one node per level after compaction, plus the metric.
        assert_eq!(math.nodes.len(), 16);
        assert!(matches!(
            doubled(16),
            Err(MetricMathError::TooLarge { max: 100_000, .. })
        ));
    }

    #[test]
    fn nesting_deeper_than_the_bound_is_refused() {
        // 999 minus signs over m0 nest 1,000 deep; 1,000 of them nest 1,001.
        let negated = |times: u32| {
            let mut b = MetricMath::builder();
            let mut x = b.metric(0);
            for _ in 0..times {
                x = b.negate(x).unwrap();
            }
            b.build(x)
        };
        // An odd number of minus signs negates 2 to -2.
        check(at(&negated(999).unwrap(), &[2.0]), -2.0);
        assert!(matches!(
            negated(1_000),
            Err(MetricMathError::TooLarge { max: 1_000, .. })
        ));
    }

    #[test]
    fn building_keeps_only_what_the_result_uses() {
        let build = |with_unused: bool| {
            let mut b = MetricMath::builder();
            if with_unused {
                let unused = b.metric(7);
                let _ = b.function("ABS", vec![unused]).unwrap();
            }
            let m0 = b.metric(0);
            let two = b.number(2.0).unwrap();
            let term = b.binary(MathOperator::Multiply, m0, two).unwrap();
            b.build(term).unwrap()
        };
        assert_eq!(build(true), build(false));
        assert_eq!(build(true).metric_count(), 1);
    }

    /// A random expression over metrics 0..4, as builder calls; refusals are skipped.
    fn random_term(b: &mut MetricMathBuilder, choices: &[u8]) -> MetricMathTerm {
        let mut stack: Vec<MetricMathTerm> = Vec::new();
        for &choice in choices {
            let next = match (choice % 12, stack.pop(), stack.pop()) {
                (0, x, y) => {
                    stack.extend(y);
                    stack.extend(x);
                    Ok(b.metric(usize::from(choice / 12) % 4))
                }
                (1, x, y) => {
                    stack.extend(y);
                    stack.extend(x);
                    b.number(f64::from(choice) - 100.0)
                }
                (2..=6, Some(x), Some(y)) => {
                    let operator = [
                        MathOperator::Add,
                        MathOperator::Subtract,
                        MathOperator::Multiply,
                        MathOperator::Divide,
                        MathOperator::Power,
                    ][usize::from(choice % 12 - 2)];
                    b.binary(operator, y, x)
                }
                (7, Some(x), y) => {
                    stack.extend(y);
                    b.negate(x)
                }
                (8, Some(x), Some(y)) => b.array(vec![y, x]),
                (9, Some(x), y) => {
                    stack.extend(y);
                    let name = ["ABS", "CEIL", "FLOOR", "SUM", "AVG", "MIN", "MAX"]
                        [usize::from(choice / 12) % 7];
                    b.function(name, vec![x])
                }
                (10, Some(x), Some(y)) => b.function("FILL", vec![y, x]),
                (_, x, y) => {
                    stack.extend(y);
                    stack.extend(x);
                    continue;
                }
            };
            if let Ok(term) = next {
                stack.push(term);
            }
        }
        stack.pop().unwrap_or_else(|| b.metric(0))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn evaluation_gives_a_finite_value_or_none_for_any_expression_and_datapoints(
            choices in proptest::collection::vec(any::<u8>(), 0..60),
            datapoints in proptest::collection::vec(
                prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(0.0), any::<f64>()],
                4,
            ),
        ) {
            let mut b = MetricMath::builder();
            let term = random_term(&mut b, &choices);
            if let Ok(math) = b.build(term) {
                let value = at(&math, &datapoints);
                prop_assert!(value.is_nan() || value.is_finite());
            }
        }
    }
}
