"""When the brain steps: step-boundary logic for /clock and for wall-clock time.

Pure Python, no ROS and no NEST, so the rules can be unit-tested exactly. Times are
integer nanoseconds, like ``builtin_interfaces/Time``, so that boundaries never drift
through floating-point rounding however long a run lasts.

Rules (simulated time, ``use_sim_time``):
- step boundaries lie on a grid of ``step_ms`` aligned to time zero, so a brain started
  late still steps on the same boundaries as one started at t=0;
- the brain advances by exactly one step each time /clock reaches the next boundary,
  never ahead of /clock, and never skips a step: a clock jump over several boundaries
  makes it run all the steps in between;
- a clock that goes backwards (the world was reset) re-anchors the grid at the new
  time and is reported, so the caller can log it;
- a clock that jumps forward by more than ``MAX_CATCH_UP_MS`` at once is not caught up
  either: running every step in between would hold the node for hours (a clock of 1e9 s
  means 5e10 steps of 20 ms). Such a jump is no ordinary progress of a world - /clock
  advances by at most a few steps between messages - so the grid is re-anchored there
  and the jump is reported.

Wall-clock time (real robots): the brain steps once per period; a step that ends after
the next step was due is an overrun, counted and reported; missed periods are not
caught up (a real robot needs the current decision, not a backlog).
"""

from dataclasses import dataclass

NS_PER_MS = 1_000_000  # ns per ms
MAX_CATCH_UP_MS = 60_000.0  # ms of simulated time one /clock message may make the brain run


def ms_to_ns(duration_ms: float) -> int:
    """Convert milliseconds to integer nanoseconds, rounding to the nearest ns."""
    return int(round(duration_ms * NS_PER_MS))


def is_multiple(value_ms: float, unit_ms: float, tolerance: float = 1e-9) -> bool:
    """Return True when ``value_ms`` is an integer multiple of ``unit_ms`` (relative tolerance)."""
    if unit_ms <= 0:
        return False
    ratio = value_ms / unit_ms
    return abs(ratio - round(ratio)) <= tolerance * max(1.0, abs(ratio)) and round(ratio) >= 1


@dataclass
class ClockAdvance:
    """What a new /clock reading means for the brain.

    Attributes:
        steps: number of whole steps to run now (0 or more).
        jumped_back: the clock went backwards; the grid was re-anchored.
        jumped_ahead_ms: the clock jumped forward by this much more than MAX_CATCH_UP_MS
            allows; the grid was re-anchored and those steps are not run (0.0 otherwise).
    """

    steps: int
    jumped_back: bool = False
    jumped_ahead_ms: float = 0.0


class SimClockStepper:
    """Step-boundary bookkeeping for a brain driven by /clock.

    Args:
        step_ms: step length in ms (> 0).
    """

    def __init__(self, step_ms: float):
        if not step_ms > 0:
            raise ValueError(f'step_ms must be > 0, got {step_ms!r}')
        self.step_ns = ms_to_ns(step_ms)
        self.brain_ns = None  # end of the last step the brain has run (a boundary)

    @property
    def started(self) -> bool:
        """True once the first /clock reading anchored the grid."""
        return self.brain_ns is not None

    def on_clock(self, clock_ns: int) -> ClockAdvance:
        """Take a /clock reading and return how many steps are due.

        The caller must run exactly ``steps`` steps and call :meth:`step_done` after each.
        """
        if self.brain_ns is None:
            self.brain_ns = (clock_ns // self.step_ns) * self.step_ns
            return ClockAdvance(steps=(clock_ns - self.brain_ns) // self.step_ns)
        if clock_ns < self.brain_ns:
            self.brain_ns = (clock_ns // self.step_ns) * self.step_ns
            return ClockAdvance(steps=0, jumped_back=True)
        steps = (clock_ns - self.brain_ns) // self.step_ns
        if steps * self.step_ns > MAX_CATCH_UP_MS * NS_PER_MS:
            jump_ns = clock_ns - self.brain_ns
            self.brain_ns = (clock_ns // self.step_ns) * self.step_ns
            return ClockAdvance(steps=0, jumped_ahead_ms=jump_ns / NS_PER_MS)
        return ClockAdvance(steps=steps)

    def step_done(self) -> int:
        """Record that one step ran; return the simulation time (ns) the brain has reached."""
        if self.brain_ns is None:
            raise RuntimeError('step_done() before the first on_clock()')
        self.brain_ns += self.step_ns
        return self.brain_ns

    def next_boundary_ns(self) -> int:
        """Return the /clock time at which the next step becomes due."""
        if self.brain_ns is None:
            raise RuntimeError('no /clock reading yet')
        return self.brain_ns + self.step_ns


class WallClockPacer:
    """Real-time pacing for a brain on wall-clock time, with overrun accounting.

    Args:
        step_ms: step length in ms (> 0), also the period of steps in real time.
        start_ns: monotonic time (ns) at which the first step is due.
    """

    def __init__(self, step_ms: float, start_ns: int):
        if not step_ms > 0:
            raise ValueError(f'step_ms must be > 0, got {step_ms!r}')
        self.step_ns = ms_to_ns(step_ms)
        self.due_ns = start_ns
        self.overruns = 0
        self.skipped_steps = 0

    def step_due(self, now_ns: int) -> bool:
        """Return True when a step should run now."""
        return now_ns >= self.due_ns

    def step_finished(self, now_ns: int) -> bool:
        """Account for a finished step; return True when it overran.

        A step overruns when it finishes after the next step was already due. Periods
        missed entirely are skipped (counted in ``skipped_steps``), not caught up.
        """
        self.due_ns += self.step_ns
        overran = now_ns > self.due_ns
        if overran:
            self.overruns += 1
            missed = (now_ns - self.due_ns) // self.step_ns
            self.skipped_steps += missed
            self.due_ns += missed * self.step_ns
        return overran
