"""maze_markers: the maze, the robot, its path, the lidar and place-cell activity for rviz.

Publishes ``maze/markers`` (visualization_msgs/MarkerArray, every marker in ``frame_id``,
default ``map``) from two transient-local publishers, so rviz started late still gets
everything (a late subscriber needs transient local durability and a depth of at least
2, one array from each publisher; config/neurobot.rviz asks for 10):

- once at start: walls, start cells and goal (neurobot.monitoring.markers.maze_markers);
- at most ``update_rate_hz`` times per second of wall time (10), when a pose, scan or
  place-cell spike message changed something: the robot, the trajectory of the current
  episode (cleared when the robot jumps, see markers.Trajectory), the lidar hits as
  points and one square per cell coloured by its place cells' rate in the last brain
  step. (Rebuilding them for every message cost the 30x-real-time lockstep loop more
  than half its speed on two cores; rviz draws at screen rate anyway.)

Everything is drawn in the maze frame, so rviz needs no tf (the pip-installed ROS 2
here has no tf2).
The robot pose comes from ``pose_topic`` (geometry_msgs/PoseStamped, the embedded
world's ground truth in ``map``) or, when that is empty, from ``odom_topic``
(nav_msgs/Odometry, turned into the maze frame with ``maze_origin_in_odom``, the pose
of the maze origin in odom: [0, 0, 0] in simulation, from the robot file on real
robots). With ``publish_tf`` and tf2_ros installed (full ROS 2 installs) the node also
broadcasts odom -> base_link from ``odom_topic``, so rviz's Odometry and LaserScan
displays work too (the launch file adds the static map -> odom and base_link ->
laser_link transforms).

Parameters: maze, frame_id, pose_topic, odom_topic, maze_origin_in_odom, scan_topic,
places_topic, max_rate_hz, update_rate_hz, jump_speed_mps, trajectory_max_points, robot_radius_m,
lidar_height_m, publish_tf.
"""

import math
import sys

from geometry_msgs.msg import Point, PoseStamped
from nav_msgs.msg import Odometry
from rcl_interfaces.msg import IntegerRange, ParameterDescriptor, ParameterType
from rclpy.node import Node
from sensor_msgs.msg import LaserScan
from std_msgs.msg import ColorRGBA
from visualization_msgs.msg import Marker, MarkerArray

from neurobot import qos
from neurobot.lockstep_participant import run_node
from neurobot.monitoring import markers as core
from neurobot.parameters import declare_number
from neurobot.world.maze import Maze
from neurobot.world.planar import odom_to_maze, yaw_of_quaternion
from neurobot_interfaces.msg import PopulationSpikes

MARKER_TYPES = {core.CUBE: Marker.CUBE, core.CYLINDER: Marker.CYLINDER, core.ARROW: Marker.ARROW,
                core.LINE_STRIP: Marker.LINE_STRIP, core.POINTS: Marker.POINTS}
WARN_THROTTLE_S = 5.0


