#pragma once
// Reading and writing the JSON label files with errors a user can act on: a syntax error names
// the line and column, a content error names the field ("annotations[12].segmentation"), both
// with the file. Internal to core/io (keeps nlohmann out of the public headers).
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace regionlab::io {

// Throws Error(file, "invalid JSON at line L, column C: …") or Error(file, "cannot read …").
nlohmann::json readJsonFile(const std::filesystem::path& file);
// Writes to a temporary file beside it and renames, so a reader never sees half a file.
void writeJsonFile(const std::filesystem::path& file, const nlohmann::json& value, int indent = -1);
// Writes bytes the same way (PNG, text).
void writeFileAtomically(const std::filesystem::path& file, const std::string& bytes);

[[noreturn]] void throwFieldError(const std::filesystem::path& file, const std::string& field, const std::string& reason);

// Typed field access: throws Error(file, "<field>: missing" / "<field>: expected a number, got …").
const nlohmann::json& requireField(const std::filesystem::path& file, const nlohmann::json& object, const std::string& key,
                                   const std::string& where);
int64_t requireInt(const std::filesystem::path& file, const nlohmann::json& object, const std::string& key, const std::string& where);
double requireNumber(const std::filesystem::path& file, const nlohmann::json& object, const std::string& key, const std::string& where);
std::string requireString(const std::filesystem::path& file, const nlohmann::json& object, const std::string& key,
                          const std::string& where);
const nlohmann::json& requireArray(const std::filesystem::path& file, const nlohmann::json& object, const std::string& key,
                                   const std::string& where);

}  // namespace regionlab::io
