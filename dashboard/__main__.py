"""``python -m dashboard COMMAND``: see dashboard/cli.py."""

from dashboard.cli import main

raise SystemExit(main())
