"""The maze brain that learns by itself: a spiking actor-critic with dopamine-modulated STDP.

A PyNN brain file for brain_node (``Brain(path, ...)``); it only builds the network. The
learning is NEST's: no Python code computes or writes a weight. Populations:

- ``places``: Poisson place cells, ``CELLS_PER_FIELD`` per maze cell (one field per
  cell, row-major); the learner drives the cells of the robot's cell (100 Hz), the
  others are silent. ``critic_places``: the same code for the critic, so that the
  critic can be shown a place while the actor is not.
- ``actions``: the actor, four groups of ``ACTION_GROUP_SIZE`` neurons (N, E, S, W in
  that order); every neuron inhibits the other three groups (winner-take-all);
  ``action_noise`` (one Poisson source per neuron, rate set by the learner) explores.
- ``striatum``: the critic; its firing rate in a place is the value estimate V(s),
  plus a little background (``striatum_noise``) so that an unvalued place still
  produces the pairings that let it gain value.
- ``relay``: one neuron per striatal neuron, driven one-to-one so that it repeats
  striatal spikes: the fast, positive path of the value into the dopamine neurons (the
  role of the disinhibition through the ventral pallidum in Potjans et al. 2011; an
  excitatory relay here so that it can be gated, see below).
- ``dopa``: dopaminergic neurons with background firing (``dopa_noise``). They get
  the value now (``relay``, excitatory), the value one phase earlier (``striatum``
  directly, inhibitory, delayed by ``PHASE_MS``) and the reward as a DC current set by
  the learner. Their spikes go to the volume transmitter of the actor's and the
  critic's dopamine synapses.
- ``aversive``: Poisson sources the learner switches on at a wall; their spikes go to a
  second volume transmitter that reaches only the NoGo synapses.

Plastic projections (NEST's ``stdp_dopamine_synapse``, Izhikevich 2007; Potjans et al.
2011): ``places_to_actions`` (actor, Go, ``DOPAMINE_RULE``), ``places_to_striatum``
(critic, ``CRITIC_RULE``) and ``places_to_actions_nogo`` (inhibitory, ``NOGO_RULE``, see
NoGo pathway below). For a synapse from place cell i to neuron j, with presynaptic trace
``K+`` (+1 per presynaptic spike, decay ``tau_plus``) and postsynaptic trace ``K-``
(NEST's, decay ``tau_minus`` of the neuron):

    dc/dt = -c / tau_c + A_plus K+(t) S_j(t) - A_minus K-(t) S_i(t)   (eligibility)
    dn/dt = -n / tau_n + (1 / tau_n) sum_dopamine spikes              (dopamine)
    dw/dt = c (n - b),  Wmin <= w <= Wmax

so ``n`` is the dopaminergic population's summed rate (spikes/ms) low-passed, and ``b``
its baseline: a weight grows when the dopamine rate is above baseline while the synapse
is eligible and shrinks when it is below.

Temporal difference in spikes. The learner shows a place for ``PHASE_MS`` per phase.
The dopaminergic neurons' rate above background is, with striatal rates V (spikes/s),

    rate_dopa(t) - rate_0 ~ k_r I_reward(t) + g_fast V(t) - g_slow V(t - PHASE_MS)

so in the phase after a move from s to s' (the *evaluate* phase; s shown in the phase
before) it is the TD error of Potjans et al. 2011,

    delta = r + gamma V(s') - V(s),   gamma = g_fast / g_slow = W_FAST_NA / |W_SLOW_NA|,

and while one place is shown for longer it returns to baseline (V - V). The delayed copy
must still be in flight when s' is shown, so the learner resets the network (brain_node's
``reset(scope='neurons')``, which drains spikes in flight and keeps the synapse traces)
only after the evaluation, and gates the relay (an inhibitory current) in the first
phase after a reset, whose delayed partner was drained (see
:mod:`experiments.maze.spiking.learner`).

The critic's synapses are a copy of the model (``CRITIC_SYNAPSE_MODEL``) with smaller
amplitudes (``CRITIC_RULE``): with the actor's, the critic's own positive feedback
(a higher V(s') raises the dopamine of the phase in which s' is eligible) made every
visited place's value grow to ``Wmax`` without any reward. Both copies listen to the one
volume transmitter.

NoGo pathway (Frank 2005). ``places_to_actions_nogo`` has the same equations with
``A_plus`` < 0, ``A_minus`` = 0, ``b`` = 0 and ``n`` the low-passed rate of the
``aversive`` sources: dw/dt = c n <= 0 while the synapse is eligible from the decision
that hit the wall, and no change otherwise. Walls are learned there; the actor's Go
weights keep a floor (``Wmin`` 80 pA) so that unrewarded moves do not sink to nothing.

Arguments (brain_node's ``brain_args``): ``maze_cells`` (place fields; default 25).
Units: rates Hz, times ms, currents nA; the weights of the dopamine synapses are NEST's
pA (PyNN's native type; brain_node reports them in nA), the static ones PyNN's nA.

References:
    Potjans W., Diesmann M., Morrison A. (2011). An imperfect dopaminergic error signal
    can drive temporal-difference learning. PLoS Comput Biol 7(5): e1001133.
    Izhikevich E. M. (2007). Solving the distal reward problem through linkage of STDP and
    dopamine signaling. Cereb Cortex 17: 2443-2452.
    Frank M. J. (2005). Dynamic dopamine modulation in the basal ganglia: a
    neurocomputational account of cognitive deficits in medicated and nonmedicated
    Parkinsonism. J Cogn Neurosci 17(1): 51-72.
"""

