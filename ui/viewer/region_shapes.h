#pragma once
// Region masks as vector shapes for drawing: outlines and fills scale with the zoom and are
// clipped to the visible part by the graphics scene.
#include <QPainterPath>

#include "core/regions/rle.h"

namespace regionlab::ui {

// The mask's outline (outer boundaries and holes, odd-even fill) in image pixel coordinates
// (pixel (x, y) covers [x, x+1)×[y, y+1)). The mask is traced on a grid of at most
// max_raster_side cells over its bounding box, so a region spanning a 6000-pixel image costs
// as much as a small one, at an outline precision of one grid cell.
QPainterPath regionOutlinePath(const Rle& mask, const BoundingBox& bbox, int max_raster_side = 1024);

}  // namespace regionlab::ui
