# Paper G: canonical per-problem outcomes tables from the released sampling data.
