"""/upload (editor, admin): pick the dataset, drop or choose a file, watch it go up (percent, cancel),
read how it was read and what it changes, correct bad cells in place and check again, confirm or cancel."""

from __future__ import annotations

import reflex as rx

from dashboard.components.rounds import round_card
from dashboard.components.staff import changes_table, header_row, rows_table, staff_page
from dashboard.components.text import dataset_label, dataset_title, label, pick
from dashboard.contract import DATASETS
from dashboard.state.auth import Session
from dashboard.state.prefs import Prefs
from dashboard.state.rounds import MyRounds
from dashboard.state.upload import DROP_JS, Upload

ACCEPT = ".csv,.xlsx,.xls,.ods,.txt,.tsv"


def dataset_picker() -> rx.Component:
    return rx.el.select(
        rx.el.option(label("staff.upload.auto"), value="auto"),
        *(rx.el.option(dataset_label(name), f" ({name})", value=name) for name in DATASETS),
        on_change=Upload.set_dataset,
        id="upload-dataset",
        class_name="upload-select",
    )


def drop_zone() -> rx.Component:
    """Drag a file in, or click 选择文件; the kinds accepted are named."""
    return rx.el.label(
        rx.text(
            label("staff.upload.drop"),
            " ",
            rx.text.span(label("staff.upload.choose"), class_name="upload-choose", id="upload-choose"),
            size="2",
        ),
        rx.text(label("staff.upload.kinds"), size="1", color_scheme="gray"),
        rx.cond(
            Upload.chosen != "",
            rx.text(
                label("staff.upload.chosen"),
                rx.text.span(Upload.chosen, class_name="dv"),
                size="2",
                id="upload-chosen",
            ),
        ),
        rx.el.input(
            type="file",
            id="upload-file",
            accept=ACCEPT,
            on_change=Upload.choose,
            class_name="upload-file-input",
        ),
        html_for="upload-file",
        id="upload-drop",
        class_name="upload-drop",
        on_mount=rx.call_script(DROP_JS),
    )


def progress() -> rx.Component:
    """The bar and its percent, driven by the page script's XMLHttpRequest progress; cancel aborts."""
    return rx.box(
        rx.text.span(label("staff.upload.sending"), class_name="upload-sending", size="2"),
        rx.el.progress(id="upload-progress", max=100, value=0, class_name="upload-progress"),
        rx.text.span("0%", id="upload-percent", size="2"),
        rx.text.span(label("staff.upload.checking"), class_name="upload-checking", size="2"),
        rx.button(
            label("staff.upload.abort"), on_click=Upload.abort, id="upload-abort", size="1", variant="soft"
        ),
        id="upload-progress-box",
        class_name="upload-progress-box",
        data_phase="idle",
    )


def templates() -> rx.Component:
    return rx.flex(
        rx.text(label("staff.upload.templates"), size="2"),
        *(
            rx.text.span(
                dataset_label(name),
                " ",
                rx.link(
                    "CSV", href=f"/api/template/{name}.csv", id=f"template-{name}-csv", reload_document=True
                ),
                " ",
                rx.link(
                    "XLSX",
                    href=f"/api/template/{name}.xlsx",
                    id=f"template-{name}-xlsx",
                    reload_document=True,
                ),
                size="2",
            )
            for name in DATASETS
        ),
        wrap="wrap",
        spacing="3",
        class_name="templates",
    )


def prefilled() -> rx.Component:
    """一表通: the current rows as an XLSX to edit; a ledger with 户主 names only for admins (a masked
    copy uploaded back would overwrite every name)."""
    links = []
    for name in DATASETS:
        link = rx.link(
            dataset_label(name),
            href=f"/api/prefilled/{name}.xlsx",
            id=f"prefilled-{name}",
            reload_document=True,
            size="2",
        )
        personal = DATASETS[name].personal
        links.append(rx.cond(Session.is_admin, link) if personal else link)
    return rx.flex(
        rx.text(label("staff.upload.prefilled"), size="2"),
        *links,
        wrap="wrap",
        spacing="3",
        class_name="templates prefilled",
    )


def _sample() -> rx.Component:
    """The first rows as they will be stored: headers translated, cells are data."""
    return rx.box(
        rx.heading(label("staff.upload.sample"), size="3", as_="h2"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.foreach(
                        pick(Upload.sample_headers, Upload.sample_headers_en), rx.table.column_header_cell
                    )
                )
            ),
            rx.table.body(
                rx.foreach(
                    Upload.sample_rows,
                    lambda row: rx.table.row(rx.foreach(row, lambda v: rx.table.cell(v, class_name="dv"))),
                )
            ),
            size="1",
            id="upload-sample",
        ),
        overflow_x="auto",
    )


