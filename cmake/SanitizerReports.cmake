# The two ends of the `sanitized` CTest fixture (see Sanitizers.cmake), run with
# cmake -DREPORTS=<folder> -DMODE=clear|check -P SanitizerReports.cmake.
# clear: an empty folder before the tests (a report of an earlier run would fail this one);
# check: fails, printing each, when the tests left reports there.
if(MODE STREQUAL "clear")
  file(REMOVE_RECURSE "${REPORTS}")
  file(MAKE_DIRECTORY "${REPORTS}")
  return()
endif()
file(GLOB found "${REPORTS}/*")
if(NOT found)
  message(STATUS "no sanitizer report under ${REPORTS}")
  return()
endif()
list(LENGTH found count)
foreach(report IN LISTS found)
  file(READ "${report}" text)
  message("---- ${report}\n${text}")
endforeach()
message(FATAL_ERROR "${count} sanitizer report(s) under ${REPORTS}")
