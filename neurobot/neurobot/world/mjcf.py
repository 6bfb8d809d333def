"""Build the MuJoCo (MJCF) model of a maze and the omnidirectional robot.

The world frame is the maze frame (see :mod:`neurobot.world.maze`). Walls are static
boxes taken from :meth:`Maze.wall_boxes`. The robot is a round body moving in the
plane through three world-frame joints (``slide_x``, ``slide_y``, ``yaw``), so
``qpos`` is directly ``(x, y, yaw)``. It is driven holonomically by three velocity
actuators acting through a site on the robot: their gears are the robot's own x, y
and z axes, so the controls are the body-frame twist ``(vx, vy, wz)`` and MuJoCo
rotates them with the robot without any per-step Python.

Contacts exist only between the robot's bumper and the walls (floor and walls have
no contact with each other; gravity is off because the robot has no vertical degree
of freedom). The bumper is frictionless (``condim=1``) so the robot slides along a
wall instead of sticking to it, like a round robot with a smooth shell.

The bumper's contacts engage ``BUMPER_MARGIN_M`` (5 mm) before the geometric
surfaces meet. MuJoCo contacts are soft: a 1 m/s impact with a 5 ms contact time
constant gives way by about 4 mm, and the margin absorbs that, so the robot centre
never comes closer to a wall than its radius. The stiff-enough time constant needs
a physics step of at most 2 ms (time constant >= 2.5 steps).
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from xml.sax.saxutils import quoteattr

from .maze import Maze

GEOM_GROUP_FLOOR = 0
GEOM_GROUP_WALLS = 1  # the only group the lidar sees
GEOM_GROUP_ROBOT = 2

ROBOT_BODY = 'robot'
ROBOT_GEOM = 'robot_bumper'
ROBOT_SITE = 'robot_site'
WALL_GEOM_PREFIX = 'wall_'
ACTUATORS = ('vx', 'vy', 'wz')
# Contacts engage this far outside the bumper, so the soft contact's give on impact
# (about speed x contact time constant: 1 m/s x 5 ms) is used up before the bumper
# itself reaches the wall: the robot centre stays about one radius from the wall.
BUMPER_MARGIN_M = 0.005


@dataclass(frozen=True)
class RobotParams:
    """Physical parameters of the omnidirectional robot.

    Attributes:
        radius_m: Radius of the round footprint (bumper).
        height_m: Height of the body.
        mass_kg: Mass.
        lidar_height_m: Height of the lidar rays above the floor; must be below the
            wall height so the rays hit the walls.
        max_speed_mps: Top linear speed; faster commands are scaled down to it.
        max_yaw_rate_rad_s: Top yaw rate; faster commands are clamped.
        velocity_time_constant_s: Time constant of the velocity loop (actuator gain
            ``kv = mass / tau``); the commanded velocity is reached in a few of these.
        max_accel_mps2: Acceleration limit, sets the actuator force range
            (``mass * max_accel``) and so how hard the robot can push on a wall.
    """

    radius_m: float = 0.2
    height_m: float = 0.15
    mass_kg: float = 5.0
    lidar_height_m: float = 0.2
    max_speed_mps: float = 1.0
    max_yaw_rate_rad_s: float = 3.0
    velocity_time_constant_s: float = 0.02
    max_accel_mps2: float = 20.0

    def __post_init__(self) -> None:
        for name in ('radius_m', 'height_m', 'mass_kg', 'lidar_height_m', 'max_speed_mps',
                     'max_yaw_rate_rad_s', 'velocity_time_constant_s', 'max_accel_mps2'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    math.isfinite(value) and value > 0):
                raise ValueError(f'RobotParams.{name}: expected a positive finite number, '
                                 f'got {value!r}')

    @property
    def yaw_inertia_kg_m2(self) -> float:
        """Moment of inertia about z of a uniform solid cylinder."""
        return 0.5 * self.mass_kg * self.radius_m ** 2


def _f(value: float) -> str:
    """Format a float compactly but losslessly enough for geometry (0.1 um)."""
    text = f'{value:.7f}'.rstrip('0').rstrip('.')
    return '0' if text in ('-0', '') else text


def build_mjcf(maze: Maze, robot: RobotParams = RobotParams(),
               physics_dt_ms: float = 2.0) -> str:
    """Return the MJCF XML text of ``maze`` with the robot at the first start cell.

    Args:
        maze: The maze.
        robot: Robot parameters.
        physics_dt_ms: MuJoCo time step.

    Returns:
        MJCF XML as a string, loadable with ``mujoco.MjModel.from_xml_string``.

    Raises:
        ValueError: if the robot does not fit in a corridor, the lidar rays would pass
            over the walls, or ``physics_dt_ms`` is not a positive number.
    """
    if isinstance(physics_dt_ms, bool) or not isinstance(physics_dt_ms, (int, float)) or not (
            math.isfinite(physics_dt_ms) and physics_dt_ms > 0):
        raise ValueError(f'physics_dt_ms: expected a positive number, got {physics_dt_ms!r}')
    corridor_m = maze.cell_size_m - maze.wall_thickness_m
    if 2.0 * robot.radius_m >= corridor_m:
        raise ValueError(f'robot diameter {2 * robot.radius_m} m does not fit the '
                         f'{corridor_m:.3f} m corridors of maze {maze.name!r}')
    if robot.lidar_height_m >= maze.wall_height_m:
        raise ValueError(f'lidar height {robot.lidar_height_m} m must be below the wall height '
                         f'{maze.wall_height_m} m or the rays pass over the walls')
    dt_s = physics_dt_ms / 1000.0
    # Contact stiffness: MuJoCo needs timeconst >= 2 * dt to stay stable; 10 ms keeps
    # wall penetration around a millimetre at full actuator force.
    contact_tc_s = max(0.005, 2.5 * dt_s)
    kv_lin = robot.mass_kg / robot.velocity_time_constant_s
    kv_yaw = robot.yaw_inertia_kg_m2 / robot.velocity_time_constant_s
    f_max = robot.mass_kg * robot.max_accel_mps2
    tau_max = robot.yaw_inertia_kg_m2 * robot.max_accel_mps2 / robot.radius_m
    z_body = robot.lidar_height_m
    start_x, start_y = maze.cell_to_world(maze.start_cells[0])
    extent = max(maze.size_x_m, maze.size_y_m)

    lines = [
        f'<mujoco model={quoteattr("neurobot_" + maze.name)}>',
        '  <compiler angle="radian" autolimits="true"/>',
        f'  <option timestep="{_f(dt_s)}" gravity="0 0 0" integrator="implicitfast"/>',
        '  <visual><global offwidth="640" offheight="480"/></visual>',
        '  <worldbody>',
        f'    <light pos="{_f(maze.size_x_m / 2)} {_f(maze.size_y_m / 2)} {_f(3 * extent)}"'
        ' dir="0 0 -1"/>',
        f'    <geom name="floor" type="plane" pos="{_f(maze.size_x_m / 2)} '
        f'{_f(maze.size_y_m / 2)} 0" size="{_f(extent)} {_f(extent)} 0.1" '
        f'rgba="0.85 0.85 0.8 1" contype="0" conaffinity="0" group="{GEOM_GROUP_FLOOR}"/>',
    ]
    for k, box in enumerate(maze.wall_boxes()):
        lines.append(
            f'    <geom name="{WALL_GEOM_PREFIX}{k}" type="box" '
            f'pos="{_f(box.center_x_m)} {_f(box.center_y_m)} {_f(box.height_m / 2)}" '
            f'size="{_f(box.size_x_m / 2)} {_f(box.size_y_m / 2)} {_f(box.height_m / 2)}" '
            f'rgba="0.3 0.3 0.35 1" contype="0" conaffinity="1" condim="1" '
            f'group="{GEOM_GROUP_WALLS}"/>')
    gx, gy = maze.cell_to_world(maze.goal_cell)
    lines += [
        f'    <site name="goal" pos="{_f(gx)} {_f(gy)} 0.001" type="cylinder" '
        f'size="{_f(maze.cell_size_m * 0.3)} 0.001" rgba="0.1 0.8 0.1 0.6"/>',
        # The body sits at the origin so that qpos is the world pose (x, y, yaw).
        f'    <body name="{ROBOT_BODY}" pos="0 0 {_f(z_body)}">',
        f'      <inertial pos="0 0 0" mass="{_f(robot.mass_kg)}" '
        f'diaginertia="{_f(robot.yaw_inertia_kg_m2)} {_f(robot.yaw_inertia_kg_m2)} '
        f'{_f(robot.yaw_inertia_kg_m2)}"/>',
        '      <joint name="slide_x" type="slide" axis="1 0 0"/>',
        '      <joint name="slide_y" type="slide" axis="0 1 0"/>',
        '      <joint name="yaw" type="hinge" axis="0 0 1"/>',
        # A vertical capsule whose straight part lies within the wall height: its
        # horizontal cross-section is the round footprint and capsule-box contacts
        # are analytic (cheaper than cylinder-box).
        f'      <geom name="{ROBOT_GEOM}" type="capsule" fromto="0 0 -0.02 0 0 0.02" '
        f'size="{_f(robot.radius_m)}" contype="1" conaffinity="0" '
        f'condim="1" solref="{_f(contact_tc_s)} 1" margin="{_f(BUMPER_MARGIN_M)}" '
        'rgba="0.9 0.4 0.1 1" '
        f'group="{GEOM_GROUP_ROBOT}"/>',
        f'      <geom name="robot_heading" type="box" pos="{_f(robot.radius_m * 0.6)} 0 0.03" '
        f'size="{_f(robot.radius_m * 0.3)} 0.02 0.01" contype="0" conaffinity="0" '
        f'rgba="0.1 0.1 0.1 1" group="{GEOM_GROUP_ROBOT}"/>',
        f'      <site name="{ROBOT_SITE}" pos="0 0 0"/>',
        '    </body>',
        '  </worldbody>',
        '  <actuator>',
        f'    <velocity name="vx" site="{ROBOT_SITE}" gear="1 0 0 0 0 0" kv="{_f(kv_lin)}" '
        f'forcerange="{_f(-f_max)} {_f(f_max)}"/>',
        f'    <velocity name="vy" site="{ROBOT_SITE}" gear="0 1 0 0 0 0" kv="{_f(kv_lin)}" '
        f'forcerange="{_f(-f_max)} {_f(f_max)}"/>',
        f'    <velocity name="wz" site="{ROBOT_SITE}" gear="0 0 0 0 0 1" kv="{_f(kv_yaw)}" '
        f'forcerange="{_f(-tau_max)} {_f(tau_max)}"/>',
        '  </actuator>',
        '  <keyframe>',
        f'    <key name="start" qpos="{_f(start_x)} {_f(start_y)} 0"/>',
        '  </keyframe>',
        '</mujoco>',
    ]
    return '\n'.join(lines) + '\n'
