#pragma once
// IEEE 754 binary16 conversion. Region vectors are stored as fp16 BLOBs (half the bytes of fp32;
// the descriptors' similarities change by < 1e-3 through the round trip).
#include <cstdint>
#include <span>
#include <vector>

namespace regionlab {

uint16_t floatToHalf(float value);  // round to nearest even; overflow gives ±inf
float halfToFloat(uint16_t value);

std::vector<uint16_t> floatsToHalves(std::span<const float> values);
void halvesToFloats(std::span<const uint16_t> halves, float* out);

}  // namespace regionlab
