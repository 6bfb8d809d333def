"""Spike-time input and stimulus pulses of the Brain, against analytic expectations.

A SpikeSourceArray population must fire exactly at the times it was given (relative to
the next step's start), and a parrot relay behind it one delay later; a current pulse
declared in the brain file must drive a neuron only during its window, with the first
spike where the membrane equation puts it. Each test builds a fresh Brain (PyNN's
setup resets NEST's kernel).
"""

import math

import numpy as np
import pytest

from brain_node.brain import Brain
from brain_node.spike_input import HORIZON_MS

pytestmark = pytest.mark.brain

STEP_MS = 20.0  # ms
RELAY_DELAY_MS = 1.5  # ms, stim -> relay
# PyNN delays generators -> parrots by the brain's smallest delay; a generator fires one
# resolution step after a step's start at the soonest
EARLIEST_MS = 0.1 + RELAY_DELAY_MS

SPIKE_BRAIN = f'''
import pyNN.nest as sim
stim = sim.Population(3, sim.SpikeSourceArray(spike_times=[]), label='stim')
fixed = sim.Population(1, sim.SpikeSourceArray(spike_times=[4.0]), label='fixed')
relay = sim.Population(3, sim.native_cell_type('parrot_neuron')(), label='relay')
stim_to_relay = sim.Projection(stim, relay, sim.OneToOneConnector(),
                               sim.StaticSynapse(weight=1.0, delay={RELAY_DELAY_MS}))
stim.record('spikes')
fixed.record('spikes')
relay.record('spikes')
'''

# Cells for the pulse test: R = tau_m / cm = 40 MOhm, threshold 15 mV above rest.
CELL = dict(cm=0.25, tau_m=10.0, v_rest=-70.0, v_reset=-70.0, v_thresh=-55.0,
            tau_refrac=2.0, i_offset=0.0)
CURRENT_NA = 1.0  # nA: 40 mV of drive, well above the 15 mV to threshold
PULSE_MS = 5.0  # ms

PULSE_BRAIN = f'''
import pyNN.nest as sim
STIMULUS_WINDOWS_MS = {{'pulsed': {PULSE_MS}}}
pulsed = sim.Population(1, sim.IF_curr_exp(**{CELL!r}), initial_values={{'v': -70.0}},
                        label='pulsed')
held = sim.Population(1, sim.IF_curr_exp(**{CELL!r}), initial_values={{'v': -70.0}},
                      label='held')
pulsed.record('spikes')
held.record('spikes')
'''


@pytest.fixture
def spike_brain(tmp_path):
    path = tmp_path / 'spikes.py'
    path.write_text(SPIKE_BRAIN)
    return Brain(str(path), step_ms=STEP_MS, resolution_ms=0.1, seed=3)


def spikes(result, name):
    s = result.spikes[name]
    return list(zip(s.neurons.tolist(), np.round(s.times_ms, 6).tolist()))


def test_sources_fire_exactly_when_told_and_the_relay_one_delay_later(spike_brain):
    brain = spike_brain
    brain.step()  # start later than 0: times are relative to the next step's start
    start = brain.time_ms
    brain.set_spike_times('stim', [0, 2, 0], [5.0, 7.3, 12.04])  # 12.04 -> grid 12.0
    result = brain.step()
    assert spikes(result, 'stim') == [(0, start + 5.0), (2, start + 7.3), (0, start + 12.0)]
    assert spikes(result, 'relay') == [(0, start + 5.0 + RELAY_DELAY_MS),
                                       (2, start + 7.3 + RELAY_DELAY_MS),
                                       (0, start + 12.0 + RELAY_DELAY_MS)]
    assert spikes(brain.step(), 'stim') == []  # a schedule is not repeated


def test_a_schedule_reaches_into_later_steps_until_a_new_one_replaces_it(spike_brain):
    brain = spike_brain
    start = brain.time_ms
    brain.set_spike_times('stim', [1, 1, 2], [15.0, 25.0, 45.0])
    assert spikes(brain.step(), 'stim') == [(1, start + 15.0)]
    assert spikes(brain.step(), 'stim') == [(1, start + 25.0)]
    # the spike at 45 ms is not fired: the new schedule replaces the old one entirely
    brain.set_spike_times('stim', [0], [3.0])
    assert spikes(brain.step(), 'stim') == [(0, start + 40.0 + 3.0)]
    assert spikes(brain.step(), 'stim') == []


def test_earliest_and_latest_times_are_accepted(spike_brain):
    brain = spike_brain
    brain.set_spike_times('stim', [0], [EARLIEST_MS])
    assert spikes(brain.step(), 'stim') == [(0, EARLIEST_MS)]
    brain.set_spike_times('stim', [0], [HORIZON_MS])  # accepted; fires 1 s later


