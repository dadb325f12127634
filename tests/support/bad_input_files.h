#pragma once
// A folder mixing good images with every kind of bad input a real photo folder holds, for the
// decoder and ingest tests.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab::test {

struct CorpusFile {
  std::string name;
  bool should_ingest = false;
  std::string reason_contains;  // for bad files: a fragment the error message must contain
};

// Writes the corpus into dir and returns what each file is. Good: plain JPEG and PNG, a 16-bit
// PNG, a grey PNG with alpha, an EXIF-rotated JPEG (orientation 6) and a name with spaces and
// non-ASCII characters. Bad: a truncated JPEG, a zero-byte file, a text file named .jpg.
// (The unreadable-by-permissions file is made by the tests that can use it: root reads anything.)
std::vector<CorpusFile> writeBadInputCorpus(const std::filesystem::path& dir);

// A PNG of colour type 4 (8-bit grey + alpha); grey and alpha are CV_8U of the same size.
std::vector<unsigned char> greyAlphaPng(const cv::Mat& grey, const cv::Mat& alpha);

// JPEG bytes with an EXIF APP1 segment carrying the given orientation inserted after SOI.
std::vector<unsigned char> jpegWithOrientation(const std::vector<unsigned char>& jpeg, int orientation);

}  // namespace regionlab::test
