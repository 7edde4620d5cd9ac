#include "node/serving/numeric_data.h"

#include <cctype>
#include <charconv>

namespace fogline::node {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// One JSON number (RFC 8259 grammar) at `p`; false when the text there is not one.
bool read_number(const char*& p, const char* end, NumericData* out) {
  const char* start = p;
  const char* q = p;
  if (q < end && *q == '-') ++q;
  if (q >= end || !std::isdigit(static_cast<unsigned char>(*q))) return false;
  if (*q == '0') ++q;
  else while (q < end && std::isdigit(static_cast<unsigned char>(*q))) ++q;
  bool integral = true;
  if (q < end && *q == '.') {
    integral = false;
    ++q;
    if (q >= end || !std::isdigit(static_cast<unsigned char>(*q))) return false;
    while (q < end && std::isdigit(static_cast<unsigned char>(*q))) ++q;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    integral = false;
    ++q;
    if (q < end && (*q == '+' || *q == '-')) ++q;
    if (q >= end || !std::isdigit(static_cast<unsigned char>(*q))) return false;
    while (q < end && std::isdigit(static_cast<unsigned char>(*q))) ++q;
  }
  double d = 0;
  if (integral) {
    int64_t i = 0;
    auto r = std::from_chars(start, q, i);
    if (r.ec != std::errc() || r.ptr != q) return false;  // beyond int64: leave it to the JSON parser
    d = static_cast<double>(i);
    if (out->all_integers) out->integers.push_back(i);
  } else {
    auto r = std::from_chars(start, q, d);
    if (r.ec != std::errc() || r.ptr != q) return false;
    out->all_integers = false;
    out->integers.clear();
  }
  out->values.push_back(d);
  p = q;
  return true;
}

// An array of numbers or of equally shaped arrays, starting at '['; `depth` is its level.
bool read_array(const char*& p, const char* end, size_t depth, NumericData* out, std::vector<int64_t>* dims,
                size_t* leaf_depth) {
  ++p;  // '['
  int64_t count = 0;
  while (p < end && is_space(*p)) ++p;
  if (p < end && *p == ']') {
    ++p;
  } else {
    for (;;) {
      while (p < end && is_space(*p)) ++p;
      if (p >= end) return false;
      if (*p == '[') {
        if (!read_array(p, end, depth + 1, out, dims, leaf_depth)) return false;
      } else {
        if (*leaf_depth == SIZE_MAX) *leaf_depth = depth;
        if (*leaf_depth != depth || !read_number(p, end, out)) return false;
      }
      ++count;
      while (p < end && is_space(*p)) ++p;
      if (p >= end) return false;
      if (*p == ',') {
        ++p;
        continue;
      }
      if (*p != ']') return false;
      ++p;
      break;
    }
  }
  if (dims->size() <= depth) dims->resize(depth + 1, -1);
  if ((*dims)[depth] == -1) (*dims)[depth] = count;
  return (*dims)[depth] == count;
}

// The end of the string starting at `p` (its opening quote), past the closing quote.
const char* skip_string(const char* p, const char* end) {
  ++p;
  while (p < end && *p != '"') p += (*p == '\\' && p + 1 < end) ? 2 : 1;
  return p < end ? p + 1 : end;
}

}  // namespace

std::string extract_numeric_data(std::string_view body, std::vector<std::optional<NumericData>>* found) {
  found->clear();
  std::string out;
  const char* begin = body.data();
  const char* end = begin + body.size();
  const char* p = begin;
  const char* copied = begin;  // body[copied, p) not yet in `out`
  // Containers from the root; keys of the objects along the way.
  struct Level {
    char kind;  // '{' or '['
    std::string_view key;
    int64_t index = -1;  // arrays: the element being read
  };
  std::vector<Level> stack;
  std::string_view last_string;
  bool pending_key = false;
  while (p < end) {
    char c = *p;
    if (is_space(c)) {
      ++p;
      continue;
    }
    if (c == '"') {
      const char* q = skip_string(p, end);
      last_string = std::string_view(p + 1, static_cast<size_t>(q - p - 2 >= 0 ? q - p - 2 : 0));
      p = q;
      pending_key = !stack.empty() && stack.back().kind == '{';
      continue;
    }
    if (c == ':' && pending_key) {
      stack.back().key = last_string;
      pending_key = false;
      ++p;
      while (p < end && is_space(*p)) ++p;
      // inputs[i].data, directly under the root object's "inputs" array.
      if (p < end && *p == '[' && stack.size() == 3 && stack[2].key == "data" && stack[1].kind == '[' &&
          stack[0].key == "inputs") {
        NumericData data;
        std::vector<int64_t> dims;
        size_t leaf_depth = SIZE_MAX;
        const char* q = p;
        if (read_array(q, end, 0, &data, &dims, &leaf_depth) && (leaf_depth == SIZE_MAX || leaf_depth + 1 == dims.size())) {
          data.dims = std::move(dims);
          size_t i = static_cast<size_t>(stack[1].index);
          if (found->size() <= i) found->resize(i + 1);
          (*found)[i] = std::move(data);
          out.append(copied, p);
          out.append("null");
          p = copied = q;
        }
      }
      continue;
    }
    if (c == '{' || c == '[') {
      if (!stack.empty() && stack.back().kind == '[') ++stack.back().index;
      // An array counts the containers it holds: inputs[i] is the i-th object of "inputs".
      stack.push_back({c, {}, -1});
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    }
    pending_key = false;
    ++p;
  }
  out.append(copied, end);
  return out;
}

}  // namespace fogline::node
