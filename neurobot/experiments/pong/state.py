"""The pong world's published state: one flat vector per round, its layout and its reader.

The world node publishes it on ``pong/state`` as ``std_msgs/Float64MultiArray`` (no new
message type): ``data`` holds the fields of :data:`FIELDS` in that order, and
``layout.dim[0]`` is labelled ``'pong_state'`` with size ``len(FIELDS)``. Lengths are in
field units (the field is 1.6 x 1.0), rows and columns are grid cells (row 0 at the
bottom), moves are -1 (down), 0 (stay), +1 (up).

ROS-free: :func:`encode` and :func:`decode` work on plain lists.
"""

from dataclasses import dataclass

from experiments.pong.game import LEFT, NO_SCORE, RIGHT, STAY, Pong

LABEL = 'pong_state'
FIELDS = (
    'round',  # lockstep round in which the world published this state
    'steps',  # game steps played so far
    'ball_x', 'ball_y',  # field units
    'ball_column', 'ball_row',  # grid cell of the ball: ball_row is what the players see
    'left_paddle_y', 'left_paddle_row',  # field units; grid row
    'right_paddle_y', 'right_paddle_row',
    'left_score', 'right_score',
    'outcome',  # of the last step: -1 left scored, +1 right scored, 0 none (game constants)
    'left_move', 'right_move',  # the moves applied in the last step
)


@dataclass(frozen=True)
class State:
    """One published state (see :data:`FIELDS`)."""

    round: int
    steps: int
    ball_x: float
    ball_y: float
    ball_column: int
    ball_row: int
    left_paddle_y: float
    left_paddle_row: int
    right_paddle_y: float
    right_paddle_row: int
    left_score: int
    right_score: int
    outcome: int
    left_move: int
    right_move: int

    def paddle_row(self, side: str) -> int:
        """The grid row of ``side``'s paddle."""
        return self.left_paddle_row if side == LEFT else self.right_paddle_row

    def move(self, side: str) -> int:
        """The move ``side``'s paddle made in the last step."""
        return self.left_move if side == LEFT else self.right_move


def encode(game: Pong, round_: int, outcome: int = NO_SCORE, moves: dict = None) -> list:
    """The state vector of ``game`` as published in round ``round_``."""
    moves = moves or {LEFT: STAY, RIGHT: STAY}
    column, row = game.ball.cell
    left, right = game.paddles[LEFT], game.paddles[RIGHT]
    return [float(v) for v in (
        round_, game.steps, game.ball.x, game.ball.y, column, row,
        left.y, left.row, right.y, right.row, game.score[LEFT], game.score[RIGHT],
        outcome, moves[LEFT], moves[RIGHT])]


def decode(values) -> State:
    """Read a state vector.

    Raises:
        ValueError: a vector of another length than :data:`FIELDS`.
    """
    values = list(values)
    if len(values) != len(FIELDS):
        raise ValueError(f'a pong state has {len(FIELDS)} values ({", ".join(FIELDS)}), '
                         f'got {len(values)}')
    floats = {'ball_x', 'ball_y', 'left_paddle_y', 'right_paddle_y'}
    return State(**{name: float(v) if name in floats else int(round(v))
                    for name, v in zip(FIELDS, values)})
