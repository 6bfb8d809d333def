"""Unit tests of population mappings (Spikes, Rates, Currents), setup hooks and robot helpers.

Pure logic: real message objects, no ROS graph. Expected values are computed here from
the spikes the tests feed, independently of the window code.
"""

import math

from geometry_msgs.msg import PoseStamped, Twist, Vector3
from nav_msgs.msg import Odometry
import numpy as np
import pytest
from std_msgs.msg import Header, Int64

from neurobot_interfaces.msg import PopulationInput, PopulationSpikes
from neurobot.stamps import time_msg
from tf_nodes import api
from tf_nodes.codes import winner_take_all
from tf_nodes.mappings import SpikeReader, SpikeTimes, spike_train_arrays, stimulus_values
from tf_nodes.robot import pose_2d, stamp_s, twist
from tf_nodes.runner import TransferFunctionRunner

MS = 1_000_000  # ns
STEP_MS = 20.0  # ms


def spikes_msg(step, neurons, times_ms, size=6, population='actions', step_ms=STEP_MS,
               end_ns=None):
    """One step's PopulationSpikes: spikes given as neuron indices and times (ms)."""
    end_ns = (step + 1) * int(step_ms * MS) if end_ns is None else end_ns
    counts = np.bincount(np.asarray(neurons, dtype=np.int64), minlength=size)
    return PopulationSpikes(header=Header(stamp=time_msg(end_ns)), population=population,
                            step=step, step_ms=step_ms, counts=counts.tolist(),
                            spike_neurons=list(neurons), spike_times_ms=list(times_ms))


# three steps of 20 ms: (neurons, times in ms)
STEPS = [([0, 1, 1], [3.0, 5.5, 19.9]),
         ([2, 2, 5], [21.0, 30.0, 40.0]),
         ([1], [59.9])]


def reader(**kwargs):
    return SpikeReader(api.Spikes('actions', **kwargs))


def feed_all(spikes_reader, steps=STEPS):
    for k, (neurons, times) in enumerate(steps):
        spikes_reader.feed(spikes_msg(k, neurons, times))


def test_a_window_counts_the_last_window_ms_of_steps_and_rates_divide_by_it():
    counts, rates = reader(window_ms=40.0), reader(window_ms=40.0, code='rates_hz')
    assert counts.value() is None
    feed_all(counts)
    feed_all(rates)
    expected = np.bincount([2, 2, 5, 1], minlength=6)  # steps 1 and 2 only
    assert counts.value().tolist() == expected.tolist()
    assert counts.value().dtype == np.int64
    np.testing.assert_allclose(rates.value(), expected / 0.040)


def test_without_a_window_the_function_sees_the_latest_step():
    latest, rates, times = reader(), reader(code='rates_hz'), reader(code='times')
    for r in (latest, rates, times):
        feed_all(r)
    assert latest.value().tolist() == [0, 1, 0, 0, 0, 0]
    np.testing.assert_allclose(rates.value(), [0, 50.0, 0, 0, 0, 0])
    assert times.value().neurons.tolist() == [1]
    assert times.value().times_ms.tolist() == [59.9]  # the message's value, untouched


def test_spike_times_over_a_window_come_back_exact_in_the_stamps_time_base():
    times = reader(window_ms=40.0, code='times')
    feed_all(times)
    neurons, times_ms = times.value()
    assert neurons.tolist() == [2, 2, 5, 1]
    np.testing.assert_allclose(times_ms, [21.0, 30.0, 40.0, 59.9], atol=1e-9)


def test_binned_windows_put_each_step_in_its_bin():
    binned = reader(window_ms=40.0, code='binned', bin_ms=20.0)
    feed_all(binned)
    matrix = binned.value()
    assert matrix.shape == (6, 2)
    assert matrix[:, 0].tolist() == np.bincount([2, 2, 5], minlength=6).tolist()
    assert matrix[:, 1].tolist() == np.bincount([1], minlength=6).tolist()


