"""Unit tests of the transfer-function translation helpers (no ROS, no NEST).

Checks are analytic where there is a closed form (Gaussian tuning, population
vectors, the integrator's exponential solution) and against a brute-force reference
written here where there is not (sector minima, the sliding window), as PyNN's
system scenarios compare simulations with expected values within a tolerance.
"""

import math

import numpy as np
import pytest

from neurobot.world.maze import Maze
from neurobot.world.world import Twist2D as WorldTwist2D
from tf_nodes.codes import (COMPASS_4_RAD, COMPASS_8_RAD, LeakyIntegrator, PopulationVector,
                            SpikeWindow, Throttle, Twist2D, counts_to_rates_hz,
                            direction_twist, gaussian_rates, grid_centres_m, group_counts,
                            linear_rates, place_cell_rates, population_vector,
                            preferred_values, scan_rates, scan_sectors_m, vector_twist,
                            winner_take_all)

MS = 1_000_000  # ns per ms
S = 1_000_000_000  # ns per s
TOL = 1e-12  # relative tolerance of analytic checks


# ---------------------------------------------------------------------- linear encoder
def test_linear_rates_maps_range_and_clips():
    rates = linear_rates([-5.0, 0.0, 2.5, 10.0, 20.0, -np.inf, np.inf], 0.0, 10.0,
                         min_rate_hz=10.0, max_rate_hz=110.0)
    np.testing.assert_allclose(rates, [10.0, 10.0, 35.0, 110.0, 110.0, 10.0, 110.0],
                               rtol=TOL)


def test_linear_rates_keeps_shape_and_returns_float_for_scalar():
    assert isinstance(linear_rates(5.0, 0.0, 10.0, max_rate_hz=100.0), float)
    assert linear_rates(5.0, 0.0, 10.0, max_rate_hz=100.0) == pytest.approx(50.0)
    grid = np.linspace(0.0, 10.0, 12).reshape(3, 4)
    rates = linear_rates(grid, 0.0, 10.0, max_rate_hz=100.0)
    assert rates.shape == (3, 4)
    np.testing.assert_allclose(rates, grid * 10.0, rtol=TOL)


def test_linear_rates_inverted_gives_high_rate_at_lo():
    rates = linear_rates([0.0, 1.0, 4.0], 0.0, 4.0, max_rate_hz=80.0, invert=True)
    np.testing.assert_allclose(rates, [80.0, 60.0, 0.0], rtol=TOL)


@pytest.mark.parametrize('kwargs, error', [
    (dict(value=1.0, lo=1.0, hi=1.0, max_rate_hz=10.0), ValueError),
    (dict(value=1.0, lo=2.0, hi=1.0, max_rate_hz=10.0), ValueError),
    (dict(value=1.0, lo=0.0, hi=1.0, max_rate_hz=10.0, min_rate_hz=20.0), ValueError),
    (dict(value=1.0, lo=0.0, hi=1.0, max_rate_hz=-1.0, min_rate_hz=-2.0), ValueError),
    (dict(value=[1.0, np.nan], lo=0.0, hi=1.0, max_rate_hz=10.0), ValueError),
    (dict(value=1.0, lo=0.0, hi=np.nan, max_rate_hz=10.0), ValueError),
    (dict(value='far', lo=0.0, hi=1.0, max_rate_hz=10.0), TypeError),
    (dict(value=1.0, lo=0.0, hi=1.0, max_rate_hz='10'), TypeError),
])
def test_linear_rates_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match='expected'):
        linear_rates(**kwargs)


# ---------------------------------------------------------------------- Gaussian fields
def test_gaussian_rates_peak_one_and_two_sigma():
    sigma = 0.7
    rates = gaussian_rates([0.0, sigma, -2 * sigma, 100.0], [0.0], sigma, peak_rate_hz=80.0)
    np.testing.assert_allclose(rates[:, 0], [80.0, 80.0 * math.exp(-0.5),
                                             80.0 * math.exp(-2.0), 0.0], rtol=TOL, atol=1e-300)


def test_gaussian_rates_baseline_is_reached_far_away_and_peak_stays_exact():
    rates = gaussian_rates([3.0, 3.5, 1e6], [3.0], 0.5, peak_rate_hz=50.0,
                           baseline_rate_hz=5.0)
    np.testing.assert_allclose(rates[:, 0], [50.0, 5.0 + 45.0 * math.exp(-0.5), 5.0], rtol=TOL)


