# Paper G: backtesting the three laws and parameter stability.
