"""Pong's pure core: game rules, codes and learning rules, with analytic answers (no NEST).

``experiments`` is not an installed package yet (setup.py lists brain_node, neurobot and
tf_nodes), so the neurobot package folder is put on sys.path here.
"""

import math
from pathlib import Path
import sys

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from experiments.pong import coding, learning  # noqa: E402
from experiments.pong.game import (  # noqa: E402
    BALL_RADIUS, BALL_SPEED, FIELD_HEIGHT, FIELD_WIDTH, GRID_Y, LEFT, LEFT_SCORED, MOVE_DOWN,
    MOVE_UP, NO_SCORE, PADDLE_SPEED, RIGHT, RIGHT_SCORED, SERVE_X, STAY, Ball, Pong, column_of,
    row_of)


def game_with(x, y, direction, left_y=0.5, right_y=0.5, seed=0):
    game = Pong(np.random.default_rng(seed))
    game.ball = Ball(x=x, y=y, direction=np.array(direction, dtype=float))
    game.paddles[LEFT].y, game.paddles[RIGHT].y = left_y, right_y
    return game


# ------------------------------------------------------------------ game


def test_rows_and_columns_split_the_field_into_the_grid():
    assert [row_of(y) for y in (0.0, 0.049, 0.05, 0.5, 0.999)] == [0, 0, 1, 10, 19]
    assert row_of(FIELD_HEIGHT) == GRID_Y  # a paddle at the very top, as in the original
    assert [column_of(x) for x in (0.0, 0.8, 1.599)] == [0, 16, 31]


def test_the_ball_moves_its_speed_times_its_direction():
    game = game_with(0.8, 0.5, [0.6, -0.4])
    assert game.step() == NO_SCORE
    assert game.ball.x == pytest.approx(0.8 + BALL_SPEED * 0.6)
    assert game.ball.y == pytest.approx(0.5 - BALL_SPEED * 0.4)


@pytest.mark.parametrize('y, vy, bounced', [(1.0 - BALL_RADIUS, 0.3, -0.3),
                                            (BALL_RADIUS, -0.3, 0.3)])
def test_the_ball_bounces_off_top_and_bottom_before_it_moves(y, vy, bounced):
    game = game_with(0.8, y, [0.7, vy])
    game.step()
    assert game.ball.direction[1] == pytest.approx(bounced)
    assert game.ball.y == pytest.approx(y + BALL_SPEED * bounced)


@pytest.mark.parametrize('side, x, vx', [(LEFT, BALL_RADIUS, -0.8),
                                         (RIGHT, FIELD_WIDTH - BALL_RADIUS, 0.8)])
def test_a_paddle_covering_the_ball_returns_it(side, x, vx):
    game = game_with(x, 0.55, [vx, 0.2], left_y=0.5, right_y=0.5)  # 0.05 off centre: a hit
    assert game.step() == NO_SCORE
    assert game.ball.direction[0] == pytest.approx(-vx)
    assert game.score == {LEFT: 0, RIGHT: 0}


@pytest.mark.parametrize('side, x, vx, outcome, scorer', [
    (LEFT, BALL_RADIUS, -0.8, RIGHT_SCORED, RIGHT),
    (RIGHT, FIELD_WIDTH - BALL_RADIUS, 0.8, LEFT_SCORED, LEFT)])
def test_a_missed_ball_scores_for_the_other_side_and_is_served_to_the_scorer(
        side, x, vx, outcome, scorer):
    game = game_with(x, 0.9, [vx, 0.2], left_y=0.5, right_y=0.5)  # 0.4 off: a miss
    assert game.step() == outcome
    assert game.score[scorer] == 1 and sum(game.score.values()) == 1
    assert game.ball.x == SERVE_X
    assert np.sign(game.ball.direction[0]) == (1 if scorer == RIGHT else -1)


def test_paddles_move_one_row_per_step_and_stop_at_the_edges():
    game = game_with(0.8, 0.5, [0.7, 0.3], left_y=0.5, right_y=0.02)
    game.set_move(LEFT, MOVE_UP)
    game.set_move(RIGHT, MOVE_DOWN)
    game.step()
    assert game.paddles[LEFT].y == pytest.approx(0.5 + PADDLE_SPEED)
    assert game.paddles[LEFT].row == 11
    assert game.paddles[RIGHT].y == 0.0
    game.set_move(LEFT, STAY)
    game.step()
    assert game.paddles[LEFT].y == pytest.approx(0.5 + PADDLE_SPEED)


def test_bad_moves_and_sides_are_refused():
    game = Pong(np.random.default_rng(1))
    with pytest.raises(ValueError, match='move'):
        game.set_move(LEFT, 2)
    with pytest.raises(ValueError, match='side'):
        game.set_move('top', STAY)


def test_serves_are_random_but_follow_the_rules_and_the_seed():
    directions = []
    for seed in range(50):
        game = Pong(np.random.default_rng(seed))
        vx, vy = game.ball.direction
        assert 0.5 <= vx <= 1.0 and abs(vx) + abs(vy) == pytest.approx(1.0)
        assert 0.0 <= game.ball.y < FIELD_HEIGHT and game.ball.x == SERVE_X
        directions.append(vy > 0)
    assert 10 < sum(directions) < 40
    first, again = Pong(np.random.default_rng(7)).ball, Pong(np.random.default_rng(7)).ball
    assert (first.x, first.y, *first.direction) == (again.x, again.y, *again.direction)


