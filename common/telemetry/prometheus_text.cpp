#include "common/telemetry/prometheus_text.hpp"

#include <cctype>
#include <cstdlib>

namespace flowbench::prometheus_text {
namespace {

// A cursor over one line; every Read* returns false (and may have moved) when the text there
// is not what the grammar wants, and the caller gives the line up.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : line_(line) {}

  bool AtEnd() const { return at_ == line_.size(); }
  bool Peek(char c) const { return !AtEnd() && line_[at_] == c; }
  bool Take(char c) {
    if (!Peek(c)) return false;
    ++at_;
    return true;
  }
  void SkipBlanks() {
    while (!AtEnd() && (line_[at_] == ' ' || line_[at_] == '\t')) ++at_;
  }

  // [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names have no ':' (not checked: ours
  // never do, and a reader need not be stricter than the writers it reads).
  bool ReadName(std::string& name) {
    std::size_t start = at_;
    while (!AtEnd()) {
      char c = line_[at_];
      bool first = at_ == start;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
          (!first && std::isdigit(static_cast<unsigned char>(c)))) {
        ++at_;
      } else {
        break;
      }
    }
    name.assign(line_.substr(start, at_ - start));
    return !name.empty();
  }

  // "..." with \\, \" and \n escaped; the quotes are not part of the value.
  bool ReadQuoted(std::string& value) {
    if (!Take('"')) return false;
    value.clear();
    while (!AtEnd()) {
      char c = line_[at_++];
      if (c == '"') return true;
      if (c != '\\') {
        value += c;
        continue;
      }
      if (AtEnd()) return false;
      char escaped = line_[at_++];
      if (escaped == 'n') {
        value += '\n';
      } else if (escaped == '\\' || escaped == '"') {
        value += escaped;
      } else {  // the format defines no other escape: keep it as written
        value += '\\';
        value += escaped;
      }
    }
    return false;  // no closing quote
  }

  // {name="value",...} with an optional trailing comma.
  bool ReadLabels(Labels& labels) {
    if (!Take('{')) return false;
    for (;;) {
      SkipBlanks();
      if (Take('}')) return true;
      std::string name, value;
      if (!ReadName(name)) return false;
      SkipBlanks();
      if (!Take('=')) return false;
      SkipBlanks();
      if (!ReadQuoted(value)) return false;
      labels[std::move(name)] = std::move(value);
      SkipBlanks();
      if (Take(',')) continue;
      if (Take('}')) return true;
      return false;
    }
  }

  // The next run of non-blank characters.
  std::string_view ReadToken() {
    std::size_t start = at_;
    while (!AtEnd() && line_[at_] != ' ' && line_[at_] != '\t') ++at_;
    return line_.substr(start, at_ - start);
  }

 private:
  std::string_view line_;
  std::size_t at_ = 0;
};

}  // namespace

// What strtod reads, which includes the format's +Inf, -Inf and NaN (in any case).
std::optional<double> ParseValue(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  // Out of range is still a number: strtod gives +-HUGE_VAL or a denormal, the closest
  // double, as Prometheus itself would read it.
  return value;
}

std::optional<std::string> Sample::Label(std::string_view label) const {
  auto it = labels.find(label);
  if (it == labels.end()) return std::nullopt;
  return it->second;
}

bool Sample::HasLabels(const Labels& wanted) const {
  for (const auto& [key, value] : wanted) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

double Exposition::Sum(std::string_view name, const Labels& labels) const {
  double total = 0;
  for (const Sample& s : samples) {
    if (s.name == name && s.HasLabels(labels)) total += s.value;
  }
  return total;
}

std::optional<double> Exposition::First(std::string_view name, const Labels& labels) const {
  for (const Sample& s : samples) {
    if (s.name == name && s.HasLabels(labels)) return s.value;
  }
  return std::nullopt;
}

std::optional<Sample> ParseSampleLine(std::string_view line) {
  LineReader reader(line);
  Sample sample;
  reader.SkipBlanks();
  if (!reader.ReadName(sample.name)) return std::nullopt;
  reader.SkipBlanks();
  if (reader.Peek('{') && !reader.ReadLabels(sample.labels)) return std::nullopt;
  reader.SkipBlanks();
  std::optional<double> value = ParseValue(reader.ReadToken());
  if (!value) return std::nullopt;
  sample.value = *value;
  reader.SkipBlanks();
  if (!reader.AtEnd()) {  // a timestamp (milliseconds since the epoch), then nothing
    if (!ParseValue(reader.ReadToken())) return std::nullopt;
    reader.SkipBlanks();
    if (!reader.AtEnd()) return std::nullopt;
  }
  return sample;
}

Exposition ParseText(std::string_view text) {
  Exposition exposition;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (std::optional<Sample> sample = ParseSampleLine(line)) {
      exposition.samples.push_back(std::move(*sample));
    } else {
      exposition.unreadable.emplace_back(line);
    }
  }
  return exposition;
}

}  // namespace flowbench::prometheus_text
