"""The pipeline's plumbing: paths, settings, pinned inputs, validation, errors, logs and plot style.

Imports nothing from the rest of the package; every other wing builds on it.
"""
