#include "core/io/json_file.h"

#include <fstream>
#include <sstream>

#include "core/base/error.h"

namespace regionlab::io {

namespace fs = std::filesystem;

namespace {

std::string describe(const nlohmann::json& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(v.type_name()) + " " + text;
}

std::string joinField(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

}  // namespace

nlohmann::json readJsonFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file, "cannot open the file for reading");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Byte offset → line and column, which is what an editor shows.
    const size_t offset = std::min(text.size(), e.byte == 0 ? size_t(0) : size_t(e.byte - 1));
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    std::string reason = e.what();
    if (const auto p = reason.find("syntax error"); p != std::string::npos) reason = reason.substr(p);
    throw Error(file, "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + reason);
  }
}

void writeFileAtomically(const fs::path& file, const std::string& bytes) {
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  const fs::path temp = file.string() + ".partial";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(file, "cannot create the file (is the folder writable?)");
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(temp);
      throw Error(file, "write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(temp, file, ec);
  if (ec) {
    fs::remove(temp);
    throw Error(file, "cannot move the written file into place: " + ec.message());
  }
}

void writeJsonFile(const fs::path& file, const nlohmann::json& value, int indent) { writeFileAtomically(file, value.dump(indent) + "\n"); }

void throwFieldError(const fs::path& file, const std::string& field, const std::string& reason) { throw Error(file, field + ": " + reason); }

const nlohmann::json& requireField(const fs::path& file, const nlohmann::json& object, const std::string& key, const std::string& where) {
  if (!object.is_object()) throwFieldError(file, where.empty() ? "(top level)" : where, "expected an object, got " + describe(object));
  const auto it = object.find(key);
  if (it == object.end()) throwFieldError(file, joinField(where, key), "missing");
  return *it;
}

int64_t requireInt(const fs::path& file, const nlohmann::json& object, const std::string& key, const std::string& where) {
  const nlohmann::json& v = requireField(file, object, key, where);
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_number_float() && double(int64_t(v.get<double>())) == v.get<double>()) return int64_t(v.get<double>());
  throwFieldError(file, joinField(where, key), "expected a whole number, got " + describe(v));
}

double requireNumber(const fs::path& file, const nlohmann::json& object, const std::string& key, const std::string& where) {
  const nlohmann::json& v = requireField(file, object, key, where);
  if (!v.is_number()) throwFieldError(file, joinField(where, key), "expected a number, got " + describe(v));
  return v.get<double>();
}

std::string requireString(const fs::path& file, const nlohmann::json& object, const std::string& key, const std::string& where) {
  const nlohmann::json& v = requireField(file, object, key, where);
  if (!v.is_string()) throwFieldError(file, joinField(where, key), "expected a string, got " + describe(v));
  return v.get<std::string>();
}

const nlohmann::json& requireArray(const fs::path& file, const nlohmann::json& object, const std::string& key, const std::string& where) {
  const nlohmann::json& v = requireField(file, object, key, where);
  if (!v.is_array()) throwFieldError(file, joinField(where, key), "expected an array, got " + describe(v));
  return v;
}

}  // namespace regionlab::io
