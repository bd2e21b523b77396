"""Mutation score of the engine's core and the response encoder (issue 16).  Not run by CI.

    pip install mutmut==3.8.1          # not a dependency of the project, nor of its tests
    nice -n 19 python scripts/mutation.py                   # every module below
    nice -n 19 python scripts/mutation.py engine/ops.py     # some of them
    python scripts/mutation.py --list engine/ops.py         # and name each survivor

For each module, a scratch copy of the repository is made under a temporary directory
(the work tree is never written to) holding the packages, the module's fast test subset
(:data:`MODULES`) and a ``pyproject.toml`` that tells mutmut to mutate that module only.
mutmut rewrites every function of the module into its mutants, runs the test subset
once to learn which tests reach which function, then runs, for each mutant, only those
tests (forked, in parallel on ``--jobs`` processes).  A mutant is *killed* when a test
fails; it *survives* when all pass.

The score of a module is killed / (mutants - judged equivalent).  A mutant judged
equivalent (:data:`EQUIVALENT`) computes the same function as the original -- no test
could kill it -- and each entry says why.  mutmut names mutants by function and number
(``engine.ops.x__sigmoid__mutmut_3``): an edit of a function renumbers its mutants, so
after one the survivors are listed again (``--list``) and judged again.

Exit code 0 when every module scores at least :data:`TARGET`, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.90
"""The least share of non-equivalent mutants to kill, per module."""

#: Module -> the tests that exercise it and finish in seconds (no browser, no server).
MODULES: dict[str, list[str]] = {
    "engine/ops.py": ["tests/engine/test_ops.py", "tests/engine/test_mutants_ops.py"],
    "engine/optimize.py": ["tests/engine/test_optimize.py", "tests/engine/test_descent_outcomes.py",
                           "tests/engine/test_mutants_optimize.py"],
    "engine/optimizers.py": ["tests/engine/test_optimizers.py",
                             "tests/engine/test_torch_reference.py",
                             "tests/engine/test_mutants_optimize.py"],
    "engine/numeric.py": ["tests/engine/test_numeric.py", "tests/engine/test_mutants_numeric.py"],
    "engine/reverse.py": ["tests/engine/test_differentiate.py", "tests/engine/test_compgraph.py",
                          "tests/engine/test_mutants_ops.py"],
    "engine/forward.py": ["tests/engine/test_forward.py", "tests/engine/test_differentiate.py",
                          "tests/engine/test_mutants_ops.py"],
    "app/responses.py": ["tests/app/test_responses.py", "tests/app/test_typed.py",
                         "tests/app/test_mutants_responses.py"],
}

#: Mutants that compute the same thing as the original, with the reason; see the module
#: docstring.  Filled in by reading each survivor (``--list``).
_DEFAULT_ASCII = "json.dumps escapes to ASCII by default: ensure_ascii=True is the default"
_NAN_GONE = ("_finite has already replaced every non-finite float by None, so json.dumps "
             "never meets one: allow_nan does not matter")
_CODEC = "codec names are case-insensitive: 'ASCII' is 'ascii'"
EQUIVALENT: dict[str, dict[str, str]] = {module: {} for module in MODULES}
_WARNINGS = "np.errstate only silences floating-point warnings; the values are the same"
_RUNS = ("Richardson has 24 + 8 candidate steps (or 1, when h is given, returned before "
         "this): a run never has fewer than 2 candidates, so this never happens")
EQUIVALENT["engine/numeric.py"] = {
    "engine.numeric.x__candidate_h__mutmut_15": "numpy's reshape takes any negative size "
                                                "(-2 as -1) as the one to infer",
    "engine.numeric.x__richardson_values__mutmut_17": "per_coordinate is at least 256 (2 signs "
                                                      "x 4 levels x 32 candidates)",
    "engine.numeric.x__richardson_values__mutmut_56": "np.concatenate of one part is that part",
    "engine.numeric.x__disagreement__mutmut_3": "with one candidate (h given) both runs are "
                                                "empty or single, so skipped: zeros either way",
    "engine.numeric.x__disagreement__mutmut_7": "slice(None, split) is slice(0, split)",
    "engine.numeric.x__disagreement__mutmut_9": "slice(split) is slice(0, split)",
    "engine.numeric.x__disagreement__mutmut_13": "slice(split, None) is slice(split, C)",
    "engine.numeric.x__disagreement__mutmut_19": _RUNS,
    "engine.numeric.x__disagreement__mutmut_20": _RUNS,
    "engine.numeric.x__disagreement__mutmut_21": _RUNS,
    "engine.numeric.x__disagreement__mutmut_24": _WARNINGS,
    "engine.numeric.x_richardson__mutmut_124": _WARNINGS,
    "engine.numeric.x_richardson__mutmut_125": _WARNINGS,
    "engine.numeric.x_richardson__mutmut_126": _WARNINGS,
    "engine.numeric.x_richardson__mutmut_127": _WARNINGS,
    **dict.fromkeys(
        [f"engine.numeric.x_richardson__mutmut_{k}" for k in (133, 140, 141)],
        "estimate == 0 needs the rounding term EPS max|f| / h to be 0, so all of the "
        "candidate's values are 0: it is flat, and the next line scores it 1 whatever "
        "this one said"),
    "engine.numeric.x_richardson__mutmut_155": "a score is NaN only where the estimate or "
                                               "best is, i.e. where values are not finite; "
                                               "those are set to inf on the next line",
    "engine.numeric.x_richardson__mutmut_91": "a candidate whose values are finite but whose "
                                              "extrapolation overflowed has an infinite "
                                              "estimate: it loses (or gives NaN) either way",
    "engine.numeric.x__complex_step_size__mutmut_33": "nextafter(0.0, 2.0) is "
                                                      "nextafter(0.0, 1.0)",
    **dict.fromkeys(
        [f"engine.numeric.x_complex_step__mutmut_{k}" for k in (8, 10, 38, 40)],
        "every caller passes float64 coordinates (as_columns, gradient_columns), so the "
        "dtype asked for is the one they have"),
    **dict.fromkeys(
        [f"engine.numeric.x_complex_step__mutmut_{k}" for k in (26, 28)],
        "_stacked promotes each column to complex for the 1j shift anyway"),
}
EQUIVALENT["engine/optimize.py"] = {
    "engine.optimize.x__thin__mutmut_1": "with count == max_points, linspace(0, count - 1, "
                                         "count) rounds to arange(count): the same indices",
    "engine.optimize.x__bound_note__mutmut_2": "stability sets lr_bound and bound_formula "
                                               "together: both None or neither",
    **dict.fromkeys(["engine.optimize.x_descend__mutmut_194",
                     "engine.optimize.x_descend__mutmut_196"],
                    "the path is a list of lists of Python floats: float64 either way"),
    **dict.fromkeys(["engine.optimize.x_value_and_gradient_on_floats__mutmut_14",
                     "engine.optimize.x_value_and_gradient_on_floats__mutmut_15"],
                    "the numpy path computes the same reverse-mode gradient as the generated "
                    "code (the fallback the generated code takes where floats raise)"),
    **dict.fromkeys(["engine.optimize.x_descend__mutmut_95",
                     "engine.optimize.x_descend__mutmut_96"],
                    "the generated loop (engine/loopgen.py) and the generic loop give the "
                    "same floats, by design and by test (tests/engine/test_loopgen.py)"),
    "engine.optimize.x_run_optimizer__mutmut_46": "> and >= against time.monotonic() differ "
                                                  "only at one exact nanosecond",
}
_FLOAT64 = "the array is float64 already (and astype(None) is float64)"
_UNIT_PARTIALS = ("the only Python-float partials the rules write are the +-1.0 of add, sub "
                  "and neg: taken by the shortcut or by the multiplication, the result is "
                  "the same")
_CORNER_RULES = "the corner rules (abs, relu, min, max) do not read out"
_SAME_LENGTH = "both sequences have one entry per argument of the primitive"
EQUIVALENT["engine/forward.py"] = {
    "engine.forward.x_apply_dual__mutmut_1": "only Dual's operators rely on the default, and "
                                             "add, sub, mul, div, neg, powi, pow have no corner",
    "engine.forward.x_apply_dual__mutmut_29": _CORNER_RULES,
    "engine.forward.x__one_sided__mutmut_16": _CORNER_RULES,
    **dict.fromkeys([f"engine.forward.x__one_sided__mutmut_{k}" for k in (29, 32, 33)],
                    _SAME_LENGTH),
    **dict.fromkeys([f"engine.forward.x_jvp_gradient__mutmut_{k}" for k in (47, 49, 51, 53)],
                    _FLOAT64),
    **dict.fromkeys([f"engine.forward.x_directional_derivatives__mutmut_{k}"
                     for k in (3, 5, 32)],
                    "integer directions give float tangents at the first product with a "
                    "float partial; the slopes come out as the same float64 numbers"),
    **dict.fromkeys([f"engine.forward.x__dual_chain__mutmut_{k}" for k in (11, 13, 14, 15, 16)],
                    _UNIT_PARTIALS),
}
EQUIVALENT["engine/reverse.py"] = {
    "engine.reverse.x_vjp_gradient__mutmut_36": _FLOAT64,
    "engine.reverse.x_hessian_columns__mutmut_52": _FLOAT64,
}
_BRANCH_ROUNDING = ("both branches compute the same function; the branch only keeps exp "
                    "from overflowing, far from where the boundary moved")
EQUIVALENT["engine/ops.py"] = {
    **dict.fromkeys([f"engine.ops.x__atan2__mutmut_{k}" for k in (15, 16, 17, 18)]
                    + [f"engine.ops.x__hypot__mutmut_{k}" for k in (21, 22, 23, 24)]
                    + ["engine.ops.x__powi_scalar__mutmut_2",
                       "engine.ops.x__pow_scalar__mutmut_7"], _WARNINGS),
    "engine.ops.x__sigmoid__mutmut_5": "at 0 both branches give 0.5",
    "engine.ops.x__sigmoid__mutmut_6": _BRANCH_ROUNDING,
    "engine.ops.x__sigmoid_scalar__mutmut_1": "at 0 both branches give 0.5",
    "engine.ops.x__sigmoid_scalar__mutmut_2": _BRANCH_ROUNDING,
    "engine.ops.x__softplus__mutmut_12": "at 0 both branches give log(2)",
    "engine.ops.x__softplus__mutmut_13": _BRANCH_ROUNDING,
    "engine.ops.x__cbrt__mutmut_8": "at 0 the branches give 0 and -0, equal numbers",
    "engine.ops.x__atan2__mutmut_33": "at x = 0 (and y != 0) the steep branch is taken, so "
                                      "the flat branch's quadrant test there is never used",
    **dict.fromkeys(["engine.ops.x__min_scalar__mutmut_6", "engine.ops.x__max_scalar__mutmut_6"],
                    "the second test is reached only when a <= b failed, i.e. b < a or a NaN: "
                    "< and <= agree there"),
    **dict.fromkeys(["engine.ops.x__min_scalar__mutmut_7", "engine.ops.x__max_scalar__mutmut_7"],
                    "reached only with a NaN, where a + b and a - b are both NaN"),
    **dict.fromkeys([f"engine.ops.x_chain__mutmut_{k}" for k in (10, 15)], _UNIT_PARTIALS),
    **dict.fromkeys(["engine.ops.x__relu__mutmut_7", "engine.ops.x__relu_scalar__mutmut_3"],
                    "at x = +-0 both branches give the same signed zero (x, or 0*x)"),
    "engine.ops.x__div_scalar__mutmut_6": "copysign(1.0, b) is +-1: dividing by it is "
                                          "multiplying by it",
    "engine.ops.x__div_scalar__mutmut_15": "+-inf times +-2 is +-inf times +-1",
}
#: Mutants mutmut cannot switch on: code that runs once, at import, before a mutant is
#: chosen (the tables' rows: ops' ``_row`` calls, the optimizers' ``_eps`` settings).
#: Neither killed nor equivalent: left out of the score, and listed.  (What those rows
#: hold is tested directly: tests/engine/test_ops.py, test_mutants_optimize.py.)
NOT_ACTIVATED: dict[str, tuple[str, ...]] = {
    "engine/ops.py": ("engine.ops.x__row__mutmut_",),
    "engine/optimizers.py": ("engine.optimizers.x__eps__mutmut_",),
}
EQUIVALENT["app/responses.py"] = {
    "app.responses.xǁSafeJSONResponseǁrender__mutmut_4": _NAN_GONE,
    "app.responses.xǁSafeJSONResponseǁrender__mutmut_7": _DEFAULT_ASCII,
    "app.responses.xǁSafeJSONResponseǁrender__mutmut_8": _NAN_GONE,
    "app.responses.xǁSafeJSONResponseǁrender__mutmut_12": _NAN_GONE,
    "app.responses.xǁSafeJSONResponseǁrender__mutmut_16": _CODEC,
    "app.responses.xǁModelResponseǁrender__mutmut_14": _NAN_GONE,
    "app.responses.xǁModelResponseǁrender__mutmut_17": _DEFAULT_ASCII,
    "app.responses.xǁModelResponseǁrender__mutmut_18": _NAN_GONE,
    "app.responses.xǁModelResponseǁrender__mutmut_23": _NAN_GONE,
    "app.responses.xǁModelResponseǁrender__mutmut_27": _CODEC,
    "app.responses.xǁModelResponseǁrender__mutmut_35": _DEFAULT_ASCII,
    "app.responses.xǁModelResponseǁrender__mutmut_42": _CODEC,
    "app.responses.x_typed_array__mutmut_42": _CODEC,
    "app.responses.x_typed_array__mutmut_5": "a dtype kind is one character, and 'i' and 'u' "
                                             "are in 'XXiuXX' as they are in 'iu'",
    "app.responses.x_typed_array__mutmut_18": "astype(None) is float64 in the machine's byte "
                                              "order, '<f8' on every little-endian machine "
                                              "(x86-64, arm64) -- equivalent there only",
}

#: What the scratch copy holds besides the tests: the packages and what they read.
COPIED = ["engine", "app", "templates", "static", "bench", "tests/conftest.py",
          "tests/fixtures", "tests/__init__.py"]

CONFIG = """\
[tool.mutmut]
source_paths = ["engine", "app"]
only_mutate = ["{module}"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q",
                       "-x", "--timeout=300"]
