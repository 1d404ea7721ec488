"""ICU MessageFormat: split plural/select messages into per-branch segments and rebuild them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from dragoman.content.placeholders import check_markers, find_spans, marker, protect_into
from dragoman.content.plurals import CLDR_ORDER as _CLDR_ORDER
from dragoman.content.plurals import plural_categories

_MAX_NESTING = 12  # deeper ICU is not hand-written UI text; it falls back to a plain string
_COMPLEX_KINDS = frozenset({"plural", "selectordinal", "select"})
# Cheap gate: only strings that look like they hold a plural/select are parsed at all.
_LOOKS_ICU = re.compile(r"\{\s*[\w.\-]+\s*,\s*(?:plural|select|selectordinal)\s*,")
_LITERAL_RUN = re.compile(r"[^'{}#]+")
# `{name}`, `{name, type}`, or the start of `{name, type, ...`.
_ARG_HEAD = re.compile(
    r"\{\s*(?P<name>[\w.\-]+)\s*(?:(?P<closed>\})|,\s*(?P<kind>\w+)\s*(?:(?P<end>\})|,))"
)
_OFFSET = re.compile(r"\s*offset\s*:\s*\d+\s*")
# The next branch `one {` (or the `}` that closes the argument), with whitespace kept.
_BRANCH = re.compile(r"(?P<lead>\s*)(?:\}|(?P<selector>=\s*\d+|[\w\-]+)(?P<gap>\s*)\{)")
# In the rebuilt text, runs of these must be quoted and apostrophes before them doubled.
_ESCAPE_PLURAL = re.compile(r"[{}#]+|'")
_ESCAPE_OTHER = re.compile(r"[{}]+|'")


class IcuSyntaxError(ValueError):
    """The text is not ICU MessageFormat this module can split; treat it as a plain string."""


@dataclass(frozen=True, slots=True)
class _Raw:
    """ICU syntax kept verbatim: a simple argument, `#`, or a quoted literal."""

    text: str


@dataclass(slots=True)
class _Branch:
    lead: str  # whitespace before the selector, kept so an untouched message round-trips
    selector: str
    gap: str  # whitespace between selector and `{`
    message: _Message


@dataclass(slots=True)
class _Complex:
    name: str
    kind: str
    head: str  # `{count, plural, offset:1 ` exactly as written
    branches: list[_Branch]
    tail: str  # whitespace before the closing `}`


@dataclass(slots=True)
class _Message:
    parts: list[str | _Raw | _Complex]  # str is literal text, already unescaped
    plural: bool  # whether `#` is special here
    nested: bool
    seg: int = 0  # index of this body's segment
    marked: str = ""
    spans: list[str | _Raw | _Complex] = field(default_factory=list)


class _Parser:
    """A bounded recursive-descent parser (depth capped by _MAX_NESTING)."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.doubled_quotes = False

    def fail(self, why: str) -> IcuSyntaxError:
        return IcuSyntaxError(f"{why} at offset {self.i}")

    def message(self, depth: int, plural: bool, nested: bool) -> _Message:
        if depth > _MAX_NESTING:
            raise self.fail("nesting too deep")
        s, n = self.s, len(self.s)
        parts: list[str | _Raw | _Complex] = []
        buf: list[str] = []
        while self.i < n:
            m = _LITERAL_RUN.match(s, self.i)
            if m:
                buf.append(m.group(0))
                self.i = m.end()
                continue
            c = s[self.i]
            if c == "'":
                nxt = s[self.i + 1] if self.i + 1 < n else ""
                if nxt == "'":
                    self.doubled_quotes = True
                    buf.append("'")
                    self.i += 2
                elif nxt in ("{", "}", "|") or (plural and nxt == "#"):
                    parts.extend(_flush(buf))
                    parts.append(_Raw(self.quoted()))
                else:
                    buf.append("'")
                    self.i += 1
            elif c == "{":
                parts.extend(_flush(buf))
                parts.append(self.argument(depth, plural))
            elif c == "}":
                if not nested:
                    raise self.fail("unbalanced '}'")
                break
            elif plural:  # `#`
                parts.extend(_flush(buf))
                parts.append(_Raw("#"))
                self.i += 1
            else:
                buf.append(c)
                self.i += 1
        if nested and self.i >= n:
            raise self.fail("unclosed '{'")
        parts.extend(_flush(buf))
        return _Message(parts, plural, nested)

    def quoted(self) -> str:
        start, s = self.i, self.s
        j = self.i + 1
        while j < len(s):
            if s[j] == "'":
                if j + 1 < len(s) and s[j + 1] == "'":
                    j += 2
                    continue
                self.i = j + 1
                return s[start : self.i]
            j += 1
        raise self.fail("unterminated quote")

    def argument(self, depth: int, plural: bool) -> _Raw | _Complex:
        start = self.i
        head = _ARG_HEAD.match(self.s, start)
        if head is None:
            raise self.fail("malformed argument")
        self.i = head.end()
        name, kind, end = head.group("name", "kind", "end")
        if kind is None or end:
            return _Raw(self.s[start : self.i])
        if kind not in _COMPLEX_KINDS:
            return _Raw(self.s[start : self.style_end()])
        if kind != "select":
            offset = _OFFSET.match(self.s, self.i)
            if offset:
                self.i = offset.end()
        head_text = self.s[start : self.i]
        branches: list[_Branch] = []
        lead = ""
        while True:
            m = _BRANCH.match(self.s, self.i)
            if m is None:
                raise self.fail("expected a selector and '{'")
            self.i = m.end()
            lead, selector, gap = m.group("lead", "selector", "gap")
            if selector is None:
                break
            # `#` stays protected in a select nested in a plural: runtimes disagree on whether
            # it is the number there, and keeping it out of the engine is safe either way.
            body = self.message(depth + 1, kind != "select" or plural, nested=True)
            self.i += 1  # the `}` that message() stopped at
            branches.append(_Branch(lead, selector, gap, body))
        if not branches:
            raise self.fail("plural/select without branches")
        return _Complex(name, kind, head_text, branches, lead)

    def style_end(self) -> int:
        """Index just past the `}` closing a simple argument's style (`{d, date, short}`)."""
        depth = 1
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return self.i
        raise self.fail("unclosed argument style")


