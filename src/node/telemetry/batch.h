// The telemetry batch: what the node POSTs to the hub (docs/formats/telemetry.md, "Batch").
// JSON, compressed as one zstd frame; the hub de-duplicates by (node id, queue id, seq).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "node/telemetry/record.h"

namespace fogline::telemetry {

inline constexpr int kBatchVersion = 1;

struct BatchHeader {
  std::string node_id;
  std::string queue_id;
  uint64_t floor_seq = 0;  // the node will never send a seq below this again
  int64_t sent_ms = 0;
  DropCounts dropped;      // cumulative since the queue was created
};

struct DecodedBatch {
  BatchHeader header;
  std::vector<Record> records;  // body re-serialised as compact JSON text
};

// The uncompressed JSON document. Bodies that are not valid JSON travel as strings.
nlohmann::json batch_json(const BatchHeader& header, const std::vector<Record>& records);

// batch_json, dumped and compressed (zstd `level`).
Result<std::string> encode_batch(const BatchHeader& header, const std::vector<Record>& records,
                                 int level = 3);

// The hub's side: decompresses (refusing more than `max_uncompressed` bytes) and checks
// every field, naming the one that was wrong.
Result<DecodedBatch> decode_batch(const std::string& compressed,
                                  uint64_t max_uncompressed = 64ull << 20);

Result<std::string> zstd_compress(const std::string& data, int level);
Result<std::string> zstd_decompress(const std::string& data, uint64_t max_size);

}  // namespace fogline::telemetry
