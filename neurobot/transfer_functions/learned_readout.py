"""Example transfer function: drive the robot with a network trained offline on a recording.

The last step of the probe-then-train workflow (see
:mod:`neurobot.analysis.train_example`): a readout trained with
``neurobot recording-train data.npz -o model.npz`` predicts, from the spikes of the
last ``window_ms`` of the maze brain's ``places`` and ``actions`` populations, the
direction (N, E, S, W) the robot should move, and this function publishes it as a
``cmd_vel`` Twist of ``speed_mps`` in that direction (robot frame; the maze robot
holds its heading at 0, so robot and world frame agree).

Features are computed online exactly as the export computed them offline: one
:class:`tf_nodes.temporal.SpikeWindow` per population, fed every step's spike events,
read with ``binned()`` (the same window rule, to the nanosecond). A prediction is made
only when every window has reached the same step end and has been fed for a full
window since the first (or, after a gap in the steps, the latest) message, since the
export drops incomplete windows too; and, for a model trained with
``--only-active POP``, only when ``POP`` spiked in the window.

tf_node parameters: ``model`` (path of the .npz, required), ``speed_mps`` (default 0.3).
Next to the maze experiment, remap the output (``-r cmd_vel:=learned/cmd_vel``) to
compare its commands with the brain's instead of driving the robot.
"""

from geometry_msgs.msg import Twist
from neurobot_interfaces.msg import PopulationSpikes

from neurobot.analysis.train_example import DIRECTION_ANGLES_RAD, Readout, window_features
from neurobot.stamps import stamp_ns
from tf_nodes.api import Input, Output, transfer_function
from tf_nodes.decoders import direction_twist
from tf_nodes.temporal import SpikeWindow

POPULATIONS = ('places', 'actions')  # what this file subscribes to (the maze brain's)
DEFAULT_SPEED_MPS = 0.3


def setup(state, params, log):
    """Load the model and make one window per population it reads."""
    if not params.get('model'):
        raise ValueError('parameter model is required: the .npz written by '
                         'neurobot recording-train (-p model:=/path/model.npz)')
    readout = Readout.load(params['model'])
    needed = set(readout.populations) | ({readout.only_active} if readout.only_active else set())
    unknown = sorted(needed - set(POPULATIONS))
    if unknown:
        raise ValueError(f'the model reads populations {unknown}, but this transfer function '
                         f'subscribes to {POPULATIONS} only')
    state.update(readout=readout, windows={}, ready_ns={}, needed=sorted(needed), predictions=0)
    log.info(f'learned readout from {params["model"]}: {readout.populations}, '
             f'{readout.window_ms} ms in {readout.bin_ms} ms bins -> {readout.classes}')


def feed(state, name, msg):
    """Add one step's spikes to the population's window (restart it after a gap)."""
    readout = state['readout']
    end_ns = stamp_ns(msg.header.stamp)
    step_ns = int(round(msg.step_ms * 1e6))
    window = state['windows'].get(name)
    if window is None or window.now_ns != end_ns - step_ns:
        if window is not None and end_ns <= window.now_ns:
            return  # a repeated or older step: already counted
        window = SpikeWindow(len(msg.counts), readout.window_ms, bin_ms=readout.bin_ms,
                             start_ms=(end_ns - step_ns) / 1e6)
        state['windows'][name] = window
        state['ready_ns'][name] = end_ns - step_ns + int(round(readout.window_ms * 1e6))
    window.add_events(list(msg.spike_neurons), list(msg.spike_times_ms), msg.step_ms)


@transfer_function(
    inputs={'places': Input('brain/places/spikes', PopulationSpikes, keep='all'),
            'actions': Input('brain/actions/spikes', PopulationSpikes, keep='all')},
    outputs={'cmd': Output('cmd_vel', Twist)})
def learned_readout(places, actions, state, params, log):
    """Predict a direction from the current windows and publish it (module docstring)."""
    if 'readout' not in state:
        setup(state, params, log)
    for name, messages in (('places', places), ('actions', actions)):
        if name in state['needed']:
            for msg in sorted(messages, key=lambda m: stamp_ns(m.header.stamp)):
                feed(state, name, msg)
    windows = [state['windows'].get(name) for name in state['needed']]
    if any(w is None for w in windows) or len({w.now_ns for w in windows}) != 1:
        return None  # a population's step has not arrived yet
    now_ns = windows[0].now_ns
    if any(now_ns < state['ready_ns'][name] for name in state['needed']):
        return None  # less than a full window fed: the export would have dropped it
    readout = state['readout']
    if readout.only_active and not state['windows'][readout.only_active].counts().any():
        return None
    binned = {name: state['windows'][name].binned() for name in readout.populations}
    direction = int(readout.predict(window_features(binned, readout.populations)))
    state['predictions'] += 1
    state['last'] = (now_ns, readout.classes[direction])
    twist = direction_twist(direction, float(params.get('speed_mps', DEFAULT_SPEED_MPS)),
                            angles_rad=DIRECTION_ANGLES_RAD)
    msg = Twist()
    msg.linear.x, msg.linear.y, msg.angular.z = twist
    return {'cmd': msg}
