"""A digest written out in one language: title, blocks of lines with their links.

The channels (``notify.channels``) turn a :class:`Message` into each
platform's markup and cut it to the platform's size; this module only says
what a leader reads, from the catalogue (``notify.*`` keys), zh first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from dashboard import contract, i18n
from dashboard.board import format as fmt
from dashboard.board import warnings as board_warnings
from dashboard.charts import org_life as org_life_text
from dashboard.insights import Warning, metrics
from dashboard.notify.digest import TERM_DAYS, Digest, Section

MARKS = {"red": "🔴", "yellow": "🟡"}
# a digest warning item's keys that make it a Warning again (its figures written as the boards do)
_WARNING_KEYS = ("rule", "level", "board", "link", "subject", "name", "params")


@dataclass(frozen=True)
class Line:
    """One line a leader reads; ``href`` (absolute) makes it a link, ``level`` may colour it."""

    text: str
    href: str = ""
    level: str = ""


@dataclass
class Block:
    heading: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Message:
    """A digest (or test message) in one language, before any platform's markup."""

    title: str
    lang: str
    link: str  # the dashboard's address: where "more on the dashboard" points
    intro: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    outro: list[Line] = field(default_factory=list)

    def lines(self) -> list[tuple[str, Line]]:
        """Every line in order, tagged 'intro' / 'heading' / 'line' / 'outro' (what the packer cuts)."""
        out: list[tuple[str, Line]] = [("intro", x) for x in self.intro]
        for b in self.blocks:
            out.append(("heading", Line(b.heading)))
            out.extend(("line", x) for x in b.lines)
        out.extend(("outro", x) for x in self.outro)
        return out

    def plain(self) -> str:
        """The message as plain text (the CLI prints this)."""
        rows = [self.title, ""]
        for kind, line in self.lines():
            if kind == "heading":
                rows += ["", i18n.t("notify.heading", self.lang, text=line.text)]
            else:
                rows.append(f"{line.text}  {line.href}" if line.href else line.text)
        return "\n".join(rows).strip() + "\n"


def _day(iso: str, lang: str) -> str:
    return i18n.fmt_date(date.fromisoformat(iso), lang)


def _url(base: str, link: str) -> str:
    return base.rstrip("/") + (link if link.startswith("/") else "/" + link)


def _dataset(name: str, lang: str) -> str:
    """A ledger's title in ``lang``, from the contract (its Chinese and English names)."""
    return i18n.dataset_title(contract.get_dataset(name), lang)


def _subject(item: dict, lang: str) -> str:
    if "count" in item:  # a folded rule (digest.FOLDED_RULES): how many it is about
        return i18n.t(f"notify.folded.{item['rule']}", lang, n=item["count"])
    if item["rule"] == "task_same_day_rate_low" and item.get("params"):  # the week's figure it judged
        w = Warning(since=date.fromisoformat(item["since"]), **{k: item[k] for k in _WARNING_KEYS})
        shown = board_warnings.reason_params(w, lang)
        return i18n.t("notify.same_day_rate", lang, **shown)
    if item["rule"] == "dataset_stale" and item["subject"] in contract.DATASETS:
        return _dataset(item["subject"], lang)
    if not item["name"] and f"kpi.{item['subject']}" in i18n.CATALOGUE:  # a figure's rule (当日办结率)
        return i18n.t(f"kpi.{item['subject']}", lang)
    return item["name"] or item["subject"]


def warnings_block(section: Section, lang: str, base: str) -> Block:
    new = sum(1 for i in section.items if i["new"])
    block = Block(i18n.t("notify.warnings", lang, new=new, open=len(section.items) - new))
    for item in section.items:
        block.lines.append(
            Line(
                i18n.t(
                    "notify.warning_line",
                    lang,
                    mark=MARKS[item["level"]],
                    tag=i18n.t("notify.new" if item["new"] else "notify.still_open", lang),
                    title=i18n.t(f"notify.rule.{item['rule']}", lang),
                    name=_subject(item, lang),
                    since=_day(item["since"], lang),
                ),
                href=_url(base, item["link"]),
                level=item["level"],
            )
        )
    if not section.items:
        block.lines.append(Line(i18n.t("notify.no_warnings", lang)))
    return block


def overdue_tasks_block(section: Section, lang: str, base: str) -> Block | None:
    """督办 items past their deadline, longest overdue first; the rest counted, linking to /tasks."""
    if not section.total:
        return None
    block = Block(i18n.t("notify.overdue_tasks", lang, n=section.total))
    for item in section.items:
        block.lines.append(
            Line(
                i18n.t(
                    "notify.overdue_task_line",
                    lang,
                    tag=i18n.t("notify.new" if item["new"] else "notify.still_open", lang),
                    name=item["title"],
                    owner=item["owner"] or i18n.MISSING,
                    unit=item["unit"] or i18n.MISSING,
                    days=item["days"],
                ),
                level="red",
            )
        )
    if section.total > len(section.items):
        block.lines.append(
            Line(
                i18n.t("notify.overdue_tasks_more", lang, n=section.total - len(section.items)),
                _url(base, "/tasks"),
            )
        )
    return block


def terms_block(section: Section, lang: str, base: str) -> Block | None:
    if not section.items:
        return None
    block = Block(i18n.t("notify.terms", lang, n=len(section.items), days=TERM_DAYS))
    for item in section.items:
        block.lines.append(
            Line(
                i18n.t(
                    "notify.term_line" if item["days"] else "notify.term_line.today",
                    lang,
                    name=item["org_name"],
                    date=_day(item["term_end"], lang),
                    days=item["days"],
                ),
                href=_url(base, "/elections"),
                level="yellow",
            )
        )
    return block


