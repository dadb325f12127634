#pragma once
// RegionLab's main window: the collection browser (left), the image viewer (centre), results
// and labels (right), jobs (bottom). It wires the per-collection services to the views and
// owns the actions (with their shortcuts), the undo stack and the settings. No algorithm runs
// here and nothing here blocks: ingest, queries, database reads and writes, image decoding and
// thumbnails all run on other threads and report back through signals and futures.
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

#include <QFuture>
#include <QMainWindow>
#include <QPointer>

#include "core/learning/auto_label_job.h"
#include "core/learning/concept_session.h"
#include "core/pipeline/ingest_job.h"
#include "core/storage/label_store.h"
#include "ui/async/outcome.h"
#include "ui/query/result_set.h"
#include "ui/sam/sam_checkpoint.h"
#include "ui/viewer/image_document.h"

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QProgressBar;
class QSettings;
class QSlider;
class QUndoStack;

namespace regionlab::ui {

class CollectionBrowser;
class ClusterPage;
class CollectionSession;
class ImageViewer;
class IndexBuildRunner;
struct IndexBuildReport;
class JobsPanel;
class LabelsPanel;
class ResultsPanel;
class SamPromptController;
struct ConceptPage;
struct Reranking;
struct IngestOutcome;

struct MainWindowOptions {
  // Settings file (INI); empty: the user's settings (QSettings' default place).
  QString settings_file;
  // Reopen the last collection at start when no folder is given.
  bool reopen_last_collection = true;
  IngestOptions ingest;
  // The click-to-mask model of the viewer's SAM prompt mode; unset: found per collection
  // (ui/sam/sam_checkpoint.h: the collection's SAM region generator, else one installed).
  std::optional<SamCheckpoint> sam_checkpoint;
};

class MainWindow : public QMainWindow {
  Q_OBJECT

public:
  explicit MainWindow(MainWindowOptions options = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a collection folder: lists it, then ingests it in the background.
  void openCollection(const QString& folder);
  void closeCollection();
  // Reopens the last collection when the options allow it and it still exists.
  void reopenLastCollection();

  CollectionSession* session() const;
  CollectionBrowser* browser() const { return browser_; }
  ImageViewer* viewer() const { return viewer_; }
  ResultsPanel* resultsPanel() const { return results_; }
  LabelsPanel* labelsPanel() const { return labels_; }
  JobsPanel* jobsPanel() const { return jobs_; }
  SamPromptController* samController() const { return sam_; }
  ClusterPage* clusterPage() const;  // null until View ▸ Clusters
  QUndoStack* undoStack() const { return undo_; }
  // An action by object name ("acceptResult", "undo", …); null when unknown.
  QAction* action(const QString& name) const;
  QList<QAction*> allActions() const { return actions_; }
  bool ingestRunning() const;
  bool autoLabelRunning() const;
  // Current class for accepting, assigning and painting.
  std::optional<int64_t> currentClass() const;

public slots:
  void openImage(const QString& relative_path);
  // Label edits (also reached through the actions; public for scripting and tests).
  void addClass(const QString& name);
  void recolorClass(int64_t class_id, const QColor& color);
  void setVerdictOnCurrentResult(int verdict);
  void assignClassToSelection();
  void deleteLabelsOfSelection();
  void mergeSelection();
  void showShortcuts();
  // Learning (main_window_learning.cpp): the next results of the concept's ranking; semantic
  // auto-labeling of the collection as a job; label export/import; the model manager.
  void findMore();
  void startAutoLabel();
  void showLabelExchange(bool exporting);
  void showModelManager();
  // SAM prompt mode (main_window_sam.cpp): the mask as the query, and (label) as a label of the
  // current class when one is selected.
  void useSamMask(bool label = true);
  // Jobs and models (main_window_jobs.cpp): the collection's model choice changed — the query
  // engine reopens with it and the status bar says that images keep their old regions until
  // re-ingested; reingest() runs the ingest (a cancellable job) that recomputes them.
  void reloadModels();
  void reingest();
  // View ▸ Clusters (main_window_clusters.cpp): the cluster page of the open collection.
  void showClusters();

signals:
  void collectionListed(int images);
  void ingestFinished(bool completed);
  void documentShown(const QString& relative_path);
  void queryFinished(int results);
  void queryFailed(const QString& reason);
  void heatMapShown(qint64 image_id);
  // The label service has saved every edit and reloaded what they changed.
  void labelsIdle();
  // The status bar's models link (the model manager attaches here).
  void modelManagerRequested();
  // The shown results' concept retrained its classifier on the latest ✓/✗.
  void classifierTrained(int version);
  // "Find more" appended this many results.
  void moreResultsShown(int added);
  void autoLabelFinished(bool completed);
  // A SAM checkpoint was found for the collection (or not: reason), and its model loaded.
  void samAvailabilityChanged(bool available, const QString& reason);
  // The index job after an ingest ended (false: failed or cancelled).
  void indexBuilt(bool completed);
  // The query engine reopened after a model change (its models summary, or "failed: …").
  void modelsReloaded(const QString& summary);
  // The results were re-ordered by the concept's newest ranking (after a retrain, or a change of
  // order mode): how many listed results moved, how many of the top 20 are new there, how many
  // results joined the list.
  void resultsReranked(int moved, int top_changed, int added);

protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;

private:
  // main_window.cpp
  void buildDocks();
  void applyDefaultDockSizes();
  QWidget* buildViewerArea();
  void buildStatusBar();
  void restoreSettings();
  void saveSettings();
  void rememberCollection(const QString& folder);
  void updateRecentMenu();
  void startIngest();
  void onImagesCommitted(const std::vector<ImageEvent>& events);
  void onIngestProgress(const IngestProgress& progress);
  void onIngestFinished(const IngestOutcome& outcome);
  void updateTitle();
  // main_window_actions.cpp
  void createActions();
  void createFileActions();
  void createViewActions();
  void createQueryActions();
  void createLabelActions();
  void createMenus();
  QAction* makeAction(const QString& name, const QString& text, const QKeySequence& shortcut, const QString& tip = {});
  void updateActionStates();
  // main_window_query.cpp
  void connectSession();
  void showDocument(std::shared_ptr<const ImageDocument> doc);
  void queryRegion(qint64 region_id);
  void onQueryFinished(std::shared_ptr<const ResultSet> results);
  void showResult(int row);
  void requestHeatMap();
  void applyLabelsToViewer(qint64 image_id, const std::vector<LabelRecord>& labels);
  // main_window_learning.cpp
  // The running auto-label job: the job (cancel() from the GUI thread) and its future.
  struct AutoLabelRun {
    std::shared_ptr<AutoLabelJob> job;
    QFuture<Outcome<AutoLabelReport>> done;
  };
  void createLearningActions();
  void connectLearning();
  void onClassifierTrained(int sequence, const TrainingReport& report);
  void onConceptPage(const ConceptPage& page);
  // Re-orders the listed results by the concept's newest ranking in the panel's order mode;
  // new ones come from its first `depth` unjudged images, at most `max_new`.
  void rerankResults(size_t depth, size_t max_new);
  void onReranked(const Reranking& reranking);
  void onAutoLabelFinished(const Outcome<AutoLabelReport>& outcome);
  void stopAutoLabel();
  // main_window_jobs.cpp
  void connectJobs();
  void startIndexBuild();
  void onIndexBuildFinished(const Outcome<IndexBuildReport>& outcome);
  void onModelsChosen();
  // main_window_clusters.cpp
  void createJobActions();
  void updateClusterPageClass();
  void labelClusterRegions(const std::vector<int64_t>& region_ids, const std::vector<int64_t>& image_ids);
  // main_window_labels.cpp
  void connectLabels();
  void paintRegions(const std::vector<int64_t>& region_ids, bool add);
  void renameClass(qint64 class_id, const QString& old_name, const QString& new_name);
  void chooseClassColor();
  void promptNewClass();
  std::vector<int64_t> selectedOrHoveredRegions() const;
  // main_window_sam.cpp
  void createSamActions();
  void startSam();
  void stopSam();
  void setSamAvailable(bool available, const QString& reason);
  void splitRegionWithSam();
  void createBrushActions();
  void brushMask(const std::vector<QPointF>& points, double radius, bool add);

  MainWindowOptions options_;
  std::unique_ptr<QSettings> settings_;
  QPointer<CollectionSession> session_;
  QUndoStack* undo_;
  CollectionBrowser* browser_;
  ImageViewer* viewer_;
  ResultsPanel* results_;
  LabelsPanel* labels_;
  JobsPanel* jobs_;
  QComboBox* overlay_box_ = nullptr;
  QSlider* opacity_slider_ = nullptr;
  QLabel* zoom_label_ = nullptr;
  QLabel* ingest_label_ = nullptr;
  QLabel* models_label_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QList<QAction*> actions_;

  // What the viewer shows and what is waiting to be shown there.
  QString pending_document_;
  int64_t pending_match_region_ = 0;
  std::unordered_map<int64_t, std::optional<int64_t>> doc_user_classes_;  // region → user class, shown image
  bool default_layout_pending_ = false;  // no saved layout: size the docks when first shown
  bool engine_ready_ = false;
  bool engine_requested_ = false;  // an open() is on its way
  void requestEngine();
  std::unique_ptr<AutoLabelRun> auto_label_;
  int classifier_version_ = 0;
  TrainingReport last_training_;
  // SAM prompt mode (main_window_sam.cpp).
  SamPromptController* sam_ = nullptr;
  QProgressBar* sam_busy_ = nullptr;
  bool sam_auto_enable_ = true;  // turn the mode on when a model comes (until the user turns it off)
  QPointer<IndexBuildRunner> index_build_;  // the session's (its child)
  bool models_changed_ = false;             // the model manager changed the choice
  // Model changes so far, and the count when the running ingest (then its index build) started:
  // only an ingest started after the latest change gives every image the chosen models.
  int models_generation_ = 0, ingest_models_generation_ = 0, index_models_generation_ = 0;
  QPointer<ClusterPage> cluster_page_;      // of the open collection
};

}  // namespace regionlab::ui