def test_gaussian_rates_population_shape_and_most_active_neuron():
    centres = preferred_values(-1.0, 1.0, 5)
    np.testing.assert_allclose(centres, [-1.0, -0.5, 0.0, 0.5, 1.0])
    values = np.array([[-1.0, 0.4], [0.1, 0.9]])
    rates = gaussian_rates(values, centres, 0.25, peak_rate_hz=100.0)
    assert rates.shape == (2, 2, 5)
    np.testing.assert_array_equal(rates.argmax(axis=-1), [[0, 3], [2, 4]])


def test_gaussian_rates_periodic_takes_the_short_way_round():
    centres = preferred_values(-math.pi, math.pi, 8, periodic=True)
    assert centres.shape == (8,) and centres[0] == -math.pi and centres[-1] < math.pi
    # pi - 0.1 is 0.1 rad from the field at -pi, not 2 pi - 0.1.
    rates = gaussian_rates(math.pi - 0.1, centres, 0.2, peak_rate_hz=40.0, period=2 * math.pi)
    assert rates[0] == pytest.approx(40.0 * math.exp(-0.5 * 0.25), rel=1e-9)
    assert rates.argmax() == 0
    plain = gaussian_rates(math.pi - 0.1, centres, 0.2, peak_rate_hz=40.0)
    assert plain[0] < 1e-100


def test_preferred_values_single_field_sits_in_the_middle():
    np.testing.assert_allclose(preferred_values(2.0, 4.0, 1), [3.0])


@pytest.mark.parametrize('kwargs', [
    dict(sigma=0.0), dict(sigma=-1.0), dict(sigma=np.inf), dict(centres=[]),
    dict(centres=[[0.0, 1.0]]), dict(centres=[0.0, np.nan]), dict(value=np.nan),
    dict(peak_rate_hz=5.0, baseline_rate_hz=10.0), dict(baseline_rate_hz=-1.0),
    dict(period=0.0),
])
def test_gaussian_rates_rejects_bad_arguments(kwargs):
    args = dict(value=0.0, centres=[0.0, 1.0], sigma=1.0, peak_rate_hz=10.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match='expected'):
        gaussian_rates(**args)


# ---------------------------------------------------------------------- place cells
def test_grid_centres_match_the_maze_cell_centres():
    layout = '\n'.join(['+---+---+---+', '| S         |', '+   +---+   +',
                        '|         G |', '+---+---+---+'])
    maze = Maze.from_dict({'name': 'tiny', 'cell_size_m': 0.6, 'layout': layout})
    centres = grid_centres_m(maze.n_rows, maze.n_cols, maze.cell_size_m)
    expected = [maze.cell_to_world(cell) for cell in maze.cells()]
    np.testing.assert_allclose(centres, expected, rtol=TOL)


def test_place_cell_rates_peak_at_centre_and_exp_half_at_one_sigma():
    centres = np.array([[0.3, 0.3], [0.9, 0.3]])
    sigma = 0.2
    at_centre = place_cell_rates((0.3, 0.3), centres, sigma, peak_rate_hz=60.0)
    assert at_centre[0] == pytest.approx(60.0, rel=TOL)
    assert at_centre[1] == pytest.approx(60.0 * math.exp(-0.5 * 9.0), rel=1e-9)
    diagonal = sigma / math.sqrt(2.0)  # one sigma away, not along an axis
    off = place_cell_rates((0.3 + diagonal, 0.3 - diagonal), centres, sigma,
                           peak_rate_hz=60.0, baseline_rate_hz=2.0)
    assert off[0] == pytest.approx(2.0 + 58.0 * math.exp(-0.5), rel=1e-9)


def test_place_cells_per_centre_are_contiguous_copies():
    centres = grid_centres_m(2, 3, 0.5)
    single = place_cell_rates((0.4, 0.6), centres, 0.3, peak_rate_hz=30.0)
    quad = place_cell_rates((0.4, 0.6), centres, 0.3, peak_rate_hz=30.0, cells_per_centre=4)
    assert quad.shape == (24,)
    np.testing.assert_array_equal(quad.reshape(6, 4), np.repeat(single[:, None], 4, axis=1))


