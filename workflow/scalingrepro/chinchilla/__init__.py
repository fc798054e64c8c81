"""Paper C, *Evaluating the Robustness of Chinchilla Compute-Optimal Scaling*.

`counts`: the three interpretations of Chinchilla's parameter counts (§2); `solver`: the
batched Huber fit (point estimate and bootstrap refits); `fit`: each interpretation's fit with
bootstrap uncertainty and compute-optimal tokens per parameter (§2); `perturb`: the four
perturbations of the counts and their analytic explanations (§3, App. C).
"""
