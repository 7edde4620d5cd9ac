// The hub's embedded orderer (the ledger's default ordering: nothing to install): the ledger of
// a Fogline home (HOME/ledger, made by `fogline ledger init`) opened in the hub process, and
// the orderer's key (HOME/keys/orderer.key, sealed under $FOGLINE_PASSPHRASE or by the OS) that signs the
// blocks it cuts from transactions submitted over the REST API (routes_ledger.cpp). Off when
// the hub is started without a ledger home. Handlers use it under the server's lock.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "crypto/identity.h"
#include "ledger/ledger.h"

namespace fogline::hub {

struct HubLedger {
  std::string home;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<crypto::Identity> orderer;  // the key the chain's genesis names
};

// Refuses a home without a ledger, a chain ordered by etcd peers (their order is not the
// hub's to decide) and an orderer key that is not the chain's.
Result<std::unique_ptr<HubLedger>> open_hub_ledger(const std::string& home);

}  // namespace fogline::hub
