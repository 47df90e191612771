# cmake -DIN=FILE -DOUT=FILE -P embed.cmake: FILE as a C initializer list of
# its bytes and a final NUL (#include it inside "char x[] = { ... };").
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "${bytes}0x00\n")
