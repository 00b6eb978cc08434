"""The build cuts the browser's JavaScript into a few files (dashboard/chunks.py): the chunk groups
go into the vite.config.js Reflex writes, and a Reflex whose template moved them fails the build."""

from __future__ import annotations

import pytest
from reflex.utils import frontend_skeleton
from reflex_base.config import get_config

import rxconfig
from dashboard.chunks import FewerChunks, group_chunks


def test_the_app_builds_with_the_chunk_groups() -> None:
    assert any(isinstance(p, FewerChunks) for p in rxconfig.config.plugins)


def test_the_groups_go_into_the_code_splitting_of_reflex_s_vite_config() -> None:
    config = group_chunks(frontend_skeleton._compile_vite_config(get_config()))
    splitting = config[config.index("codeSplitting") :]
    env, vendor, app = (splitting.index(f'name: "{n}"') for n in ("reflex-env", "vendor", "app"))
    assert env < vendor < app  # env.json first: the installed server rewrites its file (ops.serve)
    assert "priority: 3" in splitting[env:vendor]
    # plotly.js (and its React wrapper) is not in the vendor file: it is fetched when a chart mounts.
    assert r"(?!plotly\.js|react-plotly\.js)" in splitting[vendor:app]
    assert group_chunks(config) == config  # once only, however often Reflex compiles


def test_a_template_without_the_place_for_them_stops_the_build() -> None:
    with pytest.raises(RuntimeError, match="template changed"):
        group_chunks("export default defineConfig({build: {}})")
