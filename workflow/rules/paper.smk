# One named rule per registered paper figure or table (scalingrepro.registry): it executes the
# target's notebook with Papermill and renders the executed copy to HTML.

for target in TARGETS:

    rule:
        name:
            target.id
        input:
            notebook=target.notebook,
            **target.inputs,
        output:
            *[
                report(
                    path,
                    caption="../report/target.rst",
                    category=target.paper,
                    subcategory=f"{target.kind}s",
                    labels={"target": target.id, "file": path.rsplit(".", 1)[-1]},
                )
                for path in target.outputs
            ],
            notebook=str(paths.executed_notebook(target.id)),
            html=str(paths.rendered_notebook(target.id)),
        params:
            parameters=target.notebook_parameters,
            caption=target.caption,
        conda:
            ANALYSIS_ENV
        log:
            str(paths.log("paper", target.id)),
        script:
            "../scripts/execute_notebook.py"
