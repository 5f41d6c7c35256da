// Asio and Beast compiled once, here, for every load-engine TU (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION are set on the library): a Beast TU costs ~10 s on
// this machine, so nothing else instantiates their implementation.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
