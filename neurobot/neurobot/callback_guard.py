"""One guard for every service handler and topic callback: no request takes a node down.

An exception that escapes an rclpy callback ends the executor, and with it the node:
one bad request, or a bug that a request reaches, would stop brain_node or world_node
for every other client. Each node therefore runs its callbacks through one
:class:`CallbackGuard`:

- a service answers ``success=False`` with a message, in a fresh response (nothing a
  failed handler half-filled goes out); a topic message is dropped;
- ``ValueError`` and ``TypeError`` are *refusals*: the core raises them for a request
  it does not accept, saying what it expected. They are logged as a warning, without
  a traceback;
- any other exception is a *failure* (a bug, or NEST in trouble): logged as an error
  with its traceback;
- each kind of refusal or failure is logged once, then counted: a repeat is logged
  again only at its 10th, 100th, 1000th, ... occurrence, with the count. A kind is
  (callback, exception type, the source line that raised it), so the values in a
  message (a name, a length) make no new kind: a client repeating one mistake with
  ever new names logs one line, while two mistakes on one topic (a wrong length, then
  NaN) are two kinds and both show. Their number is bounded by the code, not by the
  requests.

The guard keeps the node up; it does not roll anything back. That a refused request
changes nothing is the core's contract (it checks a request completely before it
changes anything), checked by the nodes' fuzzing tests.

ROS-free: the logger is anything with ``warning`` and ``error`` methods (an rclpy
logger or a :mod:`logging` logger), so the rules are unit-tested without ROS. Every
service handled here has ``success`` and ``message`` fields.
"""

import contextlib
import functools
import threading
import traceback

REFUSALS = (ValueError, TypeError)  # what the core raises for a request it does not accept
MAX_MESSAGE_CHARS = 2000  # longest error text put in a response or a log line
REPEAT_LOG_BASE = 10  # a repeated kind is logged again at 10, 100, 1000, ... occurrences


class CallbackGuard:
    """Turns any exception of a callback into an answer and a de-duplicated log line.

    Args:
        logger: where to log (``warning`` for refusals, ``error`` for failures).
    """

    def __init__(self, logger):
        self._logger = logger
        self._lock = threading.Lock()  # a multi-threaded executor may run callbacks at once
        self.counts = {}  # kind -> occurrences; kind: (callback, exception type, file, line)

    def service(self, name: str, handler, refused: str = 'refused'):
        """Return ``handler(request, response)`` guarded, for ``create_service``.

        Args:
            name: the service name, for log lines and failure messages.
            handler: the node's handler; it may raise anything.
            refused: what a refusal means for the client, e.g. 'nothing written'; the
                response message is ``'<refused>: <error>'``.
        """
        @functools.wraps(handler)
        def guarded(request, response):
            try:
                return handler(request, response)
            except Exception as error:  # noqa: BLE001 -- the point of the guard
                answer = type(response)()
                answer.success = False
                answer.message = self.report(name, error, refused)
                return answer
        return guarded

    @contextlib.contextmanager
    def topic(self, name: str, refused: str = 'ignored'):
        """Context manager for the body of a topic (or timer) callback.

        An exception drops the message (or skips the tick).

        Args:
            name: the topic (or timer) name, for log lines.
            refused: what a refusal means, e.g. 'ignored'.
        """
        try:
            yield
        except Exception as error:  # noqa: BLE001 -- the point of the guard
            self.report(name, error, refused)

    def report(self, where: str, error: Exception, refused: str = 'refused') -> str:
        """Log ``error`` under the de-duplication rules; return the client's message.

        Args:
            where: the callback (service or topic name).
            error: the exception caught.
            refused: prefix of a refusal's message.
        """
        refusal = isinstance(error, REFUSALS)
        text = _clip(_text(error))
        if refusal:
            message = f'{refused}: {text}'
        else:
            message = (f'{where} failed: {type(error).__name__}: {text} (an internal error; '
                       f'the node logged it and keeps running)')
        kind = (where, type(error).__qualname__, *_raise_site(error))
        count = self._count(kind)
        if count == 1 and refusal:
            self._logger.warning(f'{where}: {message} (repeats of this error are counted, '
                                 f'not logged each time)')
        elif count == 1:
            trace = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
            self._logger.error(f'{where}: failed with {type(error).__name__}: {text}; the node '
                               f'keeps running (repeats are counted, not logged each time)\n'
                               f'{trace}')
        elif _is_power(count, REPEAT_LOG_BASE):
            # One call site per severity: rclpy's logger refuses a call site whose
            # severity changes between calls (it raises ValueError).
            repeat = f'{where}: {message} ({count} times so far; logged again at ' \
                     f'{count * REPEAT_LOG_BASE})'
            if refusal:
                self._logger.warning(repeat)
            else:
                self._logger.error(repeat)
        return message

    def warn(self, where: str, kind: str, message: str) -> None:
        """Log a warning that is no exception (e.g. a clamped command) once per kind.

        Args:
            where: the callback (service or topic name).
            kind: what makes two warnings the same, e.g. 'clamped'.
            message: the warning; later ones of the kind are logged with their count.
        """
        count = self._count((where, kind))
        if count == 1:
            self._logger.warning(f'{where}: {_clip(message)} (repeats are counted, not '
                                 f'logged each time)')
        elif _is_power(count, REPEAT_LOG_BASE):
            self._logger.warning(f'{where}: {_clip(message)} ({count} times so far; logged '
                                 f'again at {count * REPEAT_LOG_BASE})')

    def _count(self, kind: tuple) -> int:
        with self._lock:
            count = self.counts.get(kind, 0) + 1
            self.counts[kind] = count
        return count


def _text(error: Exception) -> str:
    try:
        return str(error) or type(error).__name__
    except Exception:  # noqa: BLE001 -- an exception whose __str__ fails still gets a message
        return type(error).__name__


def _clip(text: str) -> str:
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return f'{text[:MAX_MESSAGE_CHARS]}... ({len(text)} characters)'


def _raise_site(error: Exception) -> tuple:
    """(file, line) where ``error`` was raised: the innermost frame of its traceback."""
    tb = error.__traceback__
    if tb is None:
        return ('', 0)
    while tb.tb_next is not None:
        tb = tb.tb_next
    return (tb.tb_frame.f_code.co_filename, tb.tb_lineno)


def _is_power(count: int, base: int) -> bool:
    while count % base == 0:
        count //= base
    return count == 1
