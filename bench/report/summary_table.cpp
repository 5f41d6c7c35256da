// Declared in bench/report/reports.hpp.
