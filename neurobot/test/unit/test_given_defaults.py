"""Experiment.given_defaults: defaults that follow other arguments (the maze's learner).

An experiment with two learners needs the brain, transfer function and step of the one
chosen, while an argument the user gives still wins.
"""

import pytest

from neurobot import bringup
from neurobot.bringup import Argument
from neurobot.experiment import Experiment


def two_learners(tmp_path) -> Experiment:
    brains = {name: tmp_path / f'{name}_brain.py' for name in ('a', 'b')}
    for path in brains.values():
        path.write_text('"""A brain."""\n')
    return Experiment(
        'two', 'two learners',
        arguments=(Argument('learner', 'a', 'which learner', ('a', 'b')),),
        defaults={'brain': str(brains['a']), 'step_ms': '50.0'},
        given_defaults=lambda given: {
            'a': {'brain': str(brains['a']), 'step_ms': '50.0'},
            'b': {'brain': str(brains['b']), 'step_ms': '200.0'},
        }.get(given.get('learner', 'a'), {})), brains


def test_defaults_follow_the_chosen_learner(tmp_path):
    exp, brains = two_learners(tmp_path)
    values = bringup.resolve(exp, {})
    assert (values['brain'], values['step_ms']) == (str(brains['a']), '50.0')
    values = bringup.resolve(exp, {'learner': 'b'})
    assert (values['brain'], values['step_ms']) == (str(brains['b']), '200.0')


def test_a_given_argument_wins_over_the_learners_default(tmp_path):
    exp, brains = two_learners(tmp_path)
    values = bringup.resolve(exp, {'learner': 'b', 'brain': str(brains['a']),
                                   'step_ms': '20.0'})
    assert (values['brain'], values['step_ms']) == (str(brains['a']), '20.0')


def test_an_unknown_learner_is_still_refused_naming_the_choices(tmp_path):
    exp, _ = two_learners(tmp_path)
    with pytest.raises(ValueError, match=r"learner must be one of \('a', 'b'\), got 'c'"):
        bringup.resolve(exp, {'learner': 'c'})
