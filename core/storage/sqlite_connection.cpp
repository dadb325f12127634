#include "core/storage/sqlite_connection.h"

#include <sqlite3.h>

#include <cstring>

#include "core/base/error.h"

namespace regionlab {
namespace {

// SQLite's message plus, for I/O failures, what the operating system said (a full disk shows as
// "No space left on device" rather than a bare "disk I/O error").
std::string describe(sqlite3* db, int rc) {
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xff;
  const bool io_failure = primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN ||
                          message.find("I/O error") != std::string::npos;
  if (db && io_failure) {
    if (const int err = sqlite3_system_errno(db); err != 0) {
      message += std::string(" (") + std::strerror(err) + ")";
    } else {
      message += " (check free disk space and write permission; every committed image is kept)";
    }
  }
  if (primary == SQLITE_FULL) message = "disk full: " + message;
  return message;
}

[[noreturn]] void fail(sqlite3* db, int rc, const std::filesystem::path& file, const std::string& context) {
  throw Error(file, context + describe(db, rc));
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, const std::string& sql, const std::filesystem::path& file) : db_(db), file_(file) {
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, file, "database error: ");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), int(value.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, std::span<const uint8_t> blob) {
  sqlite3_bind_blob(stmt_, index, blob.data(), int(blob.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, file_, "database error: ");
}

void SqliteStatement::run() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStatement::columnInt(int index) const { return sqlite3_column_int64(stmt_, index); }
double SqliteStatement::columnDouble(int index) const { return sqlite3_column_double(stmt_, index); }
std::string SqliteStatement::columnText(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text), size_t(sqlite3_column_bytes(stmt_, index))) : std::string();
}
std::span<const uint8_t> SqliteStatement::columnBlobView(int index) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, index));
  return {data, data ? size_t(sqlite3_column_bytes(stmt_, index)) : 0};
}
std::vector<uint8_t> SqliteStatement::columnBlob(int index) const {
  const auto view = columnBlobView(index);
  return {view.begin(), view.end()};
}
bool SqliteStatement::columnIsNull(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

SqliteConnection::SqliteConnection(const std::filesystem::path& file, Mode mode) : file_(file) {
  int flags = SQLITE_OPEN_NOMUTEX;  // one connection per thread
  switch (mode) {
    case Mode::ReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case Mode::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
  }
  const int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(file, "cannot open database: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another process (the CLI beside the GUI) may hold the write lock for one image's transaction.
  sqlite3_busy_timeout(db_, 10000);
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(db_); }

void SqliteConnection::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    throw Error(file_, "database error: " + describe(db_, rc));
  }
}

int64_t SqliteConnection::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteConnection::changes() const { return sqlite3_changes(db_); }

}  // namespace regionlab
