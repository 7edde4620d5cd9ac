// The table of transaction types: adding a type is one file under tx/ and one line here.
// Codes are part of the format (docs/formats/ledger.md) and are never reused.
#include "ledger/tx/data_record.h"
#include "ledger/tx/data_use.h"
#include "ledger/tx/dataset_create.h"
#include "ledger/tx/escrow_create.h"
#include "ledger/tx/escrow_refund.h"
#include "ledger/tx/escrow_release.h"
#include "ledger/tx/genesis.h"
#include "ledger/tx/grant.h"
#include "ledger/tx/mint.h"
#include "ledger/tx/model_publish.h"
#include "ledger/tx/node_authorize.h"
#include "ledger/tx/register_account.h"
#include "ledger/tx/rental_start.h"
#include "ledger/tx/transfer.h"
#include "ledger/tx/usage_settle.h"

namespace fogline::ledger {

const std::vector<TxTypeInfo>& tx_types() {
  static const std::vector<TxTypeInfo> types = {
      {GenesisTx::kCode, "genesis", &GenesisTx::decode},
      {RegisterAccountTx::kCode, "register_account", &RegisterAccountTx::decode},
      {MintTx::kCode, "mint", &MintTx::decode},
      {TransferTx::kCode, "transfer", &TransferTx::decode},
      {EscrowCreateTx::kCode, "escrow_create", &EscrowCreateTx::decode},
      {EscrowReleaseTx::kCode, "escrow_release", &EscrowReleaseTx::decode},
      {EscrowRefundTx::kCode, "escrow_refund", &EscrowRefundTx::decode},
      {DatasetCreateTx::kCode, "dataset_create", &DatasetCreateTx::decode},
      {DataRecordTx::kCode, "data_record", &DataRecordTx::decode},
      {GrantTx::kCode, "grant", &GrantTx::decode},
      {ModelPublishTx::kCode, "model_publish", &ModelPublishTx::decode},
      {DataUseTx::kCode, "data_use", &DataUseTx::decode},
      {RentalStartTx::kCode, "rental_start", &RentalStartTx::decode},
      {UsageSettleTx::kCode, "usage_settle", &UsageSettleTx::decode},
      {NodeAuthorizeTx::kCode, "node_authorize", &NodeAuthorizeTx::decode},
  };
  return types;
}

}  // namespace fogline::ledger
