"""A brain whose projections share presynaptic neurons and synapse model (issue 10's case).

Two static projections leave ``exc`` (one of them recurrent, target-major lists so that
NEST's re-sort by source shuffles them), plus an inhibitory one and an STDP one. Driven
by a deterministic spike_generator-backed SpikeSourceArray, so runs are reproducible.
Environment: NEUROBOT_TEST_MULTAPSES=1 adds a projection with multapses;
NEUROBOT_TEST_PLASTIC=0 leaves the STDP projection out (exact reset needs no plastic
synapse: NEST cannot reset their spike history).
"""

import os

import numpy as np
import pyNN.nest as sim

rng = np.random.default_rng(7)
source = sim.Population(10, sim.SpikeSourceArray(
    spike_times=[sim.Sequence(np.arange(1.0 + i, 400.0, 7.0)) for i in range(10)]),
    label='source')
exc = sim.Population(10, sim.IF_curr_exp(tau_refrac=2.0), label='exc')
inh = sim.Population(5, sim.IF_curr_exp(), label='inh')
exc.record('spikes')
inh.record('spikes')
drive = sim.Projection(source, exc, sim.OneToOneConnector(), sim.StaticSynapse(weight=2.5),
                       receptor_type='excitatory')
# target-major list with distinct weights: any mix-up of synapses shows in the values
forward_list = [(i, j, 0.5 + 0.01 * (10 * j + i), 1.0) for j in range(5) for i in range(10)]
forward = sim.Projection(exc, inh, sim.FromListConnector(forward_list,
                                                         column_names=['weight', 'delay']),
                         sim.StaticSynapse(), receptor_type='excitatory')
recurrent_list = [(i, j, 0.004 + 0.0001 * (10 * j + i), 1.5)
                  for j in range(10) for i in range(10) if i != j and rng.random() < 0.6]
rng.shuffle(recurrent_list)
recurrent = sim.Projection(exc, exc, sim.FromListConnector(recurrent_list,
                                                           column_names=['weight', 'delay']),
                           sim.StaticSynapse(), receptor_type='excitatory')
inhibition = sim.Projection(inh, exc, sim.AllToAllConnector(),
                            sim.StaticSynapse(weight=-0.3), receptor_type='inhibitory')
if os.environ.get('NEUROBOT_TEST_PLASTIC', '1') == '1':
    plastic = sim.Projection(source, inh, sim.AllToAllConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01,
                                            A_minus=0.012),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
        weight=0.3, delay=1.0), receptor_type='excitatory')
if os.environ.get('NEUROBOT_TEST_MULTAPSES') == '1':
    multapses = sim.Projection(source, exc, sim.FromListConnector(
        [(0, 1, 0.1, 1.0), (0, 1, 0.2, 1.0), (2, 3, 0.3, 1.0)],
        column_names=['weight', 'delay']), sim.StaticSynapse(), receptor_type='excitatory')
