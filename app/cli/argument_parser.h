#pragma once
// Command-line options of one regionlab-cli command: positionals, --options with a value and
// --flags, each with its help line; `--help` prints them all.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace regionlab::cli {

// A mistake in the command line (exit status 2, with the usage hint).
class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class ArgumentParser {
public:
  ArgumentParser(std::string command, std::string summary);

  ArgumentParser& positional(const std::string& name, const std::string& help);
  ArgumentParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                         const std::string& default_value = "");
  ArgumentParser& flag(const std::string& name, const std::string& help);

  // Returns false when --help was given (the help has been printed). Throws UsageError.
  bool parse(const std::vector<std::string>& args);

  const std::string& get(const std::string& positional_name) const;
  std::optional<std::string> value(const std::string& option_name) const;  // given or defaulted
  bool has(const std::string& option_or_flag) const;                       // given explicitly
  int intValue(const std::string& option_name, int min_value, int max_value) const;
  double doubleValue(const std::string& option_name, double min_value, double max_value) const;

  std::string help() const;

private:
  struct Spec {
    std::string name, value_name, help, default_value;
    bool is_flag = false;
  };
  std::string command_, summary_;
  std::vector<Spec> positionals_, options_;
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> given_;
};

}  // namespace regionlab::cli
