"""One AI edit to one file, as hunks, whichever client reported it.

Claude Code reports edits as ``structuredPatch`` hunks (``oldStart``, ``oldLines``,
``newStart``, ``newLines``, ``lines`` with `` ``/``-``/``+`` prefixes); an agent
run through :class:`~obs_coding.CodingSession` usually has the file before and
after. Both become the same :class:`FileEdit`, so spans, the ledger and outcome
classification never care where an edit came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from ._language import language_of
from ._lines import line_counts, text_lines
from ._value import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Literal

    EditType = Literal["create", "modify", "delete", "rename"]
else:
    EditType = str  # the Literal is for type checkers
EDIT_TYPES: tuple[EditType, ...] = ("create", "modify", "delete", "rename")


class Hunk(Value):
    """A unified-diff hunk; ``lines`` keep their `` ``/``-``/``+`` prefix."""

    __slots__ = ("lines", "new_lines", "new_start", "old_lines", "old_start")
    _compared = ("old_start", "old_lines", "new_start", "new_lines", "lines")

    old_start: int
    """First line of the hunk in the old file (1-based; the line before it when ``old_lines`` is 0)."""
    old_lines: int
    """Lines of the old file the hunk covers."""
    new_start: int
    """First line of the hunk in the new file."""
    new_lines: int
    """Lines of the new file the hunk covers."""
    lines: tuple[str, ...]
    """Body: context, removed and added lines, each with its one-character prefix."""

    def __init__(self, old_start: int, old_lines: int, new_start: int, new_lines: int, lines: tuple[str, ...]) -> None:
        self._init(old_start=old_start, old_lines=old_lines, new_start=new_start, new_lines=new_lines, lines=lines)

    @property
    def added(self) -> list[str]:
        return [line[1:] for line in self.lines if line.startswith("+")]

    @property
    def removed(self) -> list[str]:
        return [line[1:] for line in self.lines if line.startswith("-")]

    def hunk_id(self, path: str) -> str:
        """Stable id: the same change to the same place in the same file gets the same id."""
        digest = hashlib.blake2b(digest_size=6)
        digest.update(f"{path}\0{self.old_start},{self.old_lines},{self.new_start},{self.new_lines}\0".encode())
        digest.update("\n".join(self.lines).encode("utf-8", "surrogatepass"))
        return "h" + digest.hexdigest()

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> Hunk:
        """Read a Claude Code ``structuredPatch`` entry (camelCase) or an ingest hunk (snake_case)."""
        lines_raw = raw.get("lines", ())
        lines = tuple(str(x) for x in lines_raw) if isinstance(lines_raw, (list, tuple)) else ()
        added = sum(1 for x in lines if x.startswith("+"))
        removed = sum(1 for x in lines if x.startswith("-"))
        context = len(lines) - added - removed
        old_start = _int(raw, "oldStart", "old_start", default=0)
        new_start = _int(raw, "newStart", "new_start", default=old_start)
        return cls(
            old_start=old_start,
            old_lines=_int(raw, "oldLines", "old_lines", default=context + removed),
            new_start=new_start,
            new_lines=_int(raw, "newLines", "new_lines", default=context + added),
            lines=lines,
        )

    def to_mapping(self) -> dict[str, object]:
        return {
            "old_start": self.old_start,
            "old_lines": self.old_lines,
            "new_start": self.new_start,
            "new_lines": self.new_lines,
            "lines": list(self.lines),
        }


class FileEdit(Value):
    """What one tool call (or one agent step) did to one file."""

    __slots__ = ("edit_type", "hunks", "language", "old_path", "path")
    _compared = ("path", "edit_type", "hunks", "old_path", "language")

    path: str
    """Path relative to the repository root, with forward slashes."""
    edit_type: EditType
    """create, modify, delete or rename."""
    hunks: tuple[Hunk, ...]
    """The change as hunks (empty for a pure rename or delete of an unknown file)."""
    old_path: str | None
    """For a rename: where the file was before."""
    language: str
    """File type label, derived from the path when not given."""

    def __init__(
        self,
        path: str,
        edit_type: EditType,
        hunks: tuple[Hunk, ...] = (),
        old_path: str | None = None,
        language: str = "",
    ) -> None:
        self._init(
            path=path,
            edit_type=edit_type,
            hunks=tuple(hunks),
            old_path=old_path,
            language=language or language_of(path),
        )

    @property
    def lines_added(self) -> int:
        return sum(len(h.added) for h in self.hunks)

    @property
    def lines_removed(self) -> int:
        return sum(len(h.removed) for h in self.hunks)

    @property
    def hunk_ids(self) -> tuple[str, ...]:
        return tuple(h.hunk_id(self.path) for h in self.hunks)

    @property
    def added_lines(self) -> list[str]:
        return [line for h in self.hunks for line in h.added]

    @property
    def removed_lines(self) -> list[str]:
        return [line for h in self.hunks for line in h.removed]


class LineFingerprint(Value):
    """Per line fingerprint: (lines the edit added/removed, copies in the file right after the edit).

    The second number is the baseline that makes duplicate lines safe: a later
    revision "still has" an added ``}`` only if it has more copies than the file
    would have had without the edit.
    """

    __slots__ = ("added", "removed")
    _compared = ("added", "removed")
    added: Mapping[str, tuple[int, int]]
    removed: Mapping[str, tuple[int, int]]

    def __init__(self, added: Mapping[str, tuple[int, int]], removed: Mapping[str, tuple[int, int]]) -> None:
        self._init(added=added, removed=removed)

    @property
    def units(self) -> int:
        """Non-blank lines the edit touched: what a kept fraction is a fraction of."""
        return sum(n for n, _ in self.added.values()) + sum(n for n, _ in self.removed.values())

    def to_json(self) -> dict[str, dict[str, list[int]]]:
        return {
            "added": {k: [n, c] for k, (n, c) in self.added.items()},
            "removed": {k: [n, c] for k, (n, c) in self.removed.items()},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> LineFingerprint:
        def side(name: str) -> dict[str, tuple[int, int]]:
            value = raw.get(name)
            if not isinstance(value, Mapping):
                return {}
            out: dict[str, tuple[int, int]] = {}
            for key, pair in value.items():
                if isinstance(pair, (list, tuple)) and len(pair) == 2:
                    out[str(key)] = (int(pair[0]), int(pair[1]))
            return out

        return cls(side("added"), side("removed"))


def edit_from_texts(path: str, before: str | None, after: str | None, *, old_path: str | None = None) -> FileEdit:
    """Diff two versions of a file (None = file absent) into an edit with 3-line-context hunks."""
    edit_type: EditType
    if before is None and after is None:
        raise ValueError(f"edit of {path!r}: before and after cannot both be absent")
    if old_path is not None and old_path != path:
        edit_type = "rename"
    elif before is None:
        edit_type = "create"
    elif after is None:
        edit_type = "delete"
    else:
        edit_type = "modify"
    return FileEdit(path=path, edit_type=edit_type, hunks=diff_hunks(before, after), old_path=old_path)


def edit_from_patch(
    path: str,
    patch: Sequence[Mapping[str, object]],
    *,
    edit_type: EditType = "modify",
    old_path: str | None = None,
) -> FileEdit:
    """Build an edit from structured-patch hunks (Claude Code's ``structuredPatch``, ingest ``hunks``)."""
    hunks = tuple(Hunk.from_mapping(h) for h in patch if isinstance(h, Mapping))
    return FileEdit(path=path, edit_type=edit_type, hunks=hunks, old_path=old_path)


def diff_hunks(before: str | None, after: str | None, context: int = 3) -> tuple[Hunk, ...]:
    """Unified-diff hunks between two texts, with git's numbering conventions."""
    import difflib  # only edits reported as full texts need a diff: not the Claude Code hook path

    old = text_lines(before)
    new = text_lines(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks: list[Hunk] = []
    for group in matcher.get_grouped_opcodes(context):
        i1, i2 = group[0][1], group[-1][2]
        j1, j2 = group[0][3], group[-1][4]
        body: list[str] = []
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                body.extend(" " + line for line in old[a1:a2])
                continue
            body.extend("-" + line for line in old[a1:a2])
            body.extend("+" + line for line in new[b1:b2])
        hunks.append(
            Hunk(
                old_start=i1 + 1 if i2 > i1 else i1,
                old_lines=i2 - i1,
                new_start=j1 + 1 if j2 > j1 else j1,
                new_lines=j2 - j1,
                lines=tuple(body),
            )
        )
    return tuple(hunks)


def fingerprint(edit: FileEdit, after_text: str | None) -> LineFingerprint:
    """Fingerprint an edit against the file content right after it (None = unknown / deleted)."""
    after = line_counts(text_lines(after_text)) if after_text is not None else None
    added = line_counts(edit.added_lines)
    removed = line_counts(edit.removed_lines)
    # A line both removed and re-added (a moved line) is not a change of content.
    for key in set(added) & set(removed):
        common = min(added[key], removed[key])
        added[key] -= common
        removed[key] -= common
    return LineFingerprint(
        added={k: (n, after[k] if after is not None else n) for k, n in added.items() if n > 0},
        removed={k: (n, after[k] if after is not None else 0) for k, n in removed.items() if n > 0},
    )


def parse_edit_type(value: object, default: EditType = "modify") -> EditType:
    """Validate an edit type coming from JSON."""
    if isinstance(value, str) and value in EDIT_TYPES:
        return value  # narrowed to EditType by the membership test
    return default


def _int(raw: Mapping[str, object], *keys: str, default: int) -> int:
    for key in keys:
        value = raw.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    return default
