#include "core/nets/inference_options.h"

#include <cstdlib>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/base/error.h"

namespace regionlab::nets {
namespace {

std::string choice(const std::string& given, const char* variable, const char* fallback) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv(variable); env && *env) return env;
  return fallback;
}

// What torch 1.13 requires before it routes bf16 matmuls to oneDNN (otherwise a slow reference
// loop runs); native BF16 instructions make it fast.
bool cpuRunsBf16() {
  return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
bool cpuHasNativeBf16() { return cpuRunsBf16() && __builtin_cpu_supports("avx512bf16"); }

}  // namespace

const char* precisionName(ComputePrecision precision) {
  switch (precision) {
    case ComputePrecision::Float32: return "fp32";
    case ComputePrecision::BFloat16: return "bf16";
    case ComputePrecision::Float16: return "fp16";
  }
  return "?";
}

const char* deviceName(ComputeDevice device) { return device == ComputeDevice::Cuda ? "cuda" : "cpu"; }

std::string InferenceSettings::summary() const {
  std::string s = std::string(precisionName(precision)) + " on " + deviceName(device);
  if (device == ComputeDevice::Cpu) s += ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
  return s;
}

InferenceSettings resolveInference(const InferenceOptions& options) {
  InferenceSettings s;
  const std::string device = choice(options.device, "REGIONLAB_DEVICE", "auto");
  if (device == "cuda") {
    if (!at::hasCUDA()) {
      throw Error("--device cuda: no CUDA device is available (this libtorch build or machine has none); use --device cpu or auto");
    }
    s.device = ComputeDevice::Cuda;
  } else if (device == "auto") {
    s.device = at::hasCUDA() ? ComputeDevice::Cuda : ComputeDevice::Cpu;
  } else if (device != "cpu") {
    throw Error("unknown device '" + device + "' (use cpu, cuda or auto)");
  }
  const bool cuda = s.device == ComputeDevice::Cuda;

  const std::string precision = choice(options.precision, "REGIONLAB_PRECISION", "fp32");
  if (precision == "fp32") {
    s.precision = ComputePrecision::Float32;
  } else if (precision == "bf16") {
    if (!cuda && !cpuRunsBf16()) throw Error("--precision bf16 needs a CPU with AVX-512 (oneDNN's bf16 path); this CPU has none: use fp32");
    s.precision = ComputePrecision::BFloat16;
  } else if (precision == "fp16") {
    if (!cuda) throw Error("--precision fp16 runs on CUDA only; on the CPU use bf16 (AVX-512) or fp32");
    s.precision = ComputePrecision::Float16;
  } else if (precision == "auto") {
    s.precision = cuda ? ComputePrecision::Float16 : cpuHasNativeBf16() ? ComputePrecision::BFloat16 : ComputePrecision::Float32;
  } else {
    throw Error("unknown precision '" + precision + "' (use fp32, bf16, fp16 or auto)");
  }

  if (options.threads < 0) throw Error("the thread count must be 0 (all cores) or more");
  s.threads = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  return s;
}

void applyInferenceThreads(const InferenceSettings& settings) {
  if (at::get_num_threads() != settings.threads) at::set_num_threads(settings.threads);
}

}  // namespace regionlab::nets
