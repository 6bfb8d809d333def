"""Clock, episodes and trajectory around :class:`~neurobot.world.world.World` (ROS-free).

The world node is a thin layer over :class:`WorldRunner`, which adds to the world
what a node needs and the physics core does not know about:

* a clock that only goes forward: :meth:`World.reset` returns the world's own time to
  0, but the runner keeps counting (unless asked to go back to 0), so other nodes
  never see ``/clock`` jump backwards;
* a boundary schedule: an advance is cut at every ``/clock`` period, sensor period and
  trajectory sample, all grids aligned to clock zero, and the caller is told which
  boundaries each stop lies on, so it can publish there;
* the trajectory since the last reset or placement, for the top-down picture;
* placement with messages that say what a valid request looks like.

:class:`RealTimePacer` decides how much simulated time is due in free-running mode.

Times are integer nanoseconds (like ``builtin_interfaces/Time``) or integer counts of
physics steps, so that boundaries never drift through floating-point rounding.
"""

from __future__ import annotations

import math
from numbers import Real
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from .maze import Cell
from .world import ContactReport, Odometry, World

NS_PER_MS = 1_000_000  # ns per ms
MAX_ADVANCE_MS = 60_000.0  # ms of simulated time per advance call (~0.3 s of wall time)
DEFAULT_CLOCK_PERIOD_MS = 10.0  # ms of simulated time between /clock messages
DEFAULT_SENSOR_PERIOD_MS = 20.0  # ms of simulated time between sensor messages
TRAJECTORY_PERIOD_MS = 20.0  # ms of simulated time between trajectory samples
MAX_TRAJECTORY_POINTS = 50_000  # beyond this the trajectory is thinned to every other point


class SensorFrame(NamedTuple):
    """Everything the sensors report at one instant.

    Attributes:
        clock_ns: Runner clock (the time of ``/clock``), ns.
        odometry: Ground-truth pose (world frame) and body-frame twist.
        ranges_m: Lidar ranges, float64, ``inf`` = no return.
        contacts: Robot-wall contacts since the previous frame.
    """

    clock_ns: int
    odometry: Odometry
    ranges_m: np.ndarray
    contacts: ContactReport


class Placement(NamedTuple):
    """Where the robot was put: its cell and the cell centre in world metres."""

    cell: Cell
    x_m: float
    y_m: float


def steps_of(name: str, value_ms: float, physics_dt_ms: float, allow_zero: bool = False) -> int:
    """Return ``value_ms`` as a whole number of physics steps.

    Raises:
        TypeError: if ``value_ms`` is not a number.
        ValueError: if it is not a (positive, or zero when allowed) multiple of the step.
    """
    if isinstance(value_ms, bool) or not isinstance(value_ms, Real):
        raise TypeError(f'{name}: expected a number of milliseconds, got {value_ms!r}')
    value_ms = float(value_ms)
    if allow_zero and value_ms == 0.0:
        return 0
    ratio = value_ms / physics_dt_ms
    n = round(ratio) if math.isfinite(ratio) else 0
    if n < 1 or abs(ratio - n) > 1e-9 * max(1.0, ratio):
        zero = '0 or ' if allow_zero else ''
        raise ValueError(f'{name}: expected {zero}a positive multiple of the physics step '
                         f'{physics_dt_ms:g} ms, got {value_ms:g}')
    return n


