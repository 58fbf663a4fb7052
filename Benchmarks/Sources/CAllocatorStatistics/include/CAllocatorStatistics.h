#ifndef C_ALLOCATOR_STATISTICS_H
#define C_ALLOCATOR_STATISTICS_H

#include <stddef.h>
#include <stdlib.h>  /* defines __GLIBC__ on glibc */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// Bytes the C allocator has handed out and not had back (glibc: mallinfo2's uordblks);
/// 0 where that is not known.
static inline size_t tracez_allocated_bytes(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    return info.uordblks;
#else
    return 0;
#endif
}

#endif
