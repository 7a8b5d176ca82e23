//! Stripe's form encoding: bracket notation (`a[b][0]=x`, `a[]=x`) decoded into a
//! parameter tree, checked against the shape an endpoint accepts, and read through
//! typed getters that answer with Stripe's validation errors.
//!
//! Decoding is linear in the input: hashes and lists are maps, every key is split once,
//! nesting is bounded by `MAX_DEPTH` and the number of parameters by `MAX_PARAMS`.

use crate::error::{ApiError, ApiResult};
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// Where an item sits in a list: at an explicit index (`a[3]`), or appended (`a[]`, the
/// n-th such item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    At(usize),
    Appended(usize),
}

/// A decoded parameter: a string leaf, a hash, or an array (in index order).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Leaf(String),
    Hash(IndexMap<String, Node>),
    List(IndexMap<Slot, Node>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Leaf(s) => Some(s),
            _ => None,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Hash(items) => items.get(key),
            _ => None,
        }
    }
    /// The node as hash entries: a list of explicit indices reads as a hash keyed by
    /// them (a hash whose keys were all digits, like `metadata[1]=a&metadata[2]=b`).
    /// Appended items (`metadata[]=a`) have no key: `None`.
    pub fn hash_entries(&self) -> Option<Vec<(String, &Node)>> {
        match self {
            Node::Hash(items) => Some(items.iter().map(|(k, v)| (k.clone(), v)).collect()),
            Node::List(items) => items
                .iter()
                .map(|(slot, v)| match slot {
                    Slot::At(i) => Some((i.to_string(), v)),
                    Slot::Appended(_) => None,
                })
                .collect(),
            Node::Leaf(_) => None,
        }
    }

    /// Canonical JSON (hash keys sorted, arrays in order), used to compare requests.
    pub fn canonical(&self) -> Value {
        match self {
            Node::Leaf(s) => Value::String(s.clone()),
            Node::Hash(items) => {
                let mut sorted: Vec<_> = items.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    sorted
                        .into_iter()
                        .map(|(k, v)| (k.clone(), v.canonical()))
                        .collect::<Map<_, _>>(),
                )
            }
            Node::List(items) => Value::Array(items.values().map(Node::canonical).collect()),
        }
    }
    /// Plain JSON (hash order kept), for free-form fields stored as given.
    pub fn to_json(&self) -> Value {
        match self {
            Node::Leaf(s) => Value::String(s.clone()),
            Node::Hash(items) => Value::Object(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Node::List(items) => Value::Array(items.values().map(Node::to_json).collect()),
        }
    }
}

/// Splits `a[b][0][]` into `["a", "b", "0", ""]`.
fn split_key(key: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    match key.find('[') {
        None => parts.push(key),
        Some(i) => {
            parts.push(&key[..i]);
            let mut rest = &key[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                match stripped.find(']') {
                    Some(end) => {
                        parts.push(&stripped[..end]);
                        rest = &stripped[end + 1..];
                    }
                    None => {
                        parts.push(stripped);
                        rest = "";
                    }
                }
            }
        }
    }
    parts
}

fn insert(node: &mut Node, path: &[&str], value: String) {
    let Some((head, tail)) = path.split_first() else {
        *node = Node::Leaf(value);
        return;
    };
    // A digit key is a list index unless it lands in a hash (`metadata[1]=a` next to
    // `metadata[order]=b`); a named key turns a list into a hash keyed by its indices.
    let digits = !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit());
    let index = if head.is_empty() {
        Some(None)
    } else if digits && !matches!(node, Node::Hash(_)) {
        // Too long to be an index: a hash key.
        head.parse::<usize>().ok().map(Some)
    } else {
        None
    };
    match index {
        Some(at) => insert_in_list(node, at, tail, value),
        None => insert_in_hash(node, head, tail, value),
    }
}

/// Inserts under a list item: at index `at`, or appended (`None`, `a[]`).
fn insert_in_list(node: &mut Node, at: Option<usize>, tail: &[&str], value: String) {
    if !matches!(node, Node::List(_)) {
        *node = Node::List(IndexMap::new());
    }
    let Node::List(items) = node else {
        unreachable!()
    };
    let slot = match at {
        Some(i) => Slot::At(i),
        None => {
            // `a[][b]=1&a[][c]=2` continues the last hash unless the key repeats.
            let reuse = match (tail.first(), items.last()) {
                (Some(next), Some((last @ Slot::Appended(_), Node::Hash(h))))
                    if !h.contains_key(*next) =>
                {
                    Some(*last)
                }
                _ => None,
            };
            reuse.unwrap_or(Slot::Appended(items.len()))
        }
    };
    let child = items.entry(slot).or_insert(Node::Leaf(String::new()));
    insert(child, tail, value);
}

