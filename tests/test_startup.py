"""What parsing the workflow imports: the modules the Snakefile imports must not pull in scipy's
slow submodules, which every run (and every figure-only rerun) would otherwise pay for."""

import math
import subprocess
import sys

# The modules the rule files import when Snakemake parses the workflow.
WORKFLOW_IMPORTS = (
    "scalingrepro.pipeline.settings",
    "scalingrepro.pipeline.sources",
    "scalingrepro.registry",
    "scalingrepro.sampling.locations",
    "scalingrepro.sampling.checkpoints",
    "scalingrepro.sampling.source",
    "scalingrepro.chinchilla.perturb",
    "scalingrepro.generative.passk",
    "scalingrepro.verdict.outputs",
)


def imported_modules(modules):
    code = "import sys\n" + "".join(f"import {module}\n" for module in modules) + "print('\\n'.join(sorted(sys.modules)))"
    return set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split())


def test_parsing_the_workflow_does_not_import_scipy_optimize_or_stats():
    loaded = imported_modules(WORKFLOW_IMPORTS)
    assert "scalingrepro.registry" in loaded
    assert not {"scipy.optimize", "scipy.stats", "scipy.special"} & loaded


def test_the_solver_imports_scipy_when_a_fit_needs_it():
    from scalingrepro.chinchilla import solver

    # The unit Huber density's normalizing constant tends to the Gaussian's, √(2π), as δ grows.
    assert abs(solver.huber_log_normalizer(50.0) - 0.5 * math.log(2 * math.pi)) < 1e-12
