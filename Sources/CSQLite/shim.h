// The system's SQLite (libsqlite3-dev), and the one thing Swift 6 cannot import from it:
// SQLITE_TRANSIENT is a cast of -1 to a function pointer, a macro Swift does not see.
#ifndef DUN_CSQLITE_SHIM_H
#define DUN_CSQLITE_SHIM_H

#include <sqlite3.h>

/// Tells sqlite3_bind_text to copy the bytes, so that Swift may free them once it returns.
static inline sqlite3_destructor_type dun_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
