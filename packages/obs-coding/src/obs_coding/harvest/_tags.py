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
from collections import Counter
from dataclasses import dataclass

from tree_sitter import Node, Parser, QueryCursor

from ._languages import new_parser, spec_for, tag_query

MAX_SIGNATURE_CHARS = 240
MAX_DOC_CHARS = 320
_CONTAINER_KINDS = frozenset({"class", "interface", "impl", "module", "enum"})
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
_WS = re.compile(r"\s+")
_COMMENT_MARKERS = re.compile(r"^\s*(?:/\*\*?|\*/|\*(?!/)|///?!?|//!|#+)\s?")
_local = threading.local()


@dataclass(frozen=True, slots=True)
class Definition:
    """One symbol a file defines."""

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


def _roles(language: str) -> dict[int, str]:
    """Pattern index → its role capture (``definition.class``, ``reference.call``, ...), learnt per thread."""
    roles: dict[str, dict[int, str]] | None = getattr(_local, "roles", None)
    if roles is None:
        roles = _local.roles = {}
    return roles.setdefault(language, {})


def extract_tags(language: str, source: bytes) -> FileTags:
    """Parse ``source`` and run the language's tag query."""
    spec = spec_for(language)
    if spec is None or not source:
        return EMPTY_TAGS
    tree = _parser(language).parse(source)
    matches = QueryCursor(tag_query(language)).matches(tree.root_node)
    found: dict[tuple[int, int], tuple[int, str, Node, str]] = {}
    referenced: list[bytes | None] = []
    roles = _roles(language)
    for pattern_index, captures in matches:
        names = captures.get("name")
        if not names:
            continue
        role = roles.get(pattern_index)
        if role is None:
            role = roles[pattern_index] = next((c for c in captures if c != "name"), "")
        if role[0] == "r":  # reference.<kind>: most matches, so kept to one append
            referenced.append(names[0].text)
        elif role[0] == "d":  # definition.<kind>
            node = captures[role][0]
            key = (node.start_byte, node.end_byte)
            if key not in found or found[key][0] > pattern_index:
                found[key] = (pattern_index, role[11:], node, _text(names[0]))
    references = {name.decode("utf-8", "replace"): n for name, n in Counter(referenced).items() if name}
    ordered = sorted(found.values(), key=lambda item: (item[2].start_byte, -item[2].end_byte))
    definitions: list[Definition] = []
    stack: list[tuple[int, int]] = []  # (end_byte, index) of open enclosing definitions
    for _, kind, node, name in ordered:
        while stack and stack[-1][0] <= node.start_byte:
            stack.pop()
        parent = stack[-1][1] if stack else -1
        if kind == "function" and parent >= 0 and definitions[parent].kind in _CONTAINER_KINDS - {"module"}:
            kind = "method"
        doc = _docstring(node) if spec.doc_style == "docstring" else _comment_doc(node)
        definitions.append(
            Definition(
                name=name,
                kind=kind,
                line=node.start_point.row + 1,
                end_line=node.end_point.row + 1,
                signature=_signature(node),
                doc=doc,
                parent=parent,
            )
        )
        stack.append((node.end_byte, len(definitions) - 1))
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


def _signature(node: Node) -> str:
    body = _body(node)
    source = node.text or b""
    head = source[: body.start_byte - node.start_byte] if body is not None else source.split(b"\n", 1)[0]
    text = _WS.sub(" ", head.decode("utf-8", "replace")).strip().rstrip("{").rstrip()
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
    first = body.named_children[0]
    if first.type != "expression_statement" or first.named_child_count != 1:
        return ""
    string = first.named_children[0]
    if string.type != "string":
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
