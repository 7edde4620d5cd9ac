#include "optimize/onnx_model.h"

#include <deque>
#include <set>
#include <unordered_map>

#include "core/file_util.h"
#include "engine/tensor_io.h"

namespace fogline::optimize {

Result<onnx::ModelProto> parse_model(const std::string& bytes, const std::string& what) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) return invalid_argument(what + ": not an ONNX model (protobuf parse failed)");
  if (!model.has_graph()) return invalid_argument(what + ": the model has no graph");
  return model;
}

Result<onnx::ModelProto> load_model(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return parse_model(bytes, path);
}

Status save_model(const onnx::ModelProto& model, const std::string& path) {
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return internal_error(path + ": could not serialise the model");
  return write_file_atomic(path, bytes);
}

int default_opset(const onnx::ModelProto& model) {
  for (const auto& op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") return static_cast<int>(op.version());
  }
  return 0;
}

void set_opset(onnx::ModelProto* model, const std::string& domain, int version) {
  for (auto& op : *model->mutable_opset_import()) {
    bool same = op.domain() == domain || (domain.empty() && op.domain() == "ai.onnx");
    if (same) {
      op.set_version(version);
      return;
    }
  }
  auto* op = model->add_opset_import();
  op->set_domain(domain);
  op->set_version(version);
}

void drop_unused_opsets(onnx::ModelProto* model) {
  std::set<std::string> used;
  for (const auto& n : model->graph().node()) used.insert(n.domain());
  auto* ops = model->mutable_opset_import();
  for (int i = ops->size() - 1; i >= 0; --i) {
    const std::string& d = ops->Get(i).domain();
    if (d.empty() || d == "ai.onnx" || used.count(d)) continue;
    ops->DeleteSubrange(i, 1);
  }
}

Constants::Constants(const onnx::GraphProto& graph) {
  for (const auto& init : graph.initializer()) protos_[init.name()] = &init;
  for (const auto& n : graph.node()) {
    if (n.op_type() != "Constant" || n.output_size() != 1) continue;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value" && a.has_t()) protos_[n.output(0)] = &a.t();
    }
  }
}

bool Constants::has(const std::string& name) const { return protos_.count(name) > 0; }

Result<engine::Tensor> Constants::get(const std::string& name) const {
  auto it = protos_.find(name);
  if (it == protos_.end()) return not_found("tensor '" + name + "' is not a constant (initializer or Constant node)");
  auto t = engine::tensor_from_proto(*it->second, "");
  if (!t.is_ok()) return t.status().with_context("constant '" + name + "'");
  return t;
}

void add_initializer(onnx::GraphProto* graph, const std::string& name, const engine::Tensor& t) {
  engine::tensor_to_proto(t, name, graph->add_initializer());
}

int drop_unused_initializers(onnx::GraphProto* graph) {
  std::set<std::string> read;
  for (const auto& n : graph->node()) {
    for (const auto& i : n.input()) read.insert(i);
  }
  for (const auto& o : graph->output()) read.insert(o.name());
  auto* inits = graph->mutable_initializer();
  int dropped = 0;
  for (int i = inits->size() - 1; i >= 0; --i) {
    if (read.count(inits->Get(i).name())) continue;
    inits->DeleteSubrange(i, 1);
    ++dropped;
  }
  return dropped;
}

namespace {

// Every value name a subgraph (If/Loop/Scan bodies, nested) reads, outer-scope names included.
void collect_subgraph_reads(const onnx::GraphProto& graph, bool nested, std::set<std::string>* reads) {
  for (const auto& n : graph.node()) {
    if (nested) {
      for (const auto& i : n.input()) reads->insert(i);
    }
    for (const auto& a : n.attribute()) {
      if (a.has_g()) collect_subgraph_reads(a.g(), true, reads);
      for (const auto& g : a.graphs()) collect_subgraph_reads(g, true, reads);
    }
  }
}

}  // namespace

