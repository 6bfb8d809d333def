"""Test transfer functions: a throttled counter, a failing function, untriggered inputs.

Messages are std_msgs types so the tests need no world or brain.
"""

from std_msgs.msg import Float64, Int64, String

from tf_nodes.api import Input, Output, transfer_function


@transfer_function(
    inputs={'tick': Input('ticks', Int64), 'other': Input('other', String)},
    outputs={'count': Output('counted', Int64)},
    triggers=['tick'], throttling_rate=10.0)
def throttled_counter(tick, other, state, t):
    """Counts its calls; 'other' only updates its latest value and never fires it."""
    state['calls'] = state.get('calls', 0) + 1
    return Int64(data=state['calls'])


@transfer_function(inputs={'value': Input('values', Float64)},
                   outputs={'half': Output('halves', Float64)})
def fragile_half(value):
    """Raises on negative input: the call is skipped, the next one works."""
    if value.data < 0:
        raise ValueError(f'negative input {value.data}')
    return Float64(data=value.data / 2)
