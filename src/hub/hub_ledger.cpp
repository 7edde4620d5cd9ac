#include "hub/hub_ledger.h"

#include <cstdlib>

#include "crypto/key_file.h"
#include "ledger/home.h"

namespace fogline::hub {

Result<std::unique_ptr<HubLedger>> open_hub_ledger(const std::string& home) {
  auto out = std::make_unique<HubLedger>();
  out->home = home;
  FOGLINE_ASSIGN_OR_RETURN(out->ledger, ledger::open_home_ledger(home));
  if (out->ledger->chain().ordered_externally())
    return invalid_argument("the ledger in " + home +
                            " is ordered by etcd peers; the hub's embedded orderer serves only a solo chain");
  const char* pass = std::getenv("FOGLINE_PASSPHRASE");
  // An orderer key sealed by the OS (`ledger init --seal os`) opens without a passphrase.
  if ((!pass || !*pass) && !crypto::opens_without_passphrase(ledger::orderer_key_path(home)))
    return invalid_argument("the hub's ledger (" + home +
                            "): set FOGLINE_PASSPHRASE, the orderer's key file is sealed under it");
  auto key = crypto::load_key_file(ledger::orderer_key_path(home), pass ? pass : "");
  if (!key.is_ok()) return key.status().with_context("the hub's ledger orderer key");
  if (key->sign_public() != out->ledger->state().orderer)
    return invalid_argument(ledger::orderer_key_path(home) + " is not the orderer of the chain in " + home + " (" +
                            ledger::short_key(out->ledger->state().orderer) + ")");
  out->orderer = std::make_unique<crypto::Identity>(std::move(key).value());
  return out;
}

}  // namespace fogline::hub