/// Inserts under the hash key `key`, turning a list into a hash keyed by its indices.
fn insert_in_hash(node: &mut Node, key: &str, tail: &[&str], value: String) {
    if let Node::List(items) = node {
        let hash = std::mem::take(items)
            .into_iter()
            .enumerate()
            .map(|(pos, (slot, v))| match slot {
                Slot::At(i) => (i.to_string(), v),
                Slot::Appended(_) => (pos.to_string(), v),
            })
            .collect();
        *node = Node::Hash(hash);
    }
    if !matches!(node, Node::Hash(_)) {
        *node = Node::Hash(IndexMap::new());
    }
    let Node::Hash(items) = node else {
        unreachable!()
    };
    let child = items
        .entry(key.to_string())
        .or_insert(Node::Leaf(String::new()));
    insert(child, tail, value);
}

/// Deeper keys than any Stripe parameter are refused (and never recursed into).
const MAX_DEPTH: usize = 12;
/// More parameters than any Stripe request needs (a Checkout Session with 100 line
/// items of price data is well under it). Past it a request is refused before decoding.
pub const MAX_PARAMS: usize = 2000;

pub fn too_many_parameters() -> ApiError {
    ApiError::invalid(format!(
        "Too many parameters: a request may have at most {MAX_PARAMS}."
    ))
}

/// The pairs of urlencoded sources, refused past `MAX_PARAMS` before anything is built.
fn pairs<'a>(
    sources: &'a [&'a [u8]],
) -> ApiResult<Vec<(std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>> {
    let mut out = Vec::new();
    for src in sources {
        check_utf8(src)?;
        for (k, v) in form_urlencoded::parse(src) {
            if k.is_empty() {
                continue;
            }
            if out.len() == MAX_PARAMS {
                return Err(too_many_parameters());
            }
            out.push((k, v));
        }
    }
    Ok(out)
}

/// Refuses a pair whose name or value is not UTF-8 once percent-decoded, rather than store
/// it with U+FFFD in place of what was sent.
fn check_utf8(src: &[u8]) -> ApiResult<()> {
    let decoded = |part: &[u8]| -> Vec<u8> {
        let plus: Vec<u8> = part
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&plus).collect()
    };
    for pair in src.split(|&b| b == b'&') {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let name = decoded(halves.next().unwrap_or_default());
        let value = decoded(halves.next().unwrap_or_default());
        if std::str::from_utf8(&name).is_err() || std::str::from_utf8(&value).is_err() {
            let name = String::from_utf8_lossy(&name).into_owned();
            return Err(ApiError::invalid(format!(
                "Invalid string: the value of {name} is not valid UTF-8 once percent-decoded."
            ))
            .param(name));
        }
    }
    Ok(())
}

