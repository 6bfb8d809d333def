"""Deterministic test brain: spike_generator input into a recurrent network.

No noise anywhere, so a trial after reset_brain must reproduce a fresh brain's spikes
exactly. NEURON_MODEL can be overridden through the environment to run the same
network with other PyNN cell types.
"""

import os

import numpy as np
import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

CELL = os.environ.get('NEUROBOT_TEST_CELL', 'IF_curr_exp')
N_INPUT = 20
N_NEURONS = 60
TRIAL_MS = 100.0  # ms, spike times repeat within one trial

rng = NumpyRNG(seed=7)
spike_times = [sorted(np.round(rng.uniform(1.0, TRIAL_MS, 8), 1).tolist()) for _ in range(N_INPUT)]

conductance = CELL.startswith('IF_cond')
w_in = 0.02 if conductance else 1.2  # uS or nA
w_rec = 0.002 if conductance else 0.1  # uS or nA

stimulus = sim.Population(N_INPUT, sim.SpikeSourceArray(spike_times=spike_times), label='stimulus')
neurons = sim.Population(N_NEURONS, getattr(sim, CELL)(), label='neurons')
neurons.initialize(v=RandomDistribution('uniform', low=-70.0, high=-55.0, rng=NumpyRNG(seed=3)))
drive = sim.Population(10, getattr(sim, CELL)(), label='driven cells')

stimulus_to_neurons = sim.Projection(
    stimulus, neurons, sim.FixedProbabilityConnector(0.4, rng=NumpyRNG(seed=11)),
    sim.StaticSynapse(weight=w_in, delay=RandomDistribution('uniform', low=0.5, high=2.0,
                                                            rng=NumpyRNG(seed=5))),
    receptor_type='excitatory')
recurrent = sim.Projection(
    neurons, neurons, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=13)),
    sim.StaticSynapse(weight=w_rec, delay=1.5), receptor_type='excitatory')
inhibition = sim.Projection(
    neurons, neurons, sim.FixedProbabilityConnector(0.1, rng=NumpyRNG(seed=17)),
    sim.StaticSynapse(weight=w_rec if conductance else -w_rec, delay=0.8),
    receptor_type='inhibitory')

neurons.record('spikes')
drive.record('spikes')
stimulus.record('spikes')
