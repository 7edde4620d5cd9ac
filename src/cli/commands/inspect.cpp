// fogline inspect MODEL: signature, opsets, op histogram, parameters, FLOPs, unsupported ops.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "engine/model_stats.h"
#include "engine/onnx_import.h"

namespace fogline::cli {
namespace {

class InspectCommand : public Command {
 public:
  const char* name() const override { return "inspect"; }
  const char* summary() const override {
    return "Show a model's inputs, outputs, opsets, ops, parameters, FLOPs and unsupported ops";
  }
  void configure(CLI::App& app) override {
    app.add_option("model", path_, "an .onnx file")->required();
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto model = engine::import_onnx_file(path_);
    if (!model.is_ok()) return fail(model.status().message());
    const engine::Graph& g = model->graph;
    engine::ModelStats stats = engine::compute_model_stats(g);
    nlohmann::json doc;
    doc["model"] = path_;
    doc["ir_version"] = model->info.ir_version;
    doc["producer"] = model->info.producer;
    for (const auto& [domain, version] : model->info.opsets) doc["opsets"][engine::domain_display_name(domain)] = version;
    for (int id : g.inputs) doc["inputs"].push_back({{"name", g.values[id].name}, {"type", g.values[id].type.to_string()}});
    for (int id : g.outputs) doc["outputs"].push_back({{"name", g.values[id].name}, {"type", g.values[id].type.to_string()}});
    doc["ops"] = stats.op_histogram;
    doc["nodes"] = g.nodes.size();
    doc["parameters"] = stats.parameters;
    doc["parameter_bytes"] = stats.parameter_bytes;
    doc["flops"] = stats.flops;
    doc["flops_complete"] = stats.flops_complete;
    doc["unsupported_ops"] = stats.unsupported;
    doc["warnings"] = model->info.warnings;
    if (json_) {
      std::cout << doc.dump(2) << "\n";
      return 0;
    }
    std::printf("model       %s (%lld bytes)\n", path_.c_str(), static_cast<long long>(model->info.file_bytes));
    std::printf("producer    %s, IR version %lld\n", model->info.producer.c_str(),
                static_cast<long long>(model->info.ir_version));
    std::printf("opsets     ");
    for (const auto& [domain, version] : model->info.opsets) std::printf(" %s %d", engine::domain_display_name(domain), version);
    std::printf("\ninputs\n");
    for (int id : g.inputs) std::printf("  %-30s %s\n", g.values[id].name.c_str(), g.values[id].type.to_string().c_str());
    std::printf("outputs\n");
    for (int id : g.outputs) std::printf("  %-30s %s\n", g.values[id].name.c_str(), g.values[id].type.to_string().c_str());
    std::printf("nodes       %zu\n", g.nodes.size());
    std::printf("parameters  %lld (%.2f MB)\n", static_cast<long long>(stats.parameters), stats.parameter_bytes / 1e6);
    std::printf("FLOPs       %.3f G%s\n", stats.flops / 1e9, stats.flops_complete ? "" : " (some shapes unknown: a lower bound)");
    std::printf("ops\n");
    for (const auto& [op, count] : stats.op_histogram) std::printf("  %-30s %d\n", op.c_str(), count);
    if (stats.unsupported.empty()) {
      std::printf("unsupported none: the engine can run every op\n");
    } else {
      std::printf("unsupported\n");
      for (const auto& u : stats.unsupported) std::printf("  %s\n", u.c_str());
    }
    for (const auto& w : model->info.warnings) std::printf("warning     %s\n", w.c_str());
    return 0;
  }

 private:
  std::string path_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(InspectCommand);

}  // namespace fogline::cli