def test_place_cell_rates_are_vectorised_over_positions():
    centres = grid_centres_m(3, 3, 1.0)
    positions = np.random.default_rng(1).uniform(0.0, 3.0, size=(7, 2))
    batch = place_cell_rates(positions, centres, 0.4, peak_rate_hz=20.0, cells_per_centre=2)
    assert batch.shape == (7, 18)
    for i, position in enumerate(positions):
        np.testing.assert_allclose(batch[i], place_cell_rates(
            position, centres, 0.4, peak_rate_hz=20.0, cells_per_centre=2), rtol=TOL)


@pytest.mark.parametrize('kwargs, error', [
    (dict(position_m=(1.0,)), ValueError),
    (dict(position_m=(1.0, np.nan)), ValueError),
    (dict(centres_m=[0.0, 0.0]), ValueError),
    (dict(centres_m=np.zeros((0, 2))), ValueError),
    (dict(centres_m=np.zeros((2, 3))), ValueError),
    (dict(sigma_m=0.0), ValueError),
    (dict(cells_per_centre=0), ValueError),
    (dict(cells_per_centre=2.0), TypeError),
    (dict(peak_rate_hz=-1.0), ValueError),
])
def test_place_cell_rates_rejects_bad_arguments(kwargs, error):
    args = dict(position_m=(0.0, 0.0), centres_m=[[0.0, 0.0]], sigma_m=0.1,
                peak_rate_hz=10.0)
    args.update(kwargs)
    with pytest.raises(error, match='expected'):
        place_cell_rates(**args)


# ---------------------------------------------------------------------- laser scan
def brute_force_sectors(ranges, n_sectors, range_max):
    n = len(ranges)
    out = [range_max] * n_sectors
    for i, r in enumerate(ranges):
        if math.isnan(r) or r == math.inf:
            r = range_max
        r = min(max(r, 0.0), range_max)
        k = i * n_sectors // n
        out[k] = min(out[k], r)
    return out


@pytest.mark.parametrize('n_beams, n_sectors', [(360, 4), (10, 3), (7, 7), (100, 1), (11, 8)])
def test_scan_sectors_match_brute_force(n_beams, n_sectors):
    rng = np.random.default_rng(n_beams * 100 + n_sectors)
    ranges = rng.uniform(0.0, 6.0, n_beams)
    ranges[rng.random(n_beams) < 0.2] = np.inf
    ranges[rng.random(n_beams) < 0.1] = np.nan
    sectors = scan_sectors_m(ranges, n_sectors, 5.0)
    np.testing.assert_allclose(sectors, brute_force_sectors(list(ranges), n_sectors, 5.0))


def test_scan_sectors_rep117_special_values():
    ranges = np.array([np.inf, np.nan, 7.0, -np.inf, 1.0, np.inf])
    np.testing.assert_array_equal(scan_sectors_m(ranges, 3, 5.0), [5.0, 0.0, 1.0])


def test_scan_sectors_offset_centres_sectors_on_the_world_scan_front():
    # neurobot.world scans: 360 beams, beam i at -pi + i degrees (beam 180 = front).
    ranges = np.full(360, np.inf)
    ranges[180] = 0.4  # front
    ranges[270] = 0.8  # left (+90 degrees)
    sectors = scan_sectors_m(ranges, 4, 5.0, offset_beams=-45)
    np.testing.assert_array_equal(sectors, [5.0, 5.0, 0.4, 0.8])  # back, right, front, left


def test_scan_rates_closer_is_higher():
    ranges = np.array([0.1, 0.2, 3.0, 1.1, np.inf, np.inf])
    rates = scan_rates(ranges, 3, 2.0, max_rate_hz=100.0, min_rate_hz=10.0, range_min_m=0.2)
    np.testing.assert_allclose(rates, [100.0, 55.0, 10.0], rtol=TOL)


@pytest.mark.parametrize('kwargs, error', [
    (dict(ranges_m=np.ones(3)), ValueError),
    (dict(ranges_m=[1.0, -0.1, 1.0, 1.0]), ValueError),
    (dict(ranges_m=np.ones((2, 2))), ValueError),
    (dict(n_sectors=0), ValueError),
    (dict(range_max_m=0.0), ValueError),
    (dict(range_min_m=5.0), ValueError),
    (dict(n_sectors=2.5), TypeError),
])
def test_scan_rates_rejects_bad_arguments(kwargs, error):
    args = dict(ranges_m=np.ones(8), n_sectors=4, range_max_m=5.0, max_rate_hz=50.0)
    args.update(kwargs)
    with pytest.raises(error, match='expected'):
        scan_rates(**args)


