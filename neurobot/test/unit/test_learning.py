"""Unit tests of the R-STDP rule and the TD critic (experiments.maze.learning), no ROS, no NEST."""

import math

import numpy as np
import pytest

from experiments.maze.learning import RewardModulatedSTDP, RSTDPParameters, TDCritic, stdp_pairings


def brute_force_pairings(pre_n, pre_t, post_n, post_t, n_pre, n_post,
                         a_plus, a_minus, tau_plus, tau_minus):
    """The definition, one spike pair at a time."""
    e = np.zeros((n_pre, n_post))
    for i, ti in zip(pre_n, pre_t):
        for j, tj in zip(post_n, post_t):
            dt = tj - ti
            if dt > 0:
                e[i, j] += a_plus * math.exp(-dt / tau_plus)
            elif dt < 0:
                e[i, j] -= a_minus * math.exp(dt / tau_minus)
    return e


# ---------------------------------------------------------------------- stdp_pairings

@pytest.mark.parametrize('seed', range(5))
def test_pairings_match_a_loop_over_every_spike_pair(seed):
    rng = np.random.default_rng(seed)
    n_pre, n_post = 5, 4
    # integer times on a coarse grid: repeated neurons and simultaneous spikes do occur
    pre_n = rng.integers(n_pre, size=12)
    pre_t = rng.integers(0, 30, size=12).astype(float)
    post_n = rng.integers(n_post, size=9)
    post_t = rng.integers(0, 30, size=9).astype(float)
    # distinct amplitudes and time constants, so swapping any two would show
    params = dict(a_plus=0.7, a_minus=1.3, tau_plus_ms=12.0, tau_minus_ms=31.0)
    got = stdp_pairings(pre_n, pre_t, post_n, post_t, n_pre, n_post, **params)
    expected = brute_force_pairings(pre_n, pre_t, post_n, post_t, n_pre, n_post,
                                    0.7, 1.3, 12.0, 31.0)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert got.shape == (n_pre, n_post)


def test_pre_before_post_potentiates_by_a_plus_exp():
    e = stdp_pairings([1], [10.0], [2], [15.0], 3, 4,
                      a_plus=0.5, a_minus=0.8, tau_plus_ms=10.0, tau_minus_ms=30.0)
    assert e[1, 2] == pytest.approx(0.5 * math.exp(-5.0 / 10.0))
    e[1, 2] = 0.0
    assert not e.any()  # no other synapse is touched


def test_post_before_pre_depresses_by_a_minus_exp():
    e = stdp_pairings([1], [15.0], [2], [10.0], 3, 4,
                      a_plus=0.5, a_minus=0.8, tau_plus_ms=10.0, tau_minus_ms=30.0)
    assert e[1, 2] == pytest.approx(-0.8 * math.exp(-5.0 / 30.0))


def test_simultaneous_spikes_count_as_neither():
    e = stdp_pairings([0, 0], [7.0, 7.0], [0], [7.0], 1, 1)
    assert e[0, 0] == 0.0


def test_pairs_sum_over_all_spikes_of_a_synapse():
    # pre at 0 and 20, post at 10: one potentiating and one depressing pair of 10 ms
    e = stdp_pairings([0, 0], [0.0, 20.0], [0], [10.0], 1, 1,
                      a_plus=1.0, a_minus=0.5, tau_plus_ms=20.0, tau_minus_ms=20.0)
    assert e[0, 0] == pytest.approx((1.0 - 0.5) * math.exp(-0.5))


def test_no_spikes_on_either_side_gives_zeros():
    assert not stdp_pairings([], [], [0], [1.0], 2, 3).any()
    assert not stdp_pairings([0], [1.0], [], [], 2, 3).any()
    assert stdp_pairings([], [], [], [], 2, 3).shape == (2, 3)


@pytest.mark.parametrize('pre, post, side', [
    ([3], [0], 'presynaptic'), ([-1], [0], 'presynaptic'),
    ([0], [2], 'postsynaptic'), ([0], [-1], 'postsynaptic'),
])
def test_out_of_range_indices_raise(pre, post, side):
    with pytest.raises(ValueError, match=side):
        stdp_pairings(pre, [1.0], post, [2.0], 3, 2)


def test_neurons_and_times_of_different_lengths_raise():
    with pytest.raises(ValueError, match='same length'):
        stdp_pairings([0, 1], [1.0], [0], [2.0], 2, 2)


# ---------------------------------------------------------------------- RewardModulatedSTDP

GROUPS = [0, 0, 1, 1]  # four action neurons in two groups
E5 = math.exp(-5.0 / 20.0)


def params(**kwargs):
    """Rule parameters, centring and normalising off unless asked (raw pairings checked)."""
    kwargs.setdefault('centered', False)
    kwargs.setdefault('normalized', False)
    return RSTDPParameters(**kwargs)


