"""The diagnosis as pytest tests: `pytest diagnostics/`, or `wa-doctor check` once installed."""
