"""Definitions and references of one file, from a tree-sitter parse and our tag query.

Definitions keep what tier 3 and tier 4 render instead of bodies: the signature
(source text from the definition's start up to its body) and the first
paragraph of its documentation (a Python docstring, or the comment block right
above the definition elsewhere). References are the names a file uses (calls,
base classes, annotations, imports); resolving them to definitions in other
files is the def/ref graph (``_graph``).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from tree_sitter import Node, Parser, QueryCursor

from ._languages import new_parser, spec_for, tag_query

MAX_SIGNATURE_CHARS = 240
MAX_DOC_CHARS = 320
_CONTAINER_KINDS = frozenset({"class", "interface", "impl", "module", "enum"})
_METHOD_OWNERS = _CONTAINER_KINDS - {"module"}
_WRAPPERS = frozenset(
    {
        "export_statement",
        "lexical_declaration",
        "variable_declaration",
        "type_declaration",
        "const_declaration",
        "decorated_definition",
        "expression_statement",
    }
)
_SKIPPABLE = frozenset({"attribute_item", "decorator", "annotation", "marker_annotation"})
_COMMENT_MARKERS = re.compile(r"^\s*(?:/\*\*?|\*/|\*(?!/)|///?!?|//!|#+)\s?")
_local = threading.local()
_NODE_TEXT = attrgetter("text")
_START = attrgetter("start_byte")


class Definition(NamedTuple):
    """One symbol a file defines.

    A named tuple rather than a frozen dataclass: a large repository has ~40k of
    them, and a frozen dataclass sets each field through ``object.__setattr__``,
    which made building them (in workers and again when loading analyses) a
    measurable part of a cold index.
    """

    name: str
    kind: str
    """class, function, method, interface, type, enum, module, macro, constant or impl."""
    line: int
    """1-based first line of the definition."""
    end_line: int
    """1-based last line (inclusive)."""
    signature: str
    """Header without the body, whitespace collapsed, at most ``MAX_SIGNATURE_CHARS``."""
    doc: str
    """First paragraph of the documentation, or ``""``."""
    parent: int
    """Index of the enclosing definition in the file's list, -1 at top level."""


@dataclass(frozen=True, slots=True)
class FileTags:
    definitions: tuple[Definition, ...]
    references: dict[str, int]
    """Referenced name → occurrences (names the file also defines are kept; the graph drops them)."""


EMPTY_TAGS = FileTags((), {})


def _parser(language: str) -> Parser:
    # Parsers are stateful and not thread-safe; one per thread and language.
    cache: dict[str, Parser] | None = getattr(_local, "parsers", None)
    if cache is None:
        cache = _local.parsers = {}
    parser = cache.get(language)
    if parser is None:
        parser = cache[language] = new_parser(language)
    return parser


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to read one language's captures: definition captures by priority, reference captures."""

    definitions: tuple[tuple[str, str], ...]
    """(capture name, kind), most specific first (the order the query first uses them)."""
    references: tuple[str, ...]


@cache
def _plan(language: str) -> _Plan:
    query = tag_query(language)
    names = [query.capture_name(i) for i in range(query.capture_count)]  # in order of first use
    return _Plan(
        tuple((n, n[len("definition.") :]) for n in names if n.startswith("definition.")),
        tuple(n for n in names if n.startswith("reference.")),
    )


