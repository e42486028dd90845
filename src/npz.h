/*
 * npz — NumPy .npz archives (numpy.savez, savez_compressed): a zip of .npy
 * members, read through libzip (stored and deflated members, zip64), each
 * member parsed by npy_read_mem.
 *
 * A member is read in growing chunks, so memory follows the bytes that
 * decompress, never a size the archive claims; libzip checks each member's
 * CRC-32. Errors follow util.h: -1 and one line "ARCHIVE: member: problem".
 */
#ifndef FTLAB_NPZ_H
#define FTLAB_NPZ_H

#include <stddef.h>

#include "npy.h"

struct npz;

/* Opens an archive file / a buffer (the buffer must outlive the archive; name is for messages). */
int npz_open(const char *path, struct npz **out, char *err);
int npz_open_mem(const void *buf, size_t len, const char *name, struct npz **out, char *err);
/* True when the archive holds array `name` (member "name.npy"). */
int npz_has(struct npz *z, const char *name);
/* Reads array `name` whole; on failure *out is empty. */
int npz_read(struct npz *z, const char *name, struct npy *out, char *err);
void npz_close(struct npz *z);

#endif
