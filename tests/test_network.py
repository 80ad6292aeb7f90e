"""acts.network and acts.data: hand-written gradients against finite differences, initialisation statistics,
determinism, the vanishing-gradient facts of issue 4 (a)-(d), training, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import acts
from acts import data
from acts.network import (
    MLP,
    History,
    Sweep,
    clearly_different,
    gradient_norms,
    init_weights,
    layer_norm,
    layer_norm_backward,
    loss_and_gradient,
    mean_sd,
    probe,
    sweep,
    train,
    train_until,
)


def _numerical_weight_gradients(net, X, target, loss, h=1e-6):
    grads = []
    for w in net.weights + net.biases:
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + h
            plus = net.loss(X, target, loss)
            w[idx] = old - h
            minus = net.loss(X, target, loss)
            w[idx] = old
            g[idx] = (plus - minus) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("name", sorted(acts.ACTIVATIONS))
def test_weight_and_bias_gradients_match_finite_differences(name, loss):
    rng = np.random.default_rng(3)
    net = MLP([3, 5, 4, 2], name, init="xavier", seed=1, bias=0.1)
    X = rng.standard_normal((7, 3))
    target = rng.integers(0, 2, 7) if loss == "cross_entropy" else rng.standard_normal((7, 2))
    net.gradients(X, target, loss)
    numeric = _numerical_weight_gradients(net, X, target, loss)
    analytic = net.grad_weights + net.grad_biases
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a, n, atol=1e-7, rtol=1e-5)


@pytest.mark.parametrize("residual, norm", [(True, None), (False, "layer"), (True, "layer")])
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "leaky_relu"])
def test_residual_and_layer_norm_gradients_match_finite_differences(name, residual, norm):
    rng = np.random.default_rng(5)
    net = MLP([4, 4, 4, 3, 2], name, init="xavier", seed=2, bias=0.1, residual=residual, norm=norm)
    X = rng.standard_normal((6, 4))
    target = rng.integers(0, 2, 6)
    net.gradients(X, target, "cross_entropy")
    numeric = _numerical_weight_gradients(net, X, target, "cross_entropy")
    for a, n in zip(net.grad_weights + net.grad_biases, numeric):
        np.testing.assert_allclose(a, n, atol=1e-7, rtol=1e-5)


def test_layer_norm_backward_is_the_vector_jacobian_product_of_the_whole_layer():
    # directional derivative of the whole row map Z -> U, against central differences, for random directions
    rng = np.random.default_rng(0)
    z, grad_u = rng.standard_normal((5, 7)) * 3 + 1, rng.standard_normal((5, 7))
    u, inverse_sd = layer_norm(z)
    np.testing.assert_allclose(u.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(u.var(axis=1), 1, rtol=1e-4)  # 1 up to eps / var
    grad_z = layer_norm_backward(grad_u, u, inverse_sd)
    for _ in range(5):
        direction = rng.standard_normal(z.shape)
        h = 1e-6
        change = (layer_norm(z + h * direction)[0] - layer_norm(z - h * direction)[0]) / (2 * h)
        assert np.sum(grad_u * change) == pytest.approx(np.sum(grad_z * direction), rel=1e-6)


def test_shortcuts_only_where_widths_agree_and_defaults_unchanged():
    net = MLP([3, 5, 5, 4, 4, 2], "relu", residual=True)
    assert net._shortcut == [False, True, False, True]
    X = np.random.default_rng(1).standard_normal((4, 3))
    net.forward(X)
    np.testing.assert_allclose(net.activations[1], acts.relu(net.preactivations[1]) + net.activations[0])
    plain = MLP([3, 5, 5, 4, 4, 2], "relu")  # same weights, no options: the textbook layer
    plain.forward(X)
    np.testing.assert_array_equal(plain.activations[1], acts.relu(plain.preactivations[1]))
    assert "residual=True" in repr(net) and "norm" not in repr(plain)


@pytest.mark.parametrize("name, residual, norm", [("tanh", True, None), ("tanh", False, "layer"),
                                                  ("tanh", True, "layer"), ("sigmoid", True, None)])
def test_residual_or_layer_norm_keep_a_deep_gradient_within_a_small_factor(name, residual, norm):
    plain = gradient_norms(name, depth=50, init="standard")
    fixed = gradient_norms(name, depth=50, init="standard", residual=residual, norm=norm)
    assert plain.max() / plain.min() > 1e10  # 50 layers vanish without the fix ...
    assert fixed.max() / fixed.min() < 100  # ... and stay within a factor of 100 with it


def test_layer_norm_alone_does_not_rescue_sigmoid():
    # normalising Z does not remove sigmoid's mean of 1/2 and slope of 1/4
    values = gradient_norms("sigmoid", depth=50, init="standard", norm="layer")
    assert values[0] / values[-1] < 1e-10


def test_preactivation_gradients_match_finite_differences():
    # dL/dZ_l, checked by nudging Z_l itself: rerun the layers above l from a perturbed Z_l
    rng = np.random.default_rng(0)
    net = MLP([4, 6, 6, 1], "tanh", init="standard", seed=2)
    X = rng.standard_normal((5, 4))
    target = rng.standard_normal((5, 1))
    net.gradients(X, target, "mse")

    def loss_from(layer, z):
        a = net.activation(z)
        for w, b in zip(net.weights[layer + 1:-1], net.biases[layer + 1:-1]):
            a = net.activation(a @ w + b)
        return loss_and_gradient(a @ net.weights[-1] + net.biases[-1], target, "mse")[0]

    for layer in range(net.depth):
        z0 = net.preactivations[layer].copy()
        numeric = np.zeros_like(z0)
        for idx in np.ndindex(z0.shape):
            z = z0.copy()
            z[idx] += 1e-6
            plus = loss_from(layer, z)
            z[idx] -= 2e-6
            numeric[idx] = (plus - loss_from(layer, z)) / 2e-6
        np.testing.assert_allclose(net.grad_preactivations[layer], numeric, atol=1e-8, rtol=1e-5)


def test_forward_records_every_layer_with_the_right_shapes():
    net = MLP([2, 8, 8, 8, 3], "relu", seed=0)
    X = np.ones((11, 2))
    out = net.forward(X)
    assert out.shape == (11, 3) and net.depth == 3
    assert [z.shape for z in net.preactivations] == [(11, 8)] * 3
    np.testing.assert_array_equal(net.activations[0], np.maximum(net.preactivations[0], 0))
    net.backward(np.ones_like(out))
    assert [g.shape for g in net.grad_weights] == [(2, 8), (8, 8), (8, 8), (8, 3)]
    assert [g.shape for g in net.grad_biases] == [(8,), (8,), (8,), (3,)]
    assert [g.shape for g in net.grad_preactivations] == [(11, 8)] * 3


def test_activation_parameters_reach_forward_and_backward():
    net = MLP([1, 1, 1], "leaky_relu", params={"alpha": 0.2}, seed=0)
    net.weights[0][:] = 1.0
    net.forward(np.array([[-2.0]]))
    assert net.activations[0][0, 0] == pytest.approx(-0.4)
    net.backward(np.array([[1.0]]))
    assert net.grad_preactivations[0][0, 0] == pytest.approx(0.2 * net.weights[1][0, 0])


@pytest.mark.parametrize("init, variance", [("standard", lambda n_in, n_out: 1 / (3 * n_in)),
                                            ("xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
                                            ("he", lambda n_in, n_out: 2 / n_in)])
def test_initialisations_have_their_variance(init, variance):
    w = init_weights(400, 300, init, rng=0)
    assert w.shape == (400, 300)
    assert np.var(w) == pytest.approx(variance(400, 300), rel=0.02)
    assert abs(np.mean(w)) < 0.01 * np.sqrt(variance(400, 300)) * 10
    np.testing.assert_allclose(init_weights(400, 300, init, scale=3.0, rng=0), 3 * w)


def test_uniform_initialisations_stay_inside_their_limits():
    assert np.max(np.abs(init_weights(100, 50, "standard", rng=1))) <= 1 / np.sqrt(100)
    assert np.max(np.abs(init_weights(100, 50, "xavier", rng=1))) <= np.sqrt(6 / 150)


@pytest.mark.parametrize("wrt", ["preactivations", "weights"])
def test_gradient_norms_is_deterministic_and_one_per_layer(wrt):
    a = gradient_norms("tanh", depth=7, width=10, batch=16, seed=5, wrt=wrt)
    b = gradient_norms("tanh", depth=7, width=10, batch=16, seed=5, wrt=wrt)
    c = gradient_norms("tanh", depth=7, width=10, batch=16, seed=6, wrt=wrt)
    assert a.shape == (7,) and np.all(a > 0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_gradient_norms_are_the_norms_of_the_probe_gradients():
    net = probe("sigmoid", depth=4, width=6, batch=9, seed=2)
    assert net.input.shape == (9, 6) and net.sizes == [6, 6, 6, 6, 6, 1]
    assert all(np.all(b == 0) for b in net.biases)
    np.testing.assert_allclose(gradient_norms("sigmoid", depth=4, width=6, batch=9, seed=2),
                               [np.linalg.norm(g) for g in net.grad_preactivations])
    np.testing.assert_allclose(gradient_norms("sigmoid", depth=4, width=6, batch=9, seed=2, wrt="weights"),
                               [np.linalg.norm(g) for g in net.grad_weights[:-1]])


def test_scale_multiplies_the_hidden_weights():
    plain = probe("relu", depth=3, width=5, batch=4, seed=0, init="he")
    scaled = probe("relu", depth=3, width=5, batch=4, seed=0, init="he", scale=2.0)
    for w1, w2 in zip(plain.weights[:-1], scaled.weights[:-1]):
        np.testing.assert_allclose(w2, 2 * w1)
    np.testing.assert_array_equal(plain.weights[-1], scaled.weights[-1])


def test_a_deeper_probe_extends_a_shallower_one_and_the_cache_stays_intact():
    short = probe("tanh", depth=3, width=8, batch=5, seed=7)
    deep = probe("tanh", depth=120, width=8, batch=5, seed=7)
    for w1, w2 in zip(short.weights[:-1], deep.weights[:3]):
        np.testing.assert_array_equal(w1, w2)
    np.testing.assert_array_equal(short.input, deep.input)
    short.weights[0][:] = 0.0  # the net owns its weights: changing them must not touch the cached draws
    again = probe("tanh", depth=3, width=8, batch=5, seed=7)
    np.testing.assert_array_equal(again.weights[1], short.weights[1])
    assert np.any(again.weights[0] != 0)


def test_mlp_accepts_given_weights_and_checks_their_shapes():
    given = [np.ones((2, 3)), np.ones((3, 1))]
    net = MLP([2, 3, 1], "relu", weights=given, scale=2.0)
    np.testing.assert_array_equal(net.weights[0], 2 * np.ones((2, 3)))
    np.testing.assert_array_equal(net.weights[1], np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape"):
        MLP([2, 3, 1], "relu", weights=[np.ones((2, 3)), np.ones((2, 1))])


# ---------------------------------------------------------------- the facts the lesson prints (issue 4)
@pytest.mark.parametrize("seed", [0, 1])
def test_a_sigmoid_and_tanh_with_standard_init_vanish(seed):
    sig = gradient_norms("sigmoid", depth=20, seed=seed)
    tan = gradient_norms("tanh", depth=50, seed=seed)
    assert sig[0] / sig[-1] < 1e-6
    assert tan[0] / tan[-1] < 1e-6


@pytest.mark.parametrize("seed", [0, 1])
def test_b_xavier_keeps_tanh_and_he_keeps_relu_flat(seed):
    tan = gradient_norms("tanh", init="xavier", seed=seed)
    rel = gradient_norms("relu", init="he", seed=seed)
    assert tan.max() / tan.min() < 100
    assert rel.max() / rel.min() < 10


@pytest.mark.parametrize("seed", [0, 1])
def test_c_relu_with_xavier_halves_the_variance_per_layer(seed):
    rel = gradient_norms("relu", init="xavier", seed=seed)
    ratio = rel[0] / rel[-1]
    assert 1e-11 < ratio < 1e-5
    assert abs(np.log2(ratio) - (-24.5)) < 2  # 49 steps of a factor 1/sqrt(2) each


@pytest.mark.parametrize("seed", [0, 1])
def test_d_weight_gradients_hide_the_vanishing_signal(seed):
    signal = gradient_norms("tanh", seed=seed)
    weights = gradient_norms("tanh", seed=seed, wrt="weights")
    assert weights.max() / weights.min() < 30
    assert signal[0] / signal[-1] < 1e-6


# ---------------------------------------------------------------- training
def test_training_reduces_the_loss_and_is_deterministic():
    X, y = data.xor(120, seed=1)
    runs = []
    for _ in range(2):
        net = MLP([2, 16, 16, 2], "tanh", init="xavier", seed=4)
        runs.append((net, train(net, X, y, steps=300, lr=0.02, optimizer="adam", record_every=100)))
    (net, hist), (_, hist2) = runs
    assert isinstance(hist, History) and len(hist.loss) == 300
    assert hist.steps == [0, 100, 200, 300] and len(hist.accuracy) == 4
    assert hist.loss[-1] < 0.5 * hist.loss[0]
    assert hist.accuracy[-1] > 0.9
    assert hist.loss == hist2.loss


def test_sgd_minibatches_train_too():
    X, y = data.moons(100, seed=0)
    net = MLP([2, 16, 2], "relu", seed=0)
    hist = train(net, X, y, steps=200, lr=0.1, optimizer="sgd", batch_size=20)
    assert np.mean(hist.loss[-20:]) < np.mean(hist.loss[:20])


def test_dead_first_layer_relu_units_stay_dead_but_leaky_ones_recover():
    # one hidden layer: its inputs are the data, so a unit off for every row gets no gradient and stays off
    X, y = data.spiral(300, seed=0)
    dead = {}
    for name in ("relu", "leaky_relu"):
        net = MLP([2, 100, 3], name, init="he", bias=-2.0, seed=0)
        hist = train(net, X, y, steps=600, lr=0.03, optimizer="adam", record_every=100, track_dead=True)
        dead[name] = np.array(hist.dead)[:, 0]
    assert dead["relu"][0] > 0.8
    assert np.all(np.diff(dead["relu"]) >= 0)
    assert dead["leaky_relu"][0] == dead["relu"][0]
    assert dead["leaky_relu"][-1] < 0.5 * dead["leaky_relu"][0]


def test_first_layer_units_stay_dead_under_sgd_but_a_deeper_unit_can_revive():
    # x in [0, 1] -> layer 1: relu(x), relu(-x - 5) (dead) -> layer 2: relu(a1), relu(a1 - 1.5) (dead) -> sum
    net = MLP([1, 2, 2, 1], "relu", seed=0)
    net.weights[0][:] = [[1.0, -1.0]]
    net.biases[0][:] = [0.0, -5.0]
    net.weights[1][:] = [[1.0, 1.0], [0.0, 0.0]]
    net.biases[1][:] = [0.0, -1.5]
    net.weights[2][:] = [[1.0], [1.0]]
    X = np.linspace(0, 1, 11)[:, None]
    assert [mask.tolist() for mask in net.dead_units(X)] == [[False, True], [False, True]]
    frozen = net.weights[0][0, 1], net.biases[0][1]
    # plain SGD (no momentum) towards 8x: the live path's weights grow, which lifts layer 2's dead unit
    hist = train(net, X, 8 * X, steps=60, lr=0.01, optimizer="sgd", loss="mse", record_every=1, track_dead=True)
    assert (net.weights[0][0, 1], net.biases[0][1]) == frozen  # the dead first-layer unit never moved
    assert all(units[0][1] for units in hist.dead_units)
    layer2_unit2_dead = [units[1][1] for units in hist.dead_units]
    assert layer2_unit2_dead[0] and not layer2_unit2_dead[-1]  # dead at step 0, alive at the end


def test_dead_fraction_counts_units_off_for_every_input():
    net = MLP([1, 3, 1], "relu", seed=0)
    net.weights[0][:] = [[1.0, -1.0, 0.0]]
    net.biases[0][:] = [0.0, 0.0, -1.0]
    X = np.array([[1.0], [2.0]])
    np.testing.assert_allclose(net.dead_fraction(X), [2 / 3])  # unit 2 (-x) and unit 3 (-1) are off everywhere


def test_train_leaves_the_net_on_a_flat_parameter_vector_with_the_same_update():
    # the flat-vector Adam update must match the textbook per-array formula exactly
    X, y = data.moons(60, seed=2)
    net = MLP([2, 5, 2], "tanh", init="xavier", seed=3)
    reference = [p.copy() for p in net.weights + net.biases]
    m = [np.zeros_like(p) for p in reference]
    v = [np.zeros_like(p) for p in reference]
    copy = MLP([2, 5, 2], "tanh", init="xavier", seed=3)
    for step in range(1, 4):
        copy.weights[:], copy.biases[:] = reference[:2], reference[2:]
        copy.gradients(X, y, "cross_entropy")
        for i, g in enumerate(copy.grad_weights + copy.grad_biases):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            reference[i] = reference[i] - 0.05 * (m[i] / (1 - 0.9**step)) / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
    train(net, X, y, steps=3, lr=0.05, optimizer="adam")
    for a, b in zip(net.weights + net.biases, reference):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert net.weights[0].base is net.biases[0].base  # views into one vector


def test_clip_norm_bounds_every_sgd_step():
    X, y = data.moons(80, seed=1)
    net = MLP([2, 8, 2], "relu", seed=0, scale=5.0)  # large weights: large gradients
    before = np.concatenate([p.ravel() for p in net.weights + net.biases])
    net.gradients(X, y, "cross_entropy")
    length = np.linalg.norm(np.concatenate([g.ravel() for g in net.grad_weights + net.grad_biases]))
    assert length > 0.5
    train(net, X, y, steps=1, lr=1.0, optimizer="sgd", clip_norm=0.5)
    after = np.concatenate([p.ravel() for p in net.weights + net.biases])
    assert np.linalg.norm(after - before) == pytest.approx(0.5)  # lr 1 x a gradient clipped to length 0.5
    unclipped = MLP([2, 8, 2], "relu", seed=0, scale=5.0)
    train(unclipped, X, y, steps=1, lr=1.0, optimizer="sgd", clip_norm=10 * length)  # too long to bite
    again = np.concatenate([p.ravel() for p in unclipped.weights + unclipped.biases])
    assert np.linalg.norm(again - before) == pytest.approx(length)


def test_history_steps_to_counts_updates_before_the_loss_fell_below():
    hist = History(loss=[1.0, 0.5, 0.2, 0.05, 0.01])
    assert hist.steps_to(0.1) == 3
    assert hist.steps_to(2.0) == 0
    assert hist.steps_to(0.001) is None


def test_train_until_stops_at_the_target_and_agrees_with_a_full_run():
    X, y = data.moons(100, seed=0)
    full = train(MLP([2, 16, 2], "relu", seed=1), X, y, steps=300, lr=0.03, record_every=300)
    expected = full.steps_to(0.2)
    assert expected is not None and 0 < expected < 300
    net = MLP([2, 16, 2], "relu", seed=1)
    assert train_until(net, X, y, 0.2, max_steps=300, lr=0.03) == expected
    assert net.loss(X, y, "cross_entropy") < 0.2  # it stopped without a further update
    assert train_until(MLP([2, 16, 2], "relu", seed=1), X, y, 1e-9, max_steps=5, lr=0.03) is None


def test_shift_subtracts_from_hidden_activations_and_keeps_gradients_exact():
    net = MLP([3, 4, 2], "sigmoid", init="xavier", seed=0, shift=0.5)
    X = np.random.default_rng(0).standard_normal((6, 3))
    net.forward(X)
    np.testing.assert_allclose(net.activations[0], acts.sigmoid(net.preactivations[0]) - 0.5)
    target = np.array([0, 1, 1, 0, 1, 0])
    net.gradients(X, target, "cross_entropy")
    numeric = _numerical_weight_gradients(net, X, target, "cross_entropy")
    for a, n in zip(net.grad_weights + net.grad_biases, numeric):
        np.testing.assert_allclose(a, n, atol=1e-8, rtol=1e-5)
    # tanh(x) = 2 sigma(2x) - 1: a tanh net equals a sigmoid - 1/2 net with rescaled weights
    tanh_net = MLP([3, 4, 2], "tanh", seed=0)
    shifted = MLP([3, 4, 2], "sigmoid", shift=0.5, weights=[2 * tanh_net.weights[0], 2 * tanh_net.weights[1]])
    np.testing.assert_allclose(shifted.forward(X), tanh_net.forward(X), atol=1e-12)


def test_sweep_shapes_choices_and_determinism():
    X, y = data.moons(120, seed=0)
    X_train, y_train, X_val, y_val = data.split(X, y, seed=0)
    make = lambda seed: MLP([2, 8, 2], "tanh", init="xavier", seed=seed)  # noqa: E731
    result = sweep(make, X_train, y_train, X_val, y_val, rates=(0.001, 0.05), seeds=range(3), steps=60, target=0.3)
    again = sweep(make, X_train, y_train, X_val, y_val, rates=(0.001, 0.05), seeds=range(3), steps=60, target=0.3)
    assert isinstance(result, Sweep) and result.val_accuracy.shape == (2, 3) == result.steps_to_target.shape
    np.testing.assert_array_equal(result.val_accuracy, again.val_accuracy)
    assert len(result.nets) == 6 and result.losses[1, 2].shape == (60,)
    assert np.all(np.isnan(result.steps_to_target[0]))  # a tiny rate does not get there in 60 steps
    assert result.best_rate_index() == 1 and result.fastest_rate_index() == 1
    for j in range(3):  # the table holds what the nets and their curves say
        assert result.val_accuracy[1, j] == np.mean(result.nets[1, j].predict(X_val) == y_val)
        assert result.steps_to_target[1, j] == History(loss=list(result.losses[1, j])).steps_to(0.3)
    np.testing.assert_array_equal(result.accuracy_on(X_val, y_val), result.val_accuracy[1])


@pytest.mark.parametrize("config, options", [
    (dict(activation="sigmoid", init="xavier", shift=0.5), {}),
    (dict(activation="tanh", init="xavier", residual=True, norm="layer"), {"optimizer": "sgd"}),
    (dict(activation="relu", init="he", bias=0.1), {"clip_norm": 0.5}),
    (dict(activation="leaky_relu", init="he", params={"alpha": 0.2}), {"loss": "cross_entropy"}),
])
def test_sweep_trains_its_runs_as_one_stack_with_exactly_the_numbers_of_one_by_one(config, options):
    """MLP.stack: every net of the stack gets bit for bit the losses and weights it gets when trained alone."""
    X, y = data.spiral(90, seed=0)
    make = lambda seed: MLP([2, 8, 8, 3], seed=seed, **config)  # noqa: E731
    rates, seeds = (0.01, 0.1), range(3)
    result = sweep(make, X, y, X, y, rates=rates, seeds=seeds, steps=25, **options)
    for i, rate in enumerate(rates):
        for j in seeds:
            alone = make(j)
            history = train(alone, X, y, steps=25, lr=rate, record_every=None, **options)
            np.testing.assert_array_equal(result.losses[i, j], history.loss)
            for stacked, single in zip(result.nets[i, j].weights + result.nets[i, j].biases,
                                       alone.weights + alone.biases):
                np.testing.assert_array_equal(stacked, single)


def test_a_stack_with_the_mse_loss_matches_its_nets_too():
    rng = np.random.default_rng(0)
    X, T = rng.standard_normal((40, 3)), rng.standard_normal((40, 2))
    rates = [0.01, 0.02, 0.05]
    stack = MLP.stack([MLP([3, 6, 2], "tanh", seed=s) for s in range(3)])
    assert stack.stacked == 3 and stack.weights[0].shape == (3, 3, 6) and stack.biases[0].shape == (3, 1, 6)
    losses = np.array(train(stack, X, T, steps=20, lr=rates, loss="mse", record_every=None).loss)
    for k, rate in enumerate(rates):
        alone = MLP([3, 6, 2], "tanh", seed=k)
        np.testing.assert_array_equal(losses[:, k], train(alone, X, T, steps=20, lr=rate, loss="mse",
                                                          record_every=None).loss)
    nets = [MLP([3, 6, 2], "tanh", seed=9) for _ in range(3)]
    stack.write_back(nets)
    np.testing.assert_array_equal(nets[2].weights[1], stack.weights[1][2])


def test_sweep_with_options_a_stack_cannot_take_trains_one_by_one():
    X, y = data.moons(60, seed=0)
    make = lambda seed: MLP([2, 6, 2], "relu", seed=seed)  # noqa: E731
    result = sweep(make, X, y, X, y, rates=(0.05,), seeds=range(2), steps=10, batch_size=16, seed=3)
    for j in range(2):
        alone = make(j)
        expected = train(alone, X, y, steps=10, lr=0.05, batch_size=16, seed=3, record_every=None).loss
        np.testing.assert_array_equal(result.losses[0, j], expected)


def test_mean_sd_and_clearly_different():
    assert mean_sd([1.0, 2.0, 3.0]) == "2.00 ± 1.00"
    assert mean_sd([10, np.nan, 30], ".0f") == "20 ± 14"
    assert mean_sd([np.nan]) == "-"
    assert clearly_different([1.0, 1.1, 0.9, 1.0, 1.05], [2.0, 2.1, 1.9, 2.0, 2.05])
    assert not clearly_different([1.0, 2.0, 0.0, 1.5, 0.5], [1.2, 2.2, 0.2, 1.7, 0.7])
    assert clearly_different([0.99] * 5, [0.995] * 5)  # no spread at all: any gap counts ...
    assert not clearly_different([0.99] * 5, [0.995] * 5, at_least=0.01)  # ... unless it is too small to matter
    with pytest.raises(ValueError, match="at least two"):
        clearly_different([1.0], [1.0, 2.0])


# ---------------------------------------------------------------- data
@pytest.mark.parametrize("name", ["moons", "spiral", "xor"])
def test_datasets_are_seeded_shaped_and_balanced(name):
    X, y = data.load(name, n=150, seed=3)
    X2, y2 = data.load(name, n=150, seed=3)
    X3, _ = data.load(name, n=150, seed=4)
    assert X.shape == (150, 2) and y.shape == (150,) and y.dtype.kind == "i"
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, X3)
    counts = np.bincount(y)
    assert counts.min() >= 0.8 * counts.max()
    assert np.all(np.abs(X.mean(axis=0)) < 0.5) and np.all(np.abs(X) < 3)


def test_xor_labels_follow_the_sign_rule_without_noise():
    X, y = data.xor(200, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_split_is_stratified_disjoint_and_complete():
    X, y = data.spiral(90, classes=3, seed=0)
    X_train, y_train, X_val, y_val = data.split(X, y, validation=0.2, seed=1)
    assert len(y_val) == 18 and len(y_train) == 72
    np.testing.assert_array_equal(np.bincount(y_val), [6, 6, 6])
    rows = {tuple(row) for row in X_train} | {tuple(row) for row in X_val}
    assert len(rows) == 90 and rows == {tuple(row) for row in X}
    again = data.split(X, y, validation=0.2, seed=1)
    np.testing.assert_array_equal(again[2], X_val)


def test_spiral_has_the_requested_classes():
    _, y = data.spiral(99, classes=3, seed=0)
    assert set(y) == {0, 1, 2}


def test_record_every_none_keeps_only_the_losses_and_trains_the_same():
    X, y = data.moons(40, seed=0)
    recorded = train(MLP([2, 8, 2], "tanh", seed=0), X, y, steps=30, lr=0.05, record_every=10)
    quiet_net = MLP([2, 8, 2], "tanh", seed=0)
    quiet = train(quiet_net, X, y, steps=30, lr=0.05, record_every=None)
    assert quiet.steps == [] and quiet.accuracy == [] and len(quiet.loss) == 30
    np.testing.assert_array_equal(quiet.loss, recorded.loss)
    stopped = train(MLP([2, 8, 2], "tanh", seed=0), X, y, steps=30, lr=0.05, record_every=None,
                    stop_below=recorded.loss[5])
    assert stopped.steps == [] and len(stopped.loss) == recorded.steps_to(recorded.loss[5]) + 1


def test_mlp_passes_match_the_public_activation_calls():
    """The net calls the activation's kernels directly (no per-call checks); the numbers must not change."""
    net = MLP([3, 5, 5, 2], "leaky_relu", params={"alpha": 0.2}, seed=0)
    X = np.random.default_rng(0).standard_normal((7, 3))
    net.forward(X)
    z = net.preactivations[0]
    np.testing.assert_array_equal(net.activations[0], acts.leaky_relu(z, alpha=0.2))
    net.backward(np.ones((7, 2)))
    da = np.ones((7, 2)) @ net.weights[-1].T
    np.testing.assert_array_equal(net.grad_preactivations[-1],
                                  da * acts.leaky_relu.derivative(net.preactivations[-1], alpha=0.2))


