# Small helpers so that a library, a service, a test or a benchmark is one line.

# Warnings on for our own code only (third-party headers are included as SYSTEM); errors
# with FLOWBENCH_WERROR, which CI turns on.
function(flowbench_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(FLOWBENCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

# flowbench_add_library(name SOURCES ... DEPENDS ...)
function(flowbench_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  flowbench_target_defaults(${name})
  target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
endfunction()

# flowbench_add_service(<arch> <service> [DEPENDS ...]): one executable per service,
# named <arch>-<service>, from <service>_service.cpp in the calling folder.
function(flowbench_add_service arch service)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  set(target ${arch}-${service})
  add_executable(${target} ${service}_service.cpp)
  flowbench_target_defaults(${target})
  target_link_libraries(${target} PRIVATE flowbench_${arch}_runtime ${ARG_DEPENDS})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  set_property(GLOBAL APPEND PROPERTY FLOWBENCH_SERVICE_TARGETS ${target})
endfunction()

# flowbench_add_test(<name> LABEL unit|integration|browser SOURCES ... DEPENDS ...)
# A GoogleTest executable registered with CTest under the given label: `unit` needs no
# program from outside the build, `integration` starts its own PostgreSQL/RabbitMQ and so
# runs one at a time (RESOURCE_LOCK), `browser` drives Debian's headless Chromium.
function(flowbench_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  flowbench_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set(environment "FLOWBENCH_BIN_DIR=${PROJECT_BINARY_DIR}/bin"
                  "FLOWBENCH_SOURCE_DIR=${PROJECT_SOURCE_DIR}" ${FLOWBENCH_SANITIZER_ENVIRONMENT})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "${environment}")
  if(FLOWBENCH_SANITIZER)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED sanitized)
  endif()
  if(ARG_LABEL STREQUAL "integration")
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK embedded_infra)
  endif()
endfunction()

# flowbench_add_benchmark(<name> SOURCES ... DEPENDS ...): a Google Benchmark binary,
# registered in CTest as a quick smoke run (label "benchmark"); real figures come from
# explicit runs that write to results/.
function(flowbench_add_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  flowbench_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} benchmark::benchmark)
  add_test(NAME ${name} COMMAND ${name} --benchmark_min_time=0.01)
  set_tests_properties(${name} PROPERTIES LABELS benchmark TIMEOUT 120)
endfunction()
