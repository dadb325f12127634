#pragma once
// Thin RAII over the SQLite C API, used only inside core/storage (the Database class is the one
// place that writes SQL). Errors become Error(database file, SQLite's message).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace regionlab {

class SqliteStatement {
public:
  SqliteStatement(sqlite3* db, const std::string& sql, const std::filesystem::path& file);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, const std::string& value);
  SqliteStatement& bind(int index, std::span<const uint8_t> blob);
  SqliteStatement& bindNull(int index);
  SqliteStatement& bind(int index, int value) { return bind(index, int64_t(value)); }

  // Returns true while a row is available; false when done. Throws on error.
  bool step();
  // Runs to completion (for statements without results).
  void run();
  void reset();  // clears bindings too

  int64_t columnInt(int index) const;
  double columnDouble(int index) const;
  std::string columnText(int index) const;
  std::vector<uint8_t> columnBlob(int index) const;
  std::span<const uint8_t> columnBlobView(int index) const;  // valid until the next step()
  bool columnIsNull(int index) const;

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::filesystem::path file_;
};

class SqliteConnection {
public:
  enum class Mode { ReadWriteCreate, ReadWrite, ReadOnly };
  SqliteConnection(const std::filesystem::path& file, Mode mode);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void exec(const std::string& sql);
  SqliteStatement prepare(const std::string& sql) { return SqliteStatement(db_, sql, file_); }
  int64_t lastInsertId() const;
  int changes() const;
  sqlite3* handle() const { return db_; }
  const std::filesystem::path& file() const { return file_; }

private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

}  // namespace regionlab
