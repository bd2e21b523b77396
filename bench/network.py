"""Neural networks: accuracy reached, gradient checks, and the cost of an epoch.

* Digits, 64-50-10, sigmoid, batch 100, 20 epochs: test accuracy with ``xavier`` and
  lr 0.5 (target ≥ 90 %) and with the textbook's ``std`` 0.01 and lr 0.1 (which starts
  at loss ln 10 and learns slowly: shown, no target).  Circle, 8 tanh units: test
  accuracy within 50 epochs (target ≥ 90 %).
* Gradient check on digits, batch 3, h = 1e-4: every tensor's relative error
  (target ≤ 1e-7).
* Epochs of digits training (each a seeded shuffle, 15 mini-batch steps of plain
  gradient descent, then the training loss and the train and test accuracies) by
  :func:`engine.network.train` against :class:`TextbookNet`, a hand-written numpy
  two-layer net of the textbook's shape (Affine, Sigmoid, Affine, SoftmaxWithLoss, the
  gradient written out layer by layer) doing the same epochs in the same process
  (target ≤ 1.2×), and torch's CPU time for the same net and epochs when torch is
  installed (a peer, no target).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from engine.network import TwoLayerNet, check_gradients, load_dataset, one_hot, train

from .config import Config
from .report import Section, Target, table
from .timing import Case, fmt_ratio, fmt_seconds, interleaved, ratio

__all__ = ["TextbookNet", "run_network"]

_EPOCH_TARGET = 1.2
_ACCURACY_TARGET = 0.9
_CHECK_TARGET = 1e-7


class TextbookNet:
    """The textbook's ``TwoLayerNet`` written by hand: layers that remember what their
    backward pass needs, the gradient from calling them in reverse order."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = {name: value.copy() for name, value in params.items()}

    def _forward(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        self.x = x
        self.out1 = 1.0 / (1.0 + np.exp(-(x @ p["W1"] + p["b1"])))
        return self.out1 @ p["W2"] + p["b2"]  # type: ignore[no-any-return]

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        self.y = self._softmax(self._forward(x))
        self.t = t
        return -float(np.sum(t * np.log(self.y + 1e-7))) / x.shape[0]

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        self.loss(x, t)
        p = self.params
        dz2 = (self.y - self.t) / x.shape[0]          # SoftmaxWithLoss.backward
        grads = {"W2": self.out1.T @ dz2, "b2": dz2.sum(axis=0)}  # Affine.backward
        da1 = dz2 @ p["W2"].T
        dz1 = da1 * (1.0 - self.out1) * self.out1     # Sigmoid.backward
        grads["W1"] = self.x.T @ dz1
        grads["b1"] = dz1.sum(axis=0)
        return grads

    def accuracy(self, x: np.ndarray, labels: np.ndarray) -> float:
        return float(np.mean(np.argmax(self._forward(x), axis=1) == labels))

    def loss_and_accuracy(self, x: np.ndarray, t: np.ndarray, labels: np.ndarray
                          ) -> tuple[float, float]:
        """Both from one forward pass (as the engine's epoch figures are)."""
        scores = self._forward(x)
        y = self._softmax(scores)
        loss = -float(np.sum(t * np.log(y + 1e-7))) / x.shape[0]
        return loss, float(np.mean(np.argmax(scores, axis=1) == labels))


def _figures(net: TextbookNet, data: Any, T: np.ndarray) -> tuple[float, float, float]:
    """Training loss, train accuracy, test accuracy: what the engine records per epoch."""
    loss, train_accuracy = net.loss_and_accuracy(data.X_train, T, data.y_train)
    return loss, train_accuracy, net.accuracy(data.X_test, data.y_test)


def _textbook_run(params: dict[str, np.ndarray], data: Any, lr: float, batch: int,
                  epochs: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """What ``train(epochs=...)`` does, by hand: the figures before training, then per
    epoch a seeded shuffle, the mini-batch steps and the figures again."""
    net = TextbookNet(params)
    X, T = data.X_train, one_hot(data.y_train, data.classes)
    figures = _figures(net, data, T)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            index = order[start:start + batch]
            grads = net.gradient(X[index], T[index])
            for name in ("W1", "b1", "W2", "b2"):
                net.params[name] -= lr * grads[name]
        figures = _figures(net, data, T)
    return figures


def _torch_run(torch: Any, data: Any, params: dict[str, np.ndarray], lr: float,
               batch: int, epochs: int) -> Any:
    """The same net and epochs in torch (float64, CPU, autograd, torch.optim.SGD)."""
    X = torch.tensor(data.X_train)
    y = torch.tensor(data.y_train)
    X_test, y_test = torch.tensor(data.X_test), torch.tensor(data.y_test)
    generator = torch.Generator().manual_seed(0)

    def run() -> tuple[float, float, float]:
        weights = {name: torch.tensor(value, requires_grad=True)
                   for name, value in params.items()}
        optimizer = torch.optim.SGD(list(weights.values()), lr=lr)

        def scores(x: Any) -> Any:
            hidden = torch.sigmoid(x @ weights["W1"] + weights["b1"])
            return hidden @ weights["W2"] + weights["b2"]

        def figures() -> tuple[float, float, float]:
            with torch.no_grad():
                train_scores = scores(X)
                loss = float(torch.nn.functional.cross_entropy(train_scores, y))
                return (loss, float((train_scores.argmax(1) == y).double().mean()),
                        float((scores(X_test).argmax(1) == y_test).double().mean()))

        found = figures()
        for _ in range(epochs):
            order = torch.randperm(len(X), generator=generator)
            for start in range(0, len(X), batch):
                index = order[start:start + batch]
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(scores(X[index]), y[index]).backward()
                optimizer.step()
            found = figures()
        return found

    return run


def _load_torch() -> tuple[Any, str]:
    try:
        torch = importlib.import_module("torch")
    except Exception as exc:  # absent or broken: the peer is skipped with the reason
        return None, f"torch unavailable ({type(exc).__name__}); `pip install torch` to compare"
    torch.set_num_threads(1)
    return torch, ""


def run_network(config: Config) -> Section:
    tiny = config.mode == "tiny"
    epochs = 2 if tiny else 20
    section = Section("Neural networks (engine.network)")
    digits = load_dataset("digits", seed=0)
    runs = [("xavier", 0.5), ("std", 0.1)]
    rows = []
    accuracy = {}
    for init, lr in runs:
        result = train(digits, hidden=50, activation="sigmoid", init=init, lr=lr,
                       batch_size=100, epochs=epochs, seed=0)
        accuracy[init] = float(result.test_accuracy[-1])
        rows.append([f"digits 64-50-10 sigmoid, {init}, lr {lr:g}, batch 100",
                     str(epochs), f"{result.train_loss[0]:.4f} → {result.train_loss[-1]:.4f}",
                     f"{100 * result.test_accuracy[-1]:.1f}%", fmt_seconds(result.seconds)])
    circle = train(load_dataset("circle", seed=0), hidden=8, activation="tanh",
                   init="xavier", lr=0.5, batch_size=10, epochs=5 if tiny else 50, seed=0)
    rows.append(["circle 2-8-2 tanh, xavier, lr 0.5, batch 10", str(len(circle.epochs) - 1),
                 f"{circle.train_loss[0]:.4f} → {circle.train_loss[-1]:.4f}",
                 f"{100 * circle.test_accuracy[-1]:.1f}%", fmt_seconds(circle.seconds)])
    section.body += ["### Accuracy", ""]
    section.body += table(["run", "epochs", "training loss", "test accuracy", "time"], rows)
    met = None if tiny else accuracy["xavier"] >= _ACCURACY_TARGET
    section.targets.append(Target(
        "digits 64-50-10 sigmoid, xavier, lr 0.5, 20 epochs: test accuracy ≥ 90%",
        f"{100 * accuracy['xavier']:.1f}% (textbook std 0.01, lr 0.1: "
        f"{100 * accuracy['std']:.1f}%)", met,
        note="" if not tiny else "fewer epochs than the target's 20"))
    circle_met = None if tiny else bool(circle.test_accuracy.max() >= _ACCURACY_TARGET)
    section.targets.append(Target(
        "circle, 8 tanh units: test accuracy ≥ 90% within 50 epochs",
        f"{100 * circle.test_accuracy.max():.1f}% (best epoch), "
        f"{100 * circle.test_accuracy[-1]:.1f}% at the end", circle_met))

    # --- gradient check --------------------------------------------------------------
    check_rows = []
    worst = 0.0
    net = TwoLayerNet(64, 50, 10, "sigmoid")
    for init in ("xavier", "std"):
        check = check_gradients(net, net.init(init, seed=0), digits.X_train[:3],
                                digits.T_train[:3], h=1e-4)
        worst = max([worst, *(t.rel_error for t in check.tensors)])
        check_rows.append([init, *(f"{t.rel_error:.2g}" for t in check.tensors),
                           str(check.evaluations), fmt_seconds(check.backprop_seconds),
                           fmt_seconds(check.numerical_seconds),
                           f"{check.numerical_seconds / check.backprop_seconds:,.0f}×"])
    section.body += ["", "### Gradient check (digits, batch 3, h = 1e-4)", ""]
    section.body += table(["init", "W1", "b1", "W2", "b2", "loss evaluations", "backprop",
                           "numerical", "numerical / backprop"], check_rows)
    section.targets.append(Target(
        "gradient check on digits, batch 3, h = 1e-4: every tensor ≤ 1e-7 relative",
        f"largest relative error {worst:.2g}", worst <= _CHECK_TARGET))

    # --- epochs against the hand-written net (and torch) ------------------------------
    lr, batch, timed = 0.5, 100, 1 if tiny else 5
    params = net.init("xavier", seed=0)
    seeds = iter(range(1, 10**9))
    rng = np.random.default_rng(0)

    def ours() -> Any:
        return train(digits, hidden=50, activation="sigmoid", init="xavier", lr=lr,
                     batch_size=batch, epochs=timed, seed=next(seeds))

    def hand() -> Any:
        return _textbook_run(params, digits, lr, batch, timed, rng)

    names = {"ours": f"engine.network.train, {timed} epochs",
             "hand": f"hand-written TextbookNet, {timed} epochs",
             "torch": f"torch (CPU, 1 thread), {timed} epochs"}
    cases = {names["ours"]: Case(ours), names["hand"]: Case(hand)}
    torch, why = _load_torch() if config.optional else (None, "torch turned off")
    if torch is not None:
        cases[names["torch"]] = Case(_torch_run(torch, digits, params, lr, batch, timed))
    samples = interleaved(cases, max(2 * config.rounds + 1, 5), 10 * config.target)
    ours_samples = samples[names["ours"]]
    r = ratio(ours_samples, samples[names["hand"]])
    section.body += ["", f"### Digits training, {timed} epoch{'s' if timed > 1 else ''} "
                         "(64-50-10 sigmoid, batch 100, lr 0.5)", ""]
    section.body += table(["variant", "median time", "per epoch", "engine / variant"], [
        [name, fmt_seconds(s.median), fmt_seconds(s.median / timed),
         fmt_ratio(ratio(ours_samples, s))] for name, s in samples.items()])
    hand_figures = _textbook_run(params, digits, lr, batch, timed, np.random.default_rng(0))
    ours_result = ours()
    section.body += ["", f"Sanity: after {timed} epoch{'s' if timed > 1 else ''} the "
                         f"hand-written net has training loss {hand_figures[0]:.4f} and test "
                         f"accuracy {100 * hand_figures[2]:.1f}%; the engine "
                         f"{ours_result.train_loss[-1]:.4f} and "
                         f"{100 * ours_result.test_accuracy[-1]:.1f}% (other shuffles)."]
    section.notes.append(
        "Each case does what `train(epochs=...)` does: fresh parameters, the figures before "
        "training (training loss, train and test accuracy), then per epoch a seeded "
        "shuffle, 15 mini-batch steps of plain gradient descent and the figures again. The "
        "hand-written net does the same work (loss and train accuracy from one forward "
        "pass, as the engine does).")
    if torch is None:
        section.notes.append(f"torch peer skipped: {why}.")
    else:
        section.notes.append(f"torch {torch.__version__}: float64 tensors, autograd, "
                             "torch.optim.SGD, `torch.set_num_threads(1)`; numpy (engine and "
                             "hand-written net) uses its BLAS's own threads.")
    section.profiles["epoch"] = (f"`engine.network.train(digits, hidden=50, epochs={timed})`",
                                 ours)
    section.targets.append(Target(
        f"digits epochs: ≤ {_EPOCH_TARGET}× a hand-written numpy TwoLayerNet doing the same",
        fmt_ratio(r), r.median <= _EPOCH_TARGET, profile="epoch"))
    return section
