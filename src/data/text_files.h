// Small readers for the text files datasets are made of: lines, whitespace fields, CSV (RFC
// 4180 quoting), class-name lists (plain, "wnid name" synset files, YOLO config.yaml names).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::data {

Result<std::vector<std::string>> read_lines(const std::string& path);  // '\r' stripped
std::string trim(const std::string& s);
std::vector<std::string> split_whitespace(const std::string& s);

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;  // 1-based line of each row in the file
  int column(const std::string& name) const;  // -1 when absent
};
// Rows with a different number of fields than the header are errors naming file and line.
Result<CsvTable> read_csv(const std::string& path);

// One class per line. "n01440764 tench, Tinca tinca" (a WordNet id first) gives "tench"; a
// YAML file gives the entries of its "names:" map or list; blank lines are skipped.
Result<std::vector<std::string>> read_class_names(const std::string& path);

// Parses a whole string as a number / integer (no trailing garbage).
bool parse_double(const std::string& s, double* out);
bool parse_int(const std::string& s, long long* out);

}  // namespace fogline::data
