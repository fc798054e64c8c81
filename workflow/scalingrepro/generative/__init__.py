"""Paper G, *Pretraining Scaling Laws for Generative Evaluations of Language Models*.

`pythia` and `outcomes`: checkpoints and per-problem sampling outcomes; `passk`: pass@k
estimators; `laws`, `fitting`: the three scaling laws and their fits; `likelihood`: gold-reference
likelihoods; `backtest`: fits under compute caps; `envelope`: the compute-optimal envelope and
misallocation penalty.
"""
