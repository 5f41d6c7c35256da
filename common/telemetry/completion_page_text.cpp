// CompletionPageFromText: a GET /completions page read straight from its text into records,
// with no JSON document in between. The driver reads one record per request it sent, and
// building a boost::json::value per record (an object, its keys and strings, all freed
// again) and then copying the strings out cost it ~6k instructions a record; this is the
// same check of the same page in a quarter of that (results/click-ingestion-profile.md).
// What it accepts and refuses is CompletionPageFromJson's (completion_log_test.cpp).
#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/telemetry/completion_log.hpp"

namespace flowbench {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// The basic_parser handler. Nesting: 1 the page object, 2 its "records" array, 3 a record.
// Anything else (unknown keys, whatever they hold) is skipped, as the DOM reader ignores it.
class PageHandler {
 public:
  // The limits basic_parser asks its handler for, under the names it asks for them by.
  // NOLINTBEGIN(readability-identifier-naming)
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  // NOLINTEND(readability-identifier-naming)

  CompletionPage page;
  std::string problem;  // non-empty: not a completions page, and why

  bool on_document_begin(error_code&) { return true; }
  // Records are ~110 bytes of text each: one allocation of the vector, not a dozen regrowths.
  void Expect(std::size_t text_size) { page.records.reserve(text_size / 100); }
  bool on_document_end(error_code& ec) {
    if (!epoch_ || !next_cursor_ || !missed_) {
      return Fail(ec, std::string("completions: no \"") +
                          (!epoch_         ? "epoch"
                           : !next_cursor_ ? "next_cursor"
                                           : "missed") +
                          "\"");
    }
    if (!records_seen_) return Fail(ec, "completions: no \"records\"");
    page.epoch = *epoch_;
    page.next_cursor = *next_cursor_;
    page.missed = *missed_;
    return true;
  }

  bool on_object_begin(error_code& ec) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (InRecords()) {
      record_ = {};
      have_ = {};
    } else if (!Scalar(ec, Kind::kContainer)) {
      return false;
    }
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t, error_code& ec) {
    --depth_;
    if (InRecords()) return EndRecord(ec);
    return true;
  }
  bool on_array_begin(error_code& ec) {
    if (depth_ == 0) return Fail(ec, "completions: not a JSON object");
    if (depth_ == 1 && key_ == Key::kRecords) {
      records_seen_ = true;
      depth_ = 2;
      in_records_ = true;
      return true;
    }
    if (!Scalar(ec, Kind::kContainer)) return false;
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    if (InRecords()) in_records_ = false;
    --depth_;
    return true;
  }

  bool on_key_part(string_view s, std::size_t n, error_code&) {
    if (n == s.size()) key_text_.clear();
    key_text_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t n, error_code& ec) {
    if (n == s.size()) {  // the whole key at once (always, but for a page cut mid-key)
      key_ = KeyOf(std::string_view(s.data(), s.size()));
      return true;
    }
    on_key_part(s, n, ec);
    key_ = KeyOf(key_text_);
    return true;
  }