def stamp_s(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def to_marker(spec: core.MarkerSpec, frame_id: str, stamp=None) -> Marker:
    """A visualization_msgs/Marker for a core MarkerSpec."""
    marker = Marker()
    marker.header.frame_id = frame_id
    if stamp is not None:
        marker.header.stamp = stamp
    marker.ns, marker.id = spec.namespace, spec.id
    marker.type = MARKER_TYPES[spec.shape]
    if spec.delete:
        marker.action = Marker.DELETE
        return marker
    marker.action = Marker.ADD
    p = marker.pose.position
    p.x, p.y, p.z = (float(v) for v in spec.position_m)
    marker.pose.orientation.z = math.sin(spec.yaw_rad / 2.0)
    marker.pose.orientation.w = math.cos(spec.yaw_rad / 2.0)
    marker.scale.x, marker.scale.y, marker.scale.z = (float(v) for v in spec.scale_m)
    marker.color = ColorRGBA(r=float(spec.color[0]), g=float(spec.color[1]),
                             b=float(spec.color[2]), a=float(spec.color[3]))
    marker.points = [Point(x=float(x), y=float(y), z=float(z)) for x, y, z in spec.points_m]
    return marker


class MarkersNode(Node):
    """Maze markers for rviz (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('maze_markers', **kwargs)
        ro = dict(read_only=True)

        self.declare_parameter('maze', '',
                               ParameterDescriptor(description='Maze YAML file', **ro))
        self.declare_parameter('frame_id', 'map', ParameterDescriptor(
            description='Frame of every marker (the maze frame)', **ro))
        self.declare_parameter('pose_topic', 'ground_truth/pose', ParameterDescriptor(
            description='geometry_msgs/PoseStamped robot pose in the maze frame; empty: use '
                        'odom_topic', **ro))
        self.declare_parameter('odom_topic', '', ParameterDescriptor(
            description='nav_msgs/Odometry (odom taken as the maze frame); robot pose when '
                        'pose_topic is empty, source of the odom -> base_link tf', **ro))
        self.declare_parameter('maze_origin_in_odom', [0.0, 0.0, 0.0], ParameterDescriptor(
            description='Pose of the maze origin in the odometry frame: [x_m, y_m, yaw_rad]',
            type=ParameterType.PARAMETER_DOUBLE_ARRAY, **ro))
        self.declare_parameter('scan_topic', 'scan', ParameterDescriptor(
            description='sensor_msgs/LaserScan drawn as points; empty: none', **ro))
        self.declare_parameter('places_topic', 'brain/places/spikes', ParameterDescriptor(
            description='PopulationSpikes of the place cells; empty: no activity squares', **ro))
        declare_number(self, 'max_rate_hz', 100.0,
                       'Place-cell rate drawn in the hottest colour, Hz', 1e-3, 1e6)
        declare_number(self, 'jump_speed_mps', 2.0, 'Apparent speed above which the robot '
                       'jumped (new episode): the trajectory starts again, m/s', 1e-3, 1e6)
        self.declare_parameter('trajectory_max_points', 5000, ParameterDescriptor(
            description='Longest trajectory kept (oldest points dropped)', integer_range=[
                IntegerRange(from_value=2, to_value=1_000_000, step=1)], **ro))
        declare_number(self, 'robot_radius_m', 0.2, 'Radius of the robot marker, m', 0.0, 10.0)
        declare_number(self, 'lidar_height_m', 0.2, 'Height of the scan points, m', 0.0, 10.0)
        declare_number(self, 'update_rate_hz', 10.0,
                       'Most dynamic-marker updates per second of wall time: '
                       'rviz needs no more, and a lockstep run at 30x real time would otherwise '
                       'rebuild the markers for every pose and scan', 0.1, 1000.0)
        self.declare_parameter('publish_tf', False, ParameterDescriptor(
            description='Broadcast odom -> base_link from odom_topic (needs tf2_ros)', **ro))
        value = lambda name: self.get_parameter(name).value  # noqa: E731

        if not value('maze'):
            raise ValueError('parameter maze is empty: give the maze YAML file to draw, '
                             'e.g. --ros-args -p maze:=/path/to/maze.yaml')
        self.maze = Maze.from_yaml(value('maze'))
        origin = list(value('maze_origin_in_odom'))
        if len(origin) != 3 or not all(math.isfinite(v) for v in origin):
            raise ValueError(f'maze_origin_in_odom: expected [x_m, y_m, yaw_rad], got {origin}')
        self.maze_origin_in_odom = tuple(origin)
        self.n_cells = self.maze.n_rows * self.maze.n_cols
        self.frame_id = value('frame_id')
        self.max_rate_hz = float(value('max_rate_hz'))
        self.robot_radius_m = float(value('robot_radius_m'))
        self.lidar_height_m = float(value('lidar_height_m'))
        self.trajectory = core.Trajectory(jump_speed_mps=float(value('jump_speed_mps')),
                                          max_points=int(value('trajectory_max_points')))
        self._pose = None  # (stamp, x, y, yaw)
        self._scan = None
        self._activity = None  # markers of the last place-cell step
        self._pending_stamp = None  # stamp of the newest unpublished change

        # Two publishers on one topic, both transient local: a late rviz gets the
        # static maze and the latest dynamic state (a volatile subscriber matches too).
        self._static_pub = self.create_publisher(MarkerArray, 'maze/markers', qos.DESCRIPTION)
        self._dynamic_pub = self.create_publisher(MarkerArray, 'maze/markers', qos.DESCRIPTION)
        # Best effort subscriptions match every publisher (the world's lockstep topics are
        # reliable): a marker that is late is worth nothing.
        self._tf = None
        if value('pose_topic'):
            self.create_subscription(PoseStamped, value('pose_topic'), self._on_pose, qos.SENSOR)
        if value('odom_topic'):
            self.create_subscription(Odometry, value('odom_topic'), self._on_odom, qos.SENSOR)
            self._tf = self._tf_broadcaster() if value('publish_tf') else None
        elif value('publish_tf'):
            self.get_logger().error('publish_tf needs odom_topic: no tf is broadcast')
        if not value('pose_topic') and not value('odom_topic'):
            self.get_logger().warning('pose_topic and odom_topic are both empty: no robot')
        if value('scan_topic'):
            self.create_subscription(LaserScan, value('scan_topic'), self._on_scan, qos.SENSOR)
        if value('places_topic'):
            self.create_subscription(PopulationSpikes, value('places_topic'), self._on_places,
                                     qos.BRAIN_OUTPUT)
        self._static_pub.publish(MarkerArray(markers=[
            to_marker(spec, self.frame_id) for spec in core.maze_markers(self.maze)]))
        # inputs only update the state; a wall-clock timer publishes it when it changed
        self.create_timer(1.0 / float(value('update_rate_hz')), self._publish_pending)
        self.get_logger().info(
            f'maze {self.maze.name!r}: markers on {self._static_pub.topic_name} in frame '
            f'{self.frame_id!r}; robot from {value("pose_topic") or value("odom_topic") or "-"}, '
            f'place cells from {value("places_topic") or "-"}')

    def _tf_broadcaster(self):
        try:
            from tf2_ros import TransformBroadcaster
        except ImportError:
            self.get_logger().error('publish_tf: tf2_ros is not installed; no tf is broadcast '
                                    '(rviz still shows every marker, they need no tf)')
            return None
        return TransformBroadcaster(self)

    # ------------------------------------------------------------------ inputs

    def _on_pose(self, msg: PoseStamped):
        p = msg.pose
        self._take_pose(msg.header.stamp, p.position.x, p.position.y,
                        yaw_of_quaternion(p.orientation))

    def _on_odom(self, msg: Odometry):
        if self._tf is not None:
            from geometry_msgs.msg import TransformStamped
            transform = TransformStamped()
            transform.header = msg.header
            transform.child_frame_id = msg.child_frame_id
            p = msg.pose.pose
            transform.transform.translation.x = p.position.x
            transform.transform.translation.y = p.position.y
            transform.transform.translation.z = p.position.z
            transform.transform.rotation = p.orientation
            self._tf.sendTransform(transform)
        if not self.get_parameter('pose_topic').value:
            p = msg.pose.pose
            self._take_pose(msg.header.stamp, *odom_to_maze(
                p.position.x, p.position.y, yaw_of_quaternion(p.orientation),
                self.maze_origin_in_odom))

    def _take_pose(self, stamp, x, y, yaw):
        if not all(math.isfinite(v) for v in (x, y, yaw)):
            self.get_logger().warning(f'ignored a pose that is not finite: ({x}, {y}, {yaw})',
                                      throttle_duration_sec=WARN_THROTTLE_S)
            return
        if self.trajectory.add(stamp_s(stamp), x, y):
            self.get_logger().debug(f'robot jumped to ({x:.3f}, {y:.3f}): new trajectory')
        self._pose = (x, y, yaw)
        self._publish(stamp)

    def _on_scan(self, msg: LaserScan):
        self._scan = msg
        if self._pose is not None:
            self._publish(msg.header.stamp)

    def _on_places(self, msg: PopulationSpikes):
        try:
            rates = core.cell_rates_hz(self.n_cells, msg.counts, msg.step_ms)
        except ValueError as error:
            self.get_logger().warning(
                f'ignored {msg.population} spikes: {error}; the maze {self.maze.name!r} has '
                f'{self.n_cells} cells (is the brain built for this maze?)',
                throttle_duration_sec=WARN_THROTTLE_S)
            return
        self._activity = core.activity_markers(self.maze, rates, self.max_rate_hz)
        self._publish(msg.header.stamp)

    # ------------------------------------------------------------------ output

    def dynamic_markers(self) -> list:
        """Core marker specs of the current state."""
        specs = []
        if self._pose is not None:
            x, y, yaw = self._pose
            specs += core.robot_markers(x, y, yaw, self.robot_radius_m)
            specs.append(core.trajectory_marker(self.trajectory.points))
            if self._scan is not None:
                s = self._scan
                specs.append(core.scan_marker(x, y, yaw, s.angle_min, s.angle_increment,
                                              s.ranges, s.range_min, s.range_max,
                                              self.lidar_height_m))
        if self._activity is not None:
            specs += self._activity
        return specs

    def _publish(self, stamp):
        self._pending_stamp = stamp

    def _publish_pending(self):
        if self._pending_stamp is None:
            return
        stamp, self._pending_stamp = self._pending_stamp, None
        self._dynamic_pub.publish(MarkerArray(markers=[
            to_marker(spec, self.frame_id, stamp) for spec in self.dynamic_markers()]))


def main(args=None):
    """Run maze_markers until Ctrl-C."""
    return run_node('maze_markers', MarkersNode, args,
                    farewell=lambda node: f'{node.trajectory.jumps} trajectory restarts')


if __name__ == '__main__':
    sys.exit(main())
