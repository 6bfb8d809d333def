"""Unit tests of the lockstep barrier rules (no ROS)."""

import pytest

from neurobot.lockstep import SIMULATION, TRANSFER, LockstepBarrier, parse_participants

PARTICIPANTS = {'world': SIMULATION, 'brain': SIMULATION, 'tf': TRANSFER}


def test_nobody_starts_before_everyone_is_up():
    world = LockstepBarrier('world', SIMULATION, PARTICIPANTS)
    assert not world.ready_for(1)
    world.on_done('tf', 0, {})
    assert not world.ready_for(1)  # brain not up
    world.on_done('brain', 0, {})
    assert world.ready_for(1)
    assert 'not up' in LockstepBarrier('world', SIMULATION, PARTICIPANTS).waiting_for(1)


def test_simulation_round_waits_for_transfer_functions_of_the_previous_round():
    brain = LockstepBarrier('brain', SIMULATION, PARTICIPANTS)
    brain.on_done('world', 0, {})
    brain.on_done('tf', 0, {})
    assert brain.ready_for(1)
    brain.finish(1)
    assert not brain.ready_for(2)  # tf has not finished round 1
    # ... because the world has not finished round 1: the world holds the run up
    assert brain.waiting_for(2).startswith('no answer from world (it did not finish round 1')
    brain.on_done('world', 1, {})
    assert brain.waiting_for(2).startswith('no answer from tf (it did not finish round 1')
    brain.on_done('tf', 1, {})
    assert brain.ready_for(2)


def test_transfer_round_waits_for_world_and_brain_of_the_same_round():
    tf = LockstepBarrier('tf', TRANSFER, PARTICIPANTS)
    tf.on_done('world', 0, {})
    tf.on_done('brain', 0, {})
    assert not tf.ready_for(1)
    tf.on_done('world', 1, {})
    assert not tf.ready_for(1)
    tf.on_done('brain', 1, {})
    assert tf.ready_for(1)


def test_announced_messages_must_have_arrived_before_the_round_runs():
    tf = LockstepBarrier('tf', TRANSFER, PARTICIPANTS, input_topics=['/odom', '/brain/a/spikes'])
    tf.on_done('world', 1, {'/odom': 2, '/clock': 40})
    tf.on_done('brain', 1, {'/brain/a/spikes': 1, '/brain/step': 1})
    assert not tf.ready_for(1)
    assert tf.waiting_for(1).startswith('no answer from brain, world (messages still '
                                        'missing on /odom (0 of 2 messages)')
    tf.on_message('/odom')
    tf.on_message('/odom')
    tf.on_message('/unrelated')
    assert not tf.ready_for(1)
    tf.on_message('/brain/a/spikes')
    assert tf.ready_for(1)


def test_counts_from_several_publishers_of_one_topic_add_up():
    participants = {'world': SIMULATION, 'tf_a': TRANSFER, 'tf_b': TRANSFER}
    world = LockstepBarrier('world', SIMULATION, participants, input_topics=['/cmd_vel'])
    world.on_done('tf_a', 1, {'/cmd_vel': 1})
    world.on_done('tf_b', 1, {'/cmd_vel': 2})
    world.finish(1)
    for _ in range(2):
        world.on_message('/cmd_vel')
    assert not world.ready_for(2)
    world.on_message('/cmd_vel')
    assert world.ready_for(2)


def test_stale_announcements_are_ignored_and_rounds_cannot_be_skipped():
    tf = LockstepBarrier('tf', TRANSFER, PARTICIPANTS)
    tf.on_done('world', 3, {})
    tf.on_done('world', 2, {})
    assert tf.others['world'].round == 3
    tf.finish(1)
    with pytest.raises(ValueError, match='must not be skipped'):
        tf.finish(3)


def test_participant_lists_are_validated():
    assert parse_participants(['world', 'brain'], ['tf']) == PARTICIPANTS
    with pytest.raises(ValueError, match='listed twice'):
        parse_participants(['world'], ['world'])
    with pytest.raises(ValueError, match='must be listed'):
        LockstepBarrier('ghost', SIMULATION, PARTICIPANTS)


def _at(barrier, rounds):
    for name, round_ in rounds.items():
        if name == barrier.name:
            for r in range(barrier.rounds_done + 1, round_ + 1):
                barrier.finish(r)
        else:
            barrier.on_done(name, round_, {})
    return barrier


@pytest.mark.parametrize('hung, rounds, observer', [
    # a brain that hangs in round 8: tf waits for it, the world waits for tf
    ('brain', {'world': 8, 'brain': 7, 'tf': 7}, 'world'),
    ('brain', {'world': 8, 'brain': 7, 'tf': 7}, 'tf'),
    # a stopped world: the brain finished round 8, tf waits for the world
    ('world', {'world': 7, 'brain': 8, 'tf': 7}, 'brain'),
    ('world', {'world': 7, 'brain': 8, 'tf': 7}, 'tf'),
    # transfer functions that hang in round 8
    ('tf', {'world': 8, 'brain': 8, 'tf': 7}, 'world'),
    ('tf', {'world': 8, 'brain': 8, 'tf': 7}, 'brain'),
])
def test_a_timeout_names_the_participant_that_did_not_finish_not_those_waiting(
        hung, rounds, observer):
    barrier = _at(LockstepBarrier(observer, PARTICIPANTS[observer], PARTICIPANTS), rounds)
    next_round = barrier.rounds_done + 1
    assert not barrier.ready_for(next_round)
    assert barrier.stalled() == [(hung, 7)]
    message = barrier.waiting_for(next_round)
    assert message.startswith(f'no answer from {hung} (it did not finish round 8; '
                              f'its last announcement: round 7)'), message
