#include "ui/labels/label_commands.h"

#include "core/base/error.h"
#include "core/learning/concept_session.h"
#include "core/storage/database.h"
#include "ui/labels/label_service.h"
#include "ui/query/result_set.h"
#include "ui/results/results_model.h"

namespace regionlab::ui {

AddClassCommand::AddClassCommand(LabelService* service, const QString& name, const QColor& color)
    : QUndoCommand(QObject::tr("New class “%1”").arg(name)),
      service_(service),
      name_(name.toStdString()),
      color_(color.name().toStdString()) {}

void AddClassCommand::redo() {
  service_->edit([name = name_, color = color_, id = id_](LabelStore& store, Database&) {
    // The first redo picks the id; a redo after an undo re-creates the class under it.
    if (*id == 0) {
      *id = store.createClass(name, color).id;
    } else {
      store.restoreClass(ClassRecord{*id, name, color});
    }
    return LabelChange{true, false, {}};
  });
}

void AddClassCommand::undo() {
  service_->edit([id = id_](LabelStore& store, Database&) {
    if (*id != 0) store.deleteClass(*id);
    return LabelChange{true, false, {}};
  });
}

RenameClassCommand::RenameClassCommand(LabelService* service, int64_t class_id, const QString& old_name, const QString& new_name)
    : QUndoCommand(QObject::tr("Rename class “%1” to “%2”").arg(old_name, new_name)),
      service_(service),
      class_id_(class_id),
      old_name_(old_name.toStdString()),
      new_name_(new_name.toStdString()) {}

void RenameClassCommand::apply(const std::string& name) {
  service_->edit([id = class_id_, name](LabelStore& store, Database&) {
    store.renameClass(id, name);
    return LabelChange{true, false, {}};
  });
}
void RenameClassCommand::redo() { apply(new_name_); }
void RenameClassCommand::undo() { apply(old_name_); }

RecolorClassCommand::RecolorClassCommand(LabelService* service, int64_t class_id, const QColor& old_color, const QColor& new_color)
    : QUndoCommand(QObject::tr("Change class colour")),
      service_(service),
      class_id_(class_id),
      old_color_(old_color.name().toStdString()),
      new_color_(new_color.name().toStdString()) {}

void RecolorClassCommand::apply(const std::string& color) {
  service_->edit([id = class_id_, color](LabelStore& store, Database&) {
    store.setClassColor(id, color);
    return LabelChange{true, false, {}};
  });
}
void RecolorClassCommand::redo() { apply(new_color_); }
void RecolorClassCommand::undo() { apply(old_color_); }

AssignClassCommand::AssignClassCommand(LabelService* service, std::vector<int64_t> image_ids, UserLabelAssignment assignment,
                                       const QString& text)
    : QUndoCommand(text), service_(service), images_(std::move(image_ids)), assignment_(std::move(assignment)) {}

void AssignClassCommand::redo() {
  service_->edit([assignment = assignment_, replaced = replaced_, images = images_](LabelStore& store, Database&) {
    *replaced = store.writeUserLabels(assignment);
    return LabelChange{false, false, images};
  });
}

void AssignClassCommand::undo() {
  service_->edit([replaced = replaced_, images = images_](LabelStore& store, Database&) {
    store.writeUserLabels(*replaced);
    return LabelChange{false, false, images};
  });
}

MergeRegionsCommand::MergeRegionsCommand(LabelService* service, int64_t image_id, std::vector<int64_t> region_ids,
                                         std::optional<int64_t> class_id)
    : QUndoCommand(QObject::tr("Merge %1 regions").arg(region_ids.size())),
      service_(service),
      image_id_(image_id),
      regions_(std::move(region_ids)),
      class_id_(class_id) {}

void MergeRegionsCommand::redo() {
  service_->edit([image = image_id_, regions = regions_, cls = class_id_, state = state_](LabelStore& store, Database& db) {
    std::optional<Rle> merged;
    for (const int64_t id : regions) {
      const auto region = db.readRegion(id);
      if (!region || region->image_id != image) throw Error(db.file(), "region " + std::to_string(id) + " is not in this image");
      merged = merged ? rleUnion(*merged, region->region.mask) : region->region.mask;
    }
    if (!merged) throw Error(db.file(), "no regions to merge");
    const UserLabelAssignment current = store.readUserLabels(regions);
    std::optional<UserLabel> target;
    if (cls) {
      target = UserLabel(*cls);
    } else if (const auto& first = current.at(regions.front())) {
      target = UserLabel(first->class_id);  // the merged region is the user's, not a concept's
    }
    state->merged_id = store.addUserRegion(image, makeRegion(*merged), state->merged_id != 0 ? std::optional(state->merged_id) : std::nullopt);
    UserLabelAssignment assignment;
    for (const int64_t id : regions) assignment[id] = std::nullopt;
    assignment[state->merged_id] = target;
    state->replaced = store.writeUserLabels(assignment);
    state->replaced.erase(state->merged_id);
    return LabelChange{false, true, {image}};
  });
}

void MergeRegionsCommand::undo() {
  service_->edit([image = image_id_, state = state_](LabelStore& store, Database&) {
    if (state->merged_id != 0) store.deleteUserRegion(state->merged_id);
    store.writeUserLabels(state->replaced);
    return LabelChange{false, true, {image}};
  });
}

VerdictCommand::VerdictCommand(LabelService* service, ResultsModel* results, int sequence, std::shared_ptr<QuerySeed> query,
                               int64_t image_id, int64_t region_id, std::optional<ClassRecord> cls, int verdict, int previous_verdict)
    : QUndoCommand(verdict > 0 ? QObject::tr("Accept result") : QObject::tr("Reject result")),
      service_(service),
      results_(results),
      sequence_(sequence),
      query_(std::move(query)),
      image_id_(image_id),
      region_id_(region_id),
      class_(std::move(cls)),
      verdict_(verdict),
      previous_verdict_(previous_verdict) {}

void VerdictCommand::redo() {
  results_->setVerdict(sequence_, region_id_, verdict_);
  service_->editConcept(query_, sequence_, [region = region_id_, image = image_id_, cls = class_, verdict = verdict_, state = state_](
                                               ConceptSession& session, LabelStore& store) {
    std::vector<int64_t> touched = {region};
    if (session.query().region_id) touched.push_back(*session.query().region_id);
    state->before = store.readUserLabels(touched);
    state->named = false;
    if (verdict > 0 && cls && !session.conceptClass()) {
      session.assignClass(cls->name);
      state->named = true;
    }
    state->feedback_id = session.addFeedback(region, verdict > 0 ? Verdict::Accept : Verdict::Reject);
    std::vector<int64_t> images = {image};
    if (session.query().image_id && *session.query().image_id != image) images.push_back(*session.query().image_id);
    return LabelChange{state->named, false, images, true};
  });
}

void VerdictCommand::undo() {
  results_->setVerdict(sequence_, region_id_, previous_verdict_);
  service_->editConcept(query_, sequence_, [image = image_id_, state = state_](ConceptSession& session, LabelStore& store) {
    if (state->feedback_id != 0) session.removeFeedback(state->feedback_id);
    if (state->named) session.clearClass();
    // The concept's labels replace a region's user label; give back the ones it replaced.
    std::vector<int64_t> regions;
    for (const auto& [region, label] : state->before) regions.push_back(region);
    const UserLabelAssignment now = store.readUserLabels(regions);
    UserLabelAssignment restore;
    for (const auto& [region, label] : state->before) {
      if (label && now.at(region) != label) restore[region] = label;
    }
    if (!restore.empty()) store.writeUserLabels(restore);
    std::vector<int64_t> images = {image};
    if (session.query().image_id && *session.query().image_id != image) images.push_back(*session.query().image_id);
    return LabelChange{state->named, false, images, true};
  });
}

}  // namespace regionlab::ui