# ---------------------------------------------------------------------- groups and WTA
def test_group_counts_contiguous_and_indexed():
    counts = [1, 2, 3, 4, 5, 6]
    np.testing.assert_array_equal(group_counts(counts, group_size=2), [3, 7, 11])
    np.testing.assert_array_equal(group_counts(counts), counts)
    np.testing.assert_array_equal(
        group_counts(counts, group_index=[2, 0, 2, 0, 1, 1], n_groups=4), [6, 11, 4, 0])


@pytest.mark.parametrize('kwargs', [
    dict(group_size=4), dict(group_size=0), dict(group_size=2, group_index=[0] * 6),
    dict(group_index=[0, 1]), dict(group_index=[0, 0, 0, 0, 0, 3], n_groups=3),
    dict(group_index=[0, 0, 0, 0, 0, -1]), dict(n_groups=2),
])
def test_group_counts_rejects_inconsistent_groups(kwargs):
    with pytest.raises(ValueError, match='expected'):
        group_counts([1, 2, 3, 4, 5, 6], **kwargs)


@pytest.mark.parametrize('counts', [[1, -1], [1, np.nan], []])
def test_group_counts_rejects_bad_counts(counts):
    with pytest.raises(ValueError, match='expected'):
        group_counts(counts)


def test_winner_take_all_picks_the_most_active_group():
    decision = winner_take_all([0, 1, 5, 4, 2, 2, 0, 0], group_size=2)
    assert decision.winner == 1
    np.testing.assert_array_equal(decision.group_counts, [1, 9, 4, 0])


def test_winner_take_all_threshold_means_no_decision():
    assert winner_take_all([0, 0, 0, 0], group_size=2).winner is None
    assert winner_take_all([1, 2, 0, 1], group_size=2, min_count=4).winner is None
    assert winner_take_all([1, 3, 0, 1], group_size=2, min_count=4).winner == 0
    assert winner_take_all([0, 0, 0, 0], group_size=2, min_count=0).winner == 0


def test_winner_take_all_ties_go_to_the_lowest_index_without_rng():
    counts = [0, 3, 3, 1, 3]
    assert [winner_take_all(counts).winner for _ in range(5)] == [1] * 5


def test_winner_take_all_rng_breaks_ties_reproducibly_among_tied_groups_only():
    counts = [0, 3, 3, 1, 3]

    def draws(seed):
        rng = np.random.default_rng(seed)
        return [winner_take_all(counts, rng=rng).winner for _ in range(200)]

    first = draws(7)
    assert first == draws(7)
    assert set(first) == {1, 2, 4}


def test_winner_take_all_draws_from_rng_only_on_a_tie():
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    assert winner_take_all([1, 5, 2], rng=rng).winner == 1
    assert rng.bit_generator.state == before


def test_winner_take_all_rejects_bad_rng_and_threshold():
    with pytest.raises(TypeError, match='Generator'):
        winner_take_all([1, 2], rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match='expected'):
        winner_take_all([1, 2], min_count=-1)


# ---------------------------------------------------------------------- population vector
def test_population_vector_single_group_gives_its_direction():
    vector = population_vector([0.0, 0.0, 7.0, 0.0])  # default angles: 0, pi/2, pi, 3pi/2
    assert vector.angle_rad == pytest.approx(math.pi, rel=TOL)
    assert vector.magnitude == pytest.approx(7.0, rel=TOL)


def test_population_vector_sums_weighted_unit_vectors():
    vector = population_vector([3.0, 4.0], [0.0, math.pi / 2])
    assert vector.angle_rad == pytest.approx(math.atan2(4.0, 3.0), rel=TOL)
    assert vector.magnitude == pytest.approx(5.0, rel=TOL)
    east_south = population_vector([2.0, 2.0], [0.0, -math.pi / 2])
    assert east_south.angle_rad == pytest.approx(-math.pi / 4, rel=TOL)


def test_population_vector_is_none_when_silent_or_cancelling():
    assert population_vector([0.0, 0.0, 0.0]) is None
    assert population_vector([5.0, 0.0, 5.0, 0.0]) is None
    assert population_vector([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]) is None


