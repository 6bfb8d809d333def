"""Weights of named projections recorded over time into a compact binary file (``.nbw``).

What NRP users did with a CSV of strings written every step, done inside brain_node:
the recorder takes a snapshot of each recorded projection every ``every_ms`` of
simulated time and a background thread appends it to the file, so a step never
waits for the disk. ROS-free; the brain is any object with ``describe_projections``,
``weights_version`` and ``connection_weights`` (:class:`brain_node.brain.Brain`).

Cost per record. Static weights change only when brain_node writes them, so the
recorder compares :meth:`Brain.weights_version` with the last record's and writes a
32-byte "unchanged" record when they match; a changed 1e6-synapse projection costs
one division in the step (~3 ms) and 8 MB written by the thread. Plastic weights
change as the brain runs and are read from NEST for every record: NEST 3.10 has no
array getter, so that read (~5 s for 1e6 synapses) blocks the step it follows. At
start the recorder reads each projection's connection list once (as the first
get_weights would: seconds for 1e6 synapses).

File format (little-endian, version 1; every record is appended whole and flushed, so a
run killed at any point leaves a readable file whose last record may be cut short):

- header: ``b'NBWEIGHT'``, uint32 version, uint32 JSON length, JSON metadata (UTF-8),
  zero padding to a multiple of 8 bytes, then per recorded projection (JSON order) its
  connection mask: ``numpy.packbits`` of the row-major ``rows x cols`` bool matrix,
  padded to a multiple of 8 bytes. The JSON holds ``projections`` (name, rows, cols,
  connections, units, dtype, plastic, pre, post), ``every_ms``, ``time_base`` and what
  the writer adds (brain file, step_ms...).
- records: 32-byte head ``b'NBWR'``, uint8 kind (0 full, 1 unchanged), uint8 0,
  uint16 projection number, int64 time (ns, the time base of the PopulationSpikes
  stamps), uint64 payload bytes, uint32 CRC-32 of the payload, uint32 0; then for a
  full record the weights of the connections in row-major order of the mask (float64,
  PyNN units: exactly the values ``get_weights`` returns).

Read back with :func:`read_weight_file` (one dense matrix per record time, NaN where
there is no connection) or :class:`WeightFile` (one record at a time, memory-mapped).
Records come in file order: after a /clock jump back (a world reset) times repeat.
``python -m brain_node.weight_recorder FILE`` prints a summary.
"""

from dataclasses import dataclass
import json
import logging
import os
import queue
import struct
import sys
import threading
import zlib

import numpy as np

_log = logging.getLogger(__name__)

MAGIC = b'NBWEIGHT'
FORMAT_VERSION = 1
FILE_HEAD = struct.Struct('<8sII')  # magic, format version, JSON length (bytes)
RECORD_HEAD = struct.Struct('<4sBBHqQII')  # tag, kind, 0, projection, time_ns, bytes, crc, 0
RECORD_TAG = b'NBWR'
FULL, UNCHANGED = 0, 1
ALIGN = 8  # bytes; keeps every float64 payload aligned for memory-mapping
DTYPE = np.dtype('<f8')  # float64: the records equal get_weights bit for bit
NS_PER_MS = 1_000_000
QUEUE_RECORDS = 8  # records waiting for the writer thread before a step waits for the disk
ON_ERROR = ('continue', 'stop')


def _padding(size: int) -> bytes:
    return b'\0' * (-size % ALIGN)


@dataclass
class _Layout:
    """Where a projection's connections sit: for turning NEST-order values into records."""

    name: str
    number: int
    rows: int
    cols: int
    order: np.ndarray  # NEST order -> row-major order of the connection mask (None: same)
    mask: np.ndarray  # flat bool, rows * cols


