#include "node/serving/model_table.h"

namespace fogline::node {

std::string ModelTable::swap_model(std::shared_ptr<const ServedModel> model) {
  std::shared_ptr<const ServedModel> old;  // released outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = models_[model->name];
  std::string replaced = e.current ? e.current->version : "";
  old = std::move(e.previous);
  e.previous = std::move(e.current);
  e.current = std::move(model);
  return replaced;
}

Status ModelTable::rollback(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return not_found("no model named '" + name + "'");
  if (!it->second.previous) return not_found("model '" + name + "' has no previous version to roll back to");
  std::swap(it->second.current, it->second.previous);
  return Status::ok();
}

std::shared_ptr<const ServedModel> ModelTable::find(const std::string& name, const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return nullptr;
  const Entry& e = it->second;
  if (version.empty() || (e.current && e.current->version == version)) return e.current;
  if (e.previous && e.previous->version == version) return e.previous;
  return nullptr;
}

std::vector<std::shared_ptr<const ServedModel>> ModelTable::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const ServedModel>> out;
  for (const auto& [name, e] : models_) {
    if (e.current) out.push_back(e.current);
  }
  return out;
}

std::vector<std::string> ModelTable::versions(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  auto it = models_.find(name);
  if (it == models_.end()) return out;
  if (it->second.current) out.push_back(it->second.current->version);
  if (it->second.previous && it->second.previous->version != out.front()) out.push_back(it->second.previous->version);
  return out;
}

std::vector<std::string> ModelTable::names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, e] : models_) out.push_back(name);
  return out;
}

void ModelTable::set_shadow(std::shared_ptr<const ServedModel> model) {
  ShadowSlot old;  // released outside the lock
  ShadowSlot slot{std::move(model), std::make_shared<shadow::ShadowStats>()};
  std::lock_guard<std::mutex> lock(mu_);
  ShadowSlot& s = shadows_[slot.model->name];
  old = std::move(s);
  s = std::move(slot);
}

bool ModelTable::clear_shadow(const std::string& name) {
  ShadowSlot old;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = shadows_.find(name);
  if (it == shadows_.end()) return false;
  old = std::move(it->second);
  shadows_.erase(it);
  return true;
}

ShadowSlot ModelTable::shadow(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = shadows_.find(name);
  return it == shadows_.end() ? ShadowSlot{} : it->second;
}

std::vector<ShadowSlot> ModelTable::shadows() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ShadowSlot> out;
  for (const auto& [name, s] : shadows_) out.push_back(s);
  return out;
}

}  // namespace fogline::node
