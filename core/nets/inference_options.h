#pragma once
// Where and how the networks run, chosen at run time: the one place that turns the user's
// --device / --precision / thread choices (or $REGIONLAB_DEVICE, $REGIONLAB_PRECISION) into
// settings, so a CUDA build of libtorch uses the GPU with no code change and the CPU build
// explains what it cannot do.
#include <string>

namespace regionlab::nets {

struct InferenceOptions {
  // "cpu", "cuda", or "auto" (CUDA when this libtorch build and the machine have a GPU, else CPU).
  // Empty: $REGIONLAB_DEVICE, else "auto".
  std::string device;
  // "fp32"; "bf16" (CPUs with AVX-512, through oneDNN; CUDA); "fp16" (CUDA only); or "auto"
  // (fp16 on CUDA, bf16 on CPUs with native AVX512-BF16, else fp32). Empty: $REGIONLAB_PRECISION,
  // else "fp32", the precision that reproduces the reference to 1e-4.
  std::string precision;
  // Torch intra-op threads; 0 = std::thread::hardware_concurrency(). Applied on every forward
  // pass, on the calling thread: OpenMP otherwise runs one thread on this project's machines.
  int threads = 0;
};

enum class ComputeDevice { Cpu, Cuda };
enum class ComputePrecision { Float32, BFloat16, Float16 };

struct InferenceSettings {
  ComputeDevice device = ComputeDevice::Cpu;
  ComputePrecision precision = ComputePrecision::Float32;
  int threads = 1;
  std::string summary() const;  // "bf16 on cpu, 2 threads"
};

// Throws Error naming the option when the choice is unknown or impossible here (CUDA without a
// GPU or a CUDA build, fp16 on the CPU, bf16 on a CPU without AVX-512).
InferenceSettings resolveInference(const InferenceOptions& options);

// at::set_num_threads(settings.threads) for the calling thread (OpenMP keeps it per thread).
void applyInferenceThreads(const InferenceSettings& settings);

const char* precisionName(ComputePrecision precision);  // "fp32", "bf16", "fp16"
const char* deviceName(ComputeDevice device);            // "cpu", "cuda"

}  // namespace regionlab::nets