int bypass_constant_identities(onnx::GraphProto* graph) {
  std::set<std::string> constants;
  for (const auto& init : graph->initializer()) constants.insert(init.name());
  for (const auto& n : graph->node()) {
    if (n.op_type() == "Constant" && n.output_size() == 1) constants.insert(n.output(0));
  }
  // alias -> the constant it copies; nodes may come in any order, so iterate to a fixed point
  // (each round resolves at least one more link of a chain).
  std::unordered_map<std::string, std::string> alias;
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& n : graph->node()) {
      if (n.op_type() != "Identity" || !(n.domain().empty() || n.domain() == "ai.onnx") || n.input_size() != 1 ||
          n.output_size() != 1 || alias.count(n.output(0)) || constants.count(n.output(0))) {
        continue;
      }
      const std::string& in = n.input(0);
      if (auto it = alias.find(in); it != alias.end()) {
        alias[n.output(0)] = it->second;
        changed = true;
      } else if (constants.count(in)) {
        alias[n.output(0)] = in;
        changed = true;
      }
    }
  }
  if (alias.empty()) return 0;
  std::set<std::string> keep;  // names something outside this graph's node inputs reads
  for (const auto& o : graph->output()) keep.insert(o.name());
  collect_subgraph_reads(*graph, false, &keep);
  for (auto& n : *graph->mutable_node()) {
    for (int k = 0; k < n.input_size(); ++k) {
      auto it = alias.find(n.input(k));
      if (it != alias.end()) n.set_input(k, it->second);
    }
  }
  auto* nodes = graph->mutable_node();
  int dropped = 0;
  for (int i = nodes->size() - 1; i >= 0; --i) {
    const auto& n = nodes->Get(i);
    if (n.op_type() != "Identity" || n.output_size() != 1 || !alias.count(n.output(0)) || keep.count(n.output(0))) continue;
    nodes->DeleteSubrange(i, 1);
    ++dropped;
  }
  return dropped;
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t attribute_int(const onnx::NodeProto& node, const std::string& name, int64_t fallback) {
  const auto* a = find_attribute(node, name);
  return a ? a->i() : fallback;
}

float attribute_float(const onnx::NodeProto& node, const std::string& name, float fallback) {
  const auto* a = find_attribute(node, name);
  return a ? a->f() : fallback;
}

Status topological_sort(onnx::GraphProto* graph) {
  const int n = graph->node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const auto& o : graph->node(i).output()) {
      if (!o.empty()) producer[o] = i;
    }
  }
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> readers(n);
  for (int i = 0; i < n; ++i) {
    std::set<int> deps;
    for (const auto& in : graph->node(i).input()) {
      auto it = producer.find(in);
      if (it != producer.end() && it->second != i) deps.insert(it->second);
    }
    pending[i] = static_cast<int>(deps.size());
    for (int d : deps) readers[d].push_back(i);
  }
  // Ready nodes leave in their original order, so an already ordered graph stays as it was.
  std::set<int> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.insert(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    int i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int r : readers[i]) {
      if (--pending[r] == 0) ready.insert(r);
    }
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i) {
      if (pending[i] > 0) return invalid_argument("graph has a cycle through node '" + graph->node(i).name() + "' (" + graph->node(i).op_type() + ")");
    }
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
  for (int i : order) *sorted.Add() = graph->node(i);
  graph->mutable_node()->Swap(&sorted);
  return Status::ok();
}

NameAllocator::NameAllocator(const onnx::GraphProto& graph) {
  for (const auto& i : graph.input()) used_[i.name()] = 0;
  for (const auto& o : graph.output()) used_[o.name()] = 0;
  for (const auto& init : graph.initializer()) used_[init.name()] = 0;
  for (const auto& n : graph.node()) {
    for (const auto& o : n.output()) used_[o] = 0;
    for (const auto& i : n.input()) used_[i] = 0;
    if (!n.name().empty()) used_[n.name()] = 0;
  }
}

std::string NameAllocator::fresh(const std::string& hint) {
  if (!used_.count(hint)) {
    used_[hint] = 0;
    return hint;
  }
  for (int k = 1;; ++k) {
    std::string candidate = hint + "_" + std::to_string(k);
    if (!used_.count(candidate)) {
      used_[candidate] = 0;
      return candidate;
    }
  }
}

}  // namespace fogline::optimize
