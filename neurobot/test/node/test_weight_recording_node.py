"""Node tests of weight recording: brain_node as its own process, driven over /clock.

The file read back after Ctrl-C must equal what get_weights answered at the record
times; a file that cannot be written must neither crash nor silently stall the run.
"""

import numpy as np
import pytest
from rosgraph_msgs.msg import Clock

from brain_node.weight_recorder import read_weight_file
from neurobot_interfaces.msg import BrainStep
from neurobot_interfaces.srv import DescribeBrain, GetWeights, SetWeights
from ros_helpers import NodeProcess, RosClient, clock

pytestmark = pytest.mark.node

MS = 1_000_000  # ns


class Driver:
    """brain_node on /clock (20 ms steps) with a client that steps it and calls services."""

    def __init__(self, ros_domain, log_dir, brain, *params):
        self.process = NodeProcess(
            'brain_node', '-p', f'brain:={brain}', '-p', 'use_sim_time:=true',
            '-p', 'step_ms:=20.0', *[arg for p in params for arg in ('-p', p)],
            log_dir=log_dir)
        self.client = RosClient(ros_domain)
        self.steps = []
        self.client.node.create_subscription(BrainStep, 'brain/step', self.steps.append, 100)
        self.clock = self.client.node.create_publisher(Clock, '/clock', 100)

    def wait_started(self):
        self.client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        self.client.spin_for(0.5)
        self.clock.publish(clock(0))

    def step_to(self, t_ms):
        """Publish /clock = t_ms and wait until the brain has stepped up to it."""
        self.clock.publish(clock(t_ms * MS))
        count = t_ms // 20
        assert self.client.spin_until(lambda: len(self.steps) >= count, 20), self.process.output()

    def get(self, projection):
        response = self.client.call(GetWeights, 'get_weights',
                                    GetWeights.Request(projection=projection))
        assert response.success, response.message
        return np.asarray(response.weights).reshape(response.rows, response.cols)

    def set(self, projection, weights):
        request = SetWeights.Request(projection=projection, rows=weights.shape[0],
                                     cols=weights.shape[1], weights=weights.ravel().tolist())
        response = self.client.call(SetWeights, 'set_weights', request)
        assert response.success, response.message

    def stop(self):
        self.client.close()
        return self.process.stop()


def test_recorded_static_weights_equal_get_weights_and_survive_ctrl_c(ros_domain, brains_dir,
                                                                      tmp_path):
    path = tmp_path / 'run' / 'weights.nbw'
    node = Driver(ros_domain, tmp_path, brains_dir / 'deterministic_brain.py',
                  'record_weights:=[recurrent]', 'record_weights_every_ms:=40.0',
                  f'record_weights_path:={path}')
    try:
        node.wait_started()
        node.step_to(40)
        initial = node.get('recurrent')
        node.set('recurrent', initial * 2)
        doubled = node.get('recurrent')
        node.step_to(80)
        node.set('recurrent', initial * 3)
        node.step_to(100)  # not a multiple of 40 ms: no record
        tripled = node.get('recurrent')
        node.step_to(120)
    finally:
        code = node.stop()
    assert code == 0, node.process.output()
    assert f'4 weight records in {path}' in node.process.output()
    times, weights = read_weight_file(path)['recurrent']
    np.testing.assert_array_equal(times, [0, 40, 80, 120])
    np.testing.assert_array_equal(weights, np.stack([initial, initial, doubled, tripled]))


def test_recorded_plastic_weights_equal_get_weights(ros_domain, brains_dir, tmp_path):
    path = tmp_path / 'weights.nbw'
    node = Driver(ros_domain, tmp_path, brains_dir / 'plastic_brain.py',
                  'record_weights:=[learning]', 'record_weights_every_ms:=20.0',
                  f'record_weights_path:={path}')
    answers = []
    try:
        node.wait_started()
        for t_ms in range(20, 201, 20):
            node.step_to(t_ms)
            answers.append(node.get('learning'))
    finally:
        assert node.stop() == 0, node.process.output()
    times, weights = read_weight_file(path)['learning']
    np.testing.assert_array_equal(times, np.arange(0, 201, 20))
    np.testing.assert_array_equal(weights[1:], np.stack(answers))
    assert not np.array_equal(weights[0], weights[-1])  # STDP changed them


@pytest.mark.parametrize('where, cause', [('unwritable', 'Not a directory'),
                                          ('/dev/full', 'No space left on device')])
