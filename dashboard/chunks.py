"""How the browser's JavaScript is cut into files: a Reflex plugin that edits the generated vite.config.js.

Why: left to Vite's automatic chunking, a board page needed 35 JavaScript files before it could
run (React, socket.io, each Radix component and each lucide icon in a file of its own, most under
2 KB). The app server answers them over HTTP/1.1, six at a time: on the loaded 2-core test machine
the last one arrived 0.3-0.5 s after the first, and the websocket (so the board's data, so every
chart) waited for it. Now the shared code ships as two files, ``vendor`` (node_modules) and
``app`` (Reflex's runtime and the app's shared components); each page keeps its own route file, and
plotly.js stays a file of its own, fetched only by the page that draws with it (/report); the boards
draw their charts on the server (components.charts.ChartFrame).
A board page's code is the same bytes as before: it already used nearly all the shared code.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

VITE_CONFIG = "vite.config.js"
_ANCHOR = "codeSplitting: {\n          groups: ["
# Inserted first in the list (rolldown tries groups by priority): these two take every module but
# plotly (and its React wrapper), each page's own code (.web/app/routes, .web/app_components/dashboard)
# and env.json, which keeps a file of its own (reflex-env-*.js, first, above them): an installed
# bundle's server rewrites the backend's address in that file (ops.serve.env_asset); swallowed
# into "app", the offline install had no such file and its doctor failed the frontend.
VENDOR = r"/node_modules[\\/](?!plotly\.js|react-plotly\.js)/"
APP = r"/[\\/](utils|components|app_components[\\/]reflex)[\\/]|[\\/]app[\\/]root\.jsx?$/"
GROUPS = f"""
            {{
              name: "reflex-env",
              test: /env.json/,
              priority: 3,
            }},
            {{
              name: "vendor",
              test: {VENDOR},
              priority: 2,
            }},
            {{
              name: "app",
              test: {APP},
              priority: 1,
            }},"""


def group_chunks(config: str) -> str:
    """``vite.config.js`` with the vendor and app groups added to its code splitting.

    Raises if Reflex's template no longer has the place they go (a Reflex upgrade): silently
    losing them would bring back the 35-file page.
    """
    if 'name: "vendor"' in config:
        return config
    if _ANCHOR not in config:
        raise RuntimeError(f"{VITE_CONFIG}: Reflex's template changed, no {_ANCHOR!r} to add chunk groups to")
    return config.replace(_ANCHOR, _ANCHOR + GROUPS, 1)


class FewerChunks(rx.plugins.Plugin):
    """Adds :data:`GROUPS` to the vite.config.js of every compile (dev and production)."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](VITE_CONFIG, group_chunks)
