#pragma once
// The collection database's schema as a list of forward migrations. Version N is reached by
// applying migrations 1..N in order, each in its own transaction, so a database from any earlier
// RegionLab opens in a later one; a database from a later RegionLab is refused rather than
// misread.
#include <string>
#include <vector>

namespace regionlab {

class SqliteConnection;

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& schemaMigrations();
int latestSchemaVersion();

// 0 for a database without RegionLab tables.
int readSchemaVersion(SqliteConnection& db);
// Applies the missing migrations up to target_version (default: latest). Throws Error when the
// database is newer than this build or a migration fails (that migration is rolled back).
void migrateSchema(SqliteConnection& db, int target_version = -1);

}  // namespace regionlab