/// The value of the top-level parameter `name` in `sources`, read without decoding the
/// rest (the `key=pk_...` Stripe.js sends, checked before the body is decoded).
pub fn find_top_level(sources: &[&[u8]], name: &str) -> Option<String> {
    sources.iter().find_map(|src| {
        form_urlencoded::parse(src)
            .take(MAX_PARAMS)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

/// Decodes one or more urlencoded strings (query, then body) into a hash node.
pub fn decode(sources: &[&[u8]]) -> ApiResult<Node> {
    let mut root = Node::Hash(IndexMap::new());
    for (k, v) in pairs(sources)? {
        let parts = split_key(&k);
        if parts.len() > MAX_DEPTH {
            // Kept whole so the shape check refuses it as an unknown parameter,
            // instead of recursing as deep as the key is long.
            insert(&mut root, &[k.as_ref()], v.into_owned());
            continue;
        }
        insert(&mut root, &parts, v.into_owned());
    }
    if let Node::Hash(items) = &mut root {
        for v in items.values_mut() {
            sort_lists(v);
        }
    }
    Ok(root)
}

fn sort_lists(node: &mut Node) {
    match node {
        Node::List(items) => {
            // Explicit indices in order; appended items after them, as sent.
            items.sort_by(|a, _, b, _| {
                let key = |s: &Slot| match s {
                    Slot::At(i) => (0, *i),
                    Slot::Appended(n) => (1, *n),
                };
                key(a).cmp(&key(b))
            });
            for v in items.values_mut() {
                sort_lists(v);
            }
        }
        Node::Hash(items) => {
            for v in items.values_mut() {
                sort_lists(v);
            }
        }
        Node::Leaf(_) => {}
    }
}

fn path_allowed(shape: &[&str], path: &[String]) -> bool {
    shape.iter().any(|pattern| {
        let pat = split_key(pattern);
        let mut i = 0;
        for (j, p) in pat.iter().enumerate() {
            if *p == "**" {
                return true;
            }
            let Some(seg) = path.get(i) else { return false };
            let ok = *p == "*" || (p.is_empty() && seg == "[]") || *p == seg;
            if !ok {
                return false;
            }
            i += 1;
            if j == pat.len() - 1 {
                return i == path.len();
            }
        }
        false
    })
}

fn display_path(path: &[String]) -> String {
    let mut s = path[0].clone();
    for seg in &path[1..] {
        if seg == "[]" {
            s.push_str("[]");
        } else {
            s.push('[');
            s.push_str(seg);
            s.push(']');
        }
    }
    s
}

/// `path` is matched against the shape (a list item is `[]`); `shown` is the same path
/// with each item's index, for the error (`line_items[0][amount]`, as Stripe names it).
fn check_node(
    shape: &[&str],
    node: &Node,
    path: &mut Vec<String>,
    shown: &mut Vec<String>,
) -> ApiResult<()> {
    match node {
        Node::Leaf(_) => {
            // An empty string is how a hash or list is unset (`metadata=`).
            if path_allowed(shape, path) || prefix_allowed(shape, path) {
                Ok(())
            } else {
                Err(ApiError::unknown_parameter(&display_path(shown)))
            }
        }
        Node::Hash(items) => {
            if !path.is_empty() && path_allowed(shape, path) && shape_is_open(shape, path) {
                return Ok(());
            }
            for (k, v) in items {
                path.push(k.clone());
                shown.push(k.clone());
                check_node(shape, v, path, shown)?;
                path.pop();
                shown.pop();
            }
            Ok(())
        }
        Node::List(items) => {
            for (i, v) in items.values().enumerate() {
                path.push("[]".into());
                // A list of hashes names the item (`line_items[1][colour]`); a list of
                // values stays `include[]`.
                shown.push(match v {
                    Node::Hash(_) => i.to_string(),
                    _ => "[]".into(),
                });
                check_node(shape, v, path, shown)?;
                path.pop();
                shown.pop();
            }
            Ok(())
        }
    }
}

fn shape_is_open(shape: &[&str], path: &[String]) -> bool {
    let mut p = path.to_vec();
    p.push("**".into());
    shape
        .iter()
        .any(|pat| split_key(pat) == p.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}

/// A leaf at a path that the shape only knows as a container (e.g. `metadata=`).
fn prefix_allowed(shape: &[&str], path: &[String]) -> bool {
    shape.iter().any(|pattern| {
        let pat = split_key(pattern);
        pat.len() > path.len()
            && pat.iter().zip(path.iter()).all(|(p, seg)| {
                *p == "*" || *p == "**" || *p == seg || (p.is_empty() && seg == "[]")
            })
    })
}

/// Whether a field was absent, sent empty (Stripe's "unset"), or given.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch<T> {
    Absent,
    Unset,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }
    pub fn set(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }
    /// Applies the patch to an optional field.
    pub fn apply(self, target: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Unset => *target = None,
            Patch::Set(v) => *target = Some(v),
        }
    }
}

/// Parameters of one request, with Stripe's typed getters. A hash taken out of it
/// (`sub`) keeps its path, so that its errors name the whole parameter
/// (`automatic_payment_methods[enabled]`), as Stripe's do.
#[derive(Debug, Clone)]
pub struct Params {
    pub root: Node,
    prefix: String,
}

pub const METADATA_MAX_KEYS: usize = 50;

impl Params {
    pub fn new(root: Node) -> Self {
        Params {
            root,
            prefix: String::new(),
        }
    }

    /// The full name of the parameter `name` of this hash (for errors made outside the
    /// getters).
    pub fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}[{name}]", self.prefix)
        }
    }

    /// Refuses any parameter outside `shape` with `parameter_unknown`.
    pub fn check(&self, shape: &[&str]) -> ApiResult<()> {
        check_node(shape, &self.root, &mut Vec::new(), &mut Vec::new())
    }

    /// Removes parameters every request may carry (Stripe.js telemetry, auth, version).
    pub fn strip_transport(&mut self) {
        if let Node::Hash(items) = &mut self.root {
            items.retain(|k, _| {
                !matches!(
                    k.as_str(),
                    "key"
                        | "_stripe_version"
                        | "_stripe_account"
                        | "guid"
                        | "muid"
                        | "sid"
                        | "is_stripe_sdk"
                        | "referrer_host"
                        | "stripe_js_id"
                        | "client_attribution_metadata"
                        | "client_context"
                        | "spc_eligible"
                        | "payment_user_agent"
                        | "time_on_page"
                        | "referrer"
                )
            });
        }
        if let Some(Node::Hash(items)) = self.node_mut("payment_method_data") {
            items.retain(|k, _| {
                !matches!(
                    k.as_str(),
                    "guid" | "muid" | "sid" | "payment_user_agent" | "time_on_page" | "referrer"
                )
            });
        }
    }

    fn node_mut(&mut self, name: &str) -> Option<&mut Node> {
        match &mut self.root {
            Node::Hash(items) => items.get_mut(name),
            _ => None,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Node> {
        self.root.get(name)
    }
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    pub fn sub(&self, name: &str) -> Option<Params> {
        match self.get(name) {
            Some(n @ Node::Hash(_)) => Some(Params {
                root: n.clone(),
                prefix: self.path(name),
            }),
            _ => None,
        }
    }
    /// A list of hashes (`line_items[0][price]=...`), in order; hashes only.
    pub fn sub_list(&self, name: &str) -> Option<Vec<Params>> {
        match self.get(name) {
            Some(Node::List(items)) => Some(
                items
                    .values()
                    .filter(|n| matches!(n, Node::Hash(_)))
                    .enumerate()
                    .map(|(i, n)| Params {
                        root: n.clone(),
                        prefix: format!("{}[{i}]", self.path(name)),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn leaf<'a>(node: &'a Node, name: &str) -> ApiResult<&'a str> {
        match node {
            Node::Leaf(s) => Ok(s),
            other => Err(
                ApiError::invalid(format!("Invalid string: {}", other.to_json()))
                    .code("parameter_invalid_string")
                    .param(name),
            ),
        }
    }

    pub fn str_patch(&self, name: &str, max_len: usize) -> ApiResult<Patch<String>> {
        match self.get(name) {
            None => Ok(Patch::Absent),
            Some(n) => {
                let s = Self::leaf(n, &self.path(name))?;
                if s.is_empty() {
                    Ok(Patch::Unset)
                } else if s.chars().count() > max_len {
                    Err(ApiError::invalid(format!(
                        "Invalid string: {}...; must be at most {max_len} characters",
                        s.chars().take(10).collect::<String>()
                    ))
                    .code("string_too_long")
                    .param(self.path(name)))
                } else {
                    Ok(Patch::Set(s.to_string()))
                }
            }
        }
    }
    pub fn str(&self, name: &str) -> ApiResult<Option<String>> {
        Ok(self.str_patch(name, 5000)?.set())
    }

    pub fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(n) => {
                let s = Self::leaf(n, &self.path(name))?;
                if s.is_empty() {
                    return Ok(None);
                }
                s.trim().parse::<i64>().map(Some).map_err(|_| {
                    ApiError::invalid(format!("Invalid integer: {s}"))
                        .code("parameter_invalid_integer")
                        .param(self.path(name))
                })
            }
        }
    }
    pub fn int_at_least(&self, name: &str, min: i64) -> ApiResult<Option<i64>> {
        match self.int(name)? {
            Some(v) if v < min => Err(ApiError::invalid(format!(
                "This value must be greater than or equal to {min}."
            ))
            .code("parameter_invalid_integer")
            .param(self.path(name))),
            other => Ok(other),
        }
    }

    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            // stripe-python before 10 sends Python's `True` and `False` as they print.
            Some(n) => match Self::leaf(n, &self.path(name))? {
                t if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
                f if f.eq_ignore_ascii_case("false") => Ok(Some(false)),
                "" => Ok(None),
                other => Err(ApiError::invalid(format!("Invalid boolean: {other}"))
                    .code("parameter_invalid_boolean")
                    .param(self.path(name))),
            },
        }
    }

    pub fn enum_patch(&self, name: &str, allowed: &[&str]) -> ApiResult<Patch<String>> {
        match self.str_patch(name, 5000)? {
            Patch::Set(v) if !allowed.contains(&v.as_str()) => Err(ApiError::invalid(format!(
                "Invalid {}: must be one of {}",
                self.path(name),
                one_of(allowed)
            ))
            .param(self.path(name))),
            other => Ok(other),
        }
    }
    pub fn enum_(&self, name: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        Ok(self.enum_patch(name, allowed)?.set())
    }

    /// A list of strings (`a[]=x&a[]=y` or `a[0]=x`); `a=` unsets it.
    pub fn str_list_patch(&self, name: &str) -> ApiResult<Patch<Vec<String>>> {
        match self.get(name) {
            None => Ok(Patch::Absent),
            Some(Node::Leaf(s)) if s.is_empty() => Ok(Patch::Unset),
            Some(Node::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for n in items.values() {
                    out.push(Self::leaf(n, &self.path(name))?.to_string());
                }
                Ok(Patch::Set(out))
            }
            Some(Node::Hash(items)) if items.keys().all(|k| k.parse::<usize>().is_ok()) => {
                let mut out = Vec::new();
                for n in items.values() {
                    out.push(Self::leaf(n, &self.path(name))?.to_string());
                }
                Ok(Patch::Set(out))
            }
            Some(other) => Err(
                ApiError::invalid(format!("Invalid array: {}", other.to_json()))
                    .code("parameter_invalid_array")
                    .param(self.path(name)),
            ),
        }
    }
    pub fn str_list(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        Ok(self.str_list_patch(name)?.set())
    }

    pub fn expand(&self) -> ApiResult<Vec<String>> {
        Ok(self.str_list("expand")?.unwrap_or_default())
    }

    /// A free-form hash (`shipping[...]`) as JSON, or unset by `name=`.
    pub fn hash_patch(&self, name: &str) -> ApiResult<Patch<Value>> {
        match self.get(name) {
            None => Ok(Patch::Absent),
            Some(Node::Leaf(s)) if s.is_empty() => Ok(Patch::Unset),
            Some(n @ Node::Hash(_)) => Ok(Patch::Set(n.to_json())),
            Some(other) => Err(
                ApiError::invalid(format!("Invalid hash: {}", other.to_json()))
                    .code("parameter_invalid_hash")
                    .param(self.path(name)),
            ),
        }
    }

    /// Applies Stripe's metadata rules to `current`: merge, `metadata[k]=` deletes k,
    /// `metadata=` clears all; 50 keys, keys ≤ 40 chars, values ≤ 500 chars.
    pub fn apply_metadata(&self, current: &mut Map<String, Value>) -> ApiResult<()> {
        match self.get("metadata") {
            None => Ok(()),
            Some(Node::Leaf(s)) if s.is_empty() => {
                current.clear();
                Ok(())
            }
            Some(node @ (Node::Hash(_) | Node::List(_))) => {
                // `metadata[]=a` has no keys: not a hash.
                let Some(items) = node.hash_entries() else {
                    return Err(
                        ApiError::invalid(format!("Invalid hash: {}", node.to_json()))
                            .code("parameter_invalid_hash")
                            .param(self.path("metadata")),
                    );
                };
                let mut next = current.clone();
                for (k, v) in items {
                    let v = metadata_value(&self.path("metadata"), &k, v)?;
                    if v.is_empty() {
                        next.remove(&k);
                    } else {
                        next.insert(k.clone(), Value::String(v.clone()));
                    }
                }
                if next.len() > METADATA_MAX_KEYS {
                    return Err(ApiError::invalid(format!(
                        "You can have up to {METADATA_MAX_KEYS} metadata keys, \
                         but you passed in {}.",
                        next.len()
                    ))
                    .param(self.path("metadata")));
                }
                *current = next;
                Ok(())
            }
            Some(other) => Err(
                ApiError::invalid(format!("Invalid hash: {}", other.to_json()))
                    .code("parameter_invalid_hash")
                    .param(self.path("metadata")),
            ),
        }
    }
}

