#!/usr/bin/env python3
"""Usage: tests/ref/ckpt_relative_data.py CKPT DIR -- a fixture checkpoint names its data folder
relative to the repository, not as the absolute path of the machine that trained it."""
import struct, sys, zlib
# Rewrites the "config" record's data line of a version-1 ftlab checkpoint (src/checkpoint.h)
# to a path relative to the repository, and recomputes the trailing CRC-32.
path, new = sys.argv[1], sys.argv[2]
d = bytearray(open(path, 'rb').read())
assert d[:8] == b'FTLABCKP'
count = struct.unpack_from('<I', d, 12)[0]
off, out = 16, bytearray(d[:16])
for _ in range(count):
    n = struct.unpack_from('<I', d, off)[0]; name = bytes(d[off+4:off+4+n])
    tag, ndim = struct.unpack_from('<II', d, off+4+n)
    p = off + 12 + n; shape = struct.unpack_from('<%dQ' % ndim, d, p); p += 8*ndim
    nb = struct.unpack_from('<Q', d, p)[0]; p += 8
    data = bytes(d[p:p+nb])
    if name == b'config':
        lines = [("data " + new) if l.startswith("data ") else l for l in data.decode().split("\n")]
        data = "\n".join(lines).encode(); shape = (len(data),)
    out += struct.pack('<I', n) + name + struct.pack('<II', tag, ndim) + struct.pack('<%dQ' % ndim, *shape) + struct.pack('<Q', len(data)) + data
    off = p + nb
out += struct.pack('<I', zlib.crc32(bytes(out)) & 0xffffffff)
open(path, 'wb').write(out)
