"""The replication verdict: each claim of both papers checked against the pipeline's results.

`claims` loads and validates config/claims.yaml; `results` reads the results tables (and records
which ones each claim read); `chinchilla` and `generative` hold the functions computing each
claim's replicated value; `checks` turns paper value, replicated value and check into a
verdict; `outputs` writes results/claims.csv and paper/claims.md; `report` builds the browsable
report. The wings (chinchilla, generative) never import this package.
"""