def _preview() -> rx.Component:
    """What confirming will change, row by row and cell by cell, as the version's page will show it
    (the first rows of each kind): staff see a wrong file before it becomes a version."""
    u = Upload
    return rx.cond(
        (u.preview_changes.length() > 0) | (u.preview_added_rows.length() > 0)
        | (u.preview_removed_rows.length() > 0),
        rx.flex(
            rx.heading(label("staff.upload.preview"), size="4", as_="h2"),
            changes_table(
                u.preview_changes, u.preview_key_header, u.preview_key_header_en,
                u.preview_changes_more, u.preview_changes_more_en, "upload-preview-changed",
            ),
            rows_table(
                "version.added", u.preview_headers, u.preview_headers_en, u.preview_added_rows,
                u.preview_added_more, u.preview_added_more_en, "upload-preview-added",
            ),
            rows_table(
                "version.removed", u.preview_headers, u.preview_headers_en, u.preview_removed_rows,
                u.preview_removed_more, u.preview_removed_more_en, "upload-preview-removed",
            ),
            direction="column",
            spacing="3",
            id="upload-preview",
        ),
    )  # fmt: skip


def accepted() -> rx.Component:
    return rx.flex(
        rx.callout(label("staff.upload.accepted"), icon="circle-check", color_scheme="green", size="1"),
        rx.text(pick(Upload.counts, Upload.counts_en), id="upload-counts", size="2"),
        rx.cond(
            Upload.removed > 0,
            rx.callout(
                rx.text.span(label("staff.upload.removes", n=Upload.removed)),
                icon="triangle-alert",
                color_scheme="amber",
                size="1",
                id="upload-removes",
            ),
        ),
        rx.flex(
            rx.foreach(
                pick(Upload.moves, Upload.moves_en),
                lambda m: rx.badge(
                    m, size="2", class_name="move", color_scheme=rx.cond(m.contains("+"), "green", "gray")
                ),
            ),
            spacing="2",
            wrap="wrap",
            id="upload-moves",
        ),
        _preview(),
        _sample(),
        rx.text_area(
            value=Upload.note,
            on_change=Upload.set_note,
            placeholder=label("version.note_hint"),
            max_length=500,
            rows="2",
            id="upload-note",
        ),
        rx.flex(
            rx.button(
                label("staff.upload.confirm"),
                on_click=[Upload.confirm, MyRounds.load],  # a report turns its round green at once
                id="upload-confirm",
                color_scheme="red",
            ),
            rx.button(label("common.cancel"), on_click=Upload.cancel, id="upload-cancel", variant="soft"),
            spacing="3",
        ),
        direction="column",
        spacing="3",
    )


def _error_row(e: rx.Var) -> rx.Component:
    """One problem: where, the value, the rule's hint and, beside it, an input for the cell if it is one."""
    return rx.table.row(
        rx.table.cell(e["line"]),
        rx.table.cell(e["column"], class_name="dv"),
        rx.table.cell(e["value"], class_name="dv"),
        rx.table.cell(pick(e["message"], e["message_en"])),
        rx.table.cell(
            rx.cond(
                e["fixable"] != "",
                rx.el.input(
                    default_value=e["value"],
                    key=e["key"],
                    data_line=e["line"],
                    data_column=e["column"],
                    class_name="fix-input",
                    aria_label=e["column"],
                ),
            )
        ),
    )


def _corrections() -> rx.Component:
    return rx.cond(
        Upload.corrections.length() > 0,
        rx.box(
            rx.text(label("staff.upload.corrections"), size="2", weight="medium"),
            rx.foreach(
                Upload.corrections, lambda c: rx.text(pick(c["zh"], c["en"]), size="1", class_name="dv")
            ),
            id="upload-corrections",
        ),
    )


