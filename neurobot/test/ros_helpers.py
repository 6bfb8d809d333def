"""Helpers for node and system tests: real processes, a private rclpy context, real DDS."""

import os
from pathlib import Path
import signal
import subprocess
import sys
import time

import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor

VENV_BIN = Path(sys.executable).parent


def clock(ns: int):
    """A rosgraph_msgs/Clock at ``ns`` nanoseconds (for driving /clock from a test)."""
    from rosgraph_msgs.msg import Clock
    msg = Clock()
    msg.clock.sec, msg.clock.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
    return msg


class NodeProcess:
    """A neurobot console script started as its own process, output captured to a file."""

    def __init__(self, executable, *ros_args, log_dir, name=None):
        self.name = name or executable
        self.log_path = Path(log_dir) / f'{self.name}.log'
        self._log = open(self.log_path, 'w')
        command = [str(VENV_BIN / executable), '--ros-args', *ros_args]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        env=dict(os.environ), start_new_session=True)

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout):
        return self.process.wait(timeout)

    def wait_for_text(self, *texts, timeout: float, step: float = 0.05) -> bool:
        """Poll the output until it holds every one of ``texts``.

        Returns:
            True once it does; False after ``timeout`` s or when the process has exited
            without writing them.
        """
        end = time.monotonic() + timeout
        while not all(text in self.output() for text in texts):
            if not self.alive() or time.monotonic() > end:
                return all(text in self.output() for text in texts)
            time.sleep(step)
        return True

    def stop(self, timeout=10.0) -> int:
        """Ctrl-C the process and return its exit code (kill it if it does not stop)."""
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()
        return self.process.returncode


class RosClient:
    """A test-side rclpy node in its own Context (and therefore its own ROS domain)."""

    def __init__(self, domain_id: int, name='test_client'):
        self.context = Context()
        rclpy.init(context=self.context, domain_id=domain_id)
        self.node = rclpy.create_node(name, context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def spin_for(self, seconds: float):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.executor.spin_once(timeout_sec=min(0.05, max(end - time.monotonic(), 0.0)))

    def spin_until(self, predicate, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            self.executor.spin_once(timeout_sec=0.05)
        return predicate()

    def call(self, srv_type, name: str, request, timeout: float = 30.0):
        """Call a service and return the response (raises TimeoutError)."""
        client = self.node.create_client(srv_type, name)
        try:
            if not client.wait_for_service(timeout_sec=timeout):
                raise TimeoutError(f'service {name} not available after {timeout} s')
            future = client.call_async(request)
            self.executor.spin_until_future_complete(future, timeout_sec=timeout)
            if not future.done():
                raise TimeoutError(f'service {name} did not answer within {timeout} s')
            return future.result()
        finally:
            self.node.destroy_client(client)

    def close(self):
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)


class LockstepObserver(RosClient):
    """A test client that takes part in lockstep rounds.

    Taking part, it sees every message of every round (the run waits for it like for any
    participant) or, in the simulation phase, stands in for a world publishing once per
    round.

    Args:
        domain_id: ROS domain.
        simulation, transfer: participant names (``name`` must be in the list of its phase).
        name: this observer's participant name.
        step_ms: round length, ms.
        phase: TRANSFER (default) or SIMULATION.
        on_round: optional callable(round) run in each of this participant's rounds.
    """

    def __init__(self, domain_id, simulation, transfer, name='observer', step_ms=20.0,
                 phase=None, on_round=None):
        from rclpy.parameter import Parameter

        from neurobot.lockstep import TRANSFER
        from neurobot.lockstep_participant import (LockstepParticipant,
                                                   declare_lockstep_parameters)
        self.context = Context()
        rclpy.init(context=self.context, domain_id=domain_id)
        self.node = rclpy.create_node(name, context=self.context, parameter_overrides=[
            Parameter('lockstep_name', value=name),
            Parameter('lockstep_simulation', value=list(simulation)),
            Parameter('lockstep_transfer', value=list(transfer))])
        declare_lockstep_parameters(self.node)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.rounds = 0
        self._on_round = on_round
        self.participant = LockstepParticipant(self.node, phase or TRANSFER, step_ms, self._round)

    def _round(self, round_):
        self.rounds = round_
        if self._on_round is not None:
            self._on_round(round_)

    def publisher(self, msg_type, topic):
        """A lockstep data publisher; publish with :meth:`publish` so messages are counted."""
        from neurobot import qos
        publisher = self.node.create_publisher(msg_type, topic, qos.LOCKSTEP_DATA)
        self.participant.track_output(publisher)
        return publisher

    def publish(self, publisher, msg):
        publisher.publish(msg)
        self.participant.sent(publisher.topic_name)

    def subscribe(self, msg_type, topic, store: list):
        """Subscribe with lockstep QoS; messages are counted for the barrier."""
        from neurobot import qos

        def callback(msg):
            store.append(msg)
            self.participant.received(subscription.topic_name)
        subscription = self.node.create_subscription(msg_type, topic, callback,
                                                     qos.LOCKSTEP_DATA)
        self.participant.track_input(subscription)
        return subscription

    def start(self):
        self.participant.start()


def run_trial(client, pub, spikes, start_ms):
    """Publish /clock for one 100 ms trial (5 steps of 20 ms) from ``start_ms``.

    Args:
        client: the RosClient that spins.
        pub: a /clock publisher.
        spikes: an object whose ``messages`` list collects PopulationSpikes.
        start_ms: /clock time the trial starts at, ms.

    Returns:
        The trial's sorted (time - start in ms, neuron) pairs.
    """
    ms = 1_000_000  # ns
    count = len(spikes.messages)
    for t in range(start_ms + 20, start_ms + 101, 20):
        pub.publish(clock(t * ms))
    assert client.spin_until(lambda: len(spikes.messages) == count + 5, 15)
    pairs = []
    for msg in spikes.messages[count:]:
        pairs += [(round(t - start_ms, 6), n) for t, n in zip(msg.spike_times_ms,
                                                                msg.spike_neurons)]
    return sorted(pairs)
