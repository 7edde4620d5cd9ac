// Node attributes, converted from ONNX's AttributeProto once at import so kernels never
// touch protobuf.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/tensor.h"

namespace fogline::engine {

struct Graph;

struct Attribute {
  enum class Kind { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs };
  Kind kind = Kind::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
};

class Attributes {
 public:
  bool has(const std::string& name) const { return items_.count(name) != 0; }
  const Attribute* find(const std::string& name) const;
  void set(const std::string& name, Attribute a) { items_[name] = std::move(a); }
  void set_int(const std::string& name, int64_t v);
  void set_float(const std::string& name, float v);
  void set_ints(const std::string& name, std::vector<int64_t> v);
  void set_string(const std::string& name, std::string v);
  void erase(const std::string& name) { items_.erase(name); }

  int64_t get_int(const std::string& name, int64_t fallback) const;
  float get_float(const std::string& name, float fallback) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> fallback = {}) const;
  std::vector<std::string> get_strings(const std::string& name) const;
  const Tensor* get_tensor(const std::string& name) const;
  std::shared_ptr<Graph> get_graph(const std::string& name) const;

  const std::map<std::string, Attribute>& items() const { return items_; }

 private:
  std::map<std::string, Attribute> items_;
};

}  // namespace fogline::engine