def test_a_file_that_cannot_be_written_leaves_the_run_going(ros_domain, brains_dir, tmp_path,
                                                            where, cause):
    if where == 'unwritable':
        (tmp_path / 'a_file').write_text('')
        path = tmp_path / 'a_file' / 'weights.nbw'
    else:
        path = where
    node = Driver(ros_domain, tmp_path, brains_dir / 'deterministic_brain.py',
                  'record_weights:=[recurrent]', 'record_weights_every_ms:=20.0',
                  f'record_weights_path:={path}')
    try:
        node.wait_started()
        node.step_to(100)
        assert node.process.alive()
    finally:
        code = node.stop()
    output = node.process.output()
    assert code == 0, output
    errors = [line for line in output.splitlines() if '[ERROR]' in line]
    assert len(errors) == 1 and str(path) in errors[0] and cause in errors[0], output
    assert 'continues' in errors[0]


def test_record_weights_on_error_stop_ends_the_node_cleanly(ros_domain, brains_dir, tmp_path):
    node = Driver(ros_domain, tmp_path, brains_dir / 'deterministic_brain.py',
                  'record_weights:=[recurrent]', 'record_weights_every_ms:=20.0',
                  'record_weights_path:=/dev/full', 'record_weights_on_error:=stop')
    try:
        node.wait_started()
        for t_ms in range(20, 201, 20):  # the error surfaces at a step after the write
            node.clock.publish(clock(t_ms * MS))
            node.client.spin_for(0.2)
            if not node.process.alive():
                break
        assert node.process.wait(20) == 4
    finally:
        node.stop()
    output = node.process.output()
    assert 'weight recording to /dev/full failed: No space left on device' in output
    assert 'stopping the node (record_weights_on_error=stop)' in output


def test_unknown_projection_fails_at_start_listing_the_known_ones(ros_domain, brains_dir,
                                                                 tmp_path):
    process = NodeProcess('brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
                          '-p', 'record_weights:=[recurent]', log_dir=tmp_path)
    assert process.wait(60) != 0
    assert ("unknown projection(s) recurent; the brain has: stimulus_to_neurons, recurrent, "
            "inhibition") in process.output()


def test_lockstep_and_wall_clock_runs_record_on_the_grid(ros_domain, brains_dir, tmp_path):
    import re

    from ros_helpers import LockstepObserver
    brain_arg = f'brain:={brains_dir / "deterministic_brain.py"}'
    recording = ['-p', 'record_weights:=[recurrent]', '-p', 'record_weights_every_ms:=40.0',
                 '-p', 'step_ms:=20.0']
    observer = LockstepObserver(ros_domain, ['brain'], ['observer'], step_ms=20.0)
    observer.start()
    lockstep = NodeProcess(
        'brain_node', '-p', brain_arg, *recording, '-p', f'record_weights_path:={tmp_path}/l.nbw',
        '-p', 'lockstep:=true', '-p', 'lockstep_name:=brain', '-p',
        'lockstep_simulation:=[brain]', '-p', 'lockstep_transfer:=[observer]',
        log_dir=tmp_path, name='lockstep')
    try:
        assert observer.spin_until(lambda: observer.rounds >= 10, 60), lockstep.output()
    finally:
        assert lockstep.stop() == 0, lockstep.output()
        observer.close()
    steps = int(re.search(r'stopped after (\d+) steps', lockstep.output()).group(1))
    times, _ = read_weight_file(tmp_path / 'l.nbw')['recurrent']
    np.testing.assert_array_equal(times, np.arange(0, steps * 20 + 1, 40))

    wall = NodeProcess('brain_node', '-p', brain_arg, *recording, '-p', 'use_sim_time:=false',
                       '-p', f'record_weights_path:={tmp_path}/w.nbw', log_dir=tmp_path,
                       name='wall')
    client = RosClient(ros_domain)
    try:
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        client.spin_for(0.5)
    finally:
        client.close()
        assert wall.stop() == 0, wall.output()
    steps = int(re.search(r'stopped after (\d+) steps', wall.output()).group(1))
    times, _ = read_weight_file(tmp_path / 'w.nbw')['recurrent']
    assert len(times) == 1 + steps // 2 and steps >= 4  # the initial record, then every 2nd step
    assert (np.diff(times) > 0).all() and times[0] > 1e12  # ROS time of the wall clock, ms
