#pragma once
// One-shot queries for the open collection, off the GUI thread: one QueryEngine per collection
// on a serial executor, opened as soon as the database exists and refreshed before the next
// query whenever ingest has committed images since (so results include images ingested while
// the user works). Only the latest query's answer is delivered.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include <QFuture>
#include <QObject>

#include "core/regions/region.h"
#include "ui/async/serial_executor.h"
#include "ui/query/heat_map.h"
#include "ui/query/result_set.h"

namespace regionlab::ui {

struct QueryRequest {
  int64_t image_id = 0;
  QString image_path;      // relative to the collection
  int64_t region_id = 0;   // a stored region, or 0 with `mask`
  std::optional<Region> mask;  // a mask drawn on the image (e.g. by a click-to-mask model)
};

struct QueryServiceOptions {
  size_t top_k = 50;  // results listed
};

class QueryService : public QObject {
  Q_OBJECT

public:
  QueryService(std::filesystem::path collection_root, QueryServiceOptions options = {}, QObject* parent = nullptr);
  ~QueryService() override;

  // Opens the engine when the database exists; engineReady or engineFailed follow.
  void open();
  // The collection's model choice changed: the engine is opened again with the models it
  // names now (engineReady or engineFailed follow).
  void reopen();
  // Images were committed: the next query refreshes the engine first.
  void markStale();
  // Starts a query; returns its sequence number. queryFinished or queryFailed follow, unless a
  // later query supersedes it.
  int run(const QueryRequest& request);
  int latestSequence() const { return sequence_; }
  bool busy() const { return pending_ > 0; }

  // The similarity heat map of one image for a finished query (off the GUI thread).
  QFuture<Outcome<HeatMap>> heatMap(std::shared_ptr<const ResultSet> results, int64_t image_id);

signals:
  void engineReady(const QString& models_summary, qint64 region_generator_id);
  void engineFailed(const QString& reason);
  void queryStarted(int sequence);
  void queryFinished(std::shared_ptr<const regionlab::ui::ResultSet> results);
  void queryFailed(int sequence, const QString& reason);

private:
  struct EngineState;
  std::shared_ptr<EngineState> state_;
  QueryServiceOptions options_;
  SerialExecutor executor_;
  int sequence_ = 0;
  int pending_ = 0;
};

}  // namespace regionlab::ui
