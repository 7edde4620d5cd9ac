#include "data/text_files.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/file_util.h"

namespace fogline::data {

Result<std::vector<std::string>> read_lines(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1ull << 31));
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::vector<std::string> split_whitespace(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

int CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<CsvTable> read_csv(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1ull << 31));
  CsvTable table;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, record_line = 1;
  auto end_record = [&]() -> Status {
    fields.push_back(field);
    field.clear();
    field_started = false;
    bool blank = fields.size() == 1 && trim(fields[0]).empty();
    if (!blank) {
      if (table.header.empty()) {
        for (auto& f : fields) f = trim(f);
        table.header = std::move(fields);
      } else if (fields.size() != table.header.size()) {
        return invalid_argument(path + ":" + std::to_string(record_line) + ": " + std::to_string(fields.size()) +
                                " fields, the header has " + std::to_string(table.header.size()));
      } else {
        table.rows.push_back(std::move(fields));
        table.row_lines.push_back(record_line);
      }
    }
    fields.clear();
    return Status::ok();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\n') {
      FOGLINE_TRY(end_record());
      record_line = ++line;
    } else if (c != '\r') {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return invalid_argument(path + ":" + std::to_string(record_line) + ": unterminated quoted field");
  if (!field.empty() || !fields.empty()) FOGLINE_TRY(end_record());
  if (table.header.empty()) return invalid_argument(path + ": empty CSV (no header line)");
  return table;
}

Result<std::vector<std::string>> read_class_names(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(auto lines, read_lines(path));
  std::string ext = std::filesystem::path(path).extension().string();
  std::vector<std::string> names;
  if (ext == ".yaml" || ext == ".yml") {
    // The "names:" entry of a YOLO data config: either "  0: person" lines or a [a, b] list.
    bool in_names = false;
    std::map<long long, std::string> by_index;
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string raw = lines[i];
      auto hash = raw.find('#');
      if (hash != std::string::npos) raw = raw.substr(0, hash);
      std::string t = trim(raw);
      if (t.rfind("names:", 0) == 0) {
        std::string rest = trim(t.substr(6));
        if (!rest.empty() && rest.front() == '[') {
          size_t close = rest.find(']');
          std::string inner = rest.substr(1, close == std::string::npos ? std::string::npos : close - 1);
          size_t start = 0;
          while (start <= inner.size()) {
            size_t comma = inner.find(',', start);
            std::string item = trim(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (item.size() >= 2 && (item.front() == '\'' || item.front() == '"')) item = item.substr(1, item.size() - 2);
            if (!item.empty()) names.push_back(item);
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
          return names;
        }
        in_names = true;
        continue;
      }
      if (!in_names || t.empty()) continue;
      if (!std::isspace(static_cast<unsigned char>(raw[0]))) break;  // the next top-level key
      if (t.rfind("- ", 0) == 0) {
        by_index[static_cast<long long>(by_index.size())] = trim(t.substr(2));
        continue;
      }
      auto colon = t.find(':');
      long long idx;
      if (colon == std::string::npos || !parse_int(trim(t.substr(0, colon)), &idx)) {
        return invalid_argument(path + ":" + std::to_string(i + 1) + ": expected \"INDEX: name\" under names:");
      }
      std::string name = trim(t.substr(colon + 1));
      if (name.size() >= 2 && (name.front() == '\'' || name.front() == '"')) name = name.substr(1, name.size() - 2);
      by_index[idx] = name;
    }
    long long expect = 0;
    for (auto& [idx, name] : by_index) {
      if (idx != expect++) return invalid_argument(path + ": names: indices are not 0..N-1 (missing " + std::to_string(expect - 1) + ")");
      names.push_back(name);
    }
    if (names.empty()) return invalid_argument(path + ": no \"names:\" entry");
    return names;
  }
  for (const auto& line : lines) {
    std::string t = trim(line);
    if (t.empty()) continue;
    // "n01440764 tench, Tinca tinca": a WordNet id, then the names; keep the first name.
    if (t.size() > 10 && t[0] == 'n' && std::isdigit(static_cast<unsigned char>(t[1])) && t[9] == ' ') {
      std::string rest = trim(t.substr(10));
      auto comma = rest.find(',');
      t = trim(rest.substr(0, comma));
    }
    names.push_back(t);
  }
  return names;
}

bool parse_double(const std::string& s, double* out) {
  std::string t = trim(s);
  if (t.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return false;
  *out = v;
  return true;
}

bool parse_int(const std::string& s, long long* out) {
  std::string t = trim(s);
  if (t.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (end != t.c_str() + t.size()) return false;
  *out = v;
  return true;
}

}  // namespace fogline::data
