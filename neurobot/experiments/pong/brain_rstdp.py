"""Pong's R-STDP network (NEST's ``PongNetRSTDP``) as a PyNN brain file for brain_node.

``inputs`` (one spike source per grid row; brain_node relays them through parrot
neurons) project all-to-all through static synapses onto ``motor`` (one neuron per row);
motor spikes are recorded. The network does not learn by itself: after every iteration
the experiment computes R-STDP updates (:mod:`experiments.pong.learning`) and writes the
``input_to_motor`` weights through brain_node.

The cells are NEST's ``iaf_psc_exp`` with NEST's defaults, which the original uses
unchanged, written as PyNN parameters (``MOTOR_CELL``). With noise, each motor neuron
gets its own Gaussian white-noise current (NEST's ``noise_generator``, as the original)
and the weights start lower, since the noise adds spikes.

Brain arguments (brain_node's ``brain_args``, :mod:`brain_node.arguments`):
``noise`` (bool, default False), ``neurons`` (rows, default 20).
Units: weights nA, currents pA in NEST's own devices, times ms.
Reference: Wunderlich et al. 2019, https://doi.org/10.3389/fnins.2019.00260.
"""

import nest
import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

from brain_node.arguments import argument

N_NEURONS = argument('neurons', 20)  # input and motor neurons
NOISE = argument('noise', False)

# NEST's iaf_psc_exp defaults in PyNN's units (PyNN's own IF_curr_exp defaults differ).
MOTOR_CELL = {
    'cm': 0.25,  # nF (C_m 250 pF)
    'tau_m': 10.0,  # ms
    'tau_syn_E': 2.0,  # ms
    'tau_syn_I': 2.0,  # ms
    'tau_refrac': 2.0,  # ms
    'v_rest': -70.0,  # mV
    'v_reset': -70.0,  # mV
    'v_thresh': -55.0,  # mV
    'i_offset': 0.0,  # nA
}
V_INITIAL_MV = -70.0  # mV, NEST's initial V_m

WEIGHT_MEAN_NA = 1.3  # nA, input -> motor with noise
WEIGHT_SD_NA = 0.001  # nA
# Without noise the motor neurons lack the noise's extra spikes: weights start 22 % higher.
WEIGHT_MEAN_CLEAN_NA = 1.3 * 1.22  # nA
WEIGHT_SD_CLEAN_NA = 0.005  # nA
DELAY_MS = 1.0  # ms, NEST's default delay
NOISE_SD_PA = 220.0  # pA, standard deviation of each motor neuron's noise current
NOISE_DT_MS = 1.0  # ms, the noise current is redrawn this often (NEST's default)

inputs = sim.Population(N_NEURONS, sim.SpikeSourceArray(spike_times=[]), label='inputs')
motor = sim.Population(N_NEURONS, sim.IF_curr_exp(**MOTOR_CELL),
                       initial_values={'v': V_INITIAL_MV}, label='motor')
mean, sd = (WEIGHT_MEAN_NA, WEIGHT_SD_NA) if NOISE else (WEIGHT_MEAN_CLEAN_NA, WEIGHT_SD_CLEAN_NA)
input_to_motor = sim.Projection(
    inputs, motor, sim.AllToAllConnector(),
    sim.StaticSynapse(weight=RandomDistribution('normal', (mean, sd), rng=NumpyRNG()),
                      delay=DELAY_MS),
    receptor_type='excitatory')

if NOISE:
    # NEST's own generator: PyNN's NoisyCurrentSource would also do, but this is exactly
    # the original's device; a noise_generator draws independent noise for each target.
    noise = nest.Create('noise_generator', params={'std': NOISE_SD_PA, 'dt': NOISE_DT_MS})
    nest.Connect(noise, motor.node_collection)

motor.record('spikes')
