#pragma once
// Ranking metrics of the one-shot retrieval protocol (REFERENCE.md §A7), computed as the
// reference computes them: average precision is sklearn.metrics.average_precision_score,
//     AP = Σ_n (R_n − R_{n−1}) · P_n
// over the distinct score thresholds in decreasing order (images with equal scores enter
// together), and precision@k counts relevant images among the k best.
#include <cstdint>
#include <span>

namespace regionlab {

// relevant[i] != 0 marks a relevant item. Returns 0 when nothing is relevant (the protocol
// skips such queries before asking).
double averagePrecision(std::span<const float> scores, std::span<const uint8_t> relevant);

// Fraction of the k highest-scored items that are relevant (ties broken by position, i.e. a
// stable sort). k larger than the list counts the missing positions as not relevant.
double precisionAtK(std::span<const float> scores, std::span<const uint8_t> relevant, int k);

// The exact expected AP of a uniformly random ranking of `total` items of which `relevant` are
// relevant:  E[AP] = H_N / N + (R − 1)(N − H_N) / (N (N − 1)),  H_N the N-th harmonic number.
// (From AP = (1/R) Σ_k rel_k (1/k) Σ_{j≤k} rel_j with E[rel_k] = R/N and
// E[rel_j rel_k] = R(R−1)/(N(N−1)) for j ≠ k.) Expected precision@k of a random ranking is R/N.
double expectedRandomAveragePrecision(int64_t relevant, int64_t total);

}  // namespace regionlab
