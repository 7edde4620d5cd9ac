#include "hub/rollback_rule.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace fogline::hub {

struct RollbackRule::Node {
  enum class Kind { kOr, kAnd, kCompare } kind = Kind::kCompare;
  std::vector<std::shared_ptr<const Node>> children;  // kOr, kAnd
  std::string metric, op;                             // kCompare
  double value = 0;
};

namespace {

using NodePtr = std::shared_ptr<const RollbackRule::Node>;

struct Token {
  enum class Kind { kWord, kNumber, kOp, kOpen, kClose, kEnd } kind = Kind::kEnd;
  std::string text;
  size_t column = 0;  // 1-based
};

std::string describe(const Token& t) {
  if (t.kind == Token::Kind::kEnd) return "the end of the rule";
  return "'" + t.text + "' at column " + std::to_string(t.column);
}

Result<std::vector<Token>> tokenize(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.column = i + 1;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Token::Kind::kWord;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-') {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '_' ||
                              ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        ++j;
      t.kind = Token::Kind::kNumber;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (c == '<' || c == '>' || c == '=' || c == '!') {
      size_t j = i + 1;
      if (j < s.size() && s[j] == '=') ++j;
      t.kind = Token::Kind::kOp;
      t.text = s.substr(i, j - i);
      if (t.text == "=" || t.text == "!")
        return invalid_argument("rollback rule: unknown operator " + describe(t) + " (use < <= > >= == !=)");
      i = j;
    } else if (c == '(' || c == ')') {
      t.kind = c == '(' ? Token::Kind::kOpen : Token::Kind::kClose;
      t.text = std::string(1, c);
      ++i;
    } else {
      t.kind = Token::Kind::kWord;  // anything but kEnd, for describe()
      t.text = std::string(1, c);
      return invalid_argument("rollback rule: unexpected character " + describe(t));
    }
    out.push_back(t);
  }
  Token end;
  end.column = s.size() + 1;
  out.push_back(end);
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<NodePtr> parse_all() {
    FOGLINE_ASSIGN_OR_RETURN(NodePtr root, parse_or());
    if (peek().kind != Token::Kind::kEnd)
      return invalid_argument("rollback rule: expected 'or', 'and' or the end, got " + describe(peek()));
    return root;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  bool keyword(const char* word) const { return peek().kind == Token::Kind::kWord && lower(peek().text) == word; }

  Result<NodePtr> parse_or() {
    FOGLINE_ASSIGN_OR_RETURN(NodePtr first, parse_and());
    if (!keyword("or")) return first;
    auto node = std::make_shared<RollbackRule::Node>();
    node->kind = RollbackRule::Node::Kind::kOr;
    node->children.push_back(first);
    while (keyword("or")) {
      ++pos_;
      FOGLINE_ASSIGN_OR_RETURN(NodePtr next, parse_and());
      node->children.push_back(next);
    }
    return NodePtr(node);
  }

  Result<NodePtr> parse_and() {
    FOGLINE_ASSIGN_OR_RETURN(NodePtr first, parse_term());
    if (!keyword("and")) return first;
    auto node = std::make_shared<RollbackRule::Node>();
    node->kind = RollbackRule::Node::Kind::kAnd;
    node->children.push_back(first);
    while (keyword("and")) {
      ++pos_;
      FOGLINE_ASSIGN_OR_RETURN(NodePtr next, parse_term());
      node->children.push_back(next);
    }
    return NodePtr(node);
  }

  Result<NodePtr> parse_term() {
    if (peek().kind == Token::Kind::kOpen) {
      ++pos_;
      FOGLINE_ASSIGN_OR_RETURN(NodePtr inner, parse_or());
      if (peek().kind != Token::Kind::kClose)
        return invalid_argument("rollback rule: expected ')', got " + describe(peek()));
      ++pos_;
      return inner;
    }
    const Token& metric = peek();
    if (metric.kind != Token::Kind::kWord)
      return invalid_argument("rollback rule: expected a metric (" + metric_list() + "), got " + describe(metric));
    const auto& names = RollbackRule::metric_names();
    if (std::find(names.begin(), names.end(), metric.text) == names.end())
      return invalid_argument("rollback rule: unknown metric " + describe(metric) + " (known: " + metric_list() + ")");
    ++pos_;
    const Token& op = peek();
    if (op.kind != Token::Kind::kOp)
      return invalid_argument("rollback rule: expected a comparison (< <= > >= == !=) after '" + metric.text +
                              "', got " + describe(op));
    ++pos_;
    const Token& number = peek();
    if (number.kind != Token::Kind::kNumber)
      return invalid_argument("rollback rule: expected a number after '" + metric.text + op.text + "', got " +
                              describe(number));
    char* end = nullptr;
    double value = std::strtod(number.text.c_str(), &end);
    if (end == number.text.c_str() || *end != '\0')
      return invalid_argument("rollback rule: " + describe(number) + " is not a number");
    ++pos_;
    auto node = std::make_shared<RollbackRule::Node>();
    node->metric = metric.text;
    node->op = op.text;
    node->value = value;
    return NodePtr(node);
  }

  static std::string metric_list() {
    std::string out;
    for (const auto& n : RollbackRule::metric_names()) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
};

std::string format_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

bool eval(const RollbackRule::Node& n, const nlohmann::json& metrics, std::vector<std::string>& held) {
  using K = RollbackRule::Node::Kind;
  if (n.kind == K::kOr) {
    bool any = false;
    for (const auto& c : n.children) any = eval(*c, metrics, held) || any;  // every branch, for `why`
    return any;
  }
  if (n.kind == K::kAnd) {
    size_t mark = held.size();
    for (const auto& c : n.children)
      if (!eval(*c, metrics, held)) {
        held.resize(mark);
        return false;
      }
    return true;
  }
  if (!metrics.is_object() || !metrics.contains(n.metric) || !metrics[n.metric].is_number()) return false;
  double x = metrics[n.metric].get<double>();
  bool r = n.op == "<" ? x < n.value : n.op == "<=" ? x <= n.value : n.op == ">" ? x > n.value
         : n.op == ">=" ? x >= n.value : n.op == "==" ? x == n.value : x != n.value;
  if (r) held.push_back(n.metric + "=" + format_number(x) + " " + n.op + " " + format_number(n.value));
  return r;
}

}  // namespace

const std::vector<std::string>& RollbackRule::metric_names() {
  static const std::vector<std::string> kNames = {"p50_ms", "p99_ms", "error_rate", "agreement", "requests"};
  return kNames;
}

Result<RollbackRule> RollbackRule::parse(const std::string& text) {
  RollbackRule rule;
  rule.text_ = text;
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    return rule;
  FOGLINE_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(text));
  Parser p(std::move(tokens));
  FOGLINE_ASSIGN_OR_RETURN(rule.root_, p.parse_all());
  return rule;
}

bool RollbackRule::trips(const nlohmann::json& metrics, std::string* why) const {
  if (!root_) return false;
  std::vector<std::string> held;
  bool r = eval(*root_, metrics, held);
  if (why) {
    why->clear();
    if (r)
      for (const auto& h : held) *why += (why->empty() ? "" : ", ") + h;
  }
  return r;
}

}  // namespace fogline::hub
