// The processor's prefetch hint, which Swift has no word for: a read of memory that is
// started now and never waited on, so that a later read finds the bytes in the cache.
#ifndef DUN_CPREFETCH_SHIM_H
#define DUN_CPREFETCH_SHIM_H

/// Starts reading the byte `offset` bytes after `base`.
static inline void dun_prefetch(const void *base, long offset) {
    __builtin_prefetch((const char *)base + offset, 0, 3);
}

#endif
