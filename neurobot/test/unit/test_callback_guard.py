"""Unit tests of neurobot.callback_guard: answers, de-duplicated logs, nothing escapes."""

from dataclasses import dataclass, field
import sys

import numpy as np
import pytest

from neurobot.callback_guard import MAX_MESSAGE_CHARS, CallbackGuard


@dataclass
class Response:
    success: bool = False
    message: str = ''
    weights: list = field(default_factory=list)


class Logger:
    """Records log lines; like rclpy's logger, refuses a call site that changes severity."""

    def __init__(self):
        self.lines = []
        self._sites = {}

    def _log(self, level, text):
        caller = sys._getframe(2)
        site = (caller.f_code.co_filename, caller.f_lineno)
        if self._sites.setdefault(site, level) != level:
            raise ValueError('Logger severity cannot be changed between calls.')
        self.lines.append((level, text))

    def warning(self, text):
        self._log('warning', text)

    def error(self, text):
        self._log('error', text)


class Core:
    """A core that refuses like brain_node's (ValueError) and has a bug (IndexError)."""

    def __init__(self):
        self.weights = np.arange(4.0)

    def set_weights(self, values):
        values = np.asarray(values, dtype=float)
        if values.size != self.weights.size:
            raise ValueError(f'expected {self.weights.size} weights, got {values.size}')
        if not np.isfinite(values).all():
            raise ValueError('expected finite weights')
        self.weights = values

    def get_weights(self, name):
        return self.weights[[0, 9]]  # the bug: IndexError for every name


@pytest.fixture
def guarded():
    core, logger = Core(), Logger()
    guard = CallbackGuard(logger)

    def set_handler(request, response):
        core.set_weights(request)
        response.success, response.message = True, 'written'
        return response

    def get_handler(request, response):
        response.weights = [1.0, 2.0]  # half-filled when the core fails
        response.weights = core.get_weights(request).tolist()
        response.success = True
        return response

    return (core, logger, guard, guard.service('set_weights', set_handler, 'nothing written'),
            guard.service('get_weights', get_handler, 'no weights'))


def test_a_refusal_is_answered_with_the_reason_and_logged_once_then_counted(guarded):
    core, logger, guard, set_weights, _ = guarded
    for length in range(5, 130):  # one mistake, a different value in every message
        answer = set_weights([1.0] * length, Response())
        assert not answer.success
        assert answer.message == f'nothing written: expected 4 weights, got {length}'
    assert [level for level, _ in logger.lines] == ['warning'] * 3
    assert 'expected 4 weights, got 5' in logger.lines[0][1]
    assert '10 times so far' in logger.lines[1][1] and '100 times so far' in logger.lines[2][1]
    assert 'Traceback' not in ''.join(text for _, text in logger.lines)
    np.testing.assert_array_equal(core.weights, np.arange(4.0))
    assert set_weights([5.0] * 4, Response()).success  # and the service still works


def test_two_mistakes_on_one_callback_are_two_kinds_and_both_are_logged(guarded):
    _, logger, guard, set_weights, _ = guarded
    for _ in range(3):
        set_weights([1.0] * 3, Response())
        set_weights([np.nan] * 4, Response())
    assert len(logger.lines) == 2
    assert 'got 3' in logger.lines[0][1] and 'finite' in logger.lines[1][1]
    assert sorted(guard.counts.values()) == [3, 3]


def test_a_failure_answers_a_fresh_response_and_logs_its_traceback_once(guarded):
    _, logger, _, _, get_weights = guarded
    for _ in range(12):
        answer = get_weights('recurrent', Response())
        assert not answer.success and answer.weights == []  # nothing half-filled goes out
        assert answer.message.startswith(
            'get_weights failed: IndexError: index 9 is out of bounds')
    assert [level for level, _ in logger.lines] == ['error', 'error']
    assert 'Traceback' in logger.lines[0][1] and 'get_weights' in logger.lines[0][1]
    assert 'Traceback' not in logger.lines[1][1] and '10 times so far' in logger.lines[1][1]


def test_repeated_refusals_and_failures_side_by_side_are_both_counted(guarded):
    # rclpy's logger raised 'Logger severity cannot be changed between calls' when both
    # kinds of repeat went through one call site, and the guard took the node down.
    _, logger, guard, set_weights, get_weights = guarded
    for _ in range(10):
        assert not set_weights([1.0], Response()).success
        assert not get_weights('recurrent', Response()).success
    assert [level for level, _ in logger.lines] == ['warning', 'error', 'warning', 'error']


def test_a_topic_callback_drops_the_message_and_carries_on():
    logger = Logger()
    guard = CallbackGuard(logger)
    after = []
    for values in ([1.0], [np.inf], [1.0]):
        with guard.topic('brain/drive/stimulus', 'stimulus ignored'):
            if not np.isfinite(values).all():
                raise ValueError('input contains NaN or inf')
        after.append(values)
    assert len(after) == 3
    assert logger.lines == [('warning', 'brain/drive/stimulus: stimulus ignored: input contains '
                                        'NaN or inf (repeats of this error are counted, not '
                                        'logged each time)')]


def test_ctrl_c_and_exit_are_not_swallowed():
    guard = CallbackGuard(Logger())
    with pytest.raises(KeyboardInterrupt):
        with guard.topic('cmd_vel'):
            raise KeyboardInterrupt
    with pytest.raises(SystemExit):
        guard.service('reset_world', lambda request, response: sys.exit(2))(None, Response())


def test_long_and_unprintable_errors_still_give_a_bounded_message():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError('no text')

    logger = Logger()
    guard = CallbackGuard(logger)
    name = 'n\u00e9uron-\u795e\u7ecf-%s-%n-{}' * 10_000

    def handler(request, response):
        raise ValueError(f'unknown projection {request!r}')

    answer = guard.service('get_weights', handler)(name, Response())
    assert len(answer.message) < MAX_MESSAGE_CHARS + 100
    assert answer.message.startswith("refused: unknown projection 'n\u00e9uron-\u795e")

    def broken(request, response):
        raise Unprintable()

    answer = guard.service('describe_brain', broken)(None, Response())
    assert answer.message.startswith('describe_brain failed: Unprintable: Unprintable')


def test_warnings_without_exception_are_deduplicated_per_kind():
    logger = Logger()
    guard = CallbackGuard(logger)
    for _ in range(20):
        guard.warn('cmd_vel', 'clamped', 'cmd_vel linear speed 9 m/s clamped to 1 m/s')
    guard.warn('cmd_vel', 'rejected', 'cmd_vel rejected: linear.x must be finite, got nan')
    texts = [text for _, text in logger.lines]
    assert len(texts) == 3 and 'rejected' in texts[2] and '10 times so far' in texts[1]
