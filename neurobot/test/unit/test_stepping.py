"""Unit tests of the step-boundary logic (no ROS, no NEST)."""

import pytest

from brain_node.stepping import (MAX_CATCH_UP_MS, SimClockStepper, WallClockPacer, is_multiple,
                                 ms_to_ns)

MS = 1_000_000  # ns


def test_steps_only_when_clock_reaches_the_next_boundary():
    stepper = SimClockStepper(20.0)
    assert stepper.on_clock(0).steps == 0
    assert stepper.on_clock(19 * MS + 999_999).steps == 0
    assert stepper.on_clock(20 * MS).steps == 1
    assert stepper.step_done() == 20 * MS
    assert stepper.on_clock(39 * MS).steps == 0


def test_clock_jump_runs_every_skipped_step_and_never_gets_ahead():
    stepper = SimClockStepper(20.0)
    stepper.on_clock(0)
    advance = stepper.on_clock(105 * MS)
    assert advance.steps == 5
    ends = [stepper.step_done() for _ in range(advance.steps)]
    assert ends == [20 * MS, 40 * MS, 60 * MS, 80 * MS, 100 * MS]
    assert stepper.on_clock(105 * MS).steps == 0
    assert stepper.next_boundary_ns() == 120 * MS


def test_late_start_anchors_on_the_zero_aligned_grid():
    stepper = SimClockStepper(200.0)
    assert stepper.on_clock(12_345 * MS).steps == 0
    assert stepper.next_boundary_ns() == 12_400 * MS


def test_backward_clock_reanchors_and_reports():
    stepper = SimClockStepper(20.0)
    stepper.on_clock(0)
    for _ in range(stepper.on_clock(100 * MS).steps):
        stepper.step_done()
    advance = stepper.on_clock(30 * MS)
    assert advance.jumped_back and advance.steps == 0
    assert stepper.next_boundary_ns() == 40 * MS


def test_huge_forward_jump_reanchors_instead_of_running_every_step():
    stepper = SimClockStepper(20.0)
    stepper.on_clock(0)
    ordinary = stepper.on_clock(int(MAX_CATCH_UP_MS) * MS)  # a minute: still caught up
    assert ordinary.steps == 3000 and not ordinary.jumped_ahead_ms
    for _ in range(ordinary.steps):
        stepper.step_done()
    advance = stepper.on_clock(10**9 * 10**9 + 7 * MS)  # a hostile /clock: 1e9 s
    assert advance.steps == 0 and advance.jumped_ahead_ms > 0.99e12  # ms
    assert stepper.next_boundary_ns() == 10**9 * 10**9 + 20 * MS
    assert stepper.on_clock(10**9 * 10**9 + 45 * MS).steps == 2


def test_fractional_steps_do_not_drift_over_a_long_run():
    stepper = SimClockStepper(0.1)
    stepper.on_clock(0)
    total = 0
    for k in range(1, 100_001):
        total += stepper.on_clock(k * 100_000).steps  # clock every 0.1 ms for 10 s
        while stepper.brain_ns < k * 100_000:
            stepper.step_done()
    assert total == 100_000
    assert stepper.brain_ns == 10_000 * MS


def test_invalid_step_is_rejected():
    with pytest.raises(ValueError, match='step_ms'):
        SimClockStepper(0.0)


def test_wall_clock_pacer_counts_overruns_and_skips_missed_periods():
    pacer = WallClockPacer(20.0, start_ns=0)
    assert pacer.step_due(0)
    assert not pacer.step_finished(5 * MS)  # fast step
    assert not pacer.step_due(19 * MS)
    assert pacer.step_due(20 * MS)
    assert pacer.step_finished(95 * MS)  # the step took 75 ms: overrun, 2 periods missed
    assert pacer.overruns == 1 and pacer.skipped_steps == 2
    assert pacer.step_due(95 * MS)


def test_ms_to_ns_and_multiples():
    assert ms_to_ns(0.1) == 100_000
    assert is_multiple(20.0, 0.1) and is_multiple(0.3, 0.1)
    assert not is_multiple(20.05, 0.1)
    assert not is_multiple(0.05, 0.1)
