"""Unit tests of dense weight conversion, units and validation (no NEST)."""

import numpy as np
import pytest

from brain_node.weights import ConnectionIndex, check_dense_weights, weight_units


@pytest.fixture
def index():
    # 3 x 4 matrix, connections in an arbitrary (NEST-like) order
    return ConnectionIndex(rows=3, cols=4, pre=[2, 0, 1, 0], post=[3, 0, 2, 1])


def test_dense_round_trip_puts_nan_where_unconnected(index):
    dense = index.to_dense(np.array([1.0, 2.0, 3.0, 4.0]))
    matrix = dense.reshape(3, 4)
    assert matrix[2, 3] == 1.0 and matrix[0, 0] == 2.0 and matrix[1, 2] == 3.0
    assert matrix[0, 1] == 4.0
    assert np.isnan(matrix).sum() == 12 - 4
    np.testing.assert_array_equal(index.from_dense(dense), [1.0, 2.0, 3.0, 4.0])


def test_units_follow_pynn_sign_conventions():
    exc = weight_units(conductance_based=False, receptor_type='excitatory')
    inh = weight_units(conductance_based=False, receptor_type='inhibitory')
    cond_inh = weight_units(conductance_based=True, receptor_type='inhibitory')
    assert (exc.nest_per_pynn, exc.sign, exc.units) == (1000.0, 1, 'nA')
    assert (inh.nest_per_pynn, inh.sign) == (1000.0, -1)
    assert (cond_inh.nest_per_pynn, cond_inh.sign, cond_inh.units) == (-1000.0, 1, 'uS')
    assert weight_units(False, 'AMPA', standard_receptor=False).sign == 0


def _dense(index, values):
    return index.to_dense(np.asarray(values, dtype=float))


def test_valid_matrix_passes(index):
    units = weight_units(False, 'excitatory')
    out = check_dense_weights(index, units, 3, 4, _dense(index, [0.1, 0.2, 0.3, 0.0]))
    assert out.shape == (12,)


@pytest.mark.parametrize('rows, cols, length, match', [
    (4, 3, 12, 'expected rows=3'),
    (3, 4, 11, 'expected 12 weights'),
])
def test_shape_errors_say_what_was_expected(index, rows, cols, length, match):
    units = weight_units(False, 'excitatory')
    with pytest.raises(ValueError, match=match):
        check_dense_weights(index, units, rows, cols, np.zeros(length))


def test_nan_at_a_connection_is_rejected(index):
    dense = _dense(index, [0.1, 0.2, 0.3, 0.4])
    dense[2 * 4 + 3] = np.nan
    with pytest.raises(ValueError, match=r'NaN where a connection exists.*pre=2, post=3'):
        check_dense_weights(index, weight_units(False, 'excitatory'), 3, 4, dense)


def test_value_where_no_connection_is_rejected(index):
    dense = _dense(index, [0.1, 0.2, 0.3, 0.4])
    dense[1] = 0.5  # (0, 1) is connected; (0, 2) is not
    dense[2] = 0.5
    with pytest.raises(ValueError, match=r'no connection.*pre=0, post=2'):
        check_dense_weights(index, weight_units(False, 'excitatory'), 3, 4, dense)


def test_inf_is_rejected(index):
    dense = _dense(index, [0.1, np.inf, 0.3, 0.4])
    with pytest.raises(ValueError, match='infinite'):
        check_dense_weights(index, weight_units(False, 'excitatory'), 3, 4, dense)


def test_forbidden_signs_are_rejected(index):
    with pytest.raises(ValueError, match='expects weights >= 0'):
        check_dense_weights(index, weight_units(False, 'excitatory'), 3, 4,
                            _dense(index, [0.1, -0.2, 0.3, 0.4]))
    with pytest.raises(ValueError, match='weights <= 0'):
        check_dense_weights(index, weight_units(False, 'inhibitory'), 3, 4,
                            _dense(index, [-0.1, 0.2, -0.3, -0.4]))


def test_multapses_cannot_be_dense():
    index = ConnectionIndex(rows=2, cols=2, pre=[0, 0], post=[1, 1])
    assert index.multapses
    with pytest.raises(ValueError, match='multapses'):
        index.to_dense(np.array([1.0, 2.0]))


def test_indices_outside_the_matrix_are_rejected():
    with pytest.raises(ValueError, match='outside'):
        ConnectionIndex(rows=2, cols=2, pre=[0, 2], post=[1, 1])
