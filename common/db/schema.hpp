// The tables of CONTRACT.md §1 in one schema per build, with products 1-3 and their inventory
// seeded. Idempotent and safe to run from ten services starting at once.
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace flowbench {

// Creates `schema` and its tables when missing; seeds products 1-3 (stock kept when they
// exist) and an inventory row each. Running it again changes nothing.
void MigrateSchema(pqxx::connection& connection, const std::string& schema);

// Empties every table of `schema` and re-seeds it (tests and `flowbench run` between runs).
void ResetSchema(pqxx::connection& connection, const std::string& schema);

}  // namespace flowbench
