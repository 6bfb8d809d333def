"""The spiking maze learner over ROS keeps the robot still while the brain replays a run.

The transfer function places the robot on every cell the learner shows the brain
(``RosLearner.place_rates``); a replay after a goal shows the episode's cells again,
last first, as the brain's own rehearsal. Pure logic: the learner runs against
``RosBrain`` whose channel is answered here by a scripted brain that always fires the
action group of a shortest-path move of the cell it is shown (no NEST, no ROS), so the
episode reaches the goal and is replayed.
"""

import numpy as np

from experiments.maze.spiking.transfer_function import (RosBrain, RosLearner,
                                                        brain_constants)
from experiments.maze.spiking.learner import BRAIN_FILE, MOVE_ORDER
from neurobot.world.maze_generator import MazeSpec, generate_maze


class ScriptedChannel:
    """Answers the learner's requests as brain_node and the world would, and logs them."""

    def __init__(self, maze, constants):
        self.maze = maze
        self.k = constants['CELLS_PER_FIELD']
        self.group = constants['ACTION_GROUP_SIZE']
        self.cells = list(maze.cells())
        self.requests = []

    def request(self, kind, *payload):
        self.requests.append((kind, payload))
        if kind != 'step':
            return None
        places = np.atleast_1d(payload[0].get('places', 0.0))
        drive = np.atleast_1d(payload[0].get('actions', 0.0))
        spikes = np.array([], dtype=int)
        if places.size > 1 and places.any():
            cell = self.cells[int(np.flatnonzero(places)[0]) // self.k]
            if drive.size > 1:  # a replayed move: the imposed group fires
                group = int(np.flatnonzero(drive)[0]) // self.group
            else:
                group = MOVE_ORDER.index(self.maze.best_moves(cell)[0])
            spikes = np.arange(group * self.group, (group + 1) * self.group)
        return {'actions': spikes, 'dopa': np.array([], dtype=int)}


def test_a_replay_shows_the_run_to_the_brain_but_does_not_move_the_robot():
    maze = generate_maze(MazeSpec(rows=3, cols=3, n_starts=3), 7)
    constants = brain_constants(str(BRAIN_FILE))
    channel = ScriptedChannel(maze, constants)
    sizes = {'places': len(channel.cells) * channel.k, 'dopa': constants['N_DOPA'],
             'actions': constants['N_DIRECTIONS'] * channel.group}
    learner = RosLearner(maze, 1, 0, RosBrain(constants, sizes, channel), channel,
                         frozen=False)
    (record,) = learner.train(1)
    assert record.outcome == 'goal' and record.moves == record.shortest_path
    assert record.replayed == record.moves
    placed = [payload[0] for kind, payload in channel.requests if kind == 'cell']
    # the robot went along the episode once (goal excluded: nothing is shown there; the
    # transfer function places the robot when the requested cell changes) ...
    moved = [cell for k, cell in enumerate(placed) if k == 0 or cell != placed[k - 1]]
    assert moved == [tuple(c) for c in record.cells[:-1]]
    # ... while the brain was shown the run twice, the second time last cell first
    shown = [channel.cells[int(np.flatnonzero(np.atleast_1d(p[0]['places']))[0]) // channel.k]
             for kind, p in channel.requests
             if kind == 'step' and np.atleast_1d(p[0]['places']).any()
             and np.atleast_1d(p[0]['actions']).size > 1]
    assert shown == [tuple(c) for c in reversed(record.cells[:-1])]
    assert [kind for kind, _ in channel.requests][-2:] == ['reset', 'episode']
