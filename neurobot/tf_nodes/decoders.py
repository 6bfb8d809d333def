"""Spike counts to decisions and velocity commands: the brain-to-body half.

Pure numpy, no ROS: a transfer-function node reads spike counts of a motor
population (for instance from a :class:`~tf_nodes.temporal.SpikeWindow`), decodes
them here and converts the resulting :class:`Twist2D` into a ``geometry_msgs/Twist``
itself.

* :func:`group_counts` -- per-neuron counts summed per group (contiguous blocks or an
  explicit group index per neuron).
* :func:`winner_take_all` -- the most active group, or ``None`` if none is active
  enough; ties go to the lowest index unless a random generator is given.
* :func:`population_vector` -- vector sum of group activities along their preferred
  directions (Georgopoulos et al. 1986).
* :func:`direction_twist` / :func:`vector_twist` -- a discrete direction, or a
  population vector, to a body-frame velocity for an omnidirectional robot.
* :func:`counts_to_rates_hz` -- counts over a window to rates.

Angles are in radians, counter-clockwise from the robot's +x axis (forward), in the
body frame, as ``geometry_msgs/Twist`` on ``cmd_vel``. For a robot that keeps yaw 0 in
the maze (the omnidirectional robot of :mod:`neurobot.world`), body and maze axes
coincide, so the compass tables :data:`COMPASS_4_RAD` and :data:`COMPASS_8_RAD` give
maze directions (x east, y north).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import numpy as np

# Reused rather than duplicated so the world, the nodes and the transfer functions
# share one velocity type. Importing it loads MuJoCo (world.py needs it).
from neurobot.world.planar import Twist2D

from ._checks import float_array, index_array, integer, non_negative, positive, real

__all__ = [
    'COMPASS_4_RAD', 'COMPASS_8_RAD', 'Decision', 'PopulationVector', 'Twist2D',
    'counts_to_rates_hz', 'direction_twist', 'group_counts', 'population_vector',
    'vector_twist', 'winner_take_all',
]

_HALF_PI = math.pi / 2.0
_QUARTER_PI = math.pi / 4.0
COMPASS_4_RAD = (_HALF_PI, 0.0, -_HALF_PI, math.pi)
"""Directions N, E, S, W (index 0-3) as body-frame angles of a robot at yaw 0."""
COMPASS_8_RAD = (_HALF_PI, _QUARTER_PI, 0.0, -_QUARTER_PI, -_HALF_PI, -3 * _QUARTER_PI,
                 math.pi, 3 * _QUARTER_PI)
"""Directions N, NE, E, SE, S, SW, W, NW (index 0-7) as angles of a robot at yaw 0."""

# A population vector shorter than this fraction of the total activity is treated as
# zero: opposite groups cancel, and the direction of the rounding residue would be
# arbitrary.
_CANCELLATION_TOLERANCE = 1e-12


class Decision(NamedTuple):
    """Outcome of :func:`winner_take_all`.

    Attributes:
        winner: Index of the winning group, or ``None`` for no decision.
        group_counts: Activity of every group (float64), for logging and learning.
    """

    winner: int | None
    group_counts: np.ndarray


class PopulationVector(NamedTuple):
    """Outcome of :func:`population_vector`.

    Attributes:
        angle_rad: Direction of the vector sum, in ``(-pi, pi]``.
        magnitude: Its length, in the units of the activities (spikes or Hz).
    """

    angle_rad: float
    magnitude: float


def _wrap_angle(angle_rad: float) -> float:
    """Wrap an angle into (-pi, pi], as :mod:`neurobot.world.world` does."""
    wrapped = math.remainder(angle_rad, 2.0 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped


def group_counts(counts: Any, *, group_size: int | None = None,
                 group_index: Any = None, n_groups: int | None = None) -> np.ndarray:
    """Sum per-neuron activity per group.

    Groups are either contiguous blocks of ``group_size`` neurons (neuron ``i`` in
    group ``i // group_size``) or given by ``group_index[i]`` for every neuron; with
    neither, every neuron is its own group.

    Args:
        counts: 1-D per-neuron spike counts or rates, finite and >= 0.
        group_size: Neurons per group; ``len(counts)`` must be a multiple of it.
        group_index: 1-D int array, the group of each neuron (same length as ``counts``).
        n_groups: Number of groups with ``group_index`` (so trailing silent groups
            still appear); default ``max(group_index) + 1``.

    Returns:
        Float64 array of per-group sums.

    Raises:
        TypeError: if an argument is not numeric.
        ValueError: for negative/NaN counts, inconsistent sizes, or both
            ``group_size`` and ``group_index``.
    """
    counts = float_array('counts', counts, ndim=1, minimum=0.0)
    n = counts.shape[0]
    if n == 0:
        raise ValueError('counts: expected at least one neuron, got an empty array')
    if group_size is not None and group_index is not None:
        raise ValueError('expected either group_size or group_index, not both')
    if group_index is not None:
        bound = np.iinfo(np.intp).max if n_groups is None else integer(
            'n_groups', n_groups, minimum=1)
        index = index_array('group_index', group_index, bound=bound)
        if index.shape[0] != n:
            raise ValueError(f'group_index: expected one group per neuron ({n}), '
                             f'got {index.shape[0]}')
        minlength = int(index.max()) + 1 if n_groups is None else bound
        return np.bincount(index, weights=counts, minlength=minlength)
    if n_groups is not None:
        raise ValueError('n_groups: expected only with group_index (with group_size the '
                         'number of groups is len(counts) // group_size)')
    size = 1 if group_size is None else integer('group_size', group_size, minimum=1)
    if n % size:
        raise ValueError(f'group_size: expected a divisor of the number of neurons ({n}), '
                         f'got {size}')
    return counts.reshape(n // size, size).sum(axis=1)


def winner_take_all(counts: Any, *, group_size: int | None = None, group_index: Any = None,
                    n_groups: int | None = None, min_count: float = 1.0,
                    rng: np.random.Generator | None = None) -> Decision:
    """The group with the most spikes, if it reached ``min_count``.

    Ties: without ``rng`` the tied group with the lowest index wins, so a decoder is
    reproducible without a seed; with ``rng`` one of the tied groups is drawn
    uniformly (reproducible for a seeded generator, which is drawn from only on a tie).

    Args:
        counts: 1-D per-neuron spike counts (or rates), >= 0.
        group_size: See :func:`group_counts`.
        group_index: See :func:`group_counts`.
        n_groups: See :func:`group_counts`.
        min_count: The winner needs at least this many spikes (group total); the
            default 1 means a silent population decides nothing. 0 always decides.
        rng: Generator used to break ties, or ``None`` for lowest index.

    Returns:
        A :class:`Decision`; ``winner`` is ``None`` when no group reached ``min_count``.

    Raises:
        TypeError: for non-numeric counts or an ``rng`` that is not a numpy Generator.
        ValueError: see :func:`group_counts`; negative ``min_count``.
    """
    min_count = non_negative('min_count', min_count)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f'rng: expected a numpy.random.Generator or None, '
                        f'got {type(rng).__name__}')
    totals = group_counts(counts, group_size=group_size, group_index=group_index,
                          n_groups=n_groups)
    best = totals.max()
    if best < min_count:
        return Decision(None, totals)
    tied = np.flatnonzero(totals == best)
    if rng is None or tied.size == 1:
        return Decision(int(tied[0]), totals)
    return Decision(int(tied[rng.integers(tied.size)]), totals)


def population_vector(activity: Any,
                      preferred_angles_rad: Any = None) -> PopulationVector | None:
    """Vector sum of group activities along their preferred directions.

    ``v = sum_i activity[i] * (cos a_i, sin a_i)``; the decoded direction is the angle
    of ``v`` and its length says how strongly the population agrees.

    Args:
        activity: 1-D per-group counts or rates, >= 0 (see :func:`group_counts`).
        preferred_angles_rad: Preferred direction of each group; default evenly spaced
            counter-clockwise from 0 (``2 pi i / n``).

    Returns:
        A :class:`PopulationVector`, or ``None`` if all activity is zero or the
        contributions cancel (length below 1e-12 of the total activity), where the
        direction is undefined.

    Raises:
        TypeError: if an argument is not numeric.
        ValueError: for negative/NaN activity, NaN angles or mismatched lengths.
    """
    activity = float_array('activity', activity, ndim=1, minimum=0.0)
    n = activity.shape[0]
    if n == 0:
        raise ValueError('activity: expected at least one group, got an empty array')
    if preferred_angles_rad is None:
        angles = 2.0 * math.pi * np.arange(n) / n
    else:
        angles = float_array('preferred_angles_rad', preferred_angles_rad, ndim=1)
        if angles.shape[0] != n:
            raise ValueError(f'preferred_angles_rad: expected one angle per group ({n}), '
                             f'got {angles.shape[0]}')
    total = activity.sum()
    x = float(activity @ np.cos(angles))
    y = float(activity @ np.sin(angles))
    magnitude = math.hypot(x, y)
    if total == 0.0 or magnitude <= _CANCELLATION_TOLERANCE * total:
        return None
    return PopulationVector(_wrap_angle(math.atan2(y, x)), magnitude)


def direction_twist(direction: int | None, speed_mps: float, *,
                    n_directions: int | None = None,
                    angles_rad: Sequence[float] | None = None) -> Twist2D:
    """Velocity of an omnidirectional robot moving in a discrete direction.

    Args:
        direction: Direction index (e.g. a :func:`winner_take_all` winner), or
            ``None`` (no decision) for a stop.
        speed_mps: Linear speed, >= 0.
        n_directions: Directions evenly spaced counter-clockwise from +x (forward):
            index ``k`` points at ``2 pi k / n_directions``.
        angles_rad: Explicit angle of every direction instead, e.g.
            :data:`COMPASS_4_RAD`. Give exactly one of ``n_directions`` and ``angles_rad``.

    Returns:
        ``Twist2D(speed cos a, speed sin a, 0)``, or a zero twist for ``None``.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: for a direction out of range, a negative speed, or not exactly one
            of ``n_directions``/``angles_rad``.
    """
    speed_mps = non_negative('speed_mps', speed_mps)
    if (n_directions is None) == (angles_rad is None):
        raise ValueError('expected exactly one of n_directions and angles_rad')
    if angles_rad is not None:
        angles = float_array('angles_rad', angles_rad, ndim=1)
        count = angles.shape[0]
        if count == 0:
            raise ValueError('angles_rad: expected at least one direction, got none')
    else:
        count = integer('n_directions', n_directions, minimum=1)
    if direction is None:
        return Twist2D(0.0, 0.0, 0.0)
    direction = integer('direction', direction, minimum=0)
    if direction >= count:
        raise ValueError(f'direction: expected an index in [0, {count}), got {direction}')
    angle = float(angles[direction]) if angles_rad is not None else (
        2.0 * math.pi * direction / count)
    return Twist2D(speed_mps * math.cos(angle), speed_mps * math.sin(angle), 0.0)


def vector_twist(vector: PopulationVector | None, *, gain_mps_per_unit: float,
                 max_speed_mps: float) -> Twist2D:
    """Velocity of an omnidirectional robot from a population vector.

    The robot moves along ``vector.angle_rad`` at ``gain_mps_per_unit * magnitude``,
    clipped to ``max_speed_mps``; the yaw rate is 0.

    Args:
        vector: A :func:`population_vector` result, or ``None`` for a stop.
        gain_mps_per_unit: m/s per unit of magnitude (per spike, or per Hz), >= 0.
        max_speed_mps: Speed limit, > 0.

    Returns:
        The body-frame :class:`Twist2D`.

    Raises:
        TypeError: if ``vector`` is neither ``None`` nor an (angle, magnitude) pair.
        ValueError: for a NaN angle, a negative magnitude or a bad gain/limit.
    """
    gain = non_negative('gain_mps_per_unit', gain_mps_per_unit)
    max_speed_mps = positive('max_speed_mps', max_speed_mps)
    if vector is None:
        return Twist2D(0.0, 0.0, 0.0)
    if not isinstance(vector, tuple) or len(vector) != 2:
        raise TypeError(f'vector: expected a PopulationVector(angle_rad, magnitude) or None, '
                        f'got {vector!r}')
    angle = real('vector.angle_rad', vector[0])
    magnitude = non_negative('vector.magnitude', vector[1])
    speed = min(gain * magnitude, max_speed_mps)
    return Twist2D(speed * math.cos(angle), speed * math.sin(angle), 0.0)


def counts_to_rates_hz(counts: Any, window_ms: float) -> np.ndarray:
    """Spike counts over a window of ``window_ms`` to rates in Hz.

    Divide the result by the group size to get a per-neuron rate from group counts.

    Args:
        counts: Counts of any shape, finite and >= 0.
        window_ms: Window length, > 0.

    Returns:
        Float64 rates, ``counts / (window_ms / 1000)``, same shape as ``counts``.
    """
    counts = float_array('counts', counts, minimum=0.0)
    window_ms = positive('window_ms', window_ms)
    return counts * (1000.0 / window_ms)
