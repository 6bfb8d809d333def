"""Pong's dopamine actor-critic (NEST's ``PongNetDopa``) as a PyNN brain file for brain_node.

Actor: ``inputs`` (one spike source per grid row, relayed by parrots) -> ``motor``
through NEST's ``stdp_dopamine_synapse``. Critic: ``inputs`` -> ``striatum`` (dopamine
synapses too) -> ``vp`` (inhibitory) -> ``dopa``, plus a direct inhibitory
``striatum`` -> ``dopa`` path delayed by one iteration (``DIRECT_DELAY_MS``), so the
dopaminergic neurons compare this iteration's value with the last one's. ``dopa`` fires
into the volume transmitter that modulates every dopamine synapse. The experiment adds
the reward current to ``dopa`` as DC input (brain_node's stimulus, nA) during the first
32 ms of each iteration (:func:`experiments.pong.learning.dopamine_current_na`): the
file declares that window in ``STIMULUS_WINDOWS_MS``, so brain_node ends the current
there within the iteration's step (the original's ``dc_generator`` start and stop).

Dopamine synapses in PyNN 0.13 + NEST 3.10 (see neurobot/test/generated/brain_generator.py):
the native type's ``volume_transmitter``, ``c`` and ``n`` are dropped from its defaults,
the volume transmitter is set on the labelled model PyNN connects with, and the native
type takes weights in NEST's pA (brain_node reports them / 1000, as nA). The rule's
constants (``Wmax``, ``tau_c``, ...) are NEST common properties shared by both dopamine
projections; they are passed as synapse parameters, because PyNN writes every common
property from the synapse type's parameters when it connects, which would overwrite
values set earlier with ``nest.SetDefaults`` by NEST's defaults (``Wmax`` 200 pA).

Brain arguments (brain_node's ``brain_args``, :mod:`brain_node.arguments`): ``noise``
(bool: 15 Hz Poisson noise into the motor neurons, default False), ``neurons`` (rows,
default 20). NEST allows one such network per simulation:
all dopamine synapses of a model share one volume transmitter.
Reference: Potjans et al. 2011, https://doi.org/10.1371/journal.pcbi.1001133.
"""

import nest
import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

from brain_node.arguments import argument

N_NEURONS = argument('neurons', 20)  # input and motor neurons
NOISE = argument('noise', False)
N_CRITIC = 8  # neurons in each of striatum, vp and dopa
REWARD_WINDOW_MS = 32.0  # ms, the reward current flows this long at an iteration's start
STIMULUS_WINDOWS_MS = {'dopa': REWARD_WINDOW_MS}  # brain_node: dopa's stimulus is a pulse

# NEST's iaf_psc_exp defaults in PyNN's units (the original uses them for every population).
CELL = {
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

WEIGHT_MEAN_PA = 1275.0  # pA, initial dopamine-synapse weights (native type: NEST units)
WEIGHT_SD_PA = 8.0  # pA
CLEAN_WEIGHT_FACTOR = 1.3  # without noise, input -> motor weights start 30 % higher ...
W_MAX_CLEAN_PA = 1750.0  # pA, ... and may grow further
DOPAMINE_RULE = {  # stdp_dopamine_synapse constants (the rest keep NEST's defaults)
    'tau_c': 70.0,  # ms, eligibility trace
    'tau_n': 30.0,  # ms, dopamine trace
    'tau_plus': 45.0,  # ms, presynaptic STDP trace
    'Wmin': 1220.0,  # pA
    'Wmax': 1550.0,  # pA (W_MAX_CLEAN_PA without noise)
    'b': 0.028,  # dopamine baseline
    'A_plus': 0.85,
}
W_STR_VP_NA = -0.25  # nA, striatum -> vp
W_TO_DOPA_NA = -1.15  # nA, vp -> dopa and striatum -> dopa
DELAY_MS = 1.0  # ms, NEST's default delay
DIRECT_DELAY_MS = 200.0  # ms, striatum -> dopa: one iteration
NOISE_RATE_HZ = 15.0  # Hz, Poisson noise per motor neuron
W_NOISE_NA = 1.275  # nA, noise -> motor (static)

inputs = sim.Population(N_NEURONS, sim.SpikeSourceArray(spike_times=[]), label='inputs')
motor = sim.Population(N_NEURONS, sim.IF_curr_exp(**CELL), initial_values={'v': V_INITIAL_MV},
                       label='motor')
striatum = sim.Population(N_CRITIC, sim.IF_curr_exp(**CELL), initial_values={'v': V_INITIAL_MV},
                          label='striatum')
vp = sim.Population(N_CRITIC, sim.IF_curr_exp(**CELL), initial_values={'v': V_INITIAL_MV},
                    label='vp')
dopa = sim.Population(N_CRITIC, sim.IF_curr_exp(**CELL), initial_values={'v': V_INITIAL_MV},
                      label='dopa')

DopamineSynapse = sim.native_synapse_type('stdp_dopamine_synapse')
for key in ('volume_transmitter', 'c', 'n'):
    DopamineSynapse.default_parameters.pop(key)
volume_transmitter = nest.Create('volume_transmitter')
nest.SetDefaults('stdp_dopamine_synapse_lbl', {'volume_transmitter': volume_transmitter})
rule = {**DOPAMINE_RULE, 'Wmax': DOPAMINE_RULE['Wmax'] if NOISE else W_MAX_CLEAN_PA}
rng = NumpyRNG()  # seeded by brain_node from its seed
motor_mean_pa = WEIGHT_MEAN_PA if NOISE else WEIGHT_MEAN_PA * CLEAN_WEIGHT_FACTOR
input_to_motor = sim.Projection(
    inputs, motor, sim.AllToAllConnector(),
    DopamineSynapse(weight=RandomDistribution('normal', (motor_mean_pa, WEIGHT_SD_PA), rng=rng),
                    delay=DELAY_MS, **rule),
    receptor_type='excitatory')
input_to_striatum = sim.Projection(
    inputs, striatum, sim.AllToAllConnector(),
    DopamineSynapse(weight=RandomDistribution('normal', (WEIGHT_MEAN_PA, WEIGHT_SD_PA), rng=rng),
                    delay=DELAY_MS, **rule),
    receptor_type='excitatory')
striatum_to_vp = sim.Projection(striatum, vp, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight=W_STR_VP_NA, delay=DELAY_MS),
                                receptor_type='inhibitory')
vp_to_dopa = sim.Projection(vp, dopa, sim.AllToAllConnector(),
                            sim.StaticSynapse(weight=W_TO_DOPA_NA, delay=DELAY_MS),
                            receptor_type='inhibitory')
striatum_to_dopa = sim.Projection(striatum, dopa, sim.AllToAllConnector(),
                                  sim.StaticSynapse(weight=W_TO_DOPA_NA, delay=DIRECT_DELAY_MS),
                                  receptor_type='inhibitory')
nest.Connect(dopa.node_collection, volume_transmitter)

if NOISE:
    noise = sim.Population(N_NEURONS, sim.SpikeSourcePoisson(rate=NOISE_RATE_HZ), label='noise')
    noise_to_motor = sim.Projection(noise, motor, sim.OneToOneConnector(),
                                    sim.StaticSynapse(weight=W_NOISE_NA, delay=DELAY_MS),
                                    receptor_type='excitatory')

motor.record('spikes')
dopa.record('spikes')
