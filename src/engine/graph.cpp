#include "engine/graph.h"

#include <algorithm>
#include <deque>

#include "engine/value.h"

namespace fogline::engine {

std::optional<Shape> ValueType::static_shape() const {
  if (!has_shape) return std::nullopt;
  Shape s;
  for (const Dim& d : dims) {
    if (!d.is_static()) return std::nullopt;
    s.push_back(d.value);
  }
  return s;
}

std::string ValueType::to_string() const {
  std::string s = value_type_name(dtype);
  if (is_boxed_dtype(dtype)) return s;
  if (!has_shape) return s + "[?]";
  s += "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    if (dims[i].is_static()) {
      s += std::to_string(dims[i].value);
    } else {
      s += dims[i].symbol.empty() ? "?" : dims[i].symbol;
    }
  }
  return s + "]";
}

const char* domain_display_name(const std::string& domain) {
  return domain.empty() ? "ai.onnx" : domain.c_str();
}

std::string Node::describe() const {
  return op_type + " '" + name + "' (" + domain_display_name(domain) + " opset " +
         std::to_string(opset) + ")";
}

int Graph::find_value(const std::string& name) const {
  auto it = value_ids.find(name);
  return it == value_ids.end() ? -1 : it->second;
}

int Graph::add_value(const std::string& name) {
  auto it = value_ids.find(name);
  if (it != value_ids.end()) return it->second;
  int id = static_cast<int>(values.size());
  values.push_back(Value{name, {}, std::nullopt, -1});
  value_ids.emplace(name, id);
  return id;
}

int Graph::add_temp_value(const std::string& hint) {
  std::string name = hint;
  for (int k = 1; value_ids.count(name); ++k) name = hint + "_" + std::to_string(k);
  return add_value(name);
}

Status Graph::topological_sort() {
  const size_t n = nodes.size();
  std::vector<int> producer(values.size(), -1);
  for (size_t i = 0; i < n; ++i) {
    for (int o : nodes[i].outputs) {
      if (o < 0) continue;
      if (producer[o] != -1) {
        return invalid_argument("value '" + values[o].name + "' is written by two nodes: " +
                                nodes[producer[o]].describe() + " and " + nodes[i].describe());
      }
      producer[o] = static_cast<int>(i);
    }
  }
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    auto depend = [&](int in) {
      if (in < 0 || producer[in] < 0) return;
      pending[i]++;
      consumers[producer[in]].push_back(static_cast<int>(i));
    };
    for (int in : nodes[i].inputs) depend(in);
    for (int in : nodes[i].implicit_inputs) depend(in);
  }
  std::deque<int> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(static_cast<int>(i));
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int c : consumers[i]) {
      if (--pending[c] == 0) ready.push_back(c);
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] > 0) {
        return invalid_argument("the graph has a cycle through node " + nodes[i].describe());
      }
    }
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (int i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
  for (auto& v : values) v.producer = -1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (int o : nodes[i].outputs) {
      if (o >= 0) values[o].producer = static_cast<int>(i);
    }
  }
  return Status::ok();
}

void Graph::compact() {
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(), [](const Node& n) { return n.dead; }),
              nodes.end());
  for (auto& v : values) v.producer = -1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (int o : nodes[i].outputs) {
      if (o >= 0) values[o].producer = static_cast<int>(i);
    }
  }
}

Status Graph::verify() const {
  const int nv = static_cast<int>(values.size());
  std::vector<char> defined(values.size(), 0);
  for (int i : inputs) {
    if (i < 0 || i >= nv) return internal_error("graph input id out of range");
    defined[i] = 1;
  }
  for (int v = 0; v < nv; ++v) {
    if (values[v].constant) defined[v] = 1;
  }
  for (const auto& name : outer_refs) {
    int id = find_value(name);
    if (id >= 0) defined[id] = 1;
  }
  for (const Node& node : nodes) {
    if (node.dead) continue;
    std::vector<int> reads = node.inputs;
    reads.insert(reads.end(), node.implicit_inputs.begin(), node.implicit_inputs.end());
    for (int in : reads) {
      if (in < -1 || in >= nv) return internal_error(node.describe() + " reads a value id out of range");
      if (in >= 0 && !defined[in]) {
        return invalid_argument(node.describe() + " reads '" + values[in].name +
                                "', which is neither a graph input, an initializer nor the output "
                                "of an earlier node");
      }
    }
    for (const PostOp& p : node.post_ops) {
      if (p.kind == PostOp::Kind::kAdd &&
          (p.input < 0 || p.input >= static_cast<int>(node.inputs.size()))) {
        return internal_error(node.describe() + " has a fused Add without its operand");
      }
    }
    for (int out : node.outputs) {
      if (out < -1 || out >= nv) return internal_error(node.describe() + " writes a value id out of range");
      if (out >= 0) {
        if (defined[out]) {
          return invalid_argument(node.describe() + " writes '" + values[out].name +
                                  "', which is already defined");
        }
        defined[out] = 1;
      }
    }
  }
  for (int o : outputs) {
    if (o < 0 || o >= nv || !defined[o]) {
      return invalid_argument("graph output '" + (o >= 0 && o < nv ? values[o].name : "?") +
                              "' is never computed");
    }
  }
  return Status::ok();
}

std::vector<int> Graph::use_counts() const {
  std::vector<int> uses(values.size(), 0);
  for (const Node& node : nodes) {
    if (node.dead) continue;
    for (int in : node.inputs) {
      if (in >= 0) uses[in]++;
    }
    for (int in : node.implicit_inputs) uses[in]++;
  }
  for (int o : outputs) uses[o]++;
  return uses;
}

}  // namespace fogline::engine
