"""Test brain with an STDP projection: weights change while the brain runs."""

import numpy as np
import pyNN.nest as sim

rng = np.random.default_rng(3)
spike_times = [sorted(np.round(rng.uniform(1.0, 200.0, 30), 1).tolist()) for _ in range(10)]

stimulus = sim.Population(10, sim.SpikeSourceArray(spike_times=spike_times), label='stimulus')
neurons = sim.Population(5, sim.IF_curr_exp(), label='neurons')

stdp = sim.STDPMechanism(
    timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.05, A_minus=0.05),
    weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=5.0),
    weight=2.0, delay=1.0)
learning = sim.Projection(stimulus, neurons, sim.AllToAllConnector(), stdp,
                          receptor_type='excitatory')
neurons.record('spikes')
