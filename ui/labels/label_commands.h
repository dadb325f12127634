#pragma once
// Every label edit as a QUndoCommand. redo() and undo() queue their database work on the
// LabelService's serial executor; state an undo needs (what an edit replaced, ids it created)
// is captured by the redo task and read by the undo task, which the executor runs after it.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QColor>
#include <QUndoCommand>

#include "core/storage/label_store.h"

namespace regionlab::ui {

class LabelService;
class ResultsModel;
struct QuerySeed;

// Command ids for QUndoCommand::mergeWith (none merge today; ids keep the door open).
enum class LabelCommandId { AddClass = 1, RenameClass, RecolorClass, AssignClass, MergeRegions, Verdict };

class AddClassCommand : public QUndoCommand {
public:
  AddClassCommand(LabelService* service, const QString& name, const QColor& color);
  void redo() override;
  void undo() override;
  int64_t classId() const { return *id_; }  // 0 until the first redo has run on the database

private:
  LabelService* service_;
  std::string name_;
  std::string color_;
  std::shared_ptr<int64_t> id_ = std::make_shared<int64_t>(0);
};

class RenameClassCommand : public QUndoCommand {
public:
  RenameClassCommand(LabelService* service, int64_t class_id, const QString& old_name, const QString& new_name);
  void redo() override;
  void undo() override;

private:
  void apply(const std::string& name);
  LabelService* service_;
  int64_t class_id_;
  std::string old_name_, new_name_;
};

class RecolorClassCommand : public QUndoCommand {
public:
  RecolorClassCommand(LabelService* service, int64_t class_id, const QColor& old_color, const QColor& new_color);
  void redo() override;
  void undo() override;

private:
  void apply(const std::string& color);
  LabelService* service_;
  int64_t class_id_;
  std::string old_color_, new_color_;
};

// Sets the user class of regions (nullopt: removes their user label): accepting a result,
// relabeling, deleting a label, painting regions into or out of a class.
class AssignClassCommand : public QUndoCommand {
public:
  AssignClassCommand(LabelService* service, std::vector<int64_t> image_ids, UserLabelAssignment assignment, const QString& text);
  void redo() override;
  void undo() override;

private:
  LabelService* service_;
  std::vector<int64_t> images_;
  UserLabelAssignment assignment_;
  std::shared_ptr<UserLabelAssignment> replaced_ = std::make_shared<UserLabelAssignment>();
};

// Merges regions of one image into a new user region carrying `class_id` (or the first merged
// region's class); the merged regions lose their user labels.
class MergeRegionsCommand : public QUndoCommand {
public:
  MergeRegionsCommand(LabelService* service, int64_t image_id, std::vector<int64_t> region_ids, std::optional<int64_t> class_id);
  void redo() override;
  void undo() override;

private:
  struct State {
    int64_t merged_id = 0;
    UserLabelAssignment replaced;
  };
  LabelService* service_;
  int64_t image_id_;
  std::vector<int64_t> regions_;
  std::optional<int64_t> class_id_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// ✓ or ✗ on a query result, given to the query's concept (ConceptSession): the feedback row, and
// the concept's labels. A ✓ while the concept has no class names it after `class_id` (the
// current class): the query region and every ✓ region become user labels of it, kept in step
// with later verdicts (a ✗ takes back only a label the concept made). Undo removes the feedback
// item (and un-names the concept when this verdict named it) and restores the user labels the
// concept had replaced. The results list shows the verdict at once.
class VerdictCommand : public QUndoCommand {
public:
  VerdictCommand(LabelService* service, ResultsModel* results, int sequence, std::shared_ptr<QuerySeed> query,
                 int64_t image_id, int64_t region_id, std::optional<ClassRecord> cls, int verdict, int previous_verdict);
  void redo() override;
  void undo() override;

private:
  struct State {
    int64_t feedback_id = 0;
    bool named = false;  // this verdict named the concept
    UserLabelAssignment before;  // user labels of the regions it could touch, before it
  };
  LabelService* service_;
  ResultsModel* results_;
  int sequence_;
  std::shared_ptr<QuerySeed> query_;
  int64_t image_id_, region_id_;
  std::optional<ClassRecord> class_;
  int verdict_, previous_verdict_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace regionlab::ui
