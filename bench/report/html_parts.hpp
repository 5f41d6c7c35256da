// The parts every self-contained HTML page of flowbench shares (report.html, sweep.html): the
// head with its style and Chart.js inlined (opens offline), escaping, the Markdown tables
// converted, and each build's colour.
#pragma once

#include <string>

namespace flowbench::report {

// "<!doctype html>…<body>\n": the page's head, Chart.js from Debian's libjs-chart.js inlined.
// Throws, saying how to install it, when Chart.js is missing.
std::string HtmlHead(const std::string& title);
std::string Escape(const std::string& text);
// The constructs the Markdown reports write (headings, tables, code fences, paragraphs,
// "- " items, "> " warnings), as HTML: the tables are the Markdown report's own, so the two
// reports can never disagree.
std::string MarkdownToHtml(const std::string& markdown);
// JSON inside a <script> element must not contain "</" (it could close the element).
std::string ScriptSafe(std::string text);
// Each build's colour in every chart; shade 1 is its lighter twin (a second figure).
const char* Colour(const std::string& arch, int shade = 0);

}  // namespace flowbench::report
