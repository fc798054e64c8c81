"""Paper G from scratch: sampling Pythia checkpoints, grading completions, scoring gold likelihoods.

These stages write the same outcomes and gold-likelihood tables as the released data, so every
later stage of `scalingrepro.generative` reads either.
"""