def extract_tags(language: str, source: bytes) -> FileTags:
    """Parse ``source`` and run the language's tag query.

    One ``captures()`` pass: references are captured on the identifier itself
    and counted straight from the node list, so the ~200k reference matches of
    a large repository create no per-match dicts (``matches()`` spent as much
    time building those as tree-sitter spent matching). A definition's name is
    the first ``@name`` inside its node (the query files promise that).
    """
    spec = spec_for(language)
    if spec is None or not source:
        return EMPTY_TAGS
    tree = _parser(language).parse(source)
    captured = QueryCursor(tag_query(language)).captures(tree.root_node)
    plan = _plan(language)
    referenced: Counter[bytes | None] = Counter()
    for capture in plan.references:
        nodes = captured.get(capture)
        if nodes:
            referenced.update(map(_NODE_TEXT, nodes))
    references = {name.decode("utf-8", "replace"): n for name, n in referenced.items() if name}
    found: dict[tuple[int, int], tuple[int, str, Node]] = {}
    for priority, (capture, kind) in enumerate(plan.definitions):
        for node in captured.get(capture, ()):
            key = (node.start_byte, node.end_byte)
            if key not in found or found[key][0] > priority:
                found[key] = (priority, kind, node)
    if not found:
        return FileTags((), references)
    names = sorted(captured.get("name", ()), key=_START)  # lists come in match order, not document order
    name_starts = [n.start_byte for n in names]
    ordered = sorted(found.items(), key=lambda item: (item[0][0], -item[0][1]))
    definitions: list[Definition] = []
    stack: list[tuple[int, int]] = []  # (end_byte, index) of open enclosing definitions
    docstrings = spec.doc_style == "docstring"
    for (start, end), (_, kind, node) in ordered:
        position = bisect_left(name_starts, start)
        if position == len(names) or names[position].end_byte > end:
            continue  # cannot happen with the shipped queries (every definition pattern captures @name)
        while stack and stack[-1][0] <= start:
            stack.pop()
        parent = stack[-1][1] if stack else -1
        if kind == "function" and parent >= 0 and definitions[parent].kind in _METHOD_OWNERS:
            kind = "method"
        definitions.append(
            Definition(
                name=_text(names[position]),
                kind=kind,
                line=node.start_point.row + 1,
                end_line=node.end_point.row + 1,
                signature=_signature(node, source),
                doc=_docstring(node) if docstrings else _comment_doc(node),
                parent=parent,
            )
        )
        stack.append((end, len(definitions) - 1))
    return FileTags(tuple(definitions), references)


def _text(node: Node) -> str:
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


def _body(node: Node) -> Node | None:
    body = node.child_by_field_name("body")
    if body is not None:
        return body
    value = node.child_by_field_name("value")  # const f = () => {...}
    if value is not None and value.type in ("arrow_function", "function_expression", "function"):
        return value.child_by_field_name("body")
    return None


def _signature(node: Node, source: bytes) -> str:
    body = _body(node)
    start = node.start_byte
    if body is not None:
        head = source[start : body.start_byte]
    else:
        newline = source.find(b"\n", start, node.end_byte)
        head = source[start : newline if newline >= 0 else node.end_byte]
    text = " ".join(head.decode("utf-8", "replace").split()).rstrip("{").rstrip()  # whitespace collapsed
    if node.type == "type_spec":  # Go: the ``type`` keyword belongs to the enclosing declaration
        text = "type " + text
    if len(text) > MAX_SIGNATURE_CHARS:
        text = text[: MAX_SIGNATURE_CHARS - 1].rstrip() + "…"
    return text


def _first_paragraph(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    paragraph: list[str] = []
    for line in lines:
        if not line:
            if paragraph:
                break
            continue
        paragraph.append(line)
    doc = " ".join(paragraph)
    if len(doc) > MAX_DOC_CHARS:
        doc = doc[: MAX_DOC_CHARS - 1].rstrip() + "…"
    return doc


def _docstring(node: Node) -> str:
    body = node.child_by_field_name("body")
    if body is None or body.named_child_count == 0:
        return ""
    first = body.named_child(0)
    if first is None or first.type != "expression_statement" or first.named_child_count != 1:
        return ""
    string = first.named_child(0)
    if string is None or string.type != "string":
        return ""
    content = "".join(_text(child) for child in string.named_children if child.type == "string_content")
    return _first_paragraph(content)


def _comment_doc(node: Node) -> str:
    anchor = node
    for _ in range(3):
        previous = anchor.prev_named_sibling
        while previous is not None and previous.type in _SKIPPABLE:
            previous = previous.prev_named_sibling
        if previous is not None and "comment" in previous.type:
            break
        if anchor.parent is None or anchor.parent.type not in _WRAPPERS or previous is not None:
            return ""
        anchor = anchor.parent
    else:
        return ""
    comments: list[str] = []
    expected_row = anchor.start_point.row
    current = anchor.prev_named_sibling
    while current is not None and current.type in _SKIPPABLE:
        expected_row = current.start_point.row
        current = current.prev_named_sibling
    while current is not None and "comment" in current.type and current.end_point.row >= expected_row - 1:
        comments.append(_text(current))
        expected_row = current.start_point.row
        current = current.prev_named_sibling
    lines = [
        _COMMENT_MARKERS.sub("", line).rstrip(" */") for block in reversed(comments) for line in block.splitlines()
    ]
    return _first_paragraph("\n".join(lines))
