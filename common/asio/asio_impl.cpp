// Asio and Beast compiled once for the whole project (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are set on flowbench_asio), as Beast's own tests do: a
// Beast TU costs ~10 s on a 2-core machine, and two compiled copies in one binary would
// clash. Every other translation unit only sees declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
