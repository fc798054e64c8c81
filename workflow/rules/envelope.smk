# Paper G: the compute-optimal envelope and the misallocation penalty.
