"""Argument checks shared by the translation helpers (encoders, decoders, windows).

Every check names the argument and says what was expected, so that a transfer
function configured wrongly fails at once with a message pointing at the culprit.
Type errors (not a number, not numeric data) raise ``TypeError``; values of the right
type but outside their range (NaN, negative width, wrong shape) raise ``ValueError``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

NS_PER_MS = 1_000_000  # ns per ms


def real(name: str, value: Any, *, minimum: float | None = None, strict: bool = False,
         allow_inf: bool = False) -> float:
    """Return ``value`` as a float after checking it is a (finite) real number.

    Args:
        name: Argument name, for the message.
        value: The value to check.
        minimum: Lower bound, or ``None`` for none.
        strict: ``True`` to require ``value > minimum`` rather than ``>=``.
        allow_inf: Accept ``+inf``/``-inf`` (subject to ``minimum``).

    Raises:
        TypeError: if ``value`` is not a real number (``bool`` is refused).
        ValueError: if it is NaN, infinite (unless allowed) or below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f'{name}: expected a real number, got {value!r}')
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f'{name}: expected a finite number, got {value}')
    if minimum is not None:
        if strict and not value > minimum:
            raise ValueError(f'{name}: expected a number > {minimum}, got {value}')
        if not strict and not value >= minimum:
            raise ValueError(f'{name}: expected a number >= {minimum}, got {value}')
    return value


def positive(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    return real(name, value, minimum=0.0, strict=True)


def non_negative(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is finite and >= 0."""
    return real(name, value, minimum=0.0)


def integer(name: str, value: Any, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f'{name}: expected an int, got {value!r}')
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f'{name}: expected an int >= {minimum}, got {value}')
    return value


def float_array(name: str, value: Any, *, ndim: int | None = None, allow_nan: bool = False,
                allow_inf: bool = False, minimum: float | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array after checking its dimensions and contents.

    Args:
        name: Argument name, for the message.
        value: Anything numpy turns into a real array (scalar, list, array).
        ndim: Required number of dimensions, or ``None`` for any.
        allow_nan: Accept NaN entries.
        allow_inf: Accept infinite entries.
        minimum: Lower bound (inclusive) for the non-NaN entries, or ``None``.

    Raises:
        TypeError: if ``value`` is not real numeric data (strings, complex, objects, bools).
        ValueError: for a wrong number of dimensions, NaN/inf or values below ``minimum``.
    """
    array = np.asarray(value)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                   or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f'{name}: expected real numbers, got an array of {array.dtype}')
    integral = np.issubdtype(array.dtype, np.integer)
    array = array.astype(np.float64, copy=False)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f'{name}: expected a {ndim}-D array, got shape {array.shape}')
    if integral:
        pass  # integers are never NaN or infinite
    elif not allow_nan and not allow_inf:
        if not np.isfinite(array).all():  # one pass in the common case
            raise ValueError(f'{name}: expected finite values (no NaN or inf)')
    elif not allow_nan and np.isnan(array).any():
        raise ValueError(f'{name}: expected no NaN values')
    elif not allow_inf and np.isinf(array).any():
        raise ValueError(f'{name}: expected finite values, got inf')
    if minimum is not None and (array < minimum).any():
        raise ValueError(f'{name}: expected values >= {minimum}, got min {np.nanmin(array)}')
    return array


def count_array(name: str, value: Any, *, size: int | None = None) -> np.ndarray:
    """Return spike counts as a 1-D int64 array after checking they are integers >= 0.

    Args:
        name: Argument name, for the message.
        value: 1-D sequence of counts (ints, or floats holding whole numbers).
        size: Required length, or ``None`` for any.

    Raises:
        TypeError: if ``value`` is not real numeric data.
        ValueError: for a wrong shape, or an entry that is negative, NaN or not whole.
    """
    array = np.asarray(value)
    if np.issubdtype(array.dtype, np.integer):
        # Fast path for the usual case (counts from NEST are ints): one check only.
        if array.ndim != 1:
            raise ValueError(f'{name}: expected a 1-D array, got shape {array.shape}')
        if array.size and array.min() < 0:
            raise ValueError(f'{name}: expected values >= 0, got min {array.min()}')
    else:
        array = float_array(name, array, ndim=1, minimum=0.0)
        if (array != np.floor(array)).any():
            raise ValueError(f'{name}: expected whole numbers of spikes')
    if size is not None and array.shape[0] != size:
        raise ValueError(f'{name}: expected {size} counts, got {array.shape[0]}')
    return array.astype(np.int64, copy=False)


def index_array(name: str, value: Any, *, bound: int) -> np.ndarray:
    """Return a 1-D intp array of indices after checking each lies in ``[0, bound)``.

    Raises:
        TypeError: if ``value`` is not real numeric data.
        ValueError: for a wrong shape, a fractional index or an index out of range
            (whole-valued floats are accepted).
    """
    array = float_array(name, value, ndim=1)
    if (array != np.floor(array)).any():
        raise ValueError(f'{name}: expected integer indices')
    if array.size and (array.min() < 0 or array.max() >= bound):
        raise ValueError(f'{name}: expected indices in [0, {bound}), got '
                         f'[{int(array.min())}, {int(array.max())}]')
    return array.astype(np.intp)


def ms_to_ns(name: str, duration_ms: Any, *, minimum_ns: int | None = None) -> int:
    """Convert a time in ms to integer ns, rounding to the nearest ns.

    Integer nanoseconds make window boundaries exact however many steps are summed,
    as in :mod:`brain_node.stepping`.

    Raises:
        TypeError: if ``duration_ms`` is not a real number.
        ValueError: if it is not finite, or (after rounding) below ``minimum_ns``.
    """
    value_ns = int(round(real(name, duration_ms) * NS_PER_MS))
    if minimum_ns is not None and value_ns < minimum_ns:
        raise ValueError(f'{name}: expected at least {minimum_ns} ns '
                         f'({minimum_ns / NS_PER_MS} ms), got {duration_ms} ms')
    return value_ns
