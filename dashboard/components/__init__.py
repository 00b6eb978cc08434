"""Reflex components: the page frame, the page table (site.py), charts, tables, filters, staff forms.

They read thin states and the page table; they hold no state and no SQL of their own.
"""
