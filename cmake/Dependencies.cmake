# Every dependency comes from a Debian 12 package (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(SPF2 IMPORTED_TARGET libspf2)
# Receivers' reports (issue 19): DMARC XML (libxml2, network and entities off) and zipped
# reports (libarchive); gzip goes through zlib above.
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
# PostgreSQL client (issue 20: a fleet's shared history), Debian libpq-dev.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
if(SMTPPROBE_TESTS)
  find_package(doctest REQUIRED)
endif()

# Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>
# (fixed upstream in 1.75); g++ 12's headers no longer pull it in transitively.
add_compile_options(-include utility)

# Boost 1.74 only recognises C++20 coroutines under clang through libc++'s
# <experimental/coroutine>; with libstdc++'s <coroutine> (clang 14 on Debian 12, used for the
# libFuzzer build) it must be told they are there.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1)
endif()
