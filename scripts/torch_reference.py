"""Reference descent paths from PyTorch's ``torch.optim``, for our optimizer tests.

``tests/engine/test_torch_reference.py`` compares every step of ``engine.descend`` with
the paths this script writes to ``tests/fixtures/torch_trajectories.json.gz`` (JSON,
gzipped: 140 paths of 201 points at full precision would be 1.5 MB as text).  The test
reads only that file; torch is not a dependency of Slopescope, and neither CI nor the
test suite runs this script.  Run it again only to regenerate the fixture (a new case, a
new function), and commit the fixture with it:

    pip install torch==2.13.0            # the CPU build; the version the fixture names
    python scripts/torch_reference.py    # from the repository's root
    zcat tests/fixtures/torch_trajectories.json.gz | head -c 2000     # to look inside
    python -m pytest tests/engine/test_torch_reference.py -q -p no:cacheprovider

The reference is independent of our engine: each function is written a second time
with torch operations, its gradient comes from torch autograd (float64), and the step
is ``torch.optim``'s own -- ``SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW`` with
``foreach=False``, so each parameter (one 0-d tensor per variable) takes the
single-tensor CPU path, whose arithmetic is plain and deterministic.  The engine is
imported only to check that the two spellings of each function agree at every start.

Our optimizer names and settings map to torch's as follows:

    gd        SGD(lr)
    momentum  SGD(lr, momentum=β)                   (torch has no default β: 0.9, ours)
    nesterov  SGD(lr, momentum=β, nesterov=True)
    adagrad   Adagrad(lr, eps=ε)                    (both default to eps 1e-10)
    rmsprop   RMSprop(lr, alpha=ρ, eps=ε)
    adam      Adam(lr, betas=(β₁, β₂), eps=ε)
    adamw     AdamW(lr, betas=(β₁, β₂), eps=ε, weight_decay=λ)

Each optimizer runs twice per function and start: with its default settings (the case
stores ``settings: {}``, so the test also checks that our defaults are torch's) and with
non-default ones (``CUSTOM``), each with a learning rate that suits the function.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "torch_trajectories.json.gz"
STEPS = 200

Fn = Callable[..., torch.Tensor]


def _rosenbrock5(*x: torch.Tensor) -> torch.Tensor:
    total = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    for i in range(1, 4):
        total = total + (100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2)
    return total


_ROSENBROCK5 = " + ".join(f"(100*(x[{i + 1}] - x[{i}]**2)**2 + (1 - x[{i}])**2)"
                          for i in range(4))

# name -> (our expression, the same function in torch, starts, {optimizer: (lr with the
# default settings, lr with CUSTOM settings)}).  Each lr keeps its run bounded and moving
# for all 200 steps (gd and momentum below the stability bound at the start), and none
# makes lr·λ·(something exact) cancel to 0 on the quadratics: at lr = 0.005 on
# x**2 + 100*y**2, y - lr*(200*y) is 0 in exact arithmetic, so each library's answer is
# pure rounding noise (torch's fused multiply-add gives -2e-17, plain floats 0), which
# no relative comparison can judge.
FUNCTIONS: dict[str, tuple[str, Fn, list[list[float]], dict[str, tuple[float, float]]]] = {
    "sphere": (
        "x**2 + y**2",
        lambda x, y: x**2 + y**2,
        [[-3.0, 4.0], [1.5, -0.5]],
        {"gd": (0.1, 0.45), "momentum": (0.05, 0.2), "nesterov": (0.05, 0.2),
         "adagrad": (0.5, 1.0), "rmsprop": (0.01, 0.05), "adam": (0.1, 0.3),
         "adamw": (0.1, 0.3)},
    ),
    "rosenbrock": (
        "(1 - x)**2 + 100*(y - x**2)**2",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        [[-1.2, 1.0], [0.5, -0.3]],
        {"gd": (1e-3, 5e-4), "momentum": (1e-4, 5e-4), "nesterov": (1e-4, 5e-4),
         "adagrad": (0.1, 0.3), "rmsprop": (1e-3, 1e-2), "adam": (1e-2, 3e-2),
         "adamw": (1e-2, 3e-2)},
    ),
    "beale": (
        "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
        lambda x, y: ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2
                      + (2.625 - x + x * y**3) ** 2),
        [[1.0, 1.0], [2.0, 0.2]],
        {"gd": (0.01, 0.003), "momentum": (0.001, 0.005), "nesterov": (0.001, 0.005),
         "adagrad": (0.1, 0.5), "rmsprop": (0.001, 0.01), "adam": (0.01, 0.05),
         "adamw": (0.01, 0.05)},
    ),
    "ill_conditioned": (
        "x**2 + 100*y**2",
        lambda x, y: x**2 + 100 * y**2,
        [[-3.0, 1.0], [2.0, -0.5]],
        {"gd": (0.009, 0.0037), "momentum": (0.0043, 0.0093), "nesterov": (0.0043, 0.0061),
         "adagrad": (0.5, 1.0), "rmsprop": (0.01, 0.05), "adam": (0.1, 0.3),
         "adamw": (0.1, 0.3)},
    ),
    "rosenbrock5": (
        _ROSENBROCK5,
        _rosenbrock5,
        [[-1.2, 1.0, -1.2, 1.0, -1.2], [0.5, 0.5, 0.5, 0.5, 0.5]],
        {"gd": (5e-4, 2e-4), "momentum": (1e-4, 2e-4), "nesterov": (1e-4, 2e-4),
         "adagrad": (0.1, 0.3), "rmsprop": (1e-3, 1e-2), "adam": (1e-2, 3e-2),
         "adamw": (1e-2, 3e-2)},
    ),
}

# Non-default settings, in our names (the default runs give none).
CUSTOM: dict[str, dict[str, float]] = {
    "gd": {},
    "momentum": {"momentum": 0.5},
    "nesterov": {"momentum": 0.5},
    "adagrad": {"eps": 1e-6},
    "rmsprop": {"rho": 0.9, "eps": 1e-6},
    "adam": {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
    "adamw": {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1},
}


def torch_optimizer(name: str, params: list[torch.Tensor], lr: float,
                    settings: dict[str, float]) -> tuple[torch.optim.Optimizer, str]:
    """torch's optimizer for our ``name`` and ``settings``, and the call, as text.

    Settings not given are left to torch's defaults -- except SGD's momentum, which
    torch defaults to 0 and we to 0.9.
    """
    kwargs: dict[str, Any] = {"lr": lr}
    if name == "gd":
        cls: Any = torch.optim.SGD
    elif name in ("momentum", "nesterov"):
        cls = torch.optim.SGD
        kwargs["momentum"] = settings.get("momentum", 0.9)
        if name == "nesterov":
            kwargs["nesterov"] = True
    elif name == "adagrad":
        cls = torch.optim.Adagrad
    elif name == "rmsprop":
        cls = torch.optim.RMSprop
        if "rho" in settings:
            kwargs["alpha"] = settings["rho"]
    elif name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        if "beta1" in settings or "beta2" in settings:
            kwargs["betas"] = (settings.get("beta1", 0.9), settings.get("beta2", 0.999))
        if "weight_decay" in settings:
            kwargs["weight_decay"] = settings["weight_decay"]
    else:
        raise ValueError(f"no torch optimizer for {name!r}")
    if "eps" in settings:
        kwargs["eps"] = settings["eps"]
    call = f"{cls.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}, foreach=False)"
    return cls(params, foreach=False, **kwargs), call


def torch_path(fn: Fn, start: list[float], name: str, lr: float,
               settings: dict[str, float]) -> tuple[list[list[float]], str]:
    """``STEPS`` steps of torch's optimizer on ``fn`` from ``start``: the whole path."""
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    optimizer, call = torch_optimizer(name, params, lr, settings)
    path = [[p.item() for p in params]]
    for _ in range(STEPS):
        optimizer.zero_grad()
        fn(*params).backward()
        optimizer.step()
        path.append([p.item() for p in params])
    if not all(math.isfinite(v) and abs(v) < 100 for point in path for v in point):
        raise ValueError(f"{name} at lr {lr} from {start} left the box |x| < 100")
    return path, call


