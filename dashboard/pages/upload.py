"""/upload (editor, admin): pick the dataset, send a CSV/XLSX, read the check, confirm or cancel."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import simple_table, staff_page
from dashboard.data.contract import DATASETS
from dashboard.state.upload import Upload


def dataset_picker() -> rx.Component:
    return rx.el.select(
        rx.el.option("让表头自动判断 (auto)", value="auto"),
        *(rx.el.option(f"{ds.title} ({name})", value=name) for name, ds in DATASETS.items()),
        on_change=Upload.set_dataset,
        id="upload-dataset",
        class_name="upload-select",
    )


def templates() -> rx.Component:
    return rx.flex(
        rx.text("空白模板（含示例行）：", size="2"),
        *(
            rx.text.span(
                ds.title,
                " ",
                rx.link(
                    "CSV",
                    href=f"/api/template/{name}.csv",
                    id=f"template-{name}-csv",
                    reload_document=True,
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
            for name, ds in DATASETS.items()
        ),
        wrap="wrap",
        spacing="3",
        class_name="templates",
    )


def report() -> rx.Component:
    return rx.cond(
        Upload.pending != "",
        rx.flex(
            rx.text(
                "文件：", Upload.file_name, " → ", Upload.checked_dataset, id="upload-file-name", size="2"
            ),
            rx.cond(
                Upload.accepted,
                rx.flex(
                    rx.callout("检查通过，可以导入。", icon="circle-check", color_scheme="green", size="1"),
                    rx.text(Upload.counts, id="upload-counts", size="2"),
                    rx.cond(
                        Upload.removed > 0,
                        rx.callout(
                            rx.text.span(
                                "注意：确认后将删除现有的 ", Upload.removed, " 行（文件替换整个台账）。"
                            ),
                            icon="triangle-alert",
                            color_scheme="amber",
                            size="1",
                            id="upload-removes",
                        ),
                    ),
                    rx.flex(
                        rx.foreach(
                            Upload.moves,
                            lambda m: rx.badge(
                                m,
                                size="2",
                                class_name="move",
                                color_scheme=rx.cond(m.contains("+"), "green", "gray"),
                            ),
                        ),
                        spacing="2",
                        wrap="wrap",
                        id="upload-moves",
                    ),
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(rx.foreach(Upload.sample_headers, rx.table.column_header_cell))
                            ),
                            rx.table.body(
                                rx.foreach(
                                    Upload.sample_rows,
                                    lambda row: rx.table.row(rx.foreach(row, rx.table.cell)),
                                )
                            ),
                            size="1",
                            id="upload-sample",
                        ),
                        overflow_x="auto",
                    ),
                    rx.flex(
                        rx.button(
                            "确认导入", on_click=Upload.confirm, id="upload-confirm", color_scheme="red"
                        ),
                        rx.button("取消", on_click=Upload.cancel, id="upload-cancel", variant="soft"),
                        spacing="3",
                    ),
                    direction="column",
                    spacing="3",
                ),
                rx.flex(
                    rx.callout(
                        rx.text.span(
                            "有 ", Upload.error_count, " 处错误，什么都没有写入。请改正后重新上传。"
                        ),
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        id="upload-error-count",
                    ),
                    rx.link(
                        "下载错误报告 CSV",
                        href="/api/upload/" + Upload.pending + "/errors.csv",
                        id="upload-error-report",
                        reload_document=True,
                    ),
                    simple_table(
                        ["行", "列", "值", "问题"],
                        Upload.errors,
                        ["line", "column", "value", "message"],
                        id="upload-errors",
                    ),
                    direction="column",
                    spacing="3",
                ),
            ),
            rx.cond(
                Upload.warnings.length() > 0,
                rx.box(
                    rx.text("提醒：", size="2", weight="medium"),
                    rx.foreach(Upload.warnings, lambda w: rx.text(w, size="1")),
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
        "上传台账",
        templates(),
        rx.flex(
            dataset_picker(),
            rx.el.input(type="file", id="upload-file", accept=".csv,.xlsx,.txt,.tsv"),
            rx.button("上传并检查", on_click=Upload.send, id="upload-send", loading=Upload.busy),
            rx.el.progress(id="upload-progress", max=100, class_name="upload-progress"),
            wrap="wrap",
            spacing="3",
            align="center",
        ),
        rx.cond(
            Upload.message != "",
            rx.callout(Upload.message, color_scheme="red", size="1", id="upload-message"),
        ),
        rx.cond(Upload.done != "", rx.callout(Upload.done, color_scheme="green", size="1", id="upload-done")),
        report(),
    )