def _kpi(item: dict) -> metrics.Kpi:
    return metrics.Kpi(
        id=item["id"],
        value=item["value"],
        unit=item["unit"],
        delta=item["delta"],
        level="ok",
    )


def kpis_block(section: Section, lang: str, base: str) -> Block:
    block = Block(i18n.t("notify.kpis", lang))
    for item in section.items:
        k = _kpi(item)
        if item["previous"] is None:
            change = i18n.t("notify.kpi_unknown", lang)
        elif not k.delta:
            change = i18n.t("notify.kpi_same", lang)
        else:
            change = i18n.t("notify.kpi_change", lang, delta=fmt.kpi_delta_figure(k, lang))
        block.lines.append(
            Line(
                i18n.t(
                    "notify.kpi_line",
                    lang,
                    label=fmt.kpi_label(k, lang),
                    value=fmt.kpi_value_text(k, lang),
                    change=change,
                )
            )
        )
    return block


def signed_block(section: Section, lang: str, base: str) -> Block | None:
    if not section.total:
        return None
    block = Block(i18n.t("notify.signed", lang, n=section.total))
    for item in section.items:
        block.lines.append(
            Line(
                i18n.t(
                    "notify.signed_line",
                    lang,
                    id=item["property_id"],
                    household=item["household"],  # masked when the digest was computed
                    category=item["category"] if item["category"] is not None else i18n.MISSING,
                )
            )
        )
    if section.total > len(section.items):
        block.lines.append(
            Line(
                i18n.t("notify.signed_more", lang, n=section.total - len(section.items)),
                _url(base, "/demolition"),
            )
        )
    return block


def ledgers_block(section: Section, lang: str, base: str) -> Block:
    block = Block(i18n.t("notify.ledgers", lang))
    for item in section.items:
        name = _dataset(item["dataset"], lang)
        if item["updates"]:
            when = i18n.fmt_datetime(datetime.fromisoformat(item["last"]), lang)
            block.lines.append(
                Line(i18n.t("notify.ledger_updated", lang, dataset=name, n=item["updates"], time=when))
            )
    for item in section.items:
        if item["stale"]:
            name = _dataset(item["dataset"], lang)
            block.lines.append(
                Line(
                    i18n.t(
                        "notify.ledger_stale",
                        lang,
                        dataset=name,
                        days=item["age_days"],
                        rhythm=item["rhythm"],
                    ),
                    level="yellow",
                )
            )
    if not block.lines:
        block.lines.append(Line(i18n.t("notify.ledger_quiet", lang)))
    return block


def org_life_block(section: Section, lang: str, base: str) -> Block | None:
    """Organisations behind on 组织生活: what each missed, and when; nothing when none is behind."""
    if not section.total:
        return None
    block = Block(i18n.t("notify.org_life", lang, n=section.total))
    sep = i18n.t("sep.list", lang)
    for item in section.items:
        block.lines.append(
            Line(
                i18n.t(
                    "notify.org_life_line",
                    lang,
                    name=item["org_name"],
                    periods=sep.join(org_life_text.period_text(p, lang) for p in item["periods"]),
                    types=org_life_text.types_text(item["types"], lang),
                ),
                href=_url(base, "/org-life"),
                level="red",
            )
        )
    if section.total > len(section.items):
        more = i18n.t("notify.org_life_more", lang, n=section.total - len(section.items))
        block.lines.append(Line(more, _url(base, "/org-life")))
    return block


# One renderer per digest section id; a section without one is not shown.
RENDERERS: dict[str, Callable[[Section, str, str], Block | None]] = {
    "warnings": warnings_block,
    "overdue_tasks": overdue_tasks_block,
    "org_life": org_life_block,
    "terms": terms_block,
    "kpis": kpis_block,
    "signed": signed_block,
    "ledgers": ledgers_block,
}


def render(digest: Digest, lang: str, base: str, report_link: str = "") -> Message:
    """The digest in ``lang``; ``report_link`` (on the report day) adds the weekly report's address."""
    msg = Message(
        title=i18n.t("notify.title", lang, day=_day(digest.office_day, lang)),
        lang=lang,
        link=_url(base, "/"),
    )
    if digest.as_of:
        msg.intro.append(
            Line(
                i18n.t(
                    "notify.as_of", lang, time=i18n.fmt_datetime(datetime.fromisoformat(digest.as_of), lang)
                )
            )
        )
    else:
        msg.intro.append(Line(i18n.t("notify.no_data", lang)))
    msg.intro.append(
        Line(
            i18n.t("notify.since", lang, day=_day(digest.previous_day, lang))
            if digest.previous_day
            else i18n.t("notify.first", lang)
        )
    )
    for section in digest.sections:
        renderer = RENDERERS.get(section.id)
        block = renderer(section, lang, base) if renderer else None
        if block is not None:
            msg.blocks.append(block)
    if report_link:
        msg.outro.append(Line(i18n.t("notify.weekly_report", lang), href=report_link))
    msg.outro.append(Line(i18n.t("notify.open_board", lang), href=msg.link))
    return msg


def test_message(lang: str, base: str) -> Message:
    """What the /notify test button sends: proves the address, the secret and the format."""
    msg = Message(title=i18n.t("notify.test_title", lang), lang=lang, link=_url(base, "/"))
    msg.intro.append(Line(i18n.t("notify.test_body", lang)))
    msg.outro.append(Line(i18n.t("notify.open_board", lang), href=msg.link))
    return msg
