# Acquire every external input of config/sources.yaml into resources/, checksum-verified.


rule acquire_input:
    output:
        str(paths.RESOURCES / "{file}"),
    wildcard_constraints:
        file="|".join(re.escape(source.file) for source in SOURCES.values()),
    params:
        name=lambda wildcards: next(s.name for s in SOURCES.values() if s.file == wildcards.file),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("acquire_input", "{file}")),
    localrule: True
    script:
        "../scripts/acquire_input.py"
