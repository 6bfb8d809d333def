"""Benchmark brain: one N x N all-to-all projection (default 1000 x 1000 = 1e6 synapses).

Environment: NEUROBOT_BENCH_N (neurons per side), NEUROBOT_BENCH_PLASTIC (1: STDP synapses).
"""

import os

import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

N = int(os.environ.get('NEUROBOT_BENCH_N', '1000'))
PLASTIC = os.environ.get('NEUROBOT_BENCH_PLASTIC', '0') == '1'

pre = sim.Population(N, sim.SpikeSourcePoisson(rate=0.0), label='pre')
post = sim.Population(N, sim.IF_curr_exp(), label='post')
weights = RandomDistribution('uniform', low=0.1, high=1.0, rng=NumpyRNG(seed=1))  # nA
if PLASTIC:
    synapse = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0,
                                            A_plus=0.01, A_minus=0.01),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=2.0),
        weight=weights, delay=1.0)
else:
    synapse = sim.StaticSynapse(weight=weights, delay=1.0)
projection = sim.Projection(pre, post, sim.AllToAllConnector(), synapse,
                            receptor_type='excitatory')
