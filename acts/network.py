"""A tiny multilayer perceptron in NumPy, with the forward and backward passes written out by hand.

    net = MLP([2, 32, 32, 2], activation="tanh", init="xavier", seed=0)
    history = train(net, X, y, steps=500, lr=0.01, optimizer="adam")
    history.steps_to(0.1)                      # updates until the training loss first fell below 0.1
    gradient_norms("sigmoid", depth=50)        # one norm per hidden layer, input side first
    table = sweep(lambda seed: MLP([2, 16, 2], "relu", seed=seed), X, y, X_val, y_val,
                  rates=(0.01, 0.03), seeds=range(5))   # learning rates x seeds, for fair comparisons

Shapes: a batch is a matrix of rows, X (batch, n_in); layer l computes Z = A_prev @ W + b (pre-activations)
and A = f(Z) (activations). The last layer is linear: its Z is the network's output (scores or a prediction).
After ``forward`` and ``backward`` the net keeps every layer's A, Z and gradients, so a lesson can look inside.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .activation import Activation

INITS = ("standard", "xavier", "he")
NORMS = (None, "layer")
LAYER_NORM_EPS = 1e-5
LOSSES = ("mse", "cross_entropy")
OPTIMIZERS = ("sgd", "adam")


def get_activation(activation) -> Activation:
    """An Activation object, from itself or from its name in the registry (its clear error otherwise)."""
    from . import registry  # late import: acts/__init__ builds the registry

    return registry.get(activation, caller="MLP")


def _check_choice(value, choices, what):
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(str(c) for c in choices)}")


def init_weights(n_in: int, n_out: int, init: str = "he", scale: float = 1.0, rng=None) -> np.ndarray:
    """A weight matrix of shape (n_in, n_out) drawn by a named scheme, times ``scale``.

    standard: U[-1/sqrt(n_in), 1/sqrt(n_in)]            variance 1/(3 n_in)  (Glorot & Bengio's "standard";
                                                                              PyTorch's nn.Linear default)
    xavier:   U[-sqrt(6/(n_in+n_out)), +sqrt(6/(n_in+n_out))]  variance 2/(n_in+n_out)  (Glorot & Bengio 2010)
    he:       N(0, 2/n_in)                                variance 2/n_in      (He et al. 2015, Kaiming normal)
    """
    _check_choice(init, INITS, "init")
    rng = np.random.default_rng(rng)
    if init == "standard":
        limit = 1 / np.sqrt(n_in)
        w = rng.uniform(-limit, limit, size=(n_in, n_out))
    elif init == "xavier":
        limit = np.sqrt(6 / (n_in + n_out))
        w = rng.uniform(-limit, limit, size=(n_in, n_out))
    else:
        w = rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))
    return w * scale


def layer_norm(z: np.ndarray):
    """(U, r): each row standardised over its units, U = (Z - mean) r with r = 1 / sqrt(var + eps)."""
    centred = z - z.mean(axis=-1, keepdims=True)
    inverse_sd = 1 / np.sqrt(np.mean(centred * centred, axis=-1, keepdims=True) + LAYER_NORM_EPS)
    return centred * inverse_sd, inverse_sd


def layer_norm_backward(grad_u: np.ndarray, u: np.ndarray, inverse_sd: np.ndarray) -> np.ndarray:
    """dL/dZ from dL/dU for U = layer_norm(Z), row by row (means over the units):
    dL/dZ = r (dL/dU - mean(dL/dU) - U mean(dL/dU * U)). The two means remove what normalising takes out of Z:
    a shift of the whole row, and a rescaling of it."""
    return inverse_sd * (grad_u - grad_u.mean(axis=-1, keepdims=True)
                         - u * np.mean(grad_u * u, axis=-1, keepdims=True))


def loss_and_gradient(output: np.ndarray, target: np.ndarray, loss: str = "mse"):
    """(mean loss over the batch, d loss / d output).

    mse:           L = mean_i sum_k (o_ik - t_ik)^2               dL/do = 2 (o - t) / N
    cross_entropy: L = -mean_i log softmax(o_i)[y_i]  (y labels)  dL/do = (softmax(o) - onehot(y)) / N

    ``output`` (N, k) for one net, or (nets, N, k) for a stack (``MLP.stack``): then the loss is one per net.
    """
    _check_choice(loss, LOSSES, "loss")
    n = output.shape[-2]
    if loss == "mse":
        diff = output - np.asarray(target, dtype=float).reshape(output.shape[-2:])
        value = np.sum(diff * diff, axis=(-2, -1)) / n
        return _one_or_many(value), 2 * diff / n
    labels = np.asarray(target).astype(int).ravel()
    shifted = output - output.max(axis=-1, keepdims=True)  # softmax(o) = softmax(o - max o): no overflow
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    chosen = labels[:, None] == np.arange(output.shape[-1])  # one-hot rows, (N, k)
    # log p of each row's label, picked out of its row (of every net's rows, for a stack)
    log_p_label = np.take_along_axis(log_p, np.broadcast_to(labels[:, None], log_p.shape[:-1] + (1,)), axis=-1)
    grad = np.exp(log_p)
    grad -= chosen  # minus 1 at each row's label, minus 0 elsewhere
    return _one_or_many(-np.mean(log_p_label[..., 0], axis=-1)), grad / n


def _one_or_many(value):
    """A float for one net, an array of one value per net for a stack."""
    return float(value) if np.ndim(value) == 0 else value


def _transpose(a):
    """A^T of a matrix, or of each matrix of a stack (the last two axes swapped)."""
    return np.swapaxes(a, -1, -2)


class MLP:
    """Fully connected layers ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``; every layer but the last is
    followed by ``activation``. ``init``/``scale`` draw the hidden layers' weights (``output_init`` and
    ``output_scale`` the last layer's, by default the same init and scale 1); hidden biases start at ``bias``.
    ``weights`` (optional): one matrix per layer to start from instead of drawing them (scales still apply).
    ``shift``: subtracted from every hidden activation, A = f(Z) - shift (same slope f'). ``"sigmoid"`` with
    ``shift=0.5`` is sigmoid - 1/2: centred like tanh (tanh(x) = 2 sigma(2x) - 1) but with sigmoid's slope 1/4 at 0,
    which separates the effect of centring from the effect of slope.

    Two ways deep networks are trained in practice, as options (off by default):
    ``norm="layer"``: layer normalisation without learned gain or bias (Ba et al. 2016): each row of Z is
    standardised over its units, U = (Z - mean) / sqrt(var + eps), and the activation gets U instead of Z.
    ``residual=True``: a hidden layer whose input and output widths agree adds its input to its output,
    A_l = A_{l-1} + f(...): the pre-activation form with a pure identity shortcut (He, Zhang, Ren & Sun 2016,
    "Identity mappings in deep residual networks"; the original ResNet applies a ReLU after the addition); the
    gradient then has a path around f.

    Recorded by ``forward(X)``: ``input``, ``preactivations[l]`` (Z), ``activations[l]`` (what layer l passes on:
    f(Z), or f(U), plus the shortcut) for each hidden layer l = 0..depth-1, and ``output``. By
    ``backward(grad_output)``: ``grad_preactivations[l]`` (dL/dZ), ``grad_activations[l]`` (dL/dA), and for every
    layer incl. the output ``grad_weights``, ``grad_biases``.

    ``dtype``: float64 (the default; what lessons and training use) or float32, which the vanishing-gradient lab's
    probe uses for speed (half the memory traffic, and NumPy's float32 exp is vectorised on every x86-64 CPU while
    its float64 exp is not without AVX-512). float32 covers only about 1e-38..3e38, so deep gradients underflow
    unless ``backward(..., rescale=True)`` keeps them in range (see ``grad_exponents``).
    """

    def __init__(self, sizes, activation="relu", init="he", scale=1.0, bias=0.0, seed=0,
                 params=None, output_init=None, output_scale=1.0, weights=None, shift=0.0, residual=False,
                 norm=None, dtype=np.float64):
        sizes = [int(s) for s in sizes]
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype}")
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output size, all >= 1; got {sizes}")
        self.activation = get_activation(activation)
        self.params = dict(params or {})
        # unknown parameter names fail here, not mid-training; the checked values are reused on every pass
        self._kwargs = self.activation._params(self.params)
        _check_choice(init, INITS, "init")
        output_init = init if output_init is None else output_init
        _check_choice(output_init, INITS, "init")
        self.sizes, self.init, self.scale = sizes, init, float(scale)
        self.shift = float(shift)
        if not np.isfinite(self.shift):
            raise ValueError(f"shift must be a finite number, got {shift!r}")
        _check_choice(norm, NORMS, "norm")
        self.norm, self.residual = norm, bool(residual)
        # the identity shortcut needs equal widths: hidden layer l (weights[l]) maps sizes[l] -> sizes[l + 1]
        self._shortcut = [self.residual and sizes[i] == sizes[i + 1] for i in range(len(sizes) - 2)]
        rng = np.random.default_rng(seed)
        self.weights, self.biases = [], []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            if weights is None:
                self.weights.append(init_weights(n_in, n_out, output_init if last else init,
                                                 output_scale if last else scale, rng).astype(self.dtype))
            else:
                given = np.asarray(weights[i], dtype=float)
                if given.shape != (n_in, n_out):
                    raise ValueError(f"weights[{i}] must have shape {(n_in, n_out)}, got {given.shape}")
                self.weights.append((given * (output_scale if last else scale)).astype(self.dtype))
            self.biases.append(np.full(n_out, 0.0 if last else float(bias), dtype=self.dtype))
        self.input = self.output = None
        self.preactivations, self.activations = [], []
        self.normalised, self._inverse_sd = [], []
        self.grad_preactivations, self.grad_activations, self.grad_weights, self.grad_biases = [], [], [], []
        self.grad_exponents = np.zeros(0, dtype=int)
        self.stacked = 0  # how many nets this object holds side by side (MLP.stack); 0 for one ordinary net

    def _config(self):
        return (self.sizes, self.activation, self.params, self.init, self.shift, self.residual, self.norm, self.dtype)

    @classmethod
    def stack(cls, nets) -> MLP:
        """Several nets of the same sizes and options held side by side in one MLP, to train them all at once.

        Weights become (nets, n_in, n_out) and biases (nets, 1, n_out); ``forward(X)`` runs every net on the same
        X (output (nets, N, k)), ``backward`` and ``train`` (``lr`` one per net, ``record_every=None``) run them
        together. Each net's numbers are exactly those of running it alone: NumPy's matrix product of a stack makes
        the same BLAS call per net, and everything else works element by element or along one net's own axes.
        What changes is the number of NumPy calls, which dominate for small nets (``sweep`` trains its runs so).
        ``write_back(nets)`` hands the weights back to the original nets."""
        nets = list(nets)
        problem = _stack_problem(nets)
        if problem:
            raise ValueError(f"MLP.stack needs {problem}")
        stack = copy.copy(nets[0])
        stack.weights = [np.stack([n.weights[i] for n in nets]) for i in range(len(stack.weights))]
        stack.biases = [np.stack([n.biases[i] for n in nets])[:, None, :] for i in range(len(stack.biases))]
        stack.stacked = len(nets)
        return stack

    def write_back(self, nets) -> None:
        """The weights and biases of a stack (``MLP.stack``), net by net, into ``nets`` (as views)."""
        if len(nets) != self.stacked:
            raise ValueError(f"this stack holds {self.stacked} nets, got {len(nets)}")
        for k, net in enumerate(nets):
            net.weights = [w[k] for w in self.weights]
            net.biases = [b[k, 0] for b in self.biases]

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.weights) - 1

    def forward(self, X) -> np.ndarray:
        """Z_l = A_{l-1} W_l + b_l, A_l = f(Z_l) - shift for each hidden layer; output = A_depth W + b (linear).
        With ``norm="layer"`` f gets U_l = layer_norm(Z_l); with ``residual`` A_l also adds A_{l-1}."""
        a = np.asarray(X, dtype=self.dtype)  # the same batch for every net of a stack
        if a.ndim != 2 or a.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (batch, {self.sizes[0]}), got {a.shape}")
        self.input = a
        self.preactivations, self.activations = [], []
        self.normalised, self._inverse_sd = [], []
        for layer, (w, b) in enumerate(zip(self.weights[:-1], self.biases[:-1])):
            z = a @ w
            if b.any():  # zero biases (the probe's) cost nothing
                z += b
            v = z
            if self.norm == "layer":
                v, inverse_sd = layer_norm(z)
                self.normalised.append(v)
                self._inverse_sd.append(inverse_sd)
            out = self._apply(self.activation.forward, v)
            if self.shift:
                out -= self.shift
            if self._shortcut[layer]:
                out += a
            a = out
            self.preactivations.append(z)
            self.activations.append(a)
        self.output = a @ self.weights[-1] + self.biases[-1]
        return self.output

    def _apply(self, kernel, v):
        """f(v) or f'(v) by the activation's own kernel, skipping what ``Activation.__call__`` adds around it
        (input conversion, parameter checks: done once in __init__, scalar handling). Those cost more than the
        arithmetic on a small batch, and a training run makes two such calls per layer and step."""
        with np.errstate(all="ignore"):  # as Activation.__call__: the kernels handle inf and nan themselves
            return kernel(v, **self._kwargs)

    def activation_inputs(self) -> list:
        """What each hidden layer's activation function was applied to: Z, or U with layer normalisation."""
        return self.normalised if self.norm == "layer" else self.preactivations

    def backward(self, grad_output, weights=True, rescale=False) -> None:
        """Back-propagate dL/d output. Chain rule per layer, from the output down:
        dL/dW_l = A_{l-1}^T dL/dZ_l,  dL/db_l = sum over the batch of dL/dZ_l,
        dL/dA_{l-1} = dL/dZ_l W_l^T (+ dL/dA_l through a residual shortcut),
        dL/dZ_{l-1} = dL/dA_{l-1} * f'(Z_{l-1})  (through ``layer_norm_backward`` first with layer normalisation).
        ``weights=False`` skips the weight and bias gradients (the lab only needs dL/dZ).

        ``rescale=True`` (for float32): each dL/dA_{l-1} is multiplied by a power of two 2^k that brings its largest
        entry into [1/2, 1), and the layers below inherit it, since every step of the chain rule is linear in the
        gradient that comes down. Multiplying by 2^k is exact, so nothing is lost; ``grad_exponents[l]`` holds
        the sum of the k's applied to hidden layer l, and its true gradients are the stored ones times
        2^-grad_exponents[l] (``true_norms`` applies it). Without rescaling the exponents are all 0."""
        if self.output is None:
            raise RuntimeError("call forward(X) before backward()")
        dz = np.asarray(grad_output, dtype=self.dtype).reshape(self.output.shape)
        inputs = [self.input] + self.activations
        inner = self.activation_inputs()
        n = len(self.weights)
        self.grad_weights, self.grad_biases = [None] * n, [None] * n
        self.grad_preactivations, self.grad_activations = [None] * self.depth, [None] * self.depth
        self.grad_exponents = np.zeros(self.depth, dtype=int)
        exponent = 0
        for layer in range(n - 1, -1, -1):
            if weights:
                self.grad_weights[layer] = _transpose(inputs[layer]) @ dz
                self.grad_biases[layer] = dz.sum(axis=-2).reshape(self.biases[layer].shape)  # over the batch
            if layer == 0:
                break
            da = dz @ _transpose(self.weights[layer])
            if layer < n - 1 and self._shortcut[layer]:
                da += self.grad_activations[layer]  # the shortcut passes dL/dA_l straight down
            if rescale:
                peak = float(np.max(np.abs(da)))
                if 0 < peak < np.inf:
                    k = -int(np.frexp(peak)[1])  # peak * 2^k lies in [1/2, 1)
                    if abs(k) <= 126:  # 2^k is a normal number of da's type: one fast multiplication, exact
                        da *= da.dtype.type(2.0**k)
                    else:  # np.ldexp is exact too, but ~10x slower
                        np.ldexp(da, k, out=da)
                    exponent += k
            self.grad_exponents[layer - 1] = exponent
            dz = self._apply(self.activation.backward, inner[layer - 1])
            dz *= da  # in place: one array fewer per layer
            if self.norm == "layer":
                dz = layer_norm_backward(dz, self.normalised[layer - 1], self._inverse_sd[layer - 1])
            self.grad_activations[layer - 1] = da
            self.grad_preactivations[layer - 1] = dz

    def loss(self, X, target, loss="mse") -> float:
        return loss_and_gradient(self.forward(X), target, loss)[0]

    def gradients(self, X, target, loss="mse", weights=True, rescale=False) -> float:
        """One forward and one backward pass; returns the loss, leaves every gradient on the net."""
        value, grad = loss_and_gradient(self.forward(X), target, loss)
        self.backward(grad, weights=weights, rescale=rescale)
        return value

    def true_norms(self, wrt="preactivations") -> np.ndarray:
        """One Frobenius norm per hidden layer, input side first, after ``backward``: of dL/dZ_l
        (``wrt="preactivations"``, the back-propagated signal) or of dL/dW_l (``"weights"``), with the scaling of
        ``backward(rescale=True)`` undone in float64 (where 2^-exponent is representable)."""
        _check_choice(wrt, ("preactivations", "weights"), "wrt")
        grads = self.grad_preactivations if wrt == "preactivations" else self.grad_weights[:-1]
        return np.ldexp(frobenius_norms(grads).astype(np.float64), -self.grad_exponents)

    def predict(self, X) -> np.ndarray:
        """Class labels (argmax of the scores) for a classifier trained with cross-entropy."""
        return np.argmax(self.forward(X), axis=1)

    def dead_units(self, X) -> list:
        """Per hidden layer, a boolean mask of the units whose activation input (Z, or U with layer normalisation)
        is <= 0 for EVERY row of X.

        Under ReLU such a unit outputs 0 and its slope is 0 on all of X, so its own weights and bias get no
        gradient. It stays dead while its inputs stay the same: always for a first-layer unit (its inputs are
        the data) or below frozen layers. A unit in a deeper layer can come back to life when the layers below
        it change what they feed it."""
        self.forward(X)
        return [np.all(v <= 0, axis=0) for v in self.activation_inputs()]

    def dead_fraction(self, X) -> np.ndarray:
        """Per hidden layer: the fraction of units that are dead on X (see ``dead_units``)."""
        return np.array([np.mean(mask) for mask in self.dead_units(X)])

    def __repr__(self) -> str:
        extras = (f", shift={self.shift}" if self.shift else "") + (", residual=True" if self.residual else "")
        extras += f", norm={self.norm!r}" if self.norm else ""
        return (f"MLP({self.sizes}, activation={self.activation.name!r}, init={self.init!r}, scale={self.scale}"
                f"{extras})")


# ---------------------------------------------------------------- the vanishing-gradient probe
@functools.lru_cache(maxsize=1)
def _blas_controller():
    """threadpoolctl's view of the BLAS libraries loaded here (built once: finding them costs milliseconds)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an environment without it: BLAS keeps its threads
        return None
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs on one thread (``probe`` and ``train`` use it). The products of these small
    nets (256 x 100 by 100 x 100 at most) are too small for threads to pay: measured on a loaded 2-core machine,
    one thread cut a lab update from 5.0 s to 0.64 s of wall time (and from 0.99 s to 0.10 s of CPU time);
    OpenBLAS's waiting threads compete with the kernel."""
    controller = _blas_controller()
    return controller.limit(limits=1, user_api="blas") if controller else contextlib.nullcontext()


@lru_cache(maxsize=4)
def _probe_draws(width, batch, init, layers, seed):
    """Inputs, targets and unscaled weights of the probe, cached (the lab asks for them on every update).

    Three independent streams from one seed: data, hidden weights and output weights. Hidden layer l is the
    l-th draw of its stream whatever the depth, so a deeper net extends a shallower one layer for layer.
    Arrays are read-only: they are shared between calls."""
    data_rng, hidden_rng, output_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    X = data_rng.standard_normal((batch, width))
    target = data_rng.standard_normal((batch, 1))
    hidden = [init_weights(width, width, init, 1.0, hidden_rng) for _ in range(layers)]
    output = init_weights(width, 1, init, 1.0, output_rng)
    for array in (X, target, output, *hidden):
        array.flags.writeable = False
    return X, target, hidden, output


def probe(activation, depth=50, width=100, init="standard", scale=1.0, batch=256, seed=0, params=None,
          weights=True, residual=False, norm=None, dtype=np.float64) -> MLP:
    """The set-up of ``gradient_norms``, run once forward and backward; returns the net with everything recorded.

    X ~ N(0, 1) of shape (batch, width); ``depth`` hidden layers width -> width, zero biases, weights drawn by
    ``init`` times ``scale``; a linear output layer to one unit (same init, no scale); MSE against N(0, 1) targets.
    ``weights=False`` skips the weight gradients. ``residual`` and ``norm`` as in ``MLP``. ``dtype=np.float32``
    computes in float32 with ``backward(rescale=True)``: read the norms with ``net.true_norms()``.
    """
    depth, width, batch = int(depth), int(width), int(batch)
    if depth < 1 or width < 1 or batch < 1:
        raise ValueError(f"depth, width and batch must be >= 1, got {depth}, {width}, {batch}")
    _check_choice(init, INITS, "init")
    if not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    X, target, hidden, output = _probe_draws(width, batch, init, max(depth, 100), int(seed))
    net = MLP([width] * (depth + 1) + [1], activation, init=init, scale=scale, params=params,
              weights=hidden[:depth] + [output], residual=residual, norm=norm, dtype=dtype)
    with one_blas_thread():
        net.gradients(X, target, "mse", weights=weights, rescale=net.dtype != np.float64)
    return net


def gradient_norms(activation, depth=50, width=100, init="standard", scale=1.0, batch=256, seed=0,
                   wrt="preactivations", params=None, residual=False, norm=None) -> np.ndarray:
    """One norm per hidden layer, input side first (see ``probe`` for the set-up).

    wrt="preactivations": ||dL/dZ_l||_F over the batch, the back-propagated signal;
    wrt="weights":        ||dL/dW_l||_F, the gradient the optimiser actually sees.
    Deterministic for a given seed.
    """
    _check_choice(wrt, ("preactivations", "weights"), "wrt")
    net = probe(activation, depth, width, init, scale, batch, seed, params, weights=wrt == "weights",
                residual=residual, norm=norm)
    return net.true_norms(wrt)


def frobenius_norms(arrays) -> np.ndarray:
    """||G||_F = sqrt(sum of G_ij^2) of each array, on one BLAS thread.

    np.linalg.norm computes this as a BLAS dot product, which OpenBLAS splits across its threads from about 10^4
    elements on: for a 256 x 100 gradient on a loaded 2-core machine that took 15 ms of wall time (8 ms of CPU)
    against 8 microseconds on one thread, and 50 norms per lab update made it the largest cost of the update."""
    with one_blas_thread():
        return np.array([np.linalg.norm(a) for a in arrays])


# ---------------------------------------------------------------- training
@dataclass
class History:
    """What ``train`` measured: ``loss[i]``, the loss of the batch used by step i + 1, i.e. after i updates
    (before that step's own update); and at step 0 (before training), every ``record_every`` steps and at the
    end (never with ``record_every=None``: then only the losses): ``steps``, ``accuracy`` on all of X
    (cross-entropy only) and, with ``track_dead``, the fraction of dead units per hidden layer (``dead``) and
    which units they are (``dead_units``: one boolean mask per layer)."""

    loss: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    dead: list = field(default_factory=list)
    dead_units: list = field(default_factory=list)

    def steps_to(self, target: float):
        """The number of updates after which the recorded loss was first below ``target`` (None if never):
        the first i with loss[i] < target. With full-batch training that loss is the training loss."""
        below = np.flatnonzero(np.asarray(self.loss) < target)
        return int(below[0]) if below.size else None


def train(net: MLP, X, y, steps=500, lr=0.01, optimizer="adam", loss="cross_entropy", batch_size=None, seed=0,
          record_every=10, track_dead=False, stop_below=None, clip_norm=None) -> History:
    """Train in place by gradient descent; returns a History.

    sgd:  W <- W - lr g
    adam: m <- 0.9 m + 0.1 g;  v <- 0.999 v + 0.001 g^2;  W <- W - lr m_hat / (sqrt(v_hat) + 1e-8)
          (Kingma & Ba 2015; m_hat, v_hat are m and v divided by 1 - beta^t)
    ``batch_size=None`` uses the whole data set every step; otherwise mini-batches drawn with ``seed``.
    ``record_every=None`` records only the batch losses: each record evaluates the net on all of X, which can cost
    more than the training steps themselves when the batches are small.
    ``stop_below``: stop, without updating, as soon as a batch's loss is below this value (see ``train_until``).
    ``clip_norm``: gradient-norm clipping, g <- g min(1, clip_norm / ||g||) with ||g|| the norm of all weight and
    bias gradients together (Pascanu et al. 2013): a step never uses a gradient longer than clip_norm.
    Afterwards ``net.weights`` and ``net.biases`` hold views into one flat parameter vector (same values).
    """
    _check_choice(optimizer, OPTIMIZERS, "optimizer")
    _check_choice(loss, LOSSES, "loss")
    if net.dtype != np.float64:
        raise ValueError(f"train works in float64; this net is {net.dtype} (MLP(..., dtype=np.float64))")
    if net.stacked and (record_every is not None or stop_below is not None or track_dead):
        raise ValueError("a stack of nets (MLP.stack) trains with record_every=None, without stop_below or "
                         "track_dead; its History holds one loss per net and step")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y need the same number of rows, got {len(X)} and {len(y)}")
    lr = np.asarray(lr, dtype=float)
    if not (np.all(np.isfinite(lr)) and np.all(lr > 0)) or lr.ndim > 1 or (lr.ndim and lr.size != net.stacked):
        raise ValueError(f"lr must be a positive number (or one per net of a stack), got {lr}")
    lr = lr.reshape(-1, 1) if lr.ndim else float(lr)  # one row of the parameters per net of a stack
    if clip_norm is not None and not (np.isfinite(clip_norm) and clip_norm > 0):
        raise ValueError(f"clip_norm must be a positive number or None, got {clip_norm}")
    if record_every is not None and not (isinstance(record_every, (int, np.integer)) and record_every >= 1):
        raise ValueError(f"record_every must be a positive integer or None, got {record_every!r}")
    rng = np.random.default_rng(seed)
    # All weights and biases live in one flat vector, and the net's arrays become views into it: the update is
    # then a handful of NumPy calls per step instead of a handful per array (same arithmetic, element by element).
    theta, views = _flatten(net.weights + net.biases, net.stacked)
    net.weights[:], net.biases[:] = views[:len(net.weights)], views[len(net.weights):]
    history = History()

    def record(step):
        if record_every is None:
            return
        history.steps.append(step)
        if loss == "cross_entropy":
            history.accuracy.append(accuracy(net, X, y))
        if track_dead:
            masks = net.dead_units(X)
            history.dead_units.append(masks)
            history.dead.append(np.array([np.mean(mask) for mask in masks]))

    m, v = np.zeros_like(theta), np.zeros_like(theta)
    with one_blas_thread():  # the products here are too small for BLAS threads to pay
        record(0)
        for step in range(1, int(steps) + 1):
            rows = slice(None) if batch_size is None else rng.choice(len(X), size=batch_size, replace=False)
            history.loss.append(net.gradients(X[rows], y[rows], loss))
            if stop_below is not None and history.loss[-1] < stop_below:
                if not history.steps or history.steps[-1] != step - 1:
                    record(step - 1)  # the net has had step - 1 updates
                break
            g, _ = _flatten(net.grad_weights + net.grad_biases, net.stacked)
            if clip_norm is not None:
                for row in g.reshape(-1, g.shape[-1]):  # the whole vector, or each net's row of a stack
                    length = np.linalg.norm(row)
                    if length > clip_norm:
                        row *= clip_norm / length
            if optimizer == "sgd":
                theta -= lr * g
            else:
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                theta -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
            if record_every is None or step % record_every == 0 or step == steps:
                record(step)
    return history


def accuracy(net: MLP, X, y) -> float:
    """Fraction of rows whose predicted class equals the label."""
    return float(np.mean(net.predict(X) == np.asarray(y).ravel()))


def _flatten(arrays, stacked=0):
    """One vector holding every array's values, and views into it shaped like the arrays. For a stack of
    ``stacked`` nets (first axis of every array), one such vector per net: a (stacked, parameters) matrix."""
    lead = (stacked,) if stacked else ()
    theta = np.concatenate([a.reshape(lead + (-1,)) for a in arrays], axis=-1).astype(float)
    views, start = [], 0
    for a in arrays:
        size = a.size // max(stacked, 1)
        views.append(theta[..., start:start + size].reshape(a.shape))
        start += size
    return theta, views


def train_until(net: MLP, X, y, target_loss: float, max_steps=1000, **options):
    """Train (full batch unless ``batch_size`` is given) until the loss is below ``target_loss``; returns the
    number of updates that took, or None if ``max_steps`` updates were not enough. ``options`` go to ``train``."""
    history = train(net, X, y, steps=max_steps, stop_below=target_loss, record_every=max_steps, **options)
    return history.steps_to(target_loss)


# ---------------------------------------------------------------- fair comparisons: learning rates x seeds
@dataclass
class Sweep:
    """What ``sweep`` measured, one row per learning rate and one column per seed:
    ``val_accuracy`` (on the validation split), ``final_loss`` (training loss after the last update),
    ``steps_to_target`` (updates until the training loss first fell below ``target``; nan where it never did);
    and by (rate index, seed index): ``nets``, the trained networks, and ``losses``, their training-loss curves."""

    rates: tuple
    seeds: tuple
    target: float
    val_accuracy: np.ndarray
    final_loss: np.ndarray
    steps_to_target: np.ndarray
    nets: dict
    losses: dict

    def best_rate_index(self) -> int:
        """The rate chosen on the validation split: highest mean validation accuracy over the seeds; a tie
        goes to the lower mean final training loss."""
        return min(range(len(self.rates)),
                   key=lambda i: (-np.mean(self.val_accuracy[i]), np.mean(self.final_loss[i])))

    def fastest_rate_index(self) -> int:
        """The rate that reaches the target loss for the most seeds, then in the fewest mean steps."""
        reached = np.isfinite(self.steps_to_target)
        return min(range(len(self.rates)), key=lambda i: (-reached[i].sum(), np.nanmean(
            np.where(reached[i], self.steps_to_target[i], np.nan)) if reached[i].any() else np.inf))

    def accuracy_on(self, X, y, rate_index=None) -> np.ndarray:
        """Accuracy of each seed's network trained at one rate (default: the rate chosen on validation)."""
        i = self.best_rate_index() if rate_index is None else rate_index
        return np.array([accuracy(self.nets[i, j], X, y) for j in range(len(self.seeds))])


def sweep(make_net, X, y, X_val, y_val, rates=(0.003, 0.01, 0.03, 0.1), seeds=range(5), steps=300, target=0.1,
          **options) -> Sweep:
    """Train ``make_net(seed)`` on (X, y) for ``steps`` full-batch updates at every rate, for every seed (the
    seed draws the initial weights); score each on (X_val, y_val). ``options`` go to ``train`` (optimizer,
    loss, ...). Every run of a comparison gets the same rates, seeds and budget."""
    rates, seeds = tuple(float(r) for r in rates), tuple(int(s) for s in seeds)
    if not rates or not seeds:
        raise ValueError("sweep needs at least one rate and one seed")
    shape = (len(rates), len(seeds))
    val_accuracy, final_loss, steps_to_target = np.zeros(shape), np.zeros(shape), np.full(shape, np.nan)
    runs = [(i, j) for i in range(len(rates)) for j in range(len(seeds))]
    nets = {(i, j): make_net(seeds[j]) for i, j in runs}
    if _can_train_together(nets.values(), options):
        # all runs as one stack: the same numbers as one by one (MLP.stack); lesson 09's sweeps took 11 s instead of 27
        stack = MLP.stack(nets[run] for run in runs)
        history = train(stack, X, y, steps=steps, lr=[rates[i] for i, _ in runs], record_every=None, **options)
        stack.write_back([nets[run] for run in runs])
        curves = np.array(history.loss).reshape(-1, len(runs))
        losses = {run: curves[:, k] for k, run in enumerate(runs)}
    else:
        losses = {(i, j): np.array(train(nets[i, j], X, y, steps=steps, lr=rates[i], record_every=None,
                                         **options).loss) for i, j in runs}
    for i, j in runs:
        net = nets[i, j]
        val_accuracy[i, j] = accuracy(net, X_val, y_val)
        final_loss[i, j] = net.loss(X, y, options.get("loss", "cross_entropy"))
        reached = History(loss=list(losses[i, j])).steps_to(target)
        if reached is not None:
            steps_to_target[i, j] = reached
    return Sweep(rates, seeds, float(target), val_accuracy, final_loss, steps_to_target, nets, losses)


def _stack_problem(nets) -> str | None:
    """What keeps ``nets`` from being held as one stack (``MLP.stack``), or None."""
    if not nets or any(not isinstance(n, MLP) or n.stacked for n in nets):
        return "a non-empty list of ordinary MLPs"
    if any(n._config() != nets[0]._config() for n in nets):
        return "nets of the same sizes, activation, parameters and options"
    return None


def _can_train_together(nets, options) -> bool:
    """Whether ``sweep``'s runs can train as one stack: nets that stack, full batch, options that act on each net
    alone."""
    return set(options) <= {"optimizer", "loss", "clip_norm"} and _stack_problem(list(nets)) is None


def mean_sd(values, spec=".2f") -> str:
    """'mean ± sd' of the finite values (sample standard deviation, n - 1), each formatted with ``spec``;
    "-" when there is none."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return "-"
    sd = values.std(ddof=1) if values.size > 1 else 0.0
    return f"{values.mean():{spec}} ± {sd:{spec}}"


def clearly_different(a, b, at_least=0.0) -> bool:
    """A rough test for two sets of runs (one value per seed): are their means further apart than twice the
    standard error of the difference, 2 sqrt(s_a^2/n_a + s_b^2/n_b), and than ``at_least``?

    A rough screen, not a significance test: with 5 seeds a side, 2 standard errors is about a 90% criterion for
    normal noise (Student's t with few degrees of freedom, not the normal 95%), nothing corrects for making many
    comparisons, and the seed-to-seed spread ignores the sampling noise of the test set itself (an accuracy p on
    n test points has a binomial standard error sqrt(p (1 - p) / n), about 0.015-0.02 on 200 points).
    ``at_least`` is the smallest difference that would matter, e.g. 0.01 for accuracies: when every seed scores
    the same, the standard error is 0 and even one test point would count."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        raise ValueError("clearly_different needs at least two finite values on each side")
    error = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return bool(abs(a.mean() - b.mean()) > max(2 * error, at_least))