class WeightRecorder:
    """Record projections of a brain every ``every_ms`` into a weight file.

    Args:
        brain: the brain (see the module docstring for what it must provide).
        names: projections to record.
        path: file to write (its directory is created; an existing file is replaced).
        every_ms: recording period, ms: a multiple of ``step_ms``.
        step_ms: the brain's step, ms.
        metadata: extra JSON-serialisable entries for the header.
        queue_records: snapshots that may wait for the writer thread.

    Raises:
        ValueError: no or unknown projection names, a period that is not a multiple of
            the step, a projection with multapses. Raised before the file is touched.
        OSError: the file cannot be created (unwritable path).
    """

    def __init__(self, brain, names, path, every_ms: float, step_ms: float, metadata=None,
                 queue_records: int = QUEUE_RECORDS):
        from brain_node.stepping import is_multiple, ms_to_ns
        names = list(dict.fromkeys(n for n in names if n))
        if not names:
            raise ValueError('no projection to record: give at least one projection name')
        infos = {p.name: p for p in brain.describe_projections()}
        unknown = [n for n in names if n not in infos]
        if unknown:
            known = ', '.join(infos) or '(none)'
            raise ValueError(f'cannot record weights of unknown projection(s) '
                             f'{", ".join(unknown)}; the brain has: {known}')
        if not is_multiple(every_ms, step_ms):
            raise ValueError(f'record_weights_every_ms must be a positive multiple of step_ms='
                             f'{step_ms:g} ms, got {every_ms:g}')
        self.brain = brain
        self.path = str(path)
        self.every_ms = float(every_ms)
        self.every_ns = ms_to_ns(every_ms)
        self.names = names
        self.plastic = {n: infos[n].plastic for n in names}
        self._layouts, described = {}, []
        for number, name in enumerate(names):
            info = infos[name]
            flat = np.asarray(brain.connection_weights(name)[0], dtype=np.int64)
            mask = np.zeros(info.rows * info.cols, dtype=bool)
            mask[flat] = True
            if int(mask.sum()) != len(flat):
                raise ValueError(f'projection {name!r} has several synapses between the same '
                                 f'pair of neurons (multapses); its weights cannot be recorded '
                                 f'as matrices')
            order = np.argsort(flat, kind='stable')
            if (order == np.arange(len(order))).all():
                order = None
            self._layouts[name] = _Layout(name, number, info.rows, info.cols, order, mask)
            described.append({'name': name, 'rows': info.rows, 'cols': info.cols,
                              'connections': len(flat), 'units': info.weight_units,
                              'dtype': DTYPE.str, 'plastic': bool(info.plastic),
                              'pre': info.pre, 'post': info.post})
        self._header = _file_header(dict(
            metadata or {}, projections=described, every_ms=self.every_ms,
            time_base='ns of the PopulationSpikes header stamps (ROS time)'),
            [self._layouts[n].mask for n in names])
        self._versions = {}
        self.started = False
        self.records = 0  # snapshots queued (one per projection and recording time)
        self.bytes_queued = 0
        self.error = None  # what stopped the recording (path and cause), once it failed
        self._waited = False
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.exists(directory):  # a file in the way: open() says 'Not a directory'
            os.makedirs(directory)
        if os.path.isfile(self.path) and os.path.getsize(self.path):
            _log.warning('weight file %s exists and is replaced', self.path)
        self._file = open(self.path, 'wb')
        self._queue = queue.Queue(maxsize=max(1, int(queue_records)))
        self._queue.put(('head', self._header))
        self._thread = threading.Thread(target=self._write_loop, name='weight_recorder',
                                        daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ stepping side

    def due(self, grid_ns: int) -> bool:
        """True when a step ending at ``grid_ns`` (on the recording grid) must be recorded."""
        return self.error is None and grid_ns % self.every_ns == 0

    def sample(self, time_ns: int) -> bool:
        """Snapshot every recorded projection now, stamped ``time_ns``; False once failed.

        Static projections whose version did not change since their last record give an
        "unchanged" record; anything else is read from the brain (plastic: from NEST).
        A failure to read is kept in :attr:`error` like a failure to write.
        """
        self.started = True
        if self.error is not None:
            return False
        for name in self.names:
            layout = self._layouts[name]
            try:
                version = self.brain.weights_version(name)
                if self.plastic[name] or self._versions.get(name) != version:
                    _, values = self.brain.connection_weights(name)
                    self._versions[name] = version
                else:
                    values = None
            except Exception as error:  # recording must never take the run down
                self._fail(f'weight recording of {name!r} to {self.path} failed: cannot read '
                           f'the weights: {error}')
                return False
            self._put(('record', layout, int(time_ns), values))
            self.records += 1
            self.bytes_queued += RECORD_HEAD.size + (0 if values is None
                                                     else len(values) * DTYPE.itemsize)
        return self.error is None

    def _put(self, item):
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            if not self._waited:
                self._waited = True
                _log.warning('weight recording to %s is slower than the run: steps wait '
                             'for the disk', self.path)
            self._queue.put(item)

    def flush(self):
        """Wait until every queued record is written (or the recording failed)."""
        if self._thread is not None:
            self._queue.join()

    def close(self):
        """Write what is queued, then close the file (idempotent)."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        try:
            self._file.close()
        except OSError as error:
            self._fail(_os_message(self.path, error))

    # ------------------------------------------------------------------ writer thread

    def _fail(self, message: str):
        if self.error is None:
            self.error = message

    def _write_loop(self):
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self.error is None:  # else drain: the stepping side never waits on it
                    self._write(item)
            finally:
                self._queue.task_done()

    def _write(self, item):
        try:
            if item[0] == 'head':
                self._file.write(item[1])
            else:
                self._write_record(*item[1:])
            self._file.flush()
        except OSError as error:
            self._fail(_os_message(self.path, error))
        except Exception as error:  # a bug here must not stall the run either
            self._fail(f'weight recording to {self.path} failed: {error!r}')

    def _write_record(self, layout, time_ns, values):
        if values is None:
            self._file.write(RECORD_HEAD.pack(RECORD_TAG, UNCHANGED, 0, layout.number, time_ns,
                                              0, 0, 0))
            return
        if layout.order is not None:
            values = values[layout.order]
        payload = np.ascontiguousarray(values, dtype=DTYPE)
        data = memoryview(payload).cast('B')
        self._file.write(RECORD_HEAD.pack(RECORD_TAG, FULL, 0, layout.number, time_ns,
                                          data.nbytes, zlib.crc32(data), 0))
        self._file.write(data)


def _os_message(path, error: OSError) -> str:
    cause = error.strerror or str(error)
    return f'weight recording to {path} failed: {cause} (errno {error.errno})'


def _file_header(metadata: dict, masks) -> bytes:
    text = json.dumps(metadata, sort_keys=True).encode('utf-8')
    parts = [FILE_HEAD.pack(MAGIC, FORMAT_VERSION, len(text)), text,
             _padding(FILE_HEAD.size + len(text))]
    for mask in masks:
        packed = np.packbits(mask).tobytes()
        parts += [packed, _padding(len(packed))]
    return b''.join(parts)


# ---------------------------------------------------------------------- reading

@dataclass
class _Record:
    time_ns: int
    offset: int  # payload of the full record this one stands for
    kind: int


class WeightFile:
    """A weight file opened for reading; records are memory-mapped, read on demand.

    Args:
        path: the ``.nbw`` file.
        verify: check the CRC of every full record (the last one is always checked).

    Attributes:
        metadata: the header's JSON.
        projections: name -> the projection's JSON entry.
        ignored_bytes: bytes at the end that do not form a whole record (a cut-off run).

    Raises:
        ValueError: not a weight file, an unknown format version, a header cut short,
            or (with ``verify``) a damaged record.
    """

    def __init__(self, path, verify: bool = False):
        self.path = str(path)
        size = os.path.getsize(self.path)
        with open(self.path, 'rb') as handle:
            head = handle.read(FILE_HEAD.size)
            if len(head) < FILE_HEAD.size or head[:len(MAGIC)] != MAGIC:
                raise ValueError(f'{self.path} is not a neurobot weight file (expected it to '
                                 f'start with {MAGIC!r})')
            _, version, json_size = FILE_HEAD.unpack(head)
            if version != FORMAT_VERSION:
                raise ValueError(f'{self.path} has weight file format {version}; this reader '
                                 f'reads format {FORMAT_VERSION}')
            text = handle.read(json_size)
            if len(text) < json_size:
                raise ValueError(f'{self.path}: header cut short ({size} bytes)')
            self.metadata = json.loads(text.decode('utf-8'))
        offset = FILE_HEAD.size + json_size
        offset += -offset % ALIGN
        self._map = np.memmap(self.path, dtype=np.uint8, mode='r')
        self.projections = {}
        self._masks, self._names = {}, []
        for entry in self.metadata['projections']:
            cells = entry['rows'] * entry['cols']
            packed_size = (cells + 7) // 8
            if offset + packed_size > size:
                raise ValueError(f'{self.path}: header cut short ({size} bytes)')
            packed = np.asarray(self._map[offset:offset + packed_size])
            self._masks[entry['name']] = np.unpackbits(packed, count=cells).astype(bool)
            offset += packed_size + (-packed_size % ALIGN)
            self.projections[entry['name']] = entry
            self._names.append(entry['name'])
        self._records = {name: [] for name in self._names}
        self.ignored_bytes = self._scan(offset, size, verify)

    def _scan(self, offset: int, size: int, verify: bool) -> int:
        last_full = {}
        while offset < size:
            if offset + RECORD_HEAD.size > size:
                break
            tag, kind, _, number, time_ns, nbytes, crc, _ = RECORD_HEAD.unpack(
                bytes(self._map[offset:offset + RECORD_HEAD.size]))
            if tag != RECORD_TAG or kind not in (FULL, UNCHANGED) or number >= len(self._names):
                _log.warning('%s: no record at byte %d; reading stops there', self.path, offset)
                break
            name = self._names[number]
            expected = (self.projections[name]['connections'] * DTYPE.itemsize
                        if kind == FULL else 0)
            if nbytes != expected:
                raise ValueError(f'{self.path}: record at byte {offset} of {name!r} has '
                                 f'{nbytes} bytes, expected {expected}')
            payload = offset + RECORD_HEAD.size
            end = payload + nbytes
            if end > size:
                break  # the last record was cut short
            is_last = end + RECORD_HEAD.size > size
            if kind == FULL and (verify or is_last):
                if zlib.crc32(self._map[payload:end]) != crc:
                    if is_last:
                        break
                    raise ValueError(f'{self.path}: record at byte {offset} of {name!r} is '
                                     f'damaged (CRC mismatch)')
            if kind == FULL:
                last_full[name] = payload
            elif name not in last_full:
                raise ValueError(f'{self.path}: "unchanged" record at byte {offset} of {name!r} '
                                 f'before any full record')
            self._records[name].append(_Record(time_ns, last_full[name], kind))
            offset = end
        return size - offset

    def _entry(self, name):
        if name not in self.projections:
            raise ValueError(f'{self.path} has no projection {name!r}; it records: '
                             f'{", ".join(self._names)}')
        return self.projections[name]

    def __len__(self):
        return max((len(r) for r in self._records.values()), default=0)

    def mask(self, name) -> np.ndarray:
        """The (rows, cols) bool matrix of existing connections."""
        entry = self._entry(name)
        return self._masks[name].reshape(entry['rows'], entry['cols'])

    def times_ms(self, name) -> np.ndarray:
        """Record times of a projection, ms (file order)."""
        self._entry(name)
        return np.asarray([r.time_ns for r in self._records[name]], dtype=np.int64) / NS_PER_MS

    def full_records(self, name) -> int:
        """How many records of a projection carry data (the others were "unchanged")."""
        self._entry(name)
        return sum(r.kind == FULL for r in self._records[name])

    def weights(self, name, index: int) -> np.ndarray:
        """The (rows, cols) weight matrix of record ``index``, NaN where unconnected."""
        entry = self._entry(name)
        dense = np.full(entry['rows'] * entry['cols'], np.nan)
        self._fill(name, index, dense)
        return dense.reshape(entry['rows'], entry['cols'])

    def _fill(self, name, index, dense):
        record = self._records[name][index]
        count = self.projections[name]['connections']
        dense[self._masks[name]] = np.frombuffer(self._map, dtype=DTYPE, count=count,
                                                 offset=record.offset)

    def read(self, name, start: int = 0, stop: int = None):
        """Return (times_ms[n], weights[n, rows, cols]) of records ``start:stop``."""
        entry = self._entry(name)
        indices = range(len(self._records[name]))[start:stop]
        weights = np.full((len(indices), entry['rows'] * entry['cols']), np.nan)
        for row, index in enumerate(indices):
            self._fill(name, index, weights[row])
        return (self.times_ms(name)[start:stop],
                weights.reshape(len(indices), entry['rows'], entry['cols']))

    def summary(self) -> str:
        """A few lines saying what the file holds."""
        lines = [f'{self.path}: {os.path.getsize(self.path):,} bytes, every '
                 f'{self.metadata.get("every_ms", "?")} ms']
        for name, entry in self.projections.items():
            times = self.times_ms(name)
            span = f'{times[0]:g}-{times[-1]:g} ms' if len(times) else 'no records'
            lines.append(f'  {name}: {entry["rows"]}x{entry["cols"]} ({entry["connections"]:,} '
                         f'connections, {entry["units"]}, '
                         f'{"plastic" if entry["plastic"] else "static"}): {len(times)} records '
                         f'({self.full_records(name)} with data), {span}')
        if self.ignored_bytes:
            lines.append(f'  {self.ignored_bytes:,} bytes at the end ignored (the recording was '
                         f'cut short)')
        return '\n'.join(lines)


def read_weight_file(path, projection=None, verify: bool = False) -> dict:
    """Read a weight file into memory.

    Args:
        path: the ``.nbw`` file.
        projection: read only this projection (default: all).
        verify: check every record's CRC.

    Returns:
        projection name -> (times_ms[n], weights[n, rows, cols]), float64 in PyNN units,
        NaN where there is no connection; one matrix per recording time, whether the
        record held data or said "unchanged". Needs n * rows * cols * 8 bytes per
        projection: use :class:`WeightFile` to read a long recording record by record.
    """
    weight_file = WeightFile(path, verify=verify)
    names = list(weight_file.projections) if projection is None else [projection]
    return {name: weight_file.read(name) for name in names}


def main(argv=None) -> int:
    """Print a summary of weight files: ``python -m brain_node.weight_recorder FILE...``."""
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print('usage: python -m brain_node.weight_recorder FILE.nbw...', file=sys.stderr)
        return 2
    code = 0
    for path in paths:
        try:
            print(WeightFile(path, verify=True).summary())
        except (OSError, ValueError) as error:
            print(f'{path}: {error}', file=sys.stderr)
            code = 1
    return code


if __name__ == '__main__':
    sys.exit(main())