def test_steps_chain_by_index_even_when_wall_clock_stamps_are_not_step_ms_apart():
    counts = reader(window_ms=60.0)
    # wall-clock stamps: steps end 20.3, 41.1 and 60.9 ms after start
    for k, ((neurons, times), end_ms) in enumerate(zip(STEPS, (20.3, 41.1, 60.9))):
        shifted = [t + end_ms - (k + 1) * STEP_MS for t in times]
        counts.feed(spikes_msg(k, neurons, shifted, end_ns=int(end_ms * MS)))
    assert counts.value().sum() == 7  # all three steps


def test_a_lost_step_restarts_the_window():
    counts = reader(window_ms=60.0)
    counts.feed(spikes_msg(0, *STEPS[0]))
    counts.feed(spikes_msg(2, *STEPS[2]))  # step 1 never arrived
    assert counts.value().tolist() == [0, 1, 0, 0, 0, 0]


def test_a_decoder_as_code_gets_the_window_counts():
    winner = reader(window_ms=40.0, code=lambda c: winner_take_all(c, group_size=2).winner)
    feed_all(winner)
    assert winner.value() == 1  # neurons 2, 2 (group 1) beat 5 (group 2) and 1 (group 0)


def test_spikes_of_another_population_are_refused():
    with pytest.raises(ValueError, match="population 'places' arrived for input population "
                                         "'actions'"):
        reader().feed(spikes_msg(0, [], [], population='places'))


