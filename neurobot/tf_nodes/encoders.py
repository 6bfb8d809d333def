"""Sensor values to Poisson rates (Hz): the body-to-brain half of a transfer function.

Pure numpy, no ROS: a transfer-function node converts its message to arrays, calls
one of these and sets the rates of a population of Poisson generators, one rate per
neuron. Every encoder returns float64 rates >= 0 in Hz.

* :func:`linear_rates` -- a value in ``[lo, hi]`` mapped linearly onto a rate range.
* :func:`gaussian_rates` -- Gaussian receptive fields (tuning curves) over a 1-D
  variable, optionally periodic (a heading); :func:`preferred_values` spaces them.
* :func:`place_cell_rates` -- 2-D Gaussian place fields, several cells per field if
  wanted; :func:`grid_centres_m` puts one field on every maze cell.
* :func:`scan_sectors_m` / :func:`scan_rates` -- a laser scan reduced to the nearest
  obstacle per sector, then to rates (closer = higher).

Gaussian tuning follows the usual population-coding form (Pouget et al. 2000):
``rate = baseline + (peak - baseline) * exp(-d**2 / (2 sigma**2))``, so the rate is
exactly ``peak_rate_hz`` at the preferred value and tends to ``baseline_rate_hz``
far from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import float_array, integer, non_negative, positive, real


def _rate_range(min_rate_hz: Any, max_rate_hz: Any, min_name: str = 'min_rate_hz',
                max_name: str = 'max_rate_hz') -> tuple[float, float]:
    low = non_negative(min_name, min_rate_hz)
    high = non_negative(max_name, max_rate_hz)
    if high < low:
        raise ValueError(f'{max_name}: expected >= {min_name} ({low} Hz), got {high} Hz')
    return low, high


def _scalar_or_array(result: np.ndarray, scalar_input: bool) -> float | np.ndarray:
    return float(result) if scalar_input else result


def linear_rates(value: Any, lo: float, hi: float, *, max_rate_hz: float,
                 min_rate_hz: float = 0.0, invert: bool = False) -> float | np.ndarray:
    """Map values in ``[lo, hi]`` linearly onto ``[min_rate_hz, max_rate_hz]``.

    Values outside ``[lo, hi]`` are clipped to the nearer end, so an out-of-range
    sensor saturates rather than producing a negative or runaway rate; ``+inf`` and
    ``-inf`` saturate the same way.

    Args:
        value: A number or an array of any shape (NaN is refused).
        lo: Value mapped to ``min_rate_hz`` (to ``max_rate_hz`` if ``invert``).
        hi: Value mapped to ``max_rate_hz`` (to ``min_rate_hz`` if ``invert``); > ``lo``.
        max_rate_hz: Highest rate, >= ``min_rate_hz``.
        min_rate_hz: Lowest rate, >= 0.
        invert: ``True`` for a falling map (e.g. distance: closer = higher rate).

    Returns:
        A float for a scalar ``value``, else a float64 array of the same shape.

    Raises:
        TypeError: if an argument is not numeric.
        ValueError: for NaN values, ``hi <= lo`` or a bad rate range.
    """
    lo = real('lo', lo)
    hi = real('hi', hi)
    if not hi > lo:
        raise ValueError(f'hi: expected a number > lo ({lo}), got {hi}')
    low, high = _rate_range(min_rate_hz, max_rate_hz)
    values = float_array('value', value, allow_inf=True)
    fraction = (np.clip(values, lo, hi) - lo) / (hi - lo)
    if invert:
        fraction = 1.0 - fraction
    return _scalar_or_array(low + fraction * (high - low), np.ndim(value) == 0)


def preferred_values(lo: float, hi: float, n: int, *, periodic: bool = False) -> np.ndarray:
    """Evenly spaced preferred values for ``n`` Gaussian receptive fields.

    Args:
        lo: Lower end of the encoded range.
        hi: Upper end, > ``lo``.
        n: Number of fields, >= 1.
        periodic: ``False``: fields at both ends, ``lo`` and ``hi`` included (a single
            field sits in the middle). ``True``: the range is one period (e.g.
            ``-pi``, ``pi``), so ``hi`` is the same point as ``lo`` and is left out.

    Returns:
        A float64 array of ``n`` preferred values, increasing.
    """
    lo = real('lo', lo)
    hi = real('hi', hi)
    if not hi > lo:
        raise ValueError(f'hi: expected a number > lo ({lo}), got {hi}')
    n = integer('n', n, minimum=1)
    if periodic:
        return np.linspace(lo, hi, n, endpoint=False)
    if n == 1:
        return np.array([(lo + hi) / 2.0])
    return np.linspace(lo, hi, n)


def gaussian_rates(value: Any, centres: Any, sigma: float, *, peak_rate_hz: float,
                   baseline_rate_hz: float = 0.0,
                   period: float | None = None) -> np.ndarray:
    """Rates of Gaussian receptive fields over a 1-D variable.

    ``rate_i = baseline + (peak - baseline) * exp(-(value - centres[i])**2 / (2 sigma**2))``.

    Args:
        value: The encoded value: a number, or an array of any shape (finite).
        centres: 1-D array of preferred values, one per neuron (see
            :func:`preferred_values`).
        sigma: Tuning width (standard deviation), in the units of ``value``; > 0.
        peak_rate_hz: Rate at the preferred value, >= ``baseline_rate_hz``.
        baseline_rate_hz: Rate far from the preferred value, >= 0.
        period: For a periodic variable (an angle: ``2 * pi``), the distance is taken
            the short way round; ``None`` for a plain line.

    Returns:
        Float64 rates of shape ``np.shape(value) + (len(centres),)``.

    Raises:
        TypeError: if an argument is not numeric.
        ValueError: for NaN/inf values or centres, an empty ``centres``, ``sigma <= 0``
            or a bad rate range.
    """
    values = float_array('value', value)
    centres = float_array('centres', centres, ndim=1)
    if centres.size == 0:
        raise ValueError('centres: expected at least one preferred value, got none')
    sigma = positive('sigma', sigma)
    baseline, peak = _rate_range(baseline_rate_hz, peak_rate_hz,
                                 'baseline_rate_hz', 'peak_rate_hz')
    distance = values[..., np.newaxis] - centres
    if period is not None:
        period = positive('period', period)
        distance = np.mod(distance + period / 2.0, period) - period / 2.0
    return baseline + (peak - baseline) * np.exp(-0.5 * (distance / sigma) ** 2)


def grid_centres_m(n_rows: int, n_cols: int, cell_size_m: float) -> np.ndarray:
    """Centres of the cells of a maze grid, one place field per cell.

    Uses the maze convention of :mod:`neurobot.world.maze`: cell ``(r, c)`` (row 0
    at the top, north) has its centre at ``x = (c + 0.5) * cell_size_m``,
    ``y = (n_rows - r - 0.5) * cell_size_m``, and cells come in reading order, so
    field ``r * n_cols + c`` belongs to cell ``(r, c)`` as in ``Maze.cells()``.

    Returns:
        A float64 array of shape ``(n_rows * n_cols, 2)`` of ``(x, y)`` in metres.
    """
    n_rows = integer('n_rows', n_rows, minimum=1)
    n_cols = integer('n_cols', n_cols, minimum=1)
    cell_size_m = positive('cell_size_m', cell_size_m)
    rows, cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    return np.column_stack(((cols + 0.5) * cell_size_m, (n_rows - rows - 0.5) * cell_size_m))


def place_cell_rates(position_m: Any, centres_m: Any, sigma_m: float, *,
                     peak_rate_hz: float, baseline_rate_hz: float = 0.0,
                     cells_per_centre: int = 1) -> np.ndarray:
    """Rates of 2-D Gaussian place cells for a position.

    ``rate = baseline + (peak - baseline) * exp(-|position - centre|**2 / (2 sigma_m**2))``
    (an isotropic field). With ``cells_per_centre = k`` every field is shared by ``k``
    neurons with the same rate, so a brain can give each place several input cells;
    neurons of one field are contiguous: neuron ``i * k + j`` is cell ``j`` of field ``i``.

    Args:
        position_m: ``(x, y)`` in metres, or an array of positions of shape ``(..., 2)``.
        centres_m: Field centres, shape ``(n_centres, 2)``, in metres (see
            :func:`grid_centres_m`).
        sigma_m: Field width (standard deviation) in metres, > 0.
        peak_rate_hz: Rate at a field's centre, >= ``baseline_rate_hz``.
        baseline_rate_hz: Rate far from the centre, >= 0.
        cells_per_centre: Neurons per field, >= 1.

    Returns:
        Float64 rates of shape ``position.shape[:-1] + (n_centres * cells_per_centre,)``.

    Raises:
        TypeError: if an argument is not numeric.
        ValueError: for a wrong shape, NaN/inf, ``sigma_m <= 0`` or a bad rate range.
    """
    position = float_array('position_m', position_m)
    if position.ndim == 0 or position.shape[-1] != 2:
        raise ValueError(f'position_m: expected (x, y) or shape (..., 2), got shape '
                         f'{position.shape}')
    centres = float_array('centres_m', centres_m, ndim=2)
    if centres.shape[0] == 0 or centres.shape[1] != 2:
        raise ValueError(f'centres_m: expected shape (n_centres >= 1, 2), got {centres.shape}')
    sigma_m = positive('sigma_m', sigma_m)
    baseline, peak = _rate_range(baseline_rate_hz, peak_rate_hz,
                                 'baseline_rate_hz', 'peak_rate_hz')
    cells_per_centre = integer('cells_per_centre', cells_per_centre, minimum=1)
    squared_m2 = ((position[..., np.newaxis, :] - centres) ** 2).sum(axis=-1)
    rates = baseline + (peak - baseline) * np.exp(-0.5 * squared_m2 / sigma_m ** 2)
    return np.repeat(rates, cells_per_centre, axis=-1) if cells_per_centre > 1 else rates


def scan_sectors_m(ranges_m: Any, n_sectors: int, range_max_m: float, *,
                   offset_beams: int = 0) -> np.ndarray:
    """Nearest obstacle per sector of a laser scan.

    The beams, in scan order, are split into ``n_sectors`` contiguous sectors of
    (nearly) equal size: beam ``i`` (after the offset) falls in sector
    ``floor(i * n_sectors / n_beams)``. Readings follow REP 117: ``+inf`` (nothing in
    range) and NaN (no valid reading) count as ``range_max_m``, ``-inf`` (too close
    to measure) as 0; finite readings beyond ``range_max_m`` are clipped to it.

    Args:
        ranges_m: 1-D array of ``n_beams >= n_sectors`` ranges in metres.
        n_sectors: Number of sectors, >= 1.
        range_max_m: Sensor range, > 0.
        offset_beams: Sector 0 starts at this beam (wrapping round), so sectors can
            be centred on the front: with ``neurobot.world`` scans (beam 0 pointing
            backwards, beams counter-clockwise) and 4 sectors of 90 beams out of 360,
            ``offset_beams=-45`` gives back, right, front, left.

    Returns:
        Float64 array of ``n_sectors`` minimum ranges in ``[0, range_max_m]``.

    Raises:
        TypeError: if an argument is not numeric.
        ValueError: for a wrong shape, fewer beams than sectors, a negative finite
            range or ``range_max_m <= 0``.
    """
    ranges = float_array('ranges_m', ranges_m, ndim=1, allow_nan=True, allow_inf=True)
    n_sectors = integer('n_sectors', n_sectors, minimum=1)
    range_max_m = positive('range_max_m', range_max_m)
    offset_beams = integer('offset_beams', offset_beams)
    n_beams = ranges.shape[0]
    if n_beams < n_sectors:
        raise ValueError(f'ranges_m: expected at least n_sectors={n_sectors} beams, '
                         f'got {n_beams}')
    finite = np.isfinite(ranges)
    if (ranges[finite] < 0.0).any():
        raise ValueError(f'ranges_m: expected ranges >= 0 m, got {ranges[finite].min()}')
    ranges = np.where(np.isnan(ranges) | (ranges == np.inf), range_max_m, ranges)
    ranges = np.clip(ranges, 0.0, range_max_m)  # -inf -> 0 (too close), far -> max
    if offset_beams % n_beams:
        ranges = np.roll(ranges, -offset_beams)
    starts = (np.arange(n_sectors) * n_beams + n_sectors - 1) // n_sectors  # ceil(k N / K)
    return np.minimum.reduceat(ranges, starts)


def scan_rates(ranges_m: Any, n_sectors: int, range_max_m: float, *, max_rate_hz: float,
               min_rate_hz: float = 0.0, range_min_m: float = 0.0,
               offset_beams: int = 0) -> np.ndarray:
    """Laser scan to one rate per sector: the nearer the obstacle, the higher the rate.

    The sector minima of :func:`scan_sectors_m` are mapped linearly: ``range_min_m``
    or closer gives ``max_rate_hz``, ``range_max_m`` (or nothing seen) gives
    ``min_rate_hz``.

    Args:
        ranges_m: 1-D array of ranges in metres (see :func:`scan_sectors_m`).
        n_sectors: Number of sectors (= input neurons), >= 1.
        range_max_m: Distance at and beyond which the rate is ``min_rate_hz``; > 0.
        max_rate_hz: Rate for an obstacle at ``range_min_m`` or closer.
        min_rate_hz: Rate for a free sector, >= 0.
        range_min_m: Distance at and below which the rate is ``max_rate_hz``; in
            ``[0, range_max_m)``.
        offset_beams: See :func:`scan_sectors_m`.

    Returns:
        Float64 array of ``n_sectors`` rates in Hz.
    """
    range_max_m = positive('range_max_m', range_max_m)
    range_min_m = non_negative('range_min_m', range_min_m)
    if not range_min_m < range_max_m:
        raise ValueError(f'range_min_m: expected a distance < range_max_m ({range_max_m} m), '
                         f'got {range_min_m}')
    sectors_m = scan_sectors_m(ranges_m, n_sectors, range_max_m, offset_beams=offset_beams)
    return linear_rates(sectors_m, range_min_m, range_max_m, max_rate_hz=max_rate_hz,
                        min_rate_hz=min_rate_hz, invert=True)