def one_window(rule, chosen_group):
    """Pre neuron 0 at 0 ms, every post neuron at 5 ms: e = exp(-5/20) on row 0."""
    rule.decision([0], [0.0], [0, 1, 2, 3], [5.0] * 4, chosen_group)


def test_winner_only_keeps_just_the_chosen_groups_columns():
    rule = RewardModulatedSTDP(2, 4, GROUPS, params(winner_only=True))
    one_window(rule, chosen_group=1)
    np.testing.assert_allclose(rule.trace, [[0, 0, E5, E5], [0, 0, 0, 0]])


def test_without_winner_only_every_column_keeps_its_pairing():
    rule = RewardModulatedSTDP(2, 4, GROUPS, params(winner_only=False))
    one_window(rule, chosen_group=1)
    np.testing.assert_allclose(rule.trace, [[E5] * 4, [0] * 4])


def test_centred_pairings_favour_the_chosen_group_and_keep_each_inputs_total():
    rule = RewardModulatedSTDP(2, 4, GROUPS, params(winner_only=True, centered=True))
    one_window(rule, chosen_group=1)
    # [0, 0, E5, E5] minus its mean E5 / 2
    np.testing.assert_allclose(rule.trace, [[-E5 / 2, -E5 / 2, E5 / 2, E5 / 2], [0, 0, 0, 0]])
    rule.reward(1.0)
    weights = np.full((2, 4), 0.3)
    new = rule.end_episode(weights)
    np.testing.assert_allclose(new.sum(axis=1), weights.sum(axis=1))  # total per input kept
    assert new[0, 2] > new[0, 0]


def test_normalised_pairings_are_divided_by_the_chosen_groups_spikes_per_neuron():
    # chosen group 1 (neurons 2, 3) fires 4 spikes: 2 per neuron; group 0 fires 1
    post_n, post_t = [0, 2, 2, 3, 3], [5.0] * 5
    raw = RewardModulatedSTDP(2, 4, GROUPS, params(winner_only=True))
    raw.decision([0], [0.0], post_n, post_t, 1)
    scaled = RewardModulatedSTDP(2, 4, GROUPS, params(winner_only=True, normalized=True))
    scaled.decision([0], [0.0], post_n, post_t, 1)
    np.testing.assert_allclose(raw.trace[0], [0, 0, 2 * E5, 2 * E5])
    np.testing.assert_allclose(scaled.trace, raw.trace / 2)
    # a silent chosen group leaves nothing to divide: no pairings, no error
    silent = RewardModulatedSTDP(2, 4, GROUPS, params(winner_only=True, normalized=True))
    silent.decision([0], [0.0], [0], [5.0], 1)
    assert not silent.trace.any()


def test_last_only_reward_gates_just_the_latest_decision():
    rule = RewardModulatedSTDP(2, 4, GROUPS,
                               params(learning_rate=0.01, trace_decay=0.5, winner_only=False))
    one_window(rule, 0)
    rule.decision([1], [0.0], [0, 1, 2, 3], [5.0] * 4, 0)  # latest: row 1 only
    rule.reward(-1.0, last_only=True)
    np.testing.assert_allclose(rule.pending[1], -0.01 * E5)
    assert not rule.pending[0].any()  # the earlier decision is not blamed
    rule.reward(1.0)  # the trace as a whole is still there for the next signal
    np.testing.assert_allclose(rule.pending[0], 0.01 * 0.5 * E5)


def test_trace_decays_by_trace_decay_per_decision():
    rule = RewardModulatedSTDP(2, 4, GROUPS, params(trace_decay=0.6, winner_only=False))
    one_window(rule, 0)
    one_window(rule, 0)
    np.testing.assert_allclose(rule.trace[0], (1 + 0.6) * E5)
    rule.decision([], [], [], [], 0)  # a silent decision only decays the trace
    np.testing.assert_allclose(rule.trace[0], 0.6 * (1 + 0.6) * E5)
    assert rule.decisions == 3


def test_reward_accumulates_learning_rate_times_delta_times_trace_as_it_stands():
    rule = RewardModulatedSTDP(2, 4, GROUPS,
                               params(learning_rate=0.01, trace_decay=0.5, winner_only=False))
    one_window(rule, 0)
    rule.reward(2.0)            # trace E5
    one_window(rule, 0)
    rule.reward(-1.0)           # trace 1.5 * E5
    expected = 0.01 * (2.0 * E5 - 1.0 * 1.5 * E5)
    np.testing.assert_allclose(rule.pending[0], expected)
    assert not rule.pending[1].any()


def test_non_finite_reward_raises():
    rule = RewardModulatedSTDP(2, 4, GROUPS)
    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError, match='finite'):
            rule.reward(bad)


