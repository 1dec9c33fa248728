//! A document tree that every input format can be written from: scenario TOML, vendor JSON and
//! YAML. Numbers keep the exact text they will be written with, so that a mutation can put in
//! values no parser would hand back (`18446744073709551616`, `nan` in JSON) and see how the
//! reader refuses them.

use std::fmt::Write as _;

/// A number as it will be written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Number {
    /// An integer, wide enough for values past `u64::MAX`.
    Int(i128),
    /// A float, written in each format's own spelling of NaN and infinity.
    Float(f64),
    /// Text written verbatim where a number goes (`1_000`, `0x10`, `1e`).
    Verbatim(String),
}

/// A node of a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Keys in written order; a key may repeat, which is how duplicates are made.
    Table(Vec<(String, Node)>),
    /// A list.
    Array(Vec<Node>),
    /// A number.
    Number(Number),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// JSON and YAML null; TOML has none and gets an empty inline table.
    Null,
    /// A TOML datetime, written bare in TOML and as a string elsewhere.
    Datetime(String),
    /// Lists or tables nested `depth` deep, written in flow style so the file grows linearly.
    Deep { depth: usize, style: DeepStyle },
}

/// How a [`Node::Deep`] nests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeepStyle {
    /// `[[[[0]]]]`.
    Arrays,
    /// `{a: {a: {a: 0}}}`.
    Tables,
    /// YAML's compact block sequences, `- - - - 0` on one line; flow arrays elsewhere.
    Dashes,
}

/// The formats a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A scenario or sweep file.
    Toml,
    /// An AWS, Azure or Huawei request body, or an HPA manifest in JSON.
    Json,
    /// An HPA manifest.
    Yaml,
}

