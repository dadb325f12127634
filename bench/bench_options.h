#pragma once
// Minimal "--name value" parsing for the benchmarks.
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace regionlab::bench {

inline std::string optionValue(const std::vector<std::string>& args, const std::string& name, const std::string& fallback) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--" + name) return args[i + 1];
  }
  return fallback;
}

inline int intOption(const std::vector<std::string>& args, const std::string& name, int fallback) {
  return std::stoi(optionValue(args, name, std::to_string(fallback)));
}

// "--name a,b,c" → {a, b, c}.
inline std::vector<std::string> listOption(const std::vector<std::string>& args, const std::string& name, const std::string& fallback) {
  std::vector<std::string> items;
  std::stringstream list(optionValue(args, name, fallback));
  for (std::string item; std::getline(list, item, ',');) items.push_back(item);
  return items;
}

inline bool hasFlag(const std::vector<std::string>& args, const std::string& name) {
  for (const auto& a : args) {
    if (a == "--" + name) return true;
  }
  return false;
}

}  // namespace regionlab::bench
