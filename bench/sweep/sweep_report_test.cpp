// sweep.md, sweep.html and two sweeps lined up, from the hand-written testdata sweep (two
// builds x two scenarios; the async build's click knees not reached at --max).
#include "bench/sweep/sweep_report.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace flowbench::sweep {
namespace {

SweepResults Testdata() {
  return LoadSweep(std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) +
                   "/bench/sweep/testdata/sweep.json");
}

SweepResults MixTestdata() {
  return LoadSweep(std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) +
                   "/bench/sweep/testdata/mix-sweep.json");
}

std::size_t Occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(SweepMarkdown, NamesEachKneeWithItsShareOfTheLimit) {
  std::string md = SweepMarkdown(Testdata());
  // sync scenario1: 190 req/s of the database's 4600 (4.1 %: two digits below 10 %).
  EXPECT_NE(md.find("| sync | scenario1 | **190 req/s** | **190 req/s** | 4600 req/s (database) | "
                    "4.1 % | 4.1 % | answer p99 ≤ 200 ms, completion p99 ≤ 5000 ms |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| async | scenario1 | **225 req/s** | **190 req/s** | 9500 req/s (broker) | "
                    "2.4 % | 2.0 % |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| sync | scenario6 | **2500 req/s** | **2500 req/s** | 4600 req/s "
                    "(database) | 54 % | 54 % |"),
            std::string::npos)
      << md;
}

