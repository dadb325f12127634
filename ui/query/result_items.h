#pragma once
// A ranked hit as the results list shows it: its image, the matched region's box and outline
// (traced for thumbnails), read from the database. Shared by the one-shot search (QueryService)
// and the concept's classifier ranking ("find more", re-ranking; LabelService).
#include <cstdint>
#include <string>

#include "ui/query/result_set.h"

namespace regionlab {
class Database;
}

namespace regionlab::ui {

// `path` relative to the collection; empty: read from the database.
ResultItem readResultItem(Database& db, int64_t image_id, const std::string& path, int64_t region_id, float score);

}  // namespace regionlab::ui
