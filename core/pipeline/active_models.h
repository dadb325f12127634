#pragma once
// Which region generator and descriptor a collection uses. An explicit choice (CLI flag, GUI
// menu) wins and is remembered in the collection's settings; otherwise the remembered choice;
// otherwise the embedded default, which needs no model weights. The summary line says which
// is active, so the UI and CLI never leave the user guessing.
#include <cstdint>
#include <memory>
#include <string>

#include "core/features/feature_extractor.h"
#include "core/regions/region_generator.h"

namespace regionlab {

class Database;

struct ModelChoice {
  std::string region_generator;  // empty: the collection's setting, else "default"
  std::string descriptor;        // empty: the collection's setting, else "classical"
  // Device, precision, token budget of a network descriptor (not remembered: a run-time choice).
  FeatureExtractorOptions descriptor_options;
};

struct ActiveModels {
  std::unique_ptr<RegionGenerator> generator;
  std::unique_ptr<FeatureExtractor> descriptor;
  int64_t generator_id = 0;   // rows in the database's models table
  int64_t descriptor_id = 0;

  bool usesEmbeddedDefault() const;
  // "embedded default — no model weights (regions: …; descriptor: …)" or the models' names.
  std::string summary() const;
};

inline constexpr const char* kRegionGeneratorSetting = "region_generator";
inline constexpr const char* kDescriptorSetting = "descriptor";

// Creates the models and registers them in the database. Throws Error when a chosen model is
// unknown or its weights are missing. With remember, an explicit choice is saved as the
// collection's setting.
ActiveModels resolveActiveModels(Database& db, const ModelChoice& choice, bool remember);

}  // namespace regionlab
