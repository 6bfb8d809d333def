"""The pong game core: a ball, two paddles and a field, in numpy only (no ROS, no NEST).

The rules and constants are those of NEST's pong example (``pynest/examples/pong/pong.py``,
after Wunderlich et al. 2019, https://doi.org/10.3389/fnins.2019.00260): a 1.6 x 1.0 field
seen by the players as a 32 x 20 grid; each game step first resolves collisions at the
positions reached, then moves everything. A ball that reaches a side edge away from the
paddle scores for the other side and is served again from x = 0.8 towards the scorer.

One difference, on purpose: the original reports the grid cell of a freshly served ball
as the cell of its default position (row 10) until the ball first moves; here the cell
always follows the ball's position.

Lengths are in field units (the field is 1.0 high), speeds in field units per game step.
"""

from dataclasses import dataclass, field

import numpy as np

FIELD_WIDTH = 1.6  # field units (x)
FIELD_HEIGHT = 1.0  # field units (y)
GRID_X = 32  # cells across the field's width
GRID_Y = 20  # cells across the field's height: one input and one motor neuron per row

BALL_RADIUS = 0.025  # field units
BALL_SPEED = 0.025  # field units per game step, times the direction vector
SERVE_X = 0.8  # field units, where a served ball starts
SERVE_VX_RANGE = (0.5, 1.0)  # |x direction| of a serve, uniform; |y direction| = 1 - |x|

PADDLE_LENGTH = 0.2  # field units
PADDLE_SPEED = 0.05  # field units per game step (one grid row)
PADDLE_START_Y = 0.5  # field units

MOVE_DOWN, STAY, MOVE_UP = -1, 0, +1  # paddle moves
LEFT, RIGHT = 'left', 'right'  # sides
LEFT_SCORED, RIGHT_SCORED, NO_SCORE = -1, +1, 0  # outcomes of a game step


def row_of(y: float) -> int:
    """Return the grid row (0 at the bottom) of a height in field units.

    A paddle pushed to the very top (y = 1.0) is in row ``GRID_Y``, one above the last
    row a ball can be in, as in the original.
    """
    return int(np.floor(y / FIELD_HEIGHT * GRID_Y))


def column_of(x: float) -> int:
    """Return the grid column (0 at the left edge) of an x position in field units."""
    return int(np.floor(x / FIELD_WIDTH * GRID_X))


@dataclass
class Ball:
    """The ball: position (field units) and direction (moves ``BALL_SPEED`` times it)."""

    x: float = SERVE_X
    y: float = 0.5
    direction: np.ndarray = field(default_factory=lambda: np.array([-0.5, 0.5]))

    @property
    def cell(self) -> tuple:
        """(column, row) of the grid cell the ball is in."""
        return column_of(self.x), row_of(self.y)


@dataclass
class Paddle:
    """A paddle at one side edge: height of its centre (field units) and its next move."""

    y: float = PADDLE_START_Y
    move: int = STAY

    @property
    def row(self) -> int:
        return row_of(self.y)

    def covers(self, y: float) -> bool:
        """Whether a ball at height ``y`` hits this paddle."""
        return abs(self.y - y) <= PADDLE_LENGTH / 2


class Pong:
    """A game of pong between a left and a right player.

    Args:
        rng: the generator serves are drawn from (seed it for a reproducible game).
    """

    def __init__(self, rng: np.random.Generator = None):
        self.rng = rng if rng is not None else np.random.default_rng()
        self.paddles = {LEFT: Paddle(), RIGHT: Paddle()}
        self.score = {LEFT: 0, RIGHT: 0}
        self.steps = 0
        self.ball = Ball()
        self.serve(towards_left=False)

    def serve(self, towards_left: bool) -> None:
        """Put a new ball at x = ``SERVE_X``, a random height and a random direction.

        Args:
            towards_left: serve towards the left player (else towards the right).
        """
        vx = self.rng.uniform(*SERVE_VX_RANGE)
        vy = (1.0 - vx) * self.rng.choice([-1.0, 1.0])
        y = self.rng.random() * FIELD_HEIGHT
        self.ball = Ball(x=SERVE_X, y=y, direction=np.array([-vx if towards_left else vx, vy]))

    def set_move(self, side: str, move: int) -> None:
        """Set a paddle's move for the next step.

        Raises:
            ValueError: unknown side or a move other than MOVE_DOWN, STAY, MOVE_UP.
        """
        if side not in self.paddles:
            raise ValueError(f'side must be {LEFT!r} or {RIGHT!r}, got {side!r}')
        if move not in (MOVE_DOWN, STAY, MOVE_UP):
            raise ValueError(f'move must be -1, 0 or +1, got {move!r}')
        self.paddles[side].move = move

    def _collide(self) -> int:
        """Bounce the ball off walls and paddles at the current positions; return the outcome."""
        ball = self.ball
        if ball.y + BALL_RADIUS >= FIELD_HEIGHT:
            ball.direction[1] = -abs(ball.direction[1])
        elif ball.y - BALL_RADIUS <= 0.0:
            ball.direction[1] = abs(ball.direction[1])
        if ball.x - BALL_RADIUS <= 0.0:
            if not self.paddles[LEFT].covers(ball.y):
                return RIGHT_SCORED
            ball.direction[0] = abs(ball.direction[0])
        elif ball.x + BALL_RADIUS >= FIELD_WIDTH:
            if not self.paddles[RIGHT].covers(ball.y):
                return LEFT_SCORED
            ball.direction[0] = -abs(ball.direction[0])
        return NO_SCORE

    def step(self) -> int:
        """Play one game step: collisions first, then every object moves.

        A point is counted and the next ball served (towards the scorer) after the move,
        so a scoring step still shows where the ball went out.

        Returns:
            LEFT_SCORED, RIGHT_SCORED or NO_SCORE.
        """
        outcome = self._collide()
        for paddle in self.paddles.values():
            paddle.y = min(max(paddle.y + paddle.move * PADDLE_SPEED, 0.0), FIELD_HEIGHT)
        self.ball.x += BALL_SPEED * self.ball.direction[0]
        self.ball.y += BALL_SPEED * self.ball.direction[1]
        self.steps += 1
        if outcome == RIGHT_SCORED:
            self.score[RIGHT] += 1
            self.serve(towards_left=False)
        elif outcome == LEFT_SCORED:
            self.score[LEFT] += 1
            self.serve(towards_left=True)
        return outcome
