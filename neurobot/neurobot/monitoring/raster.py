"""Spike raster of the last seconds as an 8-bit image (ROS-free).

:class:`SpikeRaster` keeps the spikes of a sliding window and renders them as a
``uint8`` array that the ``spike_raster`` node publishes as a ``mono8``
``sensor_msgs/Image`` (rqt_image_view, rviz's Image display).

Image layout (exact, so a spike can be found again from its pixel):

- rows are neurons, top to bottom: the populations in the given order, each from its
  neuron 0 down, with ``gap_rows`` rows of GAP_VALUE between two populations;
- columns are time bins of ``bin_ms``, oldest on the left; the image ending at ``end_ms``
  covers ``(end_ms - window_ms, end_ms]`` and column ``k`` holds the spikes with
  ``end_ms - window_ms + k * bin_ms < t <= end_ms - window_ms + (k + 1) * bin_ms``
  (half-open on the left like a brain step, which ends at its stamp), so the rightmost
  column ends at the image's stamp;
- a pixel is SPIKE_VALUE when its neuron spiked in its bin (once or more), else 0.

A spike at (neuron, t) lights exactly one pixel. Times are ms in the time base of the
messages' stamps (PopulationSpikes.spike_times_ms).
"""

import math

import numpy as np

SPIKE_VALUE = 255
GAP_VALUE = 64
BACKGROUND_VALUE = 0
BIN_EPS = 1e-6  # fraction of a bin: times within it of a bin edge count as on the edge


class SpikeRaster:
    """Spikes of a sliding window, rendered on demand.

    Args:
        window_ms: length of the window, a whole number of bins.
        bin_ms: width of one column.
        gap_rows: separator rows between two populations.
    """

    def __init__(self, window_ms: float, bin_ms: float, gap_rows: int = 1):
        if not (bin_ms > 0 and math.isfinite(bin_ms)):
            raise ValueError(f'bin_ms must be a positive number, got {bin_ms!r}')
        if not (window_ms >= bin_ms and math.isfinite(window_ms)):
            raise ValueError(f'window_ms must be at least bin_ms ({bin_ms} ms), got {window_ms!r}')
        n_bins = round(window_ms / bin_ms)
        if abs(n_bins * bin_ms - window_ms) > BIN_EPS * bin_ms:
            raise ValueError(f'window_ms must be a whole number of bins of {bin_ms} ms, '
                             f'got {window_ms}')
        if isinstance(gap_rows, bool) or int(gap_rows) != gap_rows or gap_rows < 0:
            raise ValueError(f'gap_rows must be a whole number >= 0, got {gap_rows!r}')
        self.window_ms = float(window_ms)
        self.bin_ms = float(bin_ms)
        self.n_bins = int(n_bins)
        self.gap_rows = int(gap_rows)
        self.order = []  # population names, top to bottom
        self.sizes = {}  # population -> neurons
        self._chunks = {}  # population -> list of (neurons, times_ms) arrays

    def add(self, population: str, size: int, neurons, times_ms):
        """Take one message's spikes of ``population`` (``size`` neurons).

        A population seen for the first time goes below the others.

        Raises:
            ValueError: neurons and times differ in length, a neuron index is outside
                ``0..size-1``, or the population changed size.
        """
        neurons = np.asarray(neurons, dtype=np.int64)
        times = np.asarray(times_ms, dtype=np.float64)
        if neurons.shape != times.shape or neurons.ndim != 1:
            raise ValueError(f'{population}: expected as many spike times as spike neurons, '
                             f'got {times.size} and {neurons.size}')
        if size <= 0:
            raise ValueError(f'{population}: expected a population size > 0, got {size}')
        if len(neurons) and (neurons.min() < 0 or neurons.max() >= size):
            raise ValueError(f'{population}: neuron indices must lie in 0..{size - 1}, got '
                             f'{neurons.min()}..{neurons.max()}')
        if population in self.sizes and self.sizes[population] != size:
            raise ValueError(f'{population}: had {self.sizes[population]} neurons, now {size}')
        if population not in self.sizes:
            self.order.append(population)
            self.sizes[population] = int(size)
            self._chunks[population] = []
        if len(neurons):
            self._chunks[population].append((neurons, times))

    def set_order(self, populations):
        """Put known populations in this order (top to bottom); others follow."""
        known = [p for p in populations if p in self.sizes]
        self.order = known + [p for p in self.order if p not in known]

    def clear(self):
        """Forget every spike (time went backwards); populations and sizes stay."""
        for chunks in self._chunks.values():
            chunks.clear()

    def forget_before(self, start_ms: float):
        """Drop spikes at or before ``start_ms`` (they can no longer be in a window)."""
        for population, chunks in self._chunks.items():
            kept = []
            for neurons, times in chunks:
                if times.size and times.max() > start_ms:
                    keep = times > start_ms
                    kept.append((neurons[keep], times[keep]))
            self._chunks[population] = kept

    def first_rows(self) -> dict:
        """Population -> its first image row."""
        rows, row = {}, 0
        for population in self.order:
            rows[population] = row
            row += self.sizes[population] + self.gap_rows
        return rows

    @property
    def n_rows(self) -> int:
        sizes = [self.sizes[p] for p in self.order]
        return sum(sizes) + self.gap_rows * max(len(sizes) - 1, 0)

    def column(self, times_ms, end_ms: float) -> np.ndarray:
        """Column of each time in the image ending at ``end_ms``; -1 outside the window."""
        x = (np.asarray(times_ms, dtype=np.float64) - (end_ms - self.window_ms)) / self.bin_ms
        inside = (x > BIN_EPS) & (x <= self.n_bins + BIN_EPS)
        return np.where(inside, np.ceil(x - BIN_EPS).astype(np.int64) - 1, -1)

    def render(self, end_ms: float) -> np.ndarray:
        """The image of ``(end_ms - window_ms, end_ms]``: uint8, n_rows x n_bins."""
        image = np.full((self.n_rows, self.n_bins), BACKGROUND_VALUE, dtype=np.uint8)
        for population, first in self.first_rows().items():
            size = self.sizes[population]
            if population != self.order[-1] and self.gap_rows:
                image[first + size:first + size + self.gap_rows, :] = GAP_VALUE
            for neurons, times in self._chunks[population]:
                columns = self.column(times, end_ms)
                inside = columns >= 0
                image[first + neurons[inside], columns[inside]] = SPIKE_VALUE
        return image


class PublishSchedule:
    """When to publish: each time the data reach the next multiple of ``period_ms``.

    The raster node feeds it the time up to which every population's spikes have
    arrived; publishing at data time (not on a timer) makes every image complete and
    the same in every run.
    """

    def __init__(self, period_ms: float):
        if not (period_ms > 0 and math.isfinite(period_ms)):
            raise ValueError(f'period_ms must be a positive number, got {period_ms!r}')
        self.period_ms = float(period_ms)
        self.next_ms = None

    def reset(self):
        """Start again (time went backwards): the next data are published at once."""
        self.next_ms = None

    def due(self, complete_ms: float) -> bool:
        """True for the first data and whenever ``complete_ms`` reaches the next boundary.

        The boundaries are the multiples of ``period_ms`` (the boundary then moves past
        ``complete_ms``).
        """
        if self.next_ms is None or complete_ms + BIN_EPS >= self.next_ms:
            self.next_ms = ((math.floor(complete_ms / self.period_ms + BIN_EPS) + 1)
                            * self.period_ms)
            return True
        return False
