//! Mutations: hostile values for a field, structural edits of a document tree, and byte-level
//! damage to a written file. Every choice comes from the case's generator, so a case number
//! always makes the same mutations.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::tree::{DeepStyle, Format, Node, Number};

/// Integers at the edges of the types the readers convert to: u32 and u64 limits, i64's, the
/// seconds of a year and a century, 2^53 where f64 stops counting by one.
const HOSTILE_INTS: [i128; 24] = [
    0,
    1,
    -1,
    2,
    7,
    59,
    61,
    3_599,
    86_400,
    31_536_000,
    3_153_600_000,
    4_294_967_295,
    4_294_967_296,
    9_007_199_254_740_993,
    1_000_000_000_000,
    1_000_000_000_000_000_000,
    i64::MAX as i128,
    i64::MAX as i128 + 1,
    i64::MIN as i128,
    u64::MAX as i128 - 1,
    u64::MAX as i128,
    u64::MAX as i128 + 1,
    -4_294_967_296,
    1 << 40,
];

/// Floats that break arithmetic: the extremes, subnormals, NaN, infinities, and the huge
/// "valid" values (a mean of 1e18 seconds, 2^32 seconds of service) that pass a sign check.
const HOSTILE_FLOATS: [f64; 20] = [
    0.0,
    -0.0,
    0.5,
    1.5,
    0.999_999_999,
    1e-300,
    5e-324,
    2.5e-8,
    1e12,
    1e18,
    4_294_967_296.0,
    1e308,
    f64::MAX,
    -f64::MAX,
    -1e308,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -1.0,
    1.797_693_134_862_315_7e307,
];

/// Number-like text that some parsers take and others refuse.
const ODD_NUMBERS: [&str; 10] = [
    "1_000", "0x10", "+1", "1e", ".5", "01", "1.", "-0", "1e400", "0b1",
];

/// Strings that are long, empty, non-ASCII, or that a naive writer would break on.
fn hostile_text(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..9) {
        0 => String::new(),
        1 => "x".repeat(rng.random_range(1_000..200_000)),
        2 => "名前🚀\u{202e}ﬁ\u{0301}".to_owned(),
        3 => "a\"b\\c\nd\te,f".to_owned(),
        4 => "..".to_owned(),
        5 => "a/b".to_owned(),
        6 => "\u{0}\u{1}\u{7f}".to_owned(),
        7 => "🚀".repeat(rng.random_range(100..20_000)),
        _ => " ".to_owned(),
    }
}

/// A hostile number, integer or float, or number-like text.
pub(crate) fn hostile_number(rng: &mut ChaCha8Rng) -> Number {
    match rng.random_range(0..10) {
        0..=4 => Number::Int(*HOSTILE_INTS.choose(rng).unwrap_or(&0)),
        5..=8 => Number::Float(*HOSTILE_FLOATS.choose(rng).unwrap_or(&0.0)),
        _ => Number::Verbatim((*ODD_NUMBERS.choose(rng).unwrap_or(&"1e")).to_owned()),
    }
}

/// A value near `number`: scaled by powers of ten, off by one, negated, made fractional.
fn nudged(number: &Number, rng: &mut ChaCha8Rng) -> Number {
    let value = match number {
        Number::Int(int) => *int as f64,
        Number::Float(float) => *float,
        Number::Verbatim(_) => 1.0,
    };
    let nudged = match rng.random_range(0..6) {
        0 => value * 10f64.powi(rng.random_range(1..=12)),
        1 => value / 10f64.powi(rng.random_range(1..=12)),
        2 => value + 1.0,
        3 => value - 1.0,
        4 => -value,
        _ => value + 0.5,
    };
    if matches!(number, Number::Int(_)) && nudged.fract() == 0.0 && nudged.abs() < 1e30 {
        Number::Int(nudged as i128)
    } else {
        Number::Float(nudged)
    }
}

/// Nesting depths from the parsers' recursion limits (about 128) to tens of thousands.
pub(crate) fn deep_node(rng: &mut ChaCha8Rng) -> Node {
    let depth = *[100, 129, 1_000, 5_000, 20_000, 50_000, 100_000]
        .choose(rng)
        .unwrap_or(&1_000);
    let style = *[DeepStyle::Arrays, DeepStyle::Tables, DeepStyle::Dashes]
        .choose(rng)
        .unwrap_or(&DeepStyle::Arrays);
    Node::Deep { depth, style }
}

