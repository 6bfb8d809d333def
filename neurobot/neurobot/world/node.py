"""world_node: the embedded MuJoCo maze world as a ROS 2 node.

A thin layer over :class:`neurobot.world.runner.WorldRunner` (clock, schedule,
trajectory) and :class:`neurobot.world.world.World` (physics, lidar, contacts); this
module only converts between them and ROS messages.

Two modes:
    free-running (stepped:=false): a timer advances the world at real_time_factor x
        wall time (0 = as fast as possible), publishing /clock every clock_period_ms
        and the sensors every sensor_period_ms of simulated time.
    stepped (stepped:=true, lockstep): the world advances only through advance_world;
        sensors every sensor_period_ms on the way and at the end of each call, /clock
        once at the end.

Parameters (declared with descriptors; all read-only except real_time_factor):
    maze (str): maze YAML file of the walls (required; an experiment's bring-up gives it).
    physics_dt_ms (float, 2.0): MuJoCo time step, ms (at most 2 ms).
    seed (int, 0): seed of random placements.
    scan_beams (int, 360): lidar beams over 360 degrees.
    stepped (bool, false): lockstep mode (see above).
    real_time_factor (float, 1.0): free-running pace; 0 = as fast as possible; may change
        while running; ignored in stepped mode.
    clock_period_ms (float, 10.0): simulated time between /clock messages (free-running).
    sensor_period_ms (float, 20.0): simulated time between sensor messages; 0 = with
        every /clock message.
    map_frame, odom_frame, base_frame, laser_frame (str): frame ids.

Topics (relative names, except /clock); every stamp is simulated time:
    /clock             out  rosgraph_msgs/Clock
    odom               out  nav_msgs/Odometry (odom -> base_link; exact, no drift)
    scan               out  sensor_msgs/LaserScan (laser_link, angle_min = -pi, inf = no return)
    ground_truth/pose  out  geometry_msgs/PoseStamped (map)
    contacts           out  neurobot_interfaces/Contacts
    cmd_vel            in   geometry_msgs/Twist (body frame: linear.x, linear.y, angular.z)

Services: reset_world, place_robot, advance_world (stepped mode only), render_world.
reset_world and place_robot publish nothing themselves: the next advance (or timer
tick) publishes the new state. The odom frame coincides with map (ground truth).

No request takes the node down: every service and topic callback runs through one
:class:`neurobot.callback_guard.CallbackGuard`. A request the world refuses, or one that
fails, is answered ``success=False`` with a message and logged once per kind of error;
a refused request moves nothing.
"""

import array
import logging
import math
import sys
import time

from geometry_msgs.msg import PoseStamped, Twist
from nav_msgs.msg import Odometry
from rcl_interfaces.msg import IntegerRange, ParameterDescriptor, SetParametersResult
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import LaserScan

from neurobot import qos
from neurobot.callback_guard import CallbackGuard
from neurobot.lockstep import SIMULATION
from neurobot.lockstep_participant import (LockstepParticipant, declare_lockstep_parameters,
                                           run_node)
from neurobot.parameters import declare_number
from neurobot.stamps import time_msg
from neurobot.world.maze import Maze
from neurobot.world.runner import (DEFAULT_CLOCK_PERIOD_MS, DEFAULT_SENSOR_PERIOD_MS,
                                   RealTimePacer, SensorFrame, WorldRunner,
                                   check_real_time_factor)
from neurobot.world.world import (DEFAULT_PHYSICS_DT_MS, DEFAULT_SCAN_BEAMS, MAX_PHYSICS_DT_MS,
                                  World)
from neurobot_interfaces.msg import Contacts
from neurobot_interfaces.srv import AdvanceWorld, PlaceRobot, RenderWorld, ResetWorld

FREE_RUN_TICK_S = 0.002  # s of wall time between pacing checks when real_time_factor > 0
MAX_REAL_TIME_FACTOR = 10_000.0
MAX_PERIOD_MS = 60_000.0  # ms, longest /clock or sensor period


