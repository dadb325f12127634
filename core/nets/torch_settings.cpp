#include "core/nets/torch_settings.h"

namespace regionlab::nets {

at::ScalarType computeScalarType(ComputePrecision precision) {
  switch (precision) {
    case ComputePrecision::BFloat16: return at::kBFloat16;
    case ComputePrecision::Float16: return at::kHalf;
    case ComputePrecision::Float32: break;
  }
  return at::kFloat;
}

at::Device computeDevice(ComputeDevice device) { return device == ComputeDevice::Cuda ? at::Device(at::kCUDA) : at::Device(at::kCPU); }

}  // namespace regionlab::nets
