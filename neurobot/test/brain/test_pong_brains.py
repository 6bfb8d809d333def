"""Pong's two brain files in brain_node's Brain: they build as designed, react, and learn.

Each test builds a fresh Brain (PyNN's setup resets NEST's kernel). Input is the
deterministic spike train of the original; weights are read back through the Brain and
checked against the brain files' design. ``experiments`` is not an installed package
yet, so the neurobot package folder is put on sys.path here.
"""

from pathlib import Path
import sys

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from brain_node.brain import Brain  # noqa: E402
from experiments.pong import coding, learning, offline, player  # noqa: E402

pytestmark = pytest.mark.brain

N = offline.N_ROWS
N_CRITIC = 8
ROW = 7  # the ball's row in these tests


def build(config, monkeypatch, seed=4):
    return Brain(str(offline.BRAIN_FILES[config[0]]), step_ms=coding.ITERATION_MS, seed=seed,
                 arguments=player.brain_arguments(config))


def weights(brain, name):
    rows, cols, flat = brain.get_weights(name)
    return np.reshape(np.asarray(flat, dtype=np.float64), (rows, cols))


# (config, projection) -> (mean nA, sd nA): the original's pA values / 1000.
DESIGNED = {
    ('r', 'input_to_motor'): (1.3 * 1.22, 0.005),
    ('rn', 'input_to_motor'): (1.3, 0.001),
    ('d', 'input_to_motor'): (1.275 * 1.3, 0.008),
    ('dn', 'input_to_motor'): (1.275, 0.008),
    ('d', 'input_to_striatum'): (1.275, 0.008),
    ('dn', 'input_to_striatum'): (1.275, 0.008),
}


@pytest.mark.parametrize('config', offline.CONFIGS)
def test_each_configuration_builds_with_the_designed_populations_and_weights(config,
                                                                             monkeypatch):
    brain = build(config, monkeypatch)
    sizes = {p.name: p.size for p in brain.describe_populations()}
    assert sizes['inputs'] == N and sizes['motor'] == N
    assert 'motor' in brain.recorded_populations
    for (designed_config, name), (mean, sd) in DESIGNED.items():
        if designed_config != config:
            continue
        w = weights(brain, name)
        assert w.shape == (N, N if name == 'input_to_motor' else N_CRITIC)
        assert abs(w.mean() - mean) < 3 * sd / np.sqrt(w.size) + 1e-6, (name, w.mean())
        assert 0.5 * sd < w.std() < 1.5 * sd, (name, w.std())
    if config.startswith('d'):
        assert sizes['striatum'] == sizes['vp'] == sizes['dopa'] == N_CRITIC
        np.testing.assert_allclose(weights(brain, 'striatum_to_vp'), -0.25)
        np.testing.assert_allclose(weights(brain, 'vp_to_dopa'), -1.15)
        np.testing.assert_allclose(weights(brain, 'striatum_to_dopa'), -1.15)
        plastic = {p.name for p in brain.describe_projections() if p.plastic}
        assert plastic == {'input_to_motor', 'input_to_striatum'}
        assert ('noise' in sizes) == config.endswith('n')


def test_dopamine_rule_constants_reach_nest(monkeypatch):
    """PyNN writes common synapse properties at connect time; the file's values must win."""
    import nest
    build('dn', monkeypatch)
    rule = nest.GetDefaults('stdp_dopamine_synapse_lbl')
    assert (rule['Wmin'], rule['Wmax'], rule['tau_c'], rule['tau_n'], rule['b']) == (
        1220.0, 1550.0, 70.0, 30.0, 0.028)
    assert len(rule['volume_transmitter']) == 1


