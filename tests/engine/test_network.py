"""The two-layer network, its data, gradient checks and training (engine.network)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import engine
from engine import DeadlineExceeded, ExpressionError
from engine.network import (
    ACTIVATIONS,
    DATASETS,
    INITS,
    PARAMETERS,
    TwoLayerNet,
    check_gradients,
    iteration_count,
    load_dataset,
    train,
)

PLANAR = [name for name, row in DATASETS.items() if row.generate is not None]


# ------------------------------------------------------------------------------ data


@pytest.mark.parametrize("name", PLANAR)
def test_planar_sets_have_the_asked_shape_and_two_balanced_classes(name):
    data = load_dataset(name, samples=301, noise=0.05, test_fraction=0.25, seed=4)
    assert data.X_train.shape == (226, 2) and data.X_test.shape == (75, 2)
    assert data.classes == 2 and data.planar and data.image_shape is None
    labels = np.concatenate([data.y_train, data.y_test])
    assert sorted(set(labels.tolist())) == [0, 1]
    assert abs(int(labels.sum()) - 150) <= 1
    assert np.all(np.abs(np.vstack([data.X_train, data.X_test])) < 2.0)
    assert data.T_train.shape == (226, 2) and np.all(data.T_train.sum(axis=1) == 1)


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_same_seed_gives_the_same_data_and_another_seed_another(name):
    a = load_dataset(name, seed=7)
    b = load_dataset(name, seed=7)
    c = load_dataset(name, seed=8)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_test, c.X_test)


def test_digits_are_the_1797_uci_images_scaled_to_unit_range():
    data = load_dataset("digits", seed=0)
    X = np.vstack([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    assert X.shape == (1797, 64) and data.classes == 10 and data.image_shape == (8, 8)
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.all(np.isclose(X * 16, np.round(X * 16)))  # pixels counted 0..16
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert data.X_test.shape == (359, 64)
    # samples and noise do not apply to digits
    assert np.array_equal(load_dataset("digits", samples=10, noise=3.0).X_test, data.X_test)


def test_noise_moves_points_but_not_labels():
    clean = load_dataset("xor", noise=0.0, seed=1)
    noisy = load_dataset("xor", noise=0.3, seed=1)
    assert np.array_equal(clean.y_train, noisy.y_train)
    assert not np.allclose(clean.X_train, noisy.X_train)
    assert np.all(clean.X_train[:, 0] * clean.X_train[:, 1] > 0) == bool(
        np.all(clean.y_train == 1))  # both classes present
    assert np.array_equal(clean.X_train[:, 0] * clean.X_train[:, 1] > 0, clean.y_train == 1)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "mnist"}, "dataset"),
    ({"name": "circle", "samples": 1}, "samples"),
    ({"name": "circle", "noise": -1.0}, "noise"),
    ({"name": "circle", "noise": math.nan}, "noise"),
    ({"name": "circle", "test_fraction": 0.0}, "test_fraction"),
    ({"name": "circle", "test_fraction": 1.0}, "test_fraction"),
    ({"name": "circle", "samples": 3, "test_fraction": 0.05}, "test_fraction"),
])
def test_bad_data_requests_name_their_field(kwargs, field):
    with pytest.raises(ExpressionError) as caught:
        load_dataset(**kwargs)
    assert caught.value.field == field


# ------------------------------------------------------------------------------ the net


def test_the_net_is_the_four_steps_of_the_table():
    net = TwoLayerNet(64, 50, 10, "relu")
    assert [s.op for s in net.program.steps] == ["affine", "relu", "affine",
                                                  "softmax_cross_entropy"]
    assert net.parameters == 64 * 50 + 50 + 50 * 10 + 10 == 3760
    assert list(net.shapes) == list(PARAMETERS)


@pytest.mark.parametrize("init", list(INITS))
def test_initialisations_draw_weights_with_their_spread(init):
    net = TwoLayerNet(400, 300, 10)
    params = net.init(init, seed=1, init_std=0.05)
    expected = {"std": 0.05, "xavier": math.sqrt(1 / 400), "he": math.sqrt(2 / 400)}[init]
    assert np.std(params["W1"]) == pytest.approx(expected, rel=0.02)
    assert np.all(params["b1"] == 0) and np.all(params["b2"] == 0)
    again = net.init(init, seed=1, init_std=0.05)
    assert all(np.array_equal(params[k], again[k]) for k in PARAMETERS)


def test_the_textbook_initialisation_starts_at_loss_ln_10():
    data = load_dataset("digits", seed=0)
    net = TwoLayerNet(64, 50, 10)
    loss = net.loss(net.init("std", seed=0), data.X_train, data.T_train)
    assert loss == pytest.approx(math.log(10), abs=2e-3)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("init", ["xavier", "std"])
def test_backpropagation_matches_the_numerical_gradient(activation, init):
    data = load_dataset("digits", seed=0)
    net = TwoLayerNet(64, 12, 10, activation)
    params = net.init(init, seed=2)
    check = check_gradients(net, params, data.X_train[:3], data.T_train[:3], h=1e-4)
    assert check.verdict == "pass", check.message
    assert [t.name for t in check.tensors] == list(PARAMETERS)
    assert [t.shape for t in check.tensors] == list(net.shapes.values())
    assert max(t.rel_error for t in check.tensors) < 1e-7
    assert check.evaluations == 2 * net.parameters
    assert check.numerical_seconds > check.backprop_seconds > 0


def test_a_wrong_gradient_fails_the_check():
    """A backpropagation that forgets a factor in W1 fails there and only there."""

    class Forgetful(TwoLayerNet):
        def gradients(self, params, X, T):
            loss, grads = super().gradients(params, X, T)
            return loss, {**grads, "W1": grads["W1"] * 1.01}

    data = load_dataset("digits", seed=0)
    net = Forgetful(64, 8, 10, "sigmoid")
    check = check_gradients(net, net.init("xavier", seed=0), data.X_train[:3],
                            data.T_train[:3])
    verdicts = {t.name: t.verdict for t in check.tensors}
    assert verdicts == {"W1": "fail", "b1": "pass", "W2": "pass", "b2": "pass"}
    assert check.verdict == "fail" and check.message.startswith("W1 is off")
    assert check.tensors[0].rel_error == pytest.approx(0.01 / 1.01, rel=1e-3)


def test_the_numerical_gradient_stops_at_the_deadline():
    data = load_dataset("digits", seed=0)
    net = TwoLayerNet(64, 50, 10)
    with pytest.raises(DeadlineExceeded):
        net.numerical_gradient(net.init(seed=0), data.X_train[:3], data.T_train[:3],
                               deadline=time.monotonic() - 1)


def test_unknown_choices_are_refused_with_the_choices():
    with pytest.raises(ExpressionError, match="unknown activation 'softsign'; choose one "
                       "of sigmoid, tanh, relu"):
        TwoLayerNet(2, 3, 2, "softsign")
    with pytest.raises(ExpressionError, match="unknown initialisation 'glorot'"):
        TwoLayerNet(2, 3, 2).init("glorot")
    with pytest.raises(ExpressionError) as caught:
        TwoLayerNet(2, 0, 2)
    assert caught.value.field == "hidden"


# ------------------------------------------------------------------------------ training


def test_training_is_deterministic_by_seed():
    data = load_dataset("moons", seed=3)
    kwargs = dict(hidden=6, activation="tanh", init="he", lr=0.2, batch_size=16, epochs=5)
    a, b = train(data, seed=3, **kwargs), train(data, seed=3, **kwargs)
    c = train(data, seed=4, **kwargs)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.test_accuracy, b.test_accuracy)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in PARAMETERS)
    assert not np.array_equal(a.loss, c.loss)


def test_the_record_of_a_run():
    data = load_dataset("circle", samples=100, seed=0)
    seen = []
    result = train(data, hidden=4, epochs=3, batch_size=30, lr=0.5, seed=0,
                   on_epoch=seen.append)
    assert result.status == "completed"
    assert result.epochs.tolist() == [0, 1, 2, 3] == [r.epoch for r in seen]
    assert result.iterations.tolist() == list(range(1, 10))  # 80 samples: 3 x 3 batches
    assert result.iterations_run == iteration_count(80, 30, 3) == 9
    assert np.concatenate([r.loss for r in seen]).tolist() == result.loss.tolist()
    assert seen[0].loss.size == 0
    assert result.train_loss.tolist() == [r.train_loss for r in seen]
    assert result.message.startswith("ran all 3 epochs (9 iterations)")
    assert "test accuracy" in result.message
    # the final snapshot: confusion of the test set, the boundary on a grid
    assert result.snapshot.confusion.sum() == 20
    assert np.trace(result.snapshot.confusion) == round(result.test_accuracy[-1] * 20)
    boundary = result.snapshot.boundary
    assert boundary is not None and boundary.p.shape == (50, 50)
    assert np.all((boundary.p >= 0) & (boundary.p <= 1))


def test_the_loss_curve_is_thinned_to_max_points_keeping_the_last():
    data = load_dataset("gauss", samples=200, seed=0)
    result = train(data, hidden=3, epochs=30, batch_size=4, max_points=101, seed=0)
    assert result.iterations_run == 30 * 40
    assert len(result.loss) <= 101
    assert result.iterations[0] == 1 and result.iterations[-1] == 1200
    assert np.all(np.diff(result.iterations) > 0)


def test_snapshots_come_every_few_epochs_and_at_the_end():
    data = load_dataset("digits", seed=0)
    seen = []
    train(data, hidden=5, epochs=7, snapshots=3, on_epoch=seen.append)
    assert [r.epoch for r in seen if r.snapshot is not None] == [0, 3, 6, 7]
    snapshot = seen[-1].snapshot
    assert snapshot.boundary is None and snapshot.confusion.shape == (10, 10)
    assert snapshot.test_predicted.shape == (359,)


@pytest.mark.parametrize("optimizer", list(engine.OPTIMIZERS))
def test_every_optimizer_of_the_table_trains_the_net(optimizer):
    data = load_dataset("gauss", seed=0)
    lr = 0.5 if optimizer in ("gd", "momentum", "nesterov", "adagrad") else 0.02
    result = train(data, hidden=4, activation="tanh", init="xavier", optimizer=optimizer,
                   lr=lr, batch_size=20, epochs=10, seed=0)
    assert result.status == "completed"
    assert result.train_loss[-1] < 0.5 * result.train_loss[0]
    assert result.test_accuracy[-1] >= 0.95


def test_optimizer_rules_are_the_tables_applied_to_each_array():
    """One epoch of one full batch with gd is exactly W - lr * dW from the start."""
    data = load_dataset("gauss", samples=50, seed=0)
    result = train(data, hidden=3, init="xavier", lr=0.3, batch_size=1000, epochs=1, seed=5)
    net = result.net
    from engine.network.data import random_stream

    start = net.init("xavier", seed=5)  # the weights train() starts from
    order = random_stream(5, "shuffle").permutation(40)
    _, grads = net.gradients(start, data.X_train[order], data.T_train[order])
    for name in PARAMETERS:
        np.testing.assert_allclose(result.params[name], start[name] - 0.3 * grads[name],
                                   rtol=1e-12, atol=1e-15)


def test_a_settings_value_of_the_optimizer_is_used_and_checked():
    data = load_dataset("gauss", samples=60, seed=0)
    a = train(data, hidden=3, optimizer="momentum", lr=0.1, batch_size=8, epochs=2, seed=0)
    b = train(data, hidden=3, optimizer="momentum", lr=0.1, batch_size=8, epochs=2, seed=0,
              settings={"momentum": 0.5})
    assert not np.array_equal(a.loss, b.loss)
    with pytest.raises(ExpressionError) as caught:
        train(data, hidden=3, optimizer="momentum", settings={"momentum": 1.5})
    assert caught.value.field == "momentum"
    with pytest.raises(ExpressionError) as caught:
        train(data, optimizer="lbfgs")
    assert caught.value.field == "optimizer"


@pytest.mark.parametrize(("lr", "factor", "cause"), [
    (1e200, None, "stopped being finite"),
    (1e3, 1e4, "grew past"),
])
def test_a_huge_learning_rate_diverges_with_a_message_and_finite_numbers(lr, factor, cause):
    data = load_dataset("digits", seed=0)
    seen = []
    result = train(data, hidden=20, activation="relu", init="he", lr=lr, batch_size=50,
                   epochs=5, seed=0, divergence_factor=factor, on_epoch=seen.append)
    assert result.status == "diverged"
    assert cause in result.message and f"lr {lr:g}" in result.message
    assert np.all(np.isfinite(result.loss)) and len(result.loss) >= 1
    assert np.all(np.isfinite(result.train_loss))
    assert all(np.all(np.isfinite(result.params[k])) for k in PARAMETERS)
    assert len(result.epochs) == len(seen) < 6
    assert result.iterations[-1] == result.iterations_run


def test_without_a_divergence_factor_only_a_non_finite_loss_stops_a_run():
    data = load_dataset("digits", seed=0)
    result = train(data, hidden=20, activation="relu", init="he", lr=1e3, batch_size=50,
                   epochs=2, seed=0, divergence_factor=None)
    assert result.status == "completed" and result.loss.max() > 100


def test_training_stops_at_the_deadline():
    data = load_dataset("circle", seed=0)
    with pytest.raises(DeadlineExceeded) as caught:
        train(data, epochs=5, deadline=time.monotonic() - 1)
    assert caught.value.field == "epochs"


def test_a_callback_that_raises_stops_the_run():
    class Gone(Exception):
        pass

    def on_epoch(record):
        if record.epoch == 2:
            raise Gone

    with pytest.raises(Gone):
        train(load_dataset("circle", seed=0), epochs=10, on_epoch=on_epoch)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"lr": 0.0}, "lr"), ({"lr": math.inf}, "lr"), ({"batch_size": 0}, "batch_size"),
    ({"epochs": -1}, "epochs"), ({"init": "zeros"}, "init"),
    ({"activation": "gelu"}, "activation"), ({"init_std": 0.0}, "init_std"),
    ({"hidden": 0}, "hidden"),
])
def test_bad_training_arguments_name_their_field(kwargs, field):
    with pytest.raises(ExpressionError) as caught:
        train(load_dataset("circle", samples=20, seed=0), **kwargs)
    assert caught.value.field == field


def test_zero_epochs_reports_the_untrained_net():
    result = train(load_dataset("xor", seed=0), epochs=0)
    assert result.status == "completed" and result.epochs.tolist() == [0]
    assert result.loss.size == 0 and result.iterations_run == 0


def test_the_textbook_init_learns_slowly_and_xavier_learns_digits():
    data = load_dataset("digits", seed=0)
    fast = train(data, hidden=50, init="xavier", lr=0.5, batch_size=100, epochs=20)
    slow = train(data, hidden=50, init="std", lr=0.1, batch_size=100, epochs=20)
    assert fast.test_accuracy[-1] >= 0.9
    assert slow.train_loss[0] == pytest.approx(math.log(10), abs=2e-3)
    assert slow.test_accuracy[-1] < 0.5


def test_circle_with_eight_tanh_units_reaches_ninety_percent_in_fifty_epochs():
    result = train(load_dataset("circle", seed=0), hidden=8, activation="tanh",
                   init="xavier", lr=0.5, batch_size=10, epochs=50, seed=0)
    assert result.test_accuracy.max() >= 0.9


def test_an_initial_loss_that_is_not_finite_is_reported_not_trained():
    data = load_dataset("digits", seed=0)
    result = train(data, hidden=4, activation="relu", init="std", init_std=1e200, epochs=3)
    assert result.status == "diverged" and "untrained" in result.message
    assert "lr" not in result.message
    assert result.epochs.tolist() == [0] and result.iterations_run == 0
