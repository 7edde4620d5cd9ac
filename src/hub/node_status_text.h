// Readable pieces of a node status object (node_status.h) for `fogline fleet status` and
// `fogline node show`: short cells ("cam@2", "37%", "12 ms", "3m ago") and a column-aligned
// table. Missing data prints as "-".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fogline::hub {

std::string labels_text(const nlohmann::json& node);         // "camera=3,site=a"
std::string models_text(const nlohmann::json& node);         // "cam@2 det@1(failed)"; desired when no report
std::string cpu_text(const nlohmann::json& node);            // "37%"
std::string memory_text(const nlohmann::json& node);         // used share, "81%"
std::string disk_text(const nlohmann::json& node);           // used share
std::string rtt_text(const nlohmann::json& node);            // "12 ms"
std::string ago_text(int64_t seconds);                       // "42s ago", "3m ago", "2h ago", "4d ago"
std::string bytes_text(double bytes);                        // "1.5 GiB"

// Columns padded to their widest cell, two spaces apart; the last column is not padded.
std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace fogline::hub
