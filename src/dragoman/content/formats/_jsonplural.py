"""i18next v4 plurals: sibling keys `name_one`, `name_other`... as one unit, and their re-layout."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dragoman.content.formats._jsonscan import Leaf, Member, Obj
from dragoman.content.formats._jsonstyle import Splicer, Style
from dragoman.content.plurals import CLDR_CATEGORIES

_SUFFIX = re.compile(r"(.+)_(zero|one|two|few|many|other)", re.DOTALL)
PLURAL_KEY = re.compile(r".(?:_zero|_one|_two|_few|_many|_other)\Z", re.DOTALL)  # objects to keep
_COUNT = re.compile(r"\{\{-?\s*count\b")  # i18next's plural variable, `{{count}}` or `{{ count }}`


@dataclass(frozen=True, slots=True)
class Group:
    """The sibling keys of one plural: its base key and each category's member, in file order."""

    obj: Obj
    base: str
    forms: tuple[tuple[str, int], ...]  # (category, index in obj.members)

    def member(self, index: int) -> Member:
        return self.obj.members[self.forms[index][1]]


def find_groups(objects: tuple[Obj, ...], leaves: tuple[Leaf, ...]) -> list[Group]:
    """Every plural group: two or more string siblings `base_<category>`, or a lone
    `base_other` whose text uses `{{count}}` (a source language with one form)."""
    groups: list[Group] = []
    for obj in objects:
        found: dict[str, list[tuple[str, int]]] = {}
        for index, member in enumerate(obj.members):
            match = _SUFFIX.fullmatch(member.key) if member.leaf >= 0 else None
            # `_ordinal_one` forms follow ordinal rules, which target_forms does not produce.
            if match is None or match.group(1).endswith("_ordinal"):
                continue
            found.setdefault(match.group(1), []).append((match.group(2), index))
        for base, forms in found.items():
            cats = [cat for cat, _ in forms]
            if len(set(cats)) != len(cats):
                continue  # a repeated category (duplicate key): leave the keys as they are
            # A lone `status_other: "Other"` is an ordinary key, not a plural.
            lone = len(cats) == 1 and _COUNT.search(leaves[obj.members[forms[0][1]].leaf].value)
            if len(cats) >= 2 or (lone and cats == ["other"]):
                groups.append(Group(obj, base, tuple(forms)))
    groups.sort(key=lambda g: g.member(0).leaf)
    return groups


@dataclass(slots=True)
class Relayout:
    """How one object's members change: members dropped, new members after an anchor."""

    obj: Obj
    drop: set[int]
    after: dict[int, list[str]]

    def render(self, splicer: Splicer) -> str:
        """The object's interior from its first member's lead to its `}`."""
        text, members = splicer.text, self.obj.members
        last = len(members) - 1
        first_lead = text[members[0].lead : members[0].key_start]
        # Inline objects lead their first member differently (`{"a"` vs `, "b"`).
        mid_lead = text[members[1].lead : members[1].key_start] if last else first_lead
        items: list[str] = []
        for index, member in enumerate(members):
            own = text[member.lead : member.key_start] if index else mid_lead
            if index not in self.drop:
                trail = text[member.value_end : member.end] if index < last else ""
                body = splicer.span(member.key_start, member.value_end)
                items.append((own if items else first_lead) + body + trail)
            for body in self.after.get(index, ()):
                items.append((own if items else first_lead) + body)
        return ",".join(items) + text[members[last].value_end : members[last].end]


def plan_group(
    group: Group,
    target: Mapping[str, str],
    text: str,
    style: Style,
    relayouts: dict[int, Relayout],
) -> None:
    """Record in `relayouts` (by object) the members `target` drops and the ones it adds."""
    have = {cat for cat, _ in group.forms}
    drop = {index for cat, index in group.forms if cat not in target}
    cat, last = group.forms[-1]
    anchor = group.obj.members[last]
    raw = text[anchor.key_start + 1 : anchor.key_end - 1]
    colon = text[anchor.key_end : anchor.value_start]
    bodies = []
    for new_cat, value in target.items():
        if new_cat in have or new_cat not in CLDR_CATEGORIES:
            continue
        if raw.endswith("_" + cat):
            key = f'"{raw[: -len(cat)]}{new_cat}"'
        else:
            key = style.quote(f"{group.base}_{new_cat}")
        bodies.append(f"{key}{colon}{style.quote(value)}")
    if not drop and not bodies:
        return
    plan = relayouts.get(id(group.obj))
    if plan is None:
        plan = relayouts[id(group.obj)] = Relayout(group.obj, set(), {})
    plan.drop |= drop
    plan.after.setdefault(last, []).extend(bodies)