def _flush(buf: list[str]) -> list[str]:
    """Move buffered literal text out as one part."""
    if not buf:
        return []
    text = "".join(buf)
    buf.clear()
    return [text]


class IcuMessage:
    """A parsed plural/select message: its segments to translate and how to rebuild it."""

    def __init__(self, root: _Message, doubled_quotes: bool) -> None:
        self._root = root
        self._double_all = doubled_quotes
        self._messages: list[_Message] = []
        self._signature: Counter[str] | None = None
        stack = [root]
        while stack:  # iterative pre-order: segment i is self._messages[i]
            msg = stack.pop()
            msg.seg = len(self._messages)
            self._messages.append(msg)
            spans: list[str | _Raw | _Complex] = []
            texts: list[str] = []
            for part in msg.parts:
                if isinstance(part, str):
                    literal: list[str] = []
                    texts.append(protect_into(part, literal, len(spans)))
                    spans.extend(literal)
                    continue
                spans.append(part)
                texts.append(marker(len(spans)))
                if isinstance(part, _Complex):
                    stack.extend(b.message for b in reversed(part.branches))
            msg.marked = "".join(texts)
            msg.spans = spans

    @property
    def segments(self) -> list[tuple[str, int]]:
        """The marked text of every message body and its marker count, in a fixed order."""
        return [(m.marked, len(m.spans)) for m in self._messages]

    def signature(self) -> Counter[str]:
        """Placeholders the message needs: per plural/select, the most any branch holds."""
        if self._signature is None:
            self._signature = _signature(self._root)
        return self._signature

    def render(self, translations: Sequence[str], target_locale: str) -> str:
        """Rebuild the message from one translation per segment; raises on broken markers."""
        if len(translations) != len(self._messages):
            raise ValueError("one translation per segment is required")
        return self._render(self._root, translations, target_locale)

    def _render(self, msg: _Message, translations: Sequence[str], target: str) -> str:
        out: list[str] = []
        literal: list[str] = []
        for piece in check_markers(translations[msg.seg], len(msg.spans)):
            span = msg.spans[piece - 1] if isinstance(piece, int) else piece
            if isinstance(span, str):
                literal.append(span)
                continue
            raw = span.text if isinstance(span, _Raw) else None
            if raw is None:
                assert isinstance(span, _Complex)
                raw = self._render_complex(span, translations, target)
            out.append(self._escape("".join(literal), raw[:1], msg.plural))
            literal.clear()
            out.append(raw)
        out.append(self._escape("".join(literal), "}" if msg.nested else "", msg.plural))
        return "".join(out)

    def _render_complex(self, node: _Complex, translations: Sequence[str], target: str) -> str:
        rendered = [(b, self._render(b.message, translations, target)) for b in node.branches]
        if node.kind != "select":
            have = {b.selector for b in node.branches}
            at = next((i for i, (b, _) in enumerate(rendered) if b.selector == "other"), None)
            missing = sorted(plural_categories(target, node.kind) - have, key=_CLDR_ORDER.index)
            if at is not None and missing:
                # The target language needs categories the source lacks: copy `other`.
                ob, text = rendered[at]
                rendered[at:at] = [(_Branch(ob.lead, c, ob.gap, ob.message), text) for c in missing]
        body = "".join(f"{b.lead}{b.selector}{b.gap}{{{text}}}" for b, text in rendered)
        return f"{node.head}{body}{node.tail}}}"

    def _escape(self, text: str, next_char: str, plural: bool) -> str:
        """Write literal text in ICU syntax, quoting what the parser would read as syntax."""
        if (
            "'" not in text
            and "{" not in text
            and "}" not in text
            and (not plural or "#" not in text)
        ):
            return text
        pattern = _ESCAPE_PLURAL if plural else _ESCAPE_OTHER
        specials = "{}#|'"

        def _sub(m: re.Match[str]) -> str:
            run = m.group(0)
            if run != "'":
                return f"'{run}'"
            end = m.end()
            nxt = text[end] if end < len(text) else next_char
            return "''" if self._double_all or (nxt and nxt in specials) else "'"

        return pattern.sub(_sub, text)