# ---------------------------------------------------------------- float32 with rescaled gradients
@pytest.mark.parametrize("name, residual, norm", [("sigmoid", False, None), ("tanh", True, None),
                                                  ("relu", True, "layer"), ("gelu", False, "layer")])
def test_float32_with_rescaling_gives_the_float64_gradients(name, residual, norm):
    """backward(rescale=True) multiplies each layer's gradient by a power of two and records it; undone, the
    float32 norms are the float64 ones to float32 precision, deep below float32's range (1e-38) included."""
    kwargs = dict(depth=80, width=24, batch=16, init="standard", residual=residual, norm=norm)
    net = probe(name, dtype=np.float32, **kwargs)
    assert net.dtype == np.float32 and all(g.dtype == np.float32 for g in net.grad_preactivations)
    for wrt in ("preactivations", "weights"):
        # float32 rounding accumulates over 80 layers: measured up to 1.4e-5 (GELU with layer norm)
        np.testing.assert_allclose(net.true_norms(wrt), gradient_norms(name, wrt=wrt, **kwargs), rtol=1e-4)
    if name == "sigmoid":
        assert gradient_norms(name, **kwargs)[0] < 1e-45 and net.grad_exponents[0] > 100
        with np.errstate(under="ignore"):  # the same float32 pass without rescaling loses the deep layers
            plain = MLP([24] * 81 + [1], name, init="standard", dtype=np.float32, seed=0)
            plain.gradients(np.ones((16, 24)), np.zeros((16, 1)))
        assert plain.true_norms()[0] == 0


