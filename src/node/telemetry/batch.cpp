#include "node/telemetry/batch.h"

#include <zstd.h>

namespace fogline::telemetry {
namespace {

nlohmann::json drop_json(const DropCounts& d) {
  nlohmann::json j = nlohmann::json::object();
  for (int p = 0; p < kPriorityCount; ++p)
    j[priority_name(static_cast<Priority>(p))] = {{"records", d.records[p]}, {"bytes", d.bytes[p]}};
  j["torn_bytes"] = d.torn_bytes;
  return j;
}

}  // namespace

nlohmann::json batch_json(const BatchHeader& header, const std::vector<Record>& records) {
  nlohmann::json j;
  j["format"] = "fogline-telemetry";
  j["version"] = kBatchVersion;
  j["node_id"] = header.node_id;
  j["queue_id"] = header.queue_id;
  j["floor_seq"] = header.floor_seq;
  j["sent_ms"] = header.sent_ms;
  j["dropped"] = drop_json(header.dropped);
  nlohmann::json list = nlohmann::json::array();
  for (const Record& r : records) {
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) body = r.body;
    list.push_back({{"seq", r.seq},
                    {"priority", priority_name(r.priority)},
                    {"time_ms", r.time_ms},
                    {"kind", r.kind},
                    {"body", std::move(body)}});
  }
  j["records"] = std::move(list);
  return j;
}

Result<std::string> zstd_compress(const std::string& data, int level) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(n)) return internal_error(std::string("zstd compress: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> zstd_decompress(const std::string& data, uint64_t max_size) {
  unsigned long long declared = ZSTD_getFrameContentSize(data.data(), data.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return invalid_argument("telemetry batch is not a zstd frame");
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN)
    return invalid_argument("telemetry batch: zstd frame without a content size");
  if (declared > max_size)
    return invalid_argument("telemetry batch decompresses to " + std::to_string(declared) +
                            " bytes, more than the limit " + std::to_string(max_size));
  std::string out(declared, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(n)) return invalid_argument(std::string("telemetry batch: ") + ZSTD_getErrorName(n));
  if (n != declared) return invalid_argument("telemetry batch: zstd frame shorter than declared");
  return out;
}

Result<std::string> encode_batch(const BatchHeader& header, const std::vector<Record>& records,
                                 int level) {
  return zstd_compress(batch_json(header, records).dump(), level);
}

Result<DecodedBatch> decode_batch(const std::string& compressed, uint64_t max_uncompressed) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, zstd_decompress(compressed, max_uncompressed));
  DecodedBatch out;
  std::string field;
  try {
    auto j = nlohmann::json::parse(text);
    field = "format";
    if (j.at("format") != "fogline-telemetry")
      return invalid_argument("telemetry batch: format " + j.at("format").dump() +
                              ", expected \"fogline-telemetry\"");
    field = "version";
    if (j.at("version") != kBatchVersion)
      return invalid_argument("telemetry batch: version " + j.at("version").dump() + ", expected " +
                              std::to_string(kBatchVersion));
    field = "node_id";
    out.header.node_id = j.at("node_id").get<std::string>();
    field = "queue_id";
    out.header.queue_id = j.at("queue_id").get<std::string>();
    if (out.header.queue_id.empty()) return invalid_argument("telemetry batch: empty queue_id");
    field = "floor_seq";
    out.header.floor_seq = j.at("floor_seq").get<uint64_t>();
    field = "sent_ms";
    out.header.sent_ms = j.value("sent_ms", int64_t{0});
    field = "dropped";
    const auto& d = j.at("dropped");
    for (int p = 0; p < kPriorityCount; ++p) {
      const auto& e = d.at(priority_name(static_cast<Priority>(p)));
      out.header.dropped.records[p] = e.at("records").get<uint64_t>();
      out.header.dropped.bytes[p] = e.at("bytes").get<uint64_t>();
    }
    out.header.dropped.torn_bytes = d.value("torn_bytes", uint64_t{0});
    field = "records";
    size_t i = 0;
    for (const auto& r : j.at("records")) {
      field = "records[" + std::to_string(i++) + "]";
      Record rec;
      rec.seq = r.at("seq").get<uint64_t>();
      auto prio = parse_priority(r.at("priority").get<std::string>());
      if (!prio) return invalid_argument("telemetry batch: " + field + ".priority " + r.at("priority").dump() +
                                         " is not high, normal or low");
      rec.priority = *prio;
      rec.time_ms = r.at("time_ms").get<int64_t>();
      rec.kind = r.at("kind").get<std::string>();
      rec.body = r.at("body").dump();
      out.records.push_back(std::move(rec));
    }
  } catch (const std::exception& e) {
    return invalid_argument("telemetry batch: field " + field + ": " + e.what());
  }
  return out;
}

}  // namespace fogline::telemetry
