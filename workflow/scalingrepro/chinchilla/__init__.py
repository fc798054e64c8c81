"""Paper C, *Evaluating the Robustness of Chinchilla Compute-Optimal Scaling*.

`counts`: the three interpretations of Chinchilla's parameter counts (§2); `fit`: the Huber
fit with bootstrap uncertainty and compute-optimal tokens per parameter (§2); `perturb`: the
four perturbations of the counts and their analytic explanations (§3, App. C).
"""
