# smtpprobe_embed(OUT_CPP SYMBOL FILES...): compiles files into the binary.
# Generates a .cpp defining
#   std::span<const smtpprobe::EmbeddedFile> SYMBOL()
# (name relative to BASE_DIR, bytes). Used for schema migrations, rule data and web assets,
# so the installed binary needs nothing beside it.
set(SMTPPROBE_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/EmbedGenerate.cmake")

function(smtpprobe_embed out_cpp symbol base_dir)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT "${out_cpp}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DSYMBOL=${symbol} -DBASE=${base_dir}
            "-DFILES=${files}" -P "${SMTPPROBE_EMBED_SCRIPT}"
    DEPENDS ${files} "${SMTPPROBE_EMBED_SCRIPT}"
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