@pytest.mark.parametrize('kwargs, match', [
    (dict(population='brain/actions'), 'no slashes'),
    (dict(population='a', code='histogram'), "code must be one of"),
    (dict(population='a', code='binned'), "'binned' needs window_ms"),
    (dict(population='a', window_ms=40.0, code='binned', bin_ms=15.0),
     r"Spikes\('a'\): bin_ms: expected a divisor of window_ms"),
    (dict(population='a', window_ms=-1.0), r"Spikes\('a'\): window_ms"),
    (dict(population='a', bin_ms=5.0), "only for code 'binned'"),
])
def test_bad_spikes_declarations_say_what_was_expected(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        api.Spikes(**kwargs)


def test_stimulus_arrays_are_checked_against_the_population():
    assert stimulus_values(np.arange(3), population='places', kind='rate_hz', size=3,
                           where='f') == [0.0, 1.0, 2.0]
    assert stimulus_values(2.5, population='drive', kind='current_na', size=10,
                           where='f') == [2.5]  # one number for all neurons
    with pytest.raises(ValueError, match="f: population 'places' has 100 neurons; expected "
                                         r"100 rates \(Hz\) \(or one number for all\), got 99"):
        stimulus_values(np.zeros(99), population='places', kind='rate_hz', size=100, where='f')
    with pytest.raises(ValueError, match="NaN or inf .first at neuron 1"):
        stimulus_values([1.0, math.nan], population='drive', kind='current_na', size=2,
                        where='f')
    with pytest.raises(ValueError, match="rates for population 'p' must be >= 0 Hz, got -1 Hz "
                                         "at neuron 0"):
        stimulus_values([-1.0, 2.0], population='p', kind='rate_hz', size=2, where='f')
    assert stimulus_values([-1.0, 2.0], population='p', kind='current_na', size=2,
                           where='f') == [-1.0, 2.0]
    with pytest.raises(ValueError, match='1-D array'):
        stimulus_values(np.zeros((2, 2)), population='p', kind='rate_hz', size=4, where='f')
    with pytest.raises(TypeError, match='must be numbers'):
        stimulus_values(['a'], population='p', kind='rate_hz', size=1, where='f')


def mapped_runner():
    """A function mapping 'actions' spikes (40 ms window) to 'places' rates."""
    seen = []

    def start(state, params):
        state['gain'] = params['gain']
        seen.append('setup')

    @api.transfer_function(inputs={'actions': api.Spikes('actions', window_ms=40.0),
                                   'length': api.Input('length', Int64)},
                           outputs={'places': api.Rates('places'),
                                    'drive': api.Currents('drive')},
                           triggers=['actions'], setup=start)
    def mapped(actions, length, state):
        seen.append(actions.tolist())
        n = 4 if length is None else length.data
        return {'places': np.full(n, state['gain'] * actions.sum()), 'drive': 0.5}

    api._registry.clear()
    runner = TransferFunctionRunner([mapped.transfer_function], context={'params': {'gain': 2.0}})
    return runner, seen


def test_a_mapped_function_gets_window_arrays_and_its_arrays_become_stimulus():
    runner, seen = mapped_runner()
    assert runner.input_topics['brain/actions/spikes'][0] is PopulationSpikes
    assert runner.output_topics == {'brain/places/stimulus': PopulationInput,
                                    'brain/drive/stimulus': PopulationInput}
    runner.population_sizes = {'places': 4, 'drive': 10, 'actions': 6}
    for k, (neurons, times) in enumerate(STEPS):
        runner.on_message('brain/actions/spikes', spikes_msg(k, neurons, times))
        (call,) = runner.run_pending(k * 20 * MS)
        assert call.error is None, call.error
    assert seen[0] == 'setup' and seen.count('setup') == 1
    assert seen[3] == np.bincount([2, 2, 5, 1], minlength=6).tolist()
    assert call.outputs == [('brain/places/stimulus', PopulationInput(values=[8.0] * 4)),
                            ('brain/drive/stimulus', PopulationInput(values=[0.5]))]


def test_a_wrong_length_fails_the_call_naming_the_population_and_the_next_call_works():
    runner, _ = mapped_runner()
    runner.population_sizes = {'places': 4, 'drive': 10}
    runner.on_message('length', Int64(data=3))
    runner.on_message('brain/actions/spikes', spikes_msg(0, *STEPS[0]))
    (call,) = runner.run_pending(0)
    assert call.outputs == [] and call.consecutive_failures == 1
    assert "mapped returned output 'places': population 'places' has 4 neurons" in call.error
    runner.on_message('length', Int64(data=4))
    runner.on_message('brain/actions/spikes', spikes_msg(1, *STEPS[1]))
    (call,) = runner.run_pending(20 * MS)
    assert call.error is None and len(call.outputs) == 2


def test_without_describe_brain_the_size_comes_from_the_populations_spikes():
    @api.transfer_function(inputs={'actions': api.Spikes('actions')},
                           outputs={'echo': api.Currents('actions')})
    def echo(actions):
        return actions[:-1]  # one short

    api._registry.clear()
    runner = TransferFunctionRunner([echo.transfer_function])
    runner.on_message('brain/actions/spikes', spikes_msg(0, *STEPS[0]))
    (call,) = runner.run_pending(0)
    assert "population 'actions' has 6 neurons" in call.error


def test_a_failing_setup_is_marked_and_the_function_is_not_called():
    called = []

    def start(params):
        raise KeyError('maze')

    @api.transfer_function(inputs={'x': api.Input('x', Int64)}, setup=start)
    def f(x):
        called.append(x)

    api._registry.clear()
    runner = TransferFunctionRunner([f.transfer_function], context={'params': {}})
    runner.on_message('x', Int64(data=1))
    (call,) = runner.run_pending(0)
    assert call.setup_failed and "KeyError: 'maze'" in call.error and called == []


def test_setup_may_only_take_its_arguments():
    def start(state, actions):
        pass

    with pytest.raises(TypeError, match=r"setup function start\(\) has parameters \['actions'\]"):
        api.transfer_function(inputs={'x': api.Input('x', Int64)}, setup=start)


def test_the_brain_check_names_a_rates_output_to_a_current_population():
    runner, _ = mapped_runner()
    problems = runner.check_brain({'actions': (True, ''), 'places': (False, 'current_na'),
                                   'drive': (False, 'current_na')}, set())
    assert problems == ["rates (Hz) for population 'places', which takes currents (nA) "
                        "(mapped: output places on brain/places/stimulus; use Currents)"]
    assert runner.check_brain({'actions': (True, ''), 'places': (False, 'rate_hz'),
                               'drive': (False, 'current_na')}, set()) == []


def test_robot_helpers_build_and_read_common_messages():
    assert twist(0.5, -0.25, 1.0) == Twist(linear=Vector3(x=0.5, y=-0.25),
                                           angular=Vector3(z=1.0))
    with pytest.raises(ValueError, match='vy_mps: expected a finite number'):
        twist(0.0, math.nan)
    odom = Odometry()
    odom.pose.pose.position.x, odom.pose.pose.position.y = 1.5, -2.0
    yaw = 0.7
    odom.pose.pose.orientation.z, odom.pose.pose.orientation.w = math.sin(yaw / 2), \
        math.cos(yaw / 2)
    x, y, got_yaw = pose_2d(odom)
    assert (x, y) == (1.5, -2.0) and got_yaw == pytest.approx(yaw, abs=1e-12)
    assert pose_2d(PoseStamped(pose=odom.pose.pose)) == pose_2d(odom) == pose_2d(
        odom.pose.pose)
    with pytest.raises(TypeError, match='carrying a pose'):
        pose_2d(Int64())
    stamped = spikes_msg(0, [], [], end_ns=3 * 10**9 + 250 * MS)
    assert stamp_s(stamped) == stamp_s(stamped.header) == stamp_s(stamped.header.stamp) == 3.25


def test_spike_trains_are_checked_and_sent_as_a_spike_input():
    assert spike_train_arrays(SpikeTimes(np.array([3, 0]), np.array([2.5, 7.0])),
                              population='stim', size=4, where='f') == ([3, 0], [2.5, 7.0])
    assert spike_train_arrays(([], []), population='stim', size=4, where='f') == ([], [])
    for value, match in (([1, 2], "must be a pair"),
                         (([0, 1], [1.0]), "2 neuron indices but 1 times"),
                         (([4], [1.0]), r"population 'stim' has 4 neurons; expected whole "
                                        r"neuron indices in \[0, 4\), got 4 to 4"),
                         (([0.5], [1.0]), "whole neuron indices"),
                         (([0], [-1.0]), "finite and >= 0 ms"),
                         (([0], [math.inf]), "finite and >= 0 ms")):
        with pytest.raises((TypeError, ValueError), match=match):
            spike_train_arrays(value, population='stim', size=4, where='f')

    @api.transfer_function(inputs={'x': api.Input('x', Int64)},
                           outputs={'stim': api.SpikeTrains('stim')})
    def fire(x):
        return [x.data], [5.0]

    api._registry.clear()
    runner = TransferFunctionRunner([fire.transfer_function])
    runner.population_sizes = {'stim': 4}
    runner.on_message('x', Int64(data=1))
    (call,) = runner.run_pending(0)
    assert call.outputs == [('brain/stim/spike_input', PopulationSpikes(
        population='stim', spike_neurons=[1], spike_times_ms=[5.0]))]
    assert runner.check_brain({'stim': (True, '', 'SpikeSourceArray')}, set()) == []
    assert runner.check_brain({'stim': (True, '', 'SpikeSourcePoisson')}, set()) == [
        "spike times for population 'stim', a SpikeSourcePoisson; spike times go to "
        "SpikeSourceArray populations (fire: output stim on brain/stim/spike_input)"]


def test_a_throttled_function_still_sees_every_step_in_its_window():
    seen = []

    @api.transfer_function(inputs={'actions': api.Spikes('actions', window_ms=100.0)},
                           throttling_rate=10.0)  # one call per 5 steps of 20 ms
    def slow(actions, t):
        seen.append((round(t, 3), int(actions.sum())))

    api._registry.clear()
    runner = TransferFunctionRunner([slow.transfer_function])
    for k in range(12):  # step k: k + 1 spikes of neuron 0
        runner.on_message('brain/actions/spikes', spikes_msg(k, [0] * (k + 1),
                                                             [k * STEP_MS + 1.0] * (k + 1)))
        runner.run_pending((k + 1) * 20 * MS)
    # calls at 20, 120 and 220 ms; each window holds the last 5 steps (fewer at first)
    assert seen == [(0.02, 1), (0.12, sum(range(2, 7))), (0.22, sum(range(7, 12)))]
