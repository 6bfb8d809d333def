"""Unit tests of the pong side-by-side benchmark's pure parts (bench/pong_compare.py).

No NEST and no game: the original's log and data files are written here in the shape
NEST's ``run_simulations.py`` writes them; the band math is checked against the t
distribution's own density and against a coverage simulation.
"""

import gzip
import json
import math
from pathlib import Path
import pickle
import sys

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'bench'))

import pong_compare as pc  # noqa: E402
from pong_original_launcher import translate_vt  # noqa: E402

# Lines as NEST 3.10's run_simulations.py logs them (from a run of 1000 iterations here).
LOG = """\
22:08:09 - setup complete for a pong game between: clean R-STDP and noisy R-STDP.
22:08:09 - Starting simulation of 1000 iterations of 200ms each.
22:08:09 - 0.01: Run 0, score: (0, 0), mean rewards: 0.0, 0.0
22:09:51 - 101.52: Run 100, score: (2, 1), mean rewards: 0.349, 0.215
22:26:40 - 1110.7: Run 900, score: (7, 12), mean rewards: 0.812, 0.7
22:28:30 - Simulation of 1000 runs complete after: 0:20:21.250000
22:28:30 - saving game data...
"""

KEYERROR_LOG = """\
Traceback (most recent call last):
  File "run_simulations.py", line 239, in <module>
    p1 = PongNetDopa(apply_noise)
  File "/.../hl_api_models.py", line 147, in <genexpr>
    (is_iterable_not_str(v) and not is_iterable(defaults[k])) or isinstance(v, Parameter)
                                                ~~~~~~~~^^^
KeyError: 'vt'
"""


def test_progress_lines_give_time_run_score_and_both_mean_rewards():
    progress = pc.parse_progress(LOG)
    assert [p['run'] for p in progress] == [0, 100, 900]
    assert progress[1] == {'elapsed_s': 101.52, 'run': 100, 'score': (2, 1),
                           'mean_reward': (0.349, 0.215)}
    assert progress[2]['score'] == (7, 12)


@pytest.mark.parametrize('line, expected', [
    ('Simulation of 5 runs complete after: 0:00:00.648132', (5, 0.648132)),
    ('Simulation of 1000 runs complete after: 1:02:03.5', (1000, 3723.5)),
    ('Simulation of 1000 runs complete after: 0:20:21', (1000, 1221.0)),
    ('Simulation of 9 runs complete after: 1 day, 2:00:00', (9, 93600.0)),
])
def test_the_closing_line_gives_the_game_loop_wall_time(line, expected):
    runs, seconds = pc.parse_duration(f'22:28:30 - {line}\n')
    assert runs == expected[0]
    assert seconds == pytest.approx(expected[1])


def test_an_unfinished_run_has_no_duration_and_no_error():
    unfinished = LOG.split('22:28:30')[0]
    assert pc.parse_duration(unfinished) is None
    assert pc.parse_error(unfinished) is None


def test_the_dopamine_failure_is_reported_by_its_exception_line():
    assert pc.parse_error(LOG + KEYERROR_LOG) == "KeyError: 'vt'"


def test_the_compat_shim_renames_only_the_volume_transmitter_key():
    params = {'vt': 'VT', 'tau_c': 70}
    assert translate_vt(params) == {'volume_transmitter': 'VT', 'tau_c': 70}
    assert params == {'vt': 'VT', 'tau_c': 70}  # the caller's dict is not changed
    assert translate_vt({'weight': 1.0}) == {'weight': 1.0}
    assert translate_vt('stdp_dopamine_synapse') == 'stdp_dopamine_synapse'
    assert translate_vt(None) is None


def test_configurations_are_two_known_players_and_never_two_dopamine_ones():
    assert pc.parse_players('dn r') == ('dn', 'r')
    with pytest.raises(ValueError, match='two players'):
        pc.parse_players('r')
    with pytest.raises(ValueError, match='two players'):
        pc.parse_players('r x')
    with pytest.raises(ValueError, match='volume transmitter'):
        pc.parse_players('d dn')


