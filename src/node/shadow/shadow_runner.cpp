#include "node/shadow/shadow_runner.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "node/shadow/agreement.h"

namespace fogline::node::shadow {

ShadowRunner::ShadowRunner(size_t capacity, bool start_worker) : capacity_(capacity == 0 ? 1 : capacity) {
  if (start_worker) start();
}

ShadowRunner::~ShadowRunner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ShadowRunner::start() {
  if (!worker_.joinable()) worker_ = std::thread([this] { worker(); });
}

RunTap ShadowRunner::tap_for(const ModelTable& models, const std::shared_ptr<const ServedModel>& production) {
  if (!production) return {};
  ShadowSlot slot = models.shadow(production->name);
  if (!slot || models.find(production->name) != production) return {};
  return [this, production, slot](const std::vector<engine::Tensor>& inputs, const std::vector<engine::Tensor>& outputs,
                                  const processing::ImageTransform& transform) {
    offer(production, slot, inputs, outputs, transform);
  };
}

bool ShadowRunner::offer(const std::shared_ptr<const ServedModel>& production, const ShadowSlot& slot,
                         const std::vector<engine::Tensor>& inputs, const std::vector<engine::Tensor>& outputs,
                         const processing::ImageTransform& transform) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() + reserved_ >= capacity_) {
      slot.stats->skipped();
      return false;
    }
    ++reserved_;
  }
  // The copies are made outside the lock: inputs may be views of the request's body, and
  // outputs of the run's memory, neither of which outlives the request.
  Job job{production, slot, {}, {}, transform};
  bool copied = true;
  for (const auto& t : inputs) {
    auto c = t.clone();
    if (!c.is_ok()) copied = false;
    else job.inputs.push_back(std::move(c).value());
  }
  for (const auto& t : outputs) {
    auto c = t.clone();
    if (!c.is_ok()) copied = false;
    else job.outputs.push_back(std::move(c).value());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    --reserved_;
    if (copied) queue_.push_back(std::move(job));
  }
  if (!copied) {
    slot.stats->failed(0);
    idle_.notify_all();
    return false;
  }
  wake_.notify_one();
  return true;
}

bool ShadowRunner::drain(double timeout_seconds) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                        [&] { return queue_.empty() && reserved_ == 0 && !busy_; });
}

void ShadowRunner::run(const Job& job) {
  const ServedModel& shadow = *job.slot.model;
  auto t0 = std::chrono::steady_clock::now();
  auto outputs = shadow.session->run(job.inputs);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!outputs.is_ok()) {
    job.slot.stats->failed(seconds);
    return;
  }
  auto agreement = outputs_agreement(*job.production, job.outputs, shadow, *outputs, job.transform);
  if (!agreement.is_ok()) {
    job.slot.stats->failed(seconds);
    return;
  }
  job.slot.stats->compared(*agreement, seconds);
}

void ShadowRunner::worker() {
  // Production's threads come first for the CPU: on Linux a thread's nice value is its own, so
  // the shadow's runs take what production leaves (its queue fills and skips instead).
  // Failure (a sandbox without the call) only leaves the thread at the process's priority.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)setpriority(PRIO_PROCESS, tid, std::min(nice + kWorkerNice, 19));
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    run(job);
    job = Job{};  // the models and copies are released before the lock is taken again
    lock.lock();
    busy_ = false;
    if (queue_.empty() && reserved_ == 0) idle_.notify_all();
  }
}

}  // namespace fogline::node::shadow