def test_paddles_that_follow_the_ball_never_miss():
    """A paddle moves 0.05 a step, the ball at most 0.0125 vertically: tracking always wins."""
    game = Pong(np.random.default_rng(3))
    for _ in range(3000):
        row = game.ball.cell[1]
        for side in (LEFT, RIGHT):
            game.set_move(side, coding.paddle_move(row, game.paddles[side].row))
        assert game.step() == NO_SCORE
        assert 0 <= game.ball.cell[1] < GRID_Y


def test_paddles_that_stay_let_balls_through():
    game = Pong(np.random.default_rng(3))
    for _ in range(3000):
        game.step()
    assert sum(game.score.values()) > 5


# ------------------------------------------------------------------ codes


def test_input_trains_are_the_originals_and_end_with_the_iteration():
    rstdp = coding.input_train(400.0, coding.RSTDP_OFFSET_MS)
    np.testing.assert_allclose(rstdp, 401.0 + 10.0 * np.arange(20))
    dopa = coding.input_train(400.0, coding.DOPA_OFFSET_MS)
    np.testing.assert_allclose(dopa, 432.0 + 10.0 * np.arange(17))  # 602, 612, 622 dropped


def test_encode_stimulates_one_input_only():
    trains = coding.encode(4, 20, np.array([1.0, 11.0]))
    assert [len(t) for t in trains] == [0] * 4 + [2] + [0] * 15
    with pytest.raises(ValueError, match='row'):
        coding.encode(20, 20, np.array([1.0]))


def test_the_winner_has_most_spikes_and_ties_are_drawn_at_random():
    rng = np.random.default_rng(0)
    assert coding.winning_neuron([0, 3, 1, 2], rng) == 1
    winners = {coding.winning_neuron([2, 0, 2, 2], rng) for _ in range(100)}
    assert winners == {0, 2, 3}
    assert coding.paddle_move(7, 5) == MOVE_UP
    assert coding.paddle_move(5, 5) == STAY
    assert coding.paddle_move(2, 20) == MOVE_DOWN


# ------------------------------------------------------------------ learning


def test_distance_rewards_and_the_baseline_per_row():
    assert [learning.distance_reward(w, 10) for w in (10, 9, 12, 13, 14, 0)] == [
        1.0, 0.7, 0.4, 0.1, 0.0, 0.0]
    means = np.zeros(20)
    signal, updated = learning.baseline_reward(means, 3, 1.0)
    assert signal == 1.0 and updated[3] == 0.5 and means[3] == 0.0
    signal, updated = learning.baseline_reward(updated, 3, 0.4)
    assert signal == pytest.approx(-0.1) and updated[3] == pytest.approx(0.45)
    assert np.count_nonzero(updated) == 1


def test_eligibility_counts_the_first_post_spike_after_each_pre_spike():
    amp, tau = learning.STDP_AMPLITUDE, learning.STDP_TAU_MS
    pre = [10.0, 20.0]
    # neuron 0: 5 (before any input: ignored), 13 (counts), 15 (same interval: skipped),
    # 22 (counts); neuron 2: one spike at 30; neuron 1 silent.
    elig = learning.eligibility(pre, [0, 0, 0, 2, 0], [5.0, 13.0, 15.0, 30.0, 22.0], 3)
    np.testing.assert_allclose(elig, [amp * (math.exp(-3 / tau) + math.exp(-2 / tau)), 0.0,
                                      amp * math.exp(-10 / tau)])
    # A spike at the same time as an input spike pairs with the input spike before it.
    assert learning.eligibility(pre, [0], [20.0], 1)[0] == pytest.approx(amp * math.exp(-10 / tau))
    # Many close pairs saturate.
    pre = np.arange(20) * 10.0
    burst = learning.eligibility(pre, np.zeros(20, int), pre + 1.0, 1)
    assert burst[0] == learning.STDP_SATURATION


def reference_eligibility(pre, post):
    """The rule for one neuron, spike by spike (independent of the vectorised version)."""
    total, used = 0.0, set()
    for t in sorted(post):
        before = [p for p in pre if p < t]
        if not before or len(before) in used:
            continue
        used.add(len(before))
        total += learning.STDP_AMPLITUDE * math.exp(-(t - max(before)) / learning.STDP_TAU_MS)
    return min(total, learning.STDP_SATURATION)


@pytest.mark.parametrize('seed', range(20))
def test_vectorised_eligibility_equals_the_rule_spike_by_spike(seed):
    rng = np.random.default_rng(seed)
    pre = np.round(np.sort(rng.uniform(0, 200, rng.integers(0, 25))), 1)
    neurons = rng.integers(0, 6, rng.integers(0, 60))
    times = np.round(rng.uniform(0, 200, len(neurons)), 1)
    expected = [reference_eligibility(pre, times[neurons == j]) for j in range(6)]
    np.testing.assert_allclose(learning.eligibility(pre, neurons, times, 6), expected)


def test_rstdp_changes_only_the_stimulated_row_by_rate_times_eligibility_times_reward():
    weights = np.full((4, 3), 1.3)
    elig = np.array([10.0, 0.0, 100.0])
    updated = learning.rstdp_weights(weights, 2, elig, -0.5)
    expected = weights.copy()
    expected[2] += learning.LEARNING_RATE * elig * -0.5 / 1000.0  # pA -> nA
    np.testing.assert_allclose(updated, expected)
    assert (weights == 1.3).all()


def test_the_dopamine_current_grows_with_the_targets_share_and_is_clipped():
    assert learning.dopamine_current_na(np.zeros(20), 3) == pytest.approx(0.1)
    counts = np.zeros(20)
    counts[3], counts[5] = 1, 47  # share 1/48: 100 pA + 100 pA
    assert learning.dopamine_current_na(counts, 3) == pytest.approx(0.2)
    counts[5] = 0
    assert learning.dopamine_current_na(counts, 3) == pytest.approx(1.0)