def test_last_part_is_the_last_fifth_and_never_empty():
    assert pc.last_part_mean(np.arange(10.0)) == pytest.approx(8.5)  # mean of 8 and 9
    assert pc.last_part_mean([0.0, 0.0, 3.0]) == 3.0  # 20 % of 3 rounds to 1 value
    with pytest.raises(ValueError, match='empty'):
        pc.last_part_mean([])


def test_smoothing_is_a_trailing_mean_of_the_given_window():
    curve = np.r_[np.zeros(10), np.ones(10)]
    smoothed = pc.smooth(curve, 4)
    assert len(smoothed) == len(curve)
    assert smoothed[9] == 0.0  # before the step nothing leaks backwards
    assert smoothed[10:14] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert pc.smooth([1.0, 3.0, 5.0], 10) == pytest.approx([1.0, 2.0, 3.0])  # expanding start
    assert pc.smooth(curve, 1) == pytest.approx(curve)


def _t_coverage(q, df, steps=200000):
    """P(|T| <= q) for Student's t with ``df`` degrees of freedom, by the midpoint rule."""
    norm = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))
    x = (np.arange(steps) + 0.5) * (q / steps)
    return 2 * float(np.sum(norm * (1 + x * x / df) ** (-(df + 1) / 2)) * (q / steps))


@pytest.mark.parametrize('df', [1, 2, 4, 9, 30])
def test_t_quantiles_leave_two_and_a_half_percent_in_each_tail(df):
    assert _t_coverage(pc.t_quantile_975(df), df) == pytest.approx(0.95, abs=5e-4)


def test_range_band_spans_the_seeds_and_ci95_covers_the_true_mean_95_percent():
    mean, low, high = pc.band([[0.0, 0.2], [0.4, 0.2]], 'range')
    assert mean == pytest.approx([0.2, 0.2])
    assert low == pytest.approx([0.0, 0.2]) and high == pytest.approx([0.4, 0.2])
    # 3 seeds of a known mean: the 95 % interval holds it in about 95 % of experiments
    rng = np.random.default_rng(5)
    runs = rng.normal(0.6, 0.1, size=(4000, 3, 1))
    hits = [low[0] <= 0.6 <= high[0] for _, low, high in (pc.band(r, 'ci95') for r in runs)]
    assert np.mean(hits) == pytest.approx(0.95, abs=0.015)
    # with 2 seeds the interval is 12.7 standard errors either side
    _, low, high = pc.band([[0.5], [0.7]], 'ci95')
    assert high[0] - 0.6 == pytest.approx(12.706 * 0.1, rel=1e-3)
    with pytest.raises(ValueError, match="'range' or 'ci95'"):
        pc.band([[1.0]], 'sd')


def test_rise_and_band_fraction():
    curve = np.linspace(0.0, 0.8, 9)  # 0, 0.1, ..., 0.8
    assert pc.rise_iteration(curve, 0.4) == 5
    assert pc.rise_iteration(curve, 0.9) is None
    low, high = np.full(9, 0.2), np.full(9, 0.5)
    # inside [0.15, 0.55]: 0.2, 0.3, 0.4, 0.5
    assert pc.inside_fraction(curve, low, high, tolerance=0.05) == pytest.approx(4 / 9)


def _write_original_run(folder, curves, log=LOG, rc=0):
    """A cache folder as bench/pong_compare.py stores a run of run_simulations.py."""
    (folder / 'out').mkdir(parents=True)
    (folder / 'stdout.log').write_text(log)
    (folder / 'meta.json').write_text(json.dumps({'rc': rc, 't_start': 0.0, 't_end': 60.0}))
    for side, curve in curves.items():
        # run_simulations.py pickles the per-row mean reward after every iteration
        rewards = [np.full(20, value) for value in curve]
        with gzip.open(folder / 'out' / f'data_{side}.pkl.gz', 'w') as file:
            pickle.dump({'network_type': 'clean R-STDP', 'with_noise': False,
                         'rewards': rewards, 'weights': []}, file)


