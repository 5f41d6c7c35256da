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

# flowbench_add_fuzzer(<name> SOURCES ... DEPENDS ...): with FLOWBENCH_FUZZ (the `fuzz`
# preset, clang), a libFuzzer executable fuzz_<name> in build-fuzz/fuzz/, seeded from
# corpus/<name>/ beside its first source (<module>/fuzz/<name>_fuzz.cpp). Its CTest (label `fuzz`) fuzzes for
# FLOWBENCH_FUZZ_SECONDS (20 by default) in a copy of the seeds in the build tree, so what
# libFuzzer adds never lands in the repository; a crash, a leak, undefined behaviour or an
# input slower than 5 s ends it non-zero and fails the test, leaving the input in
# build-fuzz/fuzz/artifacts/. Without FLOWBENCH_FUZZ it does nothing.
function(flowbench_add_fuzzer name)
  if(NOT FLOWBENCH_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  set(target fuzz_${name})
  add_executable(${target} ${ARG_SOURCES})
  flowbench_target_defaults(${target})
  target_link_libraries(${target} PRIVATE ${ARG_DEPENDS})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  set_property(GLOBAL APPEND PROPERTY FLOWBENCH_FUZZ_TARGETS ${target})

  list(GET ARG_SOURCES 0 first_source)
  get_filename_component(fuzz_dir ${first_source} DIRECTORY)
  set(seeds ${CMAKE_CURRENT_SOURCE_DIR}/${fuzz_dir}/corpus/${name})
  if(NOT IS_DIRECTORY ${seeds})
    message(FATAL_ERROR "fuzzer ${name}: no seed corpus in ${seeds}")
  endif()
  # Copied at configure time (the workflow configures every time): seeds added later arrive,
  # and what earlier runs found stays, so a rerun starts where the last one ended.
  set(corpus ${PROJECT_BINARY_DIR}/fuzz/corpus/${name})
  file(COPY ${seeds}/ DESTINATION ${corpus})
  set(artifacts ${PROJECT_BINARY_DIR}/fuzz/artifacts)
  file(MAKE_DIRECTORY ${artifacts})
  add_test(NAME ${target}
    COMMAND sh -c "exec \"$0\" -max_total_time=\${FLOWBENCH_FUZZ_SECONDS:-20} -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=${artifacts}/${name}- ${corpus}"
            $<TARGET_FILE:${target}>)
  # Generous: libFuzzer stops itself after max_total_time; this only catches a wedged run.
  set_tests_properties(${target} PROPERTIES LABELS fuzz TIMEOUT 3600)
endfunction()