from brain_node.arguments import argument
import nest
import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution

MAZE_CELLS = argument('maze_cells', 25)  # place fields: one per maze cell
if MAZE_CELLS < 1:
    raise ValueError(f'brain argument maze_cells must be >= 1, got {MAZE_CELLS}')
CELLS_PER_FIELD = 4  # place cells per maze cell
N_DIRECTIONS = 4  # action groups: N, E, S, W
ACTION_GROUP_SIZE = 10  # neurons per action group
N_CRITIC = 40  # striatal (critic) neurons, and relay neurons
N_DOPA = 10  # dopaminergic neurons

PHASE_MS = 50.0  # ms, one phase (recall, evaluate, decide): the learner's step length
DELAY_MS = 1.0  # ms, every other connection
V_INITIAL_MV = -57.0  # mV, striatum and dopa after a reset: near their mean under background
# input, so that the first phase after a reset does not start with a quiet transient

CELL = {  # every neuron: leaky integrate-and-fire, exponential current synapses
    'tau_m': 20.0,  # ms
    'tau_refrac': 2.0,  # ms
    'tau_syn_E': 5.0,  # ms
    'tau_syn_I': 5.0,  # ms
    'v_rest': -65.0,  # mV
    'v_reset': -65.0,  # mV
    'v_thresh': -52.0,  # mV
    'cm': 0.25,  # nF
    'i_offset': 0.0,  # nA
}

# Actor.
W_ACTOR_INITIAL_PA = (100.0, 140.0)  # pA, uniform range of the untrained place->action weights
W_ACTION_NOISE_NA = 0.3  # nA, one exploration source per action neuron: a noise spike
# alone does not fire a neuron (< 6 mV of the 13 mV to threshold), so the noise jitters the
# place-driven groups and a group whose weights a wall has pushed down rarely wins (0.9 nA,
# up to 18 mV: one noise spike could fire a neuron, and walls kept winning; measured in
# docs/maze_spiking.md)
W_INHIBITION_NA = -0.6  # nA, from each action neuron to the neurons of the other groups
ACTION_NOISE_RATE_HZ = 0.0  # Hz, set by the learner while training

# Critic.
W_CRITIC_INITIAL_PA = (10.0, 20.0)  # pA, uniform range of the untrained place->striatum weights
STRIATUM_NOISE_RATE_HZ = 250.0  # Hz, background per striatal neuron
W_STRIATUM_NOISE_NA = 0.1  # nA
W_RELAY_NA = 12.0  # nA, striatum -> relay one-to-one: one relay spike per striatal spike
RELAY_CELL = {  # a fast follower: input shorter than the refractory period, quick recovery
    **CELL,  # from the gate
    'tau_m': 2.0,  # ms
    'tau_syn_E': 0.5,  # ms
}
W_FAST_NA = 0.0375  # nA, relay -> dopa (all-to-all): + V(now)
W_SLOW_NA = -0.041  # nA, striatum -> dopa (all-to-all, delayed PHASE_MS): - V(phase before)

# Dopamine.
DOPA_NOISE_RATE_HZ = 250.0  # Hz, background per dopaminergic neuron
W_DOPA_NOISE_NA = 0.1  # nA
# How often the volume transmitter hands the dopamine spikes it collected to the synapses,
# in min-delay slices (1 ms here; NEST's default is 1). Every hand-over updates every
# dopamine synapse (8,000 here), and with ~250 dopamine spikes/s that happened almost every
# millisecond: 92 % of a run was NEST updating synapses. Every 10 ms the run is 3-4x faster;
# the synapses still integrate each dopamine spike at its own time, only the order in which
# NEST applies them relative to presynaptic spikes of the same 10 ms can differ (weights of
# a 15-episode run differ by 0.05 %). 10 ms is far below the phases (PHASE_MS) and the reset
# drain (112 ms), so every phase's dopamine is delivered before the next reset.
DOPAMINE_DELIVERY_SLICES = 10

