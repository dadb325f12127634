#include "ui/clusters/cluster_page.h"

#include <algorithm>
#include <chrono>

#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QThreadPool>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/base/error.h"
#include "core/index/region_vector_set.h"
#include "core/pipeline/active_models.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "ui/async/outcome.h"
#include "ui/clusters/region_crops.h"

namespace regionlab::ui {
namespace {

constexpr int kRegionRole = Qt::UserRole + 1;
constexpr int kImageRole = Qt::UserRole + 2;
constexpr int kClusterRole = Qt::UserRole + 3;

// "1 region" / "12 regions" (no translation files: Qt's %n plurals need one).
QString regionCount(qsizetype n) { return n == 1 ? ClusterPage::tr("1 region") : ClusterPage::tr("%1 regions").arg(n); }

struct Clustering {
  std::shared_ptr<const RegionClusters> clusters;
  double seconds = 0;
  bool built = false;
};

// The clustering the CLI's `clusters` command makes (app/cli/command_clusters.cpp): the active
// descriptor's vectors, RegionClusters::build (or load). The DRC build itself cannot be
// interrupted; a cancel is honoured before it starts (vectors are read first) and its result
// dropped after.
Clustering runClustering(const std::filesystem::path& root, uint32_t k, bool load_stored, const std::atomic<bool>& cancel) {
  const auto start = std::chrono::steady_clock::now();
  const CollectionPaths paths(root);
  if (!paths.hasDatabase()) throw Error(paths.root, "not ingested yet: no regions to cluster");
  auto db = Database::open(paths.database);
  const ActiveModels models = resolveActiveModels(*db, {}, false);
  RegionVectorSet vectors(models.descriptor->dim());
  vectors.appendFromDatabase(*db, models.descriptor_id);
  if (cancel) throw Error("clustering cancelled");
  Clustering out;
  if (load_stored) {
    if (auto stored = RegionClusters::load(*db, models.descriptor_id, vectors)) {
      out.clusters = std::make_shared<RegionClusters>(std::move(*stored));
    }
  }
  if (!out.clusters) {
    ClusteringOptions options;
    options.k = k;
    out.clusters = std::make_shared<RegionClusters>(RegionClusters::build(*db, models.descriptor_id, vectors, options));
    out.built = true;
  }
  if (cancel) throw Error("clustering cancelled");
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace

ClusterPage::ClusterPage(std::filesystem::path collection_root, QWidget* parent) : QWidget(parent), root_(std::move(collection_root)) {
  setObjectName(QStringLiteral("clusterPage"));
  setWindowTitle(tr("Region clusters"));
  k_ = new QSpinBox(this);
  k_->setObjectName(QStringLiteral("clusterK"));
  k_->setRange(1, 32768);
  k_->setValue(50);
  k_->setPrefix(tr("K = "));
  k_->setToolTip(tr("Number of clusters"));
  run_ = new QPushButton(tr("&Cluster"), this);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  bar_ = new QProgressBar(this);
  bar_->setRange(0, 1);
  bar_->setTextVisible(false);
  bar_->setMaximumWidth(160);
  status_ = new QLabel(tr("Group similar regions, then label a whole cluster at once."), this);
  status_->setObjectName(QStringLiteral("clusterStatus"));
  status_->setWordWrap(true);

  clusters_ = new QListWidget(this);
  clusters_->setObjectName(QStringLiteral("clusterList"));
  regions_ = new QListWidget(this);
  regions_->setObjectName(QStringLiteral("clusterRegions"));
  regions_->setViewMode(QListView::IconMode);
  regions_->setIconSize(QSize(112, 112));
  regions_->setGridSize(QSize(122, 128));
  regions_->setResizeMode(QListView::Adjust);
  regions_->setMovement(QListView::Static);
  regions_->setUniformItemSizes(true);
  regions_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  select_all_ = new QPushButton(tr("Select &all"), this);
  label_ = new QPushButton(this);
  label_->setObjectName(QStringLiteral("clusterLabel"));

  auto* top = new QHBoxLayout;
  top->addWidget(k_);
  top->addWidget(run_);
  top->addWidget(cancel_);
  top->addWidget(bar_);
  top->addWidget(status_, 1);
  auto* right = new QWidget(this);
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(regions_, 1);
  auto* actions = new QHBoxLayout;
  actions->addWidget(select_all_);
  actions->addWidget(label_);
  actions->addStretch(1);
  right_layout->addLayout(actions);
  auto* split = new QSplitter(this);
  split->addWidget(clusters_);
  split->addWidget(right);
  split->setStretchFactor(1, 3);
  split->setSizes({200, 700});
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 1);
  resize(960, 640);

  connect(run_, &QPushButton::clicked, this, [this] { cluster(false); });
  connect(cancel_, &QPushButton::clicked, this, &ClusterPage::cancel);
  connect(select_all_, &QPushButton::clicked, this, &ClusterPage::selectAllRegions);
  connect(label_, &QPushButton::clicked, this, &ClusterPage::labelSelected);
  connect(clusters_, &QListWidget::currentRowChanged, this, &ClusterPage::showCluster);
  connect(regions_, &QListWidget::itemSelectionChanged, this, &ClusterPage::updateLabelButton);
  updateLabelButton();
}

ClusterPage::~ClusterPage() {
  if (cancel_flag_) cancel_flag_->store(true);
  // The tasks hold only copies; their continuations die with the page (context `this`).
  pool_.waitForDone();
}

void ClusterPage::setCurrentClassName(const QString& name) {
  class_name_ = name;
  updateLabelButton();
}

void ClusterPage::updateLabelButton() {
  const int n = int(regions_->selectedItems().size());
  label_->setText(class_name_.isEmpty() ? tr("Label selected (no class: create one first)")
                                        : tr("Label %1 as \"%2\"").arg(regionCount(n), class_name_));
  label_->setEnabled(n > 0 && !class_name_.isEmpty());
}

void ClusterPage::setRunning(bool running, const QString& text) {
  running_ += running ? 1 : -1;
  bar_->setRange(0, running_ > 0 ? 0 : 1);
  bar_->setValue(running_ > 0 ? 0 : 1);
  cancel_->setEnabled(running_ > 0);
  run_->setEnabled(running_ == 0);
  if (!text.isEmpty()) status_->setText(text);
}

void ClusterPage::cluster(bool load_stored) {
  if (running_ > 0) return;
  cancel_flag_ = std::make_shared<std::atomic<bool>>(false);
  setRunning(true, load_stored ? tr("Reading the stored clusters…") : tr("Clustering every region into %1 clusters…").arg(k_->value()));
  const uint32_t k = uint32_t(k_->value());
  QtConcurrent::run(&pool_, [root = root_, k, load_stored, cancel = cancel_flag_] { return guarded([&] { return runClustering(root, k, load_stored, *cancel); }); })
      .then(this, [this](const Outcome<Clustering>& outcome) {
        setRunning(false, {});
        if (!outcome.ok()) {
          status_->setText(tr("Clustering failed: %1").arg(outcome.error));
          emit failed(outcome.error);
          return;
        }
        showClusters(outcome.value->clusters, outcome.value->seconds, outcome.value->built);
      });
}

void ClusterPage::cancel() {
  if (cancel_flag_) cancel_flag_->store(true);
  status_->setText(tr("cancelling…"));
}

void ClusterPage::showClusters(const std::shared_ptr<const RegionClusters>& clusters, double seconds, bool built) {
  shown_ = clusters;
  clusters_->clear();
  regions_->clear();
  for (const uint32_t c : clusters->clustersBySize()) {
    const size_t size = clusters->members(c).size();
    if (size == 0) continue;
    auto* item = new QListWidgetItem(tr("Cluster %1 — %2").arg(c).arg(regionCount(qsizetype(size))), clusters_);
    item->setData(kClusterRole, c);
  }
  status_->setText(tr("%1 regions in %2 clusters, %3 in %4 s")
                       .arg(clusters->regionCount())
                       .arg(clusters_->count())
                       .arg(built ? tr("clustered") : tr("loaded"))
                       .arg(seconds, 0, 'f', 2));
  emit clustersReady(clusters_->count());
  if (clusters_->count() > 0) clusters_->setCurrentRow(0);
}

void ClusterPage::showCluster(int list_row) {
  regions_->clear();
  if (!shown_ || list_row < 0) return;
  const uint32_t c = clusters_->item(list_row)->data(kClusterRole).toUInt();
  std::vector<int64_t> ids;
  for (const ClusterMember& m : shown_->members(c)) {
    if (int(ids.size()) >= kPageSize) break;
    ids.push_back(m.region_id);
  }
  const int generation = ++page_generation_;
  setRunning(true, {});
  QtConcurrent::run(&pool_, [root = root_, ids] {
    return guarded([&] {
      auto db = Database::open(CollectionPaths(root).database, Database::Access::ReadOnly);
      return renderRegionCrops(*db, root, ids);
    });
  }).then(this, [this, generation, c](const Outcome<std::vector<RegionCrop>>& outcome) {
    setRunning(false, {});
    if (generation != page_generation_) return;  // another cluster was selected meanwhile
    if (!outcome.ok()) {
      status_->setText(tr("Cannot show cluster %1: %2").arg(c).arg(outcome.error));
      return;
    }
    for (const RegionCrop& crop : *outcome.value) {
      auto* item = new QListWidgetItem(regions_);
      item->setIcon(QIcon(QPixmap::fromImage(crop.image)));
      item->setData(kRegionRole, qint64(crop.region_id));
      item->setData(kImageRole, qint64(crop.image_id));
      item->setToolTip(crop.error.isEmpty() ? tr("region %1").arg(crop.region_id) : crop.error);
    }
    updateLabelButton();
    emit pageReady(regions_->count());
  });
}

void ClusterPage::selectAllRegions() { regions_->selectAll(); }

void ClusterPage::labelSelected() {
  std::vector<int64_t> regions, images;
  for (QListWidgetItem* item : regions_->selectedItems()) {
    regions.push_back(item->data(kRegionRole).toLongLong());
    const int64_t image = item->data(kImageRole).toLongLong();
    if (std::find(images.begin(), images.end(), image) == images.end()) images.push_back(image);
  }
  if (regions.empty() || class_name_.isEmpty()) return;
  emit labelRequested(regions, images);
}

void ClusterPage::showLabeled(int regions, const QString& class_name) {
  status_->setText(tr("Labeled %1 as \"%2\" (Ctrl+Z undoes it).").arg(regionCount(regions), class_name));
}

}  // namespace regionlab::ui