@pytest.mark.parametrize('config', ['r', 'd'])
def test_the_target_input_drives_the_motor_neurons_and_silence_keeps_them_silent(config):
    player = offline.Player(config, seed=4)
    quiet = player.brain
    quiet.set_step_ms(coding.ITERATION_MS)
    assert quiet.step().spikes['motor'].counts.sum() == 0
    iteration = player.run_iteration(ROW)
    assert iteration.counts.sum() > N  # every motor neuron sees the input (all-to-all)
    first_input = iteration.train_ms[0]
    assert (iteration.times_ms > first_input).all()


def test_rstdp_strengthens_only_the_stimulated_input_to_the_rewarded_neuron():
    player = offline.Player('r', seed=4)
    before = weights(player.brain, 'input_to_motor')
    favoured = before.copy()
    favoured[ROW, ROW] = 3.0  # nA: motor neuron ROW wins, reward 1 (distance 0)
    player.brain.set_weights('input_to_motor', N, N, favoured.ravel())
    iteration = player.run_iteration(ROW)
    turn = player.learn(iteration)
    after = weights(player.brain, 'input_to_motor')

    assert turn.winner == ROW and turn.reward == 1.0
    changed = after != favoured
    assert changed[ROW, ROW] and after[ROW, ROW] > favoured[ROW, ROW]
    assert not np.delete(changed, ROW, axis=0).any()  # other inputs' weights untouched
    fired = iteration.counts > 0
    # Increases exactly where a motor neuron fired after the input, by rate x eligibility.
    elig = learning.eligibility(iteration.train_ms, iteration.neurons, iteration.times_ms, N)
    np.testing.assert_allclose(after[ROW] - favoured[ROW],
                               learning.LEARNING_RATE * elig / 1000.0, atol=1e-12)
    assert (after[ROW][fired] > favoured[ROW][fired]).all()
    assert (after[ROW][~fired] == favoured[ROW][~fired]).all()


def test_the_reward_current_makes_the_dopaminergic_neurons_fire(monkeypatch):
    brain = build('d', monkeypatch)
    brain.set_step_ms(coding.DOPA_OFFSET_MS)
    assert brain.step().spikes['dopa'].counts.sum() == 0
    brain.set_input('dopa', learning.dopamine_current_na(np.eye(N)[ROW], ROW))  # 1 nA
    assert (brain.step().spikes['dopa'].counts > 0).all()
    brain.set_input('dopa', learning.dopamine_current_na(np.zeros(N), ROW))  # baseline 0.1 nA
    brain.step()  # the membranes relax below threshold
    assert brain.step().spikes['dopa'].counts.sum() == 0


def test_dopamine_weights_learn_within_their_bounds():
    player = offline.Player('dn', seed=4)
    before = weights(player.brain, 'input_to_motor')
    for _ in range(5):
        player.play(ROW)
    after = weights(player.brain, 'input_to_motor')
    assert not np.array_equal(after[ROW], before[ROW])
    np.testing.assert_array_equal(np.delete(after, ROW, axis=0), np.delete(before, ROW, axis=0))
    assert (after >= 1.220 - 1e-9).all() and (after <= 1.550 + 1e-9).all()


@pytest.mark.slow
def test_rstdp_learns_to_play_beyond_chance():
    """Short seeded games: the last iterations' rewards beat the first ones' and chance.

    Pooled over three seeds (600 iterations each, ~10 s per seed): per seed the margin
    over a random paddle is 0.05 to 0.1, pooled about 0.07 (NEST 3.10, PyNN 0.13).
    """
    iterations, part = 600, 120  # the first and last 20 %
    learned, first, chance = [], [], []
    for seed in (1, 2, 3):
        record = offline.play_game(['r'], iterations, seed=seed)
        rewards = record.rewards('left')
        learned.append(rewards[-part:].mean())
        first.append(rewards[:part].mean())
        chance.append(offline.random_paddle_reward(record.rows[-part:], seed=seed))
    assert np.mean(learned) > np.mean(chance) + 0.04, (learned, chance)
    assert np.mean(learned) > np.mean(first) + 0.04, (learned, first)
