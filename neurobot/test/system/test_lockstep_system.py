"""System tests: brain_node and tf_node as processes in lockstep over real DDS."""

from pathlib import Path

import pytest

from neurobot_interfaces.msg import LockstepDone, PopulationSpikes
from ros_helpers import LockstepObserver, NodeProcess, RosClient

pytestmark = [pytest.mark.node, pytest.mark.slow]

TEST_DIR = Path(__file__).resolve().parents[1]
ROUNDS = 40


def lockstep_args(name, transfer=('tf', 'observer'), simulation=('brain',), timeout_s=5.0):
    return ['-p', 'lockstep:=true', '-p', f'lockstep_name:={name}',
            '-p', f'lockstep_simulation:=[{",".join(simulation)}]',
            '-p', f'lockstep_transfer:=[{",".join(transfer)}]',
            '-p', f'lockstep_timeout_s:={timeout_s}']


def run_closed_loop(domain, log_dir, step_ms, rounds=ROUNDS):
    """Start brain + feedback tf in lockstep; return the spike trains of `rounds` rounds."""
    client = LockstepObserver(domain, ['brain'], ['tf', 'observer'], step_ms=step_ms)
    spikes = {'neurons': [], 'drive': []}
    for pop in spikes:
        client.subscribe(PopulationSpikes, f'brain/{pop}/spikes', spikes[pop])
    client.start()
    brain = NodeProcess('brain_node', '-p',
                        f'brain:={TEST_DIR / "brains" / "deterministic_brain.py"}',
                        '-p', f'step_ms:={step_ms}', '-p', 'seed:=1',
                        *lockstep_args('brain'), log_dir=log_dir, name=f'brain_{step_ms}')
    tf = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TEST_DIR / "tfs" / "feedback.py"}]',
                     '-p', f'step_ms:={step_ms}', *lockstep_args('tf'), log_dir=log_dir,
                     name=f'tf_{step_ms}')
    try:
        assert client.spin_until(lambda: len(spikes['drive']) >= rounds, 60), (
            brain.output()[-2000:], tf.output()[-2000:])
    finally:
        assert tf.stop() == 0, tf.output()
        assert brain.stop() == 0, brain.output()
        client.close()
    trains = {}
    for pop, messages in spikes.items():
        trains[pop] = [(m.step, tuple(m.spike_neurons), tuple(m.spike_times_ms))
                       for m in messages[:rounds]]
        assert [m.step for m in messages[:rounds]] == list(range(rounds))
    return trains


def test_same_seed_gives_identical_spikes_and_both_step_sizes_work(ros_domain, tmp_path):
    first = run_closed_loop(ros_domain, tmp_path, 20.0)
    second = run_closed_loop(ros_domain, tmp_path, 20.0)
    assert first == second
    driven = sum(len(neurons) for _, neurons, _ in first['drive'])
    assert driven > 0, 'the feedback loop must drive the second population'
    long_steps = run_closed_loop(ros_domain, tmp_path, 200.0, rounds=5)
    end = long_steps['neurons'][-1]
    assert all(t <= 5 * 200.0 for t in end[2])


def test_killing_a_participant_stops_the_loop_with_a_clear_message(ros_domain, tmp_path):
    client = RosClient(ros_domain)
    done = []
    client.node.create_subscription(LockstepDone, '/lockstep/done', done.append, 100)
    brain = NodeProcess('brain_node', '-p',
                        f'brain:={TEST_DIR / "brains" / "deterministic_brain.py"}',
                        *lockstep_args('brain', transfer=('tf',), timeout_s=2.0),
                        log_dir=tmp_path)
    tf = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TEST_DIR / "tfs" / "feedback.py"}]',
                     *lockstep_args('tf', transfer=('tf',), timeout_s=2.0), log_dir=tmp_path)
    try:
        assert client.spin_until(lambda: any(d.round >= 10 for d in done), 60), tf.output()
        tf.process.kill()
        assert brain.wait(15) == 3
        output = brain.output()
        assert 'brain waited' in output and 'no answer from tf' in output
    finally:
        brain.stop()
        tf.stop()
        client.close()
