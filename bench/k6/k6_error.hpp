// The one error type of the k6 importers: says which file, and which line when there is one.
#pragma once

#include <stdexcept>
#include <string>

namespace flowbench::k6 {

class K6FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flowbench::k6
