"""Unit test of the removal of orphaned Fast DDS segments (in a temporary directory)."""

import fcntl

from neurobot.shm_cleanup import remove_orphaned_segments


def test_only_segments_without_a_live_owner_are_removed(tmp_path):
    live, orphan = 'fastdds_00000000000000aa', 'fastdds_00000000000000bb'
    for name in (live, orphan):
        (tmp_path / name).write_bytes(b'x' * 100)
        (tmp_path / f'{name}_el').write_bytes(b'')
    (tmp_path / 'fastdds_port7411').write_bytes(b'port')  # ports are left alone
    with open(tmp_path / f'{live}_el') as owner:
        fcntl.flock(owner, fcntl.LOCK_EX)  # what a live participant holds
        assert remove_orphaned_segments(tmp_path) == (1, 100)
    assert (tmp_path / live).exists() and (tmp_path / f'{live}_el').exists()
    assert not (tmp_path / orphan).exists() and not (tmp_path / f'{orphan}_el').exists()
    assert (tmp_path / 'fastdds_port7411').exists()
    assert remove_orphaned_segments(tmp_path / 'missing') == (0, 0)
