# `npm ci` of the console's browser tests into the build tree (DEST), once per lock: the
# package.json and package-lock.json of SOURCE are copied there and installed unless DEST's
# node_modules was installed from the same lock already.
file(MAKE_DIRECTORY ${DEST})
file(SHA256 ${SOURCE}/package-lock.json lock)
set(stamp ${DEST}/node_modules/.flowbench-lock-sha256)
if(EXISTS ${stamp})
  file(READ ${stamp} installed)
  if(installed STREQUAL lock)
    message(STATUS "node_modules up to date with package-lock.json")
    return()
  endif()
endif()
configure_file(${SOURCE}/package.json ${DEST}/package.json COPYONLY)
configure_file(${SOURCE}/package-lock.json ${DEST}/package-lock.json COPYONLY)
execute_process(COMMAND ${CMAKE_COMMAND} -E env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
                        ${NPM} ci --no-audit --no-fund --loglevel=error
                WORKING_DIRECTORY ${DEST} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "npm ci failed in ${DEST} (no network and no npm cache?)")
endif()
file(WRITE ${stamp} ${lock})
