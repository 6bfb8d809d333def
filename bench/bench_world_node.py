"""Benchmark world_node over ROS 2: lockstep advances and episode resets as service calls.

Starts ``world_node`` (stepped mode) as its own process and, from this process, with
subscriptions on ``scan``, ``odom`` and ``/clock``:

* calls ``advance_world(200 ms)`` N times, sending a new random ``cmd_vel`` before
  each call so the robot drives into walls too, and reports the service round trip
  (target <= 5 ms: 200 ms of world time with its lidar scan and every topic published,
  i.e. >= 40x real time) and the world's own ``compute_ms``;
* calls ``reset_world`` followed by ``place_robot(random)`` and reports both round
  trips and their sum (target <= 1 ms);
* runs the world free-running at ``real_time_factor:=0`` (as fast as possible) for a
  few seconds and reports the simulated time per wall second seen on ``/clock``.

Real-time factors are printed beside Gazebo's default of 1x (its default physics runs
1 ms steps at a 1000 Hz update rate, i.e. paced to real time). Each configuration of
``sensor_period_ms`` is run with its own world_node: 0 publishes the sensors once at
the end of each advance (one scan per call, what lockstep needs), 20 (the node's
default) also every 20 ms on the way (10 scans per 200 ms call).

Usage::

    .venv/bin/python bench/bench_world_node.py [--reps 300] [--sensor-periods 0,20]
"""

import argparse
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import time

import numpy as np

from neurobot.dds import configure_local_dds

ADVANCE_MS = 200.0  # ms of world time per call (one brain decision)
TARGET_ADVANCE_MS = 5.0  # ms wall per call, round trip
TARGET_RESET_MS = 1.0  # ms wall for reset + new start pose
GAZEBO_DEFAULT_RTF = 1.0  # Gazebo's default physics is paced to real time
FREE_RUN_S = 3.0  # s of wall time for the free-running measurement
DOMAIN_RANGE = range(200, 231)  # private ROS domains of the benchmarks
READY_LINE = "world_node]: maze '"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--reps', type=int, default=300, help='measured calls')
    parser.add_argument('--warmup', type=int, default=20, help='unmeasured calls first')
    parser.add_argument('--beams', type=int, default=360, help='lidar beams')
    parser.add_argument('--sensor-periods', default='0,20',
                        help='comma-separated sensor_period_ms values, one world_node each')
    parser.add_argument('--maze', default=None, help='maze YAML (default: the node default)')
    parser.add_argument('--domain', type=int, default=None,
                        help=f'ROS_DOMAIN_ID ({DOMAIN_RANGE.start}-{DOMAIN_RANGE.stop - 1}; '
                             'default from the process id)')
    return parser.parse_args(argv)


class WorldNodeProcess:
    """world_node as a child process, its output in a log file."""

    def __init__(self, log_dir, *params):
        args = [arg for p in params for arg in ('-p', p)]
        self.log_path = Path(log_dir) / f'world_node_{os.getpid()}_{time.monotonic_ns()}.log'
        self._log = open(self.log_path, 'w')
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / 'world_node'), '--ros-args', *args],
            stdout=self._log, stderr=subprocess.STDOUT)
        end = time.monotonic() + 60
        while READY_LINE not in self.log_path.read_text():
            if self.process.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f'world_node did not start:\n{self.log_path.read_text()}')
            time.sleep(0.02)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log.close()


def stats(times_ms):
    times = np.asarray(times_ms)
    return float(np.median(times)), float(np.percentile(times, 90))


