"""Commands a person runs, each as `python -m scalingrepro.commands.<name> --help`.

`workflow_timing`: the whole replication timed per stage; `chinchilla_benchmark`: paper C's
computation alone; `figure_index`: the README's figure table from the registry. Commands sit on
top: they may import every wing, and nothing imports them.
"""