def test_end_episode_adds_clips_keeps_unconnected_and_clears():
    rule = RewardModulatedSTDP(2, 4, GROUPS,
                               params(learning_rate=1.0, w_min_na=0.0, w_max_na=0.6,
                                      winner_only=False))
    one_window(rule, 0)
    rule.reward(1.0)            # +E5 (0.78) on row 0
    weights = np.array([[0.0, 0.5, np.nan, -0.2],
                        [0.3, 0.9, 0.2, np.nan]])
    new = rule.end_episode(weights)
    assert new[0, 1] == 0.6                  # 0.5 + 0.78 clipped to w_max
    assert math.isnan(new[0, 2])             # unconnected stays unconnected
    assert new[0, 3] == pytest.approx(-0.2 + E5)  # inside the bounds: not clipped
    assert new[1, 0] == 0.3                  # untouched
    assert new[1, 1] == 0.6                  # an out-of-bounds weight is clipped too
    assert math.isnan(new[1, 3])
    assert not rule.trace.any() and not rule.pending.any() and rule.decisions == 0
    # the next episode starts from nothing: without decisions nothing changes
    np.testing.assert_array_equal(rule.end_episode(new), new)


def test_negative_reward_clips_at_w_min():
    rule = RewardModulatedSTDP(2, 4, GROUPS,
                               params(learning_rate=1.0, w_min_na=0.05, w_max_na=0.6,
                                      winner_only=False))
    one_window(rule, 0)
    rule.reward(-1.0)
    new = rule.end_episode(np.full((2, 4), 0.3))
    np.testing.assert_allclose(new[0], 0.05)
    np.testing.assert_allclose(new[1], 0.3)


def test_end_episode_rejects_weights_of_the_wrong_shape():
    rule = RewardModulatedSTDP(2, 4, GROUPS)
    with pytest.raises(ValueError, match='2x4'):
        rule.end_episode(np.zeros((4, 2)))


def test_group_of_post_must_name_every_post_neuron():
    with pytest.raises(ValueError, match='4 entries'):
        RewardModulatedSTDP(2, 4, [0, 1, 1])


# ---------------------------------------------------------------------- TDCritic

def test_critic_learns_discounted_returns_on_a_chain():
    """s0 -> s1 -> s2 -> end with reward 1 at the end: V = gamma^2, gamma, 1."""
    gamma = 0.9
    critic = TDCritic(3, RSTDPParameters(gamma=gamma, critic_rate=0.1, critic_trace_decay=0.7))
    x = np.eye(3)
    first = None
    for _ in range(300):
        critic.td_error(x[0], 0.0, x[1])
        critic.td_error(x[1], 0.0, x[2])
        last = critic.td_error(x[2], 1.0, None)
        first = last if first is None else first
    assert first == pytest.approx(1.0)  # nothing learned yet: delta is the reward
    np.testing.assert_allclose(critic.values, [gamma ** 2, gamma, 1.0], atol=1e-3)
    assert abs(last) < 1e-3             # learned: the end is no surprise any more
    assert critic.value(x[0]) == pytest.approx(gamma ** 2, abs=1e-3)


def test_critic_trace_is_cleared_at_the_end_of_an_episode():
    critic = TDCritic(2, RSTDPParameters(critic_rate=0.1))
    critic.td_error([1.0, 0.0], 0.0, [0.0, 1.0])
    assert critic.trace.any()
    critic.td_error([0.0, 1.0], 1.0, None)
    assert not critic.trace.any()


def test_critic_without_learning_rate_returns_the_raw_reward():
    critic = TDCritic(2, RSTDPParameters(critic_rate=0.0))
    assert critic.td_error([1.0, 0.0], -0.05, [0.0, 1.0]) == pytest.approx(-0.05)
    assert critic.td_error([0.0, 1.0], 1.0, None) == pytest.approx(1.0)
    assert not critic.values.any()


# ---------------------------------------------------------------------- RSTDPParameters

@pytest.mark.parametrize('kwargs, message', [
    ({'trace_decay': 1.5}, 'trace_decay'),
    ({'trace_decay': -0.1}, 'trace_decay'),
    ({'tau_plus_ms': 0.0}, 'tau_plus_ms'),
    ({'tau_minus_ms': -1.0}, 'tau_minus_ms'),
    ({'w_min_na': 0.7, 'w_max_na': 0.6}, 'w_min_na'),
    ({'learning_rate': -0.001}, 'learning_rate'),
])
def test_invalid_parameters_raise_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RSTDPParameters(**kwargs)


def test_boundary_parameters_are_accepted():
    RSTDPParameters(trace_decay=0.0)
    RSTDPParameters(trace_decay=1.0, w_min_na=0.3, w_max_na=0.3, learning_rate=0.0)
