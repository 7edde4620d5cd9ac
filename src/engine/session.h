// Session: one loaded, optimised model, ready to run. Loading does all checking (including
// that every op can run), so `run` fails only on bad inputs or exhausted resources.
// `run` is const and safe to call from many threads at once.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/executor.h"
#include "engine/graph.h"
#include "engine/onnx_import.h"
#include "engine/value.h"

namespace fogline::engine {

struct SessionOptions {
  int threads = 0;  // 0: all cores
  bool reference_only = false;  // plain C++ kernels only (what fast kernels are tested against)
  bool optimize = true;         // run the graph passes
  std::set<std::string> disabled_passes;
  bool plan_memory = true;
  // "bf16": convolutions compute in bfloat16 where the CPU has it (AVX512_BF16/AMX), as if the
  // model's metadata said fogline.compute_precision=bf16; "fp32" overrides such a model; ""
  // follows the model.
  std::string precision;
  ImportOptions import;
};

// True when the CPU (under ONEDNN_MAX_CPU_ISA) runs bf16 convolutions natively (AVX512_BF16,
// AMX): only then does SessionOptions::precision = "bf16" change anything.
bool cpu_runs_bf16();

struct TensorSpec {
  std::string name;
  ValueType type;
};

struct PassReport {
  std::string name;
  double ms = 0;
  int changes = 0;  // nodes rewritten or removed
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> open(const std::string& path, SessionOptions options = {});
  static Result<std::unique_ptr<Session>> from_bytes(const std::string& bytes, SessionOptions options = {});
  static Result<std::unique_ptr<Session>> from_model(ImportedModel model, SessionOptions options = {});

  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }
  const ModelInfo& info() const { return info_; }
  const Graph& graph() const { return executor_->graph(); }
  const GraphExecutor& executor() const { return *executor_; }
  const std::vector<PassReport>& pass_reports() const { return pass_reports_; }
  int threads() const { return threads_; }

  // Runs with inputs in the order of inputs(). Checks count, type, rank and static dims.
  Result<std::vector<Tensor>> run(const std::vector<Tensor>& inputs, RunStats* stats = nullptr) const;
  // Runs a model whose inputs or outputs may be sequences or optionals (engine/value.h);
  // inputs in the order of inputs(), each of the kind the model declares.
  Result<std::vector<RunValue>> run_values(const std::vector<RunValue>& inputs,
                                           RunStats* stats = nullptr) const;
  // Runs with inputs by name; returns outputs by name.
  Result<std::map<std::string, Tensor>> run_named(const std::map<std::string, Tensor>& inputs,
                                                  RunStats* stats = nullptr) const;

  // Bytes of the planned arena for the last input shapes run (0 before the first run).
  uint64_t planned_arena_bytes() const { return executor_->planned_arena_bytes(); }

 private:
  Session() = default;
  Status check_input(size_t i, const Tensor& t) const;

  ModelInfo info_;
  SessionOptions options_;
  int threads_ = 1;
  std::vector<TensorSpec> inputs_, outputs_;
  std::vector<PassReport> pass_reports_;
  std::unique_ptr<GraphExecutor> executor_;
};

}  // namespace fogline::engine