def rejected() -> rx.Component:
    return rx.flex(
        rx.callout(
            rx.text.span(label("staff.upload.error_count", n=Upload.error_count)),
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            id="upload-error-count",
        ),
        rx.flex(
            rx.link(
                rx.button(
                    rx.icon("file-spreadsheet", size=16),
                    label("staff.upload.marked"),
                    color_scheme="red",
                    variant="solid",
                ),
                href="/api/upload/" + Upload.pending + "/marked.xlsx" + rx.cond(Prefs.is_en, "?lang=en", ""),
                id="upload-marked",
                reload_document=True,
            ),
            rx.link(
                label("staff.upload.error_report"),
                href="/api/upload/" + Upload.pending + "/errors.csv",
                id="upload-error-report",
                reload_document=True,
            ),
            rx.link(
                label("staff.upload.error_report_xlsx"),
                href="/api/upload/" + Upload.pending + "/errors.xlsx",
                id="upload-error-report-xlsx",
                reload_document=True,
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.text(label("staff.upload.marked_hint"), size="1", color_scheme="gray"),
        rx.cond(Upload.fixable > 0, rx.text(label("staff.upload.fix.hint"), size="2", id="upload-fix-hint")),
        rx.box(
            rx.table.root(
                header_row(
                    [
                        "staff.upload.col.line",
                        "staff.upload.col.column",
                        "staff.upload.col.value",
                        "staff.upload.col.problem",
                        "staff.upload.col.fix",
                    ]
                ),
                rx.table.body(rx.foreach(Upload.errors, _error_row)),
                size="1",
                variant="surface",
                id="upload-errors",
            ),
            overflow_x="auto",
        ),
        rx.flex(
            rx.cond(
                (Upload.fixable > 0) | (Upload.corrections.length() > 0),
                rx.button(
                    label("staff.upload.fix.again"),
                    on_click=Upload.check_again,
                    id="upload-check-again",
                    loading=Upload.busy,
                ),
            ),
            rx.button(label("common.cancel"), on_click=Upload.cancel, id="upload-discard", variant="soft"),
            spacing="3",
        ),
        direction="column",
        spacing="3",
    )


def read_summary() -> rx.Component:
    """How the file was read: kind, encoding, sheets, header row, lines skipped, the column mapping."""
    return rx.box(
        rx.text(label("staff.upload.read.title"), size="3", weight="medium"),
        rx.box(
            rx.foreach(
                Upload.facts,
                lambda f: rx.text(
                    pick(f["label"], f["label_en"]),
                    label("app.label", label=""),
                    rx.text.span(pick(f["value"], f["value_en"]), class_name="dv"),  # may name sheets
                    size="2",
                ),
            ),
            class_name="read-facts",
            id="upload-read-facts",
        ),
        rx.cond(
            Upload.skipped.length() > 0,
            rx.box(
                rx.text(label("staff.upload.read.skipped"), size="2"),
                rx.foreach(Upload.skipped, lambda w: rx.text(pick(w["zh"], w["en"]), size="1")),
                id="upload-skipped",
            ),
        ),
        rx.flex(
            rx.text(label("staff.upload.read.columns"), size="2"),
            rx.foreach(
                Upload.mapping,
                lambda m: rx.badge(
                    rx.text.span(m["written"], class_name="map-file dv"),
                    " → ",
                    rx.text.span(pick(m["header"], m["header_en"]), class_name="map-ledger"),
                    variant="surface",
                    color_scheme="gray",
                    class_name="map",
                ),
            ),
            wrap="wrap",
            spacing="2",
            align="center",
            id="upload-mapping",
        ),
        rx.cond(
            Upload.ignored.length() > 0,
            rx.text(
                label("staff.upload.read.ignored"),
                rx.foreach(
                    Upload.ignored,
                    lambda h: rx.badge(
                        rx.cond(h != "", h, label("staff.upload.read.no_header")),
                        class_name="dv",
                        variant="soft",
                    ),
                ),
                size="2",
                id="upload-ignored",
            ),
        ),
        id="upload-read",
    )


def report() -> rx.Component:
    return rx.cond(
        Upload.pending != "",
        rx.flex(
            rx.text(
                label("staff.upload.file"),
                rx.text.span(Upload.file_name, class_name="dv"),
                " → ",
                dataset_title(Upload.checked_dataset),
                id="upload-file-name",
                size="2",
            ),
            # A refused file shows its errors first; an accepted one how it was read, then the diff.
            rx.cond(
                Upload.accepted,
                rx.fragment(read_summary(), _corrections(), accepted()),
                rx.fragment(rejected(), _corrections(), read_summary()),
            ),
            rx.cond(
                Upload.warnings.length() > 0,
                rx.box(
                    rx.text(label("staff.upload.warnings"), size="2", weight="medium"),
                    rx.foreach(Upload.warnings, lambda w: rx.text(pick(w["zh"], w["en"]), size="1")),
                    id="upload-warnings",
                ),
            ),
            direction="column",
            spacing="3",
            id="upload-report",
        ),
    )


def my_rounds() -> rx.Component:
    """A scoped editor's open rounds (填报任务): what is asked of its scope, by when, and its state."""
    return rx.cond(
        MyRounds.rows.length() > 0,
        rx.vstack(
            rx.heading(label("rounds.mine"), size="3"),
            rx.foreach(MyRounds.rows, lambda r: round_card(r, closable=False)),
            spacing="2",
            id="my-rounds",
        ),
    )


def page() -> rx.Component:
    return staff_page(
        "upload",
        "staff.upload.title",
        my_rounds(),
        templates(),
        prefilled(),
        rx.flex(
            dataset_picker(),
            drop_zone(),
            rx.button(
                label("staff.upload.send"), on_click=Upload.send, id="upload-send", loading=Upload.busy
            ),
            progress(),
            wrap="wrap",
            spacing="3",
            align="center",
        ),
        rx.cond(
            Upload.message != "",
            rx.callout(
                pick(Upload.message, Upload.message_en), color_scheme="red", size="1", id="upload-message"
            ),
        ),
        rx.cond(
            Upload.done != "",
            rx.callout(pick(Upload.done, Upload.done_en), color_scheme="green", size="1", id="upload-done"),
        ),
        report(),
    )
