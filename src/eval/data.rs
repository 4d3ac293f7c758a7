//! A manifest as CEL values, built once per file, and rendering templates in a CEL scope.

use std::collections::HashMap;

use std::sync::Arc;

use cel::common::value::Val;
use cel::objects::{Key, Map};
use cel::{Context, Value};

use crate::cel::convert::display_value;
use crate::celval::FileVals;
use crate::rules::{Piece, Rule, Scope, Template};
use crate::source::Source;
use crate::tree::{DocPath, Node};

/// A manifest turned into CEL values once, with the paths of its entries. `plan`, `entries`
/// and the items are views of [`FileVals`]: rules bind them without copying.
pub(crate) struct FileData<'a> {
    pub(crate) doc: &'a Node,
    pub(crate) source: Source,
    pub(crate) vals: &'a FileVals<'a>,
    pub(crate) plan: Box<dyn Val + 'a>,
    pub(crate) entries: Box<dyn Val + 'a>,
    pub(crate) invalid: &'a [DocPath],
    pub(crate) texts: HashMap<DocPath, Source>,
    /// The file's headers and what its fixes have parsed so far.
    pub(crate) fix_work: &'a crate::eval::fixes::FixWork,
    /// Each scope's items, listed once per file (most scopes are shared by many rules).
    pub(crate) scoped: std::cell::RefCell<HashMap<Vec<String>, ScopeItems<'a>>>,
}

/// The items of a scope: (path, node, CEL value), in document order.
type ScopeItems<'a> = std::rc::Rc<[(DocPath, &'a Node, &'a (dyn Val + 'a))]>;

impl<'a> FileData<'a> {
    pub(crate) fn new(
        doc: &'a Node,
        invalid: &'a [DocPath],
        texts: HashMap<DocPath, Source>,
        source: Source,
        vals: &'a FileVals<'a>,
        fix_work: &'a crate::eval::fixes::FixWork,
    ) -> Self {
        FileData {
            doc,
            source,
            vals,
            plan: vals.plan(),
            entries: vals.entries(doc, invalid),
            invalid,
            texts,
            fix_work,
            scoped: std::cell::RefCell::default(),
        }
    }

    /// The items a scope runs over: (path, node, CEL value), in document order.
    pub(crate) fn items<'s>(
        &'s self,
        scope: &Scope,
    ) -> std::rc::Rc<[(DocPath, &'s Node, &'s (dyn Val + 's))]>
    where
        'a: 's,
    {
        match scope {
            Scope::File => std::rc::Rc::new([(DocPath::default(), self.doc, &*self.plan)]),
            Scope::Tables(tables) => self.table_items(tables),
            Scope::Texts(places) => {
                let mut tables: Vec<String> = places.iter().map(|(t, _)| t.clone()).collect();
                tables.dedup();
                self.table_items(&tables)
            }
        }
    }

    /// The entries of these top-level tables, in document order, listed once per file.
    pub(crate) fn table_items(&self, tables: &[String]) -> ScopeItems<'a> {
        if let Some(known) = self.scoped.borrow().get(tables) {
            return std::rc::Rc::clone(known);
        }
        let mut items = Vec::new();
        for table in tables {
            items.extend(self.vals.table_items(self.doc, self.invalid, table));
        }
        items.sort_by_key(|(_, node, _)| node.span.start);
        let items: ScopeItems<'a> = items.into();
        self.scoped
            .borrow_mut()
            .insert(tables.to_vec(), std::rc::Rc::clone(&items));
        items
    }
}

pub(crate) fn params_value(rule: &Rule) -> Value {
    let map: HashMap<Key, Value> = rule
        .params
        .iter()
        .map(|p| (Key::String(Arc::new(p.name.clone())), p.value.clone()))
        .collect();
    Value::Map(Map { map: Arc::new(map) })
}

/// Renders a template; a hole that cannot be evaluated is written as its source text.
pub(crate) fn render(template: &Template, ctx: &Context<'_, '_>) -> String {
    let mut out = String::new();
    for piece in &template.pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => match e.program.execute(ctx) {
                Ok(v) => out.push_str(&display_value(&v)),
                Err(_) => {
                    out.push('{');
                    out.push_str(&e.text);
                    out.push('}');
                }
            },
        }
    }
    out
}
