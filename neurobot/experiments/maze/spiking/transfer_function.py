"""Transfer function of the spiking maze learner: the brain learns, this file only translates.

Runs in tf_node, in lockstep with world_node and brain_node on the spiking brain
(:mod:`experiments.maze.spiking.brain`). The episode logic is not written here: it is
:class:`experiments.maze.spiking.learner.SpikingMazeLearner`, the same code the offline
benchmark runs, executed in a worker thread against :class:`RosBrain`, a stand-in for
brain_node's in-process ``Brain`` whose calls become this function's inputs and outputs:

- ``set_input(population, values)`` -> the next round's ``Rates`` (place cells, action
  noise, aversive sources) and ``Currents`` (relay gate, reward current into the
  dopaminergic neurons, the greedy evaluation's drive into the actor);
- ``step()`` -> blocks until the round's spikes of ``actions`` and ``dopa`` arrive
  (``PHASE_MS / step_ms`` rounds per phase, inputs held);
- ``reset(scope)`` -> the ``reset_brain`` service ('neurons' between moves, 'synapses'
  at an episode's end);
- ``set_synapse_properties(projection, properties)`` -> the ``set_synapse_properties``
  service (the critic's rule on in decide, off in evaluate and hold: ``critic_decide_only``),
  applied before the next round.

The worker and the transfer function alternate strictly (one runs while the other
waits), so the brain sees the same sequence of inputs, resets and steps as offline. The
robot follows the learner's cell: in simulation it is placed there (``place_robot``)
whenever the cell shown to the brain changes; moves are instantaneous, so the brain's
time course is the offline learner's. A replay after a goal (the learner's ``replay``)
shows cells to the brain only; the robot stays where the episode ended. No weight is
computed or written in Python during training: the decision is winner-take-all over
spike counts, the reward is a current, and NEST's ``stdp_dopamine_synapse`` changes the
weights.

What this file does beyond the learner: episodes.csv / trajectories (RunDirectory) after
every episode; a checkpoint after every episode (the weights of the three plastic
projections read with ``get_weights``, the learner's random generator); with ``resume`` or in
``mode`` evaluate the checkpoint's weights are written back once at start with
``set_weights`` -- restoring a state, not learning. Greedy evaluation (``mode``
evaluate) needs weights that cannot change: the bring-up starts brain_node with
``synapse_properties`` setting the rules' amplitudes to 0 (experiments.maze.experiment
``FROZEN_RULES``); the learner's own switch (``nest.SetDefaults`` in process) is not
available over ROS, so :class:`RosLearner` refuses a switch the run was not started with.

Parameters (tf_node): ``maze``, ``run_dir``, ``mode``, ``episodes``, ``max_moves``,
``seed``, ``step_ms``, ``resume``, ``learner`` (must be 'spiking'), ``brain`` (the brain
file, for its constants).
"""

import ast
import queue
import threading
import time
from types import SimpleNamespace

import numpy as np

from experiments.maze.results import RunDirectory
from experiments.maze.spiking.learner import SpikingMazeLearner
from experiments.maze.spiking.projections import ACTOR, CRITIC, NOGO, PLASTIC
from neurobot.world.maze import Maze
from tf_nodes.api import Currents, Rates, Spikes, transfer_function

REPLY_TIMEOUT_S = 600.0  # s, longest the two threads wait for each other (a hung worker)
REWARD = {'goal': 1.0, 'wall': -1.0, 'timeout': 0.0}  # episodes.csv total_reward column
STIMULI = {'places': 'rate', 'critic_places': 'rate', 'action_noise': 'rate',
           'aversive': 'rate', 'relay': 'current', 'dopa': 'current',
           'actions': 'current'}  # what the learner sets, by population
DECODED = ('actions', 'dopa')  # populations whose spikes the learner reads


def brain_constants(path: str) -> dict:
    """The brain file's top-level constants that need no import (sizes, rules, PHASE_MS).

    Only assignments of literals and of expressions over earlier constants are
    evaluated; anything else (PyNN calls, brain arguments) is skipped, so NEST is not
    imported here.
    """
    tree = ast.parse(open(path).read(), path)
    constants = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 \
                or not isinstance(node.targets[0], ast.Name):
            continue
        try:
            names = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            if names - set(constants) or any(isinstance(n, ast.Call)
                                              for n in ast.walk(node.value)):
                continue
            constants[node.targets[0].id] = eval(compile(ast.Expression(node.value), path,
                                                         'eval'), {'__builtins__': {}},
                                                 dict(constants))
        except Exception:  # noqa: BLE001 -- not a constant: not needed here
            continue
    return constants


class _Stop(Exception):
    """The run ends: the worker leaves its episode loop."""


