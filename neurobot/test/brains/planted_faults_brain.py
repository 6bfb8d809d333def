"""Test brain with faults planted in brain_node's core, for the node fuzzing test.

Population ``a`` sends a recurrent projection and a forward one (both static, both
excitatory) and receives an inhibitory one: the shape that made brain_node's
get_weights raise an IndexError once NEST had re-sorted its connections (issue 10).
With NEUROBOT_TEST_PLANT_FAULTS=1 in the environment the brain file also makes the
core raise (see ``_plant_faults``), so the test does not depend on the core having a
bug. Driven by a spike_generator, so no randomness at run time.
"""

import os

import pyNN.nest as sim
from pyNN.random import NumpyRNG

source = sim.Population(10, sim.SpikeSourceArray(spike_times=[[5.0, 15.0, 25.0]] * 10),
                        label='source')
a = sim.Population(10, sim.IF_curr_exp(), label='a')
b = sim.Population(10, sim.IF_curr_exp(), label='b')

drive = sim.Projection(source, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5),
                       receptor_type='excitatory')
recurrent = sim.Projection(a, a, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=2)),
                           sim.StaticSynapse(weight=0.004), receptor_type='excitatory')
forward = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.004),
                         receptor_type='excitatory')
inhibition = sim.Projection(b, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.01),
                            receptor_type='inhibitory')

a.record('spikes')
b.record('spikes')


def _plant_faults():
    """Make the core fail the way a bug would, for the fuzzing test of brain_node.

    With NEUROBOT_TEST_PLANT_FAULTS=1: get_weights('recurrent') raises IndexError (how
    brain_node died in issue 10), set_weights('forward') RuntimeError, any stimulus of
    ``b`` ZeroDivisionError, and every 7th step RuntimeError. Each fault raises before
    the core changes anything, so the brain stays as it was.
    """
    from brain_node.brain import Brain

    get_weights, set_weights, set_input, step = (Brain.get_weights, Brain.set_weights,
                                                 Brain.set_input, Brain.step)
    steps = [0]

    def faulty_get_weights(self, name):
        if name == 'recurrent':
            raise IndexError('index 10 is out of bounds for axis 0 with size 10 (planted)')
        return get_weights(self, name)

    def faulty_set_weights(self, name, *args):
        if name == 'forward':
            raise RuntimeError('NEST connection handles are stale (planted)')
        return set_weights(self, name, *args)

    def faulty_set_input(self, name, values):
        if name == 'b':
            raise ZeroDivisionError('division by zero (planted)')
        return set_input(self, name, values)

    def faulty_step(self):
        steps[0] += 1
        if steps[0] % 7 == 0:
            raise RuntimeError('NEST Simulate failed (planted)')
        return step(self)

    Brain.get_weights, Brain.set_weights = faulty_get_weights, faulty_set_weights
    Brain.set_input, Brain.step = faulty_set_input, faulty_step


if os.environ.get('NEUROBOT_TEST_PLANT_FAULTS') == '1':
    _plant_faults()