  bool on_string_part(string_view s, std::size_t n, error_code&) {
    if (std::string* into = RecordString()) {
      if (n == s.size()) into->clear();
      into->append(s.data(), s.size());
    }
    return true;
  }
  bool on_string(string_view s, std::size_t n, error_code& ec) {
    on_string_part(s, n, ec);
    return Scalar(ec, Kind::kString);
  }

  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, string_view, error_code& ec) {
    if (depth_ == 1 && i >= 0 && IsCount()) return Count(static_cast<std::uint64_t>(i));
    if (depth_ == 3 && key_ == Key::kEndUnixNs) {
      record_.end_unix_ns = i;
      have_.end = true;
      return true;
    }
    return Scalar(ec, Kind::kOther);
  }
  bool on_uint64(std::uint64_t u, string_view, error_code& ec) {
    if (depth_ == 1 && IsCount()) return Count(u);
    return Scalar(ec, Kind::kOther);
  }
  bool on_double(double, string_view, error_code& ec) { return Scalar(ec, Kind::kOther); }
  bool on_bool(bool, error_code& ec) { return Scalar(ec, Kind::kOther); }
  bool on_null(error_code& ec) { return Scalar(ec, Kind::kOther); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  enum class Kind { kString, kContainer, kOther };
  // The keys of a page and of its records, compared once per key rather than per use.
  enum class Key {
    kOther,
    kEpoch,
    kNextCursor,
    kMissed,
    kRecords,
    kRequestId,
    kScenario,
    kOutcome,
    kEndUnixNs
  };
  static constexpr std::array<std::string_view, 9> kKeyNames = {
      "",           "epoch",    "next_cursor", "missed",     "records",
      "request_id", "scenario", "outcome",     "end_unix_ns"};
  static Key KeyOf(std::string_view text) {
    for (std::size_t k = 1; k < kKeyNames.size(); ++k) {
      if (kKeyNames[k] == text) return static_cast<Key>(k);
    }
    return Key::kOther;
  }
  static std::string_view KeyName(Key key) { return kKeyNames[static_cast<std::size_t>(key)]; }
  struct Have {
    bool id = false, scenario = false, outcome = false, end = false;
    bool id_string = true, scenario_string = true, outcome_string = true, end_int = true;
  };

  bool InRecords() const { return in_records_ && depth_ == 2; }

  bool Fail(error_code& ec, std::string why) {
    problem = std::move(why);
    ec = boost::json::error::syntax;  // stops the parser; `problem` says what was wrong
    return false;
  }

  // A string of the record being read, when the key names one.
  std::string* RecordString() {
    if (depth_ != 3 || !in_records_) return nullptr;
    if (key_ == Key::kRequestId) return &record_.request_id;
    if (key_ == Key::kScenario) return &record_.scenario;
    if (key_ == Key::kOutcome) return &outcome_text_;
    return nullptr;
  }

  bool IsCount() const {
    return key_ == Key::kEpoch || key_ == Key::kNextCursor || key_ == Key::kMissed;
  }
  bool Count(std::uint64_t value) {
    (key_ == Key::kEpoch ? epoch_ : key_ == Key::kNextCursor ? next_cursor_ : missed_) = value;
    return true;
  }

  // A value (or a container beginning) other than the ones handled above: where it matters,
  // it has the wrong type; elsewhere it is ignored.
  bool Scalar(error_code& ec, Kind kind) {
    if (depth_ == 0) return Fail(ec, "completions: not a JSON object");
    if (depth_ == 1) {
      if (key_ == Key::kRecords) return Fail(ec, "completions: \"records\" is not a list");
      if (IsCount())
        return Fail(ec, "completions: \"" + std::string(KeyName(key_)) + "\" is not a count");
      return true;
    }
    if (InRecords()) return Fail(ec, "completions: a record is not an object");
    if (depth_ == 3 && in_records_) {
      const bool string = kind == Kind::kString;
      if (key_ == Key::kRequestId) {
        have_.id = true;
        have_.id_string = string;
      } else if (key_ == Key::kScenario) {
        have_.scenario = true;
        have_.scenario_string = string;
      } else if (key_ == Key::kOutcome) {
        have_.outcome = true;
        have_.outcome_string = string;
      } else if (key_ == Key::kEndUnixNs) {
        have_.end = true;
        have_.end_int = false;
      }
    }
    return true;
  }

  bool EndRecord(error_code& ec) {
    if (!have_.outcome) return Fail(ec, "completions: no \"outcome\"");
    std::optional<WorkOutcome> outcome =
        have_.outcome_string ? ParseOutcome(outcome_text_) : std::nullopt;
    if (!outcome) return Fail(ec, "completions: unknown outcome");
    if (!have_.id) return Fail(ec, "completions: no \"request_id\"");
    if (!have_.scenario) return Fail(ec, "completions: no \"scenario\"");
    if (!have_.end) return Fail(ec, "completions: no \"end_unix_ns\"");
    if (!have_.id_string || !have_.scenario_string || !have_.end_int) {
      return Fail(ec, "completions: a record's fields have the wrong types");
    }
    record_.outcome = *outcome;
    page.records.push_back(std::move(record_));
    return true;
  }

  int depth_ = 0;
  bool in_records_ = false;
  bool records_seen_ = false;
  Key key_ = Key::kOther;  // the last key read
  std::string key_text_;   // a key that came in parts
  std::optional<std::uint64_t> epoch_, next_cursor_, missed_;
  CompletionRecord record_;
  std::string outcome_text_;
  Have have_;
};

}  // namespace

CompletionPage CompletionPageFromText(std::string_view text) {
  boost::json::basic_parser<PageHandler> parser{boost::json::parse_options{}};
  parser.handler().Expect(text.size());
  error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  PageHandler& handler = parser.handler();
  if (!handler.problem.empty()) throw std::invalid_argument(handler.problem);
  if (ec) throw std::invalid_argument("completions: not JSON (" + ec.message() + ")");
  return std::move(handler.page);
}

}  // namespace flowbench
