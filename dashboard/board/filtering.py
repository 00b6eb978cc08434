"""What a filtered board says about the figures its filters leave as they are."""

from __future__ import annotations

from dashboard.board.present import BOARD_DATASETS, KPI_GROUPS
from dashboard.insights import Filters


def unfiltered_kpis(filters: Filters | None) -> list[str]:
    """The overview's KPI cards the filters do not narrow (their board's ledgers are not filtered):
    /?community=… narrows 换届, 品牌 and 组织生活, while 拆迁 and 督办 still count the whole
    sub-district; the page marks those cards. Empty when nothing is filtered."""
    if filters is None:
        return []
    out: list[str] = []
    for title_key, ids in KPI_GROUPS:
        board = title_key.removeprefix("board.")
        if filters.passes_over(BOARD_DATASETS[board]):
            out.extend(ids)
    return out
