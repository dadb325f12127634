// regionlab-texture-words OUTPUT.drq — run by the build: trains the shipped texture vocabulary
// (texture_vocabulary.h) and writes it as a DRQ codebook file, which the build then compiles
// into regionlab_core (texture_words.h). Takes a few seconds.
#include <chrono>
#include <cstdio>
#include <exception>

#include "core/features/texture_vocabulary.h"
#include "core/quantization/codebook_file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: regionlab-texture-words OUTPUT.drq\n");
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    // Exact encoding only: without the lookup tables the vocabulary is a few tens of KiB.
    const regionlab::DrqCodebook codebook = regionlab::trainTextureVocabulary().withoutLookupTables();
    regionlab::writeCodebookFile(codebook, argv[1]);
    std::printf("texture vocabulary: %u words, id %s, %.1f s\n", codebook.bookSize(0), codebook.id().substr(0, 12).c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "regionlab-texture-words: %s\n", e.what());
    return 1;
  }
  return 0;
}
