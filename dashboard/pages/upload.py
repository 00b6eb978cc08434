"""/upload (editor, admin): pick the dataset, send a CSV/XLSX, read the check, confirm or cancel."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import simple_table, staff_page
from dashboard.components.text import dataset_title, label, pick
from dashboard.contract import DATASETS
from dashboard.state.auth import Session
from dashboard.state.prefs import Prefs
from dashboard.state.upload import Upload


def dataset_picker() -> rx.Component:
    return rx.el.select(
        rx.el.option(label("staff.upload.auto"), value="auto"),
        *(rx.el.option(label(f"dataset.{name}"), f" ({name})", value=name) for name in DATASETS),
        on_change=Upload.set_dataset,
        id="upload-dataset",
        class_name="upload-select",
    )


def templates() -> rx.Component:
    return rx.flex(
        rx.text(label("staff.upload.templates"), size="2"),
        *(
            rx.text.span(
                label(f"dataset.{name}"),
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
            label(f"dataset.{name}"),
            href=f"/api/prefilled/{name}.xlsx",
            id=f"prefilled-{name}",
            reload_document=True,
            size="2",
        )
        personal = any(c.personal for c in DATASETS[name].columns)
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
        _sample(),
        rx.flex(
            rx.button(
                label("staff.upload.confirm"),
                on_click=Upload.confirm,
                id="upload-confirm",
                color_scheme="red",
            ),
            rx.button(label("common.cancel"), on_click=Upload.cancel, id="upload-cancel", variant="soft"),
            spacing="3",
        ),
        direction="column",
        spacing="3",
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
        simple_table(
            [
                "staff.upload.col.line",
                "staff.upload.col.column",
                "staff.upload.col.value",
                "staff.upload.col.problem",
            ],
            Upload.errors,
            ["line", "column", "value", "message"],
            data=("column", "value"),  # the file's own header and cell, as typed
            translated=("message",),
            id="upload-errors",
        ),
        direction="column",
        spacing="3",
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
            rx.cond(Upload.accepted, accepted(), rejected()),
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


def page() -> rx.Component:
    return staff_page(
        "upload",
        "staff.upload.title",
        templates(),
        prefilled(),
        rx.flex(
            dataset_picker(),
            rx.el.input(type="file", id="upload-file", accept=".csv,.xlsx,.txt,.tsv"),
            rx.button(
                label("staff.upload.send"), on_click=Upload.send, id="upload-send", loading=Upload.busy
            ),
            rx.el.progress(id="upload-progress", max=100, class_name="upload-progress"),
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
