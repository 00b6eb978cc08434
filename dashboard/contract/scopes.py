"""Account scopes: which rows of each ledger a scoped account may report and see, declared once.

A scope is one kind (community, organisation, party group) and one or more values
(``community=示例社区A,示例社区B``). Each ledger says which of its columns a kind filters on
(:data:`SCOPE_COLUMNS`); activities belong to their brand's community through ``project_code``
(:data:`SCOPE_VIA`); tasks name their 责任单位 in words, matched by :func:`unit_names`.
Milestones and meetings are office-wide (:data:`OFFICE_WIDE`): no scope reports them, every
scoped viewer reads them whole. A ledger a kind does not reach (demolition for a community)
is outside that scope: not uploaded, not shown. ingest (the upload check), store (the scoped
replace) and insights (the scoped view) read these tables; none declares its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dashboard.contract.text import normalise_text


class ScopeKind(StrEnum):
    COMMUNITY = "community"
    ORGANISATION = "organisation"
    PARTY_GROUP = "party_group"


@dataclass(frozen=True)
class ScopeVia:
    """Rows of a ledger in scope through another: ``column`` names ``ref_dataset``'s ``ref_column``."""

    column: str
    ref_dataset: str
    ref_column: str


#: dataset -> scope kind -> the column whose value must be one of the scope's.
SCOPE_COLUMNS: dict[str, dict[ScopeKind, str]] = {
    "brands": {ScopeKind.COMMUNITY: "community"},
    "elections": {ScopeKind.ORGANISATION: "org_code"},
    "org_life": {ScopeKind.ORGANISATION: "org_code"},
    "demolition": {ScopeKind.PARTY_GROUP: "party_group"},
    "tasks": {ScopeKind.COMMUNITY: "unit", ScopeKind.ORGANISATION: "unit", ScopeKind.PARTY_GROUP: "unit"},
}
#: activities are in a community's scope when their brand (project_code) is.
SCOPE_VIA: dict[str, ScopeVia] = {"activities": ScopeVia("project_code", "brands", "project_code")}
#: Office-wide ledgers: a scoped editor cannot upload them; a scoped viewer reads them whole.
OFFICE_WIDE: tuple[str, ...] = ("milestones", "meetings")
#: Where the values of each kind are named: a scope naming a value none of these ledgers holds (nor
#: any 责任单位 of tasks) names nothing, and is refused when an account is given it.
SCOPE_NAMES: dict[ScopeKind, tuple[tuple[str, str], ...]] = {
    ScopeKind.COMMUNITY: (("brands", "community"),),
    ScopeKind.ORGANISATION: (("elections", "org_code"), ("org_life", "org_code")),
    ScopeKind.PARTY_GROUP: (("demolition", "party_group"),),
}
#: tasks.unit: a 责任单位 names a community or organisation with its party suffix, a party group
#: by its number in either writing (第2党小组, 第二党小组).
UNIT_SUFFIXES: tuple[str, ...] = ("", "党委", "党总支", "党支部")
_ZH_DIGITS = "零一二三四五六七八九十"
PARTY_GROUPS = range(1, 5)


class ScopeError(ValueError):
    """A scope text that does not parse (``kind=value[,value…]``)."""


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    values: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | None) -> Scope | None:
        """``community=A,B`` (also ``organisation=…``, ``party_group=1,2``); empty: no scope.

        The text is normalised as the contract normalises every cell (:func:`normalise_text`:
        NFKC, trimmed), so ``community＝示例社区Ａ，示例社区B`` is ``community=示例社区A,示例社区B``
        and matches the ledger's cells exactly.
        """
        text = normalise_text(text or "")
        if not text:
            return None
        kind, sep, rest = text.partition("=")
        try:
            scope_kind = ScopeKind(kind.strip())
        except ValueError:
            raise ScopeError(text) from None
        values = tuple(dict.fromkeys(normalise_text(v) for v in rest.split(",") if normalise_text(v)))
        if not sep or not values or any(len(v) > 100 for v in values):
            raise ScopeError(text)
        if scope_kind is ScopeKind.PARTY_GROUP and not all(
            v.isdigit() and int(v) in PARTY_GROUPS for v in values
        ):
            raise ScopeError(text)
        return cls(scope_kind, values)

    @property
    def text(self) -> str:
        """The stored and printed form; :meth:`parse` reads it back."""
        return f"{self.kind.value}={','.join(self.values)}"


def scope_text(scope: Scope | None) -> str:
    return "" if scope is None else scope.text


def covers(dataset: str, kind: ScopeKind) -> bool:
    """Whether a scope of ``kind`` reaches rows of ``dataset`` (it may report them)."""
    if dataset in SCOPE_VIA:
        return covers(SCOPE_VIA[dataset].ref_dataset, kind)
    return kind in SCOPE_COLUMNS.get(dataset, {})


def unit_names(scope: Scope, org_names: Mapping[str, str]) -> frozenset[str]:
    """The 责任单位 texts that name the scope (``org_names``: org_code -> 党组织名称)."""
    names: set[str] = set()
    for value in scope.values:
        if scope.kind is ScopeKind.PARTY_GROUP:
            n = int(value)
            names |= {value, f"第{n}党小组", f"第{_ZH_DIGITS[n]}党小组"}
            continue
        bases = [value]
        if scope.kind is ScopeKind.ORGANISATION and org_names.get(value):
            bases.append(org_names[value])
        names |= {base + suffix for base in bases for suffix in UNIT_SUFFIXES}
    return frozenset(names)