def test_float64_backward_is_unscaled_by_default():
    net = probe("sigmoid", depth=20, width=10, batch=8)
    assert net.dtype == np.float64 and not net.grad_exponents.any()
    np.testing.assert_array_equal(net.true_norms(), [np.linalg.norm(g) for g in net.grad_preactivations])


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("call, message", [
    (lambda: MLP([2, 3, 1], "swish_typo"), "unknown activation 'swish_typo'"),
    (lambda: MLP([2, 3, 1], "tahn"), r"unknown activation 'tahn' \(did you mean 'tanh'\?\); valid names: .*relu"),
    (lambda: MLP([2, 3, 1], 3), "by its name"),
    (lambda: train(MLP([2, 3, 2]), np.ones((4, 2)), [0, 1, 0, 1], record_every=0), "record_every"),
    (lambda: MLP([2, 3, 1], "relu", init="glorot"), "unknown init 'glorot'"),
    (lambda: MLP([2], "relu"), "sizes"),
    (lambda: MLP([2, 3, 1], "leaky_relu", params={"beta": 1.0}), "unexpected parameter"),
    (lambda: gradient_norms("relu", wrt="biases"), "unknown wrt 'biases'"),
    (lambda: gradient_norms("relu", init="kaiming"), "unknown init 'kaiming'"),
    (lambda: MLP([2, 3, 1], "relu", norm="batch"), "unknown norm 'batch'"),
    (lambda: gradient_norms("relu", depth=0), "depth"),
    (lambda: gradient_norms("relu", seed=1.5), "seed must be an integer"),
    (lambda: MLP([2, 3, 1]).forward(np.ones((4, 3))), "shape"),
    (lambda: MLP([2, 3, 1]).backward(np.ones((4, 1))), "forward"),
    (lambda: train(MLP([2, 3, 2]), np.ones((4, 2)), [0, 1, 0, 1], optimizer="rmsprop"), "unknown optimizer"),
    (lambda: train(MLP([2, 3, 2]), np.ones((4, 2)), [0, 1, 0], steps=1), "same number of rows"),
    (lambda: train(MLP([2, 3, 2]), np.ones((4, 2)), [0, 1, 0, 1], lr=-1), "lr"),
    (lambda: train(MLP([2, 3, 2]), np.ones((4, 2)), [0, 1, 0, 1], clip_norm=0), "clip_norm"),
    (lambda: loss_and_gradient(np.ones((2, 2)), [0, 1], loss="hinge"), "unknown loss"),
    (lambda: data.load("iris"), "unknown data set 'iris'"),
    (lambda: data.moons(1), "n must be"),
    (lambda: data.spiral(10, classes=1), "classes"),
    (lambda: data.xor(10, noise=-1), "noise"),
    (lambda: data.split(np.ones((4, 2)), [0, 1, 0, 1], validation=1.5), "validation must be"),
    (lambda: data.split(np.ones((4, 2)), [0, 1, 0]), "same n"),
    (lambda: data.split(np.ones((3, 2)), [0, 0, 1], validation=0.5), "too few"),
    (lambda: MLP([2, 3, 1], "relu", shift=float("nan")), "shift"),
    (lambda: MLP([2, 3, 1], "relu", dtype=np.float16), "dtype must be float64 or float32"),
    (lambda: MLP.stack([MLP([2, 3, 1], "relu"), MLP([2, 4, 1], "relu")]), "same sizes"),
    (lambda: MLP.stack([]), "non-empty"),
    (lambda: MLP.stack([MLP.stack([MLP([2, 3, 1])])]), "ordinary MLPs"),
    (lambda: train(MLP.stack([MLP([2, 3, 2])] * 2), np.ones((4, 2)), [0, 1, 0, 1]), "record_every=None"),
    (lambda: train(MLP.stack([MLP([2, 3, 2])] * 2), np.ones((4, 2)), [0, 1, 0, 1], lr=[0.1, 0.2, 0.3],
                   record_every=None), "one per net"),
    (lambda: MLP.stack([MLP([2, 3, 2])] * 2).write_back([MLP([2, 3, 2])]), "holds 2 nets"),
    (lambda: train(MLP([2, 3, 2], dtype=np.float32), np.ones((4, 2)), [0, 1, 0, 1]), "train works in float64"),
    (lambda: sweep(lambda s: MLP([2, 3, 2]), np.ones((4, 2)), [0, 1, 0, 1], np.ones((2, 2)), [0, 1], rates=()),
     "at least one rate"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
        call()
