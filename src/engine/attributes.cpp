#include "engine/attributes.h"

namespace fogline::engine {

const Attribute* Attributes::find(const std::string& name) const {
  auto it = items_.find(name);
  return it == items_.end() ? nullptr : &it->second;
}

void Attributes::set_int(const std::string& name, int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = v;
  items_[name] = std::move(a);
}

void Attributes::set_float(const std::string& name, float v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloat;
  a.f = v;
  items_[name] = std::move(a);
}

void Attributes::set_ints(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::kInts;
  a.ints = std::move(v);
  items_[name] = std::move(a);
}

void Attributes::set_string(const std::string& name, std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::kString;
  a.s = std::move(v);
  items_[name] = std::move(a);
}

int64_t Attributes::get_int(const std::string& name, int64_t fallback) const {
  const Attribute* a = find(name);
  if (!a) return fallback;
  if (a->kind == Attribute::Kind::kFloat) return static_cast<int64_t>(a->f);
  return a->i;
}

float Attributes::get_float(const std::string& name, float fallback) const {
  const Attribute* a = find(name);
  if (!a) return fallback;
  if (a->kind == Attribute::Kind::kInt) return static_cast<float>(a->i);
  return a->f;
}

std::string Attributes::get_string(const std::string& name, const std::string& fallback) const {
  const Attribute* a = find(name);
  return a ? a->s : fallback;
}

std::vector<int64_t> Attributes::get_ints(const std::string& name,
                                          std::vector<int64_t> fallback) const {
  const Attribute* a = find(name);
  return a ? a->ints : fallback;
}

std::vector<float> Attributes::get_floats(const std::string& name, std::vector<float> fallback) const {
  const Attribute* a = find(name);
  return a ? a->floats : fallback;
}

std::vector<std::string> Attributes::get_strings(const std::string& name) const {
  const Attribute* a = find(name);
  return a ? a->strings : std::vector<std::string>{};
}

const Tensor* Attributes::get_tensor(const std::string& name) const {
  const Attribute* a = find(name);
  return (a && a->kind == Attribute::Kind::kTensor) ? &a->t : nullptr;
}

std::shared_ptr<Graph> Attributes::get_graph(const std::string& name) const {
  const Attribute* a = find(name);
  return (a && a->kind == Attribute::Kind::kGraph) ? a->g : nullptr;
}

}  // namespace fogline::engine
