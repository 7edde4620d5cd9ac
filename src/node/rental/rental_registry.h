// The rentals a node serves models under: one meter per rental (a hot swap to another version
// of the same rented model keeps its meter and count), a thread that signs a report for every
// meter whose count moved each `report_seconds`, and a final report and closed batch for each
// at shutdown. Also renders the fogline_node_rental_* metric families and the /rentals view.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "node/rental/rental_meter.h"

namespace fogline::node::rental {

struct RegistryOptions {
  std::shared_ptr<const crypto::Identity> identity;  // signs the reports; none: rentals refused
  std::string meter_root;  // meters in ROOT/RENTAL_ID; empty: beside the terms file, FILE.meter
  double report_seconds = 60;
  MeterOptions meter;
};

class RentalRegistry {
 public:
  explicit RentalRegistry(RegistryOptions options) : options_(std::move(options)) {}
  ~RentalRegistry();  // stops the reporter and flushes every meter
  RentalRegistry(const RentalRegistry&) = delete;
  RentalRegistry& operator=(const RentalRegistry&) = delete;

  // The meter for the rental in `terms_path` (opened once, then shared; terms for the same
  // rented model with another prepaid count, e.g. newer ones from the hub, update its limit).
  Result<std::shared_ptr<RentalMeter>> open(const std::string& terms_path);
  // Every open meter (the agent brings the ledger's view of each rental to it).
  std::vector<std::shared_ptr<RentalMeter>> meters() const;
  // One report for every meter whose count moved (the reporter thread's tick).
  void report_all();
  void flush_all();

  std::string exposition() const;
  nlohmann::json status_json() const;

 private:
  void reporter_loop();

  const RegistryOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<RentalMeter>> meters_;  // by rental id
  std::thread reporter_;
};

}  // namespace fogline::node::rental
