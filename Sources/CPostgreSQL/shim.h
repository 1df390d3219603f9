// The system's libpq (libpq-dev), PostgreSQL's client library: a workspace's tables read
// from a database with COPY (DunModel/Postgres).
#ifndef DUN_CPOSTGRESQL_SHIM_H
#define DUN_CPOSTGRESQL_SHIM_H

#include <libpq-fe.h>

#endif
