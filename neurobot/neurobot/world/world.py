"""Embedded MuJoCo world: a maze, the omnidirectional robot, its lidar and bumper.

This is the ROS-free core behind the embedded-world node: :class:`World` advances
physics by exact multiples of its time step, takes holonomic body-frame velocity
commands, and reports pose, odometry, a 360-degree lidar scan and wall contacts.

Frames and conventions:

* World frame = maze frame (origin at the outer south-west corner, x east, y north;
  see :mod:`neurobot.world.maze`). Yaw is counter-clockwise from +x, in (-pi, pi].
* Velocity commands and reported twists are in the robot body frame (x forward,
  y left, z up), as in ``geometry_msgs/Twist`` on ``cmd_vel``.
* Odometry is ground truth from the physics state (no drift, no noise): pose in the
  world frame, twist in the body frame.
* Scan beam ``i`` points at ``-pi + i * 2 pi / scan_beams`` in the body frame
  (counter-clockwise, like ``sensor_msgs/LaserScan`` with ``angle_min = -pi``).
  Ranges are measured from the robot centre at ``RobotParams.lidar_height_m`` with
  MuJoCo's exact ray casting against the wall boxes; ``inf`` means no wall within
  ``scan_range_max_m``.

Determinism: MuJoCo runs single-threaded, so the same seed, start and command
sequence give a bit-identical trajectory; :meth:`World.reset` restores the state of
a freshly constructed world exactly.
"""

from __future__ import annotations

import logging
import math
from numbers import Real
from typing import NamedTuple, Sequence

import mujoco
import numpy as np

from .maze import Cell, Maze
from .mjcf import GEOM_GROUP_WALLS, ROBOT_BODY, RobotParams, build_mjcf
from .planar import Pose2D, Twist2D  # noqa: F401  (re-exported: part of the World API)

LOG = logging.getLogger(__name__)

DEFAULT_PHYSICS_DT_MS = 2.0  # ms; 2 mm of travel per step at 1 m/s, walls are 50 mm thick
MAX_PHYSICS_DT_MS = 2.0  # ms; a longer step softens contacts until walls give way (mjcf.py)
DEFAULT_SCAN_BEAMS = 360
DEFAULT_SCAN_RANGE_MAX_M = 10.0
_STEP_TOLERANCE = 1e-9  # relative slack when checking dt_ms is a multiple of the step
LIMIT_TOLERANCE = 1e-9  # relative; a command this close above a speed limit is at the limit


class Odometry(NamedTuple):
    """Ground-truth odometry: pose in the world frame, twist in the body frame."""

    pose: Pose2D
    twist: Twist2D
    sim_time_ms: float


class ContactReport(NamedTuple):
    """Robot-wall contacts over the physics steps since the previous report.

    Attributes:
        touched: The robot touched a wall during at least one of those steps.
        in_contact: It was touching a wall at the last physics step.
        steps_in_contact: How many of those physics steps ended in contact.
        min_gap_m: Smallest bumper-to-wall gap seen (negative = overlap; ``inf`` if no
            contact). The bumper engages ``BUMPER_MARGIN_M`` before touching, so a
            contact is reported when the gap is below that margin.
    """

    touched: bool
    in_contact: bool
    steps_in_contact: int
    min_gap_m: float


