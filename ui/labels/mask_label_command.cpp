#include "ui/labels/mask_label_command.h"

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/label_store.h"
#include "ui/labels/label_service.h"

namespace regionlab::ui {

AddMaskLabelCommand::AddMaskLabelCommand(LabelService* service, int64_t image_id, Region mask, int64_t class_id, const QString& text)
    : QUndoCommand(text), service_(service), image_id_(image_id), mask_(std::move(mask)), class_id_(class_id) {}

void AddMaskLabelCommand::redo() {
  service_->edit([image = image_id_, mask = mask_, cls = class_id_, id = region_id_](LabelStore& store, Database& db) {
    Database::Transaction transaction(db);
    *id = store.addUserRegion(image, mask, *id != 0 ? std::optional(*id) : std::nullopt);
    store.setUserLabel(*id, cls);
    transaction.commit();
    return LabelChange{false, true, {image}};
  });
}

void AddMaskLabelCommand::undo() {
  service_->edit([image = image_id_, id = region_id_](LabelStore& store, Database&) {
    if (*id != 0) store.deleteUserRegion(*id);
    return LabelChange{false, true, {image}};
  });
}

SplitRegionCommand::SplitRegionCommand(LabelService* service, int64_t image_id, int64_t region_id, Region mask)
    : QUndoCommand(QObject::tr("Split region %1 with SAM").arg(region_id)),
      service_(service),
      image_id_(image_id),
      region_id_(region_id),
      mask_(std::move(mask)) {}

void SplitRegionCommand::redo() {
  service_->edit([image = image_id_, target = region_id_, mask = mask_, state = state_](LabelStore& store, Database& db) {
    const auto region = db.readRegion(target);
    if (!region || region->image_id != image) throw Error(db.file(), "region " + std::to_string(target) + " is not in this image");
    if (region->region.mask.width != mask.mask.width || region->region.mask.height != mask.mask.height) {
      throw Error(db.file(), "the SAM mask and region " + std::to_string(target) + " are not on the same pixel grid");
    }
    Region inside = makeRegion(rleIntersection(region->region.mask, mask.mask));
    Region outside = makeRegion(rleIntersection(region->region.mask, rleComplement(mask.mask)));
    if (inside.area == 0 || outside.area == 0) {
      throw Error(db.file(), "the SAM mask does not cut region " + std::to_string(target) + " (it " +
                                 (inside.area == 0 ? "misses it" : "covers it whole") + ")");
    }
    Database::Transaction transaction(db);
    const std::optional<UserLabel> label = store.readUserLabels(std::vector<int64_t>{target}).at(target);
    const auto known = [](int64_t id) { return id != 0 ? std::optional(id) : std::nullopt; };
    state->inside_id = store.addUserRegion(image, inside, known(state->inside_id));
    state->outside_id = store.addUserRegion(image, outside, known(state->outside_id));
    std::optional<UserLabel> piece_label;
    if (label) piece_label = UserLabel(label->class_id);  // the pieces are the user's, not a concept's
    UserLabelAssignment assignment{{target, std::nullopt}, {state->inside_id, piece_label}, {state->outside_id, piece_label}};
    state->replaced = store.writeUserLabels(assignment);
    state->replaced.erase(state->inside_id);
    state->replaced.erase(state->outside_id);
    transaction.commit();
    return LabelChange{false, true, {image}};
  });
}

void SplitRegionCommand::undo() {
  service_->edit([image = image_id_, state = state_](LabelStore& store, Database& db) {
    Database::Transaction transaction(db);
    for (const int64_t id : {state->inside_id, state->outside_id}) {
      if (id != 0) store.deleteUserRegion(id);
    }
    store.writeUserLabels(state->replaced);
    transaction.commit();
    return LabelChange{false, true, {image}};
  });
}

BrushMaskCommand::BrushMaskCommand(LabelService* service, int64_t image_id, int64_t target_region, Region stroke, bool add,
                                   std::optional<int64_t> class_id)
    : QUndoCommand(add ? QObject::tr("Brush onto a mask") : QObject::tr("Erase from a mask")),
      service_(service),
      image_id_(image_id),
      target_(target_region),
      stroke_(std::move(stroke)),
      add_(add),
      class_id_(class_id) {}

void BrushMaskCommand::redo() {
  service_->edit([image = image_id_, target = target_, stroke = stroke_, add = add_, cls = class_id_, state = state_](LabelStore& store,
                                                                                                                   Database& db) {
    const auto known = [](int64_t id) { return id != 0 ? std::optional(id) : std::nullopt; };
    Database::Transaction transaction(db);
    if (target == 0) {
      if (!add) throw Error(db.file(), "nothing to erase here: brush over a mask");
      if (!cls) throw Error(db.file(), "select a class to draw a new mask");
      state->created_id = store.addUserRegion(image, stroke, known(state->created_id));
      store.setUserLabel(state->created_id, *cls);
      transaction.commit();
      return LabelChange{false, true, {image}};
    }
    const auto region = db.readRegion(target);
    if (!region || region->image_id != image) throw Error(db.file(), "region " + std::to_string(target) + " is not in this image");
    if (region->region.mask.width != stroke.mask.width || region->region.mask.height != stroke.mask.height) {
      throw Error(db.file(), "the stroke and region " + std::to_string(target) + " are not on the same pixel grid");
    }
    const Rle edited = add ? rleUnion(region->region.mask, stroke.mask) : rleIntersection(region->region.mask, rleComplement(stroke.mask));
    const std::optional<UserLabel> label = store.readUserLabels(std::vector<int64_t>{target}).at(target);
    if (store.isUserRegion(target)) {
      state->edited_in_place = true;
      state->before = region->region;
      state->before_label = label;
      store.deleteUserRegion(target);
      state->erased_whole = rleArea(edited) == 0;
      if (!state->erased_whole) {
        store.addUserRegion(image, makeRegion(edited), target);
        if (label) store.writeUserLabels({{target, label}});
      }
    } else {
      if (rleArea(edited) == 0) throw Error(db.file(), "the stroke erases the whole region");
      std::optional<UserLabel> piece_label;
      if (label) piece_label = UserLabel(label->class_id);
      else if (cls) piece_label = UserLabel(*cls);
      state->created_id = store.addUserRegion(image, makeRegion(edited), known(state->created_id));
      state->replaced = store.writeUserLabels({{target, std::nullopt}, {state->created_id, piece_label}});
      state->replaced.erase(state->created_id);
    }
    transaction.commit();
    return LabelChange{false, true, {image}};
  });
}

void BrushMaskCommand::undo() {
  service_->edit([image = image_id_, target = target_, state = state_](LabelStore& store, Database& db) {
    Database::Transaction transaction(db);
    if (state->edited_in_place) {
      if (!state->erased_whole) store.deleteUserRegion(target);
      store.addUserRegion(image, *state->before, target);
      if (state->before_label) store.writeUserLabels({{target, state->before_label}});
    } else {
      if (state->created_id != 0) store.deleteUserRegion(state->created_id);
      store.writeUserLabels(state->replaced);
    }
    transaction.commit();
    return LabelChange{false, true, {image}};
  });
}

}  // namespace regionlab::ui
