"""The maze's learner argument: which brain, transfer function and step each learner gets.

`make maze` / `neurobot maze` run the numpy R-STDP learner (rstdp, its brain, transfer
function and 200 ms step); learner:=spiking brings up the spiking brain with a 50 ms step,
and a given brain:= wins.
Greedy evaluation of the spiking learner starts brain_node with its rules frozen.
"""

import json

from experiments.maze.experiment import EXPERIMENT, FROZEN_RULES
from neurobot import bringup
from neurobot.paths import share_path

SPIKING_BRAIN = str(share_path('experiments', 'maze', 'spiking', 'brain.py'))
RSTDP_BRAIN = str(share_path('experiments', 'maze', 'brain.py'))


def brain_spec(given):
    (spec,) = [s for s in bringup.nodes(EXPERIMENT, given) if s.name == 'brain']
    return spec


def test_the_spiking_learner_gets_its_brain_transfer_function_and_step():
    values = bringup.resolve(EXPERIMENT, {'learner': 'spiking'})
    assert values['brain'] == SPIKING_BRAIN and values['step_ms'] == '50.0'
    assert values['transfer_functions'].endswith('maze/spiking/transfer_function.py')


def test_the_default_learner_is_the_one_that_learns_the_default_maze():
    values = bringup.resolve(EXPERIMENT, {})
    assert values['learner'] == 'rstdp'
    assert values['brain'] == RSTDP_BRAIN and values['step_ms'] == '200.0'


def test_rstdp_gets_the_earlier_brain_transfer_function_and_step():
    values = bringup.resolve(EXPERIMENT, {'learner': 'rstdp'})
    assert values['brain'] == RSTDP_BRAIN and values['step_ms'] == '200.0'
    assert values['transfer_functions'].endswith('experiments/maze/transfer_function.py')


def test_a_given_brain_overrides_the_learners():
    values = bringup.resolve(EXPERIMENT, {'learner': 'spiking', 'brain': RSTDP_BRAIN})
    assert values['brain'] == RSTDP_BRAIN
    assert brain_spec({'brain': RSTDP_BRAIN}).parameters['brain'] == RSTDP_BRAIN


def test_only_the_spiking_evaluation_freezes_the_rules():
    frozen = brain_spec({'mode': 'evaluate', 'learner': 'spiking'}).parameters[
        'synapse_properties']
    assert json.loads(frozen) == FROZEN_RULES
    assert FROZEN_RULES['places_to_actions'] == {'A_plus': 0.0, 'A_minus': 0.0}
    assert 'synapse_properties' not in brain_spec({'learner': 'spiking'}).parameters
    assert 'synapse_properties' not in brain_spec({'mode': 'evaluate',
                                                   'learner': 'rstdp'}).parameters
