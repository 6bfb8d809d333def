"""Example: train a small numpy network on an export and use it as a learned readout.

The probe-then-train workflow, end to end:

1. record a run (``mcap_recorder``, or ``record:=true``);
2. ``neurobot recording-export run.mcap --populations places,actions --window-ms 100
   --bin-ms 10 -o data.npz`` (see :mod:`neurobot.analysis.export`);
3. ``neurobot recording-train data.npz -o model.npz --only-active places``: learn
   which direction (N, E, S, W) the robot was commanded to move next from the spikes
   of the last ``window_ms`` (features: every neuron's count in every bin);
4. run ``transfer_functions/learned_readout.py`` in a tf_node with parameter
   ``model:=model.npz``: it keeps the same windows online
   (:class:`tf_nodes.temporal.SpikeWindow`, the export's window rule) and publishes
   a ``cmd_vel`` in the predicted direction.

Labels: the direction of the command that followed each sample, in the world frame
(the robot's velocity command turned by its yaw), the nearest of N, E, S, W;
samples with no command, a command slower than ``min_speed_mps`` or no state are left
out. ``--only-active POP`` keeps only samples whose window holds spikes of ``POP``;
in the maze the place cells are driven only while the brain decides, so
``--only-active places`` keeps the decision windows (a sample taken while the robot
drives sees no place-cell input, and the command that follows is the ongoing move).

The network is softmax regression (``--hidden 0``) or one hidden tanh layer,
trained full-batch with Adam on standardised features and an L2 penalty; a
seeded random ``test_fraction`` of the samples is held out and the report gives
held-out accuracy against chance (the majority class of the training set, and
1 / number of classes). No torch: numpy only, so the model also runs inside a
transfer function with nothing else installed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

DIRECTIONS = ('N', 'E', 'S', 'W')  # the maze's move order (neurobot.world.maze.MOVE_ORDER)
DIRECTION_ANGLES_RAD = (math.pi / 2, 0.0, -math.pi / 2, math.pi)  # world frame, from +x
FORMAT = 'neurobot-readout-1'


# ------------------------------------------------------------------ data

def command_directions(export: dict, min_speed_mps: float = 0.05) -> np.ndarray:
    """Direction index (into DIRECTIONS) of the command after each sample; -1 for none.

    The command (robot frame) is turned into the world frame with the sample's yaw
    (0 where the export has no state).
    """
    vx, vy = export['cmd_vx_mps'], export['cmd_vy_mps']
    yaw = np.nan_to_num(export['yaw_rad']) if 'yaw_rad' in export else np.zeros_like(vx)
    wx = np.cos(yaw) * vx - np.sin(yaw) * vy
    wy = np.sin(yaw) * vx + np.cos(yaw) * vy
    angle = np.arctan2(wy, wx)
    reference = np.array(DIRECTION_ANGLES_RAD)
    distance = np.abs(np.angle(np.exp(1j * (angle[:, None] - reference[None, :]))))
    labels = np.argmin(distance, axis=1)
    speed = np.hypot(vx, vy)
    usable = export['has_command'] & np.isfinite(speed) & (speed >= min_speed_mps)
    return np.where(usable, labels, -1)


def feature_matrix(export: dict, populations) -> np.ndarray:
    """Samples x features: every population's (neuron, bin) counts, flattened in order."""
    parts = []
    for name in populations:
        key = f'spikes_{name}'
        if key not in export:
            raise ValueError(f'the export has no population {name!r}; it has '
                             f'{sorted(export["metadata"]["populations"])}')
        spikes = export[key]
        parts.append(spikes.reshape(len(spikes), -1).astype(float))
    return np.concatenate(parts, axis=1)


def window_features(binned: dict, populations) -> np.ndarray:
    """The feature vector of one sample from per-population (neurons, bins) arrays.

    The arrays are as :meth:`tf_nodes.temporal.SpikeWindow.binned` returns them; the
    features come in the export's order.
    """
    return np.concatenate([np.asarray(binned[name], dtype=float).ravel()
                           for name in populations])


# ------------------------------------------------------------------ network

