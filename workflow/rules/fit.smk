# Paper G: the three scaling laws fit per benchmark, estimator and k, with bootstrap over problems.