def test_an_original_run_is_read_from_the_files_it_writes(tmp_path):
    left, right = np.linspace(0, 0.8, 1000), np.linspace(0, 0.6, 1000)
    _write_original_run(tmp_path, {'left': left, 'right': right})
    run = pc.read_original(tmp_path, pc.ORIGINAL, ('r', 'rn'), 1, 1000)
    assert run.ok
    assert run.curves['left'] == pytest.approx(left)
    assert run.curves['right'] == pytest.approx(right)
    assert run.ms_per_iteration == pytest.approx(1221.25)  # 0:20:21.25 over 1000 runs
    assert run.score == {'left': 7, 'right': 12}


def test_a_failed_original_run_carries_its_error(tmp_path):
    (tmp_path / 'stdout.log').write_text(KEYERROR_LOG)
    (tmp_path / 'meta.json').write_text(json.dumps({'rc': 1, 't_start': 0.0, 't_end': 1.0}))
    run = pc.read_original(tmp_path, pc.ORIGINAL, ('dn', 'r'), 1, 1000)
    assert not run.ok and run.error == "KeyError: 'vt'"


def _run(impl, seed, left, right, wall_s=10.0, players=('r', 'rn')):
    return pc.Run(impl, players, seed, len(left), curves={'left': np.asarray(left),
                                                           'right': np.asarray(right)},
                  wall_s=wall_s)


def test_the_verdict_compares_with_the_original_range_and_falls_back_to_compat():
    up = np.linspace(0.0, 0.8, 100)
    runs = [_run(pc.ORIGINAL, 1, up, up * 0.5, wall_s=100.0),
            _run(pc.ORIGINAL, 2, up * 0.9, up * 0.6, wall_s=120.0),
            _run(pc.NEUROBOT, 1, up * 0.95, up * 0.2, wall_s=5.5),
            _run(pc.NEUROBOT, 2, up * 0.95, up * 0.2, wall_s=5.5)]
    rows = {row[1]: row for row in pc.verdict_rows(runs)}
    assert rows['r (left)'][3].endswith(': yes') and rows['r (left)'][-1] == 'met'
    assert rows['rn (right)'][3].endswith(': NO') and rows['rn (right)'][-1] == 'NOT met'
    ratio = pc.ratio_rows(runs)[0]
    assert ratio[1:4] == ['1100', '-', '55'] and ratio[4] == '0.0500 (20x faster)'

    dopa = ('dn', 'r')
    failed = pc.Run(pc.ORIGINAL, dopa, 1, 100, error="KeyError: 'vt'")
    compat = _run(pc.COMPAT, 1, up, up, players=dopa)
    ours = _run(pc.NEUROBOT, 1, up, up, players=dopa)
    rows = pc.verdict_rows([failed, compat, ours])
    assert {row[2] for row in rows} == {pc.COMPAT}
    summary = [row for row in pc.summary_rows([failed, compat, ours]) if row[2] == pc.ORIGINAL]
    assert summary[0][3] == 'FAILED' and summary[0][-1] == "seed 1: KeyError: 'vt'"


def test_a_run_without_its_end_is_reported_unfinished_with_its_progress(tmp_path):
    folder = pc.run_dir(tmp_path, pc.ORIGINAL, ('r', 'rn'), 1, 1000)
    folder.mkdir(parents=True)
    (folder / 'stdout.log').write_text(LOG.split('22:26:40')[0])  # stopped after run 100
    run = pc.run_original(tmp_path, pc.ORIGINAL, ('r', 'rn'), 1, 1000, allow_run=False)
    assert not run.ok and run.error == 'unfinished (its log reaches run 100 of 1000)'
    assert pc.run_original(tmp_path, pc.ORIGINAL, ('r', 'rn'), 2, 1000, allow_run=False) is None
    done = _run(pc.ORIGINAL, 2, [0.1, 0.2], [0.3, 0.4])
    note = pc.summary_rows([run, done])[0][-1]
    assert note.endswith('seed 1: unfinished (its log reaches run 100 of 1000)')


