"""One module per page (boards, staff and admin pages); each exposes ``page() -> rx.Component``.

components/site.py declares each page once (route, title, role); dashboard.py assembles them.
"""