/// One metadata entry's value, refused when it is not a string or when the key (up to
/// 40 characters) or the value (up to 500) is too long.
fn metadata_value<'a>(at: &str, k: &str, v: &'a Node) -> ApiResult<&'a String> {
    let Node::Leaf(v) = v else {
        return Err(
            ApiError::invalid(format!("Invalid string: {}", v.to_json()))
                .code("parameter_invalid_string")
                .param(format!("{at}[{k}]")),
        );
    };
    let too_long = |what: &str, max: usize, text: &str| {
        ApiError::invalid(format!(
            "Metadata {what}s can have up to {max} characters, \
             but you passed in a {what} that is {} characters. Invalid {what}: {text}",
            text.chars().count()
        ))
        .param(format!("{at}[{k}]"))
    };
    if k.chars().count() > 40 {
        return Err(too_long("key", 40, k));
    }
    if v.chars().count() > 500 {
        return Err(too_long("value", 500, v));
    }
    Ok(v)
}

impl crate::versions::Given for Params {
    fn has(&self, name: &str) -> bool {
        Params::has(self, name)
    }
    fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Node::as_str)
    }
}

/// An address hash with every field present (null when not given).
pub fn full_address(a: &Value) -> Value {
    let mut out = serde_json::json!({
        "city": null,
        "country": null,
        "line1": null,
        "line2": null,
        "postal_code": null,
        "state": null
    });
    if let Value::Object(m) = a {
        for (k, v) in m {
            out[k.as_str()] = v.clone();
        }
    }
    out
}

