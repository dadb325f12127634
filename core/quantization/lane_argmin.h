#pragma once
// The first index of the smallest value of a table (or of the sum of two tables), eight lanes at
// a time: the inner step of exact encoding (drq_tree.cpp) and of exhaustive grid assignment
// (grid_assignment.cpp).
#include <cstdint>

namespace regionlab::drc {

// argmin over j < k of t[j]; the lowest j on ties.
uint32_t argminOf(const float* t, uint32_t k);
// argmin over j < k of a[j] + b[j]; the lowest j on ties.
uint32_t argminOfSums(const float* a, const float* b, uint32_t k);

}  // namespace regionlab::drc
