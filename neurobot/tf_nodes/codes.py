"""Translation helpers for transfer functions, brain <-> robot codes, in one namespace.

ROS-free and numpy-only (the velocity type comes from :mod:`neurobot.world.world`);
transfer-function nodes import from here and convert to and from messages
themselves. The helpers live in:

* :mod:`.encoders` -- sensor values to Poisson rates: linear, Gaussian receptive
  fields, place cells, laser-scan sectors.
* :mod:`.decoders` -- spike counts to decisions (winner-take-all, population
  vector), to a body-frame :class:`Twist2D`, and to rates.
* :mod:`.temporal` -- :class:`SpikeWindow` (the last ``window_ms`` of a population's
  spikes, as counts, rates or time bins) and :class:`LeakyIntegrator`.
* :mod:`.throttle` -- :class:`Throttle`, at most ``rate_hz`` calls per simulated second.
"""

from .decoders import (COMPASS_4_RAD, COMPASS_8_RAD, Decision, PopulationVector, Twist2D,
                       counts_to_rates_hz, direction_twist, group_counts, population_vector,
                       vector_twist, winner_take_all)
from .encoders import (gaussian_rates, grid_centres_m, linear_rates, place_cell_rates,
                       preferred_values, scan_rates, scan_sectors_m)
from .temporal import LeakyIntegrator, SpikeWindow
from .throttle import Throttle

__all__ = [
    'COMPASS_4_RAD', 'COMPASS_8_RAD', 'Decision', 'LeakyIntegrator', 'PopulationVector',
    'SpikeWindow', 'Throttle', 'Twist2D', 'counts_to_rates_hz', 'direction_twist',
    'gaussian_rates', 'grid_centres_m', 'group_counts', 'linear_rates', 'place_cell_rates',
    'population_vector', 'preferred_values', 'scan_rates', 'scan_sectors_m', 'vector_twist',
    'winner_take_all',
]
