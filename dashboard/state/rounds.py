"""填报任务: /rounds (admins open, follow and close rounds) and the scoped editor's list on /upload.

Every handler checks the session on the server; the rows carry both languages, so the toggle
needs no round trip. What a round is and how lateness counts: :mod:`dashboard.store.rounds`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import reflex as rx

from dashboard import clock, contract, i18n, params
from dashboard.accounts import Role, open_round
from dashboard.state.auth import client_address, engine, require
from dashboard.store import Actor, rounds

STATE_COLOURS = {"reported": "green", "late": "orange", "overdue": "red", "pending": "gray"}


@dataclass
class ScopeRow:
    scope: str = ""
    state: str = ""  # reported | late | overdue | pending
    colour: str = "gray"
    label: str = ""
    label_en: str = ""
    at: str = ""
    by: str = ""


@dataclass
class RoundRow:
    id: str = ""
    dataset: str = ""
    dataset_en: str = ""
    deadline: str = ""
    note: str = ""
    is_open: bool = True
    status: str = ""
    status_en: str = ""
    progress: str = ""
    progress_en: str = ""
    scopes: list[ScopeRow] = field(default_factory=list)


def _title(dataset: str, lang: str) -> str:
    return i18n.dataset_title(contract.get_dataset(dataset), lang)


def round_row(r: rounds.Round, today: date) -> RoundRow:
    """One round as /rounds shows it: its line, its progress and each asked scope coloured by state."""
    counts = r.counts(today)
    status_key = "rounds.open" if r.is_open else "rounds.closed"
    return RoundRow(
        id=str(r.id),
        dataset=_title(r.dataset, "zh"),
        dataset_en=_title(r.dataset, "en"),
        deadline=r.deadline.isoformat(),
        note=r.note,
        is_open=r.is_open,
        status=i18n.t(status_key, "zh"),
        status_en=i18n.t(status_key, "en"),
        progress=i18n.t("rounds.progress", "zh", **counts),
        progress_en=i18n.t("rounds.progress", "en", **counts),
        scopes=[
            ScopeRow(
                scope=s.scope,
                state=(state := s.state(r.deadline, today)),
                colour=STATE_COLOURS[state],
                label=i18n.t(f"rounds.state.{state}", "zh"),
                label_en=i18n.t(f"rounds.state.{state}", "en"),
                at=clock.office_time(s.reported_at) if s.reported_at else "",
                by=s.reported_by,
            )
            for s in r.scopes
        ],
    )


class RoundsAdmin(rx.State):
    """/rounds: every round with its progress; open and close (admins, checked on each event)."""

    rows: list[RoundRow] = rx.field(default_factory=list)
    datasets: list[str] = rx.field(default_factory=lambda: [n for n in contract.DATASETS])
    message: str = ""
    message_en: str = ""
    ok: bool = True

    async def _refresh(self) -> None:
        today = clock.office_today()
        found = await asyncio.to_thread(rounds.list_rounds, engine())
        self.rows = [round_row(r, today) for r in found]

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.ADMIN) is None:
            self.rows = []
            return
        await self._refresh()

    def _refused(self, key: str, **values: Any) -> None:
        self.ok = False
        self.message, self.message_en = i18n.both(key, **values)

    @rx.event
    async def open_round(self, form: dict[str, Any]) -> None:
        who = await require(self, Role.ADMIN)
        if who is None:
            self._refused("rounds.admin_only")
            return
        try:
            deadline = date.fromisoformat(str(form.get("deadline") or "").strip())
        except ValueError:
            self._refused("rounds.error.deadline")
            return
        scopes = [s for s in str(form.get("scopes") or "").replace(";", "\n").splitlines() if s.strip()]
        try:
            round_id = await asyncio.to_thread(
                open_round, engine(), str(form.get("dataset") or ""), scopes, deadline,
                str(form.get("note") or ""), by=Actor(who.name, client_address(self)),
            )  # fmt: skip
        except rounds.RoundError as exc:
            self._refused(exc.key, **exc.values)
            return
        self.ok = True
        self.message, self.message_en = i18n.both("rounds.opened", id=round_id)
        await self._refresh()

    @rx.event
    async def close(self, round_id: str) -> None:
        who = await require(self, Role.ADMIN)
        if who is None:
            self._refused("rounds.admin_only")
            return
        number = params.number(str(round_id))
        if number is None:
            self._refused("rounds.error.missing", id=round_id)
            return
        try:
            await asyncio.to_thread(
                rounds.close_round, engine(), number, by=Actor(who.name, client_address(self))
            )
        except rounds.RoundError as exc:
            self._refused(exc.key, **exc.values)
            return
        self.ok = True
        self.message, self.message_en = i18n.both("rounds.closed_msg", id=round_id)
        await self._refresh()


class MyRounds(rx.State):
    """/upload: the open rounds that ask the signed-in editor's scope, with its own state in each."""

    rows: list[RoundRow] = rx.field(default_factory=list)

    @rx.event
    async def load(self) -> None:
        who = await require(self, Role.EDITOR)
        if who is None or who.scope is None:
            self.rows = []
            return
        today = clock.office_today()
        mine = {f"{who.scope.kind.value}={v}" for v in who.scope.values}
        found = await asyncio.to_thread(rounds.rounds_for, engine(), who.scope)
        rows = []
        for r in found:
            row = round_row(r, today)
            row.scopes = [s for s in row.scopes if s.scope in mine]
            rows.append(row)
        self.rows = rows
