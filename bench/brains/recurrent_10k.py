"""Benchmark brain: 10,000 neurons (8,000 excitatory, 2,000 inhibitory), recurrent.

Deterministic input (spike_generator) so that reset exactness can be checked; about
1e6 recurrent synapses (connection probability 1 %). NEUROBOT_BENCH_N scales the size.
"""

import os

import numpy as np
import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

N = int(os.environ.get('NEUROBOT_BENCH_N', '10000'))
N_EXC, N_INH = int(N * 0.8), N - int(N * 0.8)
N_INPUT = 200
P_CONNECT = 0.005  # about 500,000 recurrent synapses at N = 10,000

rng = np.random.default_rng(4)
spike_times = [sorted(np.round(rng.uniform(1.0, 100.0, 10), 1).tolist()) for _ in range(N_INPUT)]
cell = dict(tau_m=20.0, tau_syn_E=5.0, tau_syn_I=5.0, v_thresh=-50.0, v_reset=-65.0,
            v_rest=-65.0, tau_refrac=2.0, cm=0.25)

stimulus = sim.Population(N_INPUT, sim.SpikeSourceArray(spike_times=spike_times), label='stimulus')
excitatory = sim.Population(N_EXC, sim.IF_curr_exp(**cell), label='excitatory')
inhibitory = sim.Population(N_INH, sim.IF_curr_exp(**cell), label='inhibitory')
v_init = RandomDistribution('uniform', low=-65.0, high=-52.0, rng=NumpyRNG(seed=2))
excitatory.initialize(v=v_init)
inhibitory.initialize(v=v_init)

native = sim.NativeRNG(seed=9)  # NEST draws the connections: fast native Connect
input_to_exc = sim.Projection(stimulus, excitatory,
                              sim.FixedProbabilityConnector(0.05, rng=native),
                              sim.StaticSynapse(weight=0.6, delay=1.0), receptor_type='excitatory')
exc_to_all = sim.Projection(excitatory, excitatory,
                            sim.FixedProbabilityConnector(P_CONNECT, rng=native),
                            sim.StaticSynapse(weight=0.15, delay=1.5), receptor_type='excitatory')
exc_to_inh = sim.Projection(excitatory, inhibitory,
                            sim.FixedProbabilityConnector(P_CONNECT, rng=native),
                            sim.StaticSynapse(weight=0.15, delay=1.5), receptor_type='excitatory')
inh_to_exc = sim.Projection(inhibitory, excitatory,
                            sim.FixedProbabilityConnector(P_CONNECT, rng=native),
                            sim.StaticSynapse(weight=-0.6, delay=0.8), receptor_type='inhibitory')
excitatory.record('spikes')
inhibitory.record('spikes')