class WorldRunner:
    """A :class:`World` with a forward-only clock, a publishing schedule and a trajectory.

    Args:
        world: The world; the runner must be the only one stepping or resetting it.
        clock_period_ms: Simulated time between ``/clock`` stops; 0 = only at the end
            of each :meth:`advance`.
        sensor_period_ms: Simulated time between sensor stops; 0 = with every clock
            stop.

    Raises:
        ValueError: if a period is not 0 or a positive multiple of the physics step, or
            the physics step is not a whole number of nanoseconds.
    """

    def __init__(self, world: World, clock_period_ms: float = DEFAULT_CLOCK_PERIOD_MS,
                 sensor_period_ms: float = DEFAULT_SENSOR_PERIOD_MS) -> None:
        self._world = world
        dt_ms = world.physics_dt_ms
        self._dt_ns = round(dt_ms * NS_PER_MS)
        if abs(dt_ms * NS_PER_MS - self._dt_ns) > 1e-6 or self._dt_ns < 1:
            raise ValueError(f'physics_dt_ms: expected a whole number of nanoseconds, got {dt_ms}')
        self.clock_period_steps = steps_of('clock_period_ms', clock_period_ms, dt_ms,
                                           allow_zero=True)
        self.sensor_period_steps = steps_of('sensor_period_ms', sensor_period_ms, dt_ms,
                                            allow_zero=True)
        self._trajectory_period_steps = max(1, round(TRAJECTORY_PERIOD_MS / dt_ms))
        self._max_advance_steps = int(MAX_ADVANCE_MS // dt_ms)
        self._steps = 0  # physics steps on the runner clock (survives resets)
        self._trajectory: list[tuple[float, float]] = []
        self._start_trajectory()

    # ------------------------------------------------------------------ state
    @property
    def world(self) -> World:
        return self._world

    @property
    def clock_ns(self) -> int:
        """Simulated time of the runner clock, ns (forward-only unless reset to 0)."""
        return self._steps * self._dt_ns

    @property
    def physics_dt_ns(self) -> int:
        return self._dt_ns

    @property
    def trajectory(self) -> list[tuple[float, float]]:
        """Robot centre ``(x_m, y_m)`` since the last reset or placement (a copy)."""
        return list(self._trajectory)

    def sensors(self) -> SensorFrame:
        """Read every sensor now; clears the contact report (see :meth:`World.contacts`)."""
        world = self._world
        return SensorFrame(self.clock_ns, world.odometry(), world.scan(), world.contacts())

    # ------------------------------------------------------------------ stepping
    def steps_for(self, duration_ms: float) -> int:
        """Validate an advance request and return it in physics steps.

        Raises:
            TypeError: if ``duration_ms`` is not a number.
            ValueError: if it is not a positive multiple of the physics step, or longer
                than ``MAX_ADVANCE_MS``.
        """
        n = steps_of('duration_ms', duration_ms, self._world.physics_dt_ms)
        if n > self._max_advance_steps:
            raise ValueError(f'duration_ms: expected at most {MAX_ADVANCE_MS:g} ms per call '
                             f'(split longer advances), got {float(duration_ms):g}')
        return n

    def advance(self, n_steps: int, on_stop: Callable[[bool, bool], None] | None = None,
                end_is_stop: bool = True) -> None:
        """Advance by ``n_steps`` physics steps, stopping at every boundary on the way.

        Args:
            n_steps: Physics steps (see :meth:`steps_for`).
            on_stop: Called as ``on_stop(clock_due, sensors_due)`` at every stop where
                at least one of them is due: on the clock grid, on the sensor grid, and
                at the end of the advance (both due there, if ``end_is_stop``).
            end_is_stop: Treat the end as a clock and sensor stop (stepped mode: every
                advance ends with fresh sensors); when free-running, the end is a stop
                only where it lies on a grid.
        """
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
            raise ValueError(f'n_steps: expected a positive int, got {n_steps!r}')
        end = self._steps + int(n_steps)
        clock_p, sensor_p = self.clock_period_steps, self.sensor_period_steps
        traj_p = self._trajectory_period_steps
        dt_ms = self._world.physics_dt_ms
        while self._steps < end:
            stop = min(end, _next_multiple(self._steps, traj_p))
            if clock_p:
                stop = min(stop, _next_multiple(self._steps, clock_p))
            if sensor_p:
                stop = min(stop, _next_multiple(self._steps, sensor_p))
            self._world.step((stop - self._steps) * dt_ms)
            self._steps = stop
            if stop % traj_p == 0 or stop == end:
                self._record_trajectory()
            last = end_is_stop and stop == end
            clock_due = last or (clock_p > 0 and stop % clock_p == 0)
            sensors_due = (last or stop % sensor_p == 0) if sensor_p else clock_due
            if on_stop is not None and (clock_due or sensors_due):
                on_stop(clock_due, sensors_due)

    # ------------------------------------------------------------------ episodes
    def reset(self, reset_clock: bool = False) -> None:
        """Reset the world (see :meth:`World.reset`) and clear the trajectory.

        Args:
            reset_clock: Also return the runner clock to 0; otherwise it carries on.
        """
        self._world.reset()
        if reset_clock:
            self._steps = 0
        self._start_trajectory()

    def place(self, cell: Sequence[int], yaw_rad: float = 0.0) -> Placement:
        """Put the robot at rest at the centre of ``cell``; clears the trajectory.

        Raises:
            TypeError, ValueError: for a bad cell or yaw, saying what is valid (the
                world is then unchanged).
        """
        maze = self._world.maze
        try:
            self._world.place_robot(cell, yaw_rad)
        except (TypeError, ValueError) as error:
            raise type(error)(f'{error}; valid cells: row 0-{maze.n_rows - 1}, '
                              f'col 0-{maze.n_cols - 1}') from error
        self._start_trajectory()
        return Placement(maze.check_cell(cell), *maze.cell_to_world(cell))

    def place_random(self, yaw_rad: float = 0.0) -> Placement:
        """Put the robot at a start cell drawn by the world's seeded generator.

        The sequence of cells depends only on the seed and restarts at every reset.
        """
        # Validate first: a bad yaw must not consume a random draw.
        if isinstance(yaw_rad, bool) or not isinstance(yaw_rad, Real) or not math.isfinite(
                yaw_rad):
            raise ValueError(f'yaw_rad: expected a finite number, got {yaw_rad!r}')
        cell = self._world.place_random_start(yaw_rad=yaw_rad)
        self._start_trajectory()
        return Placement(cell, *self._world.maze.cell_to_world(cell))

    # ------------------------------------------------------------------ picture
    def render(self, path_png: str | Path) -> Path:
        """Write a top-down PNG of the maze, the robot and its trajectory.

        Raises:
            ValueError: if the path is empty or does not end in ``.png``.
            OSError: if the file cannot be written.
        """
        from .render import render_topdown  # matplotlib only when a picture is asked for

        if not str(path_png).strip():
            raise ValueError('path: expected the path of a .png file, got an empty string')
        path = Path(path_png).expanduser()
        if path.suffix.lower() != '.png':
            raise ValueError(f'path: expected a file name ending in .png, got {str(path_png)!r}')
        world = self._world
        title = f'maze {world.maze.name}, t = {self.clock_ns / 1e9:.3f} s'
        return render_topdown(world.maze, path.resolve(), robot_pose=tuple(world.pose()),
                              trajectory=self._trajectory, title=title,
                              robot_radius_m=world.robot.radius_m)

    # ------------------------------------------------------------------ helpers
    def _start_trajectory(self) -> None:
        self._trajectory = []
        self._record_trajectory()

    def _record_trajectory(self) -> None:
        if len(self._trajectory) >= MAX_TRAJECTORY_POINTS:
            self._trajectory = self._trajectory[::2]
        q = self._world.data.qpos
        self._trajectory.append((float(q[0]), float(q[1])))


def _next_multiple(steps: int, period: int) -> int:
    """The first multiple of ``period`` strictly after ``steps``."""
    return (steps // period + 1) * period


class RealTimePacer:
    """How much simulated time is due in free-running mode.

    Simulated time follows ``real_time_factor`` x wall time from an anchor, in whole
    clock periods on the clock grid. When the world falls behind by more than
    ``max_lag_ms`` of wall time (a slow machine, a long render, a factor the machine
    cannot reach), it runs that much and drops the rest of the backlog instead of
    catching it up; dropped periods are counted in ``lagged_periods``.

    Args:
        real_time_factor: Simulated seconds per wall second; 0 = as fast as possible
            (``batch_periods`` periods per call).
        period_steps: Clock period in physics steps (>= 1).
        step_ns: Physics step, ns (>= 1).
        batch_periods: Periods per call when running as fast as possible.
        max_lag_ms: Wall time the world may fall behind before the backlog is dropped.
    """

    def __init__(self, real_time_factor: float, period_steps: int, step_ns: int,
                 batch_periods: int = 10, max_lag_ms: float = 50.0) -> None:
        if period_steps < 1 or step_ns < 1 or batch_periods < 1 or not max_lag_ms > 0:
            raise ValueError('period_steps, step_ns and batch_periods must be >= 1 and '
                             'max_lag_ms > 0')
        self.real_time_factor = check_real_time_factor(real_time_factor)
        self.period_steps = int(period_steps)
        self.step_ns = int(step_ns)
        self.batch_periods = int(batch_periods)
        self.max_lag_ns = max_lag_ms * NS_PER_MS
        self.lagged_periods = 0
        self._anchor_wall_ns: int | None = None
        self._anchor_steps = 0

    def anchor(self, wall_ns: int, clock_steps: int,
               real_time_factor: float | None = None) -> None:
        """Pace from here on (at the start, after a clock reset or with a new factor)."""
        if real_time_factor is not None:
            self.real_time_factor = check_real_time_factor(real_time_factor)
        self._anchor_wall_ns = int(wall_ns)
        self._anchor_steps = int(clock_steps)

    def due_steps(self, wall_ns: int, clock_steps: int) -> int:
        """Physics steps to run now; the clock then ends on a period boundary (or stays)."""
        if self._anchor_wall_ns is None:
            self.anchor(wall_ns, clock_steps)
        p = self.period_steps
        to_grid = -clock_steps % p  # 0 when the clock is on the grid, as it normally is
        if self.real_time_factor == 0.0:
            return to_grid + self.batch_periods * p
        elapsed_ns = (wall_ns - self._anchor_wall_ns) * self.real_time_factor
        target = self._anchor_steps + int(elapsed_ns // self.step_ns)
        target -= target % p
        due = target - clock_steps
        limit = to_grid + max(1, int(self.real_time_factor * self.max_lag_ns
                                     // (self.step_ns * p))) * p
        if due > limit:
            self.lagged_periods += (due - limit) // p
            self.anchor(wall_ns, clock_steps + limit)
            return limit
        return max(due, 0)


def check_real_time_factor(value: float) -> float:
    """Return a valid real-time factor (finite, >= 0) or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not (
            math.isfinite(value) and value >= 0.0):
        raise ValueError(f'real_time_factor: expected a finite number >= 0 (0 = as fast as '
                         f'possible, 1 = real time), got {value!r}')
    return float(value)
