"""Common robot messages in one call each, for transfer functions.

Filling a ``Twist`` field by field, reading a heading out of a quaternion and adding up
a stamp's seconds and nanoseconds are the same few lines in every transfer function;
they live here once. Message classes only, no rclpy.

* :func:`twist` -- a ``geometry_msgs/Twist`` from ``(vx, vy, wz)`` in the body frame
  (``twist(*decoders.direction_twist(...))`` takes a decoder's :class:`Twist2D`).
* :func:`pose_2d` -- ``(x_m, y_m, yaw_rad)`` of an ``Odometry``, a ``PoseStamped``, a
  ``PoseWithCovariance`` or a ``Pose``.
* :func:`stamp_s` -- the time of a stamp, a header or a stamped message, in seconds.
"""

from geometry_msgs.msg import Twist

from neurobot.stamps import NS_PER_S, stamp_ns
from neurobot.world.planar import Pose2D, yaw_of_quaternion
from tf_nodes._checks import real


def twist(vx_mps: float = 0.0, vy_mps: float = 0.0, wz_rad_s: float = 0.0) -> Twist:
    """A velocity command in the robot's body frame (REP 103: x forward, y left).

    Args:
        vx_mps: forward speed, m/s.
        vy_mps: sideways speed (left positive), m/s; 0 for a differential drive.
        wz_rad_s: yaw rate, counter-clockwise positive, rad/s.

    Raises:
        TypeError, ValueError: a component that is not a finite number (naming it).
    """
    msg = Twist()
    msg.linear.x = real('vx_mps', vx_mps)
    msg.linear.y = real('vy_mps', vy_mps)
    msg.angular.z = real('wz_rad_s', wz_rad_s)
    return msg


def pose_2d(msg) -> Pose2D:
    """The planar pose ``(x_m, y_m, yaw_rad)`` of a pose-carrying message.

    Args:
        msg: ``nav_msgs/Odometry``, ``geometry_msgs/PoseStamped``,
            ``PoseWithCovariance(Stamped)`` or ``Pose``.

    Raises:
        TypeError: a message that carries no pose.
    """
    pose = msg
    while hasattr(pose, 'pose'):  # Odometry.pose.pose, PoseStamped.pose, ...
        pose = pose.pose
    if not (hasattr(pose, 'position') and hasattr(pose, 'orientation')):
        raise TypeError(f'expected a message carrying a pose (Odometry, PoseStamped, Pose), '
                        f'got {type(msg).__name__}')
    return Pose2D(float(pose.position.x), float(pose.position.y),
                  yaw_of_quaternion(pose.orientation))


def stamp_s(msg) -> float:
    """Seconds of a ``builtin_interfaces/Time``, a ``Header`` or a message with a header.

    Raises:
        TypeError: something without a stamp.
    """
    stamp = msg
    if hasattr(stamp, 'header'):
        stamp = stamp.header
    if hasattr(stamp, 'stamp'):
        stamp = stamp.stamp
    if not (hasattr(stamp, 'sec') and hasattr(stamp, 'nanosec')):
        raise TypeError(f'expected a Time, a Header or a stamped message, got '
                        f'{type(msg).__name__}')
    return stamp_ns(stamp) / NS_PER_S
