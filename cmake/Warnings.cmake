# Warnings for our own targets only (not for third-party headers, which are -isystem).
add_library(smtpprobe_warnings INTERFACE)
target_compile_options(smtpprobe_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations)
if(SMTPPROBE_WERROR)
  target_compile_options(smtpprobe_warnings INTERFACE -Werror)
endif()