def test_chance_level_is_the_mean_reward_of_a_random_winner():
    assert pc.chance_level(1) == 1.0  # one row: the winner is always right
    assert pc.chance_level(5, (1.0,)) == pytest.approx(1 / 5)
    # 3 rows, rewards 1 / 0.5: row 0 and 2 see (1 + 0.5) / 3, row 1 sees (1 + 0.5 + 0.5) / 3
    assert pc.chance_level(3, (1.0, 0.5)) == pytest.approx((1.5 + 2.0 + 1.5) / 9)
    rng = np.random.default_rng(0)  # by sampling, with the example's table
    rows, winners = rng.integers(0, 20, 200000), rng.integers(0, 20, 200000)
    table = dict(enumerate(pc.REWARD_BY_DISTANCE))
    sampled = np.mean([table.get(d, 0.0) for d in np.abs(rows - winners)])
    assert pc.chance_level() == pytest.approx(sampled, abs=0.003)


def test_a_failed_original_is_read_back_from_the_cache_without_running(tmp_path):
    folder = pc.run_dir(tmp_path, pc.ORIGINAL, ('dn', 'r'), 1, 300)
    folder.mkdir(parents=True)
    (folder / 'stdout.log').write_text(KEYERROR_LOG)
    (folder / 'meta.json').write_text(json.dumps({'rc': 1, 't_start': 0.0, 't_end': 1.0}))
    run = pc.run_original(tmp_path, pc.ORIGINAL, ('dn', 'r'), 1, 300, allow_run=False)
    assert run.error == "KeyError: 'vt'"
    assert pc.summary_rows([run])[0][3] == 'FAILED'


def test_checkpoints_put_the_logged_value_after_n_iterations_beside_neurobots(tmp_path):
    folder = pc.run_dir(tmp_path, pc.COMPAT, ('dn', 'r'), 1, 1000)
    folder.mkdir(parents=True)
    (folder / 'stdout.log').write_text(LOG.split('22:26:40')[0])  # unfinished after run 100
    partial = pc.run_original(tmp_path, pc.COMPAT, ('dn', 'r'), 1, 1000, allow_run=False)
    curve = np.arange(300) / 1000.0  # after n iterations: (n - 1) / 1000
    ours = [_run(pc.NEUROBOT, seed, curve + shift, curve, players=('dn', 'r'))
            for seed, shift in ((1, 0.0), (2, 0.02))]
    (row,) = pc.checkpoint_rows([partial, *ours])
    assert row == ['dn r', pc.COMPAT, 100, 's1: 0.349', '0.109 (0.099-0.119)',
                   's1: 0.215', '0.099 (0.099-0.099)']


def test_checkpoints_say_whether_neurobot_is_in_the_range_of_two_logged_seeds():
    def logged(seed, left, right):
        progress = [{'run': 100, 'elapsed_s': 1.0, 'score': (0, 0), 'mean_reward': (left, right)}]
        return pc.Run(pc.ORIGINAL, ('r', 'rn'), seed, 300, error='unfinished', progress=progress)
    ours = _run(pc.NEUROBOT, 1, np.full(300, 0.15), np.full(300, 0.30))
    (row,) = pc.checkpoint_rows([logged(1, 0.1, 0.2), logged(2, 0.2, 0.25), ours])
    assert row[4] == '0.150 (0.150-0.150), in range: yes'
    assert row[6] == '0.300 (0.300-0.300), in range: NO'


def test_identity_check_finds_a_single_changed_value_and_accepts_a_true_prefix():
    rng = np.random.default_rng(0)
    long = {'left weights': rng.normal(size=(10, 20, 20)), 'score': rng.normal(size=(10, 2))}
    short = {key: values[:4].copy() for key, values in long.items()}
    assert pc.identical_prefix(short, long) == []
    short['left weights'][3, 7, 2] = np.nextafter(short['left weights'][3, 7, 2], np.inf)
    assert pc.identical_prefix(short, long) == ['left weights']
    assert pc.identical_prefix(long, short) == ['left weights', 'score']  # too short