def check_spellings(expr: str, fn: Fn, start: list[float]) -> None:
    """The engine's and torch's spelling of one function agree at ``start``."""
    sys.path.insert(0, str(ROOT))
    from engine import evaluate, parse

    ours = float(evaluate(parse(expr), start))
    theirs = fn(*(torch.tensor(v, dtype=torch.float64) for v in start)).item()
    if not math.isclose(ours, theirs, rel_tol=1e-14):
        raise ValueError(f"{expr!r} is {ours} but torch's spelling gives {theirs} at {start}")


def main() -> None:
    torch.use_deterministic_algorithms(True)
    cases = []
    for function, (expr, fn, starts, rates) in FUNCTIONS.items():
        for k, start in enumerate(starts):
            check_spellings(expr, fn, start)
            for name, (lr_default, lr_custom) in rates.items():
                for variant, settings, lr in (("default", {}, lr_default),
                                              ("custom", CUSTOM[name], lr_custom)):
                    path, call = torch_path(fn, start, name, lr, settings)
                    cases.append({
                        "id": f"{function}-{name}-{variant}-start{k}",
                        "function": function, "expr": expr, "start": start,
                        "optimizer": name, "settings": settings, "lr": lr,
                        "steps": STEPS, "torch_call": call, "path": path,
                    })
    header = {
        "about": "Descent paths from torch.optim (float64, foreach=False, gradients by "
                 "torch autograd), written by scripts/torch_reference.py; read by "
                 "tests/engine/test_torch_reference.py",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "steps": STEPS,
    }
    lines = [json.dumps(case, separators=(",", ":")) for case in cases]
    text = json.dumps(header, indent=1)[:-2] + ',\n "cases": [\n' + ",\n".join(lines) + "\n]}\n"
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    packed = gzip.compress(text.encode(), compresslevel=9, mtime=0)  # same text, same bytes
    FIXTURE.write_bytes(packed)
    print(f"{len(cases)} cases, {len(text) / 1e6:.2f} MB of JSON, {len(packed) / 1e6:.2f} MB "
          f"gzipped -> {FIXTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
