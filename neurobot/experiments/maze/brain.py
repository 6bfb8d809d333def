"""The maze experiment's brain: place cells, four action groups, lateral inhibition.

Place cells (Poisson sources, one Gaussian field per maze cell, ``CELLS_PER_FIELD``
neurons each) project all-to-all onto an action population of four groups (N, E, S, W,
``ACTION_GROUP_SIZE`` neurons each, in that order). The place->action weights
(``places_to_actions``) are what the reward-modulated STDP rule learns through
set_weights. Each action group inhibits the other three, so one direction wins;
Poisson noise drives every action neuron so that an untrained network explores.

brain_node runs this file: it only builds the network. The maze's size comes from the
brain argument ``maze_cells`` (the maze experiment's bring-up passes the maze file's cell
count through brain_node's ``brain_args``; default 25 cells, the default maze).
Units: rates Hz, weights nA, times ms.
"""

import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

from brain_node.arguments import argument

MAZE_CELLS = argument('maze_cells', 25)  # cells of the maze, one place field each
CELLS_PER_FIELD = 4  # place cells per maze cell
ACTION_GROUP_SIZE = 10  # neurons per direction
N_DIRECTIONS = 4  # N, E, S, W

W_PLACE_INITIAL_NA = (0.10, 0.14)  # nA, uniform range of the untrained place->action weights
W_NOISE_NA = 0.9  # nA, one noise source per action neuron
W_INHIBITION_NA = -0.6  # nA, from each action neuron to the other groups
NOISE_RATE_HZ = 0.0  # the experiment sets the exploration noise rate over its stimulus topic

action_cell = {
    'tau_m': 20.0,  # ms
    'tau_refrac': 2.0,  # ms
    'tau_syn_E': 5.0,  # ms
    'tau_syn_I': 5.0,  # ms
    'v_rest': -65.0,  # mV
    'v_reset': -65.0,  # mV
    'v_thresh': -52.0,  # mV
    'cm': 0.25,  # nF
}

places = sim.Population(MAZE_CELLS * CELLS_PER_FIELD, sim.SpikeSourcePoisson(rate=0.0),
                        label='places')
actions = sim.Population(N_DIRECTIONS * ACTION_GROUP_SIZE, sim.IF_curr_exp(**action_cell),
                         label='actions')
noise = sim.Population(N_DIRECTIONS * ACTION_GROUP_SIZE,
                       sim.SpikeSourcePoisson(rate=NOISE_RATE_HZ), label='noise')

places_to_actions = sim.Projection(
    places, actions, sim.AllToAllConnector(),
    sim.StaticSynapse(weight=RandomDistribution('uniform', low=W_PLACE_INITIAL_NA[0],
                                                high=W_PLACE_INITIAL_NA[1], rng=NumpyRNG(seed=21)),
                      delay=1.0),
    receptor_type='excitatory')
noise_to_actions = sim.Projection(noise, actions, sim.OneToOneConnector(),
                                  sim.StaticSynapse(weight=W_NOISE_NA, delay=1.0),
                                  receptor_type='excitatory')
lateral_inhibition = sim.Projection(
    actions, actions,
    sim.FromListConnector([(i, j) for i in range(N_DIRECTIONS * ACTION_GROUP_SIZE)
                           for j in range(N_DIRECTIONS * ACTION_GROUP_SIZE)
                           if i // ACTION_GROUP_SIZE != j // ACTION_GROUP_SIZE]),
    sim.StaticSynapse(weight=W_INHIBITION_NA, delay=1.0), receptor_type='inhibitory')

places.record('spikes')
actions.record('spikes')
