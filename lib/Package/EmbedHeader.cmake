# Writes the contents of INPUT as a C++ raw string literal to OUTPUT.
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}" "R\"tessera_header(${content})tessera_header\"\n")
