"""JSON locale files, nested or flat, and i18next v4 files with plural suffixes, by splicing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from dragoman.content.formats._jsonplural import (
    PLURAL_KEY,
    Group,
    Relayout,
    find_groups,
    plan_group,
)
from dragoman.content.formats._jsonscan import (
    Leaf,
    Text,
    breadcrumbs,
    decode,
    join_id,
    scan,
    unique,
)
from dragoman.content.formats._jsonstyle import Edit, Splicer, Style
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit

_I18NEXT_HEAD = re.compile(rb'"[^"\\\r\n]{1,200}_(?:one|other)"[ \t\r\n]*:')


@dataclass(frozen=True, slots=True)
class JsonSkeleton:
    """The decoded file, its escape style, its string values and what each one became."""

    doc: Text
    style: Style
    leaves: tuple[Leaf, ...]
    # Per leaf: its unit id, or None when the leaf is a form of a plural group.
    leaf_ids: tuple[str | None, ...]
    groups: tuple[tuple[str, Group], ...] = ()


class JsonCodec(Codec):
    """Nested or flat JSON: every string value is a unit whose id is its key path."""

    name = "json"
    extensions = (".json",)
    media_types = ("application/json",)
    file_type = "json"
    group_plurals = False

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = decode(data, limits)
        found = scan(doc.text, limits, members=PLURAL_KEY if self.group_plurals else None)
        leaves = found.leaves
        groups = find_groups(found.objects, leaves) if self.group_plurals else []
        by_first = {g.member(0).leaf: g for g in groups}
        in_group = {g.obj.members[i].leaf for g in groups for _, i in g.forms}
        # One slot per unit in file order: a plain leaf, or a group at its first form.
        slots: list[tuple[int, Group | None]] = []
        for index in range(len(leaves)):
            if index in by_first:
                slots.append((index, by_first[index]))
            elif index not in in_group:
                slots.append((index, None))
        ids = unique([join_id(g.obj.uid, g.base) if g else leaves[i].uid for i, g in slots])
        units: list[Unit] = []
        leaf_ids: list[str | None] = [None] * len(leaves)
        named_groups: list[tuple[str, Group]] = []
        for uid, (index, group) in zip(ids, slots, strict=True):
            if group is None:
                leaf_ids[index] = uid
                leaf = leaves[index]
                units.append(
                    Unit(id=uid, source=leaf.value, context=breadcrumbs(leaf.parent, leaf.key))
                )
                continue
            named_groups.append((uid, group))
            plural = {cat: leaves[group.obj.members[i].leaf].value for cat, i in group.forms}
            source = plural.get("other") or next(reversed(plural.values()))
            context = breadcrumbs(group.obj.link, group.base)
            units.append(Unit(id=uid, source=source, plural=plural, context=context))
        skeleton = JsonSkeleton(
            doc, Style.of(doc.text), leaves, tuple(leaf_ids), tuple(named_groups)
        )
        return Extraction(units, skeleton, meta={"source_locale": source_locale})

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: JsonSkeleton = skeleton
        by_id = {u.id: u for u in units}
        quote = sk.style.quote
        edits: list[Edit] = []
        for leaf, uid in zip(sk.leaves, sk.leaf_ids, strict=True):
            unit = by_id.get(uid) if uid is not None else None
            if unit is not None and unit.target is not None and unit.target != leaf.value:
                edits.append(Edit(leaf.start, leaf.end, partial(quote, unit.target)))
        relayouts: dict[int, Relayout] = {}
        for uid, group in sk.groups:
            unit = by_id.get(uid)
            if unit is None or unit.target_plural is None:
                continue
            target = unit.target_plural
            for cat, index in group.forms:
                leaf = sk.leaves[group.obj.members[index].leaf]
                if cat in target and target[cat] != leaf.value:
                    edits.append(Edit(leaf.start, leaf.end, partial(quote, target[cat])))
            plan_group(group, target, sk.doc.text, sk.style, relayouts)
        splicer = Splicer(sk.doc.text)
        for plan in relayouts.values():
            members = plan.obj.members
            edits.append(Edit(members[0].lead, plan.obj.close, partial(plan.render, splicer)))
        return sk.doc.encode(splicer.apply(edits))

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        return super().output_filename(filename or "translation.json", source_locale, target_locale)


class I18nextCodec(JsonCodec):
    """i18next v4 JSON: sibling keys `name_one`, `name_other`... are one plural unit `name`."""

    name = "i18next"
    group_plurals = True

    def sniff(self, head: bytes) -> bool:
        return _I18NEXT_HEAD.search(head) is not None