def test_population_vector_rejects_bad_arguments():
    with pytest.raises(ValueError, match='one angle per group'):
        population_vector([1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match='expected'):
        population_vector([1.0, -2.0])
    with pytest.raises(ValueError, match='expected'):
        population_vector([])


# ---------------------------------------------------------------------- twists
def test_twist_type_is_the_world_one():
    assert Twist2D is WorldTwist2D


def test_direction_twist_compass_and_even_directions():
    north = direction_twist(0, 0.5, angles_rad=COMPASS_4_RAD)
    assert north == pytest.approx((0.0, 0.5, 0.0), abs=1e-15)
    west = direction_twist(3, 0.5, angles_rad=COMPASS_4_RAD)
    assert west == pytest.approx((-0.5, 0.0, 0.0), abs=1e-15)
    south_west = direction_twist(5, 1.0, angles_rad=COMPASS_8_RAD)
    assert south_west == pytest.approx((-math.sqrt(0.5), -math.sqrt(0.5), 0.0), rel=TOL)
    assert direction_twist(3, 2.0, n_directions=8) == pytest.approx(
        (-math.sqrt(2.0), math.sqrt(2.0), 0.0), rel=TOL)
    assert isinstance(north, Twist2D)


def test_direction_twist_none_is_a_stop():
    assert direction_twist(None, 0.5, n_directions=4) == Twist2D(0.0, 0.0, 0.0)


@pytest.mark.parametrize('args, kwargs, error', [
    ((4, 0.5), dict(n_directions=4), ValueError),
    ((0, -0.5), dict(n_directions=4), ValueError),
    ((0, 0.5), dict(), ValueError),
    ((0, 0.5), dict(n_directions=4, angles_rad=COMPASS_4_RAD), ValueError),
    ((1.0, 0.5), dict(n_directions=4), TypeError),
])
def test_direction_twist_rejects_bad_arguments(args, kwargs, error):
    with pytest.raises(error, match='expected'):
        direction_twist(*args, **kwargs)


def test_vector_twist_scales_and_clips_speed():
    slow = vector_twist(PopulationVector(math.pi / 2, 10.0), gain_mps_per_unit=0.01,
                        max_speed_mps=0.5)
    assert slow == pytest.approx((0.0, 0.1, 0.0), abs=1e-15)
    fast = vector_twist(population_vector([300.0, 400.0], [0.0, math.pi / 2]),
                        gain_mps_per_unit=0.01, max_speed_mps=0.5)
    assert fast == pytest.approx((0.3, 0.4, 0.0), rel=TOL)
    assert vector_twist(None, gain_mps_per_unit=1.0, max_speed_mps=1.0) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match='expected'):
        vector_twist((0.0, 1.0), gain_mps_per_unit=1.0, max_speed_mps=0.0)
    with pytest.raises(TypeError, match='expected'):
        vector_twist(1.0, gain_mps_per_unit=1.0, max_speed_mps=1.0)


def test_counts_to_rates_hz():
    np.testing.assert_allclose(counts_to_rates_hz([0, 5, 12], 50.0), [0.0, 100.0, 240.0])
    with pytest.raises(ValueError, match='expected'):
        counts_to_rates_hz([1], 0.0)


# ---------------------------------------------------------------------- sliding window
def reference_window(events_ns, now_ns, window_ns, bin_ns, n):
    """Counts and bins of (neuron, time_ns) events with now - window < t <= now."""
    n_bins = window_ns // bin_ns
    binned = np.zeros((n, n_bins), dtype=np.int64)
    for neuron, t in events_ns:
        if now_ns - window_ns < t <= now_ns:
            offset = t - (now_ns - window_ns)  # in (0, window]
            binned[neuron, math.ceil(offset / bin_ns) - 1] += 1
    return binned.sum(axis=1), binned


