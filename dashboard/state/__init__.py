"""Reflex states (thin): language preference, the shared per-board views, the live poll.

``views`` is plain Python (what a board shows, cached per data version);
``prefs``, ``board`` and ``live`` are the Reflex side.
"""
