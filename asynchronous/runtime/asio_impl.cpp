// Asio and Beast compiled once for the whole async build (BOOST_ASIO_SEPARATE_COMPILATION,
// BOOST_BEAST_SEPARATE_COMPILATION), as Beast's own tests do: every other translation unit
// only sees declarations, which keeps a 2-core build tolerable.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