def test_window_events_match_brute_force_with_variable_steps():
    rng = np.random.default_rng(42)
    n, window_ms, bin_ms = 5, 25.0, 2.5
    window = SpikeWindow(n, window_ms, bin_ms=bin_ms, start_ms=3.0)
    now_ns, events = 3 * MS, []
    for _ in range(150):
        step_ns = int(rng.integers(1, 80)) * 100_000  # 0.1 to 7.9 ms, on NEST's 0.1 ms grid
        k = int(rng.poisson(4))
        ids = rng.integers(0, n, k)
        times_ns = now_ns + rng.integers(1, step_ns + 1, k)
        window.add_events(ids, times_ns / MS, step_ns / MS)
        now_ns += step_ns
        events += list(zip(ids.tolist(), times_ns.tolist()))
        counts, binned = reference_window(events, now_ns, 25 * MS, 2_500_000, n)
        assert window.now_ns == now_ns
        np.testing.assert_array_equal(window.counts(), counts)
        np.testing.assert_array_equal(window.binned(), binned)
        inside = sorted((t, i) for i, t in events if now_ns - 25 * MS < t <= now_ns)
        neurons, in_window_ns = window.events()
        assert in_window_ns.tolist() == [t for t, _ in inside]  # time order
        assert sorted(zip(in_window_ns.tolist(), neurons.tolist())) == inside
    np.testing.assert_allclose(window.rates_hz(), counts / 0.025, rtol=TOL)


def test_window_counts_match_brute_force_stamped_at_step_end():
    rng = np.random.default_rng(5)
    n = 4
    window = SpikeWindow(n, 30.0, bin_ms=10.0)
    now_ns, events = 0, []
    for _ in range(100):
        step_ns = int(rng.choice([1, 2, 5, 7])) * MS
        counts = rng.integers(0, 3, n)
        window.add_counts(counts, step_ns / MS)
        now_ns += step_ns
        events += [(i, now_ns) for i in range(n) for _ in range(counts[i])]
        ref_counts, ref_binned = reference_window(events, now_ns, 30 * MS, 10 * MS, n)
        np.testing.assert_array_equal(window.counts(), ref_counts)
        np.testing.assert_array_equal(window.binned(), ref_binned)
        neurons, times_ns = window.events()  # each spike once, at its step's end
        assert sorted(zip(times_ns.tolist(), neurons.tolist())) == sorted(
            (t, i) for i, t in events if now_ns - 30 * MS < t <= now_ns)


def test_window_not_a_multiple_of_the_step_keeps_steps_ending_inside():
    window = SpikeWindow(1, 25.0)
    for _ in range(10):
        window.add_counts([1], 10.0)
    # Steps end at 80, 90, 100 ms, all > 100 - 25: three whole steps.
    assert window.counts().tolist() == [3]


def test_window_edge_is_open_at_the_old_end_and_closed_at_now():
    window = SpikeWindow(2, 10.0)
    window.add_events([0, 1], [5.0, 5.000001], 6.0)  # 5 ms and 5 ms + 1 ns
    window.add_events([], [], 9.0)  # now = 15 ms, window (5, 15]
    assert window.counts().tolist() == [0, 1]
    window.add_events([0], [15.000001], 0.000001)  # a 1 ns step
    assert window.counts().tolist() == [1, 0]


def test_window_long_run_of_short_steps_does_not_drift():
    window = SpikeWindow(1, 25.0, bin_ms=5.0)
    for _ in range(10_000):
        window.add_counts([1], 0.1)
    assert window.now_ns == 1 * S
    assert window.counts().tolist() == [250]
    assert window.binned().tolist() == [[50] * 5]


def test_window_step_longer_than_the_window_drops_old_events():
    window = SpikeWindow(1, 10.0)
    window.add_events([0, 0, 0], [1.0, 45.0, 50.0], 50.0)  # window (40, 50]
    assert window.counts().tolist() == [2]


def test_window_reset_and_default_single_bin():
    window = SpikeWindow(3, 20.0, start_ms=100.0)
    assert window.n_bins == 1
    window.add_counts([1, 2, 0], 5.0)
    np.testing.assert_array_equal(window.binned(), [[1], [2], [0]])
    window.reset()
    assert window.now_ms == 100.0 and window.counts().tolist() == [0, 0, 0]
    assert window.binned().shape == (3, 1)
    window.reset(start_ms=0.0)
    window.add_events([2], [1.0], 1.0)
    assert window.counts().tolist() == [0, 0, 1]