# The actor's rule (NEST common properties of its synapse model, stdp_dopamine_synapse).
DOPAMINE_RULE = {
    'A_plus': 3.0,  # eligibility per pre-before-post pairing
    'A_minus': 1.5,  # eligibility per post-before-pre pairing
    'tau_plus': 20.0,  # ms, presynaptic trace
    'tau_c': 100.0,  # ms, eligibility trace
    'tau_n': 20.0,  # ms, dopamine trace
    'b': 0.08,  # 1/ms, dopamine baseline (summed background rate of dopa)
    'Wmin': 80.0,  # pA: a floor below the initial weights (100-140), so an untried or
    # unrewarded move keeps a drive; walls are avoided through the NoGo pathway instead
    # (without the floor, unrewarded moves drifted to 0-50 pA and greedy choices became
    # ties: docs/maze_spiking.md)
    'Wmax': 400.0,  # pA
}

CRITIC_SYNAPSE_MODEL = 'critic_dopamine_synapse'  # NEST model name of the critic's synapses
CRITIC_RULE = {  # the critic's rule: the actor's, with smaller amplitudes and no floor
    **DOPAMINE_RULE,
    'A_plus': 0.5,
    'A_minus': 0.25,
    'Wmin': 0.0,  # pA: a place's value can fall to nothing
}

# NoGo pathway (Frank 2005): place cells -> actions through *inhibitory* synapses that
# only punishment changes. Their dopamine-like modulator is a separate population,
# ``aversive``, that fires only at a wall; its own volume transmitter reaches only these
# synapses. A_plus < 0: a pre-before-post pairing (the place drove the chosen group)
# makes the eligibility negative, so aversive spikes while it lasts make the weight more
# negative (dw = c n with b = 0); nothing ever makes it less negative. Unlike a wall's
# dopamine pause, which is bounded by the background rate, this signal is as strong as
# needed: one wall hit moves the taken pairing by about -150 pA up to the -400 pA bound.
NOGO_SYNAPSE_MODEL = 'nogo_dopamine_synapse'
N_AVERSIVE = 10  # aversive sources (Poisson, rate set by the learner at a wall)
NOGO_RULE = {
    'A_plus': -2.0,  # negative eligibility per pre-before-post pairing
    'A_minus': 0.0,  # post-before-pre pairings do not count
    'tau_plus': 20.0,  # ms
    'tau_c': 30.0,  # ms: short, so only the decision just made is eligible at the wall
    'tau_n': 20.0,  # ms
    'b': 0.0,  # 1/ms: no aversive baseline, no change without aversive spikes
    'Wmin': -400.0,  # pA
    'Wmax': 0.0,  # pA
}
W_NOGO_INITIAL_PA = 0.0  # pA: no move is avoided before it was punished

places = sim.Population(MAZE_CELLS * CELLS_PER_FIELD, sim.SpikeSourcePoisson(rate=0.0),
                        label='places')
critic_places = sim.Population(MAZE_CELLS * CELLS_PER_FIELD, sim.SpikeSourcePoisson(rate=0.0),
                               label='critic_places')
actions = sim.Population(N_DIRECTIONS * ACTION_GROUP_SIZE, sim.IF_curr_exp(**CELL),
                         label='actions')
action_noise = sim.Population(N_DIRECTIONS * ACTION_GROUP_SIZE,
                              sim.SpikeSourcePoisson(rate=ACTION_NOISE_RATE_HZ),
                              label='action_noise')
striatum = sim.Population(N_CRITIC, sim.IF_curr_exp(**CELL), initial_values={'v': V_INITIAL_MV},
                          label='striatum')
striatum_noise = sim.Population(N_CRITIC, sim.SpikeSourcePoisson(rate=STRIATUM_NOISE_RATE_HZ),
                                label='striatum_noise')
relay = sim.Population(N_CRITIC, sim.IF_curr_exp(**RELAY_CELL), label='relay')
dopa = sim.Population(N_DOPA, sim.IF_curr_exp(**CELL), initial_values={'v': V_INITIAL_MV},
                      label='dopa')
dopa_noise = sim.Population(N_DOPA, sim.SpikeSourcePoisson(rate=DOPA_NOISE_RATE_HZ),
                            label='dopa_noise')
aversive = sim.Population(N_AVERSIVE, sim.SpikeSourcePoisson(rate=0.0), label='aversive')

