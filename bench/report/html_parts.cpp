#include "bench/report/html_parts.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace flowbench::report {
namespace {

// Chart.js from Debian's libjs-chart.js, inlined so the report opens offline.
constexpr const char* kChartJs = "/usr/share/javascript/chart.js/chart.min.js";

std::string ReadChartJs() {
  std::ifstream in(kChartJs);
  if (!in) {
    throw std::runtime_error(std::string("Chart.js not found at ") + kChartJs +
                             ": install it with `sudo apt-get install libjs-chart.js` (or run "
                             "compose/install-deps.sh)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
pre { background: #f7f7f7; padding: 0.7em; overflow-x: auto; white-space: pre-wrap; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
.chart { border: 1px solid #ddd; padding: 0.5em; height: 320px; }
.svg-chart { border: 1px solid #ddd; padding: 0.5em; }
.svg-chart svg { width: 100%; height: auto; font: 11px system-ui, sans-serif; }
blockquote.warning { border: 2px solid #d9534f; background: #fdf0f0; padding: 0.5em 1em; margin: 1em 0; }
p.item { margin: 0.2em 0 0.2em 1.2em; }
)css";

}  // namespace

std::string HtmlHead(const std::string& title) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
         Escape(title) + "</title>\n<style>" + kStyle +
         "</style>\n<script>/* Chart.js 3.9.1, MIT licence, from Debian's libjs-chart.js */\n" +
         ReadChartJs() + "\n</script>\n</head>\n<body>\n";
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// Inline markup of the Markdown report: `code` and **strong**.
std::string Inline(const std::string& text) {
  std::string escaped = Escape(text), out;
  bool code = false, strong = false;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
    } else if (!code && c == '*' && i + 1 < escaped.size() && escaped[i + 1] == '*') {
      out += strong ? "</strong>" : "<strong>";
      strong = !strong;
      ++i;
    } else {
      out += c;
    }
  }
  if (strong) out += "</strong>";
  return out;
}

}  // namespace

std::string MarkdownToHtml(const std::string& markdown) {
  std::istringstream lines(markdown);
  std::ostringstream html;
  std::string line;
  bool in_table = false, in_code = false, header_row = false;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) {
      html << (in_code ? "</pre>\n" : "<pre>");
      in_code = !in_code;
      continue;
    }
    if (in_code) {
      html << Escape(line) << "\n";
      continue;
    }
    if (!line.empty() && line[0] == '|') {
      if (line.rfind("|---", 0) == 0) continue;
      if (!in_table) {
        html << "<table>\n";
        in_table = header_row = true;
      }
      html << "<tr>";
      std::size_t start = 1, bar;
      while ((bar = line.find('|', start)) != std::string::npos) {
        std::string cell = line.substr(start, bar - start);
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        html << (header_row ? "<th>" : "<td>") << Inline(cell) << (header_row ? "</th>" : "</td>");
        start = bar + 1;
      }
      html << "</tr>\n";
      header_row = false;
      continue;
    }
    if (in_table) {
      html << "</table>\n";
      in_table = false;
    }
    if (line.rfind("> ", 0) == 0) {
      html << "<blockquote class=\"warning\">" << Inline(line.substr(2)) << "</blockquote>\n";
    } else if (line.rfind("- ", 0) == 0) {
      html << "<p class=\"item\">" << Inline(line.substr(2)) << "</p>\n";
    } else if (line.rfind("### ", 0) == 0) {
      html << "<h3>" << Inline(line.substr(4)) << "</h3>\n";
    } else if (line.rfind("## ", 0) == 0) {
      html << "<h2>" << Inline(line.substr(3)) << "</h2>\n";
    } else if (line.rfind("# ", 0) == 0) {
      html << "<h1>" << Inline(line.substr(2)) << "</h1>\n";
    } else if (!line.empty()) {
      html << "<p>" << Inline(line) << "</p>\n";
    }
  }
  if (in_table) html << "</table>\n";
  return html.str();
}

std::string ScriptSafe(std::string text) {
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) {
    text.replace(at, 2, "<\\/");
  }
  return text;
}

const char* Colour(const std::string& arch, int shade) {
  if (arch == "sync") return shade == 0 ? "#d9534f" : "#f0a8a6";
  return shade == 0 ? "#337ab7" : "#9cc3e6";
}

}  // namespace flowbench::report