class Channel:
    """Strict alternation between the learner's worker thread and the transfer function."""

    def __init__(self):
        self.to_worker = queue.Queue()
        self.to_function = queue.Queue()

    def request(self, kind, *payload):
        """Worker side: hand a request to the transfer function and wait for its answer."""
        self.to_function.put((kind, payload))
        answer = self.to_worker.get(timeout=REPLY_TIMEOUT_S)
        if answer is _Stop:
            raise _Stop()
        return answer


class RosBrain:
    """A ``brain_node.brain.Brain`` stand-in whose calls cross over to brain_node.

    Provides what SpikingMazeLearner uses: ``namespace`` (the brain file's constants),
    ``population_size``, ``step_ms``, ``set_input``, ``step``, ``reset``, ``get_weights``.
    """

    def __init__(self, constants: dict, sizes: dict, channel: Channel):
        self.namespace = constants
        self.step_ms = float(constants['PHASE_MS'])
        self._sizes = sizes
        self._channel = channel
        self._inputs = {}

    def population_size(self, name: str) -> int:
        return int(self._sizes[name])

    def set_input(self, name: str, values):
        if name not in STIMULI:
            raise ValueError(f'the spiking maze transfer function sets no input of {name!r}; '
                             f'expected one of {sorted(STIMULI)}')
        self._inputs[name] = values

    def step(self):
        """One phase: this step's inputs out, the phase's spikes back (as Brain.step)."""
        spikes = self._channel.request('step', dict(self._inputs))
        return SimpleNamespace(spikes={name: SimpleNamespace(neurons=neurons)
                                       for name, neurons in spikes.items()})

    def reset(self, restore_weights: bool = False, scope: str = '') -> str:
        return self._channel.request('reset', scope)

    def get_weights(self, name: str):
        matrix = self._channel.request('weights', name)
        return matrix.shape[0], matrix.shape[1], matrix.ravel()

    def set_synapse_properties(self, name: str, properties: dict) -> str:
        return self._channel.request('properties', name, dict(properties))


class RosLearner(SpikingMazeLearner):
    """The offline learner on a RosBrain, reporting each episode and each shown cell.

    Args:
        frozen: the run's brain was started with the rules' amplitudes at 0 (evaluate).
    """

    def __init__(self, maze, seed, max_moves, brain, channel, frozen: bool):
        super().__init__(maze, seed=seed, max_moves=max_moves, brain=brain)
        self.channel = channel
        self.learning = not frozen  # fixed for the run by brain_node's synapse_properties

    def _set_learning(self, on: bool):
        if on != self.learning:
            raise RuntimeError('over ROS the learning rule is fixed for the run (brain_node '
                               'synapse_properties at start): train and evaluate are separate '
                               'runs (mode:=train, mode:=evaluate)')

    def place_rates(self, cell):
        # the robot follows the cell shown to the brain, but not through a replay: that
        # is the brain's own rehearsal while the robot stays at the goal
        if cell is not None and not self.replaying:
            self.channel.request('cell', tuple(cell))
        return super().place_rates(cell)

    def run_episode(self, start, train, episode=0):
        record = super().run_episode(start, train, episode)
        self.channel.request('episode', record)
        return record


def start(state, brain, world, params, log):
    """Restore a checkpoint if asked, then start the learner's worker thread."""
    maze = Maze.from_yaml(params['maze'])
    if params.get('learner', 'spiking') != 'spiking':
        raise ValueError(f"this is the spiking learner's transfer function; learner is "
                         f"{params.get('learner')!r} (give its transfer_functions, brain and "
                         f"step_ms too, or leave them to neurobot maze / neurobot launch)")
    if params.get('placement', 'teleport') != 'teleport':
        raise ValueError('the spiking learner places the robot on the cell it chose '
                         '(place_robot, simulation only); on a real robot use learner:=rstdp')
    constants = brain_constants(params['brain'])
    phase_ms, step_ms = float(constants['PHASE_MS']), float(params['step_ms'])
    rounds = phase_ms / step_ms
    if abs(rounds - round(rounds)) > 1e-9 or rounds < 1:
        raise ValueError(f'step_ms={step_ms:g} must divide the brain\'s phase of {phase_ms:g} ms '
                         f'(e.g. step_ms:={phase_ms:g})')
    run = RunDirectory(params['run_dir'])
    evaluate = params.get('mode', 'train') == 'evaluate'
    checkpoint = run.load_checkpoint() if (evaluate or params.get('resume', False)) else None
    if evaluate and checkpoint is None:
        raise RuntimeError(f'mode evaluate needs {run.checkpoint} (run training first)')
    channel = Channel()
    n_cells = maze.n_rows * maze.n_cols
    sizes = {'places': n_cells * constants['CELLS_PER_FIELD'], 'dopa': constants['N_DOPA'],
             'actions': constants['N_DIRECTIONS'] * constants['ACTION_GROUP_SIZE']}
    learner = RosLearner(maze, int(params.get('seed', 1)), int(params.get('max_moves', 0)),
                         RosBrain(constants, sizes, channel), channel, frozen=evaluate)
    episodes = int(params.get('episodes', 100))
    if checkpoint is not None:  # restoring the saved state, not learning
        done, actor, critic, rng = checkpoint
        nogo = run.load_checkpoint_extra().get(NOGO)
        if nogo is None:
            raise RuntimeError(f'{run.checkpoint} has no {NOGO} weights (a checkpoint of an '
                               f'older spiking brain); train again into a new run_dir')
        brain.set_weights(ACTOR, actor)
        brain.set_weights(CRITIC, critic)
        brain.set_weights(NOGO, nogo)
        if not evaluate:
            learner.rng, learner.trained = rng, done
            episodes = max(0, episodes - done)
            run.truncate_after(done)
            log.info(f'resuming after episode {done} from {run.checkpoint}')

    def work():
        try:
            result = learner.evaluate() if evaluate else learner.train(episodes)
            channel.to_function.put(('done', (result,)))
        except _Stop:
            pass
        except BaseException as error:  # noqa: BLE001 -- handed to the transfer function
            channel.to_function.put(('error', (error,)))

    state.update(learner=learner, channel=channel, run=run, evaluate=evaluate, rounds=int(
        round(rounds)), pending=None, held=0, spikes={}, cell=None, records=[],
        wall_start=time.monotonic(), worker=threading.Thread(target=work, daemon=True,
                                                             name='maze-learner'))


