# The replication verdict: every claim of config/claims.yaml checked against the results tables.

from scalingrepro.verdict.outputs import claim_inputs

CLAIMS_REGISTRY = "config/claims.yaml"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"


rule check_claims:
    input:
        claims=CLAIMS_REGISTRY,
        schema=CLAIMS_SCHEMA,
        tables=claim_inputs(config),
        multiverse=str(paths.multiverse("verdicts.csv")),
    output:
        table=str(paths.claims_table()),
        page=str(paths.claims_page()),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("check_claims")),
    localrule: True
    script:
        "../scripts/check_claims.py"


rule report:
    input:
        claims=rules.check_claims.output.table,
        page=rules.check_claims.output.page,
        multiverse=str(paths.multiverse("verdicts.csv")),
        shown=report_inputs(),
        templates=str(paths.REPORT_TEMPLATE / "index.html.j2"),
    output:
        report=str(paths.report_page()),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("report")),
    localrule: True
    script:
        "../scripts/build_report.py"