def _wrap_angle(angle_rad: float) -> float:
    """Wrap an angle into (-pi, pi]."""
    wrapped = math.remainder(angle_rad, 2.0 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped


class World:
    """A maze world with an omnidirectional robot, simulated by MuJoCo.

    Args:
        maze: The maze.
        physics_dt_ms: MuJoCo time step; every :meth:`step` must be a multiple of it.
        seed: Seed of the world's own random generator (random start cells when no
            generator is passed, scan noise). Reset restores it.
        scan_beams: Number of lidar beams over 360 degrees.
        scan_range_max_m: Lidar range; farther hits read ``inf``.
        scan_noise_std_m: Standard deviation of Gaussian noise added to each range
            (0 = exact ranges).
        max_speed_mps: Top linear speed (overrides ``robot.max_speed_mps``).
        max_yaw_rate_rad_s: Top yaw rate (overrides ``robot.max_yaw_rate_rad_s``).
        robot: Other robot parameters.

    Raises:
        ValueError: if a parameter is out of range or the robot does not fit the maze.
        TypeError: if ``maze`` is not a :class:`Maze`.
    """

    def __init__(self, maze: Maze, *, physics_dt_ms: float = DEFAULT_PHYSICS_DT_MS,
                 seed: int = 0, scan_beams: int = DEFAULT_SCAN_BEAMS,
                 scan_range_max_m: float = DEFAULT_SCAN_RANGE_MAX_M,
                 scan_noise_std_m: float = 0.0, max_speed_mps: float | None = None,
                 max_yaw_rate_rad_s: float | None = None,
                 robot: RobotParams | None = None) -> None:
        if not isinstance(maze, Maze):
            raise TypeError(f'maze: expected a neurobot.world.maze.Maze, '
                            f'got {type(maze).__name__}')
        physics_dt_ms = _positive('physics_dt_ms', physics_dt_ms)
        if physics_dt_ms > MAX_PHYSICS_DT_MS:
            raise ValueError(f'physics_dt_ms: expected at most {MAX_PHYSICS_DT_MS} ms so walls '
                             f'stay solid, got {physics_dt_ms}')
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f'seed: expected a non-negative int, got {seed!r}')
        if isinstance(scan_beams, bool) or not isinstance(scan_beams, (int, np.integer)) or not (
                1 <= scan_beams <= 100_000):
            raise ValueError(f'scan_beams: expected an int in [1, 100000], got {scan_beams!r}')
        scan_range_max_m = _positive('scan_range_max_m', scan_range_max_m)
        if isinstance(scan_noise_std_m, bool) or not isinstance(scan_noise_std_m, Real) or not (
                math.isfinite(scan_noise_std_m) and scan_noise_std_m >= 0):
            raise ValueError(f'scan_noise_std_m: expected a number >= 0, got {scan_noise_std_m!r}')
        robot = robot if robot is not None else RobotParams()
        if not isinstance(robot, RobotParams):
            raise TypeError(f'robot: expected RobotParams, got {type(robot).__name__}')
        self._max_speed_mps = (robot.max_speed_mps if max_speed_mps is None
                               else _positive('max_speed_mps', max_speed_mps))
        self._max_yaw_rate_rad_s = (robot.max_yaw_rate_rad_s if max_yaw_rate_rad_s is None
                                    else _positive('max_yaw_rate_rad_s', max_yaw_rate_rad_s))

        self._maze = maze
        self._robot = robot
        self._physics_dt_ms = float(physics_dt_ms)
        self._seed = int(seed)
        self._scan_range_max_m = float(scan_range_max_m)
        self._scan_noise_std_m = float(scan_noise_std_m)

        self._model = mujoco.MjModel.from_xml_string(build_mjcf(maze, robot, physics_dt_ms))
        self._data = mujoco.MjData(self._model)
        self._robot_body_id = self._model.body(ROBOT_BODY).id

        # Lidar buffers, allocated once so scan() does not allocate per call
        # beyond its result.
        n = int(scan_beams)
        self._scan_angles_rad = -math.pi + np.arange(n) * (2.0 * math.pi / n)
        self._ray_vec = np.zeros((n, 3))
        self._ray_dist = np.zeros(n)
        self._ray_geom = np.zeros(n, dtype=np.int32)
        self._ray_pnt = np.zeros(3)
        self._ray_groups = np.zeros(6, dtype=np.uint8)
        self._ray_groups[GEOM_GROUP_WALLS] = 1

        self._rng = np.random.default_rng(self._seed)
        self._n_steps = 0
        self._cmd = (0.0, 0.0, 0.0)
        self._contact_steps = 0
        self._contact_min_gap_m = math.inf
        self.reset()
        LOG.info('world %r ready: %dx%d cells, %d wall boxes, dt %.3g ms, %d lidar beams',
                 maze.name, maze.n_rows, maze.n_cols, len(maze.wall_boxes()),
                 self._physics_dt_ms, n)

    # ------------------------------------------------------------------ properties
    @property
    def maze(self) -> Maze:
        return self._maze

    @property
    def robot(self) -> RobotParams:
        return self._robot

    @property
    def physics_dt_ms(self) -> float:
        return self._physics_dt_ms

    @property
    def sim_time_ms(self) -> float:
        """Simulated time since construction or the last :meth:`reset`."""
        return self._n_steps * self._physics_dt_ms

    @property
    def max_speed_mps(self) -> float:
        return self._max_speed_mps

    @property
    def max_yaw_rate_rad_s(self) -> float:
        return self._max_yaw_rate_rad_s

    @property
    def cmd_vel(self) -> Twist2D:
        """The velocity command in force (after clamping)."""
        return Twist2D(*self._cmd)

    @property
    def scan_angles_rad(self) -> np.ndarray:
        """Body-frame direction of every beam (a copy)."""
        return self._scan_angles_rad.copy()

    @property
    def scan_range_min_m(self) -> float:
        """Nearest range the lidar reports; it sits at the robot centre."""
        return 0.0

    @property
    def scan_range_max_m(self) -> float:
        return self._scan_range_max_m

    @property
    def model(self) -> mujoco.MjModel:
        """The MuJoCo model (read-only use: rendering, inspection)."""
        return self._model

    @property
    def data(self) -> mujoco.MjData:
        """The MuJoCo data (read-only use; writing to it bypasses the checks here)."""
        return self._data

    # ------------------------------------------------------------------ commands
    def set_cmd_vel(self, vx_mps: float, vy_mps: float, wz_rad_s: float) -> str | None:
        """Set the body-frame velocity command; it holds until the next call.

        Never raises: a command that is not three finite numbers is rejected and the
        previous command stays in force; a command faster than the limits is scaled
        down (linear speed keeps its direction; yaw rate is clamped).

        Args:
            vx_mps: Forward speed.
            vy_mps: Leftward speed.
            wz_rad_s: Counter-clockwise yaw rate.

        Returns:
            ``None`` if applied as given, else a reason saying what was clamped or why
            the command was rejected.
        """
        values = []
        for name, value in (('vx_mps', vx_mps), ('vy_mps', vy_mps), ('wz_rad_s', wz_rad_s)):
            if isinstance(value, bool) or not isinstance(value, Real):
                reason = f'rejected: {name} must be a number, got {value!r}; previous command kept'
                LOG.warning(reason)
                return reason
            value = float(value)
            if not math.isfinite(value):
                reason = f'rejected: {name} must be finite, got {value}; previous command kept'
                LOG.warning(reason)
                return reason
            values.append(value)
        vx, vy, wz = values
        reasons = []
        speed = math.hypot(vx, vy)
        # A command at the limit that rounding put a few ulps above it (a unit vector
        # times the top speed, rotated into the body frame) is not clamped and not logged.
        if speed > self._max_speed_mps * (1.0 + LIMIT_TOLERANCE):
            scale = self._max_speed_mps / speed
            vx, vy = vx * scale, vy * scale
            reasons.append(f'linear speed {speed:.6g} m/s clamped to '
                           f'{self._max_speed_mps:g} m/s')
        if abs(wz) > self._max_yaw_rate_rad_s * (1.0 + LIMIT_TOLERANCE):
            reasons.append(f'yaw rate {wz:.6g} rad/s clamped to '
                           f'{self._max_yaw_rate_rad_s:g} rad/s')
            wz = math.copysign(self._max_yaw_rate_rad_s, wz)
        self._cmd = (vx, vy, wz)
        self._data.ctrl[:] = self._cmd
        if reasons:
            reason = 'clamped: ' + '; '.join(reasons)
            LOG.debug(reason)
            return reason
        return None

    def stop(self) -> None:
        """Command zero velocity."""
        self.set_cmd_vel(0.0, 0.0, 0.0)

    # ------------------------------------------------------------------ stepping
    def step(self, dt_ms: float) -> None:
        """Advance the simulation by exactly ``dt_ms`` of simulated time.

        Args:
            dt_ms: A positive multiple of :attr:`physics_dt_ms`.

        Raises:
            TypeError: if ``dt_ms`` is not a number.
            ValueError: if it is not a positive multiple of the physics step.
        """
        if isinstance(dt_ms, bool) or not isinstance(dt_ms, Real):
            raise TypeError(f'dt_ms: expected a number of milliseconds, got {dt_ms!r}')
        ratio = float(dt_ms) / self._physics_dt_ms
        n = round(ratio) if math.isfinite(ratio) else 0
        if n < 1 or abs(ratio - n) > _STEP_TOLERANCE * max(1.0, ratio):
            raise ValueError(f'dt_ms: expected a positive multiple of the physics step '
                             f'{self._physics_dt_ms} ms, got {dt_ms}')
        model, data = self._model, self._data
        mj_step = mujoco.mj_step
        for _ in range(n):
            mj_step(model, data)
            # Checked every physics step so a brief brush with a wall is not missed.
            if data.ncon:
                self._record_contacts()
        self._n_steps += n
        LOG.debug('stepped %d x %.3g ms to t=%.3f ms', n, self._physics_dt_ms, self.sim_time_ms)

    def _record_contacts(self) -> None:
        # Only robot-wall pairs can collide (contype/conaffinity), so every contact
        # counts.
        data = self._data
        gap = float(data.contact.dist[:data.ncon].min())
        self._contact_steps += 1
        if gap < self._contact_min_gap_m:
            self._contact_min_gap_m = gap

    # ------------------------------------------------------------------ state
    def pose(self) -> Pose2D:
        """Robot pose in the world frame."""
        q = self._data.qpos
        return Pose2D(float(q[0]), float(q[1]), _wrap_angle(float(q[2])))

    def velocity(self) -> Twist2D:
        """Robot velocity in its body frame."""
        q, v = self._data.qpos, self._data.qvel
        c, s = math.cos(q[2]), math.sin(q[2])
        return Twist2D(float(c * v[0] + s * v[1]), float(-s * v[0] + c * v[1]), float(v[2]))

    def odometry(self) -> Odometry:
        """Ground-truth odometry (see the module docstring)."""
        return Odometry(self.pose(), self.velocity(), self.sim_time_ms)

    def current_cell(self) -> Cell:
        """The maze cell containing the robot centre."""
        q = self._data.qpos
        return self._maze.world_to_cell(float(q[0]), float(q[1]))

    def at_goal(self) -> bool:
        """Whether the robot centre is in the goal cell."""
        return self.current_cell() == self._maze.goal_cell

    def scan(self) -> np.ndarray:
        """One 360-degree lidar scan (see the module docstring for beam angles).

        Returns:
            A new float64 array of ``scan_beams`` ranges in metres (``inf`` = no return).
        """
        model, data = self._model, self._data
        q = data.qpos
        angles = self._scan_angles_rad + q[2]
        self._ray_vec[:, 0] = np.cos(angles)
        self._ray_vec[:, 1] = np.sin(angles)
        self._ray_pnt[0] = q[0]
        self._ray_pnt[1] = q[1]
        self._ray_pnt[2] = self._robot.lidar_height_m
        n = self._ray_dist.shape[0]
        mujoco.mj_multiRay(model, data, self._ray_pnt, self._ray_vec.reshape(-1),
                           self._ray_groups, 1, self._robot_body_id, self._ray_geom,
                           self._ray_dist, None, n, self._scan_range_max_m)
        ranges = self._ray_dist.copy()
        ranges[(ranges < 0.0) | (ranges > self._scan_range_max_m)] = np.inf
        if self._scan_noise_std_m > 0.0:
            finite = np.isfinite(ranges)
            ranges[finite] += self._rng.normal(0.0, self._scan_noise_std_m, int(finite.sum()))
            np.maximum(ranges, 0.0, out=ranges)
        return ranges

    def contacts(self) -> ContactReport:
        """Robot-wall contacts since the previous call (or reset/placement); clears them."""
        report = ContactReport(self._contact_steps > 0, self._data.ncon > 0,
                               self._contact_steps, self._contact_min_gap_m)
        self._contact_steps = 0
        self._contact_min_gap_m = math.inf
        return report

    # ------------------------------------------------------------------ episodes
    def reset(self, cell: Sequence[int] | None = None, yaw_rad: float = 0.0) -> None:
        """Restore the exact state of a freshly built world.

        Time, command, contacts and the random generator go back to their initial
        values. With the defaults the robot stands at the first start cell facing +x,
        as in a new world; ``cell``/``yaw_rad`` place it elsewhere in the same call.

        Raises:
            TypeError, ValueError: for a bad cell or yaw (state is then unchanged).
        """
        cell = self._maze.start_cells[0] if cell is None else cell
        x_m, y_m = self._maze.cell_to_world(cell)  # validates before anything changes
        yaw_rad = _finite('yaw_rad', yaw_rad)
        mujoco.mj_resetData(self._model, self._data)
        self._rng = np.random.default_rng(self._seed)
        self._n_steps = 0
        self._set_pose(x_m, y_m, yaw_rad)

    def place_robot(self, cell: Sequence[int], yaw_rad: float = 0.0) -> None:
        """Teleport the robot to the centre of ``cell``, at rest, with a zero command.

        Simulated time and the random generator carry on; contacts are cleared.

        Raises:
            TypeError, ValueError: for a bad cell or yaw (state is then unchanged).
        """
        x_m, y_m = self._maze.cell_to_world(cell)
        yaw_rad = _finite('yaw_rad', yaw_rad)
        self._set_pose(x_m, y_m, yaw_rad)

    def place_random_start(self, rng: np.random.Generator | None = None,
                           yaw_rad: float = 0.0) -> Cell:
        """Place the robot at a start cell drawn uniformly from the maze's start cells.

        Args:
            rng: Generator to draw from; the world's own seeded one if ``None``.
            yaw_rad: Heading after placement.

        Returns:
            The chosen start cell.
        """
        rng = self._rng if rng is None else rng
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f'rng: expected a numpy.random.Generator, got {type(rng).__name__}')
        starts = self._maze.start_cells
        cell = starts[int(rng.integers(len(starts)))]
        self.place_robot(cell, yaw_rad)
        return cell

    def _set_pose(self, x_m: float, y_m: float, yaw_rad: float) -> None:
        data = self._data
        data.qpos[:] = (x_m, y_m, yaw_rad)
        data.qvel[:] = 0.0
        data.qacc_warmstart[:] = 0.0
        data.ctrl[:] = 0.0
        data.qfrc_applied[:] = 0.0
        self._cmd = (0.0, 0.0, 0.0)
        self._contact_steps = 0
        self._contact_min_gap_m = math.inf
        mujoco.mj_forward(self._model, data)
        LOG.debug('robot placed at (%.3f, %.3f, yaw %.3f)', x_m, y_m, yaw_rad)

    def get_state(self) -> np.ndarray:
        """Full MuJoCo physics state (for tests and checkpoints)."""
        spec = mujoco.mjtState.mjSTATE_INTEGRATION
        state = np.empty(mujoco.mj_stateSize(self._model, spec))
        mujoco.mj_getState(self._model, self._data, state, spec)
        return state


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f'{name}: expected a positive finite number, got {value!r}')
    return float(value)


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f'{name}: expected a number, got {value!r}')
    if not math.isfinite(value):
        raise ValueError(f'{name}: expected a finite number, got {value!r}')
    return float(value)
