"""Example brain for brain_node: Poisson sensors driving an excitatory/inhibitory network.

An ordinary PyNN script: brain_node sets PyNN up (time step, threads, seed) and then
executes this file, so it only builds the network. Populations and projections are
named after their variables (``sensors``, ``sensors_to_excitatory``, ...); topics are
``brain/<population>/stimulus`` (inputs) and ``brain/<population>/spikes`` (outputs).

Units (PyNN): rates Hz, times ms, weights nA (current-based cells), currents nA.
"""

import pyNN.nest as sim
from pyNN.random import RandomDistribution

N_SENSORS = 20  # Poisson input channels
N_EXCITATORY = 80
N_INHIBITORY = 20
SENSOR_RATE_HZ = 10.0  # until a stimulus message sets other rates

cell_parameters = {
    'tau_m': 20.0,  # ms
    'tau_refrac': 2.0,  # ms
    'tau_syn_E': 5.0,  # ms
    'tau_syn_I': 5.0,  # ms
    'v_rest': -65.0,  # mV
    'v_reset': -65.0,  # mV
    'v_thresh': -50.0,  # mV
    'cm': 0.25,  # nF
}

sensors = sim.Population(N_SENSORS, sim.SpikeSourcePoisson(rate=SENSOR_RATE_HZ), label='sensors')
excitatory = sim.Population(N_EXCITATORY, sim.IF_curr_exp(**cell_parameters), label='excitatory')
inhibitory = sim.Population(N_INHIBITORY, sim.IF_curr_exp(**cell_parameters), label='inhibitory')
excitatory.initialize(v=RandomDistribution('uniform', low=-65.0, high=-55.0))
inhibitory.initialize(v=-65.0)

sensors_to_excitatory = sim.Projection(
    sensors, excitatory, sim.FixedProbabilityConnector(0.5),
    sim.StaticSynapse(weight=RandomDistribution('uniform', low=0.5, high=1.5), delay=1.0),
    receptor_type='excitatory')
excitatory_to_inhibitory = sim.Projection(
    excitatory, inhibitory, sim.FixedProbabilityConnector(0.2),
    sim.StaticSynapse(weight=0.3, delay=1.0), receptor_type="excitatory")
inhibitory_to_excitatory = sim.Projection(
    inhibitory, excitatory, sim.FixedProbabilityConnector(0.3),
    sim.StaticSynapse(weight=-1.0, delay=1.0), receptor_type='inhibitory')

for population in (sensors, excitatory, inhibitory):
    population.record('spikes')