impl Params {
    /// `shipping[...]` as Stripe keeps it: `name` and `address` required, and every
    /// field present (null when not given).
    pub fn shipping_patch(&self, name: &str) -> ApiResult<Patch<Value>> {
        match self.hash_patch(name)? {
            Patch::Set(given) => {
                for required in ["address", "name"] {
                    if given.get(required).is_none() {
                        return Err(ApiError::missing(&format!("{name}[{required}]")));
                    }
                }
                let mut out = serde_json::json!({
                    "address": full_address(&given["address"]),
                    "carrier": null, "name": given["name"], "phone": null, "tracking_number": null
                });
                for k in ["carrier", "phone", "tracking_number"] {
                    if let Some(v) = given.get(k).filter(|v| *v != "") {
                        out[k] = v.clone();
                    }
                }
                Ok(Patch::Set(out))
            }
            other => Ok(other),
        }
    }

    /// An email parameter: Stripe refuses what is not an address.
    pub fn email_patch(&self, name: &str) -> ApiResult<Patch<String>> {
        let v = self.str_patch(name, 512)?;
        if let Patch::Set(e) = &v {
            let ok = match e.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !e.contains(char::is_whitespace)
                }
                None => false,
            };
            if !ok {
                return Err(ApiError::invalid(format!("Invalid email address: {e}"))
                    .code("email_invalid")
                    .param(self.path(name)));
            }
        }
        Ok(v)
    }

    /// A URL the customer is sent to: an absolute URL with a scheme (custom schemes
    /// are fine for apps), never `javascript:`.
    pub fn url_patch(&self, name: &str) -> ApiResult<Patch<String>> {
        let v = self.str_patch(name, 2048)?;
        if let Patch::Set(u) = &v {
            let scheme = u.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
            let ok = match &scheme {
                Some(s) => {
                    !s.is_empty()
                        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                        && !matches!(s.as_str(), "javascript" | "data" | "vbscript")
                        && !u.contains(|c: char| c.is_whitespace() || c.is_control())
                        && u.len() > s.len() + 1
                }
                None => false,
            };
            if !ok {
                return Err(ApiError::invalid("Not a valid URL")
                    .code("url_invalid")
                    .param(self.path(name)));
            }
        }
        Ok(v)
    }
}

