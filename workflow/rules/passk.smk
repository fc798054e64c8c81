# Paper G: per-problem and benchmark pass@k under both estimators.
