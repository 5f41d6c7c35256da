// sweep.json read and written: the hand-written testdata survives a round trip unchanged, and
// the strict reader names what is wrong with a bad file.
#include "bench/sweep/sweep_results.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace flowbench::sweep {
namespace {

namespace json = boost::json;

std::string Testdata() {
  return std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) + "/bench/sweep/testdata/sweep.json";
}

json::value TestdataJson() {
  std::ifstream in(Testdata());
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// JSON equality where a number is its value: the file's `190` is the writer's `190.0`.
bool Equivalent(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_object() && b.is_object()) {
    if (a.get_object().size() != b.get_object().size()) return false;
    for (const auto& [key, value] : a.get_object()) {
      const json::value* other = b.get_object().if_contains(key);
      if (other == nullptr || !Equivalent(value, *other)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.get_array().size() != b.get_array().size()) return false;
    for (std::size_t i = 0; i < a.get_array().size(); ++i) {
      if (!Equivalent(a.get_array()[i], b.get_array()[i])) return false;
    }
    return true;
  }
  return a == b;
}

// What reading `value` throws, or "" when it reads.
std::string ReadError(const json::value& value) {
  try {
    SweepResultsFromJson(value);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(SweepResults, TestdataReadsEveryStepAndKnee) {
  SweepResults sweep = LoadSweep(Testdata());
  EXPECT_EQ(sweep.schema, kSweepSchema);
  EXPECT_EQ(sweep.steps.size(), 16u);
  EXPECT_EQ(sweep.knees.size(), 4u);
  EXPECT_EQ(sweep.limits.size(), 3u);
  const Knees* async_clicks = sweep.KneesOf("async", "scenario6");
  ASSERT_NE(async_clicks, nullptr);
  EXPECT_EQ(async_clicks->answer_bound, "not-reached-at-max");
  EXPECT_EQ(async_clicks->limit_source, "broker");
  EXPECT_EQ(sweep.KneesOf("async", "scenario4"), nullptr);
  const SweepStep& clicks = sweep.steps[9];  // sync scenario6, 1000 req/s: no completion
  EXPECT_EQ(clicks.scenario, "scenario6");
  EXPECT_FALSE(clicks.completion.has_value());
  EXPECT_FALSE(clicks.outcomes.has_value());
  ASSERT_TRUE(sweep.steps[0].backlog_slope_interval.has_value());
  ASSERT_TRUE(sweep.steps[0].generator.has_value());
  EXPECT_TRUE(sweep.steps[0].generator->valid);
}

TEST(SweepResults, RoundTripIsUnchanged) {
  SweepResults sweep = LoadSweep(Testdata());
  json::object written = ToJson(sweep);
  EXPECT_EQ(ToJson(SweepResultsFromJson(written)), written);

  std::filesystem::path saved = std::filesystem::temp_directory_path() /
                                ("flowbench-sweep-" + std::to_string(::getpid()) + ".json");
  SaveSweep(sweep, saved.string());
  SweepResults loaded = LoadSweep(saved.string());
  std::filesystem::remove(saved);
  EXPECT_EQ(ToJson(loaded), written);
  // Every field of the hand-written file is read and written back as it was.
  EXPECT_TRUE(Equivalent(TestdataJson(), written)) << json::serialize(written);
}

TEST(SweepResults, UnknownKeyIsRejectedNamingIt) {
  json::value bad = TestdataJson();
  bad.at("steps").at(2).at("answer").as_object()["p98"] = 0.5;
  EXPECT_EQ(ReadError(bad), "steps[2].answer.p98: unknown field");

  json::value top = TestdataJson();
  top.as_object()["knee"] = json::array();
  EXPECT_EQ(ReadError(top), "knee: unknown field");
}

TEST(SweepResults, WrongTypeIsRejectedNamingTheField) {
  json::value bad = TestdataJson();
  bad.at("steps").at(1).as_object()["offered_rps"] = "fast";
  std::string error = ReadError(bad);
  EXPECT_NE(error.find("steps[1]"), std::string::npos) << error;
  EXPECT_NE(error.find("offered_rps"), std::string::npos) << error;

  json::value nested = TestdataJson();
  nested.at("knees").at(0).at("answer_slo").as_object()["limit_s"] = json::array();
  error = ReadError(nested);
  EXPECT_NE(error.find("knees[0]: answer_slo: field 'limit_s'"), std::string::npos) << error;
}

TEST(SweepResults, UnknownWordsAndSchemaAreRejected) {
  json::value bound = TestdataJson();
  bound.at("knees").at(3).as_object()["answer_bound"] = "gave-up";
  EXPECT_NE(ReadError(bound).find("'gave-up', not one of found, below-from"), std::string::npos)
      << ReadError(bound);

  json::value schema = TestdataJson();
  schema.as_object()["schema"] = "flowbench.sweep/v2";
  EXPECT_NE(ReadError(schema).find("is not flowbench.sweep/v1"), std::string::npos);

  json::value missing = TestdataJson();
  missing.at("steps").at(0).as_object().erase("drained");
  EXPECT_NE(ReadError(missing).find("steps[0]: field 'drained' is required"), std::string::npos)
      << ReadError(missing);
}

// A mix sweep (`--mix`): its steps carry the profile, the scale and each scenario's own
// record; its knees the scales and what broke first.
TEST(SweepResults, AMixSweepReadsItsScalesScenariosAndWhatBrokeFirst) {
  std::string path =
      std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) + "/bench/sweep/testdata/mix-sweep.json";
  SweepResults sweep = LoadSweep(path);
  EXPECT_TRUE(sweep.IsMix());
  EXPECT_FALSE(LoadSweep(Testdata()).IsMix());
  ASSERT_EQ(sweep.steps.size(), 3u);
  const SweepStep& last = sweep.steps[2];
  EXPECT_EQ(last.scenario, "mix:example");
  EXPECT_EQ(last.mix, "example");
  EXPECT_EQ(last.scale, 6);
  ASSERT_EQ(last.scenarios.size(), 2u);
  EXPECT_EQ(last.scenarios[1].scenario, "scenario6");
  EXPECT_EQ(last.scheduled, last.scenarios[0].scheduled + last.scenarios[1].scheduled);
  const Knees* knees = sweep.KneesOf("sync", MixKey("example"));
  ASSERT_NE(knees, nullptr);
  EXPECT_EQ(knees->answer_knee_scale, 4);
  EXPECT_EQ(knees->sustainable_broke_first, std::vector<std::string>{"scenario6"});
  EXPECT_EQ(MixProfileOf(knees->scenario), "example");
  EXPECT_EQ(MixProfileOf("scenario6"), "");

  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json::value file = json::parse(text.str());
  EXPECT_TRUE(Equivalent(file, ToJson(sweep))) << json::serialize(ToJson(sweep));

  // The reader is as strict within a mix step's scenarios as anywhere else.
  file.at("steps").at(1).at("scenarios").at(0).as_object()["p98"] = 1;
  EXPECT_EQ(ReadError(file), "steps[1].scenarios[0].p98: unknown field");
}

TEST(SweepResults, AFileThatIsNotThereSaysWhich) {
  EXPECT_THROW(LoadSweep("/no/such/sweep.json"), std::runtime_error);
}

}  // namespace
}  // namespace flowbench::sweep
