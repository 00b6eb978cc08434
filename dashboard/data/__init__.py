"""The data layer: contract, reading, validation, storage, metrics.

No Reflex here: this package is used by the CLI, the benchmark, the tests and
the app alike.
"""
