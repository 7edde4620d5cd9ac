#include "node/rental/rental_registry.h"

#include <chrono>
#include <cstdio>

#include "core/prometheus_text.h"

namespace fogline::node::rental {

RentalRegistry::~RentalRegistry() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (reporter_.joinable()) reporter_.join();
  flush_all();
}

Result<std::shared_ptr<RentalMeter>> RentalRegistry::open(const std::string& terms_path) {
  FOGLINE_ASSIGN_OR_RETURN(RentalTerms terms, load_rental_terms(terms_path));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = meters_.find(terms.rental);
  if (it != meters_.end()) {
    const RentalTerms& have = it->second->terms();
    if (have.model != terms.model || have.version != terms.version || have.renter != terms.renter)
      return invalid_argument("rental terms " + terms_path + " differ from the terms rental " + terms.rental +
                              " is already metered under (" + have.label() + ")");
    // The count a node may reach moves as the rental is settled; newer terms carry the newer one.
    if (have.prepaid_inferences != terms.prepaid_inferences) it->second->set_allowance(terms.prepaid_inferences, "");
    return it->second;
  }
  std::string dir = options_.meter_root.empty() ? terms_path + ".meter" : options_.meter_root + "/" + terms.rental;
  FOGLINE_ASSIGN_OR_RETURN(auto meter, RentalMeter::open(std::move(terms), dir, options_.identity, options_.meter));
  meters_[meter->terms().rental] = meter;
  if (!reporter_.joinable() && options_.report_seconds > 0) reporter_ = std::thread([this] { reporter_loop(); });
  return meter;
}

std::vector<std::shared_ptr<RentalMeter>> RentalRegistry::meters() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<RentalMeter>> out;
  for (const auto& [id, m] : meters_) out.push_back(m);
  return out;
}

void RentalRegistry::reporter_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::duration<double>(options_.report_seconds));
    if (stopping_) break;
    lock.unlock();
    report_all();
    lock.lock();
  }
}

void RentalRegistry::report_all() {
  std::map<std::string, std::shared_ptr<RentalMeter>> meters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    meters = meters_;
  }
  for (const auto& [id, m] : meters) {
    Status st = m->report();
    if (!st.is_ok()) std::fprintf(stderr, "rental %s: %s\n", id.c_str(), st.message().c_str());
  }
}

void RentalRegistry::flush_all() {
  std::map<std::string, std::shared_ptr<RentalMeter>> meters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    meters = meters_;
  }
  for (const auto& [id, m] : meters) {
    Status st = m->flush();
    if (!st.is_ok()) std::fprintf(stderr, "rental %s: %s\n", id.c_str(), st.message().c_str());
  }
}

std::string RentalRegistry::exposition() const {
  std::map<std::string, std::shared_ptr<RentalMeter>> meters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    meters = meters_;
  }
  if (meters.empty()) return "";
  struct Row {
    MetricLabels labels;
    MeterSnapshot s;
  };
  std::vector<Row> rows;
  for (const auto& [id, m] : meters)
    rows.push_back({{{"rental", id}, {"rented_model", m->terms().label()}}, m->snapshot()});
  Exposition e;
  e.family("fogline_node_rental_inferences_total", "counter",
           "Inferences of a rented model served and counted (durable, cumulative since the rental began).");
  for (const auto& r : rows) e.sample("fogline_node_rental_inferences_total", r.labels, static_cast<double>(r.s.inferences));
  e.family("fogline_node_rental_prepaid_inferences", "gauge", "Inferences the rental's prepayment covers (absent: no limit).");
  for (const auto& r : rows)
    if (r.s.prepaid != kUnlimited) e.sample("fogline_node_rental_prepaid_inferences", r.labels, static_cast<double>(r.s.prepaid));
  e.family("fogline_node_rental_exhausted", "gauge", "1 when the prepaid inferences are used up and the model is refused.");
  for (const auto& r : rows) e.sample("fogline_node_rental_exhausted", r.labels, r.s.exhausted() ? 1 : 0);
  e.family("fogline_node_rental_refused_total", "counter", "Requests refused because the prepayment was used up.");
  for (const auto& r : rows) e.sample("fogline_node_rental_refused_total", r.labels, static_cast<double>(r.s.refused));
  e.family("fogline_node_rental_report_sequence", "gauge", "Sequence number of the last signed usage report.");
  for (const auto& r : rows) e.sample("fogline_node_rental_report_sequence", r.labels, static_cast<double>(r.s.sequence));
  return e.text();
}

nlohmann::json RentalRegistry::status_json() const {
  std::map<std::string, std::shared_ptr<RentalMeter>> meters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    meters = meters_;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, m] : meters) {
    MeterSnapshot s = m->snapshot();
    nlohmann::json j{{"rental", id},
                     {"rented_model", m->terms().label()},
                     {"used", s.inferences},
                     {"in_flight", s.in_flight},
                     {"exhausted", s.exhausted()},
                     {"report_sequence", s.sequence},
                     {"reported", s.reported},
                     {"refused", s.refused},
                     {"meter_dir", m->dir()},
                     {"batches", m->batch_files()}};
    j["prepaid"] = s.prepaid == kUnlimited ? nlohmann::json(nullptr) : nlohmann::json(s.prepaid);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace fogline::node::rental
