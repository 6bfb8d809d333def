"""NEST's low-level getters and setters, called directly where PyNEST's wrappers cost too much.

Contract: every function here takes NodeCollections/SynapseCollections built by NEST and
plain numpy arrays, talks to ``nest.nestkernel_api`` only, and changes nothing else.
Why: ``NodeCollection.set()`` first reads every node's full status (~0.1 s for 10,000
neurons), ``SynapseCollection.get(keys)`` builds one full status dictionary per synapse
and then restructures it key by key (12 s for 1e6 synapses, where the low-level call
takes 2.5 s), and ``SynapseCollection.set(weight=array)`` indexes numpy scalars one by one.
brain_node runs NEST in one process, so the MPI bookkeeping those wrappers do is not needed.
"""

import numpy as np
from nest import nestkernel_api


def connection_generation() -> tuple:
    """A value that changes whenever connections are created or deleted in the kernel.

    NEST re-sorts its connection tables after any Connect/Disconnect (at the next
    Simulate or GetConnections); the pair (number of connections, accumulated time spent
    connecting) changes with each of those calls, so equal generations mean the tables
    were not re-sorted in between. Costs about 0.1 ms.
    """
    status = nestkernel_api.llapi_get_kernel_status()
    return (int(status['num_connections']), float(status['time_construction_connect']))


def connection_status(collection, keys) -> dict:
    """Read ``keys`` of every synapse of a SynapseCollection as numpy arrays, in its order.

    Integer keys (``source``, ``target``, ``port``, ...) come back as int64, the rest as
    float64; one pass over NEST's status dictionaries serves every key.
    """
    keys = list(keys)
    if len(collection) == 0:
        return {key: np.zeros(0) for key in keys}
    statuses = nestkernel_api.llapi_get_connection_status(collection._datum)
    result = {}
    for key in keys:
        values = [status[key] for status in statuses]
        dtype = np.int64 if values and isinstance(values[0], (int, np.integer)) else np.float64
        result[key] = np.asarray(values, dtype=dtype)
    return result


def set_connection_values(collection, positions: np.ndarray, values: dict):
    """Set per-synapse values of the synapses at ``positions`` of a SynapseCollection.

    Args:
        collection: the SynapseCollection.
        positions: indices into ``collection`` (any order, no repeats needed).
        values: key -> array with one value per position (e.g. ``{'weight': w}``).

    One small dict per synapse built from Python floats is what the low-level setter
    takes; a subset of the ConnectionObjects is passed when not every synapse changes.
    """
    positions = np.asarray(positions, dtype=np.int64)
    if len(positions) == 0:
        return
    datum = collection._datum
    subset = datum if len(positions) == len(datum) and (
        positions == np.arange(len(datum))).all() else [datum[i] for i in positions.tolist()]
    keys = list(values)
    columns = [np.asarray(values[key], dtype=np.float64).tolist() for key in keys]
    if len(keys) == 1:
        key = keys[0]
        params = [{key: value} for value in columns[0]]
    else:
        params = [dict(zip(keys, row)) for row in zip(*columns)]
    nestkernel_api.llapi_set_connection_status(subset, params)


def set_node_status(nodes, params: dict):
    """Set parameters of a NodeCollection: scalars apply to all nodes, arrays per node.

    Arrays whose values are all equal are sent as one scalar.

    Raises:
        ValueError: an array's length differs from the number of nodes.
    """
    scalars, arrays = {}, {}
    for key, value in params.items():
        if isinstance(value, (list, tuple, np.ndarray)):
            array = np.asarray(value)
            if array.size and (array == array.flat[0]).all():
                scalars[key] = array.flat[0].item()
            else:
                arrays[key] = array.tolist()
        else:
            scalars[key] = value
    if arrays:
        keys = list(arrays)
        per_node = [dict(scalars, **dict(zip(keys, values))) for values in zip(*arrays.values())]
        if len(per_node) != len(nodes):
            raise ValueError(f'expected {len(nodes)} values per parameter, got {len(per_node)}')
        nestkernel_api.llapi_set_nc_status(nodes._datum, per_node)
    elif scalars:
        nestkernel_api.llapi_set_nc_status(nodes._datum, [scalars])


def settable(node, key, value) -> bool:
    """Whether NEST accepts ``key=value`` on ``node`` (state variables can be read-only)."""
    try:
        node.set({key: value})
        return True
    except Exception:  # NEST raises its own error types for read-only entries
        return False
