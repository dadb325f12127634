#pragma once
// The results panel: what was asked, the ranked result thumbnails, and the keys to judge them
// (✓ accept, ✗ reject, move on), the heat map toggle, "find more" and the classifier's status
// line (the last two are filled in by the classifier when it is present).
#include <memory>
#include <optional>

#include <QWidget>

#include "ui/query/result_set.h"
#include "ui/results/results_model.h"

class QAction;
class QComboBox;
class QLabel;
class QListView;

namespace regionlab::ui {

class ResultsDelegate;
class ResultsModel;

class ResultsPanel : public QWidget {
  Q_OBJECT

public:
  explicit ResultsPanel(QWidget* parent = nullptr);

  ResultsModel* model() const { return model_; }
  QListView* view() const { return view_; }
  // Buttons for the window's actions (the actions carry the shortcuts).
  void setActions(QAction* accept, QAction* reject, QAction* find_more, QAction* heat_map);

  void showSearching(const QString& what);
  void showResults(std::shared_ptr<const ResultSet> results);
  void showError(const QString& reason);
  // "Classifier retrained 2 s ago on 5 ✓ / 3 ✗; 4 results moved up" (set by the classifier).
  void setClassifierStatus(const QString& text);
  void updateSummary();
  // Re-orders the list (the selection stays on the same image); nullopt when it belongs to
  // another query.
  std::optional<ResultsModel::RankingChange> applyReranking(const Reranking& reranking);
  // The order the user chose: best first, or uncertain first (nearest the classifier's boundary).
  RankingMode rankingMode() const;
  void setRankingMode(RankingMode mode);  // emits rankingModeChanged when it changes
  QComboBox* orderBox() const { return order_; }

  int currentRow() const;
  void selectRow(int row);
  // Moves the selection to the next result without a verdict (or the next one); false at the end.
  bool selectNextUnjudged();

signals:
  void currentResultChanged(int row);
  void rankingModeChanged(regionlab::RankingMode mode);

private:
  ResultsModel* model_;
  ResultsDelegate* delegate_;
  QListView* view_;
  QLabel* header_;
  QLabel* summary_;
  QLabel* classifier_;
  QWidget* buttons_;
  QComboBox* order_;
};

}  // namespace regionlab::ui
