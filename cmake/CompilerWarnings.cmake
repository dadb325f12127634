# Warnings for our own targets only (third-party headers are included as SYSTEM).
# GCC 12's -Wrestrict and -Wstringop-overread fire falsely inside libstdc++ on ordinary string
# concatenation and vector copies (GCC bugs 105329, 105651); they are off until the compiler is fixed.
function(regionlab_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict -Wno-stringop-overread>)
endfunction()
