"""Planar pose and velocity types shared by the world and the transfer functions.

Kept apart from world.py so that code which only needs the types (decoders, transfer
functions against Gazebo or a real robot) does not import MuJoCo. Also the two planar
conversions that transfer functions, the markers and the offline analysis all need:
the heading of an orientation quaternion, and a pose in odometry -> the maze frame.
"""

import math
from typing import NamedTuple


def yaw_of_quaternion(q) -> float:
    """Heading (rad) of a planar orientation quaternion (anything with x, y, z, w)."""
    return math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))


def odom_to_maze(x_m, y_m, yaw_rad, maze_origin_in_odom=(0.0, 0.0, 0.0)) -> tuple:
    """A pose in the odometry frame -> the maze frame.

    ``maze_origin_in_odom`` is where the maze's origin lies in odom (``[x_m, y_m,
    yaw_rad]``, as in the robot files of config/robots/).
    """
    x0, y0, yaw0 = (float(v) for v in maze_origin_in_odom)
    dx, dy = x_m - x0, y_m - y0
    cos0, sin0 = math.cos(yaw0), math.sin(yaw0)
    yaw = math.atan2(math.sin(yaw_rad - yaw0), math.cos(yaw_rad - yaw0))
    return (cos0 * dx + sin0 * dy, -sin0 * dx + cos0 * dy, yaw)


class Pose2D(NamedTuple):
    """Planar pose in the world frame."""

    x_m: float
    y_m: float
    yaw_rad: float


class Twist2D(NamedTuple):
    """Planar velocity in the robot body frame."""

    vx_mps: float
    vy_mps: float
    wz_rad_s: float
