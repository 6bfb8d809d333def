"""Brain outputs people watch do not replay history to late subscribers in a lockstep run.

``ros2 topic echo`` and rqt_plot subscribe late and, with ros2cli's QoS adaptation, take
the publisher's durability: a deep transient-local history made them replay up to 1000
stale samples ("A message was lost!!!"). In lockstep the brain's outputs keep only the
current round's message (neurobot.qos.LOCKSTEP_LATEST), which is all lockstep needs.
"""

from pathlib import Path

import pytest
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import Float64

from neurobot_interfaces.msg import BrainStep, PopulationSpikes
from ros_helpers import LockstepObserver, NodeProcess, RosClient

pytestmark = [pytest.mark.node]

TEST_DIR = Path(__file__).resolve().parents[1]
ROUNDS = 30  # rounds run before the late subscriber joins

# The most demanding late joiner: ros2cli echoes a transient-local topic transient local.
LATE_JOINER = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1000,
                         reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)


def test_a_late_subscriber_gets_the_current_round_only(ros_domain, tmp_path):
    participant = LockstepObserver(ros_domain, ['brain'], ['observer'], step_ms=20.0)
    seen = []
    participant.subscribe(PopulationSpikes, 'brain/neurons/spikes', seen)
    participant.start()
    brain = NodeProcess('brain_node', '-p',
                        f'brain:={TEST_DIR / "brains" / "deterministic_brain.py"}',
                        '-p', 'step_ms:=20.0', '-p', 'lockstep:=true',
                        '-p', 'lockstep_name:=brain', '-p', 'lockstep_simulation:=[brain]',
                        '-p', 'lockstep_transfer:=[observer]', '-p', 'lockstep_timeout_s:=60.0',
                        log_dir=tmp_path)
    late = RosClient(ros_domain, name='late_joiner')
    try:
        assert participant.spin_until(lambda: len(seen) >= ROUNDS, 60), brain.output()[-2000:]
        # The loop now waits for this participant (it is not spun any more): nothing new
        # is published while the late subscriber joins, so anything it gets is history.
        participant.spin_for(0.3)
        latest_step = seen[-1].step
        late_spikes, late_rates, late_steps = [], [], []
        late.node.create_subscription(PopulationSpikes, 'brain/neurons/spikes',
                                      late_spikes.append, LATE_JOINER)
        late.node.create_subscription(Float64, 'brain/neurons/rate_hz', late_rates.append,
                                      LATE_JOINER)
        late.node.create_subscription(BrainStep, 'brain/step', late_steps.append, LATE_JOINER)
        assert late.spin_until(lambda: late_spikes and late_rates and late_steps, 15), \
            'a late subscriber gets the current message of each brain output'
        late.spin_for(1.0)
        # (the brain may be one round ahead of this paused participant)
        assert len(late_spikes) == 1 and late_spikes[0].step in (latest_step, latest_step + 1), \
            f'history replayed to a late subscriber: steps {[m.step for m in late_spikes]}, ' \
            f'latest {latest_step}'
        assert len(late_rates) == 1 and len(late_steps) == 1, (len(late_rates), len(late_steps))
        # ... and the loop goes on: the late subscriber then receives each new round.
        assert participant.spin_until(lambda: len(seen) >= ROUNDS + 10, 30)
        late.spin_until(lambda: len(late_spikes) >= 5, 10)
        first = late_spikes[0].step
        assert [m.step for m in late_spikes] == list(range(first, first + len(late_spikes)))
    finally:
        assert brain.stop() == 0, brain.output()[-2000:]
        late.close()
        participant.close()
