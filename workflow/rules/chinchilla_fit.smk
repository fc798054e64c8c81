# Paper C §2-3: Chinchilla fits with bootstrap uncertainty, tokens per parameter, perturbations.
