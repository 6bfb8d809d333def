"""Set PyNN up for brain_node, run a brain file, and take over what PyNN would do at run().

brain_node builds with PyNN and steps with NEST, never calling PyNN's ``run()``. This
module does the parts of PyNN's set-up and first ``run()`` brain_node still needs:

- :func:`setup_pynn`: ``sim.setup`` with brain_node's resolution, threads and seed, and a
  quiet start (no NEST banner, no PyNN complaint that it cannot build NEST extensions:
  brain_node needs none);
- :func:`build`: runs the brain file with every unseeded PyNN ``NumpyRNG`` seeded from
  brain_node's seed (:class:`seeded_numpy_rngs`), connects spike sources to their parrot
  neurons as PyNN's first ``run()`` would (:func:`connect_deferred_parrots`), and takes the
  spike recording the file asked for (:func:`take_over_recording`).

All other functions and classes are private.
"""

import logging
import os
import warnings

import numpy as np

from brain_node.loader import LoadedBrain, load_brain_file

_log = logging.getLogger(__name__)
# PyNN 0.13 itself still calls nest.SetStatus/GetStatus (pyNN/nest/recording.py,
# populations.py), which NEST 3.10 answers with a deprecation warning at every brain load.
# Only those two messages are silenced; brain_node's own code calls neither.
warnings.filterwarnings('ignore', message=r'\s*(Set|Get)Status\(\) is deprecated',
                        category=UserWarning)


# Fraction of the spike buffer below which NEST shrinks it; 0 = never (see setup_pynn).
SPIKE_BUFFER_SHRINK_LIMIT = 0.0


def setup_pynn(resolution_ms: float, threads: int, seed: int, spike_precision: str):
    """Import and set up pyNN.nest; returns (nest, sim)."""
    os.environ.setdefault('PYNEST_QUIET', '1')  # no NEST banner in node logs
    with warnings.catch_warnings():
        # PyNN warns when it cannot compile its NEST extension module (no nest-config in a
        # pip install); brain_node uses none of the extension's models.
        warnings.simplefilter('ignore')
        logging.getLogger('PyNN').setLevel(logging.ERROR)
        import nest
        import pyNN.nest as sim
    nest.verbosity = nest.VerbosityLevel.ERROR  # (set_verbosity() is deprecated in NEST 3.10)
    sim.setup(timestep=resolution_ms, threads=int(threads), rng_seed=int(seed),
              spike_precision=spike_precision, verbosity='error')
    # NEST 3.10 logs a spike-buffer "shrink" in every min-delay slice in which a quiet
    # network sends fewer spikes than the shrink limit allows, even when the buffer is
    # already at its smallest and its size does not change: one entry per slice, 200,000
    # after 200 s of brain time. Every kernel-status read converts the whole log to numpy
    # (5 ms after 40 s, growing with brain time), and get_weights/set_weights read kernel
    # status to detect re-sorted connections, so they slowed down the longer a brain ran.
    # A shrink limit of 0 (NEST: "buffers never shrink") stops the log; buffer sizes only
    # affect communication, never the spikes delivered. A brain file may set its own.
    nest.spike_buffer_shrink_limit = SPIKE_BUFFER_SHRINK_LIMIT
    np.random.seed(int(seed) % 2**32)
    return nest, sim


def build(path: str, sim, resolution_ms: float, seed: int):
    """Run the brain file; returns (LoadedBrain, population name -> recorded cell ids)."""
    with seeded_numpy_rngs(seed):
        loaded: LoadedBrain = load_brain_file(path, sim, resolution_ms)
    recorded = take_over_recording(loaded.populations)
    connect_deferred_parrots()
    return loaded, recorded


def connect_deferred_parrots():
    """Connect spike sources to their parrot neurons, as PyNN's first run() would.

    PyNN defers these connections until min_delay is known; brain_node never calls
    PyNN's run(), so it makes them here.
    """
    from pyNN.nest import simulator
    for population in simulator.state.populations:
        if getattr(population, '_deferred_parrot_connections', False):
            population._connect_parrot_neurons()


def take_over_recording(populations: dict) -> dict:
    """Take the spike recording a brain file asked PyNN for; brain_node records itself.

    PyNN would connect its own recorders at the first run and keep every spike in
    memory for ever; brain_node instead reads one spike_recorder per step and clears it.

    Returns:
        population name -> set of recorded cell ids.
    """
    from pyNN.nest import simulator
    recorded = {}
    for name, pop in populations.items():
        recorder = getattr(pop, 'recorder', None)
        if recorder is None:
            continue
        for variable, ids in recorder.recorded.items():
            var_name = getattr(variable, 'name', variable)
            if var_name == 'spikes' and ids:
                recorded[name] = set(ids)
            elif ids:
                _log.warning('population %s records %r: brain_node publishes spikes only, '
                             'so this recording is ignored', name, var_name)
    simulator.state.recording_devices[:] = []
    return recorded


class seeded_numpy_rngs:
    """Give every PyNN NumpyRNG created without a seed a seed derived from ``seed``.

    PyNN seeds an unseeded NumpyRNG from the operating system, so a brain file using
    RandomDistribution without an explicit rng would differ on every start. Within this
    context the k-th unseeded NumpyRNG gets ``seed + k``. (PyNN's connectors are not
    affected: without an rng they use PyNN's own fixed seed, as they do outside brain_node.)
    """

    def __init__(self, seed: int):
        self.seed = seed

    def __enter__(self):
        from pyNN import random as pynn_random
        self._cls = pynn_random.NumpyRNG
        self._original = self._cls.__init__
        counter = iter(range(1, 1 << 30))
        original, base = self._original, self.seed

        def seeded_init(rng, seed=None, parallel_safe=True):
            if seed is None:
                seed = (base + next(counter)) % 2**31
            original(rng, seed, parallel_safe)

        self._cls.__init__ = seeded_init
        return self

    def __exit__(self, *exc):
        self._cls.__init__ = self._original
        return False