def looks_icu(text: str) -> bool:
    """Cheap test: whether `text` may hold a plural/select argument (parse() decides)."""
    return "{" in text and _LOOKS_ICU.search(text) is not None


def parse(text: str) -> IcuMessage | None:
    """The ICU plural/select message in `text`, or None when it is plain or malformed."""
    if not looks_icu(text):
        return None
    return _parse(text)


@lru_cache(maxsize=4096)  # a job group repeats the same strings for every target locale
def _parse(text: str) -> IcuMessage | None:
    parser = _Parser(text)
    try:
        root = parser.message(0, plural=False, nested=False)
    except IcuSyntaxError:
        return None
    if not any(isinstance(p, _Complex) for p in root.parts):
        return None
    return IcuMessage(root, parser.doubled_quotes)


def icu_signature(text: str) -> Counter[str] | None:
    """Placeholders an ICU message needs (branch-wise maximum), or None when not ICU."""
    message = parse(text)
    if message is None:
        return None
    return message.signature()


def _signature(msg: _Message) -> Counter[str]:
    total: Counter[str] = Counter()
    for part in msg.parts:
        if isinstance(part, str):
            total.update(find_spans(part))
        elif isinstance(part, _Raw):
            if not part.text.startswith("'"):
                total[part.text] += 1
        else:
            total[f"{{{part.name}, {part.kind}}}"] += 1
            needed: Counter[str] = Counter()
            for branch in part.branches:
                needed |= _signature(branch.message)  # a branch needs at most this many
            total.update(needed)
    return total