impl Node {
    /// The node at `path` (child indices from the root), if it exists.
    pub(crate) fn get_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        let Some((&first, rest)) = path.split_first() else {
            return Some(self);
        };
        let child = match self {
            Node::Table(entries) => entries.get_mut(first).map(|(_, node)| node),
            Node::Array(items) => items.get_mut(first),
            _ => None,
        }?;
        child.get_mut(rest)
    }

    /// Every path in the tree, the root's (empty) first, in pre-order.
    pub(crate) fn paths(&self) -> Vec<Vec<usize>> {
        let mut paths = Vec::new();
        let mut prefix = Vec::new();
        collect_paths(self, &mut prefix, &mut paths);
        paths
    }

    /// The key path of `path`, such as `fleet.provisioning_s` or `profiles[0].rules`, for notes.
    pub(crate) fn describe(&self, path: &[usize]) -> String {
        let mut text = String::new();
        let mut node = self;
        for &index in path {
            match node {
                Node::Table(entries) => match entries.get(index) {
                    Some((key, child)) => {
                        if !text.is_empty() {
                            text.push('.');
                        }
                        text.push_str(key);
                        node = child;
                    }
                    None => break,
                },
                Node::Array(items) => match items.get(index) {
                    Some(child) => {
                        let _ = write!(text, "[{index}]");
                        node = child;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        if text.is_empty() {
            "(root)".to_owned()
        } else {
            text
        }
    }

    /// The value under a dotted key path of tables (`fleet.capacity_per_instance`).
    pub(crate) fn lookup_mut(&mut self, dotted: &str) -> Option<&mut Node> {
        dotted.split('.').try_fold(self, |node, key| match node {
            Node::Table(entries) => entries
                .iter_mut()
                .rev()
                .find(|(name, _)| name == key)
                .map(|(_, child)| child),
            _ => None,
        })
    }

    /// Sets `key` of a table to `value`, replacing the first entry of that name or appending.
    pub(crate) fn set(&mut self, key: &str, value: Node) {
        if let Node::Table(entries) = self {
            match entries.iter_mut().find(|(name, _)| name == key) {
                Some((_, slot)) => *slot = value,
                None => entries.push((key.to_owned(), value)),
            }
        }
    }

    /// Sets the value under a dotted path, creating the tables on the way.
    pub(crate) fn set_path(&mut self, dotted: &str, value: Node) {
        let mut node = self;
        let mut keys: Vec<&str> = dotted.split('.').collect();
        let Some(last) = keys.pop() else { return };
        for key in keys {
            if node.lookup_mut(key).is_none() {
                node.set(key, Node::Table(Vec::new()));
            }
            match node.lookup_mut(key) {
                Some(child) => node = child,
                None => return,
            }
        }
        node.set(last, value);
    }

    /// Removes every entry named `key` from a table.
    pub(crate) fn remove(&mut self, key: &str) {
        if let Node::Table(entries) = self {
            entries.retain(|(name, _)| name != key);
        }
    }

    /// The value under a dotted path, read only.
    pub(crate) fn lookup(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| match node {
            Node::Table(entries) => entries
                .iter()
                .rev()
                .find(|(name, _)| name == key)
                .map(|(_, child)| child),
            _ => None,
        })
    }

    /// An integer node.
    pub(crate) fn int(value: i128) -> Node {
        Node::Number(Number::Int(value))
    }

    /// A float node.
    pub(crate) fn float(value: f64) -> Node {
        Node::Number(Number::Float(value))
    }

    /// A string node.
    pub(crate) fn text(value: &str) -> Node {
        Node::Text(value.to_owned())
    }

    /// A table node from pairs.
    pub(crate) fn table(entries: Vec<(&str, Node)>) -> Node {
        Node::Table(
            entries
                .into_iter()
                .map(|(key, node)| (key.to_owned(), node))
                .collect(),
        )
    }

    /// The document written in `format`.
    pub(crate) fn render(&self, format: Format) -> String {
        let mut out = String::new();
        match format {
            Format::Toml => toml_document(self, &mut Vec::new(), &mut out),
            Format::Json => {
                json_value(self, 0, &mut out);
                out.push('\n');
            }
            Format::Yaml => yaml_block(self, 0, &mut out),
        }
        out
    }
}

fn collect_paths(node: &Node, prefix: &mut Vec<usize>, paths: &mut Vec<Vec<usize>>) {
    paths.push(prefix.clone());
    let children: Box<dyn Iterator<Item = &Node>> = match node {
        Node::Table(entries) => Box::new(entries.iter().map(|(_, child)| child)),
        Node::Array(items) => Box::new(items.iter()),
        _ => return,
    };
    for (index, child) in children.enumerate() {
        prefix.push(index);
        collect_paths(child, prefix, paths);
        prefix.pop();
    }
}

impl From<&toml::Value> for Node {
    fn from(value: &toml::Value) -> Self {
        match value {
            toml::Value::String(text) => Node::Text(text.clone()),
            toml::Value::Integer(int) => Node::int(i128::from(*int)),
            toml::Value::Float(float) => Node::float(*float),
            toml::Value::Boolean(flag) => Node::Bool(*flag),
            toml::Value::Datetime(datetime) => Node::Datetime(datetime.to_string()),
            toml::Value::Array(items) => Node::Array(items.iter().map(Node::from).collect()),
            toml::Value::Table(table) => Node::Table(
                table
                    .iter()
                    .map(|(key, item)| (key.clone(), Node::from(item)))
                    .collect(),
            ),
        }
    }
}

impl From<&serde_json::Value> for Node {
    fn from(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Node::Null,
            serde_json::Value::Bool(flag) => Node::Bool(*flag),
            serde_json::Value::Number(number) => {
                if let Some(int) = number.as_i64() {
                    Node::int(i128::from(int))
                } else if let Some(int) = number.as_u64() {
                    Node::int(i128::from(int))
                } else {
                    Node::float(number.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(text) => Node::Text(text.clone()),
            serde_json::Value::Array(items) => Node::Array(items.iter().map(Node::from).collect()),
            serde_json::Value::Object(map) => Node::Table(
                map.iter()
                    .map(|(key, item)| (key.clone(), Node::from(item)))
                    .collect(),
            ),
        }
    }
}

fn number_text(number: &Number, format: Format) -> String {
    match number {
        Number::Int(int) => int.to_string(),
        Number::Verbatim(text) => text.clone(),
        Number::Float(float) => {
            let (nan, inf) = match format {
                Format::Toml => ("nan", "inf"),
                // Not JSON: serde_json refuses both, which is a refusal worth exercising.
                Format::Json => ("NaN", "Infinity"),
                Format::Yaml => (".nan", ".inf"),
            };
            if float.is_nan() {
                nan.to_owned()
            } else if float.is_infinite() {
                if *float > 0.0 {
                    inf.to_owned()
                } else {
                    format!("-{inf}")
                }
            } else {
                // Debug keeps the shortest text that reads back as the same float, with a
                // fractional part or an exponent, so a float stays a float in every format.
                format!("{float:?}")
            }
        }
    }
}

/// A JSON string literal, which is also a valid YAML double-quoted scalar.
fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn toml_key(key: &str) -> String {
    if is_bare_key(key) {
        key.to_owned()
    } else {
        json_string(key)
    }
}

fn deep_flow(depth: usize, style: DeepStyle, format: Format) -> String {
    let (open, close) = match (style, format) {
        (DeepStyle::Tables, Format::Toml) => ("{a = ", "}"),
        (DeepStyle::Tables, Format::Json) => ("{\"a\": ", "}"),
        (DeepStyle::Tables, Format::Yaml) => ("{a: ", "}"),
        _ => ("[", "]"),
    };
    let mut text = String::with_capacity(depth * (open.len() + close.len()) + 1);
    for _ in 0..depth {
        text.push_str(open);
    }
    text.push('0');
    for _ in 0..depth {
        text.push_str(close);
    }
    text
}

fn is_table_array(items: &[Node]) -> bool {
    !items.is_empty() && items.iter().all(|item| matches!(item, Node::Table(_)))
}

/// A TOML table at `path`: its plain keys first, then its sub-tables as `[path.key]` and its
/// arrays of tables as `[[path.key]]`, since a key after a header belongs to that header.
fn toml_document(node: &Node, path: &mut Vec<String>, out: &mut String) {
    let Node::Table(entries) = node else {
        // A root that is not a table: written as one key so the file is still TOML-shaped.
        let _ = writeln!(out, "value = {}", toml_inline(node));
        return;
    };
    for (key, value) in entries {
        let nested = match value {
            Node::Table(_) => true,
            Node::Array(items) => is_table_array(items),
            _ => false,
        };
        if !nested {
            let _ = writeln!(out, "{} = {}", toml_key(key), toml_inline(value));
        }
    }
    for (key, value) in entries {
        match value {
            Node::Table(_) => {
                path.push(toml_key(key));
                let _ = writeln!(out, "\n[{}]", path.join("."));
                toml_document(value, path, out);
                path.pop();
            }
            Node::Array(items) if is_table_array(items) => {
                path.push(toml_key(key));
                for item in items {
                    let _ = writeln!(out, "\n[[{}]]", path.join("."));
                    toml_document(item, path, out);
                }
                path.pop();
            }
            _ => {}
        }
    }
}

fn toml_inline(node: &Node) -> String {
    match node {
        Node::Table(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{} = {}", toml_key(key), toml_inline(value)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Node::Array(items) => {
            let parts: Vec<String> = items.iter().map(toml_inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Node::Number(number) => number_text(number, Format::Toml),
        Node::Text(text) => json_string(text),
        Node::Bool(flag) => flag.to_string(),
        Node::Null => "{}".to_owned(),
        Node::Datetime(text) => text.clone(),
        Node::Deep { depth, style } => deep_flow(*depth, *style, Format::Toml),
    }
}

fn json_value(node: &Node, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    let close_pad = "  ".repeat(indent);
    match node {
        Node::Table(entries) if !entries.is_empty() => {
            out.push_str("{\n");
            for (idx, (key, value)) in entries.iter().enumerate() {
                let _ = write!(out, "{pad}{}: ", json_string(key));
                json_value(value, indent + 1, out);
                out.push_str(if idx + 1 < entries.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{close_pad}}}");
        }
        Node::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (idx, item) in items.iter().enumerate() {
                out.push_str(&pad);
                json_value(item, indent + 1, out);
                out.push_str(if idx + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{close_pad}]");
        }
        Node::Table(_) => out.push_str("{}"),
        Node::Array(_) => out.push_str("[]"),
        Node::Number(number) => out.push_str(&number_text(number, Format::Json)),
        Node::Text(text) | Node::Datetime(text) => out.push_str(&json_string(text)),
        Node::Bool(flag) => out.push_str(&flag.to_string()),
        Node::Null => out.push_str("null"),
        Node::Deep { depth, style } => out.push_str(&deep_flow(*depth, *style, Format::Json)),
    }
}

fn yaml_flow(node: &Node) -> String {
    match node {
        Node::Table(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{}: {}", json_string(key), yaml_flow(value)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Node::Array(items) => {
            let parts: Vec<String> = items.iter().map(yaml_flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Node::Number(number) => number_text(number, Format::Yaml),
        Node::Text(text) | Node::Datetime(text) => json_string(text),
        Node::Bool(flag) => flag.to_string(),
        Node::Null => "null".to_owned(),
        Node::Deep { depth, style } => deep_flow(*depth, *style, Format::Yaml),
    }
}

fn yaml_key(key: &str) -> String {
    if is_bare_key(key) && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        key.to_owned()
    } else {
        json_string(key)
    }
}

/// YAML block style, as `kubectl get -o yaml` writes: mappings as `key: value` lines,
/// sequences as `-` items at their key's indentation.
fn yaml_block(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Table(entries) if !entries.is_empty() => {
            for (key, value) in entries {
                let _ = write!(out, "{pad}{}:", yaml_key(key));
                yaml_child(value, indent, indent + 2, out);
            }
        }
        Node::Array(items) if !items.is_empty() => {
            for item in items {
                let _ = write!(out, "{pad}-");
                yaml_child(item, indent + 2, indent + 2, out);
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", yaml_flow(other));
        }
    }
}

/// The value after `key:` or `-`: nested blocks on the next lines, scalars on the same line.
fn yaml_child(value: &Node, sequence_indent: usize, table_indent: usize, out: &mut String) {
    match value {
        Node::Table(entries) if !entries.is_empty() => {
            out.push('\n');
            yaml_block(value, table_indent, out);
        }
        Node::Array(items) if !items.is_empty() => {
            out.push('\n');
            yaml_block(value, sequence_indent, out);
        }
        Node::Deep {
            depth,
            style: DeepStyle::Dashes,
        } => {
            let _ = writeln!(
                out,
                "\n{}{}0",
                " ".repeat(sequence_indent),
                "- ".repeat(*depth)
            );
        }
        other => {
            let _ = writeln!(out, " {}", yaml_flow(other));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::table(vec![
            ("name", Node::text("x")),
            ("fleet", Node::table(vec![("capacity", Node::float(60.0))])),
            (
                "terms",
                Node::Array(vec![
                    Node::table(vec![("shape", Node::text("constant"))]),
                    Node::table(vec![("shape", Node::text("ramp"))]),
                ]),
            ),
            ("list", Node::Array(vec![Node::int(1), Node::int(2)])),
        ])
    }

    #[test]
    fn toml_puts_plain_keys_before_tables() {
        assert_eq!(
            sample().render(Format::Toml),
            "name = \"x\"\nlist = [1, 2]\n\n[fleet]\ncapacity = 60.0\n\n[[terms]]\n\
             shape = \"constant\"\n\n[[terms]]\nshape = \"ramp\"\n"
        );
    }

    #[test]
    fn every_format_reads_back_as_the_same_value() {
        let toml: toml::Table = toml::from_str(&sample().render(Format::Toml)).unwrap();
        let json: serde_json::Value = serde_json::from_str(&sample().render(Format::Json)).unwrap();
        let yaml: serde_json::Value =
            serde_norway::from_str(&sample().render(Format::Yaml)).unwrap();
        assert_eq!(serde_json::to_value(&toml).unwrap(), json);
        assert_eq!(yaml, json);
    }

    #[test]
    fn special_floats_take_each_formats_spelling() {
        let node = Node::Array(vec![Node::float(f64::NAN), Node::float(f64::NEG_INFINITY)]);
        assert_eq!(toml_inline(&node), "[nan, -inf]");
        assert_eq!(yaml_flow(&node), "[.nan, -.inf]");
    }

    #[test]
    fn deep_dashes_nest_block_sequences_on_one_line() {
        let node = Node::table(vec![(
            "a",
            Node::Deep {
                depth: 3,
                style: DeepStyle::Dashes,
            },
        )]);
        let text = node.render(Format::Yaml);
        assert_eq!(text, "a:\n- - - 0\n");
        let value: serde_json::Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(value, serde_json::json!({"a": [[[0]]]}));
    }
}
