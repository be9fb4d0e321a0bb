"""Tag extraction per language with the real grammars and our package-data queries."""

from __future__ import annotations

import pytest
from obs_coding.harvest import LANGUAGES, extract_tags, language_for_path
from obs_coding.harvest._languages import LanguageSpec, tag_query

Row = tuple[str, str, int, str, str]


def rows(language: str, source: str) -> list[Row]:
    """(name, kind, parent, signature, doc) per definition, in source order."""
    tags = extract_tags(language, source.encode("utf-8"))
    return [(d.name, d.kind, d.parent, d.signature, d.doc) for d in tags.definitions]


def references(language: str, source: str) -> dict[str, int]:
    return extract_tags(language, source.encode("utf-8")).references


PYTHON = '''"""Module doc."""
from pkg.sub import Thing, Other as O

LIMIT = 10

@decorator
class Foo(Base, mixins.Mixin):
    """A foo.

    More text."""

    def bar(self, x: int, y: list[Thing]) -> Result:
        """Bar does things."""
        return helper(x).method()

def top(
    a,
    b,
):
    pass
'''


def test_python_definitions_signatures_docstrings() -> None:
    assert rows("python", PYTHON) == [
        ("LIMIT", "constant", -1, "LIMIT = 10", ""),
        ("Foo", "class", -1, "class Foo(Base, mixins.Mixin):", "A foo."),
        ("bar", "method", 1, "def bar(self, x: int, y: list[Thing]) -> Result:", "Bar does things."),
        ("top", "function", -1, "def top( a, b, ):", ""),
    ]


def test_python_references_cover_calls_bases_annotations_imports_decorators() -> None:
    assert references("python", PYTHON) == {
        "Thing": 2,
        "Other": 1,
        "decorator": 1,
        "Base": 1,
        "Mixin": 1,
        "int": 1,
        "list": 1,
        "Result": 1,
        "helper": 1,
        "method": 1,
    }


TYPESCRIPT = """import { Widget, other as o } from "./w";
/** Makes widgets. */
export class Factory extends Base implements Maker {
  // builds
  build(n: number): Widget { return new Widget(n); }
}
export interface Maker { build(n: number): Widget; }
export type Id = string;
export enum Color { Red }
export function make(a: Id): Factory { return helper(a); }
const arrow = (x: number): number => x * 2;
namespace NS { export const v = 1; }
abstract class Abs { abstract run(): void; }
"""

TS_ROWS = [
    ("Factory", "class", -1, "class Factory extends Base implements Maker", "Makes widgets."),
    ("build", "method", 0, "build(n: number): Widget", "builds"),
    ("Maker", "interface", -1, "interface Maker", ""),
    ("build", "method", 2, "build(n: number): Widget", ""),
    ("Id", "type", -1, "type Id = string;", ""),
    ("Color", "enum", -1, "enum Color", ""),
    ("make", "function", -1, "function make(a: Id): Factory", ""),
    ("arrow", "function", -1, "arrow = (x: number): number =>", ""),
    ("NS", "module", -1, "namespace NS", ""),
    ("Abs", "class", -1, "abstract class Abs", ""),
    ("run", "method", 9, "abstract run(): void", ""),
]


def test_typescript_definitions() -> None:
    assert rows("typescript", TYPESCRIPT) == TS_ROWS
    assert references("typescript", TYPESCRIPT)["Widget"] == 4


def test_tsx_shares_the_typescript_query_and_parses_jsx() -> None:
    source = TYPESCRIPT + "export function View(p: Props) { return <div className='x'>{p.name}</div>; }\n"
    assert rows("tsx", source) == [*TS_ROWS, ("View", "function", -1, "function View(p: Props)", "")]
    assert language_for_path("ui/View.tsx") == "tsx"