/// Applies one structural mutation at a random node of `root` and says what it did.
pub(crate) fn mutate_tree(root: &mut Node, rng: &mut ChaCha8Rng) -> String {
    let paths = root.paths();
    let Some(path) = paths.choose(rng).cloned() else {
        return "no node to mutate".to_owned();
    };
    let place = root.describe(&path);
    let (parent_path, index) = match path.split_last() {
        Some((&index, parent)) => (parent.to_vec(), Some(index)),
        None => (Vec::new(), None),
    };
    // Edits that act on the node's place in its parent: drop it, duplicate it, add a sibling.
    let choice = rng.random_range(0..100);
    if let Some(index) = index
        && choice < 20
    {
        let Some(parent) = root.get_mut(&parent_path) else {
            return format!("{place}: vanished");
        };
        return match (parent, rng.random_range(0..3)) {
            (Node::Table(entries), 0) if index < entries.len() => {
                entries.remove(index);
                format!("{place}: dropped")
            }
            (Node::Table(entries), 1) if index < entries.len() => {
                let copy = entries[index].clone();
                entries.insert(index + 1, copy);
                format!("{place}: key duplicated")
            }
            (Node::Table(entries), _) => {
                entries.push(("unknownKey".to_owned(), Node::int(1)));
                format!("{place}: unknown sibling key added")
            }
            (Node::Array(items), 0) if index < items.len() => {
                items.remove(index);
                format!("{place}: item dropped")
            }
            (Node::Array(items), _) if index < items.len() => {
                let copy = items[index].clone();
                let wanted = *[1, 10, 1_000, 50_000].choose(rng).unwrap_or(&1);
                let copies = wanted.min(copies_within_budget(&copy));
                for _ in 0..copies {
                    items.insert(index, copy.clone());
                }
                format!("{place}: item repeated {copies} more times")
            }
            _ => format!("{place}: left alone"),
        };
    }
    let Some(node) = root.get_mut(&path) else {
        return format!("{place}: vanished");
    };
    let roll = rng.random_range(0..100);
    let (replacement, what) = match node {
        Node::Number(_) if roll < 60 => {
            let hostile = hostile_number(rng);
            let what = format!("{hostile:?}");
            (Node::Number(hostile), what)
        }
        Node::Number(number) if roll < 85 => {
            let nudged = nudged(number, rng);
            let what = format!("{nudged:?}");
            (Node::Number(nudged), what)
        }
        Node::Text(_) if roll < 60 => {
            let text = hostile_text(rng);
            let what = format!("a string of {} chars", text.chars().count());
            (Node::Text(text), what)
        }
        Node::Array(items) if roll < 30 && !items.is_empty() => {
            let first = items[0].clone();
            let wanted = *[0, 10_000, 200_000].choose(rng).unwrap_or(&0);
            let length = wanted.min(copies_within_budget(&first));
            (
                Node::Array(vec![first; length]),
                format!("an array of {length}"),
            )
        }
        Node::Table(_) if roll < 20 => (Node::Table(Vec::new()), "an empty table".to_owned()),
        _ => match rng.random_range(0..7) {
            0 => (Node::text("abc"), "a string".to_owned()),
            1 => (Node::Bool(true), "true".to_owned()),
            2 => (Node::Array(Vec::new()), "an empty array".to_owned()),
            3 => (Node::Null, "null".to_owned()),
            4 => {
                let deep = deep_node(rng);
                let what = format!("{deep:?}");
                (deep, what)
            }
            5 => (Node::Number(hostile_number(rng)), "a number".to_owned()),
            _ => (Node::table(vec![("a", Node::int(1))]), "a table".to_owned()),
        },
    };
    *node = replacement;
    format!("{place} = {what}")
}

/// Files stay under a few megabytes, so that a huge array costs the reader, not the disk.
const REPEAT_BUDGET_BYTES: usize = 4 << 20;

/// How many copies of `node` fit in [`REPEAT_BUDGET_BYTES`].
fn copies_within_budget(node: &Node) -> usize {
    REPEAT_BUDGET_BYTES / node.render(Format::Json).len().max(1)
}

/// Damages written bytes: bit flips, inserted or deleted bytes, a truncation, invalid UTF-8.
pub(crate) fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut ChaCha8Rng) -> String {
    let edits = rng.random_range(1..=4);
    let mut done = Vec::new();
    for _ in 0..edits {
        let len = bytes.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..8) {
            0 if len > 0 => {
                bytes[at] ^= 1 << rng.random_range(0..8);
                done.push(format!("bit flipped at {at}"));
            }
            1 => {
                let byte = *[b'\n', b'"', b'[', b'{', b',', b'=', b':', 0, 0xff, b'#']
                    .choose(rng)
                    .unwrap_or(&b'\n');
                bytes.insert(at, byte);
                done.push(format!("byte {byte:#04x} inserted at {at}"));
            }
            2 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                bytes.drain(at..end);
                done.push(format!("bytes {at}..{end} deleted"));
            }
            3 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                let copy: Vec<u8> = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
                done.push(format!("bytes {at}..{end} duplicated"));
            }
            4 => {
                bytes.truncate(at);
                done.push(format!("truncated at {at}"));
            }
            5 => {
                bytes.clear();
                done.push("emptied".to_owned());
            }
            6 => {
                bytes.splice(at..at, [0xc3, 0x28, 0xed, 0xa0, 0x80]);
                done.push(format!("invalid UTF-8 inserted at {at}"));
            }
            _ => {
                bytes.splice(0..0, *b"\xef\xbb\xbf");
                done.push("byte-order mark prepended".to_owned());
            }
        }
    }
    done.join(", ")
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn mutations_are_deterministic_for_a_seed() {
        let base = Node::table(vec![
            ("a", Node::int(1)),
            ("b", Node::Array(vec![Node::float(2.0), Node::text("x")])),
        ]);
        let mutate = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut node = base.clone();
            let notes: Vec<String> = (0..5).map(|_| mutate_tree(&mut node, &mut rng)).collect();
            (node, notes)
        };
        assert_eq!(mutate(3), mutate(3));
    }

    #[test]
    fn byte_mutations_change_or_empty_the_bytes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let mut bytes = b"minute,requests\n0,1\n".to_vec();
            let note = mutate_bytes(&mut bytes, &mut rng);
            assert!(!note.is_empty());
        }
    }
}