class Readout:
    """A trained network and what it needs to be fed (see :func:`train`).

    Attributes:
        layers: [(W, b), ...]; tanh between layers, softmax at the end.
        mean, std: feature standardisation.
        classes: class names (DIRECTIONS).
        populations: name -> size, in feature order.
        window_ms, bin_ms: the export's window and bins.
        only_active: population whose window must hold spikes (or '').
    """

    def __init__(self, layers, mean, std, classes, populations, window_ms, bin_ms,
                 only_active=''):
        self.layers = [(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
                       for w, b in layers]
        self.mean = np.asarray(mean, dtype=float)
        self.std = np.asarray(std, dtype=float)
        self.classes = tuple(classes)
        self.populations = dict(populations)
        self.window_ms = float(window_ms)
        self.bin_ms = float(bin_ms)
        self.only_active = only_active or ''

    @property
    def n_features(self) -> int:
        return len(self.mean)

    def probabilities(self, features) -> np.ndarray:
        """Class probabilities, (n, n_classes) (or (n_classes,) for one feature vector)."""
        x = np.asarray(features, dtype=float)
        single = x.ndim == 1
        x = np.atleast_2d(x)
        if x.shape[1] != self.n_features:
            raise ValueError(f'expected {self.n_features} features (populations '
                             f'{self.populations}, {self.window_ms} ms in {self.bin_ms} ms '
                             f'bins), got {x.shape[1]}')
        _, probabilities = _forward(self.layers, (x - self.mean) / self.std)
        return probabilities[0] if single else probabilities

    def predict(self, features) -> np.ndarray:
        return np.argmax(self.probabilities(features), axis=-1)

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f'W{i}': w for i, (w, _) in enumerate(self.layers)}
        arrays.update({f'b{i}': b for i, (_, b) in enumerate(self.layers)})
        meta = {'format': FORMAT, 'classes': list(self.classes),
                'populations': self.populations, 'window_ms': self.window_ms,
                'bin_ms': self.bin_ms, 'only_active': self.only_active,
                'n_layers': len(self.layers)}
        with open(path, 'wb') as handle:
            np.savez(handle, mean=self.mean, std=self.std, metadata=np.array(json.dumps(meta)),
                     **arrays)
        return path

    @classmethod
    def load(cls, path) -> Readout:
        """Raises: FileNotFoundError, ValueError (not a model written by save)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f'model file not found: {path}')
        with np.load(path, allow_pickle=False) as data:
            if 'metadata' not in data.files:
                raise ValueError(f'{path}: not a readout model (expected a file written by '
                                 f'neurobot recording-train)')
            meta = json.loads(str(data['metadata']))
            if meta.get('format') != FORMAT:
                raise ValueError(f'{path}: model format {meta.get("format")!r}, expected '
                                 f'{FORMAT!r}')
            layers = [(data[f'W{i}'], data[f'b{i}']) for i in range(meta['n_layers'])]
            return cls(layers, data['mean'], data['std'], meta['classes'],
                       meta['populations'], meta['window_ms'], meta['bin_ms'],
                       meta['only_active'])


def _forward(layers, x):
    activations = [x]
    for index, (w, b) in enumerate(layers):
        z = activations[-1] @ w + b
        if index < len(layers) - 1:
            activations.append(np.tanh(z))
        else:
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            activations.append(e / e.sum(axis=1, keepdims=True))
    return activations, activations[-1]


def fit(x, y, n_classes, *, hidden=0, epochs=300, learning_rate=0.01, l2=1e-3, seed=0):
    """Fit layers to standardised features ``x`` and labels ``y``; return the layers.

    Cross-entropy + L2, full-batch Adam.
    """
    rng = np.random.default_rng(seed)
    sizes = [x.shape[1]] + ([hidden] if hidden else []) + [n_classes]
    layers = [(rng.normal(0.0, 1.0 / math.sqrt(n_in), (n_in, n_out)), np.zeros(n_out))
              for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    target = np.eye(n_classes)[y]
    moments = [[np.zeros_like(p) for p in layer] for layer in layers]
    squares = [[np.zeros_like(p) for p in layer] for layer in layers]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for epoch in range(1, epochs + 1):
        activations, probabilities = _forward(layers, x)
        delta = (probabilities - target) / len(x)
        gradients = [None] * len(layers)
        for index in range(len(layers) - 1, -1, -1):
            w, _ = layers[index]
            gradients[index] = (activations[index].T @ delta + l2 * w, delta.sum(axis=0))
            if index:
                delta = (delta @ w.T) * (1.0 - activations[index] ** 2)
        for index, (layer, gradient) in enumerate(zip(layers, gradients)):
            updated = []
            for k, (parameter, g) in enumerate(zip(layer, gradient)):
                moments[index][k] = beta1 * moments[index][k] + (1 - beta1) * g
                squares[index][k] = beta2 * squares[index][k] + (1 - beta2) * g * g
                m_hat = moments[index][k] / (1 - beta1 ** epoch)
                v_hat = squares[index][k] / (1 - beta2 ** epoch)
                updated.append(parameter - learning_rate * m_hat / (np.sqrt(v_hat) + eps))
            layers[index] = tuple(updated)
    return layers


def train(export: dict, populations=None, *, only_active=None, hidden=0, test_fraction=0.25,
          seed=0, epochs=300, min_speed_mps=0.05):
    """Train a :class:`Readout` on an export; return it and a report.

    Args:
        export: from :func:`neurobot.analysis.export.load_export`.
        populations: feature populations (default: every exported population).
        only_active: keep samples whose window holds spikes of this population.
        hidden: hidden units (0: softmax regression).
        test_fraction: held-out share of the samples (seeded random split).
        seed: seed of the random train/test split and of the initial weights.
        epochs: full-batch Adam iterations.
        min_speed_mps: commands slower than this (m/s, in the plane) give no label;
            their samples are left out.

    Returns:
        (readout, report dict with n_train, n_test, accuracy, chance_majority,
        chance_uniform, class_counts).

    Raises:
        ValueError: unknown population, or too few labelled samples to split.
    """
    meta = export['metadata']
    populations = list(populations or meta['populations'])
    x = feature_matrix(export, populations)
    y = command_directions(export, min_speed_mps)
    keep = y >= 0
    if only_active:
        key = f'spikes_{only_active}'
        if key not in export:
            raise ValueError(f'--only-active {only_active}: the export has no such population; '
                             f'it has {sorted(meta["populations"])}')
        keep &= export[key].reshape(len(y), -1).sum(axis=1) > 0
    x, y = x[keep], y[keep]
    if len(y) < 8 or not 0.0 < test_fraction < 1.0:
        raise ValueError(f'need at least 8 labelled samples and 0 < test_fraction < 1 to '
                         f'train and test, got {len(y)} samples and {test_fraction}')
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_test = max(1, int(round(test_fraction * len(y))))
    test, training = order[:n_test], order[n_test:]
    mean = x[training].mean(axis=0)
    std = x[training].std(axis=0)
    std = np.where(std > 0, std, 1.0)  # a feature that never varies stays at 0
    layers = fit((x[training] - mean) / std, y[training], len(DIRECTIONS), hidden=hidden,
                 epochs=epochs, seed=seed)
    readout = Readout(layers, mean, std, DIRECTIONS,
                      {name: meta['populations'][name] for name in populations},
                      meta['window_ms'], meta['bin_ms'], only_active or '')
    predicted = readout.predict(x[test])
    train_counts = np.bincount(y[training], minlength=len(DIRECTIONS))
    report = {
        'n_train': int(len(training)), 'n_test': int(len(test)),
        'accuracy': float((predicted == y[test]).mean()),
        'train_accuracy': float((readout.predict(x[training]) == y[training]).mean()),
        'chance_majority': float((y[test] == np.argmax(train_counts)).mean()),
        'chance_uniform': 1.0 / len(DIRECTIONS),
        'class_counts': {name: int(c) for name, c in
                         zip(DIRECTIONS, np.bincount(y, minlength=len(DIRECTIONS)))},
    }
    return readout, report