def test_javascript_definitions_and_references() -> None:
    source = """import { Api } from './api.js';
// Client doc
export class Client extends Base {
  /** fetches */
  async fetch(url) { return request(url).then(parse); }
}
export function connect(host) { return new Client(host); }
const handler = function (e) { log(e); };
module.exports.thing = () => 1;
"""
    assert rows("javascript", source) == [
        ("Client", "class", -1, "class Client extends Base", "Client doc"),
        ("fetch", "method", 0, "async fetch(url)", "fetches"),
        ("connect", "function", -1, "function connect(host)", ""),
        ("handler", "function", -1, "handler = function (e)", ""),
        ("thing", "function", -1, "module.exports.thing = () => 1", ""),
    ]
    assert references("javascript", source) == {"Api": 1, "Base": 1, "request": 1, "then": 1, "Client": 1, "log": 1}


def test_go_definitions_with_doc_comments() -> None:
    source = """package main

// Server serves.
type Server struct {
\tName string
}

type Handler interface {
\tServe(r *Request) error
}

// Start starts the server.
func (s *Server) Start(port int) error {
\treturn helper(s)
}

const MaxConns = 10
"""
    assert rows("go", source) == [
        ("Server", "class", -1, "type Server struct", "Server serves."),
        ("Handler", "interface", -1, "type Handler interface", ""),
        ("Serve", "method", 1, "Serve(r *Request) error", ""),
        ("Start", "method", -1, "func (s *Server) Start(port int) error", "Start starts the server."),
        ("MaxConns", "constant", -1, "MaxConns = 10", ""),
    ]
    assert references("go", source)["helper"] == 1


def test_rust_definitions_nest_methods_under_impl() -> None:
    source = """use crate::net::{Socket, Addr};

/// A connection pool.
#[derive(Debug)]
pub struct Pool { size: usize }

/// Things that can be pooled.
pub trait Poolable { fn reset(&mut self); }

impl Pool {
    /// Makes a pool.
    pub fn new(size: usize) -> Self { helper(); Pool { size } }
}

pub enum Mode { A, B }
macro_rules! mac { () => {} }
pub fn helper() {}
"""
    assert rows("rust", source) == [
        ("Pool", "class", -1, "pub struct Pool", "A connection pool."),
        ("Poolable", "interface", -1, "pub trait Poolable", "Things that can be pooled."),
        ("reset", "method", 1, "fn reset(&mut self);", ""),
        ("Pool", "impl", -1, "impl Pool", ""),
        ("new", "method", 3, "pub fn new(size: usize) -> Self", "Makes a pool."),
        ("Mode", "enum", -1, "pub enum Mode", ""),
        ("mac", "macro", -1, "macro_rules! mac { () => {} }", ""),
        ("helper", "function", -1, "pub fn helper()", ""),
    ]
    assert references("rust", source)["Socket"] == 1


def test_java_definitions() -> None:
    source = """package com.x;
import java.util.List;
/** An account. */
public class Account extends Base implements Serializable {
    /** Deposits. */
    public void deposit(long amount) { ledger.add(new Entry(amount)); }
    public Account(String id) { }
}
interface Ledger { void add(Entry e); }
record Point(int x, int y) {}
"""
    assert rows("java", source) == [
        ("Account", "class", -1, "public class Account extends Base implements Serializable", "An account."),
        ("deposit", "method", 0, "public void deposit(long amount)", "Deposits."),
        ("Account", "method", 0, "public Account(String id)", ""),
        ("Ledger", "interface", -1, "interface Ledger", ""),
        ("add", "method", 3, "void add(Entry e);", ""),
        ("Point", "class", -1, "record Point(int x, int y)", ""),
    ]
    assert references("java", source)["Entry"] == 3


@pytest.mark.parametrize("spec", LANGUAGES, ids=lambda s: s.name)
def test_every_shipped_query_compiles_against_its_grammar(spec: LanguageSpec) -> None:
    name = spec.name
    assert tag_query(name).pattern_count > 0


def test_unknown_language_has_no_tags_and_maps_to_text() -> None:
    assert language_for_path("notes/plan.md") == "text"
    assert language_for_path("Makefile") == "text"
    assert language_for_path("a.b/c") == "text"
    assert extract_tags("text", b"def f(): pass").definitions == ()


def test_broken_source_still_yields_what_parses() -> None:
    names = [r[0] for r in rows("python", "def ok():\n    pass\n\ndef broken(:\n")]
    assert names[0] == "ok"
