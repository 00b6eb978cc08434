"""Reflex states (thin): language preference, each tab's board, the live poll, the staff pages.

They call :mod:`dashboard.board` (what a board shows, cached per data version) and copy its views.
"""
