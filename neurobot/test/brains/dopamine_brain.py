"""A small brain with NEST's dopamine-modulated STDP (stdp_dopamine_synapse).

``cue`` drives ``actor`` through dopamine synapses; ``dopamine`` fires into a volume
transmitter. PyNN 0.13 cannot pass a volume transmitter as a synapse parameter, so it is
set on the labelled model PyNN connects with (see test/generated/brain_generator.py for
why). Deterministic input, so the eligibility traces after a few steps are reproducible.
"""

import nest
import numpy as np
import pyNN.nest as sim

cue = sim.Population(8, sim.SpikeSourceArray(
    spike_times=[sim.Sequence(np.arange(2.0 + i, 500.0, 9.0)) for i in range(8)]), label='cue')
actor = sim.Population(4, sim.IF_curr_exp(tau_refrac=2.0), label='actor')
dopamine = sim.Population(2, sim.SpikeSourceArray(
    spike_times=[sim.Sequence(np.arange(30.0, 500.0, 40.0))] * 2), label='dopamine')
actor.record('spikes')

DopamineSynapse = sim.native_synapse_type('stdp_dopamine_synapse')
for key in ('volume_transmitter', 'c', 'n'):
    DopamineSynapse.default_parameters.pop(key)
volume_transmitter = nest.Create('volume_transmitter')
nest.SetDefaults('stdp_dopamine_synapse_lbl', {'volume_transmitter': volume_transmitter})
nest.Connect(dopamine.node_collection, volume_transmitter)
# The rule's constants go in as synapse parameters: PyNN writes every common property
# from the synapse type when it connects, replacing values set with nest.SetDefaults.
RULE = dict(A_plus=0.05, A_minus=0.06, tau_c=200.0, tau_n=100.0, tau_plus=20.0,
            Wmin=0.0, Wmax=2000.0, b=0.0)  # ms, pA
learning = sim.Projection(cue, actor, sim.AllToAllConnector(),
                          DopamineSynapse(weight=800.0, delay=1.0, **RULE),  # pA (native)
                          receptor_type='excitatory')
