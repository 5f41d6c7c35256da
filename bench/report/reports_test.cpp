// Report generation from a fixed results file: every table, mean ± sd across repeats, the
// CSV, the k6 summary and the round trip of results.json; what a report says about an
// interrupted run and a run against a --target deployment. Schema v2: the round trip of its
// fields, and what a v2 report shows (design first, an invalid generator before anything,
// outcomes, intervals, lower bounds, noise); the v1 fixture still renders without them.
#include "bench/report/reports.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/report/aggregate.hpp"

namespace flowbench::report {
namespace {

std::string Fixture() {
  return std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) + "/bench/report/testdata/results.json";
}

TEST(Results, FixtureLoadsAndRoundTrips) {
  RunResults r = LoadResults(Fixture());
  ASSERT_EQ(r.runs.size(), 4u);
  EXPECT_EQ(r.runs[0].Requests(), 1560u);
  EXPECT_EQ(r.runs[0].Errors(), 3u);
  RunResults again = RunResultsFromJson(ToJson(r));
  EXPECT_EQ(boost::json::serialize(ToJson(again)), boost::json::serialize(ToJson(r)));
}

// The fixture (v1, two repeats per build) cut to one repeat per build and given every v2
// field, as `flowbench run` fills them: one open-model experiment, seed 42.
Broker MakeBroker(int nodes, std::string queue_type, std::optional<double> p50 = std::nullopt,
                  std::optional<double> p99 = std::nullopt,
                  std::optional<double> own_p50 = std::nullopt,
                  std::optional<double> own_p99 = std::nullopt) {
  Broker b;
  b.nodes = nodes;
  b.queue_type = std::move(queue_type);
  b.confirm_ms_p50 = p50;
  b.confirm_ms_p99 = p99;
  b.own_confirm_ms_p50 = own_p50;
  b.own_confirm_ms_p99 = own_p99;
  return b;
}

RunResults V2Results() {
  RunResults r = LoadResults(Fixture());
  r.schema = kSchema;
  r.runs = {r.runs[0], r.runs[2]};  // sync repeat 1, async repeat 1
  r.design = Design{"open", "poisson", 42, 5, 1, {"async#1", "sync#1"}};
  for (ProfileRun& run : r.runs) {
    bool sync = run.arch == "sync";
    run.warmup_seconds = 5;
    run.order = sync ? 2 : 1;
    run.generator = GeneratorAudit{0.05, 0.4, 2.5, 1.0, 3.2, true, {}};
    for (ScenarioResult& s : run.scenarios) {
      s.offered = Offered{"open", "poisson", 50, 0, 0, 1500};
      s.completion_source = "per-request";
      s.completion_distribution = {{0.01, 1000}, {0.1, 500}};
      s.outcomes =
          Outcomes{1497, sync ? 1497u : 1490u, 0, 0, 0, sync ? 0u : 2u, 0, 0, sync ? 0u : 5u, 0, 0};
      s.cut = sync ? 0 : 1;
      s.timeseries = {{0, 50, 50, 0, 0.003, 0.02, 0.03}, {1, 50, 49, 1, std::nullopt, 0.025, {}}};
      s.intervals = {{"answer.p99", {s.latency.p99 * 0.9, s.latency.p99 * 1.2}},
                     {"answer.p50", {s.latency.p50 * 0.95, s.latency.p50 * 1.05}}};
    }
  }
  r.runs[1].clock_offset = ClockOffset{0.0012, 0.0003, "ntp-style over GET /completions"};
  r.runs[1].completion_problems = {
      "http://127.0.0.1:8105 overwrote 12 completion records before "
      "they were read"};
  r.statistics = {{"baseline", "scenario6", "answer.p99", 0.0255, 0.0081, Interval{0.022, 0.03},
                   Interval{0.007, 0.0095}, 3.15, Interval{2.3, 4.3}, "bonferroni", true},
                  {"baseline", "scenario6", "answer.p50", 0.003, 0.0031, Interval{0.0028, 0.0032},
                   Interval{0.0029, 0.0033}, 0.97, Interval{0.85, 1.1}, "bonferroni", false}};
  return r;
}

TEST(Results, V2RoundTripsEveryNewField) {
  RunResults r = V2Results();
  boost::json::object json = ToJson(r);
  EXPECT_EQ(json.at("schema").as_string(), kSchema);
  RunResults again = RunResultsFromJson(json);
  EXPECT_EQ(boost::json::serialize(ToJson(again)), boost::json::serialize(json));
  ASSERT_TRUE(again.design);
  EXPECT_EQ(again.design->seed, 42u);
  EXPECT_EQ(again.design->order, (std::vector<std::string>{"async#1", "sync#1"}));
  const ScenarioResult& s = again.runs[1].scenarios[1];
  EXPECT_EQ(s.offered.model, "open");
  EXPECT_EQ(s.offered.scheduled, 1500u);
  EXPECT_EQ(s.cut, 1u);
  EXPECT_EQ(s.completion_source, "per-request");
  ASSERT_TRUE(s.outcomes);
  EXPECT_EQ(s.outcomes->done, 1490u);
  EXPECT_EQ(s.outcomes->unfinished, 5u);
  ASSERT_EQ(s.timeseries.size(), 2u);
  EXPECT_FALSE(s.timeseries[1].answer_p50);
  EXPECT_DOUBLE_EQ(*s.timeseries[1].answer_p99, 0.025);
  EXPECT_EQ(s.completion_distribution.size(), 2u);
  EXPECT_DOUBLE_EQ(s.intervals.at("answer.p99").high, s.latency.p99 * 1.2);
  ASSERT_TRUE(again.runs[1].generator);
  EXPECT_DOUBLE_EQ(again.runs[1].generator->send_lag_p99_ms, 0.4);
  ASSERT_TRUE(again.runs[1].clock_offset);
  EXPECT_EQ(again.runs[1].clock_offset->method, "ntp-style over GET /completions");
  EXPECT_FALSE(again.runs[0].clock_offset);
  EXPECT_EQ(again.runs[1].completion_problems.size(), 1u);
  EXPECT_TRUE(again.runs[0].completion_problems.empty());
  EXPECT_EQ(again.runs[0].order, 2);
  ASSERT_EQ(again.statistics.size(), 2u);
  EXPECT_EQ(again.statistics[0].method, "bonferroni");
  EXPECT_TRUE(again.statistics[0].distinguishable);
  EXPECT_DOUBLE_EQ(again.statistics[1].ratio_interval->high, 1.1);

  // Optional fields may be null or absent; a missing required v2 field is an error.
  json["runs"].as_array()[0].as_object().erase("generator");
  json["runs"].as_array()[0].as_object()["scenarios"].as_array()[0].as_object()["outcomes"] =
      nullptr;
  RunResults partial = RunResultsFromJson(json);
  EXPECT_FALSE(partial.runs[0].generator);
  EXPECT_FALSE(partial.runs[0].scenarios[0].outcomes);
  json["runs"].as_array()[0].as_object()["scenarios"].as_array()[0].as_object().erase("offered");
  EXPECT_THROW(RunResultsFromJson(json), std::runtime_error);
}

// Found by fuzz_flowbench_results: a depth no std::uint64_t holds was cast (undefined).
TEST(Results, AQueueDepthThatIsNotACountIsAClearError) {
  RunResults r = V2Results();
  QueueSeries series;
  series.queue = "click_tracked";
  series.t = {1.0};
  series.depth = {7};
  r.runs[0].queues = {series};
  boost::json::object json = ToJson(r);
  EXPECT_EQ(RunResultsFromJson(json).runs[0].queues[0].depth[0], 7u);
  for (double bad : {3.33333e87, -1.0, 2.5}) {
    json["runs"].as_array()[0].as_object()["queues"].as_array()[0].as_object()["depth"] =
        boost::json::array{bad};
    EXPECT_THROW(RunResultsFromJson(json), std::runtime_error) << bad;
  }
}

TEST(Results, FaultsRoundTripAndAreAbsentFromOlderV2Files) {
  RunResults r = V2Results();
  r.runs[1].faults = {
      {"broker-kill", "rabbitmq", 3, 4, 1.0, 9.5, "", std::nullopt},
      {"service-pause", "payment", 5, 2, std::nullopt, std::nullopt, "boom", std::nullopt},
      {"slow", "email", 6, 3, 0.0, 9.0, "", 300.0}};
  RunResults back = RunResultsFromJson(ToJson(r));
  ASSERT_EQ(back.runs[1].faults.size(), 3u);
  EXPECT_EQ(back.runs[1].faults[2].extra_ms, std::optional<double>(300.0));
  EXPECT_EQ(back.runs[1].faults[0].extra_ms, std::nullopt);
  const Fault& kill = back.runs[1].faults[0];
  EXPECT_EQ(kill.kind, "broker-kill");
  EXPECT_EQ(kill.target, "rabbitmq");
  EXPECT_EQ(kill.start_s, 3);
  EXPECT_EQ(kill.duration_s, 4);
  EXPECT_EQ(kill.recovery_s, std::optional<double>(1.0));
  EXPECT_EQ(kill.restored_s, std::optional<double>(9.5));
  EXPECT_EQ(back.runs[1].faults[1].recovery_s, std::nullopt);
  EXPECT_EQ(back.runs[1].faults[1].error, "boom");
  // A v2 file written before --fault existed has no "faults": none.
  boost::json::object older = ToJson(V2Results());
  for (boost::json::value& run : older["runs"].as_array()) run.as_object().erase("faults");
  EXPECT_TRUE(RunResultsFromJson(older).runs[1].faults.empty());
}

TEST(Results, TheNetworkAndEachRunsLinksRoundTripAndAreAbsentFromOlderFiles) {
  RunResults r = V2Results();
  r.network = Network{"zone", 1, 0.2, 0, 2.3, "relay", false};
  r.runs[1].network_links = {{"user", 2.2, 0.1, 40001}, {"postgres", 2.6, 1.7, 40002}};
  RunResults back = RunResultsFromJson(ToJson(r));
  ASSERT_TRUE(back.network.has_value());
  EXPECT_EQ(back.network->profile, "zone");
  EXPECT_DOUBLE_EQ(back.network->one_way_delay_ms, 1);
  EXPECT_DOUBLE_EQ(back.network->jitter_ms, 0.2);
  EXPECT_EQ(back.network->rtt_ms_measured, std::optional<double>(2.3));
  EXPECT_EQ(back.network->method, "relay");
  ASSERT_EQ(back.runs[1].network_links.size(), 2u);
  EXPECT_EQ(back.runs[1].network_links[1].link, "postgres");
  EXPECT_DOUBLE_EQ(back.runs[1].network_links[1].direct_ms, 1.7);
  EXPECT_EQ(back.runs[1].network_links[0].relay_port, 40001);
  EXPECT_TRUE(back.runs[0].network_links.empty());
  // Files written before --network: no record, no links.
  boost::json::object older = ToJson(V2Results());
  older.erase("network");
  for (boost::json::value& run : older["runs"].as_array()) run.as_object().erase("network_links");
  RunResults old = RunResultsFromJson(older);
  EXPECT_FALSE(old.network.has_value());
  EXPECT_TRUE(old.runs[1].network_links.empty());
}

TEST(MarkdownReport, TheFirstTableStatesTheNetwork) {
  RunResults r = V2Results();
  EXPECT_EQ(MarkdownReport(r).find("| network |"), std::string::npos) << "none recorded";
  r.network = Network{"lossy", 0.25, 0.05, 0.005, 0.61, "relay", false};
  std::string md = MarkdownReport(r);
  std::size_t row = md.find(
      "| network | lossy: 0.25 ms ± 0.05 ms one way, 0.50 % loss (as retransmission delays), by "
      "a delaying TCP relay per link; measured round trip 0.61 ms |");
  ASSERT_NE(row, std::string::npos) << md;
  EXPECT_LT(row, md.find("## p95 latency per profile")) << "in the design, the first table";
  r.network = Network{};
  EXPECT_NE(MarkdownReport(r).find("| network | loopback (the parts talk directly over loopback"),
            std::string::npos);
}

TEST(Results, AGatewayHopRoundTripsAndIsAbsentFromOlderFiles) {
  RunResults r = V2Results();
  LatencySummary added;
  added.p50 = 40e-6;
  added.p99 = 150e-6;
  r.runs[0].gateway = GatewayHop{"http://127.0.0.1:40100", 3020, added};
  r.runs[1].gateway = GatewayHop{"http://127.0.0.1:40200", 2990, std::nullopt};
  RunResults back = RunResultsFromJson(ToJson(r));
  ASSERT_TRUE(back.runs[0].gateway);
  EXPECT_EQ(back.runs[0].gateway->url, "http://127.0.0.1:40100");
  EXPECT_EQ(back.runs[0].gateway->forwarded, 3020u);
  ASSERT_TRUE(back.runs[0].gateway->added);
  EXPECT_DOUBLE_EQ(back.runs[0].gateway->added->p99, 150e-6);
  ASSERT_TRUE(back.runs[1].gateway);
  EXPECT_FALSE(back.runs[1].gateway->added) << "not measured stays not measured";
  boost::json::object older = ToJson(V2Results());
  for (boost::json::value& run : older["runs"].as_array()) run.as_object().erase("gateway");
  EXPECT_FALSE(RunResultsFromJson(older).runs[0].gateway);
}

TEST(MarkdownReport, AGatewayRunSaysSoInTheFirstTableAndShowsTheHopsShareOfTheAnswer) {
  RunResults r = V2Results();
  std::string direct = MarkdownReport(r);
  EXPECT_NE(direct.find("| entry point | straight to each build's services |"), std::string::npos);
  EXPECT_EQ(direct.find("## Gateway hop"), std::string::npos);
  LatencySummary added;
  added.p50 = 40e-6;
  added.p99 = 1.5e-3;
  r.runs[0].overall.p50 = 4e-3;
  r.runs[0].overall.p99 = 30e-3;
  r.runs[0].gateway = GatewayHop{"http://127.0.0.1:40100", 3020, added};
  r.runs[1].gateway = GatewayHop{"http://127.0.0.1:40200", 2990, std::nullopt};
  std::string md = MarkdownReport(r);
  std::size_t entry = md.find("| entry point | through an API gateway per build");
  ASSERT_NE(entry, std::string::npos) << md;
  EXPECT_LT(entry, md.find("## p95 latency per profile")) << "in the design, the first table";
  std::size_t section = md.find("## Gateway hop");
  ASSERT_NE(section, std::string::npos) << md;
  EXPECT_NE(md.find("| sync | baseline | 1 | 3020 | 40 µs | 1.50 ms | 4.00 ms | 30.0 ms | 1.00 % "
                    "| 5.00 % |",
                    section),
            std::string::npos)
      << md.substr(section, 1200);
  EXPECT_NE(md.find("| async | baseline | 1 | 2990 | not measured | not measured |", section),
            std::string::npos);
  EXPECT_NE(HtmlReport(r).find("<h2>Gateway hop</h2>"), std::string::npos);
}

TEST(Results, TheBrokerRoundTripsIsInTheDesignTableAndIsAbsentFromOlderFiles) {
  RunResults r = V2Results();
  EXPECT_FALSE(RunResultsFromJson(ToJson(r)).broker);
  EXPECT_EQ(MarkdownReport(r).find("| broker |"), std::string::npos);
  r.broker = MakeBroker(3, "quorum");
  RunResults back = RunResultsFromJson(ToJson(r));
  ASSERT_TRUE(back.broker);
  EXPECT_EQ(back.broker->nodes, 3);
  EXPECT_EQ(back.broker->queue_type, "quorum");
  std::string md = MarkdownReport(back);
  EXPECT_NE(md.find("| broker | RabbitMQ, 3-node cluster, quorum queues |"), std::string::npos)
      << md;
  EXPECT_FALSE(back.broker->confirm_ms_p50) << "not measured: null";
  EXPECT_TRUE(ToJson(r).at("broker").as_object().at("confirm_ms_p50").is_null());
}

TEST(Results, TheBrokersConfirmLatencyRoundTripsAndIsInTheBrokerRow) {
  RunResults r = V2Results();
  r.broker = MakeBroker(3, "quorum", 2.25, 7.5);
  boost::json::object json = ToJson(r);
  EXPECT_EQ(json.at("broker").as_object().at("confirm_ms_p50").as_double(), 2.25);
  RunResults back = RunResultsFromJson(json);
  ASSERT_TRUE(back.broker);
  EXPECT_EQ(back.broker->confirm_ms_p50, std::optional<double>(2.25));
  EXPECT_EQ(back.broker->confirm_ms_p99, std::optional<double>(7.5));
  std::string md = MarkdownReport(back);
  EXPECT_NE(md.find("| broker | RabbitMQ, 3-node cluster, quorum queues; publish confirm p50 "
                    "2.25 ms, p99 7.50 ms |"),
            std::string::npos)
      << md;
}

TEST(Results, UnderANetworkTheBrokersOwnConfirmRoundTripsBesideWhatAServicePays) {
  RunResults r = V2Results();
  r.network = Network{"zone", 1, 0.2, 0, 2.3, "relay", false};
  r.broker = MakeBroker(1, "classic", 2.75, 4.5, 0.45, 1.2);
  boost::json::object json = ToJson(r);
  EXPECT_EQ(json.at("broker").as_object().at("own_confirm_ms_p50").as_double(), 0.45);
  RunResults back = RunResultsFromJson(json);
  ASSERT_TRUE(back.broker);
  EXPECT_EQ(back.broker->own_confirm_ms_p50, std::optional<double>(0.45));
  EXPECT_EQ(back.broker->own_confirm_ms_p99, std::optional<double>(1.2));
  std::string md = MarkdownReport(back);
  EXPECT_NE(md.find("| broker | RabbitMQ, 1 node, classic queues; publish confirm p50 2.75 ms, "
                    "p99 4.50 ms through the network link (the broker's own: p50 0.45 ms, p99 "
                    "1.20 ms) |"),
            std::string::npos)
      << md;

  // A file written before the two probes has no own_confirm_ms_*: nothing said of them.
  json["broker"].as_object().erase("own_confirm_ms_p50");
  json["broker"].as_object().erase("own_confirm_ms_p99");
  back = RunResultsFromJson(json);
  EXPECT_FALSE(back.broker->own_confirm_ms_p50);
  EXPECT_EQ(MarkdownReport(back).find("the broker's own"), std::string::npos);
}

TEST(HtmlReport, TheBrokerRowIsInTheFirstTableBesideTheNetwork) {
  RunResults r = V2Results();
  r.network = Network{"zone", 1, 0.2, 0, 2.3, "relay", false};
  r.broker = MakeBroker(3, "quorum", 3.25, 6.5, 1.5, 2.5);
  std::string html = HtmlReport(r);
  std::size_t first_table = html.find("<table");
  ASSERT_NE(first_table, std::string::npos);
  std::string table = html.substr(first_table, html.find("</table>", first_table) - first_table);
  EXPECT_NE(table.find("<td>network</td>"), std::string::npos) << table;
  EXPECT_NE(table.find("<td>broker</td><td>RabbitMQ, 3-node cluster, quorum queues; publish "
                       "confirm p50 3.25 ms, p99 6.50 ms through the network link (the broker's "
                       "own: p50 1.50 ms, p99 2.50 ms)</td>"),
            std::string::npos)
      << table;
}

TEST(MarkdownReport, AFaultIsShownWithItsWindowErrorsRecoveryAndOutcomes) {
  RunResults r = V2Results();
  EXPECT_EQ(MarkdownReport(r).find("## Faults"), std::string::npos);
  r.runs[1].faults = {{"service-kill", "email", 0, 1, 1.0, 1.4, "", std::nullopt}};
  std::string md = MarkdownReport(r);
  ASSERT_NE(md.find("## Faults"), std::string::npos) << md;
  // Seconds 0 (during: 50 answered per scenario, 0 errors) and 1 (after: 49 and 1 error).
  std::size_t scenarios = r.runs[1].scenarios.size();
  std::string row = "| service-kill:email | 0.0–1.0 s | " + std::to_string(50 * scenarios) +
                    " / 0 | " + std::to_string(49 * scenarios) + " / " + std::to_string(scenarios) +
                    " | 1.0 s | 1.4 s |  |";
  EXPECT_NE(md.find(row), std::string::npos) << md;
  EXPECT_NE(md.find("accepted " + std::to_string(1497 * scenarios)), std::string::npos) << md;
  EXPECT_NE(md.find("**lost 0**"), std::string::npos) << md;
}

TEST(Results, AV1FileReadsWithTheV2Defaults) {
  RunResults r = LoadResults(Fixture());
  EXPECT_EQ(r.schema, kSchemaV1);
  EXPECT_FALSE(r.design);
  EXPECT_TRUE(r.statistics.empty());
  for (const ProfileRun& run : r.runs) {
    EXPECT_FALSE(run.generator);
    EXPECT_EQ(run.warmup_seconds, 0);
    for (const ScenarioResult& s : run.scenarios) {
      EXPECT_EQ(s.completion_source, "prometheus-buckets");
      EXPECT_FALSE(s.outcomes);
      EXPECT_TRUE(s.timeseries.empty());
      EXPECT_TRUE(s.intervals.empty());
      EXPECT_EQ(s.offered.model, "");
    }
  }
  // Written again, it is a v2 file with those defaults.
  EXPECT_EQ(ToJson(r).at("schema").as_string(), kSchema);
}

TEST(Results, WrongSchemaOrMissingFieldIsAClearError) {
  boost::json::object json = ToJson(LoadResults(Fixture()));
  json["schema"] = "something/v9";
  EXPECT_THROW(RunResultsFromJson(json), std::runtime_error);
  json = ToJson(LoadResults(Fixture()));
  json.erase("runs");
  EXPECT_ANY_THROW(RunResultsFromJson(json));
}

// Found by fuzz_flowbench_results: a bucket count of -5 was cast to an unsigned count (undefined
// behaviour; on x86 a count near 2^64) instead of refusing the file.
TEST(Results, ADistributionBucketWithANegativeOrFractionalCountIsAClearError) {
  for (double count : {-5.0, 2.5, 1e30}) {
    boost::json::object json = ToJson(LoadResults(Fixture()));
    boost::json::object& scenario =
        json["runs"].as_array()[0].as_object()["scenarios"].as_array()[0].as_object();
    scenario["distribution"] = boost::json::array{boost::json::array{0.001, count}};
    try {
      RunResultsFromJson(json);
      ADD_FAILURE() << "a bucket count of " << count << " was read";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("\"distribution\""), std::string::npos) << e.what();
    }
  }
}

