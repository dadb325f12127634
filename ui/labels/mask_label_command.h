#pragma once
// A drawn mask (a SAM mask, later a brushed one) becomes a label: the mask is stored as a region
// of its own (LabelStore::addUserRegion, region generator "user-edit") carrying the user label
// of the class. A mask is not mapped onto the generated regions it covers: those follow the
// generator's boundaries, not the object's, and the point of a click-to-mask model is the
// object's exact outline (labels export it as drawn). Undo deletes the region with its label;
// redo re-creates it under the same id, so later commands referring to it stay valid.
#include <cstdint>
#include <memory>

#include <QUndoCommand>

#include "core/regions/region.h"
#include "core/storage/label_store.h"

namespace regionlab::ui {

class LabelService;

class AddMaskLabelCommand : public QUndoCommand {
public:
  AddMaskLabelCommand(LabelService* service, int64_t image_id, Region mask, int64_t class_id, const QString& text);
  void redo() override;
  void undo() override;
  // The stored region's id (0 until the first redo has run on the database).
  int64_t regionId() const { return *region_id_; }

private:
  LabelService* service_;
  int64_t image_id_;
  Region mask_;
  int64_t class_id_;
  std::shared_ptr<int64_t> region_id_ = std::make_shared<int64_t>(0);
};

// Splits a region of an image with a mask (a SAM click): the part inside the mask and the part
// outside become two user regions carrying the region's user label (if any), which the region
// itself gives up. The region stays stored (a generated region belongs to the ingest); the two
// smaller pieces cover it exactly, so clicks pick them from now on (region_pick.h: the smallest
// region under the cursor). Fails when the mask does not cut the region (one piece empty).
class SplitRegionCommand : public QUndoCommand {
public:
  SplitRegionCommand(LabelService* service, int64_t image_id, int64_t region_id, Region mask);
  void redo() override;
  void undo() override;

private:
  struct State {
    int64_t inside_id = 0, outside_id = 0;
    UserLabelAssignment replaced;
  };
  LabelService* service_;
  int64_t image_id_;
  int64_t region_id_;
  Region mask_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// A brush stroke on a mask label. On a region the user made (a SAM mask, a merge, an earlier
// stroke), the stroke is added to or erased from its mask in place: the region is stored again
// under its id with the new mask and its user label (the store has no in-place mask update;
// a re-stored region loses its search vector and ✓/✗ feedback, as any region whose pixels
// change must). On a generated region (the ingest's, which is never edited) the edited mask
// becomes a new user region carrying the region's user label — or `class_id` — and the region
// gives up its user label (as a split does). With no region (target 0) an added stroke is a new
// mask of `class_id`. Erasing a mask whole deletes it.
class BrushMaskCommand : public QUndoCommand {
public:
  BrushMaskCommand(LabelService* service, int64_t image_id, int64_t target_region, Region stroke, bool add,
                   std::optional<int64_t> class_id);
  void redo() override;
  void undo() override;

private:
  struct State {
    bool edited_in_place = false;
    std::optional<Region> before;        // the user region's mask before the stroke
    std::optional<UserLabel> before_label;
    bool erased_whole = false;
    int64_t created_id = 0;              // a new user region (generated target, or none)
    UserLabelAssignment replaced;
  };
  LabelService* service_;
  int64_t image_id_;
  int64_t target_;
  Region stroke_;
  bool add_;
  std::optional<int64_t> class_id_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace regionlab::ui