pytest_add_cli_args_test_selection = {tests}
also_copy = ["templates", "static", "bench"]

[tool.pytest.ini_options]
addopts = "--import-mode=importlib"
"""


def scratch_copy(module: str, tests: list[str], where: Path) -> Path:
    """The repository's parts that ``module``'s tests need, and mutmut's configuration."""
    root = where / module.replace("/", "_").removesuffix(".py")
    for part in [*COPIED, *(t for t in tests if (ROOT / t).exists())]:
        source = ROOT / part
        if not source.exists():
            continue
        target = root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    for conftest in {Path(t).parent / "conftest.py" for t in tests}:
        if (ROOT / conftest).exists() and not (root / conftest).exists():
            shutil.copy2(ROOT / conftest, root / conftest)
    present = [t for t in tests if (ROOT / t).exists()]
    (root / "pyproject.toml").write_text(CONFIG.format(module=module,
                                                       tests=json.dumps(present)))
    return root


def results(root: Path) -> dict[str, str]:
    """Each mutant's status, as ``mutmut results --all true`` gives it."""
    done = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                          cwd=root, capture_output=True, text=True, check=True)
    found = {}
    for line in done.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def run(module: str, jobs: int, where: Path, show: bool, again: bool = True
        ) -> tuple[float, Counter[str]]:
    root = where / module.replace("/", "_").removesuffix(".py")
    if again:
        root = scratch_copy(module, MODULES[module], where)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("CI", None)
        subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
                       cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    statuses = results(root)
    equivalent = EQUIVALENT.get(module, {})
    prefix = NOT_ACTIVATED.get(module)
    inactive = [name for name in statuses if prefix and name.startswith(prefix)]
    prefix = "/".join(prefix or ())
    for name in inactive:
        statuses.pop(name)
    counts = Counter(statuses.values())
    judged = [name for name in equivalent if statuses.get(name) == "survived"]
    killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
    counted = len(statuses) - len(judged)
    score = killed / counted if counted else 1.0
    counts["equivalent"] = len(judged)
    counts["not activated"] = len(inactive)
    if inactive:
        print(f"{module}: {len(inactive)} mutants run at import only, not counted: "
              f"{prefix}*")
    survivors = sorted(name for name, status in statuses.items()
                       if status not in ("killed", "timeout", "caught by type check")
                       and name not in equivalent)
    if show:
        for name in survivors:
            shown = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=root,
                                   capture_output=True, text=True)
            print(f"\n--- {module}: {statuses[name]}\n{shown.stdout.strip()}")
    stale = sorted(set(equivalent) - set(judged))
    if stale:
        print(f"{module}: judged equivalent but not (or no longer) surviving: {stale}")
    return score, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="module",
                        help=f"modules to mutate (default: all of {', '.join(MODULES)})")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--list", action="store_true", help="show every surviving mutant")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    parser.add_argument("--scored", type=Path, metavar="DIR",
                        help="score the scratch copies kept in DIR again (after judging "
                             "survivors), without running mutmut")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"not a module this script mutates: {', '.join(unknown)}")
    args.modules = args.modules or list(MODULES)
    where = args.scored or Path(tempfile.mkdtemp(prefix="slopescope-mutation-"))
    if args.scored:
        args.keep = True
        args.modules = [m for m in args.modules
                        if (where / m.replace("/", "_").removesuffix(".py")).exists()]
    rows = []
    try:
        for module in args.modules:
            score, counts = run(module, args.jobs, where, args.list, again=not args.scored)
            rows.append((module, score, counts))
            print(f"{module}: {score:.1%} ({dict(counts)})", flush=True)
    finally:
        if args.keep:
            print(f"scratch copies kept in {where}")
        else:
            shutil.rmtree(where, ignore_errors=True)
    print("\n| module | mutants | killed | survived | judged equivalent | other | "
          "not activated | score |")
    print("|---|---|---|---|---|---|---|---|")
    for module, score, counts in rows:
        killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
        total = sum(v for k, v in counts.items() if k not in ("equivalent", "not activated"))
        survived = counts["survived"] - counts["equivalent"]
        other = total - killed - counts["survived"]
        print(f"| {module} | {total} | {killed} | {survived} | {counts['equivalent']} | "
              f"{other} | {counts['not activated']} | {score:.1%} |")
    return 0 if all(score >= TARGET for _, score, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
