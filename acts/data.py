"""Toy 2-D classification data, made in code from a seed (no downloads).

    X, y = acts.data.moons(200, noise=0.1, seed=0)   # X: (200, 2) floats, y: (200,) integer labels 0/1

    X_train, y_train, X_val, y_val = acts.data.split(X, y, validation=0.25, seed=0)

Every maker returns X of shape (n, 2) and y of shape (n,) with labels 0, 1, ..., shuffled, roughly
centred at the origin with coordinates of order 1, and the same arrays for the same seed.
"""

from __future__ import annotations

import numpy as np


def _check(n, noise):
    if int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return int(n)


def _finish(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order].astype(int)


def moons(n=200, noise=0.1, seed=0):
    """Two interleaved half circles: (cos t, sin t) and (1 - cos t, 0.5 - sin t), t in [0, pi], plus noise;
    shifted so the pair is centred at the origin."""
    n = _check(n, noise)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n - n0)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) - [0.5, 0.25]
    X += noise * rng.standard_normal(X.shape)
    y = np.repeat([0, 1], [n0, n - n0])
    return _finish(X, y, rng)


def spiral(n=300, classes=3, noise=0.1, turns=1.0, seed=0):
    """``classes`` arms of a spiral: radius r in [0, 1], angle = 2 pi (turns r + k / classes) + noise."""
    n = _check(n, noise)
    if int(classes) != classes or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    classes = int(classes)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    r = rng.uniform(0.05, 1, n)
    angle = 2 * np.pi * (turns * r + y / classes) + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return _finish(X, y, rng)


def xor(n=200, noise=0.1, seed=0):
    """Points uniform in [-1, 1]^2 (plus noise), labelled 1 where x1 and x2 have different signs."""
    n = _check(n, noise)
    rng = np.random.default_rng(seed)
    clean = rng.uniform(-1, 1, (n, 2))
    y = (clean[:, 0] * clean[:, 1] < 0).astype(int)
    X = clean + noise * rng.standard_normal((n, 2))
    return _finish(X, y, rng)


def split(X, y, validation=0.25, seed=0):
    """(X_train, y_train, X_val, y_val): a random ``validation`` share of each class held out, the rest kept for
    training. Stratified, so both parts keep the class balance; row order within each part is shuffled.
    Choose hyper-parameters (a learning rate) on the validation part; report results on a separate test set."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, features) and y (n,), with the same n; got {X.shape} and {y.shape}")
    if not 0 < validation < 1:
        raise ValueError(f"validation must be a share between 0 and 1, got {validation!r}")
    rng = np.random.default_rng(seed)
    held_out = []
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        count = int(round(validation * len(rows)))
        if count == 0 or count == len(rows):
            raise ValueError(f"class {label} has {len(rows)} rows: too few to split off a share of {validation}")
        held_out.append(rows[:count])
    val = rng.permutation(np.concatenate(held_out))
    train = rng.permutation(np.setdiff1d(np.arange(len(y)), val))
    return X[train], y[train], X[val], y[val]


DATASETS = {"moons": moons, "spiral": spiral, "xor": xor}


def load(name, n=None, noise=0.1, seed=0):
    """A data set by name ("moons", "spiral", "xor"); ``n`` defaults to the maker's own."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    maker = DATASETS[name]
    return maker(noise=noise, seed=seed) if n is None else maker(n, noise=noise, seed=seed)
