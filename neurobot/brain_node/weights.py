"""Dense weight matrices <-> NEST connection lists, with PyNN units and sign rules.

Pure numpy: the NEST side hands over per-connection arrays (presynaptic index,
postsynaptic index, weight in NEST units) and gets per-connection arrays back.

Conventions of the services (``get_weights``/``set_weights``):
- dense ``rows x cols`` matrix, row-major, rows = presynaptic neurons, cols =
  postsynaptic neurons;
- NaN exactly where there is no connection;
- PyNN units: nA for current-based synapses, uS for conductance-based ones.

Unit and sign table (the rules PyNN itself applies in ``pyNN.nest.projections``):

=====================  ===========  ===================  ==================
post cell              receptor     NEST weight          allowed PyNN sign
=====================  ===========  ===================  ==================
current-based          excitatory   1000 * w   (pA)      w >= 0
current-based          inhibitory   1000 * w   (pA)      w <= 0
conductance-based      excitatory   1000 * w   (nS)      w >= 0
conductance-based      inhibitory   -1000 * w  (nS)      w >= 0
other receptor types   any          1000 * w             any
=====================  ===========  ===================  ==================

PyNN's Izhikevich cells add a ``receptor_scale`` factor, folded into ``nest_per_pynn``.
"""

from dataclasses import dataclass, field

import numpy as np

PYNN_TO_NEST_WEIGHT = 1000.0  # nA -> pA and uS -> nS


@dataclass(frozen=True)
class WeightUnits:
    """How PyNN weights of one projection map to NEST weights.

    Attributes:
        nest_per_pynn: NEST weight = PyNN weight * nest_per_pynn.
        sign: +1 (weights must be >= 0), -1 (must be <= 0) or 0 (any sign), in PyNN units.
        units: 'nA' or 'uS'.
    """

    nest_per_pynn: float
    sign: int
    units: str


def weight_units(conductance_based: bool, receptor_type: str, receptor_scale: float = 1.0,
                 standard_receptor: bool = True) -> WeightUnits:
    """Return the unit conversion and sign rule of a projection (see the module table)."""
    units = 'uS' if conductance_based else 'nA'
    scale = PYNN_TO_NEST_WEIGHT * receptor_scale
    if not standard_receptor or receptor_type not in ('excitatory', 'inhibitory'):
        return WeightUnits(scale, 0, units)
    if conductance_based:
        return WeightUnits(-scale if receptor_type == 'inhibitory' else scale, +1, units)
    return WeightUnits(scale, -1 if receptor_type == 'inhibitory' else +1, units)


@dataclass
class ConnectionIndex:
    """Where each NEST connection of a projection sits in the dense matrix.

    Args:
        rows: presynaptic population size.
        cols: postsynaptic population size.
        pre: presynaptic index (0-based) of every connection, in NEST's order.
        post: postsynaptic index (0-based) of every connection, in NEST's order.
    """

    rows: int
    cols: int
    pre: np.ndarray
    post: np.ndarray
    flat: np.ndarray = field(init=False)
    mask: np.ndarray = field(init=False)
    multapses: bool = field(init=False)

    def __post_init__(self):
        self.pre = np.asarray(self.pre, dtype=np.int64)
        self.post = np.asarray(self.post, dtype=np.int64)
        if self.pre.shape != self.post.shape:
            raise ValueError('pre and post index arrays must have the same length')
        if len(self.pre) and (self.pre.min() < 0 or self.pre.max() >= self.rows
                              or self.post.min() < 0 or self.post.max() >= self.cols):
            raise ValueError('connection indices outside the rows x cols matrix')
        self.flat = self.pre * self.cols + self.post
        self.mask = np.zeros(self.rows * self.cols, dtype=bool)
        self.mask[self.flat] = True
        self.multapses = int(self.mask.sum()) != len(self.flat)

    @property
    def connections(self) -> int:
        """Number of connections."""
        return len(self.flat)

    def to_dense(self, values: np.ndarray) -> np.ndarray:
        """Scatter per-connection values into a flat row-major matrix with NaN elsewhere."""
        if self.multapses:
            raise ValueError('the projection has several synapses between the same pair of '
                             'neurons (multapses); a dense matrix cannot represent it')
        dense = np.full(self.rows * self.cols, np.nan)
        dense[self.flat] = values
        return dense

    def from_dense(self, dense: np.ndarray) -> np.ndarray:
        """Gather per-connection values (NEST order) from a flat row-major matrix."""
        return dense[self.flat]


def check_dense_weights(index: ConnectionIndex, units: WeightUnits, rows: int, cols: int,
                        weights) -> np.ndarray:
    """Validate a dense PyNN weight matrix for ``set_weights``.

    Args:
        index: the projection's connection index.
        units: the projection's unit and sign rule.
        rows: number of rows (presynaptic neurons) claimed by the caller.
        cols: number of columns (postsynaptic neurons) claimed by the caller.
        weights: flat row-major sequence of rows*cols floats.

    Returns:
        The flat matrix as a float64 array.

    Raises:
        ValueError: with a message saying what was expected.
    """
    if index.multapses:
        raise ValueError('the projection has several synapses between the same pair of '
                         'neurons (multapses); dense weight access is not defined for it')
    if (rows, cols) != (index.rows, index.cols):
        raise ValueError(f'expected rows={index.rows} (presynaptic neurons) and '
                         f'cols={index.cols} (postsynaptic neurons), got rows={rows}, cols={cols}')
    dense = np.asarray(weights, dtype=np.float64).ravel()
    if dense.size != rows * cols:
        raise ValueError(f'expected {rows * cols} weights (rows*cols = {rows}*{cols}, '
                         f'row-major), got {dense.size}')
    nan = np.isnan(dense)
    missing = index.mask & nan
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(f'{int(missing.sum())} weights are NaN where a connection exists, '
                         f'first at (pre={first // cols}, post={first % cols}); '
                         f'expected a finite number there')
    extra = ~index.mask & ~nan
    if extra.any():
        first = int(np.flatnonzero(extra)[0])
        raise ValueError(f'{int(extra.sum())} weights given where there is no connection, '
                         f'first at (pre={first // cols}, post={first % cols}); '
                         f'expected NaN there (connections cannot be created by set_weights)')
    values = index.from_dense(dense)
    if not np.isfinite(values).all():
        first = int(index.flat[np.flatnonzero(~np.isfinite(values))[0]])
        raise ValueError(f'infinite weight at (pre={first // cols}, post={first % cols}); '
                         f'expected a finite number')
    with np.errstate(over='ignore'):
        overflow = ~np.isfinite(values * units.nest_per_pynn)
    if overflow.any():
        first = int(index.flat[np.flatnonzero(overflow)[0]])
        raise ValueError(f'weight {dense[first]:g} at (pre={first // cols}, post={first % cols}) '
                         f'is not finite in NEST units ({abs(units.nest_per_pynn):g} x '
                         f'{units.units}); expected a finite number')
    if units.sign > 0 and (values < 0).any():
        first = int(index.flat[np.flatnonzero(values < 0)[0]])
        raise ValueError(f'negative weight {dense[first]} at (pre={first // cols}, '
                         f'post={first % cols}); this synapse type expects weights >= 0 '
                         f'({units.units})')
    if units.sign < 0 and (values > 0).any():
        first = int(index.flat[np.flatnonzero(values > 0)[0]])
        raise ValueError(f'positive weight {dense[first]} at (pre={first // cols}, '
                         f'post={first % cols}); inhibitory current-based synapses expect '
                         f'weights <= 0 ({units.units})')
    return dense
