"""Read a YAML file into nodes that remember their line and column, and check them.

Only the safe subset of YAML is understood: the file is composed into a node tree (no
Python objects are built from tags), and values are built from scalar nodes one at a time,
so every message can name ``file:line:col``. Size is capped before parsing so a huge or
hostile file fails fast instead of hanging.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import InputError, Problem, Where
from ..workdays.notices import MAX_YEAR, MIN_YEAR
from .yaml_syntax import explain, key_hint

MAX_BYTES = 8 * 1024 * 1024
# Composing costs ~300 bytes of memory a node: 8 MB of "[f,f,f,…]" held 1.2 GB.  Lines and
# commas bound the nodes; a province's plan (300 units, 2,000 duties) has about 40,000.
MAX_ITEMS = 250_000
_STR = "tag:yaml.org,2002:str"
# What PyYAML's constructors raise for a value that does not fit its tag: an explicit tag on
# such a value (``!!timestamp x``) fails with AttributeError or TypeError, not ConstructorError.
_CONSTRUCT_ERRORS = (
    ConstructorError,
    ValueError,
    OverflowError,
    AttributeError,
    TypeError,
    KeyError,
)
MAX_PROBLEMS = 200
# Control characters reach a value only through a double-quoted escape ("\0", "\e"); they
# would be written raw into feeds and pages.  Tabs and line breaks are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

try:  # libyaml is ~10x faster; the pure-Python loader gives the same nodes and marks.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class FastLoader(_Base):
    """The safe loader, with the tag of each plain scalar resolved once per distinct value.

    libyaml calls back into Python for every node to resolve its tag (and twice more for path
    resolvers, which the safe loader has none of): a third of composing a province's file.
    A plain scalar's tag depends on its text alone, so the same text gets the same tag.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers (checked below)

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


assert not FastLoader.yaml_path_resolvers, "path resolvers need descend/ascend_resolver"