def _outputs(inputs: dict) -> dict:
    return {name: inputs.get(name, 0.0) for name in STIMULI}


@transfer_function(
    inputs={'actions': Spikes('actions', code='times', required=True),
            'dopa': Spikes('dopa', code='times', required=True)},
    outputs={name: (Rates(name) if kind == 'rate' else Currents(name))
             for name, kind in STIMULI.items()},
    triggers=['actions'], projections=list(PLASTIC), setup=start)
def spiking_maze(t, actions, dopa, state, brain, world, params, log, stop):
    """One round: hand the phase's spikes to the learner, serve its requests, return inputs."""
    channel = state['channel']
    if not state['worker'].is_alive() and state['pending'] is None:
        if state.get('finished'):
            return None
        state['worker'].start()  # the first round's spikes (before any input) are dropped
    else:
        for name, spikes in (('actions', actions), ('dopa', dopa)):
            state['spikes'].setdefault(name, []).append(np.asarray(spikes.neurons))
        state['held'] += 1
        if state['held'] < state['rounds']:
            return None  # the phase goes on with the same inputs
        phase = {name: np.concatenate(parts) for name, parts in state['spikes'].items()}
        state['spikes'], state['held'] = {}, 0
        channel.to_worker.put(phase)
    while True:
        kind, payload = channel.to_function.get(timeout=REPLY_TIMEOUT_S)
        if kind == 'step':
            state['pending'] = payload[0]
            return _outputs(payload[0])
        if kind == 'reset':
            channel.to_worker.put(brain.reset(scope=payload[0]))
        elif kind == 'weights':
            channel.to_worker.put(brain.get_weights(payload[0]))
        elif kind == 'properties':
            channel.to_worker.put(brain.set_synapse_properties(payload[0], payload[1]))
        elif kind == 'cell':
            if payload[0] != state['cell']:
                world.place_robot(payload[0])
                state['cell'] = payload[0]
            channel.to_worker.put(None)
        elif kind == 'episode':
            _episode(payload[0], t, state, brain, log)
            channel.to_worker.put(None)
        elif kind == 'error':
            raise payload[0]
        elif kind == 'done':
            state['finished'], state['pending'] = True, None
            if state['evaluate']:
                state['run'].write_evaluation(state['records'])
            stop('all episodes done')
            return None


def _episode(record, t, state, brain, log):
    """Write one finished episode (training: CSV row and checkpoint; evaluate: log)."""
    now = time.monotonic()
    run, learner = state['run'], state['learner']
    state['records'].append(record)
    if state['evaluate']:
        log.info(f'evaluation from {record.start}: {record.outcome} after {record.moves} '
                 f'moves (shortest path {record.shortest_path})')
    else:
        row = SimpleNamespace(episode=record.episode, start=record.start, moves=record.moves,
                              outcome=record.outcome, total_reward=REWARD[record.outcome],
                              shortest_path=record.shortest_path, sim_time_s=float(t),
                              cells=record.cells)
        run.append_episode(row, now - state['wall_start'])
        run.save_checkpoint(record.episode + 1, brain.get_weights(ACTOR),
                            brain.get_weights(CRITIC), learner.rng,
                            extra={NOGO: brain.get_weights(NOGO)})
    state['wall_start'] = now