TEST(SweepMarkdown, SaysWhyAKneeWasNotFound) {
  std::string md = SweepMarkdown(Testdata());
  EXPECT_NE(md.find("| async | scenario6 | ≥ 3000 req/s (not reached at --max: still passing at "
                    "the highest rate) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("reached --max 3000 req/s with every verdict passing"), std::string::npos);
}

TEST(SweepMarkdown, ListsTheLimitsAndEveryStepPerScenario) {
  std::string md = SweepMarkdown(Testdata());
  EXPECT_NE(md.find("| broker | 9500/s | rabbitmq-c persistent publish with confirms"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## scenario1: "), std::string::npos);
  EXPECT_NE(md.find("## scenario6: "), std::string::npos);
  EXPECT_EQ(Occurrences(md, " (discover) | ") + Occurrences(md, " (refine) | "), 16u);
  // A failed step says why, in the verdicts column; a step that did not drain says so.
  EXPECT_NE(md.find("| sync | 3 (discover) | 225 | 198 | 900 ms | 1900 ms | 0.40 % (timeout 10, "
                    "dropped 8) | 0.1 | "
                    "1200 ms | 4.30 | yes | answer ✗ answer p99 900 ms > 200 ms; errors 0.40 % > "
                    "0.10 %; sustainable ok |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("> 30.00 s (not drained)"), std::string::npos) << md;
  // Clicks are not followed by completion in the sync build: no completion figure, not zero.
  EXPECT_NE(md.find("| sync | 1 (discover) | 1000 | 1000 | 6.00 ms | - |"), std::string::npos)
      << md;
}

TEST(SweepHtml, IsSelfContainedWithALogLogChartPerScenario) {
  std::string html = SweepHtml(Testdata());
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("Chart.js 3.9.1"), std::string::npos);
  EXPECT_EQ(Occurrences(html, "\"Answer and completion p99 against offered rate, scenario"), 2u);
  EXPECT_EQ(Occurrences(html, "\"Backlog slope against offered rate, scenario"), 2u);
  EXPECT_EQ(Occurrences(html, "<canvas id=\"sweepchart"), 4u);
  EXPECT_NE(html.find("x: { type: 'logarithmic'"), std::string::npos);
  EXPECT_NE(html.find("spec.y_log ? 'logarithmic'"), std::string::npos);
  EXPECT_EQ(Occurrences(html, "\"y_log\":true"), 2u);
  // The knees marked, the SLO lines drawn, and the knees table.
  EXPECT_NE(html.find("\"label\":\"async answer knee 3000 req/s (not-reached-at-max)\""),
            std::string::npos);
  EXPECT_NE(html.find("\"label\":\"sync sustainable 190 req/s\""), std::string::npos);
  EXPECT_NE(html.find("\"label\":\"answer SLO answer p99 ≤ 200 ms\""), std::string::npos);
  EXPECT_NE(html.find("<h2>Knees</h2>"), std::string::npos);
  EXPECT_NE(html.find("<td><strong>2500 req/s</strong></td>"), std::string::npos);
}

TEST(WriteSweepReports, WritesSweepMdAndSweepHtml) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("flowbench-sweep-reports-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path html = WriteSweepReports(Testdata(), dir);
  EXPECT_EQ(html, dir / "sweep.html");
  EXPECT_GT(std::filesystem::file_size(dir / "sweep.md"), 1000u);
  EXPECT_GT(std::filesystem::file_size(dir / "sweep.html"), 100'000u);  // Chart.js inlined
  std::filesystem::remove_all(dir);
}

TEST(CompareSweeps, LinesUpTheKneesWithTheirRatio) {
  SweepResults a = Testdata(), b = Testdata();
  for (Knees& k : b.knees) {
    if (k.arch == "sync" && k.scenario == "scenario6") {
      *k.answer_knee_rps *= 2;
      *k.sustainable_rps *= 1.5;
    }
  }
  std::string md = CompareSweeps(a, "before", b, "after");
  EXPECT_NE(md.find("A = before, B = after"), std::string::npos) << md;
  EXPECT_NE(md.find("| sync | scenario6 | 2500 req/s | 5000 req/s | 2.00x | 2500 req/s | 3750 "
                    "req/s | 1.50x |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| async | scenario6 | ≥ 3000 req/s (not-reached-at-max) | ≥ 3000 req/s "
                    "(not-reached-at-max) | 1.00x |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| database | 4600/s | 4600/s | 1.00x |"), std::string::npos) << md;
}

TEST(SweepMarkdown, AMixNamesItsKneesAsScalesAndWhatBrokeFirst) {
  std::string md = SweepMarkdown(MixTestdata());
  EXPECT_NE(md.find("## mix:example"), std::string::npos) << md;
  EXPECT_NE(md.find("| sync | mix:example | **2200 req/s** at x4 | **2200 req/s** at x4 |"),
            std::string::npos)
      << md;
  // The lowest failing scale, the scenarios that failed there and why.
  EXPECT_NE(md.find("broke first at x6: scenario1 (answer p99 900 ms > 200 ms; errors 0.40 % > "
                    "0.10 %); scenario6 (answer p99 2.40 s"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("broke first at x6: scenario6 (errors 2.00 % > 0.10 %)"), std::string::npos)
      << md;
  // Every scenario of every step has its own row.
  EXPECT_NE(md.find("Each scenario within each step"), std::string::npos) << md;
  EXPECT_EQ(Occurrences(md, "| sync | 3 (x6) | scenario"), 2u) << md;
  std::string html = SweepHtml(MixTestdata());
  EXPECT_NE(html.find("total offered rate (req/s, log) = scale x 550 req/s"), std::string::npos);
}

TEST(CompareSweeps, TwoMixesLineUpTheirKneesWithTheScales) {
  SweepResults a = MixTestdata(), b = MixTestdata();
  b.knees[0].answer_knee_rps = 3300;
  b.knees[0].answer_knee_scale = 6;
  std::string md = CompareSweeps(a, "before", b, "after");
  EXPECT_NE(md.find("| sync | mix:example | 2200 req/s at x4 | 3300 req/s at x6 | 1.50x |"),
            std::string::npos)
      << md;
}

TEST(CompareSweeps, RefusesAMixBesideASweepOfOneScenarioAtATime) {
  try {
    CompareSweeps(MixTestdata(), "mix.json", Testdata(), "sweep.json");
    FAIL() << "a mix was compared with a per-scenario sweep";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mix.json is a mix sweep"), std::string::npos) << e.what();
  }
  EXPECT_THROW(CompareSweeps(Testdata(), "a", MixTestdata(), "b"), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::sweep
