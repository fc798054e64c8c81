# Paper C: parameter-count interpretations and the Epoch AI runs table.

CONTRACT_TABLES += [paths.chinchilla("parameter_counts.csv"), paths.chinchilla("runs.csv")]


rule count_chinchilla_parameters:
    input:
        table_a9=str(paths.TABLE_A9),
    output:
        counts=str(paths.chinchilla("parameter_counts.csv")),
        summary=str(paths.chinchilla("parameter_count_summary.csv")),
    params:
        match_tolerance_pct=config["chinchilla"]["match_tolerance_pct"],
        count_precision=config["chinchilla"]["count_precision"],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("count_chinchilla_parameters")),
    script:
        "../scripts/count_chinchilla_parameters.py"


rule build_chinchilla_runs:
    input:
        epoch_runs=source_path("epoch_runs"),
        counts=rules.count_chinchilla_parameters.output.counts,
    output:
        runs=str(paths.chinchilla("runs.csv")),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("build_chinchilla_runs")),
    script:
        "../scripts/build_chinchilla_runs.py"
