# Installs what an admin needs beside the binary (systemd units, cron entry, example config,
# man page, bash completion, Prometheus/Alertmanager/Grafana examples) and packages it all as a Debian package with CPack:
#   cmake --build build && (cd build && cpack -G DEB)
# Paths follow Debian: /usr/bin, /usr/lib/systemd/system, /usr/share/man/man1 (gzipped),
# /usr/share/bash-completion/completions, /usr/share/doc/smtpprobe/examples; the config goes to
# /etc/smtpprobe/config.toml and the cron entry to /etc/cron.d/smtpprobe, both conffiles.
# Depends come from dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS; needs dpkg-dev).
include(GNUInstallDirs)

set(SMTPPROBE_DEPLOY_DIR "${PROJECT_SOURCE_DIR}/deploy")
# The commented example configuration (written with the config module). Everything that names
# it (package, clean-room check, tests) uses this one path.
set(SMTPPROBE_EXAMPLE_CONFIG "${SMTPPROBE_DEPLOY_DIR}/config.example.toml")

install(FILES "${SMTPPROBE_DEPLOY_DIR}/systemd/smtpprobe.service"
              "${SMTPPROBE_DEPLOY_DIR}/systemd/smtpprobe-run.service"
              "${SMTPPROBE_DEPLOY_DIR}/systemd/smtpprobe-run.timer"
        DESTINATION lib/systemd/system)
install(FILES "${SMTPPROBE_DEPLOY_DIR}/completion/smtpprobe.bash"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME smtpprobe)

# Debian wants man pages compressed, reproducibly (-n: no name or time stamp in the gzip).
set(smtpprobe_man_gz "${PROJECT_BINARY_DIR}/smtpprobe.1.gz")
add_custom_command(OUTPUT "${smtpprobe_man_gz}"
  COMMAND gzip -9nc "${SMTPPROBE_DEPLOY_DIR}/smtpprobe.1" > "${smtpprobe_man_gz}"
  DEPENDS "${SMTPPROBE_DEPLOY_DIR}/smtpprobe.1" VERBATIM)
add_custom_target(smtpprobe_man ALL DEPENDS "${smtpprobe_man_gz}")
install(FILES "${smtpprobe_man_gz}" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

if(EXISTS "${SMTPPROBE_EXAMPLE_CONFIG}")
  install(FILES "${SMTPPROBE_EXAMPLE_CONFIG}" DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
          RENAME config.toml)
  install(FILES "${SMTPPROBE_EXAMPLE_CONFIG}" DESTINATION /etc/smtpprobe RENAME config.toml
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  set(smtpprobe_conffiles "${SMTPPROBE_DEPLOY_DIR}/debian/conffiles")
else()
  message(WARNING "${SMTPPROBE_EXAMPLE_CONFIG} is missing: the package will ship no config")
  set(smtpprobe_conffiles "${PROJECT_BINARY_DIR}/deb-control/conffiles")
  file(WRITE "${smtpprobe_conffiles}" "/etc/cron.d/smtpprobe\n")
endif()
install(FILES "${SMTPPROBE_DEPLOY_DIR}/cron.d/smtpprobe" DESTINATION /etc/cron.d)
# A fleet's monitoring (deploy/README.md): Prometheus rules, an Alertmanager route, a Grafana
# dashboard, as examples to copy.
install(FILES "${SMTPPROBE_DEPLOY_DIR}/README.md" DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        RENAME monitoring.md)
install(DIRECTORY "${SMTPPROBE_DEPLOY_DIR}/prometheus" "${SMTPPROBE_DEPLOY_DIR}/alertmanager"
                  "${SMTPPROBE_DEPLOY_DIR}/grafana"
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "smtpprobe")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "smtpprobe")
set(CPACK_PACKAGE_CONTACT "smtpprobe maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SMTP deliverability probe and reputation monitor")
set(CPACK_PACKAGE_DESCRIPTION
    "smtpprobe tells the operator of a self-hosted mail server whether big receivers and DNS\n"
    "blocklists accept mail from their IP, since when they stopped, and what to do about it,\n"
    "from SMTP probes, the MTA log, bounce messages and DNSBL queries kept in SQLite, with a\n"
    "small dashboard. It also checks a server for DSN backscatter risk.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "mail")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/smtpprobe")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES TRUE)
# postinst uses useradd/usermod (passwd) and dpkg-statoverride (dpkg): both essential.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postfix | mail-transport-agent")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${SMTPPROBE_DEPLOY_DIR}/debian/postinst;${SMTPPROBE_DEPLOY_DIR}/debian/prerm;${SMTPPROBE_DEPLOY_DIR}/debian/postrm;${smtpprobe_conffiles}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