/// `a, b, or c` as in Stripe's enum errors.
pub fn one_of(allowed: &[&str]) -> String {
    match allowed {
        [] => String::new(),
        [one] => one.to_string(),
        [a, b] => format!("{a} or {b}"),
        _ => format!(
            "{}, or {}",
            allowed[..allowed.len() - 1].join(", "),
            allowed[allowed.len() - 1]
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Params {
        Params::new(decode(&[s.as_bytes()]).unwrap())
    }

    #[test]
    fn errors_inside_a_hash_name_the_whole_parameter() {
        let params = p("automatic_payment_methods[enabled]=maybe&line_items[0][quantity]=x");
        let apm = params.sub("automatic_payment_methods").unwrap();
        assert_eq!(
            apm.bool("enabled").unwrap_err().param.as_deref(),
            Some("automatic_payment_methods[enabled]")
        );
        let items = params.sub_list("line_items").unwrap();
        assert_eq!(
            items[0].int("quantity").unwrap_err().param.as_deref(),
            Some("line_items[0][quantity]")
        );
        assert_eq!(
            params
                .bool("automatic_payment_methods")
                .unwrap_err()
                .param
                .as_deref(),
            Some("automatic_payment_methods")
        );
    }

    #[test]
    fn booleans_in_any_case() {
        let params = p("a=true&b=False&c=TRUE&d=yes");
        assert_eq!(params.bool("a").unwrap(), Some(true));
        assert_eq!(params.bool("b").unwrap(), Some(false));
        assert_eq!(params.bool("c").unwrap(), Some(true));
        let e = params.bool("d").unwrap_err();
        assert_eq!(e.message, "Invalid boolean: yes");
    }

    #[test]
    fn decodes_brackets_and_arrays() {
        let params = p(concat!(
            "amount=1099&payment_method_types[]=amazon_pay&payment_method_types[]=card",
            "&metadata[a]=1&expand[1]=y&expand[0]=x&shipping%5Baddress%5D%5Bcity%5D=Paris"
        ));
        assert_eq!(params.int("amount").unwrap(), Some(1099));
        assert_eq!(
            params.str_list("payment_method_types").unwrap().unwrap(),
            vec!["amazon_pay", "card"]
        );
        assert_eq!(params.expand().unwrap(), vec!["x", "y"]);
        assert_eq!(
            params.get("shipping").unwrap().to_json(),
            serde_json::json!({"address": {"city": "Paris"}})
        );
    }

    #[test]
    fn absurdly_deep_keys_are_refused_not_recursed() {
        let key = format!("a{}", "[b]".repeat(100_000));
        let params = p(&format!("{key}=1"));
        let err = params.check(&["a[b]"]).unwrap_err();
        assert_eq!(err.code.as_deref(), Some("parameter_unknown"));
    }

    #[test]
    fn list_of_hashes() {
        let params = p("items[0][price]=a&items[0][quantity]=2&items[1][price]=b");
        assert_eq!(
            params.get("items").unwrap().to_json(),
            serde_json::json!([{"price":"a","quantity":"2"},{"price":"b"}])
        );
    }

    #[test]
    fn shape_check_names_the_unknown_parameter() {
        let shape: &[&str] = &[
            "amount",
            "metadata[*]",
            "expand[]",
            "payment_method_data[type]",
            "shipping[**]",
        ];
        assert!(
            p("amount=1&metadata[x]=y&expand[]=a&shipping[address][line1]=z")
                .check(shape)
                .is_ok()
        );
        assert!(p("metadata=").check(shape).is_ok());
        let err = p("amount=1&foo=2").check(shape).unwrap_err();
        assert_eq!(err.message, "Received unknown parameter: foo");
        let err = p("payment_method_data[type]=card&payment_method_data[shipping]=x")
            .check(shape)
            .unwrap_err();
        assert_eq!(err.param.as_deref(), Some("payment_method_data[shipping]"));
    }

    #[test]
    fn typed_errors_match_stripe() {
        assert_eq!(
            p("amount=abc").int("amount").unwrap_err().message,
            "Invalid integer: abc"
        );
        assert_eq!(
            p("capture_method=x")
                .enum_(
                    "capture_method",
                    &["automatic", "automatic_async", "manual"]
                )
                .unwrap_err()
                .message,
            "Invalid capture_method: must be one of automatic, automatic_async, or manual"
        );
        assert_eq!(
            p("description=").str_patch("description", 10).unwrap(),
            Patch::Unset
        );
    }

    #[test]
    fn digit_keys_in_hashes_stay_keys() {
        let mut m = Map::new();
        p("metadata[1]=a&metadata[2]=b")
            .apply_metadata(&mut m)
            .unwrap();
        assert_eq!(
            Value::Object(m.clone()),
            serde_json::json!({"1":"a","2":"b"})
        );
        let mut m = Map::new();
        p("metadata[0]=x&metadata[order_id]=6735")
            .apply_metadata(&mut m)
            .unwrap();
        assert_eq!(
            Value::Object(m.clone()),
            serde_json::json!({"0":"x","order_id":"6735"})
        );
        let mut m = Map::new();
        p("metadata[order_id]=6735&metadata[0]=x")
            .apply_metadata(&mut m)
            .unwrap();
        assert_eq!(
            Value::Object(m),
            serde_json::json!({"order_id":"6735","0":"x"})
        );
    }

    #[test]
    fn metadata_merges_deletes_and_limits() {
        let mut m = Map::new();
        p("metadata[a]=1&metadata[b]=2")
            .apply_metadata(&mut m)
            .unwrap();
        p("metadata[a]=&metadata[c]=3")
            .apply_metadata(&mut m)
            .unwrap();
        assert_eq!(
            Value::Object(m.clone()),
            serde_json::json!({"b":"2","c":"3"})
        );
        p("metadata=").apply_metadata(&mut m).unwrap();
        assert!(m.is_empty());
        let long = "k".repeat(41);
        assert!(p(&format!("metadata[{long}]=v"))
            .apply_metadata(&mut m)
            .is_err());
    }

    #[test]
    fn appended_metadata_is_not_a_hash() {
        let err = p("metadata[]=1&metadata[]=2")
            .apply_metadata(&mut Map::new())
            .unwrap_err();
        assert_eq!(err.code.as_deref(), Some("parameter_invalid_hash"));
        assert_eq!(err.param.as_deref(), Some("metadata"));
    }

    #[test]
    fn parameters_past_the_cap_are_refused_before_decoding() {
        let body: String = (0..MAX_PARAMS + 1).map(|i| format!("k{i}=&")).collect();
        let err = decode(&[body.as_bytes()]).unwrap_err();
        assert_eq!(err.status, 400);
        let body: String = (0..MAX_PARAMS).map(|i| format!("k{i}=&")).collect();
        let Node::Hash(root) = decode(&[body.as_bytes()]).unwrap() else {
            panic!("root is a hash")
        };
        assert_eq!(root.len(), MAX_PARAMS);
    }

    #[test]
    fn indices_in_any_order_make_one_ordered_list() {
        let body: String = (0..MAX_PARAMS)
            .rev()
            .map(|i| format!("a[{i}]={i}&"))
            .collect();
        let params = Params::new(decode(&[body.as_bytes()]).unwrap());
        let list = params.str_list("a").unwrap().unwrap();
        assert_eq!(list.len(), MAX_PARAMS);
        assert_eq!(list[0], "0");
        assert_eq!(list[MAX_PARAMS - 1], (MAX_PARAMS - 1).to_string());
    }

    #[test]
    fn the_key_is_found_without_decoding() {
        let body = b"amount=1&key=pk_test_x&key=pk_test_y";
        assert_eq!(
            find_top_level(&[b"", body], "key").as_deref(),
            Some("pk_test_x")
        );
        assert_eq!(find_top_level(&[b"a[key]=1"], "key"), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Keys built from the pieces that matter to the decoder: names, digits,
        /// brackets (balanced or not), and percent escapes of them.
        fn key() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("a".to_string()),
                    Just("metadata".to_string()),
                    Just("[".to_string()),
                    Just("]".to_string()),
                    Just("[]".to_string()),
                    Just("%5B".to_string()),
                    Just("%5D".to_string()),
                    Just("%FF".to_string()),
                    (0usize..20).prop_map(|i| format!("[{i}]")),
                    "[a-z]{1,3}".prop_map(|s| format!("[{s}]")),
                ],
                0..16,
            )
            .prop_map(|parts| parts.concat())
        }

        fn body() -> impl Strategy<Value = String> {
            proptest::collection::vec((key(), "[a-z0-9%&=+]{0,4}"), 0..64).prop_map(|pairs| {
                pairs
                    .into_iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&")
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Any input decodes (or is refused) without a panic, and every getter and
            /// the shape check answer a value or Stripe's error, never a panic.
            #[test]
            fn decoding_never_panics(input in body()) {
                // Only text that is not UTF-8 once percent-decoded is refused.
                let Ok(root) = decode(&[input.as_bytes()]) else {
                    prop_assert!(check_utf8(input.as_bytes()).is_err());
                    return Ok(());
                };
                let params = Params::new(root.clone());
                let _ = params.check(&["a[**]", "metadata[*]", "expand[]"]);
                let _ = params.str_list("a");
                let _ = params.hash_patch("a");
                let _ = params.apply_metadata(&mut Map::new());
                let _ = root.canonical();
                // Decoding is a function of the input.
                prop_assert_eq!(decode(&[input.as_bytes()]).unwrap(), root);
            }

            /// A value that is not UTF-8 is refused by name, never stored with U+FFFD.
            #[test]
            fn invalid_utf8_is_refused(prefix in "[a-z]{1,8}") {
                let input = format!("{}=ok&bad{}=%FF%FE", prefix, prefix);
                let err = decode(&[input.as_bytes()]).unwrap_err();
                let bad = format!("bad{}", prefix);
                prop_assert_eq!(err.param.as_deref(), Some(bad.as_str()));
                let good = format!("{}=caf%C3%A9", prefix);
                prop_assert!(decode(&[good.as_bytes()]).is_ok());
            }

            /// Arbitrary bytes, not only well-formed keys.
            #[test]
            fn arbitrary_bytes_never_panic(
                input in proptest::collection::vec(any::<u8>(), 0..512)
            ) {
                if let Ok(root) = decode(&[&input]) {
                    let _ = Params::new(root).check(&["a[**]"]);
                }
            }

            /// The tree never has more leaves than the input has pairs: nothing is
            /// invented, whatever the nesting.
            #[test]
            fn leaves_are_bounded_by_pairs(input in body()) {
                fn leaves(n: &Node) -> usize {
                    match n {
                        Node::Leaf(_) => 1,
                        Node::Hash(m) => m.values().map(leaves).sum(),
                        Node::List(m) => m.values().map(leaves).sum(),
                    }
                }
                let pairs = form_urlencoded::parse(input.as_bytes())
                    .filter(|(k, _)| !k.is_empty())
                    .count();
                let Ok(root) = decode(&[input.as_bytes()]) else {
                    return Ok(());
                };
                prop_assert!(leaves(&root) <= pairs);
            }
        }
    }
}
