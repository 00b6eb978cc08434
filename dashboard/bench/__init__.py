"""Benchmarks: scripts that print figures beside their targets.

Speed and memory targets live here, not in timed tests: `python -m dashboard.bench ingest --rows N`.
"""