class WorldNode(Node):
    """The embedded world as a ROS 2 node (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('world', **kwargs)  # the name under launch too (neurobot.bringup)
        ro = dict(read_only=True)
        self.declare_parameter('maze', '',
                               ParameterDescriptor(description='Maze YAML file', **ro))
        # Numbers accept ints too, so that "-p real_time_factor:=0" works as typed.
        declare_number(self, 'physics_dt_ms', DEFAULT_PHYSICS_DT_MS, 'MuJoCo time step, ms',
                             0.0, MAX_PHYSICS_DT_MS, read_only=True)
        self.declare_parameter('seed', 0, ParameterDescriptor(
            description='Seed of random placements', integer_range=[IntegerRange(
                from_value=0, to_value=2**31 - 1, step=1)], **ro))
        self.declare_parameter('scan_beams', DEFAULT_SCAN_BEAMS, ParameterDescriptor(
            description='Lidar beams over 360 degrees', integer_range=[IntegerRange(
                from_value=1, to_value=100_000, step=1)], **ro))
        self.declare_parameter('stepped', False, ParameterDescriptor(
            description='Lockstep: advance only through the advance_world service', **ro))
        declare_number(self, 'real_time_factor', 1.0,
                             'Free-running pace: simulated s per wall s; 0 = as fast as possible',
                             0.0, MAX_REAL_TIME_FACTOR, read_only=False)
        declare_number(self, 'clock_period_ms', DEFAULT_CLOCK_PERIOD_MS,
                             'Simulated ms between /clock messages when free-running; '
                             'a multiple of physics_dt_ms', 0.0, MAX_PERIOD_MS, read_only=True)
        declare_number(self, 'sensor_period_ms', DEFAULT_SENSOR_PERIOD_MS,
                             'Simulated ms between sensor messages (also sent at the end of '
                             'each advance_world); 0 = with every /clock message',
                             0.0, MAX_PERIOD_MS, read_only=True)
        declare_lockstep_parameters(self)
        declare_number(self, 'step_ms', 200.0, 'Lockstep round length, ms (lockstep only)',
                             0.0, 1000.0, read_only=True)
        for name, default in (('map_frame', 'map'), ('odom_frame', 'odom'),
                              ('base_frame', 'base_link'), ('laser_frame', 'laser_link')):
            self.declare_parameter(name, default, ParameterDescriptor(
                description=f'Frame id ({default})', **ro))
        param = lambda name: self.get_parameter(name).value  # noqa: E731
        number = self._number

        self.lockstep = bool(param('lockstep'))
        # In lockstep the world advances one round at a time, with fresh sensors at the
        # end of every round only.
        self.stepped = bool(param('stepped')) or self.lockstep
        if not param('maze'):
            raise ValueError('parameter maze is empty: give the maze YAML file of the '
                             'world\'s walls, e.g. --ros-args -p maze:=/path/to/maze.yaml')
        maze = Maze.from_yaml(param('maze'))
        world = World(maze, physics_dt_ms=number('physics_dt_ms'), seed=param('seed'),
                      scan_beams=param('scan_beams'))
        self.runner = WorldRunner(
            world, clock_period_ms=0.0 if self.stepped else number('clock_period_ms'),
            sensor_period_ms=0.0 if self.lockstep else number('sensor_period_ms'))
        if not self.stepped and self.runner.clock_period_steps == 0:
            raise ValueError('clock_period_ms: expected a positive multiple of physics_dt_ms '
                             'when free-running, got 0')

        # Messages are built once and refilled: publishing then costs no allocation
        # beyond the scan ranges.
        self._clock_msg = Clock()
        self._odom_msg = Odometry()
        self._odom_msg.header.frame_id = param('odom_frame')
        self._odom_msg.child_frame_id = param('base_frame')
        self._pose_msg = PoseStamped()
        self._pose_msg.header.frame_id = param('map_frame')
        self._contacts_msg = Contacts()
        self._contacts_msg.header.frame_id = param('base_frame')
        self._scan_msg = LaserScan()
        self._scan_msg.header.frame_id = param('laser_frame')
        n_beams = int(param('scan_beams'))
        self._scan_msg.angle_min = -math.pi
        self._scan_msg.angle_increment = 2.0 * math.pi / n_beams
        self._scan_msg.angle_max = -math.pi + (n_beams - 1) * 2.0 * math.pi / n_beams
        self._scan_msg.time_increment = 0.0  # all beams at one instant
        scan_period_steps = self.runner.sensor_period_steps or self.runner.clock_period_steps
        # s between scans; 0 (unknown) when stepped with scans only at the end of each call
        self._scan_msg.scan_time = scan_period_steps * world.physics_dt_ms / 1e3
        self._scan_msg.range_min = world.scan_range_min_m
        self._scan_msg.range_max = world.scan_range_max_m

        # Physics, services and commands never interleave, even with a multi-threaded executor.
        self._world_group = MutuallyExclusiveCallbackGroup()
        self._guard = CallbackGuard(self.get_logger())
        self._clock_pub = self.create_publisher(Clock, '/clock', qos.CLOCK)
        # Lockstep participants must receive every message (see neurobot.qos).
        sensor_qos = qos.LOCKSTEP_DATA if self.lockstep else qos.SENSOR
        self._odom_pub = self.create_publisher(Odometry, 'odom', sensor_qos)
        self._scan_pub = self.create_publisher(LaserScan, 'scan', sensor_qos)
        self._pose_pub = self.create_publisher(PoseStamped, 'ground_truth/pose', sensor_qos)
        # Contacts are events (a touch since the last message): not best effort.
        self._contacts_pub = self.create_publisher(
            Contacts, 'contacts', qos.LOCKSTEP_DATA if self.lockstep else qos.EVENTS)
        self._cmd_sub = self.create_subscription(
            Twist, 'cmd_vel', self._on_cmd_vel,
            qos.LOCKSTEP_DATA if self.lockstep else qos.RELIABLE,
            callback_group=self._world_group)
        for srv_type, name, handler, refused in (
                (ResetWorld, 'reset_world', self._on_reset, 'not reset'),
                (PlaceRobot, 'place_robot', self._on_place, 'robot not moved'),
                (AdvanceWorld, 'advance_world', self._on_advance, 'not advanced'),
                (RenderWorld, 'render_world', self._on_render, 'nothing written')):
            self.create_service(srv_type, name, self._guard.service(name, handler, refused),
                                callback_group=self._world_group)
        self.add_on_set_parameters_callback(self._on_set_parameters)

        self._pacer = None
        self._timer = None
        self._lockstep = None
        if self.lockstep:
            self._round_steps = self.runner.steps_for(number('step_ms'))
            self._lockstep = LockstepParticipant(self, SIMULATION, number('step_ms'),
                                                 self._run_round, self._world_group)
            self._lockstep.track_input(self._cmd_sub)
            for publisher in (self._clock_pub, self._odom_pub, self._scan_pub, self._pose_pub,
                              self._contacts_pub):
                self._lockstep.track_output(publisher)
            mode = f'in lockstep as {self._lockstep.name!r}, rounds of {number("step_ms"):g} ms'
        elif self.stepped:
            mode = 'stepped: advances only through advance_world'
        else:
            self._pacer = RealTimePacer(number('real_time_factor'), self.runner.clock_period_steps,
                                        self.runner.physics_dt_ns)
            self._start_timer()
            mode = f'free-running at {self._pacer.real_time_factor:g}x real time'
        self.get_logger().info(
            f'maze {maze.name!r} ({maze.n_rows}x{maze.n_cols} cells, {maze.source}), '
            f'physics {world.physics_dt_ms:g} ms, {n_beams} lidar beams, seed '
            f'{param("seed")}; {mode}')
        if self._lockstep is not None:
            self._lockstep.start()

    def _number(self, name) -> float:
        value = self.get_parameter(name).value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f'parameter {name}: expected a number, got {value!r}')
        return float(value)

    # ------------------------------------------------------------------ publishing

    def _publish_clock(self):
        self._clock_msg.clock = time_msg(self.runner.clock_ns)
        self._publish(self._clock_pub, self._clock_msg)

    def _publish_sensors(self):
        frame: SensorFrame = self.runner.sensors()
        stamp = time_msg(frame.clock_ns)
        pose, twist = frame.odometry.pose, frame.odometry.twist
        qz, qw = math.sin(pose.yaw_rad / 2.0), math.cos(pose.yaw_rad / 2.0)

        odom = self._odom_msg
        odom.header.stamp = stamp
        p = odom.pose.pose
        p.position.x, p.position.y = pose.x_m, pose.y_m
        p.orientation.z, p.orientation.w = qz, qw
        odom.twist.twist.linear.x, odom.twist.twist.linear.y = twist.vx_mps, twist.vy_mps
        odom.twist.twist.angular.z = twist.wz_rad_s
        self._publish(self._odom_pub, odom)

        truth = self._pose_msg
        truth.header.stamp = stamp
        truth.pose.position.x, truth.pose.position.y = pose.x_m, pose.y_m
        truth.pose.orientation.z, truth.pose.orientation.w = qz, qw
        self._publish(self._pose_pub, truth)

        scan = self._scan_msg
        scan.header.stamp = stamp
        # One bulk copy: the setter takes an array.array('f') as is, without per-beam checks.
        scan.ranges = array.array('f', frame.ranges_m.astype('float32').tobytes())
        self._publish(self._scan_pub, scan)

        report, contacts = frame.contacts, self._contacts_msg
        contacts.header.stamp = stamp
        contacts.in_contact = report.in_contact
        contacts.touched = report.touched
        contacts.steps_in_contact = report.steps_in_contact
        contacts.min_gap_m = report.min_gap_m
        self._publish(self._contacts_pub, contacts)

    def _publish(self, publisher, msg):
        publisher.publish(msg)
        if self._lockstep is not None:
            self._lockstep.sent(publisher.topic_name)

    def _run_round(self, round_: int):
        self.runner.advance(self._round_steps, self._on_stop)

    def _on_stop(self, clock_due: bool, sensors_due: bool):
        if sensors_due:
            self._publish_sensors()
        if clock_due:
            self._publish_clock()

    # ------------------------------------------------------------------ free-running

    def _start_timer(self):
        if self._timer is not None:
            self.destroy_timer(self._timer)
        period_s = FREE_RUN_TICK_S if self._pacer.real_time_factor > 0 else 0.0
        self._pacer.anchor(time.monotonic_ns(), self.runner.clock_ns // self.runner.physics_dt_ns)
        self._timer = self.create_timer(period_s, self._on_tick, callback_group=self._world_group)

    def _on_tick(self):
        with self._guard.topic('free-running timer', 'tick skipped'):
            self._tick()

    def _tick(self):
        steps = self.runner.clock_ns // self.runner.physics_dt_ns
        lagged = self._pacer.lagged_periods
        due = self._pacer.due_steps(time.monotonic_ns(), steps)
        if due:
            self.runner.advance(due, self._on_stop, end_is_stop=False)
        if self._pacer.lagged_periods > lagged:
            self.get_logger().warning(
                f'world cannot keep {self._pacer.real_time_factor:g}x real time: '
                f'{self._pacer.lagged_periods} clock periods dropped so far',
                throttle_duration_sec=5.0)

    # ------------------------------------------------------------------ commands

    def _on_cmd_vel(self, msg: Twist):
        with self._guard.topic(self._cmd_sub.topic_name, 'command ignored'):
            self._command(msg)
        if self._lockstep is not None:  # counted even when refused: it was delivered
            self._lockstep.received(self._cmd_sub.topic_name)

    def _command(self, msg: Twist):
        # The core keeps the previous command (rejected) or clamps this one, and says so.
        reason = self.runner.world.set_cmd_vel(msg.linear.x, msg.linear.y, msg.angular.z)
        if reason is not None:
            # Once per kind, so a flood of clamped commands cannot hide a rejected one.
            kind = 'rejected' if reason.startswith('rejected') else 'clamped'
            self._guard.warn(self._cmd_sub.topic_name, kind, f'cmd_vel {reason}')

    # ------------------------------------------------------------------ services

    # Handlers may raise: the guard (see __init__) answers success=False for them.

    def _on_reset(self, request, response):
        self.runner.reset(reset_clock=request.reset_clock)
        if request.reset_clock and self._pacer is not None:
            self._pacer.anchor(time.monotonic_ns(), 0)
        cell = self.runner.world.maze.start_cells[0]
        response.success = True
        response.message = (f'world reset: robot at start cell {cell}, clock '
                            f'{self.runner.clock_ns / 1e9:.3f} s')
        return response

    def _on_place(self, request, response):
        if request.random:
            placed = self.runner.place_random(request.yaw_rad)
        else:
            placed = self.runner.place((request.row, request.col), request.yaw_rad)
        response.success = True
        response.row, response.col = placed.cell
        response.x_m, response.y_m = placed.x_m, placed.y_m
        response.message = (f'robot at cell {placed.cell} ({placed.x_m:.3f}, {placed.y_m:.3f}) m, '
                            f'yaw {request.yaw_rad:.3f} rad')
        return response

    def _on_advance(self, request, response):
        start = time.perf_counter()
        if not self.stepped:
            response.success = False
            response.message = ('advance_world works only in stepped mode; this world is '
                                'free-running (start world_node with -p stepped:=true)')
            return response
        n_steps = self.runner.steps_for(request.duration_ms)
        self.runner.advance(n_steps, self._on_stop)
        response.success = True
        response.clock = time_msg(self.runner.clock_ns)
        response.compute_ms = (time.perf_counter() - start) * 1e3
        response.message = f'advanced {request.duration_ms:g} ms'
        return response

    def _on_render(self, request, response):
        try:
            path = self.runner.render(request.path)
        except OSError as error:  # the file system's answer, not a fault of the node
            raise ValueError(f'cannot write {request.path!r}: {error.strerror or error}') from None
        response.success = True
        response.message = f'wrote {path}'
        return response

    # ------------------------------------------------------------------ parameters

    def _on_set_parameters(self, parameters):
        for parameter in parameters:
            if parameter.name == 'real_time_factor':
                try:
                    factor = check_real_time_factor(parameter.value)  # ints are fine too
                except ValueError as error:
                    return SetParametersResult(successful=False, reason=str(error))
                if self._pacer is not None:
                    self._pacer.real_time_factor = factor
                    self._start_timer()
                    self.get_logger().info(f'real_time_factor is now {factor:g}')
        return SetParametersResult(successful=True)


def main(args=None):
    """Run world_node until Ctrl-C, shutdown or a lockstep failure."""
    # The node reports the core's warnings itself (throttled); keep Python's last-resort
    # handler from printing each of them a second time.
    logging.getLogger('neurobot.world').addHandler(logging.NullHandler())
    return run_node('world_node', WorldNode, args,
                    farewell=lambda node: f'stopped at t = {node.runner.clock_ns / 1e9:.3f} s')


if __name__ == '__main__':
    sys.exit(main())
