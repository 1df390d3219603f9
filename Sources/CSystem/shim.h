// What Swift's modules of the C library have no word for: the processor's prefetch hint, and
// Linux's flush of one file system.
#ifndef DUN_CSYSTEM_SHIM_H
#define DUN_CSYSTEM_SHIM_H

#include <unistd.h>

/// Starts reading the byte `offset` bytes after `base`.
static inline void dun_prefetch(const void *base, long offset) {
    __builtin_prefetch((const char *)base + offset, 0, 3);
}

#if defined(__linux__)
// Declared by <unistd.h> only under _GNU_SOURCE, which Swift's Glibc module is not built with.
int syncfs(int fd);
#endif

/// Writes to disk everything written to the file system that holds the open file `fd`, and
/// waits for it: one call for any number of files, where fsync takes one each. Elsewhere than
/// Linux, every file system. 0 on success, else -1 and errno.
static inline int dun_sync_file_system(int fd) {
#if defined(__linux__)
    return syncfs(fd);
#else
    (void)fd;
    sync();
    return 0;
#endif
}

#endif
