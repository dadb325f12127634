#pragma once
// regionlab-bench subcommands. Each measures real work on real or generated data and prints
// its figures with ratios against a baseline measured in the same run (never hard-coded).
#include <string>
#include <vector>

namespace regionlab::bench {

struct Benchmark {
  const char* name;
  const char* usage;  // arguments after the name
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

int benchIngest(const std::vector<std::string>& args);
int benchPool(const std::vector<std::string>& args);
int benchDinov2(const std::vector<std::string>& args);
int benchTextureWords(const std::vector<std::string>& args);
int benchDrq(const std::vector<std::string>& args);
int benchLearning(const std::vector<std::string>& args);
int benchSam(const std::vector<std::string>& args);
int benchSamEncoder(const std::vector<std::string>& args);

const std::vector<Benchmark>& benchmarks();

}  // namespace regionlab::bench