TEST(Aggregate, MeanAndSampleStandardDeviationAcrossRepeats) {
  RunResults r = LoadResults(Fixture());
  MeanSd p95 =
      Across(r.Runs("sync", "baseline"), [](const ProfileRun& run) { return run.overall.p95; });
  EXPECT_EQ(p95.n, 2);
  EXPECT_DOUBLE_EQ(p95.mean, 0.018);
  EXPECT_NEAR(p95.sd, 0.0014142, 1e-6);
  EXPECT_EQ(Millis(p95), "18.0 ± 1.4 ms");
  EXPECT_EQ(Millis(0.5), "500 ms");
  EXPECT_EQ(Millis(12.5), "12.50 s");
  EXPECT_EQ(Percent(0.035), "3.50 %");
  EXPECT_EQ(Ratio(18, 6), "3.0x");
  EXPECT_EQ(Ratio(1, 0), "-");
}

TEST(MarkdownReport, SettingsInForceAreTabledPerBuildAndSayWhetherTheWorkWasTheSame) {
  RunResults r = LoadResults(Fixture());
  auto build = [](const char* transport_key, int value, int email_delay_ms) {
    return boost::json::object{{"workload", {{"email_delay_ms", email_delay_ms}}},
                               {"database", {{"pool_size", 10}}},
                               {"transport", {{transport_key, value}}},
                               {"reported_by", 10}};
  };
  r.settings["in_force"] = {{"sync", build("http_threads", 64, 500)},
                            {"async", build("prefetch", 50, 500)}};
  r.settings["same_workload"] = true;
  std::string md = MarkdownReport(r);
  EXPECT_NE(md.find("| workload | sync | async |"), std::string::npos) << md;
  EXPECT_NE(md.find("| email_delay_ms | 500 | 500 |"), std::string::npos);
  EXPECT_NE(md.find("| prefetch | — | 50 |"), std::string::npos);
  EXPECT_NE(md.find("| http_threads | 64 | — |"), std::string::npos);
  EXPECT_NE(md.find("reported **the same workload**"), std::string::npos);

  r.settings["in_force"].as_object()["async"] = build("prefetch", 50, 900);
  r.settings["same_workload"] = false;
  md = MarkdownReport(r);
  EXPECT_NE(md.find("| email_delay_ms | 500 | 900 |"), std::string::npos);
  EXPECT_NE(md.find("did not report the same workload"), std::string::npos);
}

