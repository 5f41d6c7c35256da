# Checked builds for the `asan` and `tsan` presets. FLOWBENCH_SANITIZER=address builds every
# target with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer; =thread with
# ThreadSanitizer. The two cannot share a build: TSan and ASan each own the shadow memory.
#
# Every sanitizer report, from a test or from a service a test started, is written to
# <build>/sanitizer-reports/ rather than to a stderr the test may not read (a service's
# stderr goes to a log file in a temporary folder). A test that clears the folder runs
# before the tests and one that fails when a report is there runs after them (a CTest
# fixture), so a leak in a service at exit fails the suite as surely as a crash in a test.
set(FLOWBENCH_SANITIZER "" CACHE STRING "address (ASan+LSan+UBSan) or thread (TSan); empty: none")
set_property(CACHE FLOWBENCH_SANITIZER PROPERTY STRINGS "" address thread)

set(FLOWBENCH_SANITIZER_ENVIRONMENT "")
if(FLOWBENCH_SANITIZER STREQUAL "")
  return()
endif()

set(reports ${PROJECT_BINARY_DIR}/sanitizer-reports)
if(FLOWBENCH_SANITIZER STREQUAL "address")
  # Without UBSan's vptr check: it probes memory through a pipe, so in a process out of file
  # descriptors (what the EMFILE tests do to a service on purpose) it reports every virtual
  # call as one on an invalid object. ASan still catches a use after free.
  set(flags -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all)
  # halt_on_error: UB stops the process, so a test sees it fail; print_stacktrace: the
  # report says where. detect_leaks is on by default on x86-64 Linux; said for the reader.
  set(FLOWBENCH_SANITIZER_ENVIRONMENT
      "ASAN_OPTIONS=detect_leaks=1:log_path=${reports}/asan"
      "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0"
      "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=${reports}/ubsan")
elseif(FLOWBENCH_SANITIZER STREQUAL "thread")
  set(flags -fsanitize=thread)
  # second_deadlock_stack: a lock-order report shows both acquisitions.
  set(FLOWBENCH_SANITIZER_ENVIRONMENT
      "TSAN_OPTIONS=second_deadlock_stack=1:log_path=${reports}/tsan")
else()
  message(FATAL_ERROR "FLOWBENCH_SANITIZER must be address, thread or empty, not '${FLOWBENCH_SANITIZER}'")
endif()

add_compile_options(${flags} -fno-omit-frame-pointer)
add_link_options(${flags})

file(MAKE_DIRECTORY ${reports})
add_test(NAME sanitizer_reports_cleared
         COMMAND ${CMAKE_COMMAND} -DREPORTS=${reports} -DMODE=clear -P ${CMAKE_CURRENT_LIST_DIR}/SanitizerReports.cmake)
add_test(NAME sanitizer_reports_are_none
         COMMAND ${CMAKE_COMMAND} -DREPORTS=${reports} -DMODE=check -P ${CMAKE_CURRENT_LIST_DIR}/SanitizerReports.cmake)
set_tests_properties(sanitizer_reports_cleared PROPERTIES FIXTURES_SETUP sanitized LABELS "unit;integration")
set_tests_properties(sanitizer_reports_are_none PROPERTIES FIXTURES_CLEANUP sanitized LABELS "unit;integration")
