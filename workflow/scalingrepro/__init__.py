"""Replication of two scaling-law papers as a Snakemake + Papermill pipeline.

All analysis logic lives in this package as small pure functions grouped by concern;
Snakemake rules call it through thin scripts, and notebooks import it only to read
tables and draw.
"""
