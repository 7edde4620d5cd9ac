// Runs shadow versions off the request path. A request whose model has a shadow offers a copy
// of production's inputs and outputs; the copy is queued (bounded) and one worker thread runs
// the shadow on it, compares the outputs (agreement.h) and counts into the shadow's stats.
// Production never waits: when the queue is full the request is skipped (and counted as
// such) before anything is copied.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "node/serving/model_table.h"
#include "node/shadow/run_tap.h"

namespace fogline::node::shadow {

class ShadowRunner {
 public:
  static constexpr int kWorkerNice = 10;  // added to the worker thread's nice value (Linux: per thread)

  // `start_worker` false leaves the queue unserved until start() (tests of the bound).
  explicit ShadowRunner(size_t capacity = 32, bool start_worker = true);
  ~ShadowRunner();  // stops the worker; queued copies are dropped
  ShadowRunner(const ShadowRunner&) = delete;
  ShadowRunner& operator=(const ShadowRunner&) = delete;

  void start();

  // The tap for a request served by `production`: empty when its model has no shadow, or when
  // `production` is not the current version (a request pinned to the kept previous version
  // says nothing about the new one).
  RunTap tap_for(const ModelTable& models, const std::shared_ptr<const ServedModel>& production);

  // Queues a copy; false when the queue was full (counted as skipped) or a copy failed.
  bool offer(const std::shared_ptr<const ServedModel>& production, const ShadowSlot& slot,
             const std::vector<engine::Tensor>& inputs, const std::vector<engine::Tensor>& outputs,
             const processing::ImageTransform& transform);

  // Waits until every queued copy has been run and counted; false on timeout.
  bool drain(double timeout_seconds);

 private:
  struct Job {
    std::shared_ptr<const ServedModel> production;
    ShadowSlot slot;
    std::vector<engine::Tensor> inputs, outputs;
    processing::ImageTransform transform;
  };
  void worker();
  static void run(const Job& job);

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<Job> queue_;
  size_t reserved_ = 0;  // places taken by offers still copying
  bool busy_ = false, stopping_ = false;
  std::thread worker_;
};

}  // namespace fogline::node::shadow
