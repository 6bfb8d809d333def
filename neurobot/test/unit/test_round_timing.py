"""Unit tests of the lockstep round-timing bookkeeping (where a round's wall time goes)."""

import pytest

from neurobot.lockstep import SIMULATION, TRANSFER
from neurobot.round_timing import RoundTimer

PARTICIPANTS = {'world': SIMULATION, 'brain': SIMULATION, 'tf': TRANSFER}


def timer_after_round_zero(last_arrival_s=10.020):
    timer = RoundTimer(PARTICIPANTS)
    assert timer.on_done('world', 0, 0.0, 10.000) is None
    assert timer.on_done('tf', 0, 0.0, last_arrival_s) is None
    assert timer.on_done('brain', 0, 0.0, 10.010) is None
    return timer


def test_round_splits_into_slowest_simulation_slowest_transfer_and_the_rest():
    timer = timer_after_round_zero()
    assert timer.on_done('world', 1, 50.0, 10.100) is None
    assert timer.on_done('brain', 1, 80.0, 10.120) is None
    timing = timer.on_done('tf', 1, 30.0, 10.170)
    assert timing.round == 1
    assert timing.wall_ms == pytest.approx(150.0)          # 10.020 -> 10.170
    assert timing.simulation_ms == 80.0                    # world and brain run in parallel
    assert timing.transfer_ms == 30.0
    assert timing.orchestration_ms == pytest.approx(40.0)  # 150 - 80 - 30
    assert timing.compute_ms == {'world': 50.0, 'brain': 80.0, 'tf': 30.0}
    assert timer.rounds == [timing]


def test_wall_time_runs_from_the_last_announcement_of_the_previous_round():
    timer = timer_after_round_zero()
    for name, ms, arrival in (('world', 10.0, 10.05), ('brain', 20.0, 10.06), ('tf', 5.0, 10.10)):
        timer.on_done(name, 1, ms, arrival)
    # announcement order within a round does not matter
    for name, ms, arrival in (('tf', 7.0, 10.30), ('brain', 100.0, 10.25), ('world', 90.0, 10.20)):
        timing = timer.on_done(name, 2, ms, arrival)
    assert timing.round == 2
    assert timing.wall_ms == pytest.approx(200.0)  # 10.10 -> 10.30
    assert timing.orchestration_ms == pytest.approx(200.0 - 100.0 - 7.0)


def test_without_round_zero_the_first_round_starts_at_its_first_announcement():
    timer = RoundTimer(PARTICIPANTS)
    timer.on_done('world', 1, 10.0, 5.0)
    timer.on_done('brain', 1, 10.0, 5.1)
    timing = timer.on_done('tf', 1, 10.0, 5.3)
    assert timing.wall_ms == pytest.approx(300.0)


def test_incomplete_rounds_produce_nothing():
    timer = timer_after_round_zero()
    assert timer.on_done('world', 1, 50.0, 10.1) is None
    assert timer.on_done('world', 1, 50.0, 10.2) is None  # a repeat is not another participant
    assert timer.on_done('brain', 1, 80.0, 10.2) is None
    assert timer.rounds == []
    assert timer.summary() == {'rounds': 0}


def test_unknown_participants_and_negative_rounds_are_ignored():
    timer = timer_after_round_zero()
    assert timer.on_done('spy', 0, 0.0, 99.0) is None   # would move the start of round 1
    assert timer.on_done('world', -1, 1.0, 10.03) is None
    timer.on_done('world', 1, 50.0, 10.100)
    timer.on_done('brain', 1, 80.0, 10.120)
    assert timer.on_done('spy', 1, 999.0, 50.0) is None  # does not complete round 1 either
    timing = timer.on_done('tf', 1, 30.0, 10.170)
    assert timing.wall_ms == pytest.approx(150.0)
    assert 'spy' not in timing.compute_ms
    assert 'spy_ms' not in timer.summary()


def test_summary_gives_medians_over_rounds_and_per_participant():
    timer = timer_after_round_zero()  # round 0 ends at 10.020 s
    rounds = [  # (world, brain, tf compute ms, wall ms of the round)
        (50.0, 80.0, 30.0, 150.0),
        (60.0, 70.0, 20.0, 100.0),
        (40.0, 90.0, 10.0, 400.0),
    ]
    end_s = 10.020
    for number, (world, brain, tf, wall) in enumerate(rounds, start=1):
        end_s += wall / 1e3
        timer.on_done('world', number, world, end_s - 0.001)
        timer.on_done('brain', number, brain, end_s - 0.002)
        timer.on_done('tf', number, tf, end_s)
    summary = timer.summary()
    assert summary['rounds'] == 3
    assert summary['wall_ms'] == pytest.approx(150.0)         # median of 150, 100, 400
    assert summary['simulation_ms'] == pytest.approx(80.0)    # median of 80, 70, 90
    assert summary['transfer_ms'] == pytest.approx(20.0)
    assert summary['orchestration_ms'] == pytest.approx(40.0)  # median of 40, 10, 300
    assert summary['world_ms'] == pytest.approx(50.0)
    assert summary['brain_ms'] == pytest.approx(80.0)
    assert summary['tf_ms'] == pytest.approx(20.0)


def test_brain_step_reports_give_medians_and_new_overruns_since_the_last_report():
    from neurobot.round_timing import BrainStepTimer
    timer = BrainStepTimer()
    assert timer.on_step(0, 20.0, 1.0, 2.0, 0, report=False) is None
    assert timer.on_step(1, 20.0, 3.0, 30.0, 1, report=False) is None
    report = timer.on_step(2, 20.0, 2.0, 25.0, 2, report=True)
    assert (report.step, report.steps, report.overruns, report.new_overruns) == (2, 3, 2, 2)
    assert (report.nest_ms, report.total_ms) == (2.0, 25.0)
    report = timer.on_step(3, 20.0, 1.0, 3.0, 2, report=True)
    assert (report.steps, report.new_overruns, report.total_ms) == (1, 0, 3.0)
    assert timer.summary() == {'steps': 4, 'overruns': 2, 'nest_ms': 1.5, 'total_ms': 14.0}