def read_text(path: Path) -> str:
    """The file as text, or an InputError saying why it cannot be read."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _single(
                name,
                _("file is {size:.1f} MB; the limit is {limit} MB").format(
                    size=size / 1e6, limit=MAX_BYTES // 2**20
                ),
            )
        data = path.read_bytes()
    except FileNotFoundError:
        if path.is_absolute():
            raise _single(name, _("no such file")) from None
        # A relative name is looked up where the command runs: say where (a newcomer runs
        # `disclosure-calendar build` outside the folder holding schedule.yaml).
        folder = (Path.cwd() / path).parent
        raise _single(name, _("no such file in folder {folder}").format(folder=folder)) from None
    except IsADirectoryError:
        raise _single(name, _("is a directory, not a file")) from None
    except PermissionError:
        raise _single(name, _("permission denied")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        where = Where(name, line, column)
        raise InputError(
            [
                Problem(
                    where,
                    _("not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8").format(
                        byte=data[exc.start]
                    ),
                )
            ]
        ) from None
    if not text.strip():
        raise _single(name, _("file is empty; expected a mapping with plan, units, duties"))
    items = text.count("\n") + text.count(",")
    if items > MAX_ITEMS:
        raise _single(
            name,
            _(
                "file has {count:,} lines and list items; the limit is {limit:,} (is a list "
                "repeated?)"
            ).format(count=items, limit=MAX_ITEMS),
        )
    return text


def compose(path: Path) -> tuple[Node, str]:
    """The single YAML document in ``path`` as a node tree, and a short digest of the file."""
    text = read_text(path)
    return compose_text(str(path), text), hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def compose_text(name: str, text: str) -> Node:
    """The single YAML document in ``text`` (read from the file ``name``) as a node tree."""
    loader = FastLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        found = explain(text, exc)
        where = Where(name, found.line + 1, found.column + 1)
        raise InputError([Problem(where, found.message)]) from None
    except yaml.YAMLError as exc:
        raise _single(name, _("YAML error: {error}").format(error=exc)) from None
    except RecursionError:
        raise _single(name, _("YAML nested too deeply")) from None
    finally:
        loader.dispose()
    if node is None:
        raise _single(name, _("file holds no YAML document"))
    return node


def _single(path: str, message: str) -> InputError:
    return InputError([Problem(Where(path, 1, 1), message)])


class Checker:
    """Reads values out of a node tree, collecting every problem instead of stopping."""

    def __init__(self, path: str, prefix: str = ""):
        self.path = path
        self.prefix = prefix
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()

    def prefixed(self, prefix: str) -> Checker:
        """A checker whose messages start with ``prefix`` (e.g. which duty), sharing problems."""
        other = Checker(self.path, self.prefix + prefix)
        other.problems = self.problems
        return other

    def where(self, node: Node) -> Where:
        mark = node.start_mark
        return Where(self.path, mark.line + 1, mark.column + 1)

    def problem(self, node: Node, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.where(node), self.prefix + message))

    def raise_if_any(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.where.line, p.where.column) if p.where else (0, 0))
            raise InputError(self.problems)

    # -- containers ---------------------------------------------------------------------

    def mapping(
        self,
        node: Node,
        what: str,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> dict[str, Node] | None:
        """Keys to value nodes; reports duplicate, unknown and missing keys."""
        if not isinstance(node, MappingNode):
            self.problem(
                node,
                _("{what} must be a mapping (key: value), not {kind}").format(
                    what=what, kind=_kind(node)
                )
                + (key_hint(node.value) if isinstance(node, ScalarNode) else ""),
            )
            return None
        known = set(required) | set(optional)
        found: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._plain(key_node)
            if not isinstance(key, str):
                self.problem(
                    key_node,
                    _("{what}: keys must be names, not {key!r}").format(what=what, key=key),
                )
            elif key in first_line:
                self.problem(
                    key_node,
                    _(
                        "{what}: duplicate key {key!r} (already on line {line}; write it once)"
                    ).format(what=what, key=key, line=first_line[key]),
                )
            elif known and key not in known:
                first_line[key] = key_node.start_mark.line + 1
                hint = key_hint(key) or _closest(key, known)
                self.problem(
                    key_node,
                    _("{what}: unknown key {key!r}{hint}").format(what=what, key=key, hint=hint),
                )
            else:
                first_line[key] = key_node.start_mark.line + 1
                found[key] = value_node
        for key in required:
            if key not in found:
                self.problem(node, _("{what}: missing key {key!r}").format(what=what, key=key))
        return found

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.problem(
                node, _("{what} must be a list, not {kind}").format(what=what, kind=_kind(node))
            )
            return []
        return list(node.value)

    # -- scalars ------------------------------------------------------------------------

    def value(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            self.problem(
                node,
                _("{what} must be a single value, not {kind}").format(what=what, kind=_kind(node)),
            )
            return None
        if node.tag == _STR:  # most values: the constructor would return node.value as is
            return node.value
        try:
            return self._constructor.construct_object(node)
        except _CONSTRUCT_ERRORS as exc:
            kind = {"timestamp": _("date"), "int": _("number"), "float": _("number")}.get(
                node.tag.rsplit(":", 1)[-1], _("value")
            )
            if isinstance(exc, ConstructorError | ValueError | OverflowError):
                message = _("{what}: {value!r} is not a valid {kind} ({error})")
            else:  # PyYAML's own slip ('NoneType' object has no attribute 'groupdict')
                message = _("{what}: {value!r} is not a valid {kind}")
            self.problem(node, message.format(what=what, value=node.value, kind=kind, error=exc))
            return None

    def _present(self, node: Node, what: str) -> Any:
        """The node's value; an empty or null one (``title:``) is a problem, never a silent None.

        A None here used to make the caller drop the duty or event without a word.
        """
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            self.problem(node, _("{what} must not be empty").format(what=what))
            return None
        return self.value(node, what)

    def string(self, node: Node, what: str, pattern: re.Pattern[str] | None = None) -> str | None:
        value = self._present(node, what)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(
                node,
                _("{what} must be text, not {value}").format(what=what, value=_describe(value)),
            )
            return None
        if not value.strip():
            self.problem(node, _("{what} must not be empty").format(what=what))
            return None
        if bad := _CONTROL.search(value):
            self.problem(
                node,
                _("{what} holds the control character U+{code:04X}; remove it").format(
                    what=what, code=ord(bad.group())
                ),
            )
            return None
        if pattern and not pattern.fullmatch(value):
            self.problem(
                node,
                _("{what} {value!r} is malformed (expected {pattern})").format(
                    what=what, value=value, pattern=pattern.pattern
                ),
            )
            return None
        return value

    def integer(
        self, node: Node, what: str, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self._present(node, what)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                node,
                _("{what} must be a whole number, not {value}").format(
                    what=what, value=_describe(value)
                ),
            )
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(
                node,
                _("{what} must be between {low} and {high}, not {value}").format(
                    what=what, low=low, high=high, value=value
                ),
            )
            return None
        return value

    def date(self, node: Node, what: str) -> dt.date | None:
        # 2017-6-9 is not a YAML date: say so instead of "must be a date, not '2017-6-9'".
        # (Scalars only: str() of a deeply nested list would recurse through every level.)
        looks_like_date = isinstance(node, ScalarNode) and re.fullmatch(
            r"\d{4}-\d{1,2}-\d{1,2}", node.value
        )
        if looks_like_date and not node.tag.endswith(":timestamp"):
            self.problem(
                node,
                _("{what}: {value!r} is not a date (write YYYY-MM-DD)").format(
                    what=what, value=node.value
                ),
            )
            return None
        value = self._present(node, what)
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.problem(
                node,
                _("{what} must be a date YYYY-MM-DD, not {value}").format(
                    what=what, value=_describe(value)
                ),
            )
            return None
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            # The working-day calendar covers these years only; a date outside them would
            # pass here and fail later, in the middle of a build.
            self.problem(node, f"{what}: {value} is outside the years {MIN_YEAR}-{MAX_YEAR}")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        value = self._present(node, what)
        if value is not None and not isinstance(value, bool):
            self.problem(
                node,
                _("{what} must be true or false, not {value}").format(
                    what=what, value=_describe(value)
                ),
            )
            return None
        return value

    def _plain(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag == _STR:
                return node.value
            try:
                return self._constructor.construct_object(node)
            except _CONSTRUCT_ERRORS:
                return node.value
        return None


def items(found: dict[str, Node] | None) -> Iterator[tuple[str, Node]]:
    return iter(found.items()) if found else iter(())


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return _("a mapping")
    if isinstance(node, SequenceNode):
        return _("a list")
    return f"{node.value!r}" if node.value != "" else _("empty")


def _describe(value: Any) -> str:
    return _("empty") if value is None else f"{value!r}"


def _closest(key: str, known: set[str]) -> str:
    import difflib

    match = difflib.get_close_matches(key, sorted(known), n=1)
    return (
        _(" (did you mean {key!r}?)").format(key=match[0])
        if match
        else _(" (expected one of: {keys})").format(keys=", ".join(sorted(known)))
    )