@pytest.mark.parametrize('call, error', [
    (lambda w: w.add_counts([1, 2], 1.0), ValueError),
    (lambda w: w.add_counts([1, 2, -1], 1.0), ValueError),
    (lambda w: w.add_counts([1, 2, 0.5], 1.0), ValueError),
    (lambda w: w.add_counts([1, 2, 3], 0.0), ValueError),
    (lambda w: w.add_counts(['a', 'b', 'c'], 1.0), TypeError),
    (lambda w: w.add_events([0], [1.0], 1.0), ValueError),  # not after now
    (lambda w: w.add_events([0], [2.5], 1.0), ValueError),  # after the step
    (lambda w: w.add_events([3], [1.5], 1.0), ValueError),
    (lambda w: w.add_events([0, 1], [1.5], 1.0), ValueError),
    (lambda w: w.add_events([0.5], [1.5], 1.0), ValueError),
])
def test_window_rejects_bad_steps_and_leaves_state_unchanged(call, error):
    window = SpikeWindow(3, 10.0)
    window.add_counts([1, 1, 1], 1.0)
    with pytest.raises(error, match='expected'):
        call(window)
    assert window.now_ms == 1.0 and window.counts().tolist() == [1, 1, 1]


@pytest.mark.parametrize('kwargs', [
    dict(n_neurons=0, window_ms=10.0), dict(n_neurons=2, window_ms=0.0),
    dict(n_neurons=2, window_ms=10.0, bin_ms=3.0), dict(n_neurons=2, window_ms=np.nan),
])
def test_window_rejects_bad_configuration(kwargs):
    with pytest.raises(ValueError, match='expected'):
        SpikeWindow(**kwargs)


# ---------------------------------------------------------------------- leaky integrator
def test_held_integrator_follows_the_closed_form_with_any_steps():
    tau_ms, gain, y0 = 20.0, 2.0, np.array([5.0, -1.0, 0.0])
    x = np.array([1.0, 3.0, 0.0])
    integrator = LeakyIntegrator(tau_ms, shape=3, gain=gain, initial=y0)
    t_ms = 0.0
    for dt_ms in [0.1, 1.0, 7.5, 0.1, 30.0, 2.0, 0.001]:
        y = integrator.update(x, dt_ms)
        t_ms += dt_ms
        expected = gain * x + (y0 - gain * x) * math.exp(-t_ms / tau_ms)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


def test_held_integrator_piecewise_constant_input():
    # y' = (-y + x) / tau with x = 10 on [0, 5) and 0 on [5, 15); y(0) = 0.
    tau_ms = 4.0
    integrator = LeakyIntegrator(tau_ms)
    for _ in range(50):
        integrator.update(10.0, 0.1)
    y5 = 10.0 * (1.0 - math.exp(-5.0 / tau_ms))
    assert float(integrator.value) == pytest.approx(y5, rel=1e-12)
    for _ in range(4):
        integrator.update(0.0, 2.5)
    assert float(integrator.value) == pytest.approx(y5 * math.exp(-10.0 / tau_ms), rel=1e-12)


def test_impulse_integrator_is_a_spike_trace():
    tau_ms, gain = 10.0, 0.5
    integrator = LeakyIntegrator(tau_ms, shape=(2,), gain=gain, input_mode='impulse')
    kicks = {3: [1.0, 0.0], 7: [2.0, 1.0], 12: [0.0, 4.0]}  # step index -> counts
    for step in range(1, 21):
        integrator.update(kicks.get(step, [0.0, 0.0]), 1.0)
    expected = sum(gain * np.array(v) * math.exp(-(20 - k) / tau_ms) for k, v in kicks.items())
    np.testing.assert_allclose(integrator.value, expected, rtol=1e-12)


def test_integrator_broadcasts_scalar_input_and_resets():
    integrator = LeakyIntegrator(5.0, shape=(2, 3), initial=1.0)
    assert integrator.update(0.0, 5.0).shape == (2, 3)
    np.testing.assert_allclose(integrator.value, np.full((2, 3), math.exp(-1.0)), rtol=TOL)
    integrator.reset()
    np.testing.assert_array_equal(integrator.value, np.ones((2, 3)))
    integrator.reset(np.arange(3.0))
    np.testing.assert_array_equal(integrator.value, [[0, 1, 2], [0, 1, 2]])


def test_integrator_stays_accurate_for_steps_much_shorter_than_tau():
    integrator = LeakyIntegrator(1e6)
    y = integrator.update(1.0, 1e-6)
    assert float(y) == pytest.approx(-math.expm1(-1e-12), rel=1e-12)


