#pragma once
// The torch types InferenceSettings stand for (internal to core/nets: included by .cpp files only).
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "core/nets/inference_options.h"

namespace regionlab::nets {

// The dtype a network's weights and GEMMs use at this precision.
at::ScalarType computeScalarType(ComputePrecision precision);
at::Device computeDevice(ComputeDevice device);

}  // namespace regionlab::nets
