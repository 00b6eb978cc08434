"""Pure chart functions: typed frames in, plotly figures out (no Reflex here)."""
