"""Arguments of a brain file: values an experiment hands to the network it builds.

A brain file reads them at module level::

    from brain_node.arguments import argument
    CELLS = argument('maze_cells', 25)

brain_node takes them from its ``brain_args`` parameter (a JSON object, e.g.
``-p brain_args:='{"maze_cells": 9}'``); :class:`brain_node.brain.Brain` takes them as
``arguments={...}`` for runs without ROS (offline runners, tests). Outside both (the
file run as a script, or a key nobody gave) :func:`argument` returns its default, so a
brain file stays a plain PyNN script.

Contract: :func:`argument`, :func:`given` and :func:`parse` are public; the rest is
private.
"""

from contextlib import contextmanager
import json

_current = {}  # the arguments of the brain file being built (empty between builds)


def _type_name(value) -> str:
    return type(value).__name__


def _matches(value, default) -> bool:
    """Whether ``value`` has the kind of ``default`` (a whole number is a float too)."""
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def argument(name: str, default=None):
    """The brain argument ``name``, or ``default`` when nobody gave it.

    Args:
        name: key of the argument.
        default: its value when absent; also its type: a given value of another type is
            refused (a whole number is accepted where the default is a float).

    Returns:
        The given value (a float where the default is a float), else ``default``.

    Raises:
        ValueError: the given value's type differs from the default's.
    """
    if name not in _current:
        return default
    value = _current[name]
    if not _matches(value, default):
        raise ValueError(f'brain argument {name!r} must be {_type_name(default)} like its '
                         f'default {default!r}, got {value!r}')
    return float(value) if isinstance(default, float) else value


def parse(text: str) -> dict:
    """Parse the ``brain_args`` parameter: a JSON object ('' counts as {}).

    Raises:
        ValueError: not JSON, or JSON that is not an object.
    """
    if not str(text).strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f'brain_args must be a JSON object such as {{"maze_cells": 9}}, '
                         f'got {text!r} ({error.msg})') from None
    if not isinstance(value, dict):
        raise ValueError(f'brain_args must be a JSON object such as {{"maze_cells": 9}}, '
                         f'got a {_type_name(value)}: {text!r}')
    return value


@contextmanager
def given(arguments: dict):
    """Make ``arguments`` what :func:`argument` returns while a brain file is built.

    Raises:
        ValueError: ``arguments`` is not a dict with string keys.
    """
    arguments = {} if arguments is None else arguments
    if not isinstance(arguments, dict) or not all(isinstance(k, str) for k in arguments):
        raise ValueError(f'brain arguments must be a dict with string keys, got {arguments!r}')
    global _current
    previous, _current = _current, dict(arguments)
    try:
        yield
    finally:
        _current = previous
