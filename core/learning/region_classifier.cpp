#include "core/learning/region_classifier.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/base/error.h"
#include "core/index/dot_product.h"

namespace regionlab {

std::string regionClassifierKindName(RegionClassifierKind kind) { return kind == RegionClassifierKind::Mlp ? "mlp" : "linear"; }

RegionClassifierKind regionClassifierKindFromName(const std::string& name) {
  if (name == "linear") return RegionClassifierKind::Linear;
  if (name == "mlp") return RegionClassifierKind::Mlp;
  throw Error("unknown classifier head '" + name + "' (use linear or mlp)");
}

void ClassExamples::add(const float* vector, int cls, float w) {
  x.insert(x.end(), vector, vector + dim);
  label.push_back(cls);
  weight.push_back(w);
}

namespace {

// In place: logits → probabilities; returns log Σ exp(logits) (for the loss).
double softmaxInPlace(float* z, int n) {
  const float m = *std::max_element(z, z + n);
  double sum = 0;
  for (int c = 0; c < n; ++c) {
    z[c] = std::exp(z[c] - m);
    sum += z[c];
  }
  for (int c = 0; c < n; ++c) z[c] = float(z[c] / sum);
  return m + std::log(sum);
}

void validate(const ClassExamples& e) {
  if (e.size() == 0) throw Error("no training regions: label some regions first");
  if (e.num_classes < 1 || e.dim < 1) throw Error("classifier needs at least one class and a vector dimension");
  for (size_t i = 0; i < e.size(); ++i) {
    if (e.label[i] < 0 || e.label[i] >= e.num_classes) throw Error("training label " + std::to_string(e.label[i]) + " is out of range");
    if (!(e.weight[i] > 0)) throw Error("training weights (region areas) must be positive");
  }
}

std::vector<double> meanOneWeights(const ClassExamples& e) {
  const double total = std::accumulate(e.weight.begin(), e.weight.end(), 0.0);
  std::vector<double> a(e.size());
  for (size_t i = 0; i < e.size(); ++i) a[i] = e.weight[i] / total;  // sums to 1: the weighted mean loss
  return a;
}

}  // namespace

RegionClassifier RegionClassifier::train(const ClassExamples& examples, const RegionClassifierOptions& options,
                                         const std::atomic<bool>* cancel) {
  validate(examples);
  return options.kind == RegionClassifierKind::Mlp ? trainMlp(examples, options, cancel) : trainLinear(examples, options, cancel);
}

RegionClassifier RegionClassifier::trainLinear(const ClassExamples& e, const RegionClassifierOptions& o, const std::atomic<bool>* cancel) {
  const int d = e.dim, C = e.num_classes;
  const size_t n = e.size();
  const std::vector<double> a = meanOneWeights(e);
  const size_t nw = size_t(C) * d;
  std::vector<float> wf(nw), bf(C), z(C), gw(nw);

  const Objective objective = [&](std::span<const double> t, std::span<double> grad) {
    for (size_t k = 0; k < nw; ++k) wf[k] = float(t[k]);
    for (int c = 0; c < C; ++c) bf[c] = float(t[nw + c]);
    std::fill(gw.begin(), gw.end(), 0.f);
    std::fill(grad.begin(), grad.end(), 0.0);
    double loss = 0;
    for (size_t i = 0; i < n; ++i) {
      const float* xi = e.x.data() + i * size_t(d);
      for (int c = 0; c < C; ++c) z[c] = dotProduct(wf.data() + size_t(c) * d, xi, d) + bf[c];
      const float target_logit = z[e.label[i]];
      loss += a[i] * (softmaxInPlace(z.data(), C) - target_logit);
      for (int c = 0; c < C; ++c) {
        const float g = float(a[i] * (z[c] - (c == e.label[i] ? 1.0 : 0.0)));
        grad[nw + c] += g;
        float* gc = gw.data() + size_t(c) * d;
        for (int j = 0; j < d; ++j) gc[j] += g * xi[j];
      }
    }
    double penalty = 0;
    for (size_t k = 0; k < nw; ++k) {
      grad[k] = double(gw[k]) + o.l2 * t[k];
      penalty += t[k] * t[k];
    }
    return loss + 0.5 * o.l2 * penalty;
  };

  std::vector<double> theta(nw + C, 0.0);
  const LbfgsResult r = minimizeLbfgs(objective, theta, o.optimizer, cancel);
  RegionClassifier m;
  m.kind_ = RegionClassifierKind::Linear;
  m.dim_ = d;
  m.num_classes_ = C;
  m.w1_.assign(theta.begin(), theta.begin() + nw);
  m.b1_.assign(theta.begin() + nw, theta.end());
  m.iterations_ = r.iterations;
  m.final_loss_ = r.value;
  return m;
}

namespace {

// AdamW (decoupled weight decay, as torch.optim.AdamW) over a list of parameter tensors.
class AdamW {
public:
  AdamW(std::vector<std::vector<float>*> params, double weight_decay) : params_(std::move(params)), weight_decay_(weight_decay) {
    for (auto* p : params_) {
      grads_.emplace_back(p->size(), 0.f);
      first_.emplace_back(p->size(), 0.f);
      second_.emplace_back(p->size(), 0.f);
    }
  }
  std::vector<float>& grad(size_t k) { return grads_[k]; }
  void zeroGrad() {
    for (auto& g : grads_) std::fill(g.begin(), g.end(), 0.f);
  }
  void step(double lr) {
    constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
    ++t_;
    const double bias1 = 1 - std::pow(kBeta1, double(t_)), bias2 = 1 - std::pow(kBeta2, double(t_));
    for (size_t p = 0; p < params_.size(); ++p) {
      std::vector<float>& w = *params_[p];
      for (size_t k = 0; k < w.size(); ++k) {
        const float g = grads_[p][k];
        first_[p][k] = float(kBeta1 * first_[p][k] + (1 - kBeta1) * g);
        second_[p][k] = float(kBeta2 * second_[p][k] + (1 - kBeta2) * g * g);
        const double update = (first_[p][k] / bias1) / (std::sqrt(second_[p][k] / bias2) + kEps);
        w[k] = float(w[k] * (1 - lr * weight_decay_) - lr * update);
      }
    }
  }

private:
  std::vector<std::vector<float>*> params_;
  std::vector<std::vector<float>> grads_, first_, second_;
  double weight_decay_;
  long t_ = 0;
};

// The MLP's parameters, row-major, rows are output units.
struct MlpWeights {
  const std::vector<float>&w1, &b1, &w2, &b2;
  int d, C, H;
};

// Forward and backward of one example (weight a) through the MLP, adding to the optimiser's
// gradients (w1, b1, w2, b2 order); returns its cross-entropy.
double mlpExample(const MlpWeights& m, const float* x, int label, float a, AdamW& opt, std::vector<float>& h, std::vector<float>& dh,
                  std::vector<float>& z) {
  for (int u = 0; u < m.H; ++u) h[u] = std::max(0.f, dotProduct(m.w1.data() + size_t(u) * m.d, x, m.d) + m.b1[u]);
  for (int c = 0; c < m.C; ++c) z[c] = dotProduct(m.w2.data() + size_t(c) * m.H, h.data(), m.H) + m.b2[c];
  const float target_logit = z[label];
  const double loss = softmaxInPlace(z.data(), m.C) - target_logit;
  std::fill(dh.begin(), dh.end(), 0.f);
  for (int c = 0; c < m.C; ++c) {
    const float g = a * (z[c] - (c == label ? 1.f : 0.f));
    opt.grad(3)[c] += g;
    float* gw2 = opt.grad(2).data() + size_t(c) * m.H;
    const float* w2 = m.w2.data() + size_t(c) * m.H;
    for (int u = 0; u < m.H; ++u) {
      gw2[u] += g * h[u];
      dh[u] += g * w2[u];
    }
  }
  for (int u = 0; u < m.H; ++u) {
    if (h[u] <= 0 || dh[u] == 0) continue;  // ReLU gate
    opt.grad(1)[u] += dh[u];
    float* gw1 = opt.grad(0).data() + size_t(u) * m.d;
    for (int j = 0; j < m.d; ++j) gw1[j] += dh[u] * x[j];
  }
  return loss;
}

}  // namespace

RegionClassifier RegionClassifier::trainMlp(const ClassExamples& e, const RegionClassifierOptions& o, const std::atomic<bool>* cancel) {
  const int d = e.dim, C = e.num_classes, H = std::max(1, o.hidden);
  const size_t n = e.size();
  RegionClassifier m;
  m.kind_ = RegionClassifierKind::Mlp;
  m.dim_ = d;
  m.num_classes_ = C;
  m.hidden_ = H;
  // torch.nn.Linear's default initialisation: U(−1/√fan_in, 1/√fan_in) for weights and biases.
  std::mt19937_64 rng(o.seed);
  const auto init = [&](std::vector<float>& v, size_t count, int fan_in) {
    std::uniform_real_distribution<float> u(-1.f / std::sqrt(float(fan_in)), 1.f / std::sqrt(float(fan_in)));
    v.resize(count);
    for (float& x : v) x = u(rng);
  };
  init(m.w1_, size_t(H) * d, d);
  init(m.b1_, H, d);
  init(m.w2_, size_t(C) * H, H);
  init(m.b2_, C, H);
  AdamW opt({&m.w1_, &m.b1_, &m.w2_, &m.b2_}, o.weight_decay);
  const MlpWeights weights{m.w1_, m.b1_, m.w2_, m.b2_, d, C, H};

  const size_t batch = size_t(std::max(1, o.batch_size));
  const size_t total_steps = (n + batch - 1) / batch * size_t(std::max(1, o.epochs));
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> h(H), dh(H), z(C);
  size_t step = 0;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    std::shuffle(order.begin(), order.end(), rng);
    double epoch_loss = 0, epoch_weight = 0;
    for (size_t start = 0; start < n; start += batch) {
      const size_t end = std::min(n, start + batch);
      double batch_weight = 0;
      for (size_t k = start; k < end; ++k) batch_weight += e.weight[order[k]];
      opt.zeroGrad();
      for (size_t k = start; k < end; ++k) {
        const size_t i = order[k];
        const double loss = mlpExample(weights, e.x.data() + i * size_t(d), e.label[i], float(e.weight[i] / batch_weight), opt, h, dh, z);
        epoch_loss += e.weight[i] * loss;
        epoch_weight += e.weight[i];
      }
      // Cosine annealing from learning_rate to 0 over all steps.
      opt.step(0.5 * o.learning_rate * (1 + std::cos(M_PI * double(step++) / double(total_steps))));
    }
    m.iterations_ = epoch + 1;
    m.final_loss_ = epoch_loss / std::max(epoch_weight, 1e-30);
  }
  return m;
}

void RegionClassifier::logits(const float* x, float* out, std::vector<float>& hidden) const {
  if (kind_ == RegionClassifierKind::Linear) {
    for (int c = 0; c < num_classes_; ++c) out[c] = dotProduct(w1_.data() + size_t(c) * dim_, x, dim_) + b1_[c];
    return;
  }
  hidden.resize(hidden_);
  for (int u = 0; u < hidden_; ++u) hidden[u] = std::max(0.f, dotProduct(w1_.data() + size_t(u) * dim_, x, dim_) + b1_[u]);
  for (int c = 0; c < num_classes_; ++c) out[c] = dotProduct(w2_.data() + size_t(c) * hidden_, hidden.data(), hidden_) + b2_[c];
}

std::vector<float> RegionClassifier::predictProbabilities(const float* x, size_t n) const {
  std::vector<float> out(n * size_t(num_classes_));
  std::vector<float> hidden;
  for (size_t i = 0; i < n; ++i) {
    float* row = out.data() + i * size_t(num_classes_);
    logits(x + i * size_t(dim_), row, hidden);
    softmaxInPlace(row, num_classes_);
  }
  return out;
}

}  // namespace regionlab
