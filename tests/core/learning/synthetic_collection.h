#pragma once
// A collection database written directly (no images decoded): images with regions whose vectors
// the test chooses, so learning behaviour can be checked against a known concept.
#include <QTemporaryDir>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include <opencv2/core.hpp>

#include "core/index/region_vector_set.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab::test {

class SyntheticCollection {
public:
  static constexpr int kDim = 8;
  static constexpr int kSide = 8;  // images are kSide × kSide; region k covers row k

  SyntheticCollection() : paths(dir.path().toStdString()) {
    paths.createDataDirs();
    db = Database::open(paths.database);
    generator = db->ensureModel("region_generator", "test-rows", "test", 0);
    descriptor = db->ensureModel("descriptor", "test-vectors", "test", kDim);
  }

  // An image whose region k has vectors[k]; returns the region ids.
  std::vector<int64_t> addImage(const std::string& name, const std::vector<std::vector<float>>& vectors) {
    ImageRecord r;
    r.path = name;
    r.width = r.height = r.orig_width = r.orig_height = kSide;
    r.status = ImageStatus::Done;
    Database::Transaction t(*db);
    const int64_t image = db->writeImage(r);
    std::vector<Region> regions;
    std::vector<float> flat;
    for (size_t k = 0; k < vectors.size(); ++k) {
      cv::Mat m = cv::Mat::zeros(kSide, kSide, CV_8U);
      m.row(int(k % kSide)) = 1;
      regions.push_back(makeRegion(encodeMask(m)));
      flat.insert(flat.end(), vectors[k].begin(), vectors[k].end());
    }
    const auto ids = db->writeRegions(image, generator, regions);
    db->writeRegionVectors(descriptor, ids, flat.data(), kDim);
    t.commit();
    image_ids.push_back(image);
    return ids;
  }

  RegionVectorSet loadVectors() {
    RegionVectorSet v(kDim);
    v.appendFromDatabase(*db, descriptor);
    return v;
  }

  // Unit vector along `centre` plus Gaussian noise.
  std::vector<float> around(std::vector<float> centre, float spread) {
    std::normal_distribution<float> noise(0.f, spread);
    double n = 0;
    for (float& x : centre) {
      x += noise(rng);
      n += double(x) * x;
    }
    for (float& x : centre) x = float(x / std::sqrt(n));
    return centre;
  }
  static std::vector<float> axes(std::initializer_list<int> ks) {
    std::vector<float> v(kDim, 0.f);
    for (const int k : ks) v[size_t(k)] = 1.f;
    return v;
  }

  QTemporaryDir dir;
  CollectionPaths paths;
  std::unique_ptr<Database> db;
  int64_t generator = 0, descriptor = 0;
  std::vector<int64_t> image_ids;
  std::mt19937 rng{42};
};

}  // namespace regionlab::test
