// What a route answers in either build: a status and a JSON object. The HTTP front of each
// build (cpp-httplib, Beast) serialises it; handlers never see the transport's own types.
#pragma once

#include <boost/json.hpp>

namespace flowbench {

struct Reply {
  int status = 200;
  boost::json::object body;
};

}  // namespace flowbench
