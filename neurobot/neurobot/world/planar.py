"""Planar pose and velocity types shared by the world and the transfer functions.

Kept apart from world.py so that code which only needs the types (decoders, transfer
functions against Gazebo or a real robot) does not import MuJoCo.
"""

from typing import NamedTuple


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
