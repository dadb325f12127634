#include "app/cli/argument_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace regionlab::cli {

ArgumentParser::ArgumentParser(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

ArgumentParser& ArgumentParser::positional(const std::string& name, const std::string& help) {
  positionals_.push_back({name, "", help, "", false});
  return *this;
}

ArgumentParser& ArgumentParser::option(const std::string& name, const std::string& value_name, const std::string& help,
                                       const std::string& default_value) {
  options_.push_back({name, value_name, help, default_value, false});
  return *this;
}

ArgumentParser& ArgumentParser::flag(const std::string& name, const std::string& help) {
  options_.push_back({name, "", help, "", true});
  return *this;
}

bool ArgumentParser::parse(const std::vector<std::string>& args) {
  size_t next_positional = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2), inline_value;
      const bool has_inline = name.find('=') != std::string::npos;
      if (has_inline) {
        inline_value = name.substr(name.find('=') + 1);
        name = name.substr(0, name.find('='));
      }
      const auto spec = std::find_if(options_.begin(), options_.end(), [&](const Spec& s) { return s.name == name; });
      if (spec == options_.end()) throw UsageError("unknown option --" + name + " for '" + command_ + "'");
      if (spec->is_flag) {
        if (has_inline) throw UsageError("--" + name + " takes no value");
        given_[name] = true;
        continue;
      }
      if (!has_inline) {
        if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value (" + spec->value_name + ")");
        inline_value = args[++i];
      }
      values_[name] = inline_value;
      given_[name] = true;
      continue;
    }
    if (next_positional >= positionals_.size()) throw UsageError("unexpected argument '" + a + "' for '" + command_ + "'");
    values_[positionals_[next_positional++].name] = a;
  }
  if (next_positional < positionals_.size()) {
    throw UsageError("missing <" + positionals_[next_positional].name + "> for '" + command_ + "'");
  }
  return true;
}

const std::string& ArgumentParser::get(const std::string& positional_name) const { return values_.at(positional_name); }

std::optional<std::string> ArgumentParser::value(const std::string& option_name) const {
  if (const auto it = values_.find(option_name); it != values_.end()) return it->second;
  for (const Spec& s : options_) {
    if (s.name == option_name && !s.default_value.empty()) return s.default_value;
  }
  return std::nullopt;
}

bool ArgumentParser::has(const std::string& option_or_flag) const { return given_.contains(option_or_flag); }

int ArgumentParser::intValue(const std::string& option_name, int min_value, int max_value) const {
  const auto text = value(option_name);
  if (!text) throw UsageError("--" + option_name + " is required");
  int v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) throw UsageError("--" + option_name + " expects a whole number, got '" + *text + "'");
  if (v < min_value || v > max_value) {
    throw UsageError("--" + option_name + " must be between " + std::to_string(min_value) + " and " + std::to_string(max_value));
  }
  return v;
}

double ArgumentParser::doubleValue(const std::string& option_name, double min_value, double max_value) const {
  const auto text = value(option_name);
  if (!text) throw UsageError("--" + option_name + " is required");
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(*text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text->size()) throw UsageError("--" + option_name + " expects a number, got '" + *text + "'");
  if (v < min_value || v > max_value) throw UsageError("--" + option_name + " is out of range");
  return v;
}

std::string ArgumentParser::help() const {
  std::ostringstream s;
  s << "Usage: regionlab-cli " << command_;
  for (const Spec& p : positionals_) s << " <" << p.name << ">";
  if (!options_.empty()) s << " [options]";
  s << "\n\n" << summary_ << "\n";
  if (!positionals_.empty()) {
    s << "\nArguments:\n";
    for (const Spec& p : positionals_) s << "  <" << p.name << ">\n      " << p.help << "\n";
  }
  s << "\nOptions:\n";
  for (const Spec& o : options_) {
    s << "  --" << o.name;
    if (!o.is_flag) s << " " << o.value_name;
    s << "\n      " << o.help;
    if (!o.default_value.empty()) s << " (default: " << o.default_value << ")";
    s << "\n";
  }
  s << "  --help\n      Show this help.\n";
  return s.str();
}

}  // namespace regionlab::cli