// The number of columns a line takes in a terminal (UTF-8: one per character here).
std::size_t Columns(const std::string& line) {
  std::size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

TEST(MarkdownReport, AV2ReportOpensWithTheDesignOfTheExperiment) {
  RunResults r = V2Results();
  std::string md = MarkdownReport(r);
  std::size_t design = md.find("## Design of the experiment");
  ASSERT_NE(design, std::string::npos) << md;
  EXPECT_LT(design, md.find('|')) << "the design is the first table";
  EXPECT_LT(design, md.find("## p95 latency per profile"));
  EXPECT_NE(md.find("| model | open (requests start on a schedule, whatever the answers) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| seed | 42 |"), std::string::npos);
  EXPECT_NE(md.find("| warm-up | 5.0 s per run, excluded from every figure |"), std::string::npos);
  EXPECT_NE(md.find("the runs went in the order async#1, sync#1"), std::string::npos);
  EXPECT_NE(md.find("| baseline | scenario6 Click buffering | open, poisson, 50.0 req/s | 1500 | "
                    "1500 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Both builds were offered the same load: 1500 requests per scenario from the "
                    "same seeded schedule (seed 42)."),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("Warning"), std::string::npos);
  EXPECT_NE(
      md.find("| sync / baseline / repeat 1 | 2 | 0.40 ms | 2.50 ms | 1.0000 | 3.20 s | yes |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("Clock offset of async / baseline / repeat 1's services: 1.20 ms ± 0.30 ms"),
            std::string::npos);
  EXPECT_NE(md.find("> **Completion records of async / baseline / repeat 1 are incomplete**"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("> - http://127.0.0.1:8105 overwrote 12 completion records"),
            std::string::npos);
  EXPECT_EQ(md.find("Completion records of sync"), std::string::npos);

  // A closed model offers the build that answers sooner more: said plainly.
  for (ProfileRun& run : r.runs) {
    run.scenarios[0].offered = {"closed", "", 2, 2, 1, run.arch == "sync" ? 58u : 60u};
  }
  md = MarkdownReport(r);
  EXPECT_NE(md.find("**The builds were not offered the same load**: the scheduled counts differ "
                    "in baseline scenario1 (closed model"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("closed, 2 users, think 1000 ms (at most 2.0 req/s) | 58 | 60 |"),
            std::string::npos)
      << md;
}

TEST(MarkdownReport, AnInvalidGeneratorAuditIsSaidBeforeAnythingElse) {
  RunResults r = V2Results();
  r.runs[1].generator->valid = false;
  r.runs[1].generator->problems = {"send lag p99 12.0 ms > 5 ms", "achieved 0.91 of intended"};
  std::string md = MarkdownReport(r);
  std::size_t warning = md.find(
      "> **Warning: the load generator did not keep its schedule in async / baseline / "
      "repeat 1**: send lag p99 12.0 ms > 5 ms; achieved 0.91 of intended.");
  ASSERT_NE(warning, std::string::npos) << md;
  EXPECT_LT(warning, md.find("Every figure below"));
  EXPECT_LT(warning, md.find("## "));
  EXPECT_NE(md.find("| **no**: send lag p99 12.0 ms > 5 ms; achieved 0.91 of intended |"),
            std::string::npos);
  std::string html = HtmlReport(r);
  std::size_t in_html = html.find("<blockquote class=\"warning\"><strong>Warning: the load");
  ASSERT_NE(in_html, std::string::npos);
  EXPECT_LT(in_html, html.find("<h2>"));
}

TEST(MarkdownReport, EachScenarioIsLedByItsOutcomesAndShowsIntervalsAndRatios) {
  RunResults r = V2Results();
  std::string md = MarkdownReport(r);
  std::size_t section = md.find("### baseline: scenario6 Click buffering");
  ASSERT_NE(section, std::string::npos) << md;
  std::size_t outcomes = md.find(
      "- Outcomes, async: accepted 1497, done 1490, degraded 0, compensated 0, failed 0, "
      "dead_lettered 2, withdrawn 0, duplicated 0, unfinished 5, lost 0, cut 1\n");
  ASSERT_NE(outcomes, std::string::npos) << md;
  EXPECT_EQ(md.find('|', section), md.find("| figure | sync | async | sync / async |", section))
      << "the outcomes come before the figures";
  EXPECT_LT(outcomes, md.find("| figure |", section));
  EXPECT_NE(md.find("**The two builds did different amounts of work**: sync did all the work of "
                    "1497 requests, async of 1490."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Completion: per request (the services' completion records joined"),
            std::string::npos);
  // From `statistics`: each build's interval, the ratio's, and whether it is noise.
  EXPECT_NE(md.find("| answer p99 | 25.5 ms [22.0 ms, 30.0 ms] | 8.10 ms [7.00 ms, 9.50 ms] | "
                    "3.15x [2.30x, 4.30x] |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| answer p50 | 3.00 ms [2.80 ms, 3.20 ms] | 3.10 ms [2.90 ms, 3.30 ms] | "
                    "0.97x [0.85x, 1.10x] not distinguishable from noise |"),
            std::string::npos)
      << md;
  // Without `statistics`: the run's own intervals, the ratio as a point.
  const ScenarioResult& sync1 = r.runs[0].scenarios[0];
  EXPECT_NE(
      md.find("| answer p99 | " + Millis(sync1.latency.p99) + " [" +
              Millis(sync1.latency.p99 * 0.9) + ", " + Millis(sync1.latency.p99 * 1.2) + "] |"),
      std::string::npos)
      << md;
}

TEST(MarkdownReport, ARunThatDidNotDrainShowsCompletionAsLowerBounds) {
  RunResults r = V2Results();
  r.runs[1].drained = false;
  r.runs[1].scenarios[1].completion_lower_bound = true;
  std::string md = MarkdownReport(r);
  const ScenarioResult& s = r.runs[1].scenarios[1];
  EXPECT_NE(md.find("| completion p99 | " + Millis(r.runs[0].scenarios[1].completion->p99) +
                    " | ≥ " + Millis(s.completion->p99) + " | ≤ 0.19x |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Did not drain: async / baseline / repeat 1; its completion percentiles are "
                    "lower bounds (≥)"),
            std::string::npos)
      << md;
  EXPECT_NE(
      md.find("| scenario6 | async | " + Millis(s.latency.p50) + " | " + Millis(s.latency.p95) +
              " | " + std::to_string(s.completion->count) + " | ≥ " + Millis(s.completion->p50)),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("A figure marked ≥ is a lower bound"), std::string::npos);
}

TEST(MarkdownReport, AV1FileHasNoneOfTheV2Sections) {
  RunResults r = LoadResults(Fixture());
  std::string md = MarkdownReport(r);
  for (const char* v2 : {"## Design", "## Scenarios", "## Load generator audit", "Outcomes,",
                         "Warning", "≥", "distinguishable"}) {
    EXPECT_EQ(md.find(v2), std::string::npos) << v2;
  }
  EXPECT_EQ(md.rfind("# flowbench report: synchronous HTTP vs RabbitMQ\n\nEvery figure below", 0),
            0u);
  std::string html = HtmlReport(r);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("Over time"), std::string::npos);
}

TEST(HtmlReport, AV2ReportDrawsTheSecondBySecondChartsAsInlineSvg) {
  RunResults r = V2Results();
  std::string html = HtmlReport(r);
  EXPECT_NE(html.find("<h2>Over time</h2>"), std::string::npos);
  EXPECT_NE(html.find("<title>Answer p99 per second, scenario6 (baseline)</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<title>Backlog: messages ready in all queues (baseline)</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  // The design comes before the charts; the tables of figures after them.
  EXPECT_LT(html.find("<h2>Design of the experiment</h2>"), html.find("<h2>Charts</h2>"));
  EXPECT_LT(html.find("<h2>Charts</h2>"), html.find("<h2>p95 latency per profile</h2>"));
}

TEST(RunSummaryTable, AnswerCompletionAndOutcomesPerScenarioAndBuildWithin100Columns) {
  RunResults r = V2Results();
  r.runs[1].scenarios[1].completion_lower_bound = true;
  r.runs[1].scenarios[1].outcomes->degraded = 123456;
  r.runs[1].scenarios[1].outcomes->compensated = 7;
  r.runs[1].scenarios[1].outcomes->withdrawn = 8;
  r.runs[1].scenarios[1].outcomes->duplicated = 9;
  r.runs[1].scenarios[1].outcomes->lost = 10;
  std::string table = RunSummaryTable(r);
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(Columns(line), 100u) << line;
  const ScenarioResult& sync6 = r.runs[0].scenarios[1];
  EXPECT_NE(table.find("scenario6  sync     " + Millis(sync6.latency.p99)), std::string::npos)
      << table;
  EXPECT_NE(table.find("done 1497/1497\n"), std::string::npos) << table;
  EXPECT_NE(table.find("≥ " + Millis(r.runs[1].scenarios[1].completion->p99)), std::string::npos)
      << table;
  EXPECT_NE(table.find("done 1490/1497, degraded 123456, compensated 7,\n"), std::string::npos)
      << table;
  EXPECT_NE(table.find("unfinished 5, lost 10, cut 1"), std::string::npos) << table;
  EXPECT_NE(table.find("≥: the run did not drain"), std::string::npos);
  EXPECT_EQ(table.rfind("baseline\nscenario   build    answer p99  completion p99  outcomes\n", 0),
            0u)
      << table;
}

TEST(MarkdownReport, HasEverySectionWithFiguresFromTheResults) {
  std::string md = MarkdownReport(LoadResults(Fixture()));
  for (const char* section :
       {"## p95 latency per profile", "## Error rate per profile", "## Throughput per profile",
        "## Median vs p95", "## Per scenario", "## Acknowledgement vs completion",
        "## Backlog and drain", "## CPU and memory", "## What was run"}) {
    EXPECT_NE(md.find(section), std::string::npos) << section;
  }
  EXPECT_NE(md.find("| baseline | 18.0 ± 1.4 ms | 6.00 ± 0.0 ms | 3.0x |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| baseline | 0.19 ± 0.00 % | 0.00 ± 0.00 % |"), std::string::npos) << md;
  EXPECT_NE(md.find("user_registered_queue 4"), std::string::npos);
  EXPECT_EQ(md.find("click_tracked_queue 0"), std::string::npos);  // empty queues not listed
  EXPECT_NE(md.find("| scenario1 | async | 4.00 ± 0.0 ms | 6.00 ± 0.0 ms | 60 | 520 ± 0.0 ms |"),
            std::string::npos)
      << md;
}

TEST(Results, FieldsAddedWithinV1AreOptionalAndRoundTrip) {
  RunResults r = LoadResults(Fixture());  // written before they existed
  EXPECT_FALSE(r.interrupted);
  EXPECT_FALSE(r.runs[0].interrupted);
  EXPECT_TRUE(r.runs[0].target.empty());
  EXPECT_EQ(r.runs[0].queues_source, "none");
  EXPECT_EQ(r.runs[2].queues_source, "amqp");
  EXPECT_EQ(r.runs[0].resources_source, "proc");

  r.interrupted = r.runs[3].interrupted = true;
  r.runs[3].target = {{"user", "http://10.0.0.5:8101"}, {"inventory", "http://10.0.0.5:8110"}};
  r.runs[3].queues_source = "not-sampled";
  r.runs[3].resources_source = "process-metrics";
  r.runs[3].resources_not_measured = {"email"};
  RunResults again = RunResultsFromJson(ToJson(r));
  EXPECT_TRUE(again.interrupted);
  EXPECT_TRUE(again.runs[3].interrupted);
  EXPECT_EQ(again.runs[3].target, r.runs[3].target);
  EXPECT_EQ(again.runs[3].queues_source, "not-sampled");
  EXPECT_EQ(again.runs[3].resources_not_measured, std::vector<std::string>{"email"});
}

TEST(MarkdownReport, SaysWhatATargetRunCouldNotMeasure) {
  RunResults r = LoadResults(Fixture());
  for (ProfileRun& run : r.runs) {
    run.target = {
        {"user", "http://10.0.0.5:" + std::string(run.arch == "sync" ? "8001" : "8101")},
        {"inventory", "http://10.0.0.5:" + std::string(run.arch == "sync" ? "8010" : "8110")}};
    run.resources_source = "process-metrics";
    if (run.arch == "async") {
      run.queues.clear();
      run.queues_source = "not-sampled";
      run.resources.clear();
      run.resources_not_measured = {"email", "user"};
    }
  }
  std::string md = MarkdownReport(r);
  EXPECT_NE(md.find("Measured against a deployment flowbench did not start (`--target`): sync at "
                    "http://10.0.0.5:8001 (user) to http://10.0.0.5:8010 (inventory); async at "
                    "http://10.0.0.5:8101"),
            std::string::npos)
      << md;
  EXPECT_NE(
      md.find("| async | baseline | 1 | 1500 ms | not sampled (no `--rabbitmq-management-url`"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| async | baseline | 1560 | not measured | not measured | not measured |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("each service's own process metrics"), std::string::npos) << md;
}

TEST(MarkdownReport, AnInterruptedRunIsSaidToBeOne) {
  RunResults r = LoadResults(Fixture());
  r.runs.resize(3);
  r.runs[2].interrupted = r.interrupted = true;
  r.runs[2].duration_seconds = 4.2;
  r.runs[2].drained = false;
  std::string md = MarkdownReport(r);
  EXPECT_NE(md.find("Interrupted (Ctrl-C): async / baseline / repeat 1 was stopped after 4200 ms"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("runs that had not started when it came are missing"), std::string::npos) << md;
  EXPECT_NE(md.find("| async | baseline | 1 | not waited for (interrupted) |"), std::string::npos)
      << md;
}

TEST(CsvReport, OneRowPerScenarioRunWithAHeader) {
  std::string csv = CsvReport(LoadResults(Fixture()));
  std::size_t lines = std::count(csv.begin(), csv.end(), '\n');
  EXPECT_EQ(lines, 1u + 4u * 2u);
  EXPECT_EQ(csv.rfind("arch,profile,repeat,scenario,", 0), 0u);
  // The error rate counts the 2 dropped iterations too: (3 + 2) / (1500 + 2).
  EXPECT_NE(csv.find("sync,baseline,1,scenario6,constant-arrival-rate,30,1500,50,2,3,0,0,0,"
                     "0.00332889481,"),
            std::string::npos)
      << csv;
}

TEST(CsvReport, AV2RunAddsItsOfferedLoadOutcomesAndAuditAfterTheV1Columns) {
  std::string csv = CsvReport(V2Results());
  std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_NE(header.find(",drain_s,offered_model,offered_rate_per_s,scheduled,cut,"
                        "completion_source,completion_lower_bound,accepted,done,"),
            std::string::npos)
      << header;
  // async repeat 1, scenario 6: 1497 accepted, 1490 done, 2 dead-lettered, 5 unfinished.
  EXPECT_NE(csv.find(",open,50,1500,1,per-request,false,1497,1490,0,0,0,2,0,0,5,0,5,true\n"),
            std::string::npos)
      << csv;
  // A v1 file: the v2 columns hold its defaults, and outcomes it never collected stay empty.
  std::string v1 = CsvReport(LoadResults(Fixture()));
  EXPECT_NE(v1.find(",,0,0,0,prometheus-buckets,false,,,,,,,,,,,0,\n"), std::string::npos) << v1;
}

TEST(K6Summary, HasTheMetricsK6ToolingReadsInMilliseconds) {
  RunResults r = LoadResults(Fixture());
  boost::json::object k6 = K6Summary(r.runs[0]);
  const boost::json::object& metrics = k6.at("metrics").as_object();
  EXPECT_EQ(metrics.at("http_reqs").at("count").as_uint64(), 1560u);
  EXPECT_DOUBLE_EQ(metrics.at("http_req_duration").at("p(95)").as_double(), 17.0);
  EXPECT_EQ(metrics.at("http_req_failed").at("passes").as_uint64(), 3u);
  EXPECT_TRUE(metrics.contains("http_req_duration{scenario:scenario6}"));
  EXPECT_EQ(metrics.at("dropped_iterations").at("count").as_uint64(), 2u);
}

TEST(WriteReports, WritesEveryFile) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "flowbench-report-test";
  std::filesystem::create_directories(dir);
  WriteReports(LoadResults(Fixture()), dir);
  for (const char* name : {"report.md", "report.html", "results.csv",
                           "k6-summary-sync-baseline-1.json", "k6-summary-async-baseline-2.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::report
