"""One module per board page; each exposes ``page() -> rx.Component`` and nothing else."""