@pytest.mark.parametrize('neurons, times, expected', [
    ([3], [5.0], 'neuron indices'),
    ([-1], [5.0], 'neuron indices'),
    ([0.5], [5.0], 'neuron indices'),
    ([0, 1], [5.0], 'one index per spike time'),
    ([0], [math.nan], 'finite'),
    ([0], [math.inf], 'finite'),
    ([0], [EARLIEST_MS - 0.1], 'lie in [1.6, 1000]'),
    ([0], [-5.0], 'lie in'),
    ([0], [HORIZON_MS + 1.0], 'lie in'),
    (['a'], [5.0], 'must be numbers'),
])
def test_bad_spike_input_is_refused_and_changes_nothing(spike_brain, neurons, times, expected):
    brain = spike_brain
    brain.set_spike_times('stim', [1], [6.0])
    with pytest.raises(ValueError, match=expected.replace('[', r'\[').replace(']', r'\]')):
        brain.set_spike_times('stim', neurons, times)
    assert spikes(brain.step(), 'stim') == [(1, 6.0)]  # the queued schedule stands


def test_only_spike_source_arrays_take_spike_times(spike_brain):
    with pytest.raises(ValueError, match='takes no spike times.*stim, fixed'):
        spike_brain.set_spike_times('relay', [0], [5.0])
    with pytest.raises(ValueError, match='unknown population'):
        spike_brain.set_spike_times('nope', [0], [5.0])
    assert spike_brain.spike_input_populations == ['stim', 'fixed']


def test_reset_restores_the_brain_files_own_spike_times(spike_brain):
    brain = spike_brain
    fresh = spikes(brain.step(), 'fixed')
    assert len(fresh) == 1  # the brain file's one spike
    brain.set_spike_times('fixed', [0], [10.0])
    brain.set_spike_times('stim', [0], [30.0])  # still pending in the generator at reset
    assert spikes(brain.step(), 'fixed') == [(0, 20.0 + 10.0)]
    brain.reset()
    restart = brain.time_ms  # brain time runs on; the trial replays from here
    after = brain.step()
    assert spikes(after, 'fixed') == [(n, round(restart + t, 6)) for n, t in fresh]
    assert spikes(after, 'stim') == [] and spikes(brain.step(), 'stim') == []


def first_spike_ms(current_na):
    """Time a cell at rest reaches threshold under a constant current (membrane equation)."""
    drive_mv = current_na * CELL['tau_m'] / CELL['cm']  # nA * MOhm = mV
    return -CELL['tau_m'] * math.log(1.0 - (CELL['v_thresh'] - CELL['v_rest']) / drive_mv)


def test_a_declared_pulse_drives_only_during_its_window(tmp_path):
    path = tmp_path / 'pulse.py'
    path.write_text(PULSE_BRAIN)
    brain = Brain(str(path), step_ms=STEP_MS, resolution_ms=0.1, seed=3)
    brain.set_input('pulsed', CURRENT_NA)
    brain.set_input('held', CURRENT_NA)
    result = brain.step()
    first = first_spike_ms(CURRENT_NA)  # 4.70 ms
    period = first + CELL['tau_refrac']  # from reset: refractory, then the same climb
    pulsed = result.spikes['pulsed'].times_ms
    held = result.spikes['held'].times_ms
    # NEST stamps a spike at the end of the 0.1 ms step in which V crosses threshold, so
    # each spike may lag the continuous-time answer by up to one more step per cycle
    assert len(pulsed) == 1 and 0 <= pulsed[0] - first <= 0.1 + 1e-9
    expected_held = first + period * np.arange(3)  # 4.7, 11.4, 18.1 ms
    lag = held - expected_held
    assert len(held) == 3 and (lag >= 0).all() and (lag <= 0.1 * np.arange(1, 4) + 1e-9).all()
    # next step: the pulse is over until a new message; the held current goes on
    result = brain.step()
    assert len(result.spikes['pulsed'].times_ms) == 0
    assert len(result.spikes['held'].times_ms) >= 2
    brain.set_input('pulsed', CURRENT_NA)  # a new pulse, at the next step's start
    result = brain.step()
    again = result.spikes['pulsed'].times_ms - 2 * STEP_MS
    assert len(again) == 1 and 0 <= again[0] - first <= 0.1 + 1e-9


def test_a_pulse_window_must_name_a_neuron_population(tmp_path):
    path = tmp_path / 'bad.py'
    path.write_text(PULSE_BRAIN.replace("{'pulsed': 5.0}", "{'nope': 5.0}"))
    with pytest.raises(ValueError, match="STIMULUS_WINDOWS_MS names 'nope'"):
        Brain(str(path), step_ms=STEP_MS, resolution_ms=0.1, seed=3)
