"""Every limit of the service, as one settings object.

Each field has a documented default and is overridable by an environment variable named
``SLOPESCOPE_`` + the field name in capitals, e.g. ``SLOPESCOPE_MAX_GRID=200``.
The application receives its settings from :func:`app.main.create_app` and keeps them on
``app.state.settings``; nothing reads the environment after start-up, so tests build apps
with small limits through ``create_app(Settings(max_grid=10))``.

>>> Settings(max_grid=10).max_grid
10
>>> Settings.env_name("max_grid")
'SLOPESCOPE_MAX_GRID'
"""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "SLOPESCOPE_"


def _cores() -> int:
    return os.cpu_count() or 1


class Settings(BaseSettings):
    """Limits and server knobs; the defaults are the contract's (``shared/API.md``)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    # --- the expression -------------------------------------------------------------
    max_length: int = Field(
        default=1000, ge=1, description="Longest expression text, in characters."
    )
    max_nodes: int = Field(default=500, ge=1, description="Most nodes in an expression graph.")
    max_depth: int = Field(default=50, ge=1, description="Deepest nesting of an expression.")
    # --- the work one request may ask for -------------------------------------------
    max_grid: int = Field(default=400, ge=2, description="Most grid points per axis for /field.")
    max_steps: int = Field(default=100_000, ge=1,
                           description="Most steps for /descent, and per run for /sweep.")
    step_budget: int = Field(
        default=5_000_000, ge=1,
        description="Most steps x (expression nodes + variables) for /descent.",
    )
    max_points: int = Field(
        default=10_001,
        ge=2,
        description="Most path entries in a /descent response (thinned beyond).",
    )
    max_path_values: int = Field(
        default=200_000,
        ge=2,
        description="Most numbers in a /descent path (path entries x variables).",
    )
    max_rates: int = Field(default=200, ge=1, description="Most learning rates n in a /sweep.")
    max_momentums: int = Field(default=20, ge=1, description="Most momentums in a /sweep.")
    sweep_budget: int = Field(
        default=20_000_000, ge=1,
        description="Most runs x steps x (expression nodes + variables) for /sweep.",
    )
    max_check_points: int = Field(
        default=1000, ge=0, description="Most random_points in a /gradcheck."
    )
    max_sweep: int = Field(default=200, ge=2, description="Most step sizes n in a /steps sweep.")
    max_secants: int = Field(default=20, ge=1, description="Most secant steps for /tangent.")
    max_notebook_runs: int = Field(
        default=20, ge=0, description="Most descent runs in a /notebook request."
    )
    # --- neural networks (/network/train, /network/gradcheck) -----------------------
    network_budget: int = Field(
        default=300_000_000, ge=1,
        description="Most epochs x samples x parameters for /network/train, and loss "
        "evaluations x batch x parameters for /network/gradcheck.",
    )
    max_network_iterations: int = Field(
        default=20_000, ge=1,
        description="Most mini-batch steps (epochs x batches per epoch) of a /network/train.",
    )
    max_hidden: int = Field(default=256, ge=1, description="Most hidden units of a network.")
    max_epochs: int = Field(default=1000, ge=1, description="Most epochs of a /network/train.")
    max_samples: int = Field(
        default=5000, ge=2, description="Most samples of a generated (planar) dataset."
    )
    max_batch: int = Field(
        default=5000, ge=1, description="Largest mini-batch of a /network/train."
    )
    max_check_batch: int = Field(
        default=100, ge=1, description="Most examples in a /network/gradcheck batch."
    )
    max_boundary_grid: int = Field(
        default=200, ge=2, description="Most points per axis of a decision-boundary grid."
    )
    network_deadline: float = Field(
        default=20.0, gt=0,
        description="Seconds a /network/train or /network/gradcheck may compute before it "
        "is stopped (longer than deadline: a training streams its progress and can be "
        "stopped; the budget keeps ordinary runs to a few seconds).",
    )
    # --- the HTTP layer -------------------------------------------------------------
    max_body_size: int = Field(default=65_536, ge=1, description="Largest request body, in bytes.")
    compute_slots: int = Field(
        default_factory=_cores, ge=1, description="Computations run at once (default: cores)."
    )
    slot_wait: float = Field(
        default=5.0, gt=0, description="Seconds a request waits for a compute slot before a 503."
    )
    retry_after: int = Field(default=1, ge=0, description="Seconds advised in a 503's Retry-After.")
    deadline: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a descent or field may compute before it is stopped.",
    )
    shutdown_grace: float = Field(
        default=30.0, gt=0, description="Seconds in-flight requests get to finish after SIGTERM."
    )
    request_timeout: float = Field(
        default=10.0, gt=0,
        description="Seconds a client has to send a whole request (headers and body), from "
        "connecting or from the request's first byte; a slower one gets 408 and is "
        "disconnected.",
    )
    max_connections: int = Field(
        default=1000, ge=1,
        description="Most open connections per process (kept below its file limit); one "
        "more is answered 503 and closed.",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Host names the server answers for (comma-separated; '*' any, "
        "'*.example.org' subdomains); other Host headers get 400. Empty: the loopback "
        "names when slopescope listens on a loopback address, else any host.",
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: object) -> object:
        """``"a.org, b.org"`` (the environment's form) as a list."""
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @staticmethod
    def env_name(field: str) -> str:
        """The environment variable that sets ``field``."""
        return ENV_PREFIX + field.upper()