@pytest.mark.parametrize('make, error', [
    (lambda: LeakyIntegrator(0.0), ValueError),
    (lambda: LeakyIntegrator(-1.0), ValueError),
    (lambda: LeakyIntegrator(1.0, input_mode='euler'), ValueError),
    (lambda: LeakyIntegrator(1.0, shape=2, initial=[1.0, 2.0, 3.0]), ValueError),
    (lambda: LeakyIntegrator(1.0, gain=np.nan), ValueError),
    (lambda: LeakyIntegrator(1.0, shape='2'), TypeError),
    (lambda: LeakyIntegrator(1.0, shape=2).update([1.0, 2.0, 3.0], 1.0), ValueError),
    (lambda: LeakyIntegrator(1.0, shape=2).update([1.0, np.nan], 1.0), ValueError),
    (lambda: LeakyIntegrator(1.0, shape=2).update([1.0, 2.0], 0.0), ValueError),
])
def test_integrator_rejects_bad_arguments(make, error):
    with pytest.raises(error, match='expected'):
        make()


# ---------------------------------------------------------------------- throttle
def run_throttle(throttle, start_ns, duration_ns, trigger_period_ns):
    """Times (ns) of the triggers in [start, start + duration) that the throttle lets through."""
    return [t for t in range(start_ns, start_ns + duration_ns, trigger_period_ns)
            if throttle.allow(t)]


@pytest.mark.parametrize('start_ns', [0, 95 * MS, 123_456_789, 7 * S + 3])
@pytest.mark.parametrize('seconds', [1, 10])
def test_throttle_10hz_from_100hz_triggers_runs_exactly_10_per_second(start_ns, seconds):
    calls = run_throttle(Throttle(10.0), start_ns, seconds * S, 10 * MS)
    assert len(calls) == 10 * seconds
    assert calls == [start_ns + k * 100 * MS for k in range(10 * seconds)]


def test_throttle_accepts_times_in_ms():
    throttle = Throttle(10)
    assert sum(throttle.allow_ms(2.5 + 10.0 * i) for i in range(100)) == 10


@pytest.mark.parametrize('rate_hz, expected', [(30.0, 300), (3.0, 30), (7.0, 70), (100, 1000)])
def test_throttle_mean_rate_is_exact_when_period_is_not_a_trigger_multiple(rate_hz, expected):
    calls = run_throttle(Throttle(rate_hz), 0, 10 * S, 10 * MS)
    assert len(calls) == expected
    gaps = np.diff(calls)
    period_ns = S / rate_hz
    assert gaps.min() > period_ns - 10 * MS  # never two calls in one period slot


def test_throttle_skips_missed_slots_instead_of_bursting():
    throttle = Throttle(10.0)
    assert throttle.allow(0)
    assert throttle.allow(1 * S)  # triggers stopped for a second
    assert not throttle.allow(1 * S + 50 * MS)
    assert throttle.allow(1 * S + 100 * MS)


def test_throttle_duplicate_time_and_time_going_back():
    throttle = Throttle(10.0)
    assert throttle.allow(5 * S)
    assert not throttle.allow(5 * S)
    assert throttle.allow(1 * S)  # simulation reset: re-anchored
    assert not throttle.allow(1 * S + 99 * MS)
    assert throttle.allow(1 * S + 100 * MS)
    throttle.reset()
    assert throttle.next_due_ns is None
    assert throttle.allow(1 * S + 101 * MS)


@pytest.mark.parametrize('rate_hz', [None, 0, 0.0])
def test_throttle_zero_or_none_is_unthrottled(rate_hz):
    throttle = Throttle(rate_hz)
    assert not throttle.throttled and throttle.period_ns is None
    assert all(throttle.allow(t) for t in [0, 0, 1, 1, 2])


@pytest.mark.parametrize('rate_hz, error', [
    (-1.0, ValueError), (math.nan, ValueError), (math.inf, ValueError),
    ('10', TypeError), (True, TypeError),
])
def test_throttle_rejects_bad_rates(rate_hz, error):
    with pytest.raises(error, match='expected'):
        Throttle(rate_hz)


def test_throttle_rejects_non_integer_times():
    with pytest.raises(TypeError, match='expected'):
        Throttle(10.0).allow(0.5)