# Dopamine synapses in PyNN 0.13 + NEST 3 (as experiments/pong/brain_dopa.py): the
# volume transmitter is set on the labelled model PyNN connects with, and the rule goes
# in as synapse parameters, because PyNN writes every common property from the synapse
# type when it connects (values set before with nest.SetDefaults would be replaced).
# The critic's synapses are a copy of the model, so that they learn at their own rate
# (rule constants are per model); actor and critic listen to the one volume transmitter
# of the dopaminergic neurons, the NoGo copy to its own one of the aversive sources.
for suffix in ('', '_lbl'):
    for copy in (CRITIC_SYNAPSE_MODEL, NOGO_SYNAPSE_MODEL):
        nest.CopyModel('stdp_dopamine_synapse' + suffix, copy + suffix)
DopamineSynapse = sim.native_synapse_type('stdp_dopamine_synapse')
CriticSynapse = sim.native_synapse_type(CRITIC_SYNAPSE_MODEL)
NoGoSynapse = sim.native_synapse_type(NOGO_SYNAPSE_MODEL)
for synapse_type in (DopamineSynapse, CriticSynapse, NoGoSynapse):
    for key in ('volume_transmitter', 'c', 'n'):
        synapse_type.default_parameters.pop(key)
volume_transmitter = nest.Create('volume_transmitter',
                                 params={'deliver_interval': DOPAMINE_DELIVERY_SLICES})
aversive_transmitter = nest.Create('volume_transmitter',
                                   params={'deliver_interval': DOPAMINE_DELIVERY_SLICES})
for model in ('stdp_dopamine_synapse_lbl', CRITIC_SYNAPSE_MODEL + '_lbl'):
    nest.SetDefaults(model, {'volume_transmitter': volume_transmitter})
nest.SetDefaults(NOGO_SYNAPSE_MODEL + '_lbl', {'volume_transmitter': aversive_transmitter})
rng = NumpyRNG()  # seeded by brain_node from its seed

places_to_actions = sim.Projection(
    places, actions, sim.AllToAllConnector(),
    DopamineSynapse(weight=RandomDistribution('uniform', W_ACTOR_INITIAL_PA, rng=rng),
                    delay=DELAY_MS, **DOPAMINE_RULE),
    receptor_type='excitatory')
places_to_striatum = sim.Projection(
    critic_places, striatum, sim.AllToAllConnector(),
    CriticSynapse(weight=RandomDistribution('uniform', W_CRITIC_INITIAL_PA, rng=rng),
                  delay=DELAY_MS, **CRITIC_RULE),
    receptor_type='excitatory')
places_to_actions_nogo = sim.Projection(
    places, actions, sim.AllToAllConnector(),
    NoGoSynapse(weight=W_NOGO_INITIAL_PA, delay=DELAY_MS, **NOGO_RULE),
    receptor_type='inhibitory')

noise_to_actions = sim.Projection(action_noise, actions, sim.OneToOneConnector(),
                                  sim.StaticSynapse(weight=W_ACTION_NOISE_NA, delay=DELAY_MS),
                                  receptor_type='excitatory')
lateral_inhibition = sim.Projection(
    actions, actions,
    sim.FromListConnector([(i, j) for i in range(N_DIRECTIONS * ACTION_GROUP_SIZE)
                           for j in range(N_DIRECTIONS * ACTION_GROUP_SIZE)
                           if i // ACTION_GROUP_SIZE != j // ACTION_GROUP_SIZE]),
    sim.StaticSynapse(weight=W_INHIBITION_NA, delay=DELAY_MS), receptor_type='inhibitory')

noise_to_striatum = sim.Projection(striatum_noise, striatum, sim.OneToOneConnector(),
                                   sim.StaticSynapse(weight=W_STRIATUM_NOISE_NA, delay=DELAY_MS),
                                   receptor_type='excitatory')
striatum_to_relay = sim.Projection(striatum, relay, sim.OneToOneConnector(),
                                   sim.StaticSynapse(weight=W_RELAY_NA, delay=DELAY_MS),
                                   receptor_type='excitatory')
relay_to_dopa = sim.Projection(relay, dopa, sim.AllToAllConnector(),
                               sim.StaticSynapse(weight=W_FAST_NA, delay=DELAY_MS),
                               receptor_type='excitatory')
striatum_to_dopa = sim.Projection(striatum, dopa, sim.AllToAllConnector(),
                                  sim.StaticSynapse(weight=W_SLOW_NA, delay=PHASE_MS),
                                  receptor_type='inhibitory')
noise_to_dopa = sim.Projection(dopa_noise, dopa, sim.OneToOneConnector(),
                               sim.StaticSynapse(weight=W_DOPA_NOISE_NA, delay=DELAY_MS),
                               receptor_type='excitatory')
nest.Connect(dopa.node_collection, volume_transmitter)
nest.Connect(aversive.node_collection, aversive_transmitter)

actions.record('spikes')
striatum.record('spikes')
dopa.record('spikes')
relay.record('spikes')
