"""Reflex configuration: the app module, the theme, and the database from dashboard.settings."""

import reflex as rx

from dashboard.chunks import FewerChunks
from dashboard.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="dashboard",
    db_url=settings.db_url,
    # With Redis, Reflex runs several backend workers and shares state (and the
    # live board views) between them; without it, one worker and a disk state store.
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="red", gray_color="slate", radius="medium")
        ),
        FewerChunks(),  # a board's code in a few files instead of 35 (dashboard/chunks.py)
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