def bench_stepped(args, node, executor, sensor_period_ms):
    """Advance and reset round trips against one stepped world_node."""
    from geometry_msgs.msg import Twist
    from nav_msgs.msg import Odometry
    from rosgraph_msgs.msg import Clock
    from sensor_msgs.msg import LaserScan

    from neurobot import qos
    from neurobot_interfaces.srv import AdvanceWorld, PlaceRobot, ResetWorld

    counts = {'scan': 0, 'odom': 0, 'clock': 0}

    def counter(key):
        def count(_msg):
            counts[key] += 1
        return count

    subs = [node.create_subscription(LaserScan, 'scan', counter('scan'), qos.SENSOR),
            node.create_subscription(Odometry, 'odom', counter('odom'), qos.SENSOR),
            node.create_subscription(Clock, '/clock', counter('clock'), qos.CLOCK)]
    cmd_pub = node.create_publisher(Twist, 'cmd_vel', qos.RELIABLE)
    clients = {name: node.create_client(srv, name) for name, srv in (
        ('advance_world', AdvanceWorld), ('reset_world', ResetWorld),
        ('place_robot', PlaceRobot))}
    for name, client in clients.items():
        if not client.wait_for_service(timeout_sec=60):
            raise RuntimeError(f'{name} not available')

    def call(name, request):
        start = time.perf_counter()
        future = clients[name].call_async(request)
        executor.spin_until_future_complete(future, timeout_sec=30)
        elapsed_ms = (time.perf_counter() - start) * 1e3
        response = future.result()
        if response is None or not response.success:
            raise RuntimeError(f'{name} failed: {response}')
        return elapsed_ms, response

    n = args.warmup + args.reps
    commands = np.random.default_rng(0).uniform(-1.0, 1.0, size=(n, 3))
    advance = AdvanceWorld.Request(duration_ms=ADVANCE_MS)
    round_trips, computes = [], []
    for i in range(n):
        if i == args.warmup:
            counts.update(scan=0, odom=0, clock=0)
        msg = Twist()
        msg.linear.x, msg.linear.y, msg.angular.z = (float(v) for v in commands[i])
        cmd_pub.publish(msg)
        elapsed_ms, response = call('advance_world', advance)
        if i >= args.warmup:
            round_trips.append(elapsed_ms)
            computes.append(response.compute_ms)
    for _ in range(20):  # let the last messages arrive before counting
        executor.spin_once(timeout_sec=0.01)
    received = dict(counts)

    resets, places, both = [], [], []
    reset, place = ResetWorld.Request(), PlaceRobot.Request(random=True)
    for i in range(n):
        reset_ms, _ = call('reset_world', reset)
        place_ms, _ = call('place_robot', place)
        if i >= args.warmup:
            resets.append(reset_ms)
            places.append(place_ms)
            both.append(reset_ms + place_ms)

    for sub in subs:
        node.destroy_subscription(sub)
    for client in clients.values():
        node.destroy_client(client)
    node.destroy_publisher(cmd_pub)
    scans_per_call = 1 if sensor_period_ms == 0 else int(ADVANCE_MS // sensor_period_ms)
    return {
        'advance': stats(round_trips), 'compute': stats(computes),
        'reset': stats(resets), 'place': stats(places), 'reset_place': stats(both),
        'received': received, 'expected_scans': args.reps * scans_per_call,
        'scans_per_call': scans_per_call,
    }


def bench_free_running(node, executor):
    """Simulated seconds per wall second on /clock, world_node at real_time_factor 0."""
    from rosgraph_msgs.msg import Clock

    from neurobot import qos

    stamps = []
    sub = node.create_subscription(
        Clock, '/clock', lambda m: stamps.append((time.monotonic(),
                                                  m.clock.sec + m.clock.nanosec * 1e-9)),
        qos.CLOCK)
    end = time.monotonic() + 60
    while not stamps and time.monotonic() < end:
        executor.spin_once(timeout_sec=0.05)
    start = len(stamps)
    end = time.monotonic() + FREE_RUN_S
    while time.monotonic() < end:
        executor.spin_once(timeout_sec=0.05)
    node.destroy_subscription(sub)
    (w0, s0), (w1, s1) = stamps[start], stamps[-1]
    return (s1 - s0) / (w1 - w0)


def main(argv=None):
    """Run the benchmark and print the table; returns 1 if a target is missed."""
    args = parse_args(argv)
    configure_local_dds()
    domain = args.domain if args.domain is not None else (
        DOMAIN_RANGE.start + os.getpid() % len(DOMAIN_RANGE))
    if domain not in DOMAIN_RANGE:
        print(f'--domain: expected {DOMAIN_RANGE.start}-{DOMAIN_RANGE.stop - 1}, got {domain}',
              file=sys.stderr)
        return 2
    os.environ['ROS_DOMAIN_ID'] = str(domain)
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    periods = [float(p) for p in args.sensor_periods.split(',') if p.strip()]
    common = [f'scan_beams:={args.beams}'] + ([f'maze:={args.maze}'] if args.maze else [])
    log_dir = tempfile.mkdtemp(prefix='bench_world_node_')
    results = {}
    rclpy.init()
    try:
        for period in periods:
            # The world starts first: a client that joins first is often discovered only
            # at the next periodic DDS announcement (about 3 s later).
            world = WorldNodeProcess(log_dir, 'stepped:=true', f'sensor_period_ms:={period}',
                                     *common)
            node = rclpy.create_node('bench_world_node')
            executor = SingleThreadedExecutor()
            executor.add_node(node)
            try:
                results[period] = bench_stepped(args, node, executor, period)
            finally:
                executor.shutdown()
                node.destroy_node()
                world.stop()
        world = WorldNodeProcess(log_dir, 'real_time_factor:=0', *common)
        node = rclpy.create_node('bench_world_node')
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        try:
            free_rtf = bench_free_running(node, executor)
        finally:
            executor.shutdown()
            node.destroy_node()
            world.stop()
    finally:
        rclpy.try_shutdown()

    print(f'world_node, stepped, {args.beams} beams, {args.reps} calls (+{args.warmup} '
          f'warm-up), ROS_DOMAIN_ID {domain}, round trips measured in the calling process')
    print(f'{"operation":<44} {"median ms":>10} {"p90 ms":>10} {"target ms":>10} {"ok":>4}')
    missed = False

    def row(name, values, target=None):
        nonlocal missed
        ok = '' if target is None else ('yes' if values[0] <= target else 'NO')
        missed |= ok == 'NO'
        tgt = '' if target is None else f'{target:.1f}'
        print(f'{name:<44} {values[0]:>10.3f} {values[1]:>10.3f} {tgt:>10} {ok:>4}')

    for period, r in results.items():
        scans = f'{r["scans_per_call"]} scan' + ('s' if r['scans_per_call'] > 1 else '')
        label = f'sensor_period_ms {period:g}: {scans}/call'
        print(f'-- {label}; received {r["received"]["scan"]}/{r["expected_scans"]} scans, '
              f'{r["received"]["odom"]} odom, {r["received"]["clock"]} /clock')
        row('advance_world(200 ms), round trip', r['advance'], TARGET_ADVANCE_MS)
        row('  of which compute_ms (world_node)', r['compute'])
        row('reset_world, round trip', r['reset'])
        row('place_robot(random), round trip', r['place'])
        row('reset_world + place_robot, round trips', r['reset_place'], TARGET_RESET_MS)
    print()
    print(f'{"real-time factor (median)":<44} {"round trip":>12} {"compute":>10}')
    for period, r in results.items():
        print(f'{f"lockstep, sensor_period_ms {period:g}":<44} '
              f'{ADVANCE_MS / r["advance"][0]:>11.0f}x {ADVANCE_MS / r["compute"][0]:>9.0f}x')
    print(f'{"free-running, real_time_factor 0 (/clock)":<44} {free_rtf:>11.0f}x')
    print(f'{"Gazebo default (real_time_factor 1)":<44} {GAZEBO_DEFAULT_RTF:>11.0f}x')
    return 1 if missed else 0


if __name__ == '__main__':
    sys.exit(main())
